namespace LambdaIdentity.Tests;

/// <summary>Where the repository, its fixtures and the shared real-world data live.</summary>
public static class TestPaths
{
    /// <summary>The repository root (the folder holding LambdaIdentity.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>tests/fixtures.</summary>
    public static string Fixtures => Path.Combine(RepoRoot, "tests", "fixtures");

    /// <summary>
    /// The shared real-world samples (../shared/data next to the checkout). LAMBDAIDENTITY_SHARED_DATA
    /// overrides. Tests fail, never skip, when it is missing: a green run must mean the real data was read.
    /// </summary>
    public static string SharedData { get; } = FindSharedData();

    /// <summary>A file or folder under the shared data.</summary>
    public static string Shared(params string[] parts) => Path.Combine(new[] { SharedData }.Concat(parts).ToArray());

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "LambdaIdentity.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("LambdaIdentity.sln not found above " + AppContext.BaseDirectory);
    }

    private static string FindSharedData()
    {
        var env = Environment.GetEnvironmentVariable("LAMBDAIDENTITY_SHARED_DATA");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        for (var dir = new DirectoryInfo(RepoRoot); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        if (Directory.Exists("/work/shared/data")) return "/work/shared/data";
        throw new InvalidOperationException("The shared data folder (../shared/data) was not found; set LAMBDAIDENTITY_SHARED_DATA.");
    }
}

using LambdaIdentity.Core;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;

namespace LambdaIdentity.Tests.Parity;

/// <summary>The parity scenario in tests/fixtures/parity and the built-in role catalog from shared/data.</summary>
internal static class ParityFixtures
{
    public const string Sub = "a925f2f7-5c63-4b7b-8799-25a5f97bc3b2";
    public const string Rg = "/subscriptions/" + Sub + "/resourceGroups/rg-orders";
    public const string OrdersPrincipal = "7f3c1c54-1d7b-4a5e-9d44-2c5b1e0a9f11";

    public static string Dir => Path.Combine(TestPaths.Fixtures, "parity");
    public static string StateDir => Path.Combine(Dir, "azure-state");
    public static string Catalog => TestPaths.Shared("catalogs", "azure-builtin-role-definitions.json");

    public static List<AzRoleMapping> Mappings() => ModelJson.Read<AzRoleMapping>(File.ReadAllText(Path.Combine(Dir, "parity-mappings.json")));

    public static AzureState ReadState(ErrorCollector? errors = null, params string[] extra)
    {
        var paths = new List<string> { StateDir, Catalog };
        paths.AddRange(extra);
        return new AzureStateReader().ReadAsync(paths, new EngineContext(errors)).GetAwaiter().GetResult();
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "li-parity-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>Copies the fixture state folder so a test can change one file.</summary>
    public static string CopyState()
    {
        var d = TempDir();
        foreach (var f in Directory.GetFiles(StateDir)) File.Copy(f, Path.Combine(d, Path.GetFileName(f)));
        return d;
    }
}

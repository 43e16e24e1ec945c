using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;
using static LambdaIdentity.Tests.Contract.CmdletMetadata;

namespace LambdaIdentity.Tests.Host;

/// <summary>
/// Runs every Pester file of tests/Pester in the real pwsh 7.6.10 against out/LambdaIdentity, so the README's test
/// command runs Pester. A Pester failure, a file that cannot run, a skipped test or a pwsh that cannot start fails here.
/// </summary>
public sealed class PesterHostTests
{
    private readonly ITestOutputHelper _out;
    public PesterHostTests(ITestOutputHelper output) => _out = output;

    private static string PesterDir => Path.Combine(TestPaths.RepoRoot, "tests", "Pester");

    public static IEnumerable<object[]> PesterFiles() =>
        Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "tests", "Pester"), "*.Tests.ps1").Select(f => new object[] { Path.GetFileName(f) }).OrderBy(f => (string)f[0]);

    [Theory]
    [MemberData(nameof(PesterFiles))]
    public void PesterFilePassesInPwsh(string file)
    {
        Assert.True(File.Exists(PesterHost.ModuleManifest), PesterHost.ModuleManifest + " is missing: the build assembles it");
        var run = PesterHost.RunFile(Path.Combine(PesterDir, "RunPester.ps1"), new[] { "-Path", Path.Combine(PesterDir, file) });
        _out.WriteLine(run.ToString());
        var summary = Regex.Match(run.Output, @"PESTER-SUMMARY total=(\d+) passed=(\d+) failed=(\d+) skipped=(\d+) notrun=(\d+) failedBlocks=(\d+) failedContainers=(\d+)");
        Assert.True(summary.Success, "Pester did not run to its summary:\n" + run);
        int N(int i) => int.Parse(summary.Groups[i].Value);
        Assert.True(N(3) == 0 && N(6) == 0 && N(7) == 0, $"{file}: {summary.Value}\n{run}");
        Assert.True(N(2) > 0, $"{file} ran no test: {summary.Value}");
        Assert.True(N(4) == 0, $"{file} skipped tests in CI: {summary.Value}\n{run}");
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void EveryExportedCmdletHasItsOwnPesterFile()
    {
        var files = Directory.GetFiles(PesterDir, "*.Tests.ps1").Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        foreach (var cmdlet in ManifestList(ManifestText, "CmdletsToExport"))
            Assert.True(files.Contains(cmdlet + ".Tests.ps1"), $"tests/Pester/{cmdlet}.Tests.ps1 is missing");
    }

    [Fact]
    public void PwshIsTheManifestsPinnedVersion()
    {
        using var tools = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, ".config", "dotnet-tools.json")));
        var pinned = tools.RootElement.GetProperty("tools").GetProperty("powershell").GetProperty("version").GetString();
        var pester = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(PesterHost.PesterManifest)));
        var run = PesterHost.RunCommand("$PSVersionTable.PSVersion.ToString(); (Import-PowerShellDataFile $env:LAMBDAIDENTITY_PESTER).ModuleVersion");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(new[] { pinned, pester }, run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}

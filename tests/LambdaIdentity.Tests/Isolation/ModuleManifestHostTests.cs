using LambdaIdentity.Tests.Contract;
using Xunit;

namespace LambdaIdentity.Tests.Isolation;

/// <summary>The built manifest as a real pwsh 7.6.10 reads it (Test-ModuleManifest, Import-Module, Remove-Module and import again).</summary>
public sealed class ModuleManifestHostTests
{
    private const string Script = """
        $ErrorActionPreference = 'Stop'
        $m = Test-ModuleManifest -Path $env:LI_MODULE
        'POWERSHELL {0}' -f $m.PowerShellVersion
        'DOTNETFRAMEWORK {0}' -f $m.DotNetFrameworkVersion
        'EDITIONS {0}' -f ($m.CompatiblePSEditions -join ',')
        'LICENSE {0}' -f $m.LicenseUri
        'PROJECT {0}' -f $m.ProjectUri
        'NOTES {0}' -f ([bool]$m.ReleaseNotes)
        'TAGS {0}' -f ($m.Tags -join ',')
        Import-Module $env:LI_MODULE
        'COMMANDS {0}' -f @(Get-Command -Module LambdaIdentity).Count
        $samples = Join-Path $env:LI_REPO 'module/samples'
        $paths = (Join-Path $samples 'demo-sam-template.yaml'), (Join-Path $samples 'demo-authz-details.json')
        'INVENTORY first {0}' -f @(Get-LambdaIdentityInventory -Path $paths).Count
        # Remove-Module and import again: the engine's load context is reused, the cmdlets work as before.
        Remove-Module LambdaIdentity
        Import-Module $env:LI_MODULE
        'INVENTORY again {0}' -f @(Get-LambdaIdentityInventory -Path $paths).Count
        'CONTEXTS {0}' -f @([Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'LambdaIdentity.Engine').Count
        """;

    [Fact]
    public async Task TheManifestIsValidForPwshAndStatesWhatTheGalleryAndWindowsPowerShellNeed()
    {
        var dir = Directory.CreateTempSubdirectory("li-manifest-").FullName;
        try
        {
            var script = Path.Combine(dir, "manifest.ps1");
            File.WriteAllText(script, Script);
            var manifest = Path.Combine(CmdletMetadata.ModuleOut, "LambdaIdentity.psd1");
            var (code, stdout, stderr) = await Pwsh.RunAsync(new[] { "-NoProfile", "-NonInteractive", "-File", script }, new Dictionary<string, string?> { ["LI_MODULE"] = manifest, ["LI_REPO"] = TestPaths.RepoRoot, ["PSModulePath"] = null });
            Assert.True(code == 0, stdout + stderr);
            var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            Assert.Contains("POWERSHELL 5.1", lines);
            Assert.Contains("DOTNETFRAMEWORK 4.7.2", lines);
            Assert.Contains("EDITIONS Desktop,Core", lines);
            Assert.Contains(lines, l => l.StartsWith("LICENSE https://", StringComparison.Ordinal) && l.EndsWith("/LICENSE", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("PROJECT https://", StringComparison.Ordinal));
            Assert.Contains("NOTES True", lines);
            Assert.Contains(lines, l => l.StartsWith("TAGS ", StringComparison.Ordinal) && l.Contains("PSEdition_Desktop") && l.Contains("PSEdition_Core"));
            Assert.Contains($"COMMANDS {CmdletMetadata.Cmdlets.Count}", lines);
            // The demo workload's five functions, before and after Remove-Module, from one engine context.
            Assert.Contains("INVENTORY first 5", lines);
            Assert.Contains("INVENTORY again 5", lines);
            Assert.Contains("CONTEXTS 1", lines);
            Assert.True(File.Exists(Path.Combine(TestPaths.RepoRoot, "LICENSE")), "the LicenseUri names a LICENSE file at the top level");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

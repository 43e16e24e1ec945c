using System.Text.Json;
using System.Xml.Linq;
using LambdaIdentity.Cli;
using Xunit;
using static LambdaIdentity.Tests.Parity.ParityFixtures;

namespace LambdaIdentity.Tests.Parity;

public class TestParityVerbTests
{
    private static (int code, string stdout, string stderr) Run(string stdin, params string[] args)
    {
        var o = new StringWriter(); var e = new StringWriter();
        var code = Program.Run(args, o, e, new StringReader(stdin));
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void AllPassExitsZeroAndWritesJsonResultsAndJUnit()
    {
        var junit = Path.Combine(TempDir(), "parity.xml");
        var (code, stdout, stderr) = Run("", "test-parity", "--mapping", Path.Combine(Dir, "parity-mappings.json"), "--azure-state", StateDir, Catalog, "--junit", junit, "--format", "json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(9, doc.RootElement.GetArrayLength());
        Assert.All(doc.RootElement.EnumerateArray(), r => Assert.Equal("Pass", r.GetProperty("Status").GetString()));
        var x = XDocument.Load(junit);
        Assert.Equal("9", x.Root!.Attribute("tests")!.Value);
        Assert.Equal(2, x.Root.Elements("testsuite").Count());
        Assert.Empty(x.Descendants("failure"));
    }

    [Fact]
    public void MissingAssignmentFromStdinExitsOneAndShowsTable()
    {
        var dir = CopyState();
        var path = Path.Combine(dir, "az-role-assignment-list-all.json");
        var list = JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllText(path))!;
        File.WriteAllText(path, JsonSerializer.Serialize(list.Where(e => e.GetProperty("roleDefinitionName").GetString() != "Key Vault Secrets User")));
        var (code, stdout, stderr) = Run(File.ReadAllText(Path.Combine(Dir, "parity-mappings.json")), "test-parity", "--mapping", "-", "--azure-state", dir, Catalog);
        Assert.Equal(1, code);
        Assert.StartsWith("Status", stdout);
        Assert.Contains("Missing", stdout);
        Assert.Contains("Key Vault Secrets User", stdout);
        Assert.Contains("Missing 1", stderr);
        // --fail-on Excess ignores lost access.
        (code, _, _) = Run(File.ReadAllText(Path.Combine(Dir, "parity-mappings.json")), "test-parity", "--mapping", "-", "--azure-state", dir, Catalog, "--fail-on", "Excess");
        Assert.Equal(0, code);
    }

    [Fact]
    public void AbsentEvidenceFailsEveryLevelButNone()
    {
        // Without the auth export, nothing is wrong but the authentication cannot be verified: no gate level may pass.
        var dir = CopyState();
        File.Delete(Path.Combine(dir, "orders-func.webapp-auth-show.json"));
        var (code, _, stderr) = Run("", "test-parity", "--mapping", Path.Combine(Dir, "parity-mappings.json"), "--azure-state", dir);
        Assert.Equal(2, code);
        Assert.Contains("Unverifiable (not read)", stderr.Length > 0 ? Run("", "test-parity", "--mapping", Path.Combine(Dir, "parity-mappings.json"), "--azure-state", dir).stdout : "");
        foreach (var level in new[] { "Access", "Excess" })
            Assert.Equal(2, Run("", "test-parity", "--mapping", Path.Combine(Dir, "parity-mappings.json"), "--azure-state", dir, "--fail-on", level).code);
        (code, _, _) = Run("", "test-parity", "--mapping", Path.Combine(Dir, "parity-mappings.json"), "--azure-state", dir, "--fail-on", "None");
        Assert.Equal(0, code);
    }

    [Fact]
    public void EnvironmentAndTimeoutAreLiveOptionsWithCheckedValues()
    {
        var mappings = Path.Combine(Dir, "parity-mappings.json");
        // Without --subscription-id they would be ignored silently: a usage error instead.
        var (code, _, stderr) = Run("", "test-parity", "--mapping", mappings, "--azure-state", StateDir, "--timeout", "5");
        Assert.Equal(64, code);
        Assert.Contains("LiveOptionWithoutSubscription", stderr);
        (code, _, stderr) = Run("", "test-parity", "--mapping", mappings, "--azure-state", StateDir, "--environment", "AzureChinaCloud");
        Assert.Equal(64, code);
        Assert.Contains("LiveOptionWithoutSubscription", stderr);
        (code, _, stderr) = Run("", "test-parity", "--mapping", mappings, "--subscription-id", "a925f2f7-5c63-4b7b-8799-25a5f97bc3b2", "--timeout", "0");
        Assert.Equal(64, code);
        Assert.Contains("TimeoutInvalid", stderr);
        (code, _, _) = Run("", "test-parity", "--mapping", mappings, "--subscription-id", "a925f2f7-5c63-4b7b-8799-25a5f97bc3b2", "--environment", "AzureGermanCloud");
        Assert.Equal(64, code);
    }

    [Fact]
    public void MissingMappingFileIsUsageAndMalformedOneExitsTwo()
    {
        var (code, _, stderr) = Run("", "test-parity", "--mapping", Path.Combine(Dir, "no-such-file.json"), "--azure-state", StateDir);
        Assert.Equal(64, code);
        Assert.Contains("InputNotFound", stderr);
        var bad = Path.Combine(TempDir(), "mapping.json");
        File.WriteAllText(bad, "[{\"MappingId\": ");
        (code, _, stderr) = Run("", "test-parity", "--mapping", bad, "--azure-state", StateDir);
        Assert.Equal(2, code);
        Assert.Contains("AzRoleMappingInputUnreadable", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void NeitherOrBothStateSourcesAreUsageErrors()
    {
        var (code, _, stderr) = Run("", "test-parity", "--mapping", Path.Combine(Dir, "parity-mappings.json"));
        Assert.Equal(64, code);
        Assert.Contains("AzureStateSourceInvalid", stderr);
        (code, _, _) = Run("", "test-parity", "--mapping", Path.Combine(Dir, "parity-mappings.json"), "--azure-state", StateDir, "--subscription-id", "a925f2f7-5c63-4b7b-8799-25a5f97bc3b2");
        Assert.Equal(64, code);
    }

    [Fact]
    public void TemplateScopeResolvesRelativeScopes()
    {
        var t = ArmTemplateRoundTripTests.Export(ParityFixtures.Mappings());
        var blob = t["resources"]!.AsArray().Single(r => ((string?)r!["scope"] ?? "").EndsWith("stordersdata"));
        blob!["scope"] = "[format('Microsoft.Storage/storageAccounts/{0}', 'stordersdata')]";
        var file = Path.Combine(TempDir(), "parity-template.json");
        File.WriteAllText(file, t.ToJsonString());
        var args = new[] { "test-parity", "--mapping", Path.Combine(Dir, "parity-mappings.json"), "--azure-state", file, Catalog };
        Assert.Equal(1, Run("", args).code); // the relative scope stays a token: Unverifiable
        Assert.Equal(0, Run("", args.Concat(new[] { "--template-scope", Rg }).ToArray()).code);
        Assert.Equal(64, Run("", args.Concat(new[] { "--template-scope", "/subscriptions/x" }).ToArray()).code);
    }
}

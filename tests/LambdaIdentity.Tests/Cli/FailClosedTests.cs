using System.Text.Json.Nodes;
using System.Xml.Linq;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Core.Security;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Cli;

/// <summary>Issue 11: no Pass, no exit 0 and no published result without evidence (the table in docs/cli.md).</summary>
public class FailClosedTests
{
    private static string Samples => DemoWorkload.Samples;
    private static string SampleState => Path.Combine(Samples, "azure-state");
    private static readonly Lazy<string> MappingFile = new(() =>
    {
        var ctx = new EngineContext(new ErrorCollector());
        var mappings = new Core.Translation.AzRoleMapper(Core.Aws.Policy.GrantDeriver.Default, new Core.Translation.MappingOptions { ResourceMap = DemoWorkload.ResourceMap() })
            .Map(DemoWorkload.Inventory(ctx), ctx).ToList();
        var f = Path.Combine(Temp(), "mapping.json");
        File.WriteAllText(f, ModelJson.Serialize(mappings));
        return f;
    });

    private static string Temp() => Directory.CreateTempSubdirectory("li-failclosed-").FullName;

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter(); var e = new StringWriter();
        var code = LambdaIdentity.Cli.Program.Run(args, o, e, new StringReader(""));
        return (code, o.ToString(), e.ToString());
    }

    private static string CopyState()
    {
        var dir = Temp();
        foreach (var f in Directory.GetFiles(SampleState)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        return dir;
    }

    [Theory]
    [InlineData("Any")]
    [InlineData("Access")]
    [InlineData("Excess")]
    public void EveryGateLevelFailsOnMissingEmptyOrGarbageState(string level)
    {
        var empty = Temp();
        var garbage = Temp();
        File.WriteAllText(Path.Combine(garbage, "role-assignments.json"), "not json at all");
        File.WriteAllText(Path.Combine(garbage, "x.json"), "{\"neither\": \"an export\"}");
        Assert.Equal(ExitCodes.Usage, Run("test-parity", "--mapping", MappingFile.Value, "--azure-state", Path.Combine(empty, "missing"), "--fail-on", level).Code);
        foreach (var state in new[] { empty, garbage })
        {
            var (code, stdout, stderr) = Run("test-parity", "--mapping", MappingFile.Value, "--azure-state", state, "--fail-on", level, "--format", "json");
            Assert.True(code == ExitCodes.NotEnoughRead, state + ": exit " + code + "\n" + stderr);
            var results = ModelJson.Read<IdentityParityResult>(stdout);
            Assert.DoesNotContain(results, r => r.Status == ParityStatus.Pass);
        }
        // assess too, whose default level is None: nothing read is never exit 0.
        var (assess, _, _) = Run("assess", "--path", Path.Combine(Samples, "demo-sam-template.yaml"), "--azure-state", empty, "--out", Temp());
        Assert.Equal(ExitCodes.NotEnoughRead, assess);
    }

    [Fact]
    public void NothingDesignedIsNotApplicableAndSkippedInJUnitNeverPass()
    {
        var junit = Path.Combine(Temp(), "j.xml");
        var (code, stdout, stderr) = Run("test-parity", "--mapping", MappingFile.Value, "--azure-state", SampleState, "--fail-on", "None", "--format", "json", "--junit", junit);
        Assert.Equal(0, code);
        var results = ModelJson.Read<IdentityParityResult>(stdout);
        var na = results.Where(r => r.Status == ParityStatus.NotApplicable).ToList();
        Assert.NotEmpty(na);
        Assert.All(na, r => Assert.Equal("nothing to check", r.Actual));
        Assert.DoesNotContain(results, r => r.Status == ParityStatus.Pass && r.Actual == "nothing to check");
        var doc = XDocument.Load(junit);
        Assert.Equal(na.Count.ToString(), doc.Root!.Attribute("skipped")!.Value);
        Assert.Equal(na.Count, doc.Descendants("skipped").Count());
        Assert.Contains("NotApplicable " + na.Count + ": nothing to verify", stderr);
        Assert.DoesNotContain("Pass " + (results.Count(r => r.Status == ParityStatus.Pass) + na.Count), stderr);
    }

    [Fact]
    public void AStaleRoleAssignmentExportIsAConflictJudgedOnNeitherUnlessOneIsPreferred()
    {
        // The current export lost an assignment that an old copy next to it still holds: the revoked access must not pass.
        var dir = CopyState();
        var current = Path.Combine(dir, "role-assignments.json");
        var list = JsonNode.Parse(File.ReadAllText(current))!.AsArray();
        var revoked = list.First(a => (string?)a!["roleDefinitionName"] == "Storage Table Data Contributor")!;
        var revokedId = (string)revoked["id"]!;
        var stale = Path.Combine(dir, "role-assignments-old.json");
        File.WriteAllText(stale, list.ToJsonString());
        list.Remove(revoked);
        File.WriteAllText(current, list.ToJsonString());

        var (code, stdout, stderr) = Run("test-parity", "--mapping", MappingFile.Value, "--azure-state", dir, "--format", "json", "--fail-on", "Excess");
        Assert.Equal(ExitCodes.NotEnoughRead, code);
        Assert.Contains("AzureExportConflict", stderr);
        Assert.Contains("role-assignments.json", stderr);
        Assert.Contains("role-assignments-old.json", stderr);
        var results = ModelJson.Read<IdentityParityResult>(stdout);
        var item = Assert.Single(results, r => r.ActualId == revokedId);
        Assert.Equal(ParityStatus.Unverifiable, item.Status);
        Assert.True(item.EvidenceUnread);

        // The user names the current export: the revoked assignment is Missing, as it is.
        (code, stdout, stderr) = Run("test-parity", "--mapping", MappingFile.Value, "--azure-state", dir, "--prefer", current, "--aws-state", Path.Combine(DemoWorkload.Samples, "aws-trust"), "--format", "json", "--fail-on", "Access");
        Assert.Equal(ExitCodes.ResultsFail, code);
        Assert.DoesNotContain("AzureExportConflict", stderr);
        results = ModelJson.Read<IdentityParityResult>(stdout);
        Assert.DoesNotContain(results, r => r.ActualId == revokedId);
    }

    [Fact]
    public void TwoFunctionAppExportsThatDisagreeAboutTheIdentityAreJudgedOnNeither()
    {
        var dir = CopyState();
        var show = Path.Combine(dir, "func-dev-order-status.functionapp-show.json");
        var site = JsonNode.Parse(File.ReadAllText(show))!;
        site["identity"]!["type"] = "None";
        site["identity"]!["principalId"] = null;
        File.WriteAllText(Path.Combine(dir, "func-dev-order-status.functionapp-show-2025.json"), site.ToJsonString());
        var (code, stdout, stderr) = Run("test-parity", "--mapping", MappingFile.Value, "--azure-state", dir, "--format", "json", "--fail-on", "Excess");
        Assert.Equal(ExitCodes.NotEnoughRead, code);
        Assert.Contains("AzureExportConflict", stderr);
        var identity = Assert.Single(ModelJson.Read<IdentityParityResult>(stdout), r => r.Kind == MappingKind.ManagedIdentity && r.FunctionAppName == "func-dev-order-status");
        Assert.Equal(ParityStatus.Unverifiable, identity.Status);
        Assert.Contains("disagree", identity.Reason);
    }

    [Fact]
    public void AssessOwnsItsOutputFolder()
    {
        var outDir = Temp();
        var args = new[] { "assess", "--path", Path.Combine(Samples, "demo-sam-template.yaml"), Path.Combine(Samples, "demo-authz-details.json"), "--resource-map", Path.Combine(Samples, "demo-resource-map.json"), "--out", outDir };
        Assert.Equal(0, Run(args.Concat(new[] { "--azure-state", SampleState }).ToArray()).Code);
        Assert.True(File.Exists(Path.Combine(outDir, "parity-junit.xml")));
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "mine");
        // The next run checks no target: last run's parity results must not be published as this run's.
        Assert.Equal(0, Run(args).Code);
        Assert.False(File.Exists(Path.Combine(outDir, "parity.json")));
        Assert.False(File.Exists(Path.Combine(outDir, "parity-junit.xml")));
        Assert.True(File.Exists(Path.Combine(outDir, "report.md")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(outDir, "notes.txt")));
        // A gate level without evidence: exit 2, not a pass.
        Assert.Equal(ExitCodes.NotEnoughRead, Run(args.Concat(new[] { "--fail-on", "Access" }).ToArray()).Code);
    }

    [Theory]
    [InlineData("inventory", "--path", "{samples}/demo-sam-template.yaml", "--format", "junit")]
    [InlineData("map", "--inventory", "{mapping}", "--format", "JSON")]
    [InlineData("test-parity", "--mapping", "{mapping}", "--azure-state", "{state}", "--format", "xml")]
    [InlineData("test-parity", "--mapping", "{mapping}", "--azure-state", "{state}", "--fail-on", "Sometimes")]
    [InlineData("resource-map", "--inventory", "{mapping}", "--no-such-option")]
    [InlineData("map", "--inventory", "{missing}")]
    [InlineData("report", "--mapping", "{missing}")]
    [InlineData("export-template", "--mapping", "{missing}")]
    [InlineData("export-template", "--mapping", "{mapping}", "--format", "awscloudformation", "--role-definitions")]
    [InlineData("resource-map", "--inventory", "{missing}")]
    [InlineData("no-such-verb")]
    public void UsageErrorsExit64WithOneLineAndNoStackTrace(params string[] args)
    {
        var resolved = args.Select(a => a.Replace("{samples}", Samples).Replace("{mapping}", MappingFile.Value).Replace("{state}", SampleState).Replace("{missing}", Path.Combine(Temp(), "nope.json"))).ToArray();
        var (code, stdout, stderr) = Run(resolved);
        Assert.True(code == ExitCodes.Usage, string.Join(" ", args) + ": exit " + code + "\n" + stderr);
        Assert.Contains("error:", stderr);
        Assert.DoesNotContain("   at ", stderr + stdout);
    }

    [Theory]
    [InlineData("map", "--inventory")]
    [InlineData("report", "--mapping")]
    [InlineData("export-template", "--mapping")]
    [InlineData("resource-map", "--inventory")]
    public void AMalformedInputFileExitsTwoNamingTheFileWithoutAStackTrace(string verb, string option)
    {
        var bad = Path.Combine(Temp(), "truncated.json");
        File.WriteAllText(bad, "[{\"FunctionName\": \"a\", ");
        var (code, stdout, stderr) = Run(verb, option, bad);
        Assert.Equal(ExitCodes.NotEnoughRead, code);
        Assert.Contains(bad, stderr);
        Assert.DoesNotContain("   at ", stderr + stdout);
    }

    [Fact]
    public void TableOutputCannotIssuePipelineCommandsOrTerminalEscapes()
    {
        var evil = "orders\n##vso[task.setvariable variable=ARM_CLIENT_SECRET]leaked\u001b[2J";
        var doctored = JsonNode.Parse(File.ReadAllText(MappingFile.Value))!.AsArray();
        foreach (var m in doctored) m!["FunctionName"] = evil;
        var file = Path.Combine(Temp(), "evil.json");
        File.WriteAllText(file, doctored.ToJsonString());
        Environment.SetEnvironmentVariable("TF_BUILD", "True");
        try
        {
            foreach (var format in new[] { "table", "json" })
            {
                var (_, stdout, stderr) = Run("test-parity", "--mapping", file, "--azure-state", SampleState, "--format", format);
                foreach (var line in (stdout + stderr).Split('\n'))
                {
                    // Only the tool's own escaped logging commands may carry ##vso, and only at the start of a line.
                    var at = line.IndexOf("##vso[", StringComparison.OrdinalIgnoreCase);
                    Assert.True(at < 0 || (at == 0 && line.StartsWith("##vso[task.logissue", StringComparison.Ordinal) && !line.Substring(6).Contains("##vso[", StringComparison.OrdinalIgnoreCase)), format + ": " + line);
                    Assert.DoesNotContain('\u001b', line);
                }
                Assert.DoesNotContain("\n##vso[task.setvariable", stdout + stderr);
            }
        }
        finally { Environment.SetEnvironmentVariable("TF_BUILD", null); }
        Assert.Equal("a\\u000A# #vso[x]\\u001B[2J", ConsoleText.Sanitize("a\n##vso[x]\u001b[2J"));
    }

    [Theory]
    [InlineData("The request signature we calculated does not match. Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261205/eu-west-1/lambda/aws4_request, Signature=abcdef0123", "AKIAIOSFODNN7EXAMPLE")]
    [InlineData("GET /2015-03-31/functions?X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLETOKEN&X-Amz-Signature=deadbeef HTTP/1.1", "IQoJb3JpZ2luX2VjEXAMPLETOKEN")]
    [InlineData("echo: x-amz-security-token: FwoGZXIvYXdzEXAMPLE", "FwoGZXIvYXdzEXAMPLE")]
    [InlineData("token: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmMiLCJhdWQiOiJ4In0.c2lnbmF0dXJl", "eyJzdWIiOiJhYmMiLCJhdWQiOiJ4In0")]
    [InlineData("Bearer abc.def.ghi-secret rejected", "abc.def.ghi-secret")]
    [InlineData("https://func.azurewebsites.net/api/x?code=Zm9vYmFyc2VjcmV0a2V5", "Zm9vYmFyc2VjcmV0a2V5")]
    [InlineData("{\"aws_secret_access_key\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")]
    public void ProviderMessagesAreRedactedBeforeAnyFrontSeesThem(string message, string secret)
    {
        Assert.DoesNotContain(secret, Redaction.Redact(message));
        var errors = new ErrorCollector();
        var warnings = new List<string>();
        var ctx = new EngineContext(errors, new ListLog(warnings));
        ctx.Error("AwsReadFailed", EngineErrorCategory.ConnectionError, "lambda", message);
        ctx.Warning(message);
        Assert.DoesNotContain(secret, Assert.Single(errors.Errors).Message);
        Assert.DoesNotContain(secret, Assert.Single(warnings));
        // What is not a credential stays readable.
        Assert.Equal("AccessDenied: User is not authorized to perform lambda:GetPolicy", Redaction.Redact("AccessDenied: User is not authorized to perform lambda:GetPolicy"));
    }

    private sealed class ListLog : ILogSink
    {
        private readonly List<string> _lines;
        public ListLog(List<string> lines) { _lines = lines; }
        public void Verbose(string message) => _lines.Add(message);
        public void Warning(string message) => _lines.Add(message);
    }

    /// <summary>
    /// For any subset of the demo's Azure exports deleted or truncated: no item whose evidence was removed is Pass, and the
    /// exit code is never 0 at any gate level (None aside). Seeded, so a failure names its case.
    /// </summary>
    [Fact]
    public async Task DamagingAnySubsetOfTheDemoExportsNeverPassesWhatItRemoved()
    {
        var mappings = ModelJson.Read<AzRoleMapping>(File.ReadAllText(MappingFile.Value));
        var files = Directory.GetFiles(SampleState).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToArray();
        var full = ParityChecker.Check(mappings, await new AzureStateReader().ReadAsync(new[] { SampleState }, EngineContext.None), null, EngineContext.None);
        var random = new Random(20261205);
        for (var round = 0; round < 40; round++)
        {
            var dir = CopyState();
            var damaged = files.Where(_ => random.NextDouble() < 0.25).ToList();
            if (damaged.Count == 0) damaged.Add(files[random.Next(files.Length)]);
            var how = damaged.ToDictionary(f => f!, _ => random.Next(2) == 0 ? "deleted" : "truncated");
            foreach (var (f, h) in how)
            {
                var path = Path.Combine(dir, f);
                if (h == "deleted") File.Delete(path);
                else { var t = File.ReadAllText(path); File.WriteAllText(path, t.Substring(0, random.Next(1, Math.Max(2, t.Length - 1)))); }
            }
            var errors = new ErrorCollector();
            var ctx = new EngineContext(errors);
            var results = ParityChecker.Check(mappings, await new AzureStateReader().ReadAsync(new[] { dir }, ctx), null, ctx);
            var label = "round " + round + ": " + string.Join(", ", how.Select(kv => kv.Key + " " + kv.Value));
            foreach (var before in full.Where(r => r.Status == ParityStatus.Pass && r.ActualSource?.File is { } src && how.ContainsKey(Path.GetFileName(src))))
            {
                var after = results.Where(r => r.MappingId == before.MappingId).ToList();
                Assert.True(after.All(r => r.Status != ParityStatus.Pass), label + ": " + before.MappingId + " still passes on " + Path.GetFileName(before.ActualSource!.File));
            }
            foreach (var level in new[] { ParityFailLevel.Any, ParityFailLevel.Access, ParityFailLevel.Excess })
                Assert.True(ParityVerdict.ExitCode(results.ToList(), errors.Errors.Count, level) != ExitCodes.Ok, label + ": exit 0 at " + level);
            Directory.Delete(dir, true);
        }
    }
}

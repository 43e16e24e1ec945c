using System.Text.RegularExpressions;
using System.Xml.Linq;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace LambdaIdentity.Tests.Host;

/// <summary>
/// The Azure DevOps template's parity step, executed by pwsh 7.6.10 as the agent runs it: TF_BUILD=True, the env the
/// YAML passes with the template's expressions filled in, the module found on PSModulePath as Install-Module leaves it.
/// </summary>
public sealed class AzurePipelineTemplateTests
{
    private readonly ITestOutputHelper _out;
    public AzurePipelineTemplateTests(ITestOutputHelper output) => _out = output;

    private static string TemplatePath => Path.Combine(TestPaths.RepoRoot, "module", "azure-pipelines", "identity-parity.yml");
    private static string StateDir => Path.Combine(DemoWorkload.Samples, "azure-state");

    private static (string Script, Dictionary<string, string> Env) Step(string key, Func<YamlMappingNode, string> script)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(TemplatePath)));
        var steps = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["steps"];
        var step = steps.OfType<YamlMappingNode>().SelectMany(m => m.Children).Where(c => ((YamlScalarNode)c.Key).Value!.Contains(key))
            .Select(c => (YamlMappingNode)((YamlSequenceNode)c.Value)[0]).Single();
        var env = ((YamlMappingNode)step["env"]).Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value ?? "");
        return (script(step), env);
    }

    private static (string Script, Dictionary<string, string> Env) ExportsStep() => Step("eq(parameters.subscriptionId", s => ((YamlScalarNode)s["pwsh"]).Value!);

    private static List<AzRoleMapping> DemoMappings()
        => new AzRoleMapper(GrantDeriver.Default, new MappingOptions { ResourceMap = DemoWorkload.ResourceMap() }).Map(DemoWorkload.Inventory(), EngineContext.None).ToList();

    /// <summary>Runs the step's script with the parameters filled in as Azure Pipelines expands them.</summary>
    private PesterHost.Run RunStep(string dir, IDictionary<string, string> parameters)
    {
        var (script, env) = ExportsStep();
        var file = Path.Combine(dir, "step.ps1");
        File.WriteAllText(file, script);
        var vars = env.ToDictionary(e => e.Key, e => Regex.Replace(e.Value, @"\$\{\{\s*parameters\.(\w+)\s*\}\}", m => parameters[m.Groups[1].Value]));
        vars["TF_BUILD"] = "True";
        vars["PSModulePath"] = Path.Combine(TestPaths.RepoRoot, "out") + Path.PathSeparator + Environment.GetEnvironmentVariable("PSModulePath");
        var run = PesterHost.RunFile(file, Array.Empty<string>(), vars, workingDirectory: dir);
        _out.WriteLine(run.ToString());
        return run;
    }

    [Fact]
    public async Task ExportsStepPublishesJUnitOfEveryResultAndFailsAtFailOn()
    {
        var dir = Directory.CreateTempSubdirectory("li-devops-").FullName;
        try
        {
            var mappings = DemoMappings();
            var mappingFile = Path.Combine(dir, "mapping.json");
            File.WriteAllText(mappingFile, ModelJson.Serialize(mappings)); // as `lambda-identity map --format json` writes it
            var expected = ParityChecker.Check(mappings, await new AzureStateReader().ReadAsync(new[] { StateDir }, EngineContext.None), new ParityOptions(), EngineContext.None);
            Assert.Contains(expected, r => r.Status != ParityStatus.Pass);

            var junit = Path.Combine(dir, "results", "identity-parity.junit.xml");
            var run = RunStep(dir, new Dictionary<string, string> { ["mappingPath"] = mappingFile, ["azureStatePath"] = StateDir, ["failOn"] = "Any", ["resultsFile"] = junit });
            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.Contains("##vso[task.logissue type=error]identity parity fails at failOn Any", run.Output);
            var suites = XDocument.Load(junit).Root!;
            Assert.Equal(expected.Count, int.Parse(suites.Attribute("tests")!.Value));
            // Every status but Pass is a failed test; Unverifiable is counted as an error.
            Assert.Equal(expected.Count(r => r.Status is not (ParityStatus.Pass or ParityStatus.NotApplicable)), int.Parse(suites.Attribute("failures")!.Value) + int.Parse(suites.Attribute("errors")!.Value));
            Assert.Equal(expected.Count(r => r.Status == ParityStatus.Unverifiable), int.Parse(suites.Attribute("errors")!.Value));
            Assert.Equal(expected.Count, suites.Descendants("testcase").Count());
            Assert.Contains($"Identity parity: {expected.Count} results", run.Output);

            File.Delete(junit);
            run = RunStep(dir, new Dictionary<string, string> { ["mappingPath"] = mappingFile, ["azureStatePath"] = StateDir, ["failOn"] = "None", ["resultsFile"] = junit });
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(expected.Count, XDocument.Load(junit).Root!.Descendants("testcase").Count());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ExportsStepFailsClosedOnMappingsItCannotRead()
    {
        var dir = Directory.CreateTempSubdirectory("li-devops-").FullName;
        try
        {
            // Written too shallow (ConvertTo-Json's default depth keeps only the top level): every record is an error, none passes.
            var shallow = Path.Combine(dir, "shallow.json");
            var node = System.Text.Json.Nodes.JsonNode.Parse(ModelJson.Serialize(DemoMappings()))!.AsArray();
            foreach (var m in node) m!["Findings"] = "System.Collections.Generic.List`1[LambdaIdentity.Model.Finding]";
            File.WriteAllText(shallow, node.ToJsonString());
            var junit = Path.Combine(dir, "r.xml");
            var run = RunStep(dir, new Dictionary<string, string> { ["mappingPath"] = shallow, ["azureStatePath"] = StateDir, ["failOn"] = "None", ["resultsFile"] = junit });
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains("could not be converted back", run.Output + run.Errors);
            Assert.Contains("##vso[task.logissue type=error]", run.Output);

            var empty = Path.Combine(dir, "empty.json");
            File.WriteAllText(empty, "[]");
            run = RunStep(dir, new Dictionary<string, string> { ["mappingPath"] = empty, ["azureStatePath"] = StateDir, ["failOn"] = "None", ["resultsFile"] = junit });
            Assert.NotEqual(0, run.ExitCode);
            Assert.False(File.Exists(junit));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void BothStepsRunTheSameScriptAndCallOnlyExportedCmdlets()
    {
        var exports = ExportsStep().Script;
        var live = Step("ne(parameters.subscriptionId", s => ((YamlScalarNode)((YamlMappingNode)s["inputs"])["Inline"]).Value!).Script;
        Assert.Equal(exports, live);
        Assert.DoesNotMatch(@"\[LambdaIdentity\.", exports);
        var exported = Contract.CmdletMetadata.ManifestList(Contract.CmdletMetadata.ManifestText, "CmdletsToExport");
        foreach (Match m in Regex.Matches(exports, @"\b([A-Z][a-z]+-(?:LambdaIdentity|AzRole|Identity|AzResource)\w*)\b"))
            Assert.Contains(m.Groups[1].Value, exported);
    }
}

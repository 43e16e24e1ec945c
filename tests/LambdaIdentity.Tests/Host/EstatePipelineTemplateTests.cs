using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LambdaIdentity.Tests.Inventory.Live;
using Xunit;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace LambdaIdentity.Tests.Host;

/// <summary>
/// The estate template (module/azure-pipelines/estate-assessment.yml) as the agent runs it: each shard job's script in pwsh
/// 7.6.10 with TF_BUILD=True and the env the YAML passes (expressions filled in as Azure Pipelines expands them), reading a
/// generated estate live from the local AWS endpoint through the assumed role; the published shard folders laid out as
/// `download: current` leaves them; then the merge job's script.
/// </summary>
public sealed class EstatePipelineTemplateTests
{
    private readonly ITestOutputHelper _out;
    public EstatePipelineTemplateTests(ITestOutputHelper output) => _out = output;

    private static string TemplatePath => Path.Combine(TestPaths.RepoRoot, "module", "azure-pipelines", "estate-assessment.yml");

    private static YamlMappingNode Root()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(TemplatePath)));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static string Scalar(YamlNode n) => ((YamlScalarNode)n).Value ?? "";

    /// <summary>The pwsh step of a job whose displayName starts with <paramref name="displayName"/>: its script and env.</summary>
    private static (string Script, Dictionary<string, string> Env) PwshStep(YamlMappingNode job, string displayName)
    {
        var step = ((YamlSequenceNode)job["steps"]).OfType<YamlMappingNode>()
            .Single(s => s.Children.ContainsKey("pwsh") && s.Children.TryGetValue("displayName", out var d) && Scalar(d).StartsWith(displayName, StringComparison.Ordinal));
        var env = ((YamlMappingNode)step["env"]).Children.ToDictionary(c => Scalar(c.Key), c => Scalar(c.Value));
        return (Scalar(step["pwsh"]), env);
    }

    private static YamlMappingNode ShardJob()
    {
        // jobs: - ${{ each shard in parameters.shards }}: [ - job: shard_... ]
        var each = ((YamlSequenceNode)Root()["jobs"]).OfType<YamlMappingNode>().Single(j => j.Children.Keys.Any(k => Scalar(k).Contains("each shard")));
        return (YamlMappingNode)((YamlSequenceNode)each.Children.Values.Single())[0];
    }

    private static YamlMappingNode MergeJob()
        => ((YamlSequenceNode)Root()["jobs"]).OfType<YamlMappingNode>().Single(j => j.Children.TryGetValue("job", out var n) && Scalar(n) == "merge");

    /// <summary>Fills ${{ ... }} and $(...) as Azure Pipelines would for one shard.</summary>
    private static Dictionary<string, string> Expand(Dictionary<string, string> env, IDictionary<string, string> values)
        => env.ToDictionary(e => e.Key, e =>
        {
            var v = Regex.Replace(e.Value, @"\$\{\{\s*(.+?)\s*\}\}", m => values.TryGetValue(m.Groups[1].Value, out var x) ? x : throw new InvalidOperationException("unfilled expression " + m.Value));
            return Regex.Replace(v, @"\$\(([\w.]+)\)", m => values.TryGetValue(m.Groups[1].Value, out var x) ? x : throw new InvalidOperationException("unfilled variable " + m.Value));
        });

    private PesterHost.Run RunScript(string dir, string name, string script, Dictionary<string, string> env)
    {
        var file = Path.Combine(dir, name + ".ps1");
        File.WriteAllText(file, script);
        env["TF_BUILD"] = "True";
        env["PSModulePath"] = Path.Combine(TestPaths.RepoRoot, "out") + Path.PathSeparator + Environment.GetEnvironmentVariable("PSModulePath");
        env["AWS_EC2_METADATA_DISABLED"] = "true";
        env["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(dir, "credentials-absent");
        env["AWS_CONFIG_FILE"] = Path.Combine(dir, "config-absent");
        var run = PesterHost.RunFile(file, Array.Empty<string>(), env, workingDirectory: dir);
        _out.WriteLine(name + ": " + run);
        return run;
    }

    private Dictionary<string, string> ShardValues(string dir, string shard, IEnumerable<string> accounts, IEnumerable<string> regions, LocalAwsServer aws) => new()
    {
        ["shard.name"] = shard,
        ["join(',', shard.accountIds)"] = string.Join(",", accounts),
        ["join(',', shard.regions)"] = string.Join(",", regions),
        ["parameters.assumeRoleName"] = LocalAwsEstate.RoleName,
        ["parameters.resourceMapPath"] = "",
        ["parameters.azureStatePath"] = "",
        ["parameters.awsEndpointUrl"] = aws.HttpUri.AbsoluteUri,
        // publish + download: current leave the shard's folder at $(Pipeline.Workspace)/shard-<name>
        ["Build.ArtifactStagingDirectory"] = Path.Combine(dir, "agent-" + shard),
        ["AWS_ACCESS_KEY_ID"] = LocalAwsServer.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = LocalAwsServer.SecretAccessKey,
        ["AWS_SESSION_TOKEN"] = "",
    };

    /// <summary>Runs a shard job's script, then lays its published folder out as the merge job downloads it.</summary>
    private PesterHost.Run RunShard(string dir, string workspace, string shard, IEnumerable<string> accounts, IEnumerable<string> regions, LocalAwsServer aws)
    {
        var (script, env) = PwshStep(ShardJob(), "Read and assess");
        var values = ShardValues(dir, shard, accounts, regions, aws);
        var run = RunScript(dir, "shard-" + shard, script, Expand(env, values));
        var published = Path.Combine(values["Build.ArtifactStagingDirectory"], "shard");
        if (run.ExitCode == 0) Directory.Move(published, Path.Combine(workspace, "shard-" + shard)); // publish runs only when the step succeeded
        return run;
    }

    private PesterHost.Run RunMerge(string dir, string workspace, int expected, string failOn)
    {
        var (script, env) = PwshStep(MergeJob(), "Merge the shards");
        var values = new Dictionary<string, string>
        {
            ["Pipeline.Workspace"] = workspace, ["length(parameters.shards)"] = expected.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Build.ArtifactStagingDirectory"] = Path.Combine(dir, "agent-merge"), ["parameters.failOn"] = failOn,
        };
        return RunScript(dir, "merge", script, Expand(env, values));
    }

    [Fact]
    public async Task ShardsReadLiveAndMergeIntoOneEstateAndTheGateFailsClosedOnAMissingOrDeniedShard()
    {
        await using var aws = await LocalAwsServer.StartAsync();
        var estate = new LocalAwsEstate(LocalAwsEstate.AccountIds(3), new[] { "us-west-2" }, 4);
        estate.Serve(aws);
        var dir = Directory.CreateTempSubdirectory("li-estate-pipeline-").FullName;
        try
        {
            var workspace = Directory.CreateDirectory(Path.Combine(dir, "workspace")).FullName;
            // Two shards: one account, and two accounts.
            var a = RunShard(dir, workspace, "prod", estate.Accounts.Take(1), estate.Regions, aws);
            Assert.True(a.ExitCode == 0, a.ToString());
            var b = RunShard(dir, workspace, "dev", estate.Accounts.Skip(1), estate.Regions, aws);
            Assert.True(b.ExitCode == 0, b.ToString());
            Assert.Contains($"Shard dev: {2 * estate.FunctionsPerRegion} functions", b.Output);
            Assert.DoesNotContain(LocalAwsServer.SecretAccessKey, a.Output + a.Errors + b.Output + b.Errors);

            var merged = RunMerge(dir, workspace, 2, "None");
            Assert.True(merged.ExitCode == 0, merged.ToString());
            var total = estate.Accounts.Count * estate.Regions.Count * estate.FunctionsPerRegion;
            Assert.Contains($"Estate: {total} functions from 2 shards", merged.Output);
            var estateDir = Path.Combine(dir, "agent-merge", "estate");
            var inventory = JsonNode.Parse(File.ReadAllText(Path.Combine(estateDir, "inventory.json")))!.AsArray();
            Assert.Equal(total, inventory.Count);
            Assert.Equal(estate.Accounts.OrderBy(x => x), inventory.Select(r => (string)r!["AccountId"]!).Distinct().OrderBy(x => x));
            Assert.Contains("##vso[task.uploadsummary]", merged.Output);

            // A shard that was not published (its job failed): the estate is not whole, the gate fails.
            var partial = RunMerge(dir, workspace, 3, "None");
            Assert.Equal(1, partial.ExitCode);
            Assert.Contains("2 of 3 shards were published", partial.Output);

            // A gate level with no parity evidence in the shards never passes.
            Assert.Equal(1, RunMerge(dir, workspace, 2, "Access").ExitCode);

            // A denied account: the shard fails and names it, and publishes nothing.
            estate.DeniedAccounts.Add(estate.Accounts[2]);
            var denied = RunShard(dir, workspace, "denied", estate.Accounts.Skip(2), estate.Regions, aws);
            Assert.Equal(1, denied.ExitCode);
            Assert.Contains(estate.Accounts[2], denied.Output);
            Assert.False(Directory.Exists(Path.Combine(workspace, "shard-denied")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TheTemplateCallsOnlyExportedCmdletsAndMapsCredentialsOnlyIntoTheShardRead()
    {
        var exported = Contract.CmdletMetadata.ManifestList(Contract.CmdletMetadata.ManifestText, "CmdletsToExport");
        var text = File.ReadAllText(TemplatePath);
        Assert.DoesNotMatch(@"\[LambdaIdentity\.", text);
        foreach (Match m in Regex.Matches(text, @"\b([A-Z][a-z]+-(?:LambdaIdentity|AzRole|Identity|AzResource)\w*)\b"))
            Assert.Contains(m.Groups[1].Value, exported);
        var (_, shardEnv) = PwshStep(ShardJob(), "Read and assess");
        Assert.Contains("AWS_SECRET_ACCESS_KEY", shardEnv.Keys);
        var (_, mergeEnv) = PwshStep(MergeJob(), "Merge the shards");
        Assert.DoesNotContain(mergeEnv.Keys, k => k.StartsWith("AWS_", StringComparison.Ordinal));
        // Every shard job is a dependency of the merge, and the merge runs when a shard failed (to report it, and fail).
        var dependsOn = (YamlSequenceNode)MergeJob()["dependsOn"];
        Assert.Contains("each shard", Scalar(((YamlMappingNode)dependsOn[0]).Children.Keys.Single()));
        Assert.Equal("succeededOrFailed()", Scalar(MergeJob()["condition"]));
    }
}

using System.Text.Json.Nodes;
using LambdaIdentity.Cli;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Reporting;

/// <summary>
/// `merge` on generated shards: the demo workload assessed as one run, then its inventory split into shards, each
/// assessed on its own (as the jobs of a matrix would), merged back.
/// </summary>
public sealed class AssessmentMergerTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr, new StringReader(""));
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Splits the demo inventory into <paramref name="n"/> inventory files, round robin.</summary>
    private static List<string> Shards(string dir, int n, List<LambdaFunctionIdentity> inventory)
    {
        var files = new List<string>();
        for (var i = 0; i < n; i++)
        {
            var file = Path.Combine(dir, $"shard-{i}.json");
            File.WriteAllText(file, ModelJson.Serialize(inventory.Where((_, k) => k % n == i)));
            files.Add(file);
        }
        return files;
    }

    [Fact]
    public async Task AssessedShardsMergeIntoTheWholeAssessmentWithCountsSummed()
    {
        var dir = Directory.CreateTempSubdirectory("li-merge-").FullName;
        try
        {
            var inventory = DemoWorkload.Inventory().ToList();
            Assert.True(inventory.Count >= 3);
            // Each shard mapped and checked on its own, written as `assess --out` writes it, as a matrix job would.
            var state = await new AzureStateReader().ReadAsync(new[] { Path.Combine(DemoWorkload.Samples, "azure-state") }, EngineContext.None);
            var folders = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var part = inventory.Where((_, k) => k % 3 == i).ToList();
                var mappings = new AzRoleMapper(GrantDeriver.Default, new MappingOptions { ResourceMap = DemoWorkload.ResourceMap() }).Map(part, EngineContext.None).ToList();
                var results = ParityChecker.Check(mappings, state, new ParityOptions(), EngineContext.None);
                var outDir = Directory.CreateDirectory(Path.Combine(dir, "job-" + i)).FullName;
                File.WriteAllText(Path.Combine(outDir, "inventory.json"), ModelJson.Serialize(part));
                File.WriteAllText(Path.Combine(outDir, "mapping.json"), ModelJson.Serialize(mappings));
                File.WriteAllText(Path.Combine(outDir, "parity.json"), ModelJson.Serialize(results));
                File.WriteAllText(Path.Combine(outDir, "errors.json"), "[]");
                folders.Add(outDir);
            }
            var merged = Path.Combine(dir, "estate");
            var args = new List<string> { "merge" };
            foreach (var f in folders) { args.Add("--shard"); args.Add(f); }
            args.AddRange(new[] { "--out", merged, "--format", "json" });
            var (code, stdout, stderr) = Run(args.ToArray());
            Assert.True(code is 0 or 1, stderr);

            var mergedInventory = ModelJson.Read<LambdaFunctionIdentity>(File.ReadAllText(Path.Combine(merged, "inventory.json")));
            Assert.Equal(inventory.Select(r => r.FunctionArn).OrderBy(a => a), mergedInventory.Select(r => r.FunctionArn).OrderBy(a => a));
            var summary = JsonNode.Parse(stdout)!;
            var shardFunctions = summary["Shards"]!.AsArray().Sum(s => (int)s!["Functions"]!);
            Assert.Equal(inventory.Count, shardFunctions);
            Assert.Equal(inventory.Count, (int)summary["Functions"]!);
            // Mapping items and parity results: exactly the sums of the shards'.
            var shardMappings = folders.Sum(f => ModelJson.Read<AzRoleMapping>(File.ReadAllText(Path.Combine(f, "mapping.json"))).Count);
            var shardResults = folders.Sum(f => ModelJson.Read<IdentityParityResult>(File.ReadAllText(Path.Combine(f, "parity.json"))).Count);
            Assert.Equal(shardMappings, ModelJson.Read<AzRoleMapping>(File.ReadAllText(Path.Combine(merged, "mapping.json"))).Count);
            Assert.Equal(shardResults, ModelJson.Read<IdentityParityResult>(File.ReadAllText(Path.Combine(merged, "parity.json"))).Count);
            Assert.True(File.Exists(Path.Combine(merged, "report.md")));
            Assert.Contains($"- Functions: {inventory.Count} read", File.ReadAllText(Path.Combine(merged, "report.md")));
            // The merged folder is what assess writes (the same writers): the plan too, from the merged records.
            foreach (var name in new[] { "runbook.md", "runbook.html", "report.html", "azure-design.bicep", "parity-junit.xml" })
                Assert.True(File.Exists(Path.Combine(merged, name)), name + " is missing from the merged folder");
            Assert.Contains("(merged from " + folders.Count + " shards)", File.ReadAllText(Path.Combine(merged, "report.md")));
            var runbookRecords = Directory.GetFiles(Path.Combine(merged, "runbook"), "*.mapping.json").Max(f => ModelJson.Read<AzRoleMapping>(File.ReadAllText(f)).Count);
            Assert.True(runbookRecords > 0 && runbookRecords <= shardMappings);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ADuplicateIsMergedWhenIdenticalAndAnErrorNamingBothShardsWhenNot()
    {
        var dir = Directory.CreateTempSubdirectory("li-merge-").FullName;
        try
        {
            var inventory = DemoWorkload.Inventory().ToList();
            var shards = Shards(dir, 2, inventory);
            var again = Path.Combine(dir, "again.json");
            File.WriteAllText(again, ModelJson.Serialize(inventory.Take(1)));
            var (code, stdout, _) = Run("merge", "--shard", shards[0], shards[1], again, "--out", Path.Combine(dir, "m1"), "--format", "json");
            Assert.Equal(0, code);
            var summary = JsonNode.Parse(stdout)!;
            Assert.Equal(inventory.Count, (int)summary["Functions"]!);
            Assert.Equal(1, (int)summary["DuplicatesMerged"]!);

            var changed = JsonNode.Parse(ModelJson.Serialize(inventory.Take(1)))!.AsArray();
            changed[0]!["Runtime"] = "changed-runtime";
            var conflict = Path.Combine(dir, "changed.json");
            File.WriteAllText(conflict, changed.ToJsonString());
            var (code2, _, stderr2) = Run("merge", "--shard", shards[0], shards[1], conflict, "--out", Path.Combine(dir, "m2"));
            Assert.Equal(2, code2); // the shards disagree: not enough could be trusted
            Assert.Contains("ShardFunctionConflict", stderr2);
            Assert.Contains(shards.First(s => File.ReadAllText(s).Contains(inventory[0].FunctionArn)), stderr2);
            Assert.Contains(conflict, stderr2);
            var merged = ModelJson.Read<LambdaFunctionIdentity>(File.ReadAllText(Path.Combine(dir, "m2", "inventory.json")));
            Assert.Equal(inventory.Count, merged.Count);
            Assert.False(merged.Single(r => r.FunctionArn == inventory[0].FunctionArn).IsComplete);
            Assert.Contains("ShardFunctionConflict", File.ReadAllText(Path.Combine(dir, "m2", "errors.json")));

            // A shard that is not there, or not records: one error naming it; the others are still merged.
            File.WriteAllText(Path.Combine(dir, "bad.json"), "{ not json");
            var (code3, _, stderr3) = Run("merge", "--shard", shards[0], Path.Combine(dir, "bad.json"), Path.Combine(dir, "absent"), "--out", Path.Combine(dir, "m3"));
            Assert.Equal(2, code3);
            Assert.Contains("ShardMalformed", stderr3);
            Assert.Contains("ShardNotFound", stderr3);
            Assert.Equal(inventory.Count(r => true) - ModelJson.Read<LambdaFunctionIdentity>(File.ReadAllText(shards[1])).Count,
                ModelJson.Read<LambdaFunctionIdentity>(File.ReadAllText(Path.Combine(dir, "m3", "inventory.json"))).Count);
        }
        finally { Directory.Delete(dir, true); }
    }
}

using LambdaIdentity.Benchmarks;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using Xunit;

namespace LambdaIdentity.Tests.Scale;

/// <summary>
/// The scale benchmark (tests/LambdaIdentity.Benchmarks, `scale`) at a small size, so its generator and measure keep
/// working, and the bounds that make the engine linear: one role with a 10,000-statement policy.
/// </summary>
public sealed class ScaleCurveTests
{
    [Fact]
    public void SmokeRunOfTheCurveReadsMapsAndAssessesEveryGeneratedFunction()
    {
        var work = Path.Combine(Path.GetTempPath(), "li-scale-smoke-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var p = ScaleCurve.Measure(work, functions: 60, runs: 1);
            // every generated function comes out as one record, from the exports and from the template alike
            Assert.Equal(60, p.Records);
            Assert.Equal(60, p.TemplateRecords);
            Assert.True(p.MappingItems >= 60, $"{p.MappingItems} mapping items for 60 functions");
            Assert.True(p.ParseMs > 0 && p.InventoryMs > 0 && p.MapMs > 0 && p.AssessMs > 0 && p.TemplateMs > 0);
            Assert.True(p.InputBytes > 0 && p.TemplateBytes > 0);
            Assert.False(Directory.Exists(Path.Combine(work, "estate-60")), "the generated estate is removed after the measure");
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    [Fact]
    public void AssessWritesTheOutputsOfEveryGeneratedFunction()
    {
        var work = Path.Combine(Path.GetTempPath(), "li-scale-assess-" + Guid.NewGuid().ToString("N"));
        try
        {
            var estate = EstateGenerator.Write(work, 30);
            var outDir = Path.Combine(work, "out");
            Directory.CreateDirectory(outDir);
            ScaleCurve.Assess(estate.AccountFiles, outDir);
            var inventory = LambdaIdentity.Core.Serialization.ModelJson.Read<LambdaIdentity.Model.LambdaFunctionIdentity>(File.ReadAllText(Path.Combine(outDir, "inventory.json")));
            Assert.Equal(Enumerable.Range(0, 30).Select(i => $"svc{i % 50}-fn{i}").OrderBy(x => x), inventory.Select(f => f.FunctionName).OrderBy(x => x));
            // the join: each function carries its execution role's policy from the authorization details
            Assert.All(inventory, f => Assert.NotEmpty(f.ExecutionRole!.Policies));
            var mapping = LambdaIdentity.Core.Serialization.ModelJson.Read<LambdaIdentity.Model.AzRoleMapping>(File.ReadAllText(Path.Combine(outDir, "mapping.json")));
            Assert.Equal(30, mapping.Select(m => m.FunctionName).Distinct().Count());
            Assert.Contains(mapping, m => m.FunctionName == "svc7-fn7" && m.RoleDefinitionName == "Storage Blob Data Contributor");
            Assert.Contains("svc7-fn7", File.ReadAllText(Path.Combine(outDir, "report.md")));
        }
        finally { if (Directory.Exists(work)) Directory.Delete(work, recursive: true); }
    }

    // The fast path that merges statements (lists handed from state to state, sets for lookups) gives what the general
    // path gives: a conditional Allow on an unrelated action sends the same policy down the general path.
    [Fact]
    public void MergingManyStatementsGivesTheSameGrantsAsTheGeneralPath()
    {
        var fast = GrantDeriver.Default.Derive(EstateGenerator.BigPolicyRole(1_500), EngineContext.None);
        const string conditional = "{\"Effect\":\"Allow\",\"Action\":\"ec2:DescribeRegions\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}}";
        var general = GrantDeriver.Default.Derive(EstateGenerator.BigPolicyRole(1_500, conditional), EngineContext.None).Where(g => g.Action != "ec2:DescribeRegions").ToList();
        Assert.Equal(general.Select(g => g.Action), fast.Select(g => g.Action));
        for (var i = 0; i < fast.Count; i++)
        {
            Assert.Equal(general[i].Resources, fast[i].Resources);
            Assert.Equal(general[i].GrantedBy, fast[i].GrantedBy);
            Assert.Equal(general[i].AccessLevel, fast[i].AccessLevel);
        }
        Assert.Equal(1_500, Assert.Single(fast, g => g.Action == "s3:GetObject").GrantedBy.Count);
    }

    // Issue 13: one role with a 10,000-statement policy ran past 300 s and 11 GB (each statement copied the lists of the
    // grants it merged into). Allocation is measured (deterministic on a shared machine): linear means 10x the statements
    // cost about 10x, not 100x.
    [Fact]
    public void GrantsOfATenThousandStatementPolicyCostLinearly()
    {
        long Allocated(int statements, out IReadOnlyList<LambdaIdentity.Model.EffectiveGrant> grants)
        {
            var role = EstateGenerator.BigPolicyRole(statements); // fresh documents: the deriver memoises per document
            var before = GC.GetAllocatedBytesForCurrentThread();
            grants = GrantDeriver.Default.Derive(role, EngineContext.None);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Allocated(100, out _); // warm-up (catalog load, JIT)
        var small = Allocated(1_000, out var smallGrants);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var large = Allocated(10_000, out var grants);
        sw.Stop();

        // what the user sees: s3:GetObject is granted by every statement, over every resource of its statements, once each
        var get = Assert.Single(grants, g => g.Action == "s3:GetObject");
        Assert.Equal(10_000, get.GrantedBy.Count);
        Assert.Equal(get.GrantedBy.Count, get.GrantedBy.Distinct().Count());
        Assert.Equal(get.Resources.Distinct().Count(), get.Resources.Count);
        Assert.Contains("arn:aws:s3:::bucket-9993/*", get.Resources); // statement 9993 grants s3:PutObject (and s3:GetObject) on its bucket
        Assert.Contains("arn:aws:dynamodb:us-east-1:123456789012:table/t3", get.Resources);
        var query = Assert.Single(grants, g => g.Action == "dynamodb:Query");
        Assert.Equal(1_250, query.GrantedBy.Count);
        Assert.Equal(350, query.Resources.Count); // tables t(s % 700) for s = 3, 11, 19, ...: 175 of them, in two regions
        Assert.Equal(smallGrants.Select(g => g.Action), grants.Select(g => g.Action));

        Assert.True(large < 15 * small, $"10,000 statements allocated {large / 1048576.0:F1} MiB, 1,000 statements {small / 1048576.0:F1} MiB: {(double)large / small:F1}x (linear is ~10x)");
        Assert.True(large < 256L * 1024 * 1024, $"10,000 statements allocated {large / 1048576.0:F1} MiB");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"10,000 statements took {sw.Elapsed.TotalSeconds:F1} s");
    }
}

using System.Text.Json;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Parity;

/// <summary>
/// Pins every parity result (every field, in output order) of the demo workload and of the parity fixtures over the
/// shared Azure examples, each once with all mappings and once with every third mapping dropped (so the access those
/// mappings justified comes back as excess). The pins (tests/fixtures/parity/golden, one JSON result per line) were
/// recorded from the single-file ParityChecker before it was split by surface: a split that changes any result, its
/// order, or what counts as excess fails here. Regenerate only for an intended change of results: LAMBDAIDENTITY_REGENERATE=1.
/// </summary>
public sealed class ParityGoldenTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Scenarios => new() { "demo-all", "demo-dropped", "shared-all", "shared-dropped" };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void ResultsAndExcessMatchThePins(string scenario)
    {
        var results = Run(scenario);
        var fresh = Lines(results);
        var file = Path.Combine(TestPaths.Fixtures, "parity", "golden", scenario + ".jsonl");
        if (Environment.GetEnvironmentVariable("LAMBDAIDENTITY_REGENERATE") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, string.Join("\n", fresh) + "\n");
        }
        Assert.True(File.Exists(file), file + " is missing");
        var pinned = File.ReadAllLines(file).Where(l => l.Length > 0).ToList();

        // Excess first, for a readable failure: the ledger must leave exactly the access the old consumed sets left.
        static bool Unexpected(string line) => JsonDocument.Parse(line).RootElement.TryGetProperty("MappingId", out var id) is false || id.ValueKind == JsonValueKind.Null;
        Assert.Equal(pinned.Where(Unexpected).ToList(), fresh.Where(Unexpected).ToList());
        var diff = pinned.Zip(fresh).Where(p => p.First != p.Second).Take(3).Select(p => "pinned " + p.First + "\n   now " + p.Second).ToList();
        Assert.True(diff.Count == 0 && pinned.Count == fresh.Count, pinned.Count + " pinned, " + fresh.Count + " now; first differences:\n" + string.Join("\n", diff));
    }

    [Fact]
    public void DroppingMappingsTurnsTheirAccessIntoExcessOnBothSources()
    {
        foreach (var source in new[] { "demo", "shared" })
        {
            var all = Run(source + "-all");
            var dropped = Run(source + "-dropped");
            var excessAll = all.Count(r => r.MappingId is null && r.Status == ParityStatus.Excess);
            var excessDropped = dropped.Count(r => r.MappingId is null && r.Status == ParityStatus.Excess);
            Assert.True(excessDropped > excessAll, source + ": " + excessDropped + " excess with mappings dropped, " + excessAll + " with all");
        }
    }

    private static IReadOnlyList<IdentityParityResult> Run(string scenario)
    {
        var (mappings, state, options) = scenario.StartsWith("demo", StringComparison.Ordinal) ? Demo() : Shared();
        if (scenario.EndsWith("-dropped", StringComparison.Ordinal)) mappings = mappings.Where((_, i) => i % 3 != 0).ToList();
        return ParityChecker.Check(mappings, state, options, EngineContext.None);
    }

    private static (List<AzRoleMapping>, AzureState, ParityOptions) Demo()
    {
        var mappings = LambdaIdentity.Tests.Translation.AwsTrustTemplateExporterTests.DemoMappings();
        var state = new AzureStateReader().ReadAsync(new[] { Path.Combine(DemoWorkload.Samples, "azure-state") }, EngineContext.None).GetAwaiter().GetResult();
        var aws = AwsTrustState.Read(new[] { Path.Combine(DemoWorkload.Samples, "aws-trust") }, EngineContext.None);
        return (mappings, state, new ParityOptions { AwsState = aws, Now = Now });
    }

    private static (List<AzRoleMapping>, AzureState, ParityOptions) Shared()
        => (ParityFixtures.Mappings(), ParityFixtures.ReadState(null, TestPaths.Shared("azure-examples")), new ParityOptions { Now = Now });

    // One compact JSON object per result, with machine paths replaced so the pins hold on any checkout.
    private static List<string> Lines(IEnumerable<IdentityParityResult> results)
    {
        var compact = new JsonSerializerOptions(ModelJson.Options) { WriteIndented = false };
        return results.Select(r => JsonSerializer.Serialize(r, compact)
                .Replace(TestPaths.SharedData, "<shared>", StringComparison.Ordinal)
                .Replace(TestPaths.RepoRoot, "<repo>", StringComparison.Ordinal))
            .ToList();
    }
}

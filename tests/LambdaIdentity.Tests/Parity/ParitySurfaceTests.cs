using LambdaIdentity.Core;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Parity;

/// <summary>The split of parity by surface: one checker per kind of check, one index, one ledger, excess in one place.</summary>
public sealed class ParitySurfaceTests
{
    private static IReadOnlyList<ISurfaceChecker> Surfaces()
    {
        var state = ParityFixtures.ReadState();
        return ParityChecker.Surfaces(new AzureStateIndex(state, new ParityOptions()), new ParityLedger());
    }

    [Fact]
    public void EveryParityCheckKindHasExactlyOneChecker()
    {
        var surfaces = Surfaces();
        foreach (var kind in Enum.GetValues<ParityCheckKind>())
        {
            var owners = surfaces.Where(s => s.Kinds.Contains(kind)).Select(s => s.GetType().Name).ToList();
            Assert.True(owners.Count == 1, kind + " is owned by " + (owners.Count == 0 ? "no checker" : string.Join(", ", owners)));
        }
        // No checker claims a kind twice, and each checker is its own type (one surface, one class).
        Assert.All(surfaces, s => Assert.Equal(s.Kinds.Count, s.Kinds.Distinct().Count()));
        Assert.Equal(surfaces.Count, surfaces.Select(s => s.GetType()).Distinct().Count());
    }

    [Fact]
    public async Task EachDemoMappingIsJudgedByTheCheckerOfItsKindAndOnlyThatOne()
    {
        // The checker that owns a kind gives exactly the result the entry point gives for that mapping.
        var mappings = LambdaIdentity.Tests.Translation.AwsTrustTemplateExporterTests.DemoMappings();
        var state = await new AzureStateReader().ReadAsync(new[] { Path.Combine(DemoWorkload.Samples, "azure-state") }, EngineContext.None);
        var options = new ParityOptions { Now = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero) };
        var whole = ParityChecker.Check(mappings, state, options, EngineContext.None).Where(r => r.MappingId is not null).ToDictionary(r => r.MappingId!);
        var index = new AzureStateIndex(state, options);
        var surfaces = ParityChecker.Surfaces(index, new ParityLedger());
        var kinds = new HashSet<ParityCheckKind>();
        foreach (var m in mappings.GroupBy(m => m.MappingId).Select(g => g.First()))
        {
            var check = ParityCheck.Of(m);
            kinds.Add(check.Kind);
            var alone = surfaces.Single(s => s.Kinds.Contains(check.Kind)).Check(m, check);
            if (state.NotDeployed.ContainsKey(m.MappingId)) continue;
            Assert.Equal((whole[m.MappingId].Status, whole[m.MappingId].Reason), (alone.Status, alone.Reason));
        }
        Assert.True(kinds.Count >= 6, "the demo exercises " + string.Join(", ", kinds));
    }

    [Fact]
    public async Task ExcessIsWhatTheLedgerLeavesUnconsumed()
    {
        // With nothing checked, the ledger names no app: no excess at all. After the demo's mappings are recorded but
        // none judged, every assignment of the apps' identities is unconsumed, so the excess detector reports each.
        var state = await new AzureStateReader().ReadAsync(new[] { Path.Combine(DemoWorkload.Samples, "azure-state") }, EngineContext.None);
        var index = new AzureStateIndex(state, new ParityOptions { Now = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero) });
        var ledger = new ParityLedger();
        Assert.Empty(new ExcessDetector(index, ledger).Find(CancellationToken.None));

        var mappings = LambdaIdentity.Tests.Translation.AwsTrustTemplateExporterTests.DemoMappings();
        foreach (var m in mappings) ledger.Checked(m);
        var unjudged = new ExcessDetector(index, ledger).Find(CancellationToken.None).Where(r => r.Status == ParityStatus.Excess && r.Kind == MappingKind.RoleAssignment).ToList();
        var results = ParityChecker.Check(mappings, state, index.Options, EngineContext.None);
        var judged = results.Where(r => r.MappingId is null && r.Status == ParityStatus.Excess && r.Kind == MappingKind.RoleAssignment).ToList();
        var passedAssignments = results.Count(r => r.MappingId is not null && r.Kind == MappingKind.RoleAssignment && r.ActualId is not null && r.Status is ParityStatus.Pass or ParityStatus.Broader);
        Assert.True(passedAssignments > 0);
        Assert.True(unjudged.Count >= judged.Count + 1, unjudged.Count + " unjudged excess, " + judged.Count + " after judging");
        Assert.Subset(unjudged.Select(r => r.ActualId).ToHashSet(), judged.Select(r => r.ActualId).ToHashSet());
    }
}

using FsCheck;
using FsCheck.Fluent;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Core.Translation;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

public class LeastPrivilegeSelectorTests
{
    private static readonly AzureRoleCatalog Catalog = AzureRoleCatalog.Default;
    private static readonly LeastPrivilegeSelector Selector = new(Catalog);
    private static readonly HashSet<string> Excluded = new(RuleSetLoader.Default.ExcludedRoles.Select(x => x.Role), StringComparer.OrdinalIgnoreCase);

    private static bool Eligible(AzureRoleDefinition r) => !Catalog.IsPrivileged(r) && !LeastPrivilegeSelector.IsExcluded(r.RoleName, Excluded);

    /// <summary>The chosen role covers the need, cannot change access, and no eligible covering role grants a strict subset of it.</summary>
    private static string? Violation(IReadOnlyCollection<string> actions, IReadOnlyCollection<string> data, RoleSystem system)
    {
        var choice = Selector.Choose(actions, data, system, Excluded);
        var covering = Catalog.Roles.Where(r => r.System == system && Eligible(r) && AzureRoleCatalog.Covers(r, actions, data)).ToList();
        if (choice.Role is null) return covering.Count == 0 ? null : "no role chosen although " + covering[0].RoleName + " covers";
        if (!AzureRoleCatalog.Covers(choice.Role, actions, data)) return choice.Role.RoleName + " does not cover";
        if (!Eligible(choice.Role)) return choice.Role.RoleName + " is not eligible";
        var chosen = new HashSet<string>(Catalog.Granted(choice.Role).Actions.Select(a => "a:" + a).Concat(Catalog.Granted(choice.Role).DataActions.Select(d => "d:" + d)), StringComparer.OrdinalIgnoreCase);
        foreach (var other in covering.Where(r => r != choice.Role))
        {
            var set = new HashSet<string>(Catalog.Granted(other).Actions.Select(a => "a:" + a).Concat(Catalog.Granted(other).DataActions.Select(d => "d:" + d)), StringComparer.OrdinalIgnoreCase);
            if (set.IsProperSubsetOf(chosen)) return other.RoleName + " is strictly smaller than " + choice.Role.RoleName;
        }
        return null;
    }

    [Trait("Category", "Slow")] // tens of seconds: skipped by the everyday run (--filter "Category!=Slow"), run by CI
    [Fact]
    public void LeastPrivilegeHoldsForANeedDrawnFromEveryRoleOfTheCatalog()
    {
        // For every role, ask for up to three of the operations it grants; the choice must be minimal.
        var failures = new List<string>();
        foreach (var role in Catalog.Roles)
        {
            var g = Catalog.Granted(role);
            var ops = g.Actions.Select(a => (a, false)).Concat(g.DataActions.Select(d => (d, true))).OrderBy(x => x.Item1, StringComparer.Ordinal).ToList();
            if (ops.Count == 0) continue;
            var pick = new[] { ops[0], ops[ops.Count / 2], ops[ops.Count - 1] }.Distinct().ToList();
            var v = Violation(pick.Where(p => !p.Item2).Select(p => p.Item1).ToList(), pick.Where(p => p.Item2).Select(p => p.Item1).ToList(), role.System);
            if (v is not null) failures.Add(role.RoleName + ": " + v);
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void LeastPrivilegeHoldsForRandomNeeds()
    {
        var dataOps = Catalog.DataActions.ToArray();
        var actionOps = Catalog.Actions.ToArray();
        var gen = from nd in Gen.Choose(0, 3)
                  from na in Gen.Choose(nd == 0 ? 1 : 0, 2)
                  from d in Gen.ArrayOf(Gen.Elements(dataOps), nd)
                  from a in Gen.ArrayOf(Gen.Elements(actionOps), na)
                  select (a, d);
        Prop.ForAll(Arb.From(gen), need => Violation(need.a.Distinct().ToList(), need.d.Distinct().ToList(), RoleSystem.AzureRbac) is null)
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void PrivilegedRolesAreNeverChosenEvenWhenOnlyTheyCover()
    {
        var choice = Selector.Choose(new[] { "Microsoft.Authorization/roleAssignments/write" }, Array.Empty<string>(), RoleSystem.AzureRbac, Excluded);
        Assert.Null(choice.Role);
        Assert.NotEmpty(choice.PrivilegedExcluded);
        Assert.Contains(choice.PrivilegedExcluded, r => r.RoleName == "Owner");
    }

    [Fact]
    public void CosmosDataPlaneNeedsOnlyGetCosmosRoles()
    {
        var read = Selector.Choose(Array.Empty<string>(), new[] { "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/read" }, RoleSystem.CosmosDbSql);
        Assert.Equal("Cosmos DB Built-in Data Reader", read.Role!.RoleName);
        var write = Selector.Choose(Array.Empty<string>(), new[] { "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/upsert" }, RoleSystem.CosmosDbSql);
        Assert.Equal("Cosmos DB Built-in Data Contributor", write.Role!.RoleName);
        // No ARM role holds Cosmos DB data actions.
        Assert.Null(Selector.Choose(Array.Empty<string>(), new[] { "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/upsert" }, RoleSystem.AzureRbac).Role);
    }

    [Fact]
    public void EveryDefaultRoleRuleHasACoveringRoleOrIsCustomByDesign()
    {
        foreach (var r in RuleSetLoader.Default.GrantRules.Where(r => r.Outcome == RuleOutcome.Role))
        {
            var c = Selector.Choose(r.Actions.ToList(), r.DataActions.ToList(), r.RoleSystem, Excluded);
            Assert.True(c.Role is not null, r.Id + " has no covering role");
        }
    }

    [Fact]
    public void ExcessIsWeighedByRiskSoHarmlessReadsDoNotForceACustomRole()
    {
        // Calling an Azure OpenAI deployment: Cognitive Services OpenAI User grants many more operations, but its extras are
        // reads and more inference and assistants data on the same account: no management, no access change.
        var openAi = Selector.Choose(Array.Empty<string>(), new[] { "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action" }, RoleSystem.AzureRbac, Excluded);
        Assert.Equal("Cognitive Services OpenAI User", openAi.Role!.RoleName);
        Assert.True(openAi.GrantedCount > 100, "granted " + openAi.GrantedCount);
        Assert.Empty(openAi.AccessChanging);
        Assert.InRange(openAi.Risk, 0.1, RuleSetLoader.Default.CustomRoleExcessThreshold!.Value);
        Assert.Equal(openAi.Excess, openAi.ExcessByKind.Values.Sum());
        // Tags on blobs: only Storage Blob Data Owner covers, and it changes ACLs: that alone outweighs the threshold.
        var tags = Selector.Choose(Array.Empty<string>(), new[] { "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/write" }, RoleSystem.AzureRbac, Excluded);
        Assert.Equal("Storage Blob Data Owner", tags.Role!.RoleName);
        Assert.Contains(tags.AccessChanging, a => a.EndsWith("/modifyPermissions/action", StringComparison.OrdinalIgnoreCase));
        Assert.True(tags.Risk > RuleSetLoader.Default.CustomRoleExcessThreshold!.Value);
    }

    [Theory]
    [InlineData("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", true, 0)]
    [InlineData("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete", true, 0.25)]
    [InlineData("Microsoft.ServiceBus/namespaces/messages/receive/action", true, 1)]
    [InlineData("Microsoft.Storage/storageAccounts/read", false, 0)]
    [InlineData("Microsoft.Storage/storageAccounts/delete", false, 1)]
    [InlineData("Microsoft.Storage/storageAccounts/listKeys/action", false, LeastPrivilegeSelector.AccessChangeWeight)]
    [InlineData("Microsoft.Authorization/roleAssignments/write", false, LeastPrivilegeSelector.AccessChangeWeight)]
    public void RiskOfAnExtraOperationFollowsWhatItCanDo(string operation, bool data, double weight)
        => Assert.Equal(weight, LeastPrivilegeSelector.RiskOf(operation, data, new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Microsoft.Storage/storageAccounts" }));
}

using System.Text.Json.Nodes;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

/// <summary>
/// The Cosmos DB change-feed trigger that replaces a DynamoDB stream (issue 16): Data Reader on the watched container,
/// Data Contributor on the lease container only, both at container scope, exported as compilable Bicep and checked by parity.
/// Real template: sam/serverless-patterns/dynamodb-streams-lambda-event-filters (two functions on one table's stream).
/// </summary>
public class CosmosLeaseContainerTests
{
    private const string Account = "/subscriptions/5f0c8a3e-2b7d-4e1a-9c6f-0d4b8e2a7c51/resourceGroups/rg-data/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-orders";
    private const string Watched = Account + "/sqlDatabases/ordersdb/containers/orders";
    private const string Reader = "Cosmos DB Built-in Data Reader";
    private const string Contributor = "Cosmos DB Built-in Data Contributor";

    private static string TemplatePath => TestPaths.Shared("sam", "serverless-patterns", "dynamodb-streams-lambda-event-filters", "template.yaml");

    private static List<LambdaFunctionIdentity> Inventory(EngineContext ctx) => new InventoryReader().Read(new[] { TemplatePath }, new InventoryOptions(), ctx).ToList();

    /// <summary>The skeleton of the template with every Cosmos container entry (table and stream) filled with the watched container, optionally one lease entry too.</summary>
    private static ResourceMap MapWithWatched(IReadOnlyList<LambdaFunctionIdentity> inv, EngineContext ctx, string? lease = null)
    {
        var skeleton = ResourceMapSkeleton.Build(inv, GrantDeriver.Default, null, ctx);
        return new ResourceMap(skeleton.Entries.Select(e =>
            e.AzureResourceType == "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers"
                ? new ResourceMapEntry { Aws = e.Aws, Azure = e.Aws.StartsWith(ResourceMap.CosmosLeasePrefix, StringComparison.Ordinal) ? lease ?? "" : Watched, AzureResourceType = e.AzureResourceType }
                : e));
    }

    private static List<AzRoleMapping> TriggerItems(IEnumerable<AzRoleMapping> ms, string fn)
        => ms.Where(m => m.FunctionName == fn && m.MappingId.Contains("/trigger/", StringComparison.Ordinal)).ToList();

    [Fact]
    public void TheWatchedContainerIsOnlyReadAndTheLeaseContainerAloneIsWrittenUnmapped()
    {
        var ctx = new EngineContext(new ErrorCollector());
        var inv = Inventory(ctx);
        var streamed = inv.Where(f => f.EventSources.Any(e => e.Type == "DynamoDB")).ToList();
        Assert.True(streamed.Count >= 2, "the template's functions with a DynamoDB stream event were not read");
        var ms = new AzRoleMapper(GrantDeriver.Default).Map(inv, ctx).ToList();
        foreach (var f in streamed)
        {
            var items = TriggerItems(ms, f.FunctionName);
            var stream = f.EventSources.Single(e => e.Type == "DynamoDB").SourceArn!;
            var read = Assert.Single(items, m => m.Kind == MappingKind.RoleAssignment && !m.MappingId.Contains("/lease/", StringComparison.Ordinal));
            Assert.Equal(Reader, read.RoleDefinitionName);
            Assert.Equal("CosmosDbSql", read.RoleAssignmentType);
            Assert.Equal(MappingStrategy.BuiltIn, read.Strategy);
            Assert.Equal(AzureNaming.Placeholder(stream), read.Scope);
            var lease = Assert.Single(items, m => m.Kind == MappingKind.RoleAssignment && m.MappingId.Contains("/lease/", StringComparison.Ordinal));
            Assert.Equal(Contributor, lease.RoleDefinitionName);
            Assert.Equal("00000000-0000-0000-0000-000000000002", lease.RoleDefinitionId);
            Assert.Equal("CosmosDbSql", lease.RoleAssignmentType);
            Assert.Equal(IdentitySurface.Platform, lease.Surface);
            // Unknown until the resource map names the watched container or the lease container: a placeholder to fill.
            Assert.True(lease.ScopeIsPlaceholder);
            Assert.Equal(AzureNaming.Placeholder(ResourceMap.CosmosLeasePrefix + stream), lease.Scope);
            Assert.Contains(ResourceMap.CosmosLeasePrefix, lease.Reason);
            // The trigger never gets the write role on the watched container.
            Assert.DoesNotContain(items, m => m.RoleDefinitionName == Contributor && m.Scope == read.Scope);
            var trigger = Assert.Single(items, m => m.Kind == MappingKind.TriggerConnection);
            Assert.Equal("leases", trigger.Settings[SettingKeys.LeaseContainerName]);
        }
        // Each function gets its own lease prefix, so two triggers on one lease container both see every change.
        var prefixes = streamed.Select(f => Assert.Single(TriggerItems(ms, f.FunctionName), m => m.Kind == MappingKind.TriggerConnection).Settings[SettingKeys.LeaseContainerPrefix]).ToList();
        Assert.Equal(prefixes.Count, prefixes.Distinct().Count());
        // The skeleton names the lease container as an entry to fill.
        var skeleton = ResourceMapSkeleton.Build(inv, GrantDeriver.Default, null, ctx);
        foreach (var f in streamed)
            Assert.Contains(skeleton.Entries, e => e.Aws == ResourceMap.CosmosLeasePrefix + f.EventSources.Single(x => x.Type == "DynamoDB").SourceArn && e.UsedBy.Contains(f.FunctionName));
    }

    [Fact]
    public void AMappedWatchedContainerPutsTheLeasesInItsDatabaseAtContainerScopeAndALeaseEntryWins()
    {
        var ctx = new EngineContext(new ErrorCollector());
        var inv = Inventory(ctx);
        var streamed = inv.Where(f => f.EventSources.Any(e => e.Type == "DynamoDB")).Select(f => f.FunctionName).ToList();
        Assert.NotEmpty(streamed);
        var ms = new AzRoleMapper(GrantDeriver.Default, new MappingOptions { ResourceMap = MapWithWatched(inv, ctx) }).Map(inv, ctx).ToList();
        foreach (var fn in streamed)
        {
            var items = TriggerItems(ms, fn);
            var read = Assert.Single(items, m => m.RoleDefinitionName == Reader);
            Assert.Equal(Watched, read.Scope);
            Assert.False(read.ScopeIsPlaceholder);
            var lease = Assert.Single(items, m => m.RoleDefinitionName == Contributor);
            Assert.Equal(Account + "/sqlDatabases/ordersdb/containers/leases", lease.Scope);
            Assert.False(lease.ScopeIsPlaceholder);
            var trigger = Assert.Single(items, m => m.Kind == MappingKind.TriggerConnection);
            Assert.Equal("ordersdb", trigger.Settings[SettingKeys.LeaseDatabaseName]);
        }

        const string named = Account + "/sqlDatabases/opsdb/containers/orders-leases";
        var ms2 = new AzRoleMapper(GrantDeriver.Default, new MappingOptions { ResourceMap = MapWithWatched(inv, ctx, named) }).Map(inv, ctx).ToList();
        foreach (var fn in streamed)
        {
            var items = TriggerItems(ms2, fn);
            Assert.Equal(named, Assert.Single(items, m => m.RoleDefinitionName == Contributor).Scope);
            Assert.Equal(Watched, Assert.Single(items, m => m.RoleDefinitionName == Reader).Scope);
            var trigger = Assert.Single(items, m => m.Kind == MappingKind.TriggerConnection);
            Assert.Equal("orders-leases", trigger.Settings[SettingKeys.LeaseContainerName]);
            Assert.Equal("opsdb", trigger.Settings[SettingKeys.LeaseDatabaseName]);
        }
    }

    [Fact]
    public void TheExportAssignsBothContainersAtContainerScopeAndCompilesWithTheBicepCli()
    {
        var ctx = new EngineContext(new ErrorCollector());
        var inv = Inventory(ctx);
        var ms = new AzRoleMapper(GrantDeriver.Default, new MappingOptions { ResourceMap = MapWithWatched(inv, ctx) }).Map(inv, ctx).ToList();
        var bicep = MappingTemplateExporter.Export(ms, TemplateFormat.Bicep);
        var arm = JsonNode.Parse(MappingTemplateExporter.Export(ms, TemplateFormat.ArmJson))!;
        var cosmos = arm["resources"]!.AsArray().Where(r => (string?)r!["type"] == "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments").ToList();
        string Scope(JsonNode r) => (string)r["properties"]!["scope"]!;
        string Role(JsonNode r) => (string)r["properties"]!["roleDefinitionId"]!;
        var streamed = inv.Count(f => f.EventSources.Any(e => e.Type == "DynamoDB"));
        var leaseAssignments = cosmos.Where(r => Scope(r!).EndsWith("/dbs/ordersdb/colls/leases", StringComparison.Ordinal)).ToList();
        Assert.Equal(streamed, leaseAssignments.Count);
        Assert.All(leaseAssignments, r => Assert.EndsWith("/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002", Role(r!)));
        Assert.Contains(cosmos, r => Scope(r!).EndsWith("/dbs/ordersdb/colls/orders", StringComparison.Ordinal) && Role(r!).EndsWith("/sqlRoleDefinitions/00000000-0000-0000-0000-000000000001", StringComparison.Ordinal));
        Assert.Contains("/dbs/ordersdb/colls/leases'", bicep);

        var dir = Directory.CreateTempSubdirectory("li-lease-").FullName;
        try
        {
            var file = Path.Combine(dir, "identity.bicep");
            File.WriteAllText(file, bicep);
            var build = BicepCli.Run("build", file, "--outdir", dir);
            var lint = BicepCli.Run("lint", file);
            Assert.True(build.ExitCode == 0 && lint.ExitCode == 0 && build.Findings.Count + lint.Findings.Count == 0,
                "bicep: " + string.Join("\n", build.Findings.Concat(lint.Findings)) + build.Output);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task ParityPassesWithBothAssignmentsAndReportsTheLeaseContainerMissingWithoutIt()
    {
        var ctx = new EngineContext(new ErrorCollector());
        var inv = Inventory(ctx);
        var ms = new AzRoleMapper(GrantDeriver.Default, new MappingOptions { ResourceMap = MapWithWatched(inv, ctx) }).Map(inv, ctx).ToList();
        var leaseIds = ms.Where(m => m.MappingId.Contains("/lease/", StringComparison.Ordinal)).Select(m => m.MappingId).ToHashSet();
        var readIds = ms.Where(m => m.MappingId.Contains("/trigger/", StringComparison.Ordinal) && m.RoleDefinitionName == Reader).Select(m => m.MappingId).ToHashSet();
        Assert.NotEmpty(leaseIds);
        Assert.Equal(leaseIds.Count, readIds.Count);
        var full = MappingTemplateExporter.Export(ms, TemplateFormat.ArmJson);

        // Everything deployed: both containers' assignments pass.
        var results = await CheckAgainst(ms, full);
        Assert.All(results.Where(r => leaseIds.Contains(r.MappingId!) || readIds.Contains(r.MappingId!)), r => Assert.True(r.Status == ParityStatus.Pass, r.MappingId + ": " + r.Status + " " + r.Reason));
        Assert.Equal(leaseIds.Count + readIds.Count, results.Count(r => leaseIds.Contains(r.MappingId!) || readIds.Contains(r.MappingId!)));

        // Only the watched container's assignments deployed: each lease assignment is Missing, the reads still pass.
        var arm = JsonNode.Parse(full)!;
        var resources = arm["resources"]!.AsArray();
        foreach (var r in resources.Where(r => ((string?)r!["properties"]?["scope"] ?? "").EndsWith("/colls/leases", StringComparison.Ordinal)).ToList()) resources.Remove(r);
        var partial = await CheckAgainst(ms, arm.ToJsonString());
        Assert.All(partial.Where(r => leaseIds.Contains(r.MappingId!)), r => Assert.Equal(ParityStatus.Missing, r.Status));
        Assert.Equal(leaseIds.Count, partial.Count(r => leaseIds.Contains(r.MappingId!)));
        Assert.All(partial.Where(r => readIds.Contains(r.MappingId!)), r => Assert.Equal(ParityStatus.Pass, r.Status));
    }

    private static async Task<List<IdentityParityResult>> CheckAgainst(List<AzRoleMapping> ms, string armTemplate)
    {
        var dir = Directory.CreateTempSubdirectory("li-lease-state-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "identity.json"), armTemplate);
            var ctx = new EngineContext(new ErrorCollector());
            var state = await new AzureStateReader { TemplateSubscriptionId = "5f0c8a3e-2b7d-4e1a-9c6f-0d4b8e2a7c51", TemplateResourceGroupName = "rg-migrated" }.ReadAsync(new[] { dir }, ctx);
            return ParityChecker.Check(ms, state, null, ctx).ToList();
        }
        finally { Directory.Delete(dir, true); }
    }
}

using LambdaIdentity.Core;
using LambdaIdentity.Core.Azure;
using Xunit;
using static LambdaIdentity.Tests.Parity.ParityFixtures;

namespace LambdaIdentity.Tests.Parity;

public class AzureStateReaderTests
{
    [Fact]
    public async Task ReadsTheRestApiExamplesOfSharedData()
    {
        var errors = new ErrorCollector();
        var state = await new AzureStateReader().ReadAsync(new[] { TestPaths.Shared("azure-examples") }, new EngineContext(errors));
        // RoleAssignments_ListForScope / ListForResourceGroup / CreateForResource
        Assert.Contains(state.RoleAssignments, a => a.Scope == "/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourceGroups/testrg" && a.RoleDefinitionId == "0b5fe924-9a61-425c-96af-cfe6e287ca2d" && a.PrincipalId == "ce2ce14e-85d7-4629-bdbc-454d0519d987");
        // IdentityGet / IdentityListBySubscription
        var id = Assert.Single(state.UserAssignedIdentities.Values);
        Assert.Equal("25cc773c-7f05-40fc-a104-32d2300754ad", id.PrincipalId);
        // GetWebApp + UpdateAuthSettingsV2 (google provider)
        var site = state.Sites["sitef6141"];
        Assert.Equal("None", site.IdentityType);
        Assert.True(site.Auth!.Enabled);
        Assert.True(site.Auth.RequireAuthentication);
        Assert.Equal(new[] { "https://example.com" }, site.Auth.AllowedAudiences);
        // GetRoleDefinitionById
        Assert.Equal("Role name", state.RoleDefinitions["roledefinitionid"].RoleName);
        // Unrecognised shapes (ListAuthSettings is V1, SystemAssignedIdentityGet has no resource type) are reported, not dropped silently.
        Assert.All(errors.Errors, e => Assert.Equal("AzureExportShapeUnknown", e.ErrorId));
        Assert.Contains(errors.Errors, e => e.Target.EndsWith("ListAuthSettings.json"));
    }

    [Fact]
    public async Task ReadsTheBuiltInRoleCatalogAsRoleDefinitions()
    {
        var state = await new AzureStateReader().ReadAsync(new[] { Catalog }, EngineContext.None);
        Assert.Equal(928, state.RoleDefinitions.Count);
        Assert.Equal("Storage Blob Data Reader", state.RoleDefinitions["2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"].RoleName);
    }

    [Fact]
    public async Task FixtureExportsFillEveryArea()
    {
        var errors = new ErrorCollector();
        var state = await new AzureStateReader().ReadAsync(new[] { StateDir }, new EngineContext(errors));
        Assert.Empty(errors.Errors);
        Assert.Equal(5, state.RoleAssignments.Count(a => a.System == AzureAssignmentSystem.Rbac));
        Assert.Single(state.RoleAssignments, a => a.System == AzureAssignmentSystem.CosmosSql && a.RoleDefinitionId == "00000000-0000-0000-0000-000000000002");
        Assert.Equal(OrdersPrincipal, state.Sites["orders-func"].PrincipalId);
        Assert.Equal("25cc773c-7f05-40fc-a104-32d2300754ad", Assert.Single(state.Sites["billing-func"].UserAssignedIdentities).Value);
        Assert.Equal("function", state.Sites["orders-func"].Functions!.Single(f => f.Name == "orders_api").AuthLevel);
        Assert.Equal(new[] { "api://orders-func" }, state.Sites["orders-func"].Auth!.AllowedAudiences);
    }

    [Theory]
    [InlineData("", "AzureExportMalformed")]
    [InlineData("{\"value\": [ {\"id\": 1", "AzureExportMalformed")]
    [InlineData("not json at all", "AzureExportMalformed")]
    [InlineData("{\"hello\": \"world\"}", "AzureExportShapeUnknown")]
    public async Task BadFilesAreErrorRecordsWithFileAndTheRunGoesOn(string content, string errorId)
    {
        var dir = CopyState();
        var bad = Path.Combine(dir, "orders-func.webapp-auth-show.json");
        File.WriteAllText(bad, content);
        var errors = new ErrorCollector();
        var state = await new AzureStateReader().ReadAsync(new[] { dir }, new EngineContext(errors));
        var e = Assert.Single(errors.Errors);
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(bad, e.Target);
        Assert.NotNull(state.WhyUnreadable(AzureStateArea.AuthSettings, "orders-func"));
        Assert.Null(state.WhyUnreadable(AzureStateArea.RoleAssignments, "orders-func"));
        Assert.Equal(5, state.RoleAssignments.Count(a => a.System == AzureAssignmentSystem.Rbac));
    }

    [Fact]
    public async Task MissingPathIsAnErrorAndMakesEverythingUnverifiable()
    {
        var errors = new ErrorCollector();
        var state = await new AzureStateReader().ReadAsync(new[] { "/no/such/export.json" }, new EngineContext(errors));
        Assert.Equal("AzureStateNotFound", Assert.Single(errors.Errors).ErrorId);
        Assert.NotNull(state.WhyUnreadable(AzureStateArea.RoleAssignments, "x"));
    }
}

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
        // ListAuthSettings (classic V1) is read too, but V2 of the same app wins.
        Assert.Equal(2, site.Auth.Version);
        // SystemAssignedIdentityGet's type is a placeholder ("ResourceProvider"): reported, not dropped silently.
        var e = Assert.Single(errors.Errors);
        Assert.Equal("AzureExportShapeUnknown", e.ErrorId);
        Assert.EndsWith("SystemAssignedIdentityGet.json", e.Target);
    }

    [Fact]
    public async Task ReadsPimEligibilityFromTheRestExamples()
    {
        // roleEligibilitySchedules and roleEligibilityScheduleInstances (azure-rest-api-specs examples, az rest output).
        var errors = new ErrorCollector();
        var state = await new AzureStateReader().ReadAsync(new[] { Path.Combine(TestPaths.Fixtures, "parity", "pim") }, new EngineContext(errors));
        Assert.Empty(errors.Errors);
        Assert.Equal(2, state.RoleEligibilities.Count);
        Assert.All(state.RoleEligibilities, e =>
        {
            Assert.Equal("a3bb8764-cb92-4276-9d2a-ca1e895e55ea", e.PrincipalId);
            Assert.Equal("b24988ac-6180-42a0-ab88-20f7382dd24c", e.RoleDefinitionId);
            Assert.Equal("/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f", e.Scope);
            Assert.Equal("Provisioned", e.Status);
            Assert.Equal("User Account", e.PrincipalName);
            // The example's expanded role id disagrees with its roleDefinitionId: its display name is not trusted.
            Assert.Null(e.RoleDefinitionName);
        });
        Assert.Equal(new DateTimeOffset(2021, 9, 9, 21, 32, 28, 490, TimeSpan.Zero), state.RoleEligibilities.Single(e => e.Id.Contains("RoleEligibilitySchedules/")).EndDateTime);
        Assert.Null(state.WhyUnreadable(AzureStateArea.RoleEligibilitySchedules, null));
        Assert.Empty(state.RoleAssignments);
    }

    [Fact]
    public async Task ReadsEligibilityFromWindowsPowerShellJsonAndNeverTakesAnUnreadableEndAsPermanent()
    {
        // Get-AzRoleEligibilitySchedule | ConvertTo-Json on Windows PowerShell 5.1: flat properties, /Date(ms)/ dates.
        var dir = Directory.CreateTempSubdirectory("pim-ps").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "role-eligibility.json"), """
                [
                  { "Name": "e1", "Type": "Microsoft.Authorization/roleEligibilitySchedules", "Scope": "/subscriptions/s1/resourceGroups/rg",
                    "PrincipalId": "A3BB8764-CB92-4276-9D2A-CA1E895E55EA", "RoleDefinitionId": "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/de139f84-1756-47ae-9be6-808fbbe84772",
                    "Status": "Provisioned", "EndDateTime": "/Date(1924992000000)/" },
                  { "Name": "e2", "Type": "Microsoft.Authorization/roleEligibilitySchedules", "Scope": "/subscriptions/s1/resourceGroups/rg",
                    "PrincipalId": "b0b0b0b0-cb92-4276-9d2a-ca1e895e55ea", "RoleDefinitionId": "de139f84-1756-47ae-9be6-808fbbe84772",
                    "Status": "Provisioned", "EndDateTime": "next Tuesday" }
                ]
                """);
            var state = await new AzureStateReader().ReadAsync(new[] { dir }, EngineContext.None);
            var first = state.RoleEligibilities.Single(e => e.Id == "e1");
            Assert.Equal(("a3bb8764-cb92-4276-9d2a-ca1e895e55ea", "de139f84-1756-47ae-9be6-808fbbe84772"), (first.PrincipalId, first.RoleDefinitionId));
            Assert.Equal(new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero), first.EndDateTime);
            var second = state.RoleEligibilities.Single(e => e.Id == "e2");
            Assert.Null(second.EndDateTime);
            Assert.Contains("end date unreadable", second.Status);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task ReadsFederatedCredentialsOfIdentitiesAndAppRegistrations()
    {
        // ARM (user-assigned identity; the owner is in the id) and Microsoft Graph (the owner is in @odata.id), and an
        // empty list named after an app: read, with none.
        var dir = Directory.CreateTempSubdirectory("fic").FullName;
        try
        {
            foreach (var f in Directory.GetFiles(Path.Combine(TestPaths.Fixtures, "parity", "federation"))) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            File.WriteAllText(Path.Combine(dir, "0b7e6f52-9c1d-4e8a-b3f0-5d2c7a9e1f04.federated-credentials.json"), "[]");
            var errors = new ErrorCollector();
            var state = await new AzureStateReader().ReadAsync(new[] { dir }, new EngineContext(errors));
            Assert.Empty(errors.Errors);
            Assert.Equal(2, state.FederatedCredentials.Count);
            var aks = state.FederatedCredentials.Single(c => c.Name == "ficResourceName");
            Assert.Equal(("https://oidc.prod-aks.azure.com/TenantGUID/IssuerGUID", "system:serviceaccount:ns:svcaccount"), (aks.Issuer, aks.Subject));
            Assert.Equal("/subscriptions/subid/resourcegroups/rgname/providers/microsoft.managedidentity/userassignedidentities/identityname", aks.Owner);
            var graph = state.FederatedCredentials.Single(c => c.Name == "testing");
            Assert.Equal("bcd7c908-1c4d-4d48-93ee-ff38349a75c8", graph.Owner);
            Assert.Equal(new[] { "api://AzureADTokenExchange" }, graph.Audiences);
            Assert.Contains("0b7e6f52-9c1d-4e8a-b3f0-5d2c7a9e1f04", state.FederatedCredentialOwnersRead);
            Assert.Null(state.WhyUnreadable(AzureStateArea.FederatedCredentials, null));
        }
        finally { Directory.Delete(dir, true); }
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

    [Fact]
    public async Task ReadsClassicAuthSettingsAlone()
    {
        var state = await new AzureStateReader().ReadAsync(new[] { TestPaths.Shared("azure-examples", "web", "ListAuthSettings.json") }, EngineContext.None);
        var auth = state.Sites["sitef6141"].Auth!;
        Assert.Equal(1, auth.Version);
        Assert.True(auth.RequireAuthentication); // RedirectToLoginPage
        Assert.False(auth.AzureActiveDirectoryEnabled); // the default provider is Google
    }

    [Fact]
    public async Task ReadsFunctionappIdentityShowNamedAfterTheApp()
    {
        var dir = TempDir();
        var file = Path.Combine(dir, "orders-func.identity-show.json");
        await File.WriteAllTextAsync(file, """
            {
              "principalId": "7F3C1C54-1D7B-4A5E-9D44-2C5B1E0A9F11",
              "tenantId": "b6c948ef-f6b5-4384-8354-da3a15eca969",
              "type": "SystemAssigned, UserAssigned",
              "userAssignedIdentities": {
                "/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourcegroups/rg-orders/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders": {
                  "clientId": "4024ab25-56a8-4370-aea6-6389221caf29",
                  "principalId": "25cc773c-7f05-40fc-a104-32d2300754ad"
                }
              }
            }
            """);
        var errors = new ErrorCollector();
        var state = await new AzureStateReader().ReadAsync(new[] { file }, new EngineContext(errors));
        Assert.Empty(errors.Errors);
        var site = state.Sites["orders-func"];
        Assert.Equal("SystemAssigned, UserAssigned", site.IdentityType);
        Assert.Equal(OrdersPrincipal, site.PrincipalId);
        Assert.Equal("25cc773c-7f05-40fc-a104-32d2300754ad", Assert.Single(site.UserAssignedIdentities).Value);
    }

    [Fact]
    public async Task ReadsAzGroupExportTemplate()
    {
        var file = Path.Combine(TempDir(), "group-export.json");
        await File.WriteAllTextAsync(file, """
            {
              "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
              "contentVersion": "1.0.0.0",
              "parameters": {
                "sites_orders_func_name": { "defaultValue": "orders-func", "type": "String" },
                "userAssignedIdentities_id_orders_name": { "defaultValue": "id-orders", "type": "String" }
              },
              "variables": {},
              "resources": [
                {
                  "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
                  "apiVersion": "2023-01-31",
                  "name": "[parameters('userAssignedIdentities_id_orders_name')]",
                  "location": "westeurope"
                },
                {
                  "type": "Microsoft.Web/sites",
                  "apiVersion": "2023-12-01",
                  "name": "[parameters('sites_orders_func_name')]",
                  "location": "West Europe",
                  "kind": "functionapp,linux",
                  "identity": {
                    "type": "SystemAssigned, UserAssigned",
                    "userAssignedIdentities": {
                      "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('userAssignedIdentities_id_orders_name'))]": {}
                    }
                  },
                  "properties": { "enabled": true, "httpsOnly": true }
                },
                {
                  "type": "Microsoft.Web/sites/config",
                  "apiVersion": "2023-12-01",
                  "name": "[concat(parameters('sites_orders_func_name'), '/authsettingsV2')]",
                  "dependsOn": [ "[resourceId('Microsoft.Web/sites', parameters('sites_orders_func_name'))]" ],
                  "properties": {
                    "platform": { "enabled": false },
                    "globalValidation": { "requireAuthentication": false, "unauthenticatedClientAction": "AllowAnonymous" }
                  }
                }
              ]
            }
            """);
        var errors = new ErrorCollector();
        var state = await new AzureStateReader().ReadAsync(new[] { file }, new EngineContext(errors));
        Assert.Empty(errors.Errors);
        var site = state.Sites["orders-func"];
        Assert.Equal("SystemAssigned, UserAssigned", site.IdentityType);
        Assert.EndsWith("/userAssignedIdentities/id-orders", Assert.Single(site.UserAssignedIdentities).Key);
        Assert.False(site.Auth!.Enabled);
        Assert.Contains(state.UserAssignedIdentities.Values, i => i.Name == "id-orders");
        // az group export holds no role assignments: that area stays unread, so parity on assignments is Unverifiable.
        Assert.NotNull(state.WhyUnreadable(AzureStateArea.RoleAssignments, "orders-func"));
    }
}

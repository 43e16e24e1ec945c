using System.Text.Json;
using System.Text.Json.Nodes;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Model;
using Xunit;
using static LambdaIdentity.Tests.Parity.ParityFixtures;

namespace LambdaIdentity.Tests.Parity;

/// <summary>The live reader against a local HTTPS endpoint serving the Azure REST examples of shared/data.</summary>
public class ArmStateReaderTests
{
    private const string SubId = "a925f2f7-5c63-4b7b-8799-25a5f97bc3b2";
    private const string Sub = "/subscriptions/" + SubId;
    private const string SitePrincipal = "0d3f7b1e-4c2a-4e6b-9a8d-1f3e5b7c9a11";

    private static JsonNode Body(string relative) => JsonNode.Parse(File.ReadAllText(TestPaths.Shared("azure-examples", relative)))!["responses"]!["200"]!["body"]!.DeepClone();

    private static async Task<LocalArmServer> Serve()
    {
        var s = await LocalArmServer.StartAsync();
        var b = s.BaseUri.AbsoluteUri.TrimEnd('/');
        // Role definitions, two pages: the REST example, then built-in roles from the catalog.
        var defs1 = new JsonObject { ["value"] = new JsonArray(Body("authorization/GetRoleDefinitionById.json")), ["nextLink"] = b + "/pages/roledefs-2" };
        s.Map(Sub + "/providers/Microsoft.Authorization/roleDefinitions", defs1.ToJsonString());
        var catalog = JsonNode.Parse(File.ReadAllText(Catalog))!.AsArray();
        var builtIns = new JsonArray(catalog.Where(r => (string?)r!["roleName"] is "Contributor" or "Reader" or "Owner").Select(r => r!.DeepClone()).ToArray());
        s.Map("/pages/roledefs-2", new JsonObject { ["value"] = builtIns }.ToJsonString());
        // Role assignments, two pages; the second is throttled once (429 with Retry-After).
        var ra1 = Body("authorization/RoleAssignments_ListForResourceGroup.json").AsObject();
        ra1["nextLink"] = b + "/pages/ra-2";
        s.Map(Sub + "/providers/Microsoft.Authorization/roleAssignments", ra1.ToJsonString());
        var ra2 = Body("authorization/RoleAssignments_CreateForResource.json").DeepClone().AsObject();
        ra2["properties"]!["principalId"] = SitePrincipal;
        ra2["properties"]!["principalType"] = "ServicePrincipal";
        s.Map("/pages/ra-2", (ctx, hit) =>
        {
            if (hit == 1) { ctx.Response.Headers.RetryAfter = "1"; return LocalArmServer.Json(ctx, 429, "{\"error\":{\"code\":\"TooManyRequests\"}}"); }
            return LocalArmServer.Json(ctx, 200, new JsonObject { ["value"] = new JsonArray(ra2) }.ToJsonString());
        });
        // PIM eligibility schedules: the REST example (azure-rest-api-specs), moved into this subscription.
        var pim = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Fixtures, "parity", "pim", "GetRoleEligibilitySchedulesByScope.json")))!["responses"]!["200"]!["body"]!.ToJsonString()
            .Replace("dfa2a084-766f-4003-8ae1-c4aeb893a99f", SubId);
        s.Map(Sub + "/providers/Microsoft.Authorization/roleEligibilitySchedules", pim);
        // User-assigned identities; the example's nextLink points at its serviceRoot placeholder, rewritten to here.
        var msi = Body("msi/IdentityListBySubscription.json").AsObject();
        msi["nextLink"] = b + "/pages/msi-2";
        s.Map(Sub + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities", msi.ToJsonString());
        s.Map("/pages/msi-2", "{\"value\":[]}");
        // The identity's federated credentials: the REST example (same identity id), its nextLink dropped.
        var fic = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Fixtures, "parity", "federation", "FederatedIdentityCredentialList.json")))!["responses"]!["200"]!["body"]!.AsObject();
        fic.Remove("nextLink");
        s.Map("/subscriptions/subid/resourcegroups/rgName/providers/Microsoft.ManagedIdentity/userAssignedIdentities/identityName/federatedIdentityCredentials", fic.ToJsonString());
        // Sites: the GetWebApp example with a system-assigned identity added, and a second app.
        var site = Body("web/GetWebApp.json").DeepClone().AsObject();
        site["identity"] = new JsonObject { ["type"] = "SystemAssigned", ["principalId"] = SitePrincipal, ["tenantId"] = "b6c948ef-f6b5-4384-8354-da3a15eca969" };
        var siteId = (string)site["id"]!;
        var other = new JsonObject { ["id"] = Rg + "/providers/Microsoft.Web/sites/orders-func", ["name"] = "orders-func", ["type"] = "Microsoft.Web/sites", ["kind"] = "functionapp", ["identity"] = new JsonObject { ["type"] = "None" } };
        s.Map(Sub + "/providers/Microsoft.Web/sites", new JsonObject { ["value"] = new JsonArray(site, other) }.ToJsonString());
        s.Map(siteId + "/config/authsettingsV2", Body("web/UpdateAuthSettingsV2.json").ToJsonString());
        s.Map(siteId + "/functions", "{\"value\":[]}");
        s.Map(Rg + "/providers/Microsoft.Web/sites/orders-func/config/authsettingsV2", (ctx, _) => LocalArmServer.Json(ctx, 403,
            "{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":\"The client does not have authorization to perform action 'Microsoft.Web/sites/config/read'.\"}}"));
        s.Map(Rg + "/providers/Microsoft.Web/sites/orders-func/functions", "{\"value\":" + File.ReadAllText(Path.Combine(StateDir, "orders-func.function-list.json")) + "}");
        // Diagnostic settings (ARM REST shape, properties nested): one app sends its function logs, the other none.
        s.Map(siteId + "/providers/Microsoft.Insights/diagnosticSettings", "{\"value\":[{\"id\":\"" + siteId + "/providers/microsoft.insights/diagnosticSettings/to-law\",\"name\":\"to-law\",\"type\":\"Microsoft.Insights/diagnosticSettings\",\"properties\":{\"workspaceId\":\"" + Rg + "/providers/Microsoft.OperationalInsights/workspaces/law\",\"logs\":[{\"category\":\"FunctionAppLogs\",\"enabled\":true}]}}]}");
        s.Map(Rg + "/providers/Microsoft.Web/sites/orders-func/providers/Microsoft.Insights/diagnosticSettings", "{\"value\":[]}");
        // Cosmos DB: one account, one SQL role assignment.
        var account = Rg + "/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-orders";
        s.Map(Sub + "/providers/Microsoft.DocumentDB/databaseAccounts", "{\"value\":[{\"id\":\"" + account + "\",\"name\":\"cosmos-orders\",\"type\":\"Microsoft.DocumentDB/databaseAccounts\"}]}");
        s.Map(account + "/sqlRoleAssignments", "{\"value\":" + File.ReadAllText(Path.Combine(StateDir, "az-cosmosdb-sql-role-assignment-list.json")) + "}");
        return s;
    }

    private static ArmStateReaderOptions Options(LocalArmServer s, int retries = 3) => new()
    {
        SubscriptionId = SubId,
        Endpoint = s.BaseUri,
        HttpMessageHandler = s.TrustingHandler(),
        AccessTokenProvider = (_, _) => Task.FromResult(new ArmAccessToken { Token = "test-token", ExpiresOn = DateTimeOffset.UtcNow.AddHours(1) }),
        MaxRetries = retries,
        RetryDelay = TimeSpan.FromMilliseconds(10),
    };

    [Fact]
    public async Task ReadsPagesRetriesThrottlingAndReportsAccessDenied()
    {
        await using var s = await Serve();
        var errors = new ErrorCollector();
        var state = await new ArmStateReader(Options(s)).ReadAsync(new EngineContext(errors));

        // Paging: both pages of definitions and assignments.
        Assert.Equal("Role name", state.RoleDefinitions["roledefinitionid"].RoleName);
        Assert.Equal("Contributor", state.RoleDefinitions["b24988ac-6180-42a0-ab88-20f7382dd24c"].RoleName);
        Assert.Equal(3, state.RoleAssignments.Count(a => a.System == AzureAssignmentSystem.Rbac));
        Assert.Contains(state.RoleAssignments, a => a.PrincipalId == SitePrincipal && a.Scope.EndsWith("/databaseAccounts/test-db-account"));
        // Throttling: the throttled page was asked twice and then read.
        Assert.Equal(2, s.Hits("/pages/ra-2"));
        Assert.Null(state.WhyUnreadable(AzureStateArea.RoleAssignments, "sitef6141"));
        // Identities, sites, auth, functions, Cosmos DB.
        Assert.Equal("25cc773c-7f05-40fc-a104-32d2300754ad", Assert.Single(state.UserAssignedIdentities.Values).PrincipalId);
        Assert.Equal(SitePrincipal, state.Sites["sitef6141"].PrincipalId);
        Assert.True(state.Sites["sitef6141"].Auth!.RequireAuthentication);
        Assert.Equal("function", state.Sites["orders-func"].Functions!.Single(f => f.Name == "orders_api").AuthLevel);
        Assert.Single(state.RoleAssignments, a => a.System == AzureAssignmentSystem.CosmosSql);
        Assert.Equal(new[] { "FunctionAppLogs" }, state.Sites["sitef6141"].DiagnosticLogCategories!.ToArray());
        var credential = Assert.Single(state.FederatedCredentials);
        Assert.Equal(("system:serviceaccount:ns:svcaccount", "/subscriptions/subid/resourcegroups/rgname/providers/microsoft.managedidentity/userassignedidentities/identityname"), (credential.Subject, credential.Owner));
        var eligible = Assert.Single(state.RoleEligibilities);
        Assert.Equal(("a3bb8764-cb92-4276-9d2a-ca1e895e55ea", "b24988ac-6180-42a0-ab88-20f7382dd24c", Sub), (eligible.PrincipalId, eligible.RoleDefinitionId, eligible.Scope));
        Assert.Null(state.WhyUnreadable(AzureStateArea.RoleEligibilitySchedules, null));
        Assert.Empty(state.Sites["orders-func"].DiagnosticLogCategories!);
        // Access denied: one error record, the area unreadable for that app only.
        var e = Assert.Single(errors.Errors);
        Assert.Equal("AzureReadForbidden", e.ErrorId);
        Assert.Equal(EngineErrorCategory.PermissionDenied, e.Category);
        Assert.Contains("orders-func/config/authsettingsV2", e.Target);
        Assert.Contains("AuthorizationFailed", e.Message);
        Assert.NotNull(state.WhyUnreadable(AzureStateArea.AuthSettings, "orders-func"));
        Assert.Null(state.WhyUnreadable(AzureStateArea.AuthSettings, "sitef6141"));
        // Every request carried the bearer token; no request went to Microsoft Graph.
        Assert.All(s.Requests, r => Assert.Equal("Bearer test-token", r.Authorization));
        Assert.DoesNotContain(s.Requests, r => r.Path.Contains("graph", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task EligibilityThatCannotBeReadLeavesPimDesignsUnverifiable()
    {
        // A reader without PIM rights: 403 on the schedules. The rest is read; PIM-eligible designs are never passed.
        await using var s = await Serve();
        s.Map(Sub + "/providers/Microsoft.Authorization/roleEligibilitySchedules", (ctx, _) => LocalArmServer.Json(ctx, 403,
            "{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":\"The client does not have authorization to perform action 'Microsoft.Authorization/roleEligibilitySchedules/read'.\"}}"));
        var errors = new ErrorCollector();
        var state = await new ArmStateReader(Options(s)).ReadAsync(new EngineContext(errors));
        Assert.Contains(errors.Errors, e => e.ErrorId == "AzureReadForbidden" && e.Target.Contains("roleEligibilitySchedules"));
        Assert.Empty(state.RoleEligibilities);
        var design = new AzRoleMapping
        {
            MappingId = "bg", FunctionName = "fn", FunctionAppName = "sitef6141", Kind = MappingKind.RoleAssignment, Surface = IdentitySurface.People,
            RoleDefinitionName = "Contributor", Scope = Sub, ObjectId = "a3bb8764-cb92-4276-9d2a-ca1e895e55ea", PrincipalName = "BreakGlass", PimEligible = true,
        };
        var r = ParityChecker.Check(new[] { design }, state, new ParityOptions { CheckCallerAccess = false }, EngineContext.None).Single(x => x.MappingId == "bg");
        Assert.Equal(ParityStatus.Unverifiable, r.Status);
        Assert.Contains("HTTP 403", r.Reason);
    }

    [Fact]
    public async Task ParityOnLiveStatePassesWhatWasReadAndNeverWhatWasDenied()
    {
        await using var s = await Serve();
        var state = await new ArmStateReader(Options(s)).ReadAsync(EngineContext.None);
        var mappings = new[]
        {
            new AzRoleMapping { MappingId = "site/identity", FunctionName = "fn", FunctionAppName = "sitef6141", Kind = MappingKind.ManagedIdentity, IdentityType = "SystemAssigned" },
            new AzRoleMapping { MappingId = "site/cosmos", FunctionName = "fn", FunctionAppName = "sitef6141", Kind = MappingKind.RoleAssignment, IdentityType = "SystemAssigned",
                RoleDefinitionId = "0b5fe924-9a61-425c-96af-cfe6e287ca2d", RoleDefinitionName = "(from the REST example)",
                Scope = "/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourceGroups/testrg/providers/Microsoft.DocumentDb/databaseAccounts/test-db-account" },
            new AzRoleMapping { MappingId = "orders/auth", FunctionName = "orders", FunctionAppName = "orders-func", Kind = MappingKind.Authentication,
                Settings = new Dictionary<string, string> { ["requireAuthentication"] = "true" } },
        };
        var results = ParityChecker.Check(mappings, state, null, EngineContext.None);
        Assert.Equal(ParityStatus.Pass, results.Single(r => r.MappingId == "site/identity").Status);
        Assert.Equal(ParityStatus.Pass, results.Single(r => r.MappingId == "site/cosmos").Status);
        var auth = results.Single(r => r.MappingId == "orders/auth");
        Assert.Equal(ParityStatus.Unverifiable, auth.Status);
        Assert.Contains("HTTP 403", auth.Reason);
    }

    [Fact]
    public async Task PersistentThrottlingBecomesLimitsExceededAndUnverifiable()
    {
        await using var s = await Serve();
        s.Map(Sub + "/providers/Microsoft.Authorization/roleAssignments", (ctx, _) =>
        {
            ctx.Response.Headers.RetryAfter = "0";
            return LocalArmServer.Json(ctx, 429, "{\"error\":{\"code\":\"TooManyRequests\"}}");
        });
        var errors = new ErrorCollector();
        var state = await new ArmStateReader(Options(s, retries: 2)).ReadAsync(new EngineContext(errors));
        Assert.Equal(3, s.Hits(Sub + "/providers/Microsoft.Authorization/roleAssignments"));
        var e = Assert.Single(errors.Errors, x => x.ErrorId == "AzureReadThrottled");
        Assert.Equal(EngineErrorCategory.LimitsExceeded, e.Category);
        Assert.NotNull(state.WhyUnreadable(AzureStateArea.RoleAssignments, "sitef6141"));
        var results = ParityChecker.Check(new[] { new AzRoleMapping { MappingId = "m", FunctionAppName = "sitef6141", Kind = MappingKind.RoleAssignment, IdentityType = "SystemAssigned", RoleDefinitionName = "Reader", Scope = Sub } }, state, null, EngineContext.None);
        Assert.All(results, r => Assert.Equal(ParityStatus.Unverifiable, r.Status));
    }

    [Fact]
    public async Task SlowEndpointWithTimeoutEndsInAboutASecondWithTheAreaUnreadAndExitCodeTwo()
    {
        // Role assignments answer after 60 s; the rest answers at once. A 4 s limit per call (not 1 s: on a loaded shared
        // machine a call answered at once can take over a second): one timeout error for that call, the area unreadable,
        // everything else read, and the verdict "not enough read" instead of a hang.
        await using var s = await Serve();
        s.Map(Sub + "/providers/Microsoft.Authorization/roleAssignments", async (ctx, _) =>
        {
            try { await Task.Delay(TimeSpan.FromSeconds(60), ctx.RequestAborted); } catch (OperationCanceledException) { return; }
            await LocalArmServer.Json(ctx, 200, "{\"value\":[]}");
        });
        var options = Options(s);
        options.RequestTimeout = TimeSpan.FromSeconds(4);
        var errors = new ErrorCollector();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var state = await new ArmStateReader(options).ReadAsync(new EngineContext(errors));
        clock.Stop();
        Assert.InRange(clock.Elapsed.TotalSeconds, 4, 40);
        var e = Assert.Single(errors.Errors, x => x.ErrorId == "AzureRequestTimedOut");
        Assert.Equal(EngineErrorCategory.OperationTimeout, e.Category);
        Assert.EndsWith(Sub + "/providers/Microsoft.Authorization/roleAssignments", e.Target);
        Assert.Contains("within 4 s", e.Message);
        Assert.NotNull(state.WhyUnreadable(AzureStateArea.RoleAssignments, "sitef6141"));
        Assert.Null(state.WhyUnreadable(AzureStateArea.RoleDefinitions, null));
        Assert.Equal(SitePrincipal, state.Sites["sitef6141"].PrincipalId);
        var design = new AzRoleMapping { MappingId = "m", FunctionName = "fn", FunctionAppName = "sitef6141", Kind = MappingKind.RoleAssignment, IdentityType = "SystemAssigned", RoleDefinitionName = "Reader", Scope = Sub };
        var results = ParityChecker.Check(new[] { design }, state, null, EngineContext.None);
        Assert.Equal(ParityStatus.Unverifiable, results.Single(r => r.MappingId == "m").Status);
        Assert.Equal(ExitCodes.NotEnoughRead, ParityVerdict.Explain(results.ToList(), errors.Errors.Count, ParityFailLevel.Any).ExitCode);
        // Without a limit the same endpoint is waited for: the limit is what ended the call.
        Assert.Null(new ArmStateReaderOptions().RequestTimeout);
    }

    [Fact]
    public async Task CancellationByTheCallerIsNotReportedAsATimeout()
    {
        // Ctrl+C (the caller's token) stops the read; it is not an error record about a slow server.
        await using var s = await Serve();
        s.Map(Sub + "/providers/Microsoft.Authorization/roleDefinitions", async (ctx, _) =>
        {
            try { await Task.Delay(TimeSpan.FromSeconds(60), ctx.RequestAborted); } catch (OperationCanceledException) { }
        });
        var options = Options(s);
        options.RequestTimeout = TimeSpan.FromSeconds(30);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var errors = new ErrorCollector();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ArmStateReader(options).ReadAsync(new EngineContext(errors, cancellationToken: cancel.Token)));
        Assert.DoesNotContain(errors.Errors, x => x.ErrorId == "AzureRequestTimedOut");
    }

    [Fact]
    public async Task NextLinkToAnotherHostIsNotFollowedWithTheToken()
    {
        await using var s = await Serve();
        // The REST example as published: its nextLink points at https://serviceRoot/...
        s.Map(Sub + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities", Body("msi/IdentityListBySubscription.json").ToJsonString());
        var errors = new ErrorCollector();
        var state = await new ArmStateReader(Options(s)).ReadAsync(new EngineContext(errors));
        var e = Assert.Single(errors.Errors, x => x.ErrorId == "AzureListNextLinkRejected");
        Assert.Contains("userAssignedIdentities", e.Target);
        Assert.NotNull(state.WhyUnreadable(AzureStateArea.UserAssignedIdentities, null));
    }
}

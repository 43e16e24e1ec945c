using LambdaIdentity.Core;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;
using Xunit;
using static LambdaIdentity.Tests.Parity.ParityFixtures;

namespace LambdaIdentity.Tests.Parity;

public class ParityCheckerTests
{
    private static IReadOnlyList<IdentityParityResult> Check(AzureState state, IEnumerable<AzRoleMapping>? mappings = null)
        => ParityChecker.Check(mappings ?? Mappings(), state, null, EngineContext.None);

    [Fact]
    public void MatchingExportsGiveOnePassPerMappingAndNothingElse()
    {
        var errors = new ErrorCollector();
        var results = Check(ReadState(errors));
        Assert.Empty(errors.Errors);
        Assert.Equal(Mappings().Count, results.Count);
        Assert.All(results, r => Assert.True(r.Status == ParityStatus.Pass, r.MappingId + ": " + r.Status + " " + r.Reason));
        Assert.Equal(Mappings().Select(m => m.MappingId).OrderBy(x => x), results.Select(r => r.MappingId!).OrderBy(x => x));
    }

    [Fact]
    public void RemovedAssignmentIsExactlyOneMissing()
    {
        var state = ReadState();
        state.RoleAssignments.RemoveAll(a => a.RoleDefinitionName == "Azure Service Bus Data Sender");
        var results = Check(state);
        var notPass = results.Where(r => r.Status != ParityStatus.Pass).ToList();
        var missing = Assert.Single(notPass);
        Assert.Equal(ParityStatus.Missing, missing.Status);
        Assert.Equal("orders-api/sqs-send", missing.MappingId);
        Assert.Contains("Azure Service Bus Data Sender", missing.Expected);
    }

    [Fact]
    public void ContributorAtResourceGroupForTheFunctionIdentityIsExcess()
    {
        var state = ReadState();
        state.RoleAssignments.Add(new AzureRoleAssignment
        {
            Id = Rg + "/providers/Microsoft.Authorization/roleAssignments/extra", Scope = Rg, RoleDefinitionId = "b24988ac-6180-42a0-ab88-20f7382dd24c",
            PrincipalId = OrdersPrincipal, PrincipalType = "ServicePrincipal",
        });
        var results = Check(state);
        var notPass = results.Where(r => r.Status != ParityStatus.Pass).ToList();
        Assert.All(notPass, r => { Assert.Equal(ParityStatus.Excess, r.Status); Assert.Null(r.MappingId); Assert.Equal("Contributor", r.RoleDefinitionName); });
        // The function's own identity gained access no AWS grant justifies ...
        Assert.Single(notPass, r => r.FunctionAppName == "orders-func" && r.Reason.Contains("function's identity"));
        // ... and, at the resource group, it can list billing-func's keys: invoke access to another function.
        Assert.Single(notPass, r => r.FunctionAppName == "billing-func" && r.Reason.Contains("listkeys"));
        Assert.Equal(2, notPass.Count);
    }

    [Fact]
    public void DesignedRoleAtParentScopeInsteadOfResourceIsBroader()
    {
        var state = ReadState();
        var blob = state.RoleAssignments.Single(a => a.RoleDefinitionName == "Storage Blob Data Reader");
        state.RoleAssignments.Remove(blob);
        state.RoleAssignments.Add(new AzureRoleAssignment { Id = "wider", Scope = Rg.ToUpperInvariant(), RoleDefinitionId = blob.RoleDefinitionId, PrincipalId = OrdersPrincipal });
        var r = Assert.Single(Check(state), x => x.MappingId == "orders-api/s3-read");
        Assert.Equal(ParityStatus.Broader, r.Status);
        Assert.Contains("wider scope", r.Reason);
        Assert.DoesNotContain(Check(state), x => x.Status == ParityStatus.Excess);
    }

    [Fact]
    public void MorePrivilegedRoleAtTheDesignedScopeIsBroader()
    {
        var state = ReadState();
        var blob = state.RoleAssignments.Single(a => a.RoleDefinitionName == "Storage Blob Data Reader");
        state.RoleAssignments.Remove(blob);
        // Storage Blob Data Owner grants every permission of Storage Blob Data Reader (wildcard-aware).
        state.RoleAssignments.Add(new AzureRoleAssignment { Id = "owner", Scope = blob.Scope, RoleDefinitionId = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", PrincipalId = OrdersPrincipal });
        var r = Assert.Single(Check(state), x => x.MappingId == "orders-api/s3-read");
        Assert.Equal(ParityStatus.Broader, r.Status);
        Assert.Contains("Storage Blob Data Owner", r.Actual);
    }

    [Fact]
    public void NarrowerOrWeakerAccessIsMissingNotPass()
    {
        var state = ReadState();
        var blob = state.RoleAssignments.Single(a => a.RoleDefinitionName == "Storage Blob Data Reader");
        state.RoleAssignments.Remove(blob);
        state.RoleAssignments.Add(new AzureRoleAssignment { Id = "narrow", Scope = blob.Scope + "/blobServices/default/containers/one", RoleDefinitionId = blob.RoleDefinitionId, PrincipalId = OrdersPrincipal });
        var results = Check(state);
        Assert.Equal(ParityStatus.Missing, results.Single(x => x.MappingId == "orders-api/s3-read").Status);
        Assert.Contains(results, x => x.Status == ParityStatus.Excess && x.ActualId == "narrow");
    }

    [Fact]
    public void AuthenticationTurnedOffIsDrift()
    {
        var state = ReadState();
        var site = state.Sites["orders-func"];
        site.Auth = new AzureAuthSettings { Enabled = false, RequireAuthentication = false, Issuer = site.Auth!.Issuer, AllowedAudiences = site.Auth.AllowedAudiences };
        var r = Assert.Single(Check(state), x => x.Status != ParityStatus.Pass);
        Assert.Equal(ParityStatus.Drift, r.Status);
        Assert.Equal(MappingKind.Authentication, r.Kind);
        Assert.Contains("authentication", r.Reason);
    }

    [Fact]
    public void AnonymousAuthLevelAndExtraAudienceAreDrift()
    {
        var state = ReadState();
        var site = state.Sites["orders-func"];
        site.Functions![0] = new AzureFunction { Name = "orders_api", AuthLevel = "anonymous", TriggerType = "httpTrigger" };
        site.Auth = new AzureAuthSettings { Enabled = true, RequireAuthentication = true, Issuer = site.Auth!.Issuer, AllowedAudiences = new[] { "api://orders-func", "api://someone-else" } };
        var r = Check(state).Single(x => x.MappingId == "orders-api/auth");
        Assert.Equal(ParityStatus.Drift, r.Status);
        Assert.Contains("anonymous", r.Reason);
        Assert.Contains("api://someone-else", r.Reason);
    }

    [Fact]
    public void IdentityTypeChangedIsDrift()
    {
        var state = ReadState();
        state.Sites["orders-func"].IdentityType = "None";
        var r = Check(state).Single(x => x.MappingId == "orders-api/identity");
        Assert.Equal(ParityStatus.Drift, r.Status);
    }

    [Fact]
    public async Task UnreadableRoleAssignmentExportMakesAssignmentsUnverifiableNeverPass()
    {
        var dir = CopyState();
        File.WriteAllText(Path.Combine(dir, "az-role-assignment-list-all.json"), File.ReadAllText(Path.Combine(StateDir, "az-role-assignment-list-all.json")).Substring(0, 1500));
        var errors = new ErrorCollector();
        var state = await new AzureStateReader().ReadAsync(new[] { dir, Catalog }, new EngineContext(errors));
        var e = Assert.Single(errors.Errors);
        Assert.Equal("AzureExportMalformed", e.ErrorId);
        Assert.Contains("az-role-assignment-list-all.json", e.Target);
        var results = Check(state);
        foreach (var id in new[] { "orders-api/s3-read", "orders-api/sqs-send", "orders-api/deployers", "billing/secrets" })
            Assert.Equal(ParityStatus.Unverifiable, results.Single(r => r.MappingId == id).Status);
        // The Cosmos DB assignment was read from its own export and still passes.
        Assert.Equal(ParityStatus.Pass, results.Single(r => r.MappingId == "orders-api/dynamodb-write").Status);
        // Unexpected access cannot be ruled out either.
        Assert.Contains(results, r => r.MappingId is null && r.Status == ParityStatus.Unverifiable);
    }

    [Fact]
    public async Task MissingInputAreaIsUnverifiable()
    {
        var dir = CopyState();
        File.Delete(Path.Combine(dir, "orders-func.webapp-auth-show.json"));
        var state = await new AzureStateReader().ReadAsync(new[] { dir, Catalog }, EngineContext.None);
        Assert.Equal(ParityStatus.Unverifiable, Check(state).Single(r => r.MappingId == "orders-api/auth").Status);
    }

    [Fact]
    public void CallerWhoCanListKeysIsExcessAndUnknownRoleIsUnverifiable()
    {
        var state = ReadState();
        state.RoleAssignments.Add(new AzureRoleAssignment { Id = "owner-sub", Scope = "/subscriptions/" + Sub, RoleDefinitionId = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", PrincipalId = "11111111-2222-3333-4444-555555555555", PrincipalName = "ops@contoso.example" });
        state.RoleAssignments.Add(new AzureRoleAssignment { Id = "custom-rg", Scope = Rg, RoleDefinitionId = "99999999-0000-0000-0000-000000000000", PrincipalId = "66666666-2222-3333-4444-555555555555" });
        var results = Check(state);
        var owner = results.Where(r => r.ActualId == "owner-sub").ToList();
        Assert.Equal(2, owner.Count); // once per function app
        Assert.All(owner, r => { Assert.Equal(ParityStatus.Excess, r.Status); Assert.Contains("listkeys", r.Reason); });
        Assert.All(results.Where(r => r.ActualId == "custom-rg"), r => Assert.Equal(ParityStatus.Unverifiable, r.Status));
        // Reader at the subscription (in the fixture) cannot list keys: no result for it.
        Assert.DoesNotContain(results, r => r.PrincipalName == "platform-admin@contoso.example");
    }

    [Fact]
    public void UndesignedAttachedIdentityIsExcess()
    {
        var state = ReadState();
        state.Sites["billing-func"].UserAssignedIdentities[Rg + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-shared-admin"] = "abababab-0000-0000-0000-000000000000";
        var r = Assert.Single(Check(state), x => x.Status != ParityStatus.Pass);
        Assert.Equal(ParityStatus.Excess, r.Status);
        Assert.Equal(MappingKind.ManagedIdentity, r.Kind);
        Assert.Contains("id-shared-admin", r.Actual);
    }

    [Fact]
    public void PlaceholderScopeAndDeviationAreUnverifiable()
    {
        var maps = Mappings();
        maps.Add(new AzRoleMapping { MappingId = "x/placeholder", FunctionName = "orders-api", FunctionAppName = "orders-func", Kind = MappingKind.RoleAssignment, RoleDefinitionName = "Storage Blob Data Reader", Scope = "{arn:aws:s3:::other}", ScopeIsPlaceholder = true, IdentityType = "SystemAssigned", PrincipalName = "orders-func" });
        maps.Add(new AzRoleMapping { MappingId = "x/deviation", FunctionName = "orders-api", FunctionAppName = "orders-func", Kind = MappingKind.RoleAssignment, Strategy = MappingStrategy.Deviation, Impact = "permission boundary has no equivalent" });
        var results = Check(ReadState(), maps);
        Assert.Equal(ParityStatus.Unverifiable, results.Single(r => r.MappingId == "x/placeholder").Status);
        Assert.Equal(ParityStatus.Unverifiable, results.Single(r => r.MappingId == "x/deviation").Status);
    }

    [Fact]
    public void RoleResolvedByNameAndScopesCompareCaseInsensitively()
    {
        var maps = Mappings().Select(m => m.MappingId != "orders-api/s3-read" ? m : new AzRoleMapping
        {
            MappingId = m.MappingId, FunctionName = m.FunctionName, FunctionAppName = m.FunctionAppName, Kind = m.Kind, Surface = m.Surface,
            RoleDefinitionName = "storage blob data reader", Scope = m.Scope!.ToUpperInvariant() + "/", IdentityType = "SystemAssigned", PrincipalName = "orders-func",
        }).ToList();
        Assert.Equal(ParityStatus.Pass, Check(ReadState(), maps).Single(r => r.MappingId == "orders-api/s3-read").Status);
    }

    [Fact]
    public void SecretAppSettingValuesNeverReachStateOrResults()
    {
        var state = ReadState();
        Assert.Contains("LEGACY_API_TOKEN", state.Sites["orders-func"].AppSettingNames!);
        var json = ModelJson.Serialize(Check(state)) + System.Text.Json.JsonSerializer.Serialize(state.Sites["orders-func"].AppSettingNames);
        Assert.DoesNotContain("SECRET-VALUE-MUST-NOT-LEAK", json);
    }

    [Fact]
    public void FailLevelsDecideWhatFails()
    {
        Assert.True(ParityVerdict.Fails(ParityStatus.Unverifiable, ParityFailLevel.Any));
        Assert.False(ParityVerdict.Fails(ParityStatus.Unverifiable, ParityFailLevel.Access));
        Assert.True(ParityVerdict.Fails(ParityStatus.Drift, ParityFailLevel.Access));
        Assert.False(ParityVerdict.Fails(ParityStatus.Missing, ParityFailLevel.Excess));
        Assert.True(ParityVerdict.Fails(ParityStatus.Broader, ParityFailLevel.Excess));
        Assert.False(ParityVerdict.Fails(ParityStatus.Excess, ParityFailLevel.None));
        Assert.False(ParityVerdict.Fails(ParityStatus.Pass, ParityFailLevel.Any));
    }

    [Fact]
    public void CosmosContributorWhereReaderWasDesignedIsBroader()
    {
        var maps = Mappings().Select(m => m.MappingId != "orders-api/dynamodb-write" ? m : new AzRoleMapping
        {
            MappingId = m.MappingId, FunctionName = m.FunctionName, FunctionAppName = m.FunctionAppName, Kind = m.Kind, Surface = m.Surface,
            RoleDefinitionName = "Cosmos DB Built-in Data Reader", RoleDefinitionId = "00000000-0000-0000-0000-000000000001", Scope = m.Scope, IdentityType = "SystemAssigned", PrincipalName = "orders-func",
        }).ToList();
        var r = Check(ReadState(), maps).Single(x => x.MappingId == "orders-api/dynamodb-write");
        Assert.Equal(ParityStatus.Broader, r.Status);
        Assert.Contains("Cosmos DB Built-in Data Contributor", r.Actual);
    }

    [Fact]
    public void DesignedRoleAtAManagementGroupIsBroader()
    {
        var state = ReadState();
        var kv = state.RoleAssignments.Single(a => a.RoleDefinitionName == "Key Vault Secrets User");
        state.RoleAssignments.Remove(kv);
        state.RoleAssignments.Add(new AzureRoleAssignment { Id = "mg", Scope = "/providers/Microsoft.Management/managementGroups/contoso", RoleDefinitionId = kv.RoleDefinitionId, PrincipalId = kv.PrincipalId });
        Assert.Equal(ParityStatus.Broader, Check(state).Single(x => x.MappingId == "billing/secrets").Status);
    }

    [Fact]
    public void SettingsInTheTranslationStagesVocabularyAreChecked()
    {
        var maps = new List<AzRoleMapping>
        {
            new() { MappingId = "t/trigger", FunctionName = "orders-api", FunctionAppName = "orders-func", Kind = MappingKind.TriggerConnection,
                Settings = new Dictionary<string, string> { ["trigger"] = "serviceBusTrigger", ["connectionSetting"] = "ORDERS_QUEUE", ["credential"] = "managedidentity" } },
            new() { MappingId = "t/host", FunctionName = "orders-api", FunctionAppName = "orders-func", Kind = MappingKind.Setting,
                Settings = new Dictionary<string, string> { ["AzureWebJobsStorage__accountName"] = "{hostStorageAccount}", ["AzureWebJobsStorage__credential"] = "managedidentity" } },
            new() { MappingId = "t/auth", FunctionName = "orders-api", FunctionAppName = "orders-func", Kind = MappingKind.Authentication, Surface = IdentitySurface.EndUser,
                Settings = new Dictionary<string, string> { ["requireAuthentication"] = "true", ["identityProvider"] = "azureActiveDirectory", ["unauthenticatedClientAction"] = "Return401", ["requiredScopes"] = "orders.read" } },
        };
        var results = Check(ReadState(), maps);
        Assert.Equal(ParityStatus.Pass, results.Single(r => r.MappingId == "t/trigger").Status);
        var host = results.Single(r => r.MappingId == "t/host");
        Assert.Equal(ParityStatus.Missing, host.Status); // the fixture app has AzureWebJobsStorage__accountName but no __credential
        Assert.Contains("AzureWebJobsStorage__credential", host.Reason);
        // Scopes are enforced by the code, not by App Service: the item cannot pass on Azure state alone.
        var auth = results.Single(r => r.MappingId == "t/auth");
        Assert.Equal(ParityStatus.Unverifiable, auth.Status);
        Assert.Contains("not verifiable from the Azure resource state: requiredScopes", auth.Reason);
        maps[2] = new AzRoleMapping { MappingId = "t/auth", FunctionName = "orders-api", FunctionAppName = "orders-func", Kind = MappingKind.Authentication,
            Settings = maps[2].Settings.Where(kv => kv.Key != "requiredScopes").ToDictionary(kv => kv.Key, kv => kv.Value) };
        Assert.Equal(ParityStatus.Pass, Check(ReadState(), maps).Single(r => r.MappingId == "t/auth").Status);
    }
}

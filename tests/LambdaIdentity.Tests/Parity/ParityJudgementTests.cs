using LambdaIdentity.Core;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Parity;

/// <summary>Judgements on a small state built in code: Cosmos scopes, PIM-eligible designs, app settings, template tokens, CORS, the embedded role catalog.</summary>
public class ParityJudgementTests
{
    private const string Rg = "/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourceGroups/rg-orders";
    private const string App = "func-orders";
    private const string Principal = "11111111-2222-4333-8444-555555555555";
    private const string Account = Rg + "/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-orders";

    private static AzureState State()
    {
        var s = new AzureState();
        var site = s.Site(App, Rg + "/providers/Microsoft.Web/sites/" + App);
        site.IdentityType = "SystemAssigned"; site.PrincipalId = Principal;
        site.AppSettingNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "AzureWebJobsStorage__accountName" };
        site.Functions = new List<AzureFunction> { new() { Name = "api", AuthLevel = "anonymous", TriggerType = "httpTrigger" } };
        site.CorsAllowedOrigins = new List<string> { "https://shop.example.com" };
        site.Auth = new AzureAuthSettings
        {
            Enabled = true, RequireAuthentication = true, AzureActiveDirectoryEnabled = true, UnauthenticatedClientAction = "Return401",
            Issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Q7vOrd3rs", AllowedAudiences = new[] { "4c8f1e2a9b7d" },
        };
        foreach (AzureStateArea a in Enum.GetValues(typeof(AzureStateArea))) s.AreasRead.Add(a);
        return s;
    }

    private static AzRoleMapping Assignment(string id, string role, string scope, bool pim = false, string? service = null) => new()
    {
        MappingId = id, FunctionName = "orders", FunctionAppName = App, Kind = MappingKind.RoleAssignment, Strategy = MappingStrategy.BuiltIn,
        Surface = IdentitySurface.Workload, RoleDefinitionName = role, Scope = scope, IdentityType = "SystemAssigned", PrincipalName = App,
        PimEligible = pim, AzureService = service, AzureFeature = role,
    };

    private static AzRoleMapping Auth(string id, Dictionary<string, string> settings) => new()
    {
        MappingId = id, FunctionName = "orders", FunctionAppName = App, Kind = MappingKind.Authentication, Strategy = MappingStrategy.BuiltIn,
        Surface = IdentitySurface.EndUser, Settings = settings, AzureFeature = "auth",
    };

    private static IdentityParityResult Judge(AzureState state, AzRoleMapping m)
        => ParityChecker.Check(new[] { m }, state, new ParityOptions { CheckCallerAccess = false }, EngineContext.None).Single(r => r.MappingId == m.MappingId);

    private static void AddAssignment(AzureState s, string roleId, string scope, AzureAssignmentSystem system = AzureAssignmentSystem.Rbac, string principal = Principal)
        => s.RoleAssignments.Add(new AzureRoleAssignment { Id = scope + "/ra/" + roleId, System = system, Scope = scope, RoleDefinitionId = roleId, PrincipalId = principal, PrincipalType = "ServicePrincipal" });

    [Fact]
    public void CosmosDataPlaneScopeEqualsTheArmContainerId()
    {
        var designed = Assignment("cosmos", "Cosmos DB Built-in Data Contributor", Account + "/sqlDatabases/orders/containers/orders", service: "Azure Cosmos DB");
        var s = State();
        AddAssignment(s, "00000000-0000-0000-0000-000000000002", Account + "/dbs/orders/colls/orders", AzureAssignmentSystem.CosmosSql);
        Assert.Equal(ParityStatus.Pass, Judge(s, designed).Status);

        var wider = State();
        AddAssignment(wider, "00000000-0000-0000-0000-000000000002", Account + "/dbs/orders", AzureAssignmentSystem.CosmosSql);
        var r = Judge(wider, designed);
        Assert.Equal(ParityStatus.Broader, r.Status);
        Assert.Contains("wider scope", r.Reason);
        // A blob container keeps its own path: the rewrite is for Cosmos DB only.
        Assert.Equal(Scopes.Normalize(Rg + "/providers/Microsoft.Storage/storageAccounts/st/blobServices/default/containers/c"), (Rg + "/providers/Microsoft.Storage/storageAccounts/st/blobServices/default/containers/c").ToLowerInvariant());
    }

    private const string WebsiteContributor = "de139f84-1756-47ae-9be6-808fbbe84772";
    private const string Owner = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    private static void AddEligibility(AzureState s, string roleId, string scope, string principal = Principal, DateTimeOffset? end = null, string? status = "Provisioned")
        => s.RoleEligibilities.Add(new AzureRoleAssignment { Id = scope + "/eligible/" + roleId + "/" + principal, Scope = scope, RoleDefinitionId = roleId, PrincipalId = principal, PrincipalType = "Group", EndDateTime = end, Status = status });

    private static IdentityParityResult JudgeAt(AzureState state, AzRoleMapping m)
        => ParityChecker.Check(new[] { m }, state, new ParityOptions { CheckCallerAccess = false, Now = Now }, EngineContext.None).Single(r => r.MappingId == m.MappingId);

    [Fact]
    public void PimEligibleDesignIsJudgedFromEligibilitySchedules()
    {
        var site = Rg + "/providers/Microsoft.Web/sites/" + App;
        var designed = Assignment("bg", "Website Contributor", site, pim: true);
        // Schedules read, none for the principal: the emergency access was lost.
        var none = JudgeAt(State(), designed);
        Assert.Equal(ParityStatus.Missing, none.Status);
        // Not read: never passed.
        var unread = State();
        unread.AreasRead.Remove(AzureStateArea.RoleEligibilitySchedules);
        var u = JudgeAt(unread, designed);
        Assert.Equal(ParityStatus.Unverifiable, u.Status);
        Assert.Contains("eligibility schedules could not be read", u.Reason);
        // Eligible for the designed role at the designed scope, until after now: Pass.
        var ok = State();
        AddEligibility(ok, WebsiteContributor, site, end: Now.AddDays(30));
        var pass = JudgeAt(ok, designed);
        Assert.Equal(ParityStatus.Pass, pass.Status);
        Assert.Contains("eligible: Website Contributor", pass.Actual);
        // Eligible at the resource group, or for Owner: Broader.
        var wide = State();
        AddEligibility(wide, WebsiteContributor, Rg);
        Assert.Equal(ParityStatus.Broader, JudgeAt(wide, designed).Status);
        var owner = State();
        AddEligibility(owner, Owner, site);
        var o = JudgeAt(owner, designed);
        Assert.Equal(ParityStatus.Broader, o.Status);
        Assert.Contains("Owner grants every permission", o.Reason);
        // Ended or revoked: not counted, and said so.
        var ended = State();
        AddEligibility(ended, WebsiteContributor, site, end: Now.AddDays(-1));
        var e = JudgeAt(ended, designed);
        Assert.Equal(ParityStatus.Missing, e.Status);
        Assert.Contains("ended 2026-11-28", e.Reason);
        var revoked = State();
        AddEligibility(revoked, WebsiteContributor, site, status: "Revoked");
        Assert.Contains("status Revoked", JudgeAt(revoked, designed).Reason);
        // Another principal's eligibility, or a narrower role, does not count.
        var other = State();
        AddEligibility(other, WebsiteContributor, site, principal: "99999999-2222-4333-8444-555555555555");
        AddEligibility(other, "acdd72a7-3385-48ef-bd42-f606fba81ae7", site); // Reader
        Assert.Equal(ParityStatus.Missing, JudgeAt(other, designed).Status);
    }

    [Fact]
    public void AnEligibilityNoDesignJustifiesIsExcessWhenItCanInvoke()
    {
        var site = Rg + "/providers/Microsoft.Web/sites/" + App;
        var designed = Assignment("bg", "Website Contributor", site, pim: true);
        var s = State();
        AddEligibility(s, WebsiteContributor, site, end: Now.AddDays(30));                                        // the design's
        AddEligibility(s, WebsiteContributor, Rg, principal: "77777777-2222-4333-8444-555555555555");           // nobody designed it
        AddEligibility(s, WebsiteContributor, Rg, principal: "66666666-2222-4333-8444-555555555555", end: Now.AddDays(-3)); // ended
        AddEligibility(s, "acdd72a7-3385-48ef-bd42-f606fba81ae7", Rg, principal: "55555555-2222-4333-8444-555555555555"); // Reader: cannot list keys
        var results = ParityChecker.Check(new[] { designed }, s, new ParityOptions { Now = Now }, EngineContext.None);
        Assert.Equal(ParityStatus.Pass, results.Single(r => r.MappingId == "bg").Status);
        var excess = Assert.Single(results, r => r.Status == ParityStatus.Excess && r.Actual.StartsWith("eligible"));
        Assert.Equal("77777777-2222-4333-8444-555555555555", excess.ObjectId);
        Assert.Equal(IdentitySurface.People, excess.Surface);
        Assert.Contains("eligible to activate", excess.Reason);
    }

    [Fact]
    public void PimEligibleDesignIsNeverPassedFromStandingAssignments()
    {
        var site = Rg + "/providers/Microsoft.Web/sites/" + App;
        var designed = Assignment("bg", "Website Contributor", site, pim: true);

        var s = State();
        AddAssignment(s, "de139f84-1756-47ae-9be6-808fbbe84772", site);
        var standing = Judge(s, designed);
        Assert.Equal(ParityStatus.Broader, standing.Status);
        Assert.Contains("standing", standing.Reason);
    }

    [Fact]
    public void AppSettingNamesInUpperCaseAreChecked()
    {
        var m = new AzRoleMapping
        {
            MappingId = "appi", FunctionName = "orders", FunctionAppName = App, Kind = MappingKind.Setting, Strategy = MappingStrategy.BuiltIn,
            Surface = IdentitySurface.Audit, AzureFeature = "Application Insights", Settings = new Dictionary<string, string> { ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "Authorization=AAD" },
        };
        Assert.Equal(ParityStatus.Pass, Judge(State(), m).Status);
        var s = State();
        s.Sites[App].AppSettingNames!.Remove("APPLICATIONINSIGHTS_AUTHENTICATION_STRING");
        var missing = Judge(s, m);
        Assert.Equal(ParityStatus.Missing, missing.Status);
        Assert.Contains("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", missing.Reason);
    }

    [Fact]
    public void NotNeededItemWithOnlyProvenanceIsNothingToCheck()
    {
        var m = new AzRoleMapping
        {
            MappingId = "logs", FunctionName = "orders", FunctionAppName = App, Kind = MappingKind.Setting, Strategy = MappingStrategy.NotNeeded,
            Surface = IdentitySurface.Platform, AzureFeature = "Application Insights", Reason = "logs become Application Insights", Settings = new Dictionary<string, string> { ["grantedBy"] = "policy#0" },
        };
        var r = Judge(State(), m);
        // Nothing designed is nothing verified: NotApplicable, never Pass, and it fails no level.
        Assert.Equal(ParityStatus.NotApplicable, r.Status);
        foreach (var level in Enum.GetValues<ParityFailLevel>()) Assert.False(LambdaIdentity.Core.Parity.ParityVerdict.Fails(r, level));
    }

    [Fact]
    public void TemplateTokensInTheDesignMatchBySegmentAndBareTokensAreUnverifiable()
    {
        var issuerOnly = Auth("issuer", new Dictionary<string, string> { ["issuer"] = "https://cognito-idp.${AWS::Region}.amazonaws.com/${Ref:OrdersUserPool}", ["requireAuthentication"] = "true" });
        var pass = Judge(State(), issuerOnly);
        Assert.Equal(ParityStatus.Pass, pass.Status);
        Assert.Contains("eu-west-1_q7vord3rs", pass.Reason);

        var s = State();
        s.Sites[App].Auth!.Issuer = "https://login.microsoftonline.com/b6c948ef-f6b5-4384-8354-da3a15eca969/v2.0";
        Assert.Equal(ParityStatus.Drift, Judge(s, issuerOnly).Status);

        var placeholder = Auth("tenant", new Dictionary<string, string> { ["issuer"] = "https://login.microsoftonline.com/{tenantId}/v2.0" });
        Assert.Equal(ParityStatus.Pass, Judge(s, placeholder).Status);

        var audience = Auth("aud", new Dictionary<string, string> { ["allowedAudiences"] = "${Ref:OrdersUserPoolClient}" });
        var r = Judge(State(), audience);
        Assert.Equal(ParityStatus.Unverifiable, r.Status);
        Assert.Contains("template token", r.Reason);
    }

    [Fact]
    public void CorsOriginsAreComparedWhenTheSiteConfigWasRead()
    {
        var m = Auth("cors", new Dictionary<string, string> { ["authLevel"] = "anonymous", ["cors.allowedOrigins"] = "https://shop.example.com" });
        Assert.Equal(ParityStatus.Pass, Judge(State(), m).Status);
        var s = State();
        s.Sites[App].CorsAllowedOrigins = new List<string> { "*" };
        var drift = Judge(s, m);
        Assert.Equal(ParityStatus.Drift, drift.Status);
        Assert.Contains("cors.allowedOrigins", drift.Reason);
        s.Sites[App].CorsAllowedOrigins = null;
        Assert.Equal(ParityStatus.Unverifiable, Judge(s, m).Status);
    }

    [Fact]
    public void EmbeddedBuiltInCatalogJudgesMorePrivilegedRolesWithoutDefinitionsInTheState()
    {
        var scope = Rg + "/providers/Microsoft.Storage/storageAccounts/st";
        var designed = Assignment("blob", "Storage Blob Data Reader", scope);
        var s = State();
        Assert.Empty(s.RoleDefinitions);
        AddAssignment(s, "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", scope); // Storage Blob Data Owner
        var r = Judge(s, designed);
        Assert.Equal(ParityStatus.Broader, r.Status);
        Assert.Contains("Storage Blob Data Owner", r.Reason);
    }

    private static AzRoleMapping Setting(string id, string key, string value) => new()
    {
        MappingId = id, FunctionName = "orders", FunctionAppName = App, Kind = MappingKind.Setting, Strategy = MappingStrategy.BuiltIn,
        Surface = IdentitySurface.Audit, AzureFeature = key, Settings = new Dictionary<string, string> { [key] = value },
    };

    [Fact]
    public void DiagnosticSettingsMustSendEveryDesignedLogCategory()
    {
        var m = Setting("diag", "diagnosticSetting.categories", "FunctionAppLogs,AppServiceAuditLogs");
        var s = State();
        Assert.Equal(ParityStatus.Unverifiable, Judge(s, m).Status); // nothing read for the app
        s.Sites[App].DiagnosticLogCategories = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "FunctionAppLogs" };
        var missing = Judge(s, m);
        Assert.Equal(ParityStatus.Missing, missing.Status);
        Assert.Contains("AppServiceAuditLogs", missing.Reason);
        s.Sites[App].DiagnosticLogCategories!.Add("audit"); // the audit category group covers the audit categories
        Assert.Equal(ParityStatus.Pass, Judge(s, m).Status);
        s.Sites[App].DiagnosticLogCategories = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "allLogs" };
        Assert.Equal(ParityStatus.Pass, Judge(s, m).Status);
    }

    [Fact]
    public async Task AnEmptyDiagnosticSettingsExportOfAnAppMeansItSendsNoLogs()
    {
        var dir = ParityFixtures.TempDir();
        File.WriteAllText(Path.Combine(dir, App + ".diagnostic-settings.json"), "[]");
        File.WriteAllText(Path.Combine(dir, "other-app.diagnostic-settings.json"), """
            [ { "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/other-app/providers/microsoft.insights/diagnosticSettings/d",
                "name": "d", "type": "Microsoft.Insights/diagnosticSettings",
                "logs": [ { "category": "FunctionAppLogs", "enabled": true }, { "category": "AppServiceAuditLogs", "enabled": false } ] } ]
            """);
        var state = await new AzureStateReader().ReadAsync(new[] { dir }, EngineContext.None);
        Assert.Empty(state.Sites[App].DiagnosticLogCategories!);
        Assert.Equal(new[] { "FunctionAppLogs" }, state.Sites["other-app"].DiagnosticLogCategories!.ToArray()); // disabled categories do not count
        foreach (AzureStateArea a in Enum.GetValues(typeof(AzureStateArea))) state.AreasRead.Add(a);
        Assert.Equal(ParityStatus.Missing, Judge(state, Setting("diag", "diagnosticSetting.categories", "FunctionAppLogs")).Status);
    }

    [Fact]
    public void FlexDeploymentStorageAuthenticationIsComparedWhenTheSiteShowsIt()
    {
        var m = Setting("deploy", "deploymentStorageAuthentication", "SystemAssignedIdentity");
        var s = State();
        Assert.Equal(ParityStatus.Unverifiable, Judge(s, m).Status);
        s.Sites[App].DeploymentStorageAuthentication = "SystemAssignedIdentity";
        Assert.Equal(ParityStatus.Pass, Judge(s, m).Status);
        s.Sites[App].DeploymentStorageAuthentication = "StorageAccountConnectionString";
        var drift = Judge(s, m);
        Assert.Equal(ParityStatus.Drift, drift.Status);
        Assert.Contains("StorageAccountConnectionString", drift.Reason);
    }

    private const string Group = "8d4f2b61-0c3e-4a7d-b5f9-2e6a1c9d7b40";
    private const string SpId = "6a0c0f6e-1b52-4a43-9d1e-0f3c2b1a9e77";
    private const string RoleId = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";

    private static AzRoleMapping Invoke(string? objectId = Group) => new()
    {
        MappingId = "people/invoke", FunctionName = "orders", FunctionAppName = App, Kind = MappingKind.Authentication, Strategy = MappingStrategy.BuiltIn,
        Surface = IdentitySurface.People, AzureFeature = "App role Function.Invoke", PrincipalName = "Entra group for arn:aws:iam::111122223333:group/devs", PrincipalType = "Group",
        ObjectId = objectId, Scope = Rg + "/providers/Microsoft.Web/sites/" + App, Settings = new Dictionary<string, string> { ["appRole"] = "Function.Invoke" },
    };

    private static AzureState WithEntra(bool role = true, params (string Holder, string Name)[] holders)
    {
        var s = State();
        var sp = new EntraServicePrincipal { Id = SpId, AppId = "7b2d4c6e-0000-4000-8000-000000000001", DisplayName = "some-other-name" };
        if (role) sp.AppRoles["Function.Invoke"] = RoleId;
        s.ServicePrincipals[sp.Id] = sp;
        s.Sites[App].Auth!.ClientId = sp.AppId; // found through the app's authentication, not by name
        foreach (var (h, n) in holders) s.AppRoleAssignments.Add(new EntraAppRoleAssignment { Id = "ara-" + n, AppRoleId = RoleId, PrincipalId = h, PrincipalDisplayName = n, ResourceId = SpId });
        return s;
    }

    [Fact]
    public void CallersAppRolesAreVerifiedFromEntraExportsOnly()
    {
        // Without an Entra export: never a pass (the tool reads no directory itself).
        var none = State();
        none.AreasRead.Remove(AzureStateArea.EntraAppRoles);
        var u = Judge(none, Invoke());
        Assert.Equal(ParityStatus.Unverifiable, u.Status);
        Assert.Contains("appRoleAssignedTo", u.Reason);

        Assert.Equal(ParityStatus.Pass, Judge(WithEntra(true, (Group, "devs")), Invoke()).Status);
        var lost = Judge(WithEntra(true), Invoke());
        Assert.Equal(ParityStatus.Missing, lost.Status);
        Assert.Contains("lost", lost.Reason);
        Assert.Equal(ParityStatus.Missing, Judge(WithEntra(false, (Group, "devs")), Invoke()).Status); // no such app role defined
        Assert.Equal(ParityStatus.Unverifiable, Judge(WithEntra(true, (Group, "devs")), Invoke(null)).Status); // caller's object unknown
    }

    [Fact]
    public void AHolderOfTheInvokeRoleThatNoMappingDesignsIsExcess()
    {
        var state = WithEntra(true, (Group, "devs"), ("51f0c7a2-3b6d-4e19-8c47-9a2d0e5b1f63", "legacy-jenkins-ci"));
        var results = ParityChecker.Check(new[] { Invoke() }, state, new ParityOptions { CheckCallerAccess = false }, EngineContext.None);
        Assert.Equal(ParityStatus.Pass, results.Single(r => r.MappingId == "people/invoke").Status);
        var excess = Assert.Single(results, r => r.Status == ParityStatus.Excess && r.Kind == MappingKind.Authentication);
        Assert.Contains("legacy-jenkins-ci", excess.Actual);
        Assert.Equal(IdentitySurface.EndUser, excess.Surface);
    }

    private const string Pipeline = "0b7e6f52-9c1d-4e8a-b3f0-5d2c7a9e1f04";
    private const string GitHub = "https://token.actions.githubusercontent.com";
    private const string DeployIdentity = Rg + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-deploy";

    private static AzRoleMapping Federation(string subjects, string issuer = GitHub) => new()
    {
        MappingId = "ci/federation", FunctionName = "orders", FunctionAppName = App, Kind = MappingKind.Setting, Strategy = MappingStrategy.BuiltIn,
        Surface = IdentitySurface.Automation, AzureFeature = "Workload identity federation", ObjectId = Pipeline, PrincipalName = "workload identity for arn:aws:iam::111122223333:role/github-deploy",
        Settings = new Dictionary<string, string> { ["federatedCredential.issuer"] = issuer, ["federatedCredential.subject"] = subjects, ["federatedCredential.audience"] = "api://AzureADTokenExchange" },
    };

    private static AzureState FederationState(params (string Subject, string Issuer)[] credentials)
    {
        var s = State();
        s.UserAssignedIdentities[DeployIdentity] = new AzureUserAssignedIdentity { Id = DeployIdentity, Name = "id-deploy", PrincipalId = Pipeline };
        s.FederatedCredentialOwnersRead.Add(DeployIdentity.ToLowerInvariant());
        foreach (var (subject, issuer) in credentials)
            s.FederatedCredentials.Add(new AzureFederatedCredential { Id = DeployIdentity + "/federatedIdentityCredentials/" + subject.GetHashCode(), Name = subject, Owner = DeployIdentity.ToLowerInvariant(), Issuer = issuer, Subject = subject, Audiences = new[] { "api://AzureADTokenExchange" } });
        return s;
    }

    [Fact]
    public void PipelineFederationIsCheckedSubjectBySubject()
    {
        const string Main = "repo:contoso/orders:ref:refs/heads/main", Prod = "repo:contoso/orders:environment:prod", Pr = "repo:contoso/orders:pull_request";
        var design = Federation(Main + "," + Prod);
        Assert.Equal(ParityStatus.Pass, Judge(FederationState((Main, GitHub), (Prod, GitHub + "/")), design).Status);
        var missing = Judge(FederationState((Main, GitHub)), design);
        Assert.Equal(ParityStatus.Missing, missing.Status);
        Assert.Contains(Prod, missing.Reason);
        var drift = Judge(FederationState((Main, GitHub), (Prod, "https://gitlab.example.com")), design);
        Assert.Equal(ParityStatus.Drift, drift.Status);
        Assert.Contains("gitlab", drift.Reason);
        // A pattern the AWS trust allowed is covered by exact credentials that match it.
        Assert.Equal(ParityStatus.Pass, Judge(FederationState((Main, GitHub)), Federation("repo:contoso/orders:ref:refs/heads/*")).Status);
        Assert.Equal(ParityStatus.Missing, Judge(FederationState((Pr, GitHub)), Federation("repo:contoso/orders:ref:refs/heads/*")).Status);
        // Never passed on what was not read, nor on a placeholder.
        var unread = FederationState((Main, GitHub), (Prod, GitHub));
        unread.FederatedCredentialOwnersRead.Clear();
        Assert.Equal(ParityStatus.Unverifiable, Judge(unread, design).Status);
        Assert.Equal(ParityStatus.Unverifiable, Judge(FederationState(), Federation("{the subject (repository, branch or environment) from the trust policy's sub condition}")).Status);
        // A credential no designed subject accounts for: a workflow the AWS trust did not accept can get tokens.
        var results = ParityChecker.Check(new[] { design }, FederationState((Main, GitHub), (Prod, GitHub), (Pr, GitHub)), new ParityOptions { CheckCallerAccess = false }, EngineContext.None);
        var excess = Assert.Single(results, r => r.Status == ParityStatus.Excess);
        Assert.Contains(Pr, excess.Actual);
        Assert.Equal(IdentitySurface.Automation, excess.Surface);
    }

    [Fact]
    public async Task FederationFromTheRestExamplesPassesTheDesignedSubject()
    {
        // The MSI REST examples: identityName (principal 25cc773c-...) accepts the AKS service account's tokens.
        var state = await new AzureStateReader().ReadAsync(new[] { Path.Combine(TestPaths.Fixtures, "parity", "federation"), TestPaths.Shared("azure-examples", "msi") }, EngineContext.None);
        var design = Federation("system:serviceaccount:ns:svcaccount", "https://oidc.prod-aks.azure.com/TenantGUID/IssuerGUID");
        var m = new AzRoleMapping
        {
            MappingId = design.MappingId, FunctionName = design.FunctionName, FunctionAppName = design.FunctionAppName, Kind = design.Kind, Strategy = design.Strategy,
            Surface = design.Surface, AzureFeature = design.AzureFeature, ObjectId = "25cc773c-7f05-40fc-a104-32d2300754ad", PrincipalName = "aks workload", Settings = design.Settings,
        };
        var r = ParityChecker.Check(new[] { m }, state, new ParityOptions { CheckCallerAccess = false }, EngineContext.None).Single(x => x.MappingId == m.MappingId);
        Assert.Equal(ParityStatus.Pass, r.Status);
        Assert.Contains("system:serviceaccount:ns:svcaccount", r.Reason);
    }
}

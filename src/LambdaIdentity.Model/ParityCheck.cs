using System;
using System.Collections.Generic;
using System.Linq;

namespace LambdaIdentity.Model;

/// <summary>
/// The names of the design settings on a mapping record (<see cref="AzRoleMapping.Settings"/>) that parity reads. The
/// mapper writes them and <see cref="ParityCheck.Of"/> reads them through these constants only, so both sides are
/// compiled against one vocabulary. The serialized shape (a string map) is unchanged, so older JSON and Clixml files read.
/// </summary>
public static class SettingKeys
{
    /// <summary>HTTP trigger authLevel (anonymous, function, admin).</summary>
    public const string AuthLevel = "authLevel";
    /// <summary>The one function an authLevel applies to.</summary>
    public const string FunctionName = "functionName";
    /// <summary>App Service authentication must (true) or must not (false) require a signed-in caller.</summary>
    public const string RequireAuthentication = "requireAuthentication";
    /// <summary>The identity provider of App Service authentication.</summary>
    public const string IdentityProvider = "identityProvider";
    /// <summary>The token issuer.</summary>
    public const string Issuer = "issuer";
    /// <summary>Allowed token audiences, comma separated.</summary>
    public const string AllowedAudiences = "allowedAudiences";
    /// <summary>Allowed client applications, comma separated.</summary>
    public const string AllowedApplications = "allowedApplications";
    /// <summary>The app registration's client id.</summary>
    public const string ClientId = "clientId";
    /// <summary>What happens to an unauthenticated request.</summary>
    public const string UnauthenticatedClientAction = "unauthenticatedClientAction";
    /// <summary>Only holders of the invoke app role may call (enforced by allowedApplications).</summary>
    public const string AppRoleAssignmentRequired = "appRoleAssignmentRequired";
    /// <summary>CORS allowed origins, comma separated.</summary>
    public const string CorsAllowedOrigins = "cors.allowedOrigins";
    /// <summary>The app role a caller needs (Function.Invoke).</summary>
    public const string AppRole = "appRole";
    /// <summary>The called function (in words).</summary>
    public const string Callee = "callee";
    /// <summary>The function app of the called function, for app-role grants.</summary>
    public const string CalleeFunctionAppName = "calleeFunctionAppName";
    /// <summary>Federated credential issuers, comma separated.</summary>
    public const string FederatedCredentialIssuer = "federatedCredential.issuer";
    /// <summary>Federated credential subjects, comma separated (may hold * and ? patterns).</summary>
    public const string FederatedCredentialSubject = "federatedCredential.subject";
    /// <summary>Federated credential audience (default api://AzureADTokenExchange).</summary>
    public const string FederatedCredentialAudience = "federatedCredential.audience";
    /// <summary>Log categories a diagnostic setting must send, comma separated.</summary>
    public const string DiagnosticCategories = "diagnosticSetting.categories";
    /// <summary>The Log Analytics workspace of the diagnostic setting.</summary>
    public const string DiagnosticWorkspaceId = "diagnosticSetting.workspaceId";
    /// <summary>How a Flex Consumption app reads its deployment package.</summary>
    public const string DeploymentStorageAuthentication = "deploymentStorageAuthentication";
    /// <summary>A trigger's connection prefix (an app setting name).</summary>
    public const string Connection = "connection";
    /// <summary>A connection setting name.</summary>
    public const string ConnectionSetting = "connectionSetting";
    /// <summary>App setting names, comma separated.</summary>
    public const string AppSettingNames = "appSettingNames";
    /// <summary>The Cosmos DB trigger's lease container (its LeaseContainerName; a design value, not an app setting).</summary>
    public const string LeaseContainerName = "leaseContainerName";
    /// <summary>The lease container's database (the trigger's LeaseDatabaseName), when known.</summary>
    public const string LeaseDatabaseName = "leaseDatabaseName";
    /// <summary>The trigger's LeaseContainerPrefix: unique per function, so triggers sharing a lease container each get every change.</summary>
    public const string LeaseContainerPrefix = "leaseContainerPrefix";
    /// <summary>Provenance: the AWS policies that granted the item.</summary>
    public const string GrantedBy = "grantedBy";
    /// <summary>Provenance: the trigger the item serves.</summary>
    public const string Trigger = "trigger";
    /// <summary>Informational: the credential kind.</summary>
    public const string Credential = "credential";
    /// <summary>Informational: the item came from a wildcard grant.</summary>
    public const string FromWildcard = "fromWildcard";
    /// <summary>Informational: the Azure resource type of the scope.</summary>
    public const string ScopeResourceType = "scopeResourceType";
    /// <summary>Informational: a proposed wider scope level.</summary>
    public const string ProposedScopeLevel = "proposedScopeLevel";
    /// <summary>Informational: the AWS condition the grant carried.</summary>
    public const string AwsCondition = "awsCondition";
    /// <summary>Informational: the hosting plan.</summary>
    public const string HostingPlan = "hostingPlan";
    /// <summary>Informational: others sharing the resource.</summary>
    public const string SharedWith = "sharedWith";
    /// <summary>Scopes the code must check (not visible in the resource state).</summary>
    public const string RequiredScopes = "requiredScopes";
    /// <summary>An API key requirement.</summary>
    public const string ApiKey = "apiKey";
    /// <summary>The front that alone may reach the app (Azure Front Door Premium), for an origin that only a CDN reached on AWS.</summary>
    public const string FrontDoor = "frontDoor";
    /// <summary>The service tag the app's access restrictions allow (AzureFrontDoor.Backend) when Private Link is not used.</summary>
    public const string AccessRestrictionServiceTag = "accessRestriction.serviceTag";
    /// <summary>The header the access restriction also checks (X-Azure-FDID: the Front Door profile's ID).</summary>
    public const string AccessRestrictionHeader = "accessRestriction.header";

    /// <summary>Keys that record where a design came from, not something to configure.</summary>
    public static readonly IReadOnlyCollection<string> Provenance = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { GrantedBy, Trigger };

    /// <summary>Keys on an authentication item that describe the design rather than Azure state.</summary>
    public static readonly IReadOnlyCollection<string> Informational = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        FunctionName, Trigger, Credential, GrantedBy, FromWildcard, ScopeResourceType, ProposedScopeLevel, AwsCondition, HostingPlan, SharedWith,
        // On the app's authentication item the role names what callers need; each caller's own item checks that it holds it.
        AppRole,
        // The Front Door in front of the app and its private access are deployed and checked outside App Service authentication.
        FrontDoor, AccessRestrictionServiceTag, AccessRestrictionHeader,
    };

    /// <summary>Keys compared with App Service authentication (authsettingsV2).</summary>
    public static readonly IReadOnlyList<string> AppAuthentication = new[]
        { RequireAuthentication, Issuer, AllowedAudiences, AllowedApplications, ClientId, UnauthenticatedClientAction, IdentityProvider, AppRoleAssignmentRequired };
}

/// <summary>What parity is asked to verify for one mapping record: the discriminator of <see cref="ParityCheck"/>.</summary>
public enum ParityCheckKind
{
    /// <summary>An AWS-side role: not in the Azure state.</summary>
    AwsSide,
    /// <summary>Nothing is designed (NotApplicable).</summary>
    NothingDesigned,
    /// <summary>A managed identity on the function app.</summary>
    ManagedIdentity,
    /// <summary>An Entra app role held by a caller.</summary>
    AppRoleGrant,
    /// <summary>HTTP authLevel, App Service authentication and CORS.</summary>
    Authentication,
    /// <summary>An Azure RBAC or Cosmos DB SQL role assignment (or PIM eligibility).</summary>
    RoleAssignment,
    /// <summary>Federated credentials of a pipeline identity.</summary>
    FederatedCredential,
    /// <summary>Diagnostic settings sending designed log categories.</summary>
    DiagnosticSettings,
    /// <summary>How a Flex Consumption app reads its deployment package.</summary>
    DeploymentStorage,
    /// <summary>App settings (names only) that must exist.</summary>
    AppSettings,
    /// <summary>The record names nothing the Azure state could show.</summary>
    NotCheckable,
}

/// <summary>The typed contract between the mapper and parity: a discriminator and the fields that kind of check needs.</summary>
public sealed record ParityCheck
{
    /// <summary>What is checked.</summary>
    public ParityCheckKind Kind { get; init; }
    /// <summary>For <see cref="ParityCheckKind.AppRoleGrant"/>.</summary>
    public AppRoleGrantCheck? AppRole { get; init; }
    /// <summary>For <see cref="ParityCheckKind.Authentication"/>.</summary>
    public AuthenticationCheck? Authentication { get; init; }
    /// <summary>For <see cref="ParityCheckKind.FederatedCredential"/>.</summary>
    public FederatedCredentialCheck? Federation { get; init; }
    /// <summary>For <see cref="ParityCheckKind.DiagnosticSettings"/>: log categories that must be sent.</summary>
    public IReadOnlyList<string> DiagnosticCategories { get; init; } = Array.Empty<string>();
    /// <summary>For <see cref="ParityCheckKind.DeploymentStorage"/>: the designed authentication type.</summary>
    public string? DeploymentStorageAuthentication { get; init; }
    /// <summary>For <see cref="ParityCheckKind.AppSettings"/>: app setting names that must exist (empty: nothing the state can show).</summary>
    public IReadOnlyList<string> AppSettingNames { get; init; } = Array.Empty<string>();

    /// <summary>Reads what a mapping record asks parity to verify.</summary>
    public static ParityCheck Of(AzRoleMapping m)
    {
        if (m is null) throw new ArgumentNullException(nameof(m));
        var s = m.Settings;
        bool HasRole() => !string.IsNullOrEmpty(m.RoleDefinitionName) || !string.IsNullOrEmpty(m.RoleDefinitionId);
        if (m.Kind == MappingKind.AwsFederatedRole) return new ParityCheck { Kind = ParityCheckKind.AwsSide };
        if (m.Strategy == MappingStrategy.NotNeeded && !HasRole() && s.Keys.All(k => SettingKeys.Provenance.Contains(k)))
            return new ParityCheck { Kind = ParityCheckKind.NothingDesigned };
        if (m.Kind == MappingKind.ManagedIdentity) return new ParityCheck { Kind = ParityCheckKind.ManagedIdentity };
        if (m.Kind == MappingKind.Authentication && IsAppRoleGrant(m))
            return new ParityCheck
            {
                Kind = ParityCheckKind.AppRoleGrant,
                AppRole = new AppRoleGrantCheck { Role = s[SettingKeys.AppRole], CalleeFunctionAppName = s.TryGetValue(SettingKeys.CalleeFunctionAppName, out var callee) ? callee : m.FunctionAppName },
            };
        if (m.Kind == MappingKind.Authentication) return new ParityCheck { Kind = ParityCheckKind.Authentication, Authentication = AuthenticationCheck.Of(s) };
        if (HasRole()) return new ParityCheck { Kind = ParityCheckKind.RoleAssignment };
        if (s.ContainsKey(SettingKeys.FederatedCredentialSubject))
            return new ParityCheck { Kind = ParityCheckKind.FederatedCredential, Federation = FederatedCredentialCheck.Of(s) };
        if (!s.Keys.Any(k => !SettingKeys.Provenance.Contains(k))) return new ParityCheck { Kind = ParityCheckKind.NotCheckable };
        if (s.TryGetValue(SettingKeys.DiagnosticCategories, out var categories))
            return new ParityCheck { Kind = ParityCheckKind.DiagnosticSettings, DiagnosticCategories = SplitList(categories) };
        if (s.TryGetValue(SettingKeys.DeploymentStorageAuthentication, out var deploymentAuth))
            return new ParityCheck { Kind = ParityCheckKind.DeploymentStorage, DeploymentStorageAuthentication = deploymentAuth };
        var names = new List<string>();
        foreach (var kv in s)
        {
            var k = kv.Key;
            // Keys that name app settings: the trigger's connection prefix, or settings written as KEY__property.
            if (k.Equals(SettingKeys.Connection, StringComparison.OrdinalIgnoreCase) || k.Equals(SettingKeys.ConnectionSetting, StringComparison.OrdinalIgnoreCase)
                || k.EndsWith("SettingName", StringComparison.OrdinalIgnoreCase) || k.Equals(SettingKeys.AppSettingNames, StringComparison.OrdinalIgnoreCase))
                names.AddRange(kv.Value.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(x => x.Trim()));
            else if (k.IndexOf("__", StringComparison.Ordinal) > 0 || IsAppSettingName(k)) names.Add(k);
        }
        return new ParityCheck { Kind = ParityCheckKind.AppSettings, AppSettingNames = names };
    }

    /// <summary>An app role granted to a principal: a person's or pipeline's Entra object, or a calling function's identity.</summary>
    private static bool IsAppRoleGrant(AzRoleMapping m)
        => m.Settings.ContainsKey(SettingKeys.AppRole) && !m.Settings.ContainsKey(SettingKeys.RequireAuthentication)
           && (!string.IsNullOrEmpty(m.ObjectId) || !string.IsNullOrEmpty(m.IdentityType) || !string.IsNullOrEmpty(m.PrincipalName));

    // An app setting's name as the Functions host reads it (APPLICATIONINSIGHTS_CONNECTION_STRING, WEBSITE_RUN_FROM_PACKAGE).
    private static bool IsAppSettingName(string key)
        => key.Length > 1 && key.IndexOf('_') > 0 && key.All(c => (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');

    internal static List<string> SplitList(string value) => value.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()).ToList();
}

/// <summary>A caller's app role on a function app's registration.</summary>
public sealed record AppRoleGrantCheck
{
    /// <summary>The app role's value (Function.Invoke).</summary>
    public string Role { get; init; } = "";
    /// <summary>The function app whose registration defines the role.</summary>
    public string CalleeFunctionAppName { get; init; } = "";
}

/// <summary>What an end-user authentication item designs: authLevel, App Service authentication, CORS.</summary>
public sealed record AuthenticationCheck
{
    /// <summary>Designed HTTP authLevel, or null.</summary>
    public string? AuthLevel { get; init; }
    /// <summary>The one function the authLevel applies to; null: every HTTP function of the app.</summary>
    public string? FunctionName { get; init; }
    /// <summary>True when any App Service authentication setting is designed.</summary>
    public bool ChecksAppAuthentication { get; init; }
    /// <summary>The designed requireAuthentication as written (true/false), or null.</summary>
    public string? RequireAuthentication { get; init; }
    /// <summary>The designed identity provider, or null.</summary>
    public string? IdentityProvider { get; init; }
    /// <summary>The designed issuer, or null.</summary>
    public string? Issuer { get; init; }
    /// <summary>Designed allowed audiences (comma separated), or null.</summary>
    public string? AllowedAudiences { get; init; }
    /// <summary>Designed allowed applications (comma separated), or null.</summary>
    public string? AllowedApplications { get; init; }
    /// <summary>Designed client id, or null.</summary>
    public string? ClientId { get; init; }
    /// <summary>Designed unauthenticated client action, or null.</summary>
    public string? UnauthenticatedClientAction { get; init; }
    /// <summary>Only holders of the invoke app role may call.</summary>
    public bool AppRoleAssignmentRequired { get; init; }
    /// <summary>Designed CORS allowed origins (comma separated), or null.</summary>
    public string? CorsAllowedOrigins { get; init; }
    /// <summary>The app role callers need, when named (informational: each caller's own item checks it).</summary>
    public string? AppRole { get; init; }
    /// <summary>Designed settings the Azure resource state cannot show (scopes enforced in code, API keys): never passed.</summary>
    public IReadOnlyList<string> NotVerifiable { get; init; } = Array.Empty<string>();

    internal static AuthenticationCheck Of(IReadOnlyDictionary<string, string> raw)
    {
        var s = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var kv in raw) s[kv.Key] = kv.Value;
        string? Get(string k) => s.TryGetValue(k, out var v) ? v : null;
        return new AuthenticationCheck
        {
            AuthLevel = Get(SettingKeys.AuthLevel),
            FunctionName = Get(SettingKeys.FunctionName),
            ChecksAppAuthentication = SettingKeys.AppAuthentication.Any(s.ContainsKey),
            RequireAuthentication = Get(SettingKeys.RequireAuthentication),
            IdentityProvider = Get(SettingKeys.IdentityProvider),
            Issuer = Get(SettingKeys.Issuer),
            AllowedAudiences = Get(SettingKeys.AllowedAudiences),
            AllowedApplications = Get(SettingKeys.AllowedApplications),
            ClientId = Get(SettingKeys.ClientId),
            UnauthenticatedClientAction = Get(SettingKeys.UnauthenticatedClientAction),
            AppRoleAssignmentRequired = Get(SettingKeys.AppRoleAssignmentRequired) == "true",
            CorsAllowedOrigins = Get(SettingKeys.CorsAllowedOrigins),
            AppRole = Get(SettingKeys.AppRole),
            NotVerifiable = s.Keys.Where(k => !k.Equals(SettingKeys.AuthLevel, StringComparison.OrdinalIgnoreCase) && !k.Equals(SettingKeys.CorsAllowedOrigins, StringComparison.OrdinalIgnoreCase)
                                              && !SettingKeys.Informational.Contains(k) && !SettingKeys.AppAuthentication.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList(),
        };
    }
}

/// <summary>A pipeline identity's designed federated credentials.</summary>
public sealed record FederatedCredentialCheck
{
    /// <summary>Accepted issuers.</summary>
    public IReadOnlyList<string> Issuers { get; init; } = Array.Empty<string>();
    /// <summary>Subjects that must be accepted (a * or ? makes a pattern).</summary>
    public IReadOnlyList<string> Subjects { get; init; } = Array.Empty<string>();
    /// <summary>The audience the credentials must accept.</summary>
    public string Audience { get; init; } = DefaultAudience;

    /// <summary>Entra's audience for workload identity federation.</summary>
    public const string DefaultAudience = "api://AzureADTokenExchange";

    internal static FederatedCredentialCheck Of(IReadOnlyDictionary<string, string> s)
    {
        List<string> Values(string key) => s.TryGetValue(key, out var v) ? v.Split(',').Select(x => x.Trim()).Where(x => x.Length > 0).ToList() : new List<string>();
        return new FederatedCredentialCheck
        {
            Issuers = Values(SettingKeys.FederatedCredentialIssuer),
            Subjects = Values(SettingKeys.FederatedCredentialSubject),
            Audience = s.TryGetValue(SettingKeys.FederatedCredentialAudience, out var aud) && aud.Length > 0 ? aud : DefaultAudience,
        };
    }
}

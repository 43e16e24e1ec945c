using System;
using System.Collections.Generic;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Azure;

/// <summary>The parts of the Azure state a reader fills; an area that could not be read makes parity Unverifiable.</summary>
public enum AzureStateArea
{
    /// <summary>Role definitions (built-in and custom).</summary>
    RoleDefinitions,
    /// <summary>Azure RBAC role assignments.</summary>
    RoleAssignments,
    /// <summary>Function apps (sites) and their managed identities.</summary>
    Sites,
    /// <summary>User-assigned managed identities.</summary>
    UserAssignedIdentities,
    /// <summary>App Service authentication (authsettingsV2).</summary>
    AuthSettings,
    /// <summary>Functions and their trigger bindings (authLevel).</summary>
    Functions,
    /// <summary>Cosmos DB SQL (data-plane) role assignments.</summary>
    CosmosSqlRoleAssignments,
    /// <summary>App setting names (values are never read into the state).</summary>
    AppSettings,
    /// <summary>Diagnostic settings of the function apps (az monitor diagnostic-settings list).</summary>
    DiagnosticSettings,
    /// <summary>Entra service principals and their app role assignments (Microsoft Graph exports the user made).</summary>
    EntraAppRoles,
    /// <summary>Privileged Identity Management eligibility: Microsoft.Authorization/roleEligibilitySchedules (or their instances).</summary>
    RoleEligibilitySchedules,
    /// <summary>Federated identity credentials (workload identity federation) of user-assigned identities and app registrations.</summary>
    FederatedCredentials,
}

/// <summary>A federated identity credential: which external tokens (issuer, subject, audiences) an identity accepts.</summary>
public sealed class AzureFederatedCredential
{
    /// <summary>Its id (ARM resource id, or the Graph object id).</summary>
    public string Id { get; set; } = "";
    /// <summary>Its name.</summary>
    public string Name { get; set; } = "";
    /// <summary>
    /// Who holds it, lower case: the user-assigned identity's resource id (ARM), or the object id / app id the export was
    /// named after (Graph: &lt;id&gt;.federated-credentials.json, or the @odata.context of a Graph list).
    /// </summary>
    public string Owner { get; set; } = "";
    /// <summary>The token issuer, e.g. https://token.actions.githubusercontent.com.</summary>
    public string Issuer { get; set; } = "";
    /// <summary>The exact subject, e.g. repo:org/repo:ref:refs/heads/main.</summary>
    public string Subject { get; set; } = "";
    /// <summary>The accepted audiences.</summary>
    public IReadOnlyList<string> Audiences { get; set; } = Array.Empty<string>();
    /// <summary>Where it was read.</summary>
    public SourceLocation? Source { get; set; }
}

/// <summary>An Entra service principal (Microsoft Graph servicePrincipal): the function app's registration.</summary>
public sealed class EntraServicePrincipal
{
    /// <summary>Its object id (lower case).</summary>
    public string Id { get; set; } = "";
    /// <summary>The application (client) id.</summary>
    public string? AppId { get; set; }
    /// <summary>Its display name.</summary>
    public string? DisplayName { get; set; }
    /// <summary>App roles it defines: value (e.g. Function.Invoke) to id.</summary>
    public Dictionary<string, string> AppRoles { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Where it was read.</summary>
    public SourceLocation? Source { get; set; }
}

/// <summary>An app role assignment (Microsoft Graph appRoleAssignment): a principal holds a role of a resource's app.</summary>
public sealed class EntraAppRoleAssignment
{
    /// <summary>The assignment's id.</summary>
    public string Id { get; set; } = "";
    /// <summary>The app role's id.</summary>
    public string AppRoleId { get; set; } = "";
    /// <summary>The holder's object id (lower case).</summary>
    public string PrincipalId { get; set; } = "";
    /// <summary>The holder's display name.</summary>
    public string? PrincipalDisplayName { get; set; }
    /// <summary>The holder's type (User, Group, ServicePrincipal).</summary>
    public string? PrincipalType { get; set; }
    /// <summary>The resource service principal's object id (lower case).</summary>
    public string ResourceId { get; set; } = "";
    /// <summary>Where it was read.</summary>
    public SourceLocation? Source { get; set; }
}

/// <summary>An Azure role definition: its name and permissions.</summary>
public sealed class AzureRoleDefinition
{
    /// <summary>The GUID (lower case).</summary>
    public string Id { get; set; } = "";
    /// <summary>The role name, e.g. Storage Blob Data Reader.</summary>
    public string RoleName { get; set; } = "";
    /// <summary>BuiltInRole or CustomRole.</summary>
    public string? RoleType { get; set; }
    /// <summary>Control-plane actions.</summary>
    public IReadOnlyList<string> Actions { get; set; } = Array.Empty<string>();
    /// <summary>Control-plane actions excluded.</summary>
    public IReadOnlyList<string> NotActions { get; set; } = Array.Empty<string>();
    /// <summary>Data-plane actions.</summary>
    public IReadOnlyList<string> DataActions { get; set; } = Array.Empty<string>();
    /// <summary>Data-plane actions excluded.</summary>
    public IReadOnlyList<string> NotDataActions { get; set; } = Array.Empty<string>();
}

/// <summary>Which access system an assignment belongs to.</summary>
public enum AzureAssignmentSystem
{
    /// <summary>Microsoft.Authorization/roleAssignments.</summary>
    Rbac,
    /// <summary>Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments.</summary>
    CosmosSql,
}

/// <summary>One role assignment as read from Azure, an export or a template.</summary>
public sealed class AzureRoleAssignment
{
    /// <summary>The assignment's resource id (or its template name).</summary>
    public string Id { get; set; } = "";
    /// <summary>RBAC or Cosmos DB SQL.</summary>
    public AzureAssignmentSystem System { get; set; }
    /// <summary>The scope (a resource id, as read).</summary>
    public string Scope { get; set; } = "";
    /// <summary>The role definition GUID (lower case), or an unresolved template expression.</summary>
    public string RoleDefinitionId { get; set; } = "";
    /// <summary>The role name when the export carries it.</summary>
    public string? RoleDefinitionName { get; set; }
    /// <summary>The principal's object id (lower case), or null when a template refers to an identity symbolically.</summary>
    public string? PrincipalId { get; set; }
    /// <summary>A symbolic principal from a template: "system:&lt;site&gt;" or "user:&lt;identity&gt;" (lower case).</summary>
    public string? PrincipalRef { get; set; }
    /// <summary>The principal's display name when the export carries it (az CLI fills it from the directory).</summary>
    public string? PrincipalName { get; set; }
    /// <summary>ServicePrincipal, User, Group.</summary>
    public string? PrincipalType { get; set; }
    /// <summary>True when the scope, role or principal is a template expression that could not be resolved.</summary>
    public bool HasUnresolvedToken { get; set; }
    /// <summary>Where it was read.</summary>
    public SourceLocation? Source { get; set; }
    /// <summary>For a PIM eligibility: its status as read (Provisioned when in force); null for assignments.</summary>
    public string? Status { get; set; }
    /// <summary>For a PIM eligibility: when it ends (null: permanently eligible).</summary>
    public DateTimeOffset? EndDateTime { get; set; }
    /// <summary>When the assignment was last changed (updatedOn, else createdOn), when the export carries it.</summary>
    public DateTimeOffset? ChangedOn { get; set; }
    /// <summary>Set when two exports disagree about this assignment: parity judges nothing on it (Unverifiable), and says why.</summary>
    public string? Conflict { get; set; }
}

/// <summary>One export file read: the subscriptions its resources lie in and, where the format has it, its newest change.</summary>
public sealed class AzureExportFile
{
    /// <summary>The file.</summary>
    public string File { get; set; } = "";
    /// <summary>Subscription ids (lower case) of the resources and scopes it holds.</summary>
    public HashSet<string> Subscriptions { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>The newest updatedOn/createdOn of its role assignments, when any.</summary>
    public DateTimeOffset? NewestChange { get; set; }
}

/// <summary>A user-assigned managed identity.</summary>
public sealed class AzureUserAssignedIdentity
{
    /// <summary>Its resource id.</summary>
    public string Id { get; set; } = "";
    /// <summary>Its name.</summary>
    public string Name { get; set; } = "";
    /// <summary>Its principal (object) id, lower case; null in templates.</summary>
    public string? PrincipalId { get; set; }
    /// <summary>The Entra tenant of the identity (identity.tenantId / properties.tenantId), when the export gives it.</summary>
    public string? TenantId { get; set; }
    /// <summary>Its client id.</summary>
    public string? ClientId { get; set; }
    /// <summary>Where it was read.</summary>
    public SourceLocation? Source { get; set; }
}

/// <summary>App Service authentication settings (authsettingsV2), the parts parity compares.</summary>
public sealed class AzureAuthSettings
{
    /// <summary>1 for classic authsettings, 2 for authsettingsV2 (which wins when both are read).</summary>
    public int Version { get; set; } = 2;
    /// <summary>platform.enabled.</summary>
    public bool Enabled { get; set; }
    /// <summary>globalValidation.requireAuthentication.</summary>
    public bool RequireAuthentication { get; set; }
    /// <summary>globalValidation.unauthenticatedClientAction.</summary>
    public string? UnauthenticatedClientAction { get; set; }
    /// <summary>The Entra ID provider is enabled.</summary>
    public bool AzureActiveDirectoryEnabled { get; set; }
    /// <summary>The Entra ID provider's issuer (openIdIssuer).</summary>
    public string? Issuer { get; set; }
    /// <summary>The Entra ID provider's client id.</summary>
    public string? ClientId { get; set; }
    /// <summary>Allowed audiences of every enabled provider.</summary>
    public IReadOnlyList<string> AllowedAudiences { get; set; } = Array.Empty<string>();
    /// <summary>Allowed client applications (Entra ID defaultAuthorizationPolicy).</summary>
    public IReadOnlyList<string> AllowedApplications { get; set; } = Array.Empty<string>();
    /// <summary>Where it was read.</summary>
    public SourceLocation? Source { get; set; }
}

/// <summary>One function of a function app with its HTTP trigger authLevel.</summary>
public sealed class AzureFunction
{
    /// <summary>The function's name (without the app prefix).</summary>
    public string Name { get; set; } = "";
    /// <summary>The HTTP trigger's authLevel (anonymous, function, admin), or null for other triggers.</summary>
    public string? AuthLevel { get; set; }
    /// <summary>The trigger binding type, e.g. httpTrigger.</summary>
    public string? TriggerType { get; set; }
    /// <summary>Where it was read.</summary>
    public SourceLocation? Source { get; set; }
}

/// <summary>A function app (Microsoft.Web/sites) with its identities, authentication, functions and setting names.</summary>
public sealed class AzureSite
{
    /// <summary>The Entra tenant of the app's identity (identity.tenantId), when the export gives it.</summary>
    public string? TenantId { get; set; }
    /// <summary>Its resource id.</summary>
    public string Id { get; set; } = "";
    /// <summary>Its name.</summary>
    public string Name { get; set; } = "";
    /// <summary>Its kind, e.g. functionapp,linux.</summary>
    public string? Kind { get; set; }
    /// <summary>Identity type as ARM writes it: None, SystemAssigned, UserAssigned, "SystemAssigned, UserAssigned"; null when not read.</summary>
    public string? IdentityType { get; set; }
    /// <summary>The system-assigned identity's principal id (lower case).</summary>
    public string? PrincipalId { get; set; }
    /// <summary>Attached user-assigned identities: resource id to principal id (lower case; null when not known).</summary>
    public Dictionary<string, string?> UserAssignedIdentities { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Authentication settings, when read.</summary>
    public AzureAuthSettings? Auth { get; set; }
    /// <summary>Functions, when read.</summary>
    public List<AzureFunction>? Functions { get; set; }
    /// <summary>App setting names, when read. Values are never kept.</summary>
    public HashSet<string>? AppSettingNames { get; set; }
    /// <summary>Where the diagnostic settings were read (the first export that held them).</summary>
    public SourceLocation? DiagnosticsSource { get; set; }
    /// <summary>Where the app setting names were read, when a file of their own held them.</summary>
    public SourceLocation? AppSettingsSource { get; set; }
    /// <summary>siteConfig.cors.allowedOrigins; null when the site's configuration was not part of the state.</summary>
    public List<string>? CorsAllowedOrigins { get; set; }
    /// <summary>Log categories (and category groups such as allLogs, audit) some diagnostic setting of the app sends; null when none was read.</summary>
    public HashSet<string>? DiagnosticLogCategories { get; set; }
    /// <summary>Flex Consumption: functionAppConfig.deployment.storage.authentication.type; null when not in the state.</summary>
    public string? DeploymentStorageAuthentication { get; set; }
    /// <summary>Where the site was read.</summary>
    public SourceLocation? Source { get; set; }
}

/// <summary>Something that could not be read, for one function app or for everything.</summary>
public sealed class AzureUnreadable
{
    /// <summary>The area.</summary>
    public AzureStateArea Area { get; set; }
    /// <summary>The function app it concerns, or null when the whole area is affected.</summary>
    public string? SiteName { get; set; }
    /// <summary>Why (the error message).</summary>
    public string Reason { get; set; } = "";
    /// <summary>The file or URL.</summary>
    public string Target { get; set; } = "";
}

/// <summary>A snapshot of the Azure side: what parity compares the mappings with.</summary>
public sealed class AzureState
{
    /// <summary>Role definitions by GUID (lower case).</summary>
    public Dictionary<string, AzureRoleDefinition> RoleDefinitions { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Role assignments (RBAC and Cosmos DB SQL).</summary>
    public List<AzureRoleAssignment> RoleAssignments { get; } = new();
    /// <summary>PIM eligible assignments (roleEligibilitySchedules): access a principal can activate, not standing access.</summary>
    public List<AzureRoleAssignment> RoleEligibilities { get; } = new();
    /// <summary>Federated identity credentials of user-assigned identities and app registrations.</summary>
    public List<AzureFederatedCredential> FederatedCredentials { get; } = new();
    /// <summary>Owners (lower case: identity resource ids or names, object or app ids) whose credentials were read, even when none.</summary>
    public HashSet<string> FederatedCredentialOwnersRead { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Entra service principals by object id.</summary>
    public Dictionary<string, EntraServicePrincipal> ServicePrincipals { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Entra app role assignments.</summary>
    public List<EntraAppRoleAssignment> AppRoleAssignments { get; } = new();
    /// <summary>Function apps by name (case-insensitive).</summary>
    public Dictionary<string, AzureSite> Sites { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>User-assigned identities by resource id (case-insensitive).</summary>
    public Dictionary<string, AzureUserAssignedIdentity> UserAssignedIdentities { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>What could not be read.</summary>
    public List<AzureUnreadable> Unreadable { get; } = new();
    /// <summary>Mapping ids a template says it does not deploy (its metadata.notDeployed), with the template's note.</summary>
    public Dictionary<string, string> NotDeployed { get; } = new(StringComparer.Ordinal);
    /// <summary>The export files read, with their subscriptions and newest change.</summary>
    public List<AzureExportFile> ExportFiles { get; } = new();
    /// <summary>Areas some input provided (an area nobody read is unverifiable too).</summary>
    public HashSet<AzureStateArea> AreasRead { get; } = new();

    /// <summary>Gets or adds the site with this name.</summary>
    public AzureSite Site(string name, string? id = null)
    {
        if (!Sites.TryGetValue(name, out var site))
        {
            site = new AzureSite { Name = name, Id = id ?? "" };
            Sites[name] = site;
        }
        if (string.IsNullOrEmpty(site.Id) && !string.IsNullOrEmpty(id)) site.Id = id!;
        return site;
    }

    /// <summary>Marks an area (for one app, or all) as unreadable.</summary>
    public void MarkUnreadable(AzureStateArea area, string? siteName, string target, string reason)
        => Unreadable.Add(new AzureUnreadable { Area = area, SiteName = siteName, Target = target, Reason = reason });

    /// <summary>Why the area could not be read for this app (or null when it was read).</summary>
    public string? WhyUnreadable(AzureStateArea area, string? siteName)
    {
        foreach (var u in Unreadable)
            if (u.Area == area && (u.SiteName is null || (siteName is not null && string.Equals(u.SiteName, siteName, StringComparison.OrdinalIgnoreCase))))
                return u.Reason + " (" + u.Target + ")";
        if (!AreasRead.Contains(area)) return "nothing was read for " + area + " (no export, template or live read holds it)";
        return null;
    }
}

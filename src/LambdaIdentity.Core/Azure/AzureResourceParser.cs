using System.Linq;
using System;
using System.Collections.Generic;
using System.Text.Json;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Azure;

/// <summary>
/// Recognises one Azure JSON object by its content (ARM REST bodies and az CLI output, which flattens
/// "properties") and adds what it holds to an <see cref="AzureState"/>. Shared by the offline and live readers.
/// App setting values are never read: only names.
/// </summary>
internal static class AzureResourceParser
{
    /// <summary>Adds one element; returns false when its shape is not recognised.</summary>
    /// <param name="e">The JSON object.</param>
    /// <param name="state">The state to fill.</param>
    /// <param name="source">Where it was read.</param>
    /// <param name="siteHint">The function app the input concerns when the JSON does not say (file name, request URL).</param>
    public static bool Apply(JsonElement e, AzureState state, SourceLocation source, string? siteHint)
    {
        if (e.ValueKind != JsonValueKind.Object) return false;
        var type = (e.Str("type") ?? "").ToLowerInvariant();
        var name = e.Str("name");
        switch (type)
        {
            case "microsoft.authorization/roleassignments": return AddRoleAssignment(e, state, source, AzureAssignmentSystem.Rbac);
            case "microsoft.documentdb/databaseaccounts/sqlroleassignments": return AddRoleAssignment(e, state, source, AzureAssignmentSystem.CosmosSql);
            case "microsoft.authorization/roledefinitions": return AddRoleDefinition(e, state);
            case "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials": return AddFederatedCredential(e, state, source, null);
            case "microsoft.authorization/roleeligibilityschedules":
            case "microsoft.authorization/roleeligibilityscheduleinstances": return AddEligibility(e, state, source);
            case "microsoft.managedidentity/userassignedidentities": return AddIdentity(e, state, source);
            case "microsoft.web/sites": return AddSite(e, state, source);
            case "microsoft.web/sites/functions": return AddFunction(e, state, source, siteHint);
            case "microsoft.insights/diagnosticsettings": return AddDiagnosticSetting(e, state, Json.SiteNameFromId(e.Str("id")) ?? siteHint);
            case "microsoft.web/sites/authsettingsv2":
                return AddAuth(e, state, source, Json.SiteNameFromId(e.Str("id")) ?? siteHint);
            case "microsoft.web/sites/authsettings":
                return AddAuthV1(e, state, source, Json.SiteNameFromId(e.Str("id")) ?? siteHint);
            case "microsoft.web/sites/config":
                if (string.Equals(name, "authsettingsV2", StringComparison.OrdinalIgnoreCase) || (name ?? "").EndsWith("/authsettingsV2", StringComparison.OrdinalIgnoreCase))
                    return AddAuth(e, state, source, Json.SiteNameFromId(e.Str("id")) ?? siteHint);
                if (string.Equals(name, "authsettings", StringComparison.OrdinalIgnoreCase) || (name ?? "").EndsWith("/authsettings", StringComparison.OrdinalIgnoreCase))
                    return AddAuthV1(e, state, source, Json.SiteNameFromId(e.Str("id")) ?? siteHint);
                if (string.Equals(name, "appsettings", StringComparison.OrdinalIgnoreCase) || (name ?? "").EndsWith("/appsettings", StringComparison.OrdinalIgnoreCase))
                    return AddAppSettingsObject(e.Props(), state, Json.SiteNameFromId(e.Str("id")) ?? siteHint);
                return false;
        }
        // Microsoft Graph objects (exported by the user; the tool itself makes no directory read).
        if (type.Length == 0 && e.Str("issuer") is not null && e.Str("subject") is not null && e.Get("audiences").ValueKind == JsonValueKind.Array)
            return AddFederatedCredential(e, state, source, siteHint);
        if (e.Str("appRoleId") is string appRoleId && e.Str("resourceId") is string resourceId && e.Str("principalId") is string holder)
        {
            state.AppRoleAssignments.Add(new EntraAppRoleAssignment
            {
                Id = e.Str("id") ?? "", AppRoleId = appRoleId.ToLowerInvariant(), PrincipalId = holder.ToLowerInvariant(), PrincipalDisplayName = e.Str("principalDisplayName"),
                PrincipalType = e.Str("principalType"), ResourceId = resourceId.ToLowerInvariant(), Source = source,
            });
            state.AreasRead.Add(AzureStateArea.EntraAppRoles);
            return true;
        }
        if (e.Str("appId") is string appId && e.Str("id") is string spId && (e.Get("appRoles").ValueKind == JsonValueKind.Array || e.Str("servicePrincipalType") is not null))
        {
            var sp = new EntraServicePrincipal { Id = spId.ToLowerInvariant(), AppId = appId.ToLowerInvariant(), DisplayName = e.Str("displayName"), Source = source };
            var roles = e.Get("appRoles");
            if (roles.ValueKind == JsonValueKind.Array)
                foreach (var r in roles.EnumerateArray())
                    if (r.Str("value") is string value && r.Str("id") is string roleId) sp.AppRoles[value] = roleId.ToLowerInvariant();
            state.ServicePrincipals[sp.Id] = sp;
            state.AreasRead.Add(AzureStateArea.EntraAppRoles);
            return true;
        }
        // Shapes without a type: az functionapp identity show, az webapp auth show (flattened), a config body.
        var props = e.Props();
        if (props.Get("globalValidation").ValueKind == JsonValueKind.Object || props.Get("identityProviders").ValueKind == JsonValueKind.Object || props.Get("platform").ValueKind == JsonValueKind.Object)
            return AddAuth(e, state, source, Json.SiteNameFromId(e.Str("id")) ?? siteHint);
        if (siteHint is not null && e.Get("principalId").ValueKind != JsonValueKind.Undefined && (e.Str("type") ?? "").IndexOf("Assigned", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            var site = state.Site(siteHint);
            ApplyIdentity(site, e);
            state.AreasRead.Add(AzureStateArea.Sites);
            return true;
        }
        return false;
    }

    /// <summary>True for an az functionapp config appsettings list entry ({name, value, slotSetting}).</summary>
    public static bool IsAppSettingEntry(JsonElement e)
        => e.ValueKind == JsonValueKind.Object && e.Get("name").ValueKind == JsonValueKind.String && e.Get("slotSetting").ValueKind is JsonValueKind.True or JsonValueKind.False;

    /// <summary>Adds app setting names from az's list (values are skipped, never copied).</summary>
    public static void AddAppSettingNames(IEnumerable<string> names, AzureState state, string site)
    {
        var s = state.Site(site);
        s.AppSettingNames ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var n in names) s.AppSettingNames.Add(n);
        state.AreasRead.Add(AzureStateArea.AppSettings);
    }

    private static bool AddAppSettingsObject(JsonElement props, AzureState state, string? site)
    {
        if (site is null || props.ValueKind != JsonValueKind.Object) return false;
        var names = new List<string>();
        foreach (var p in props.EnumerateObject()) names.Add(p.Name);
        AddAppSettingNames(names, state, site);
        return true;
    }

    private static DateTimeOffset? Date(string? text)
        => DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var d) ? d : null;

    private static bool AddRoleAssignment(JsonElement e, AzureState state, SourceLocation source, AzureAssignmentSystem system)
    {
        var p = e.Props();
        var roleId = p.Str("roleDefinitionId");
        var principal = p.Str("principalId");
        if (roleId is null || principal is null) return false;
        var id = e.Str("id") ?? e.Str("name") ?? "";
        var scope = p.Str("scope") ?? ScopeFromAssignmentId(id);
        state.RoleAssignments.Add(new AzureRoleAssignment
        {
            Id = id,
            System = system,
            Scope = scope,
            RoleDefinitionId = Json.LastSegment(roleId),
            RoleDefinitionName = p.Str("roleDefinitionName"),
            PrincipalId = principal.ToLowerInvariant(),
            PrincipalName = p.Str("principalName"),
            PrincipalType = p.Str("principalType"),
            ChangedOn = Date(p.Str("updatedOn") ?? p.Str("createdOn")),
            Source = source,
        });
        state.AreasRead.Add(system == AzureAssignmentSystem.Rbac ? AzureStateArea.RoleAssignments : AzureStateArea.CosmosSqlRoleAssignments);
        return true;
    }

    // A federated identity credential: ARM (az identity federated-credential list, REST; the owner is the identity in its
    // id) or Microsoft Graph (az ad app federated-credential list; the owner is named by the file or the list's context).
    private static bool AddFederatedCredential(JsonElement e, AzureState state, SourceLocation source, string? ownerHint)
    {
        var p = e.Props();
        var issuer = p.Str("issuer");
        var subject = p.Str("subject");
        if (issuer is null || subject is null) return false;
        var id = e.Str("id") ?? "";
        var owner = ownerHint;
        // Graph's @odata.id names the owning object: ...Microsoft.DirectoryServices.Application('<object id>')/...
        if (e.Str("@odata.id") is string odataId && Json.GraphOwner(odataId) is string graphOwner) owner = graphOwner;
        var i = id.IndexOf("/federatedIdentityCredentials/", StringComparison.OrdinalIgnoreCase);
        if (i > 0) owner = id.Substring(0, i);
        if (string.IsNullOrEmpty(owner)) return false;
        state.FederatedCredentials.Add(new AzureFederatedCredential
        {
            Id = id, Name = e.Str("name") ?? "", Owner = owner!.ToLowerInvariant(), Issuer = issuer, Subject = subject,
            Audiences = p.Strings("audiences").ToList(), Source = source,
        });
        state.AreasRead.Add(AzureStateArea.FederatedCredentials);
        state.FederatedCredentialOwnersRead.Add(owner.ToLowerInvariant());
        return true;
    }

    // A PIM eligible assignment (az rest of roleEligibilitySchedules or roleEligibilityScheduleInstances, the REST body, or
    // Get-AzRoleEligibilitySchedule | ConvertTo-Json with its flat properties).
    private static bool AddEligibility(JsonElement e, AzureState state, SourceLocation source)
    {
        var p = e.Props();
        var roleId = p.Str("roleDefinitionId");
        var principal = p.Str("principalId");
        if (roleId is null || principal is null) return false;
        var id = e.Str("id") ?? e.Str("name") ?? "";
        var scope = p.Str("scope") ?? p.Path("expandedProperties", "scope").Str("id");
        if (scope is null)
        {
            var i = id.IndexOf("/providers/Microsoft.Authorization/roleEligibilitySchedule", StringComparison.OrdinalIgnoreCase);
            scope = i > 0 ? id.Substring(0, i) : "";
        }
        DateTimeOffset? end = null;
        var status = p.Str("status");
        if (p.Str("endDateTime") is { Length: > 0 } text)
        {
            if (TryParseDate(text, out var parsed)) end = parsed;
            else status = "end date unreadable (" + text + ")"; // never taken as permanent: not in force
        }
        // The expanded display name only when it is of the same role (REST examples exist where the two disagree).
        var expandedRole = p.Path("expandedProperties", "roleDefinition");
        state.RoleEligibilities.Add(new AzureRoleAssignment
        {
            Id = id, System = AzureAssignmentSystem.Rbac, Scope = scope, RoleDefinitionId = Json.LastSegment(roleId).ToLowerInvariant(),
            RoleDefinitionName = expandedRole.Str("displayName") is { } shown && Json.LastSegment(expandedRole.Str("id")).Equals(Json.LastSegment(roleId), StringComparison.OrdinalIgnoreCase) ? shown : null,
            PrincipalId = principal.ToLowerInvariant(), PrincipalName = p.Path("expandedProperties", "principal").Str("displayName"), PrincipalType = p.Str("principalType"),
            Status = status, EndDateTime = end, Source = source,
        });
        state.AreasRead.Add(AzureStateArea.RoleEligibilitySchedules);
        return true;
    }

    // ISO 8601 (REST, az rest, PowerShell 7's ConvertTo-Json) or "/Date(ms)/" (Windows PowerShell 5.1's ConvertTo-Json).
    private static bool TryParseDate(string text, out DateTimeOffset value)
    {
        if (text.StartsWith("/Date(", StringComparison.Ordinal) && text.EndsWith(")/", StringComparison.Ordinal))
        {
            var inner = text.Substring(6, text.Length - 8);
            var cut = inner.IndexOfAny(new[] { '+', '-' }, 1);
            if (long.TryParse(cut > 0 ? inner.Substring(0, cut) : inner, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var ms))
            {
                value = DateTimeOffset.FromUnixTimeMilliseconds(ms);
                return true;
            }
        }
        return DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out value);
    }

    /// <summary>The scope of an assignment from its id: everything before /providers/Microsoft.Authorization/roleAssignments/.</summary>
    internal static string ScopeFromAssignmentId(string id)
    {
        var i = id.IndexOf("/providers/Microsoft.Authorization/roleAssignments/", StringComparison.OrdinalIgnoreCase);
        if (i < 0) i = id.IndexOf("/sqlRoleAssignments/", StringComparison.OrdinalIgnoreCase);
        return i > 0 ? id.Substring(0, i) : i == 0 ? "/" : "";
    }

    private static bool AddRoleDefinition(JsonElement e, AzureState state)
    {
        var p = e.Props();
        var roleName = p.Str("roleName");
        var id = Json.LastSegment(e.Str("name") ?? e.Str("id"));
        if (roleName is null || id.Length == 0) return false;
        var actions = new List<string>(); var notActions = new List<string>(); var data = new List<string>(); var notData = new List<string>();
        var perms = p.Get("permissions");
        if (perms.ValueKind == JsonValueKind.Array)
            foreach (var perm in perms.EnumerateArray())
            {
                actions.AddRange(perm.Strings("actions")); notActions.AddRange(perm.Strings("notActions"));
                data.AddRange(perm.Strings("dataActions")); notData.AddRange(perm.Strings("notDataActions"));
            }
        state.RoleDefinitions[id] = new AzureRoleDefinition
        {
            Id = id, RoleName = roleName, RoleType = p.Str("roleType") ?? p.Str("type"),
            Actions = actions, NotActions = notActions, DataActions = data, NotDataActions = notData,
        };
        state.AreasRead.Add(AzureStateArea.RoleDefinitions);
        return true;
    }

    private static bool AddIdentity(JsonElement e, AzureState state, SourceLocation source)
    {
        var p = e.Props();
        var id = e.Str("id") ?? "";
        var name = e.Str("name") ?? Json.LastSegment(id);
        state.UserAssignedIdentities[id.Length > 0 ? id : name] = new AzureUserAssignedIdentity
        {
            Id = id, Name = name, PrincipalId = p.Str("principalId")?.ToLowerInvariant(), ClientId = p.Str("clientId"), TenantId = p.Str("tenantId")?.ToLowerInvariant(), Source = source,
        };
        state.AreasRead.Add(AzureStateArea.UserAssignedIdentities);
        return true;
    }

    private static bool AddSite(JsonElement e, AzureState state, SourceLocation source)
    {
        var name = e.Str("name");
        if (name is null) return false;
        var site = state.Site(name, e.Str("id"));
        site.Kind ??= e.Str("kind");
        site.Source ??= source;
        var identity = e.Get("identity");
        if (identity.ValueKind == JsonValueKind.Object) ApplyIdentity(site, identity);
        else site.IdentityType ??= "None";
        // Flex Consumption: how the app reads its deployment package.
        var deploymentAuth = e.Props().Path("functionAppConfig", "deployment", "storage", "authentication").Str("type");
        if (deploymentAuth is not null) site.DeploymentStorageAuthentication = deploymentAuth;
        // az functionapp show carries siteConfig (ARM REST bodies under properties); CORS is compared only when present.
        var siteConfig = e.Get("siteConfig");
        if (siteConfig.ValueKind != JsonValueKind.Object) siteConfig = e.Props().Get("siteConfig");
        if (siteConfig.ValueKind == JsonValueKind.Object)
        {
            var cors = siteConfig.Get("cors");
            if (cors.ValueKind == JsonValueKind.Object && cors.Get("allowedOrigins") is { ValueKind: JsonValueKind.Array } origins)
                site.CorsAllowedOrigins = origins.EnumerateArray().Where(o => o.ValueKind == JsonValueKind.String).Select(o => o.GetString()!).ToList();
            else if (cors.ValueKind is JsonValueKind.Null or JsonValueKind.Object) site.CorsAllowedOrigins = new List<string>(); // none allowed
        }
        state.AreasRead.Add(AzureStateArea.Sites);
        return true;
    }

    /// <summary>A diagnostic setting of a function app: the log categories (or groups) it sends, when enabled.</summary>
    private static bool AddDiagnosticSetting(JsonElement e, AzureState state, string? siteName)
    {
        if (siteName is null) return false;
        var site = state.Site(siteName);
        site.DiagnosticLogCategories ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var logs = e.Props().Get("logs");
        if (logs.ValueKind == JsonValueKind.Array)
            foreach (var l in logs.EnumerateArray())
                if (l.Bool("enabled") && (l.Str("category") ?? l.Str("categoryGroup")) is { Length: > 0 } c) site.DiagnosticLogCategories.Add(c);
        state.AreasRead.Add(AzureStateArea.DiagnosticSettings);
        return true;
    }

    /// <summary>Applies an identity block ({type, principalId, userAssignedIdentities}) to a site.</summary>
    internal static void ApplyIdentity(AzureSite site, JsonElement identity)
    {
        site.IdentityType = identity.Str("type") ?? "None";
        site.PrincipalId = identity.Str("principalId")?.ToLowerInvariant() ?? site.PrincipalId;
        site.TenantId = identity.Str("tenantId")?.ToLowerInvariant() ?? site.TenantId;
        var uai = identity.Get("userAssignedIdentities");
        if (uai.ValueKind == JsonValueKind.Object)
            foreach (var u in uai.EnumerateObject())
                site.UserAssignedIdentities[u.Name] = u.Value.ValueKind == JsonValueKind.Object ? u.Value.Str("principalId")?.ToLowerInvariant() : null;
    }

    private static bool AddFunction(JsonElement e, AzureState state, SourceLocation source, string? siteHint)
    {
        var full = e.Str("name") ?? "";
        var slash = full.IndexOf('/');
        var siteName = Json.SiteNameFromId(e.Str("id")) ?? (slash > 0 ? full.Substring(0, slash) : siteHint);
        if (siteName is null) return false;
        var fname = slash > 0 ? full.Substring(slash + 1) : full;
        var p = e.Props();
        string? authLevel = null, trigger = null;
        var bindings = p.Path("config", "bindings");
        if (bindings.ValueKind == JsonValueKind.Array)
            foreach (var b in bindings.EnumerateArray())
            {
                var bt = b.Str("type");
                if (bt is null || !bt.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase)) continue;
                trigger = bt;
                if (bt.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase)) authLevel = b.Str("authLevel") ?? "function";
            }
        var site = state.Site(siteName);
        site.Functions ??= new List<AzureFunction>();
        site.Functions.Add(new AzureFunction { Name = fname, AuthLevel = authLevel, TriggerType = trigger, Source = source });
        state.AreasRead.Add(AzureStateArea.Functions);
        return true;
    }

    /// <summary>Classic (V1) authsettings; V2 settings of the same app take precedence.</summary>
    private static bool AddAuthV1(JsonElement e, AzureState state, SourceLocation source, string? siteName)
    {
        if (siteName is null) return false;
        var p = e.Props();
        var site = state.Site(siteName);
        state.AreasRead.Add(AzureStateArea.AuthSettings);
        if (site.Auth is not null && site.Auth.Version == 2) return true;
        var enabled = p.Bool("enabled");
        var action = p.Str("unauthenticatedClientAction");
        var provider = p.Str("defaultProvider");
        site.Auth = new AzureAuthSettings
        {
            Version = 1,
            Enabled = enabled,
            RequireAuthentication = enabled && !string.Equals(action, "AllowAnonymous", StringComparison.OrdinalIgnoreCase),
            UnauthenticatedClientAction = action,
            AzureActiveDirectoryEnabled = enabled && (provider is null || provider.Equals("AzureActiveDirectory", StringComparison.OrdinalIgnoreCase)) && p.Str("clientId") is not null,
            Issuer = p.Str("issuer"),
            ClientId = p.Str("clientId"),
            AllowedAudiences = p.Strings("allowedAudiences"),
            Source = source,
        };
        return true;
    }

    private static bool AddAuth(JsonElement e, AzureState state, SourceLocation source, string? siteName)
    {
        if (siteName is null) return false;
        var p = e.Props();
        var aad = p.Path("identityProviders", "azureActiveDirectory");
        var audiences = new List<string>();
        var providers = p.Get("identityProviders");
        if (providers.ValueKind == JsonValueKind.Object)
            foreach (var prov in providers.EnumerateObject())
                if (prov.Value.Bool("enabled", true))
                    audiences.AddRange(prov.Value.Path("validation").Strings("allowedAudiences"));
        var site = state.Site(siteName);
        site.Auth = new AzureAuthSettings
        {
            Version = 2,
            Enabled = p.Get("platform").Bool("enabled"),
            RequireAuthentication = p.Get("globalValidation").Bool("requireAuthentication"),
            UnauthenticatedClientAction = p.Get("globalValidation").Str("unauthenticatedClientAction"),
            AzureActiveDirectoryEnabled = aad.ValueKind == JsonValueKind.Object && aad.Bool("enabled", true),
            Issuer = aad.Get("registration").Str("openIdIssuer"),
            ClientId = aad.Get("registration").Str("clientId"),
            AllowedAudiences = audiences,
            AllowedApplications = aad.Path("validation", "defaultAuthorizationPolicy").Strings("allowedApplications"),
            Source = source,
        };
        state.AreasRead.Add(AzureStateArea.AuthSettings);
        return true;
    }
}

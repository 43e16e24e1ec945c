using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Translation;

/// <summary>
/// Writes the deployable part of a mapping as one resource-group template: user-assigned identities, custom role
/// definitions, Azure RBAC role assignments, Cosmos DB SQL role assignments and App Service authentication settings.
/// Assignment names are deterministic: guid(scope, principal, role). Items whose scope is still a placeholder, and
/// deviations and NotNeeded items, are not deployed: they are listed in the template's metadata (ARM) or header (Bicep).
/// </summary>
public static class MappingTemplateExporter
{
    private const string RbacApi = "2022-04-01";
    private const string CosmosApi = "2024-05-15";
    private const string IdentityApi = "2023-01-31";
    private const string SitesApi = "2023-12-01";

    /// <summary>What the template holds, ready to render.</summary>
    private sealed class Plan
    {
        public List<AzRoleMapping> Identities = new();
        public List<AzRoleMapping> CustomRoles = new();
        public List<AzRoleMapping> Rbac = new();
        public List<AzRoleMapping> Cosmos = new();
        public List<AzRoleMapping> Auth = new();
        public List<string> Skipped = new();
        public List<AzRoleMapping> Diagnostics = new();
        public List<AzRoleMapping> Eligible = new(); // PIM eligibility requests for people's emergency and ad-hoc access
    }

    private const string PimApi = "2020-10-01";
    private const string EligibilityJustification = "Emergency access carried over from AWS by LambdaIdentity: ";

    /// <summary>Renders the template.</summary>
    public static string Export(IEnumerable<AzRoleMapping> mappings, TemplateFormat format)
    {
        var plan = BuildPlan(mappings);
        return format == TemplateFormat.ArmJson ? Arm(plan) : Bicep(plan);
    }

    private static Plan BuildPlan(IEnumerable<AzRoleMapping> mappings)
    {
        var p = new Plan();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var m in mappings.OrderBy(m => m.MappingId, StringComparer.Ordinal))
        {
            switch (m.Kind)
            {
                case MappingKind.ManagedIdentity when m.IdentityType == "UserAssigned":
                    if (seen.Add("id|" + m.PrincipalName)) p.Identities.Add(m);
                    break;
                // Managed identities the template knows, and people and pipelines once the resource map names their Entra
                // object (principal:<ARN>); never access designed as PIM-eligible (a template would make it standing).
                case MappingKind.RoleAssignment when m.Strategy is MappingStrategy.BuiltIn or MappingStrategy.Custom
                                                     && (m.IdentityType is null || m.RoleDefinitionId is not null && m.PrincipalType == "ServicePrincipal"):
                    if (m.IdentityType is null && m.PimEligible)
                    {
                        // Deployed as a PIM eligibility request (never a standing assignment) once the Entra object is known.
                        if (!IsDirectory(m) || m.RoleDefinitionId is null || m.Strategy != MappingStrategy.BuiltIn)
                        { p.Skipped.Add(m.MappingId + ": " + m.RoleDefinitionName + " for " + m.PrincipalName + " (PIM-eligible: name the Entra object with principal:<ARN> in the resource map to deploy it as an eligible assignment; a standing one is never made)"); break; }
                        if (m.ScopeIsPlaceholder || string.IsNullOrEmpty(m.Scope) || !m.Scope!.StartsWith("/", StringComparison.Ordinal))
                        { p.Skipped.Add(m.MappingId + ": " + m.RoleDefinitionName + " at " + m.Scope + " (fill the resource map)"); break; }
                        if (seen.Add("el|" + m.Scope + "|" + m.ObjectId + "|" + m.RoleDefinitionId)) p.Eligible.Add(m);
                        break;
                    }
                    if (m.IdentityType is null && (!IsDirectory(m) || m.RoleDefinitionId is null))
                    { p.Skipped.Add(m.MappingId + ": " + m.RoleDefinitionName + " for " + m.PrincipalName + " (create the Entra group or app registration and name its object id with principal:<ARN> in the resource map, then export again)"); break; }
                    if (m.ScopeIsPlaceholder || string.IsNullOrEmpty(m.Scope) || !m.Scope!.StartsWith("/", StringComparison.Ordinal))
                    { p.Skipped.Add(m.MappingId + ": " + m.RoleDefinitionName + " at " + m.Scope + " (fill the resource map)"); break; }
                    if (!seen.Add("ra|" + m.Scope + "|" + (IsDirectory(m) ? m.ObjectId : m.PrincipalName) + "|" + m.RoleDefinitionId)) break;
                    if (m.Strategy == MappingStrategy.Custom && seen.Add("rd|" + m.RoleDefinitionId)) p.CustomRoles.Add(m);
                    (m.RoleAssignmentType == "CosmosDbSql" ? p.Cosmos : p.Rbac).Add(m);
                    break;
                case MappingKind.Setting when m.Settings.ContainsKey("diagnosticSetting.categories"):
                    if (!m.Settings.TryGetValue("diagnosticSetting.workspaceId", out var ws) || !ws.StartsWith("/", StringComparison.Ordinal))
                    { p.Skipped.Add(m.MappingId + ": diagnostic setting of " + m.FunctionAppName + " (name the Log Analytics workspace with log-analytics in the resource map)"); break; }
                    if (seen.Add("diag|" + m.FunctionAppName)) p.Diagnostics.Add(m);
                    break;
                case MappingKind.Authentication when m.Settings.TryGetValue("requireAuthentication", out var ra) && ra == "true" && m.Surface == IdentitySurface.EndUser:
                    if (seen.Add("auth|" + m.FunctionAppName)) p.Auth.Add(m);
                    break;
                default:
                    if (m.Strategy == MappingStrategy.Deviation) p.Skipped.Add(m.MappingId + ": deviation, " + (m.Mitigation ?? m.Reason));
                    break;
            }
        }
        return p;
    }

    private static bool IsUser(AzRoleMapping m) => m.IdentityType == "UserAssigned";

    // A person's or pipeline's Entra object, named by the resource map (not a managed identity the template knows).
    private static bool IsDirectory(AzRoleMapping m) => m.IdentityType is null && Guid.TryParse(m.ObjectId, out _);

    private static string PrincipalTypeOf(AzRoleMapping m) => IsDirectory(m) && m.PrincipalType is "User" or "Group" ? m.PrincipalType! : "ServicePrincipal";

    // ---- ARM ----
    // The principal in an assignment name: the identity's resource ID (known when the deployment starts, unlike its principalId).
    private static string PrincipalKeyExpr(AzRoleMapping m) => IsDirectory(m) ? "'" + m.ObjectId + "'" : IsUser(m)
        ? "resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', '" + m.PrincipalName + "')"
        : "resourceId('Microsoft.Web/sites', '" + m.FunctionAppName + "')";

    private static string PrincipalExpr(AzRoleMapping m) => IsDirectory(m) ? "'" + m.ObjectId + "'" : IsUser(m)
        ? "reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', '" + m.PrincipalName + "'), '" + IdentityApi + "').principalId"
        : "reference(resourceId('Microsoft.Web/sites', '" + m.FunctionAppName + "'), '" + SitesApi + "', 'full').identity.principalId";

    private static string Arm(Plan p)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("$schema", "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#");
            w.WriteString("contentVersion", "1.0.0.0");
            w.WriteStartObject("metadata");
            w.WriteString("generator", "LambdaIdentity Export-AzRoleMappingTemplate");
            w.WriteStartArray("notDeployed"); foreach (var s in p.Skipped) w.WriteStringValue(s); w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject("parameters");
            w.WriteStartObject("location"); w.WriteString("type", "string"); w.WriteString("defaultValue", "[resourceGroup().location]"); w.WriteEndObject();
            if (p.Eligible.Count > 0)
            { w.WriteStartObject("eligibilityStart"); w.WriteString("type", "string"); w.WriteString("defaultValue", "[utcNow()]"); w.WriteEndObject(); }
            w.WriteEndObject();
            w.WriteStartArray("resources");
            foreach (var m in p.Identities)
            {
                w.WriteStartObject();
                w.WriteString("type", "Microsoft.ManagedIdentity/userAssignedIdentities");
                w.WriteString("apiVersion", IdentityApi);
                w.WriteString("name", m.PrincipalName);
                w.WriteString("location", "[parameters('location')]");
                w.WriteEndObject();
            }
            foreach (var m in p.CustomRoles)
            {
                w.WriteStartObject();
                w.WriteString("type", "Microsoft.Authorization/roleDefinitions");
                w.WriteString("apiVersion", RbacApi);
                w.WriteString("name", m.RoleDefinitionId);
                w.WriteStartObject("properties");
                w.WriteString("roleName", m.RoleDefinitionName);
                w.WriteString("description", "Exactly the operations " + string.Join(", ", m.AwsActions) + " need (LambdaIdentity).");
                w.WriteString("type", "CustomRole");
                w.WriteStartArray("permissions"); w.WriteStartObject();
                Strings(w, "actions", m.RequiredActions); Strings(w, "notActions", Array.Empty<string>());
                Strings(w, "dataActions", m.RequiredDataActions); Strings(w, "notDataActions", Array.Empty<string>());
                w.WriteEndObject(); w.WriteEndArray();
                w.WriteStartArray("assignableScopes"); w.WriteStringValue("[resourceGroup().id]"); w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            }
            foreach (var m in p.Rbac)
            {
                var principal = PrincipalExpr(m);
                var roleId = m.Strategy == MappingStrategy.Custom
                    ? "[resourceId('Microsoft.Authorization/roleDefinitions', '" + m.RoleDefinitionId + "')]"
                    : "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '" + m.RoleDefinitionId + "')]";
                w.WriteStartObject();
                w.WriteString("type", "Microsoft.Authorization/roleAssignments");
                w.WriteString("apiVersion", RbacApi);
                w.WriteString("scope", m.Scope);
                w.WriteString("name", "[guid('" + Esc(m.Scope!) + "', " + PrincipalKeyExpr(m) + ", '" + m.RoleDefinitionId + "')]");
                Depends(w, m);
                w.WriteStartObject("properties");
                w.WriteString("roleDefinitionId", roleId);
                w.WriteString("principalId", "[" + principal + "]");
                w.WriteString("principalType", PrincipalTypeOf(m));
                w.WriteString("description", Trim(m.MappingId, 1024));
                w.WriteEndObject();
                w.WriteEndObject();
            }
            foreach (var m in p.Eligible)
            {
                // Privileged Identity Management: the group may activate the role (justification, approval as the role's PIM
                // settings require); it holds nothing until it does.
                w.WriteStartObject();
                w.WriteString("type", "Microsoft.Authorization/roleEligibilityScheduleRequests");
                w.WriteString("apiVersion", PimApi);
                w.WriteString("scope", m.Scope);
                w.WriteString("name", "[guid('" + Esc(m.Scope!) + "', '" + m.ObjectId + "', '" + m.RoleDefinitionId + "', 'eligible')]");
                w.WriteStartObject("properties");
                w.WriteString("roleDefinitionId", "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '" + m.RoleDefinitionId + "')]");
                w.WriteString("principalId", m.ObjectId);
                w.WriteString("requestType", "AdminAssign");
                w.WriteString("justification", Trim(EligibilityJustification + m.MappingId, 1024));
                w.WriteStartObject("scheduleInfo");
                w.WriteString("startDateTime", "[parameters('eligibilityStart')]");
                w.WriteStartObject("expiration"); w.WriteString("type", "NoExpiration"); w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }
            foreach (var m in p.Cosmos)
            {
                var (account, scope) = CosmosScope(m.Scope!);
                var principal = PrincipalExpr(m);
                w.WriteStartObject();
                w.WriteString("type", "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments");
                w.WriteString("apiVersion", CosmosApi);
                w.WriteString("name", "[format('{0}/{1}', '" + account.Split('/').Last() + "', guid('" + Esc(scope) + "', " + PrincipalKeyExpr(m) + ", '" + m.RoleDefinitionId + "'))]");
                Depends(w, m);
                w.WriteStartObject("properties");
                w.WriteString("roleDefinitionId", account + "/sqlRoleDefinitions/" + m.RoleDefinitionId);
                w.WriteString("scope", scope);
                w.WriteString("principalId", "[" + principal + "]");
                w.WriteEndObject();
                w.WriteEndObject();
            }
            foreach (var m in p.Diagnostics)
            {
                w.WriteStartObject();
                w.WriteString("type", "Microsoft.Insights/diagnosticSettings");
                w.WriteString("apiVersion", DiagnosticsApi);
                w.WriteString("scope", "Microsoft.Web/sites/" + m.FunctionAppName);
                w.WriteString("name", DiagnosticSettingName);
                w.WriteStartObject("properties");
                w.WriteString("workspaceId", m.Settings["diagnosticSetting.workspaceId"]);
                w.WriteStartArray("logs");
                foreach (var c in Categories(m)) { w.WriteStartObject(); w.WriteString("category", c); w.WriteBoolean("enabled", true); w.WriteEndObject(); }
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            }
            foreach (var m in p.Auth)
            {
                w.WriteStartObject();
                w.WriteString("type", "Microsoft.Web/sites/config");
                w.WriteString("apiVersion", SitesApi);
                w.WriteString("name", m.FunctionAppName + "/authsettingsV2");
                w.WriteStartObject("properties");
                w.WriteStartObject("platform"); w.WriteBoolean("enabled", true); w.WriteEndObject();
                w.WriteStartObject("globalValidation");
                w.WriteBoolean("requireAuthentication", true);
                w.WriteString("unauthenticatedClientAction", m.Settings.TryGetValue("unauthenticatedClientAction", out var u) ? u : "Return401");
                w.WriteEndObject();
                w.WriteStartObject("identityProviders"); w.WriteStartObject("azureActiveDirectory");
                w.WriteBoolean("enabled", true);
                w.WriteStartObject("registration"); w.WriteString("openIdIssuer", m.Settings.TryGetValue("issuer", out var iss) ? iss : ""); w.WriteEndObject();
                w.WriteStartObject("validation");
                Strings(w, "allowedAudiences", Audiences(m));
                w.WriteEndObject();
                w.WriteEndObject(); w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private const string DiagnosticsApi = "2021-05-01-preview";
    private const string DiagnosticSettingName = "lambdaidentity-audit";

    private static IEnumerable<string> Categories(AzRoleMapping m)
        => m.Settings["diagnosticSetting.categories"].Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim());

    private static IReadOnlyList<string> Audiences(AzRoleMapping m)
        => m.Settings.TryGetValue("allowedAudiences", out var a) && a.Length > 0 ? a.Split(',') : Array.Empty<string>();

    private static void Depends(Utf8JsonWriter w, AzRoleMapping m)
    {
        var deps = new List<string>();
        if (IsUser(m)) deps.Add("[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', '" + m.PrincipalName + "')]");
        if (m.Strategy == MappingStrategy.Custom && m.RoleAssignmentType != "CosmosDbSql") deps.Add("[resourceId('Microsoft.Authorization/roleDefinitions', '" + m.RoleDefinitionId + "')]");
        if (deps.Count > 0) Strings(w, "dependsOn", deps);
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    /// <summary>Cosmos DB scope: the account ID and the data-plane scope (account, /dbs/{db} or /dbs/{db}/colls/{container}).</summary>
    internal static (string Account, string Scope) CosmosScope(string scope)
    {
        var i = scope.IndexOf("/databaseAccounts/", StringComparison.OrdinalIgnoreCase);
        if (i < 0) return (scope, scope);
        var rest = scope.Substring(i + "/databaseAccounts/".Length).Split('/');
        var account = scope.Substring(0, i) + "/databaseAccounts/" + rest[0];
        var db = rest.Length >= 3 && rest[1] is "sqlDatabases" or "dbs" ? rest[2] : null;
        var coll = rest.Length >= 5 && rest[3] is "containers" or "colls" ? rest[4] : null;
        return (account, account + (db is null ? "" : "/dbs/" + db + (coll is null ? "" : "/colls/" + coll)));
    }

    private static string Esc(string s) => s.Replace("'", "''");
    private static string Trim(string s, int max) => s.Length <= max ? s : s.Substring(0, max);

    // ---- Bicep ----
    private static string BicepPrincipalKey(AzRoleMapping m, Dictionary<string, string> symbols)
        => IsDirectory(m) ? "'" + m.ObjectId + "'" : IsUser(m) ? symbols["id|" + m.PrincipalName] + ".id" : symbols["app|" + m.FunctionAppName] + ".id";

    private static string BicepPrincipal(AzRoleMapping m, Dictionary<string, string> symbols)
        => IsDirectory(m) ? "'" + m.ObjectId + "'" : IsUser(m) ? symbols["id|" + m.PrincipalName] + ".properties.principalId" : symbols["app|" + m.FunctionAppName] + ".identity.principalId";

    private static string Bicep(Plan p)
    {
        var sb = new StringBuilder();
        var symbols = new Dictionary<string, string>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        string Symbol(string key, string hint)
        {
            if (symbols.TryGetValue(key, out var s)) return s;
            var b = new StringBuilder();
            foreach (var c in hint) b.Append(char.IsLetterOrDigit(c) ? c : '_');
            var name = b.ToString().Trim('_');
            if (name.Length == 0 || char.IsDigit(name[0])) name = "r_" + name;
            if (name.Length > 60) name = name.Substring(0, 60);
            var n = name; var k = 2;
            while (!used.Add(n)) n = name + "_" + k++;
            symbols[key] = n;
            return n;
        }
        sb.AppendLine("// Generated by LambdaIdentity Export-AzRoleMappingTemplate. Deploy to the resource group of the function apps.");
        sb.AppendLine("// Role assignment names are deterministic: guid(scope, principal, role).");
        sb.AppendLine("// Scopes are declared as existing resources of the deployment's resource group; move assignments on resources of");
        sb.AppendLine("// other resource groups into a module deployed there.");
        if (p.Skipped.Count > 0)
        {
            sb.AppendLine("// Not deployed by this template (placeholders, groups to create, deviations):");
            foreach (var s in p.Skipped) sb.AppendLine("//   " + s.Replace("\n", " "));
        }
        sb.AppendLine();
        sb.AppendLine("param location string = resourceGroup().location");
        if (p.Eligible.Count > 0) sb.AppendLine("param eligibilityStart string = utcNow()");
        sb.AppendLine();
        foreach (var m in p.Identities)
        {
            var sym = Symbol("id|" + m.PrincipalName, m.PrincipalName!);
            sb.AppendLine("resource " + sym + " 'Microsoft.ManagedIdentity/userAssignedIdentities@" + IdentityApi + "' = {");
            sb.AppendLine("  name: '" + Esc(m.PrincipalName!) + "'");
            sb.AppendLine("  location: location");
            sb.AppendLine("}");
            sb.AppendLine();
        }
        foreach (var app in p.Rbac.Concat(p.Cosmos).Where(m => !IsUser(m) && !IsDirectory(m)).Select(m => m.FunctionAppName).Concat(p.Auth.Select(a => a.FunctionAppName)).Concat(p.Diagnostics.Select(d => d.FunctionAppName)).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal))
        {
            var sym = Symbol("app|" + app, app);
            sb.AppendLine("resource " + sym + " 'Microsoft.Web/sites@" + SitesApi + "' existing = {");
            sb.AppendLine("  name: '" + Esc(app) + "'");
            sb.AppendLine("}");
            sb.AppendLine();
        }
        foreach (var m in p.CustomRoles)
        {
            var sym = Symbol("rd|" + m.RoleDefinitionId, "customRole_" + m.RoleDefinitionName);
            sb.AppendLine("resource " + sym + " 'Microsoft.Authorization/roleDefinitions@" + RbacApi + "' = {");
            sb.AppendLine("  name: '" + m.RoleDefinitionId + "'");
            sb.AppendLine("  properties: {");
            sb.AppendLine("    roleName: '" + Esc(m.RoleDefinitionName!) + "'");
            sb.AppendLine("    type: 'CustomRole'");
            sb.AppendLine("    permissions: [");
            sb.AppendLine("      {");
            sb.AppendLine("        actions: [" + string.Join(", ", m.RequiredActions.Select(a => "'" + Esc(a) + "'")) + "]");
            sb.AppendLine("        dataActions: [" + string.Join(", ", m.RequiredDataActions.Select(a => "'" + Esc(a) + "'")) + "]");
            sb.AppendLine("      }");
            sb.AppendLine("    ]");
            sb.AppendLine("    assignableScopes: [ resourceGroup().id ]");
            sb.AppendLine("  }");
            sb.AppendLine("}");
            sb.AppendLine();
        }
        var i = 0;
        foreach (var m in p.Rbac)
        {
            var target = ExistingScope(sb, m.Scope!, Symbol);
            var principal = BicepPrincipal(m, symbols);
            var roleId = m.Strategy == MappingStrategy.Custom
                ? symbols["rd|" + m.RoleDefinitionId] + ".id"
                : "subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '" + m.RoleDefinitionId + "')";
            sb.AppendLine("resource ra" + (i++).ToString(CultureInfo.InvariantCulture) + " 'Microsoft.Authorization/roleAssignments@" + RbacApi + "' = {");
            sb.AppendLine("  name: guid('" + Esc(m.Scope!) + "', " + BicepPrincipalKey(m, symbols) + ", '" + m.RoleDefinitionId + "')");
            if (target is not null) sb.AppendLine("  scope: " + target);
            sb.AppendLine("  properties: {");
            sb.AppendLine("    roleDefinitionId: " + roleId);
            sb.AppendLine("    principalId: " + principal);
            sb.AppendLine("    principalType: '" + PrincipalTypeOf(m) + "'");
            sb.AppendLine("    description: '" + Esc(Trim(m.MappingId, 1024)) + "'");
            sb.AppendLine("  }");
            sb.AppendLine("}");
            sb.AppendLine();
        }
        foreach (var m in p.Eligible)
        {
            var target = ExistingScope(sb, m.Scope!, Symbol);
            sb.AppendLine("resource pim" + (i++).ToString(CultureInfo.InvariantCulture) + " 'Microsoft.Authorization/roleEligibilityScheduleRequests@" + PimApi + "' = {");
            sb.AppendLine("  name: guid('" + Esc(m.Scope!) + "', '" + m.ObjectId + "', '" + m.RoleDefinitionId + "', 'eligible')");
            if (target is not null) sb.AppendLine("  scope: " + target);
            sb.AppendLine("  properties: {");
            sb.AppendLine("    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '" + m.RoleDefinitionId + "')");
            sb.AppendLine("    principalId: '" + m.ObjectId + "'");
            sb.AppendLine("    requestType: 'AdminAssign'");
            sb.AppendLine("    justification: '" + Esc(Trim(EligibilityJustification + m.MappingId, 1024)) + "'");
            sb.AppendLine("    scheduleInfo: { startDateTime: eligibilityStart, expiration: { type: 'NoExpiration' } }");
            sb.AppendLine("  }");
            sb.AppendLine("}");
            sb.AppendLine();
        }
        foreach (var m in p.Cosmos)
        {
            var (account, scope) = CosmosScope(m.Scope!);
            var acc = ExistingScope(sb, account, Symbol)!;
            var principal = BicepPrincipal(m, symbols);
            sb.AppendLine("resource cosmos" + (i++).ToString(CultureInfo.InvariantCulture) + " 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@" + CosmosApi + "' = {");
            sb.AppendLine("  parent: " + acc);
            sb.AppendLine("  name: guid('" + Esc(scope) + "', " + BicepPrincipalKey(m, symbols) + ", '" + m.RoleDefinitionId + "')");
            sb.AppendLine("  properties: {");
            sb.AppendLine("    roleDefinitionId: '" + Esc(account) + "/sqlRoleDefinitions/" + m.RoleDefinitionId + "'");
            sb.AppendLine("    scope: '" + Esc(scope) + "'");
            sb.AppendLine("    principalId: " + principal);
            sb.AppendLine("  }");
            sb.AppendLine("}");
            sb.AppendLine();
        }
        foreach (var m in p.Auth)
        {
            sb.AppendLine("resource auth" + (i++).ToString(CultureInfo.InvariantCulture) + " 'Microsoft.Web/sites/config@" + SitesApi + "' = {");
            sb.AppendLine("  parent: " + symbols["app|" + m.FunctionAppName]);
            sb.AppendLine("  name: 'authsettingsV2'");
            sb.AppendLine("  properties: {");
            sb.AppendLine("    platform: { enabled: true }");
            sb.AppendLine("    globalValidation: {");
            sb.AppendLine("      requireAuthentication: true");
            sb.AppendLine("      unauthenticatedClientAction: '" + (m.Settings.TryGetValue("unauthenticatedClientAction", out var u) ? u : "Return401") + "'");
            sb.AppendLine("    }");
            sb.AppendLine("    identityProviders: {");
            sb.AppendLine("      azureActiveDirectory: {");
            sb.AppendLine("        enabled: true");
            sb.AppendLine("        registration: { openIdIssuer: '" + Esc(m.Settings.TryGetValue("issuer", out var iss) ? iss : "") + "' }");
            sb.AppendLine("        validation: { allowedAudiences: [" + string.Join(", ", Audiences(m).Select(a => "'" + Esc(a) + "'")) + "] }");
            sb.AppendLine("      }");
            sb.AppendLine("    }");
            sb.AppendLine("  }");
            sb.AppendLine("}");
            sb.AppendLine();
        }
        foreach (var m in p.Diagnostics)
        {
            sb.AppendLine("resource diag" + (i++).ToString(CultureInfo.InvariantCulture) + " 'Microsoft.Insights/diagnosticSettings@" + DiagnosticsApi + "' = {");
            sb.AppendLine("  name: '" + DiagnosticSettingName + "'");
            sb.AppendLine("  scope: " + symbols["app|" + m.FunctionAppName]);
            sb.AppendLine("  properties: {");
            sb.AppendLine("    workspaceId: '" + Esc(m.Settings["diagnosticSetting.workspaceId"]) + "'");
            sb.AppendLine("    logs: [");
            foreach (var c in Categories(m)) sb.AppendLine("      { category: '" + Esc(c) + "', enabled: true }");
            sb.AppendLine("    ]");
            sb.AppendLine("  }");
            sb.AppendLine("}");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>Declares an existing resource for a scope ID (once) and returns its symbol; null for a resource group scope.</summary>
    private static string? ExistingScope(StringBuilder sb, string scopeId, Func<string, string, string> symbol)
    {
        var i = scopeId.IndexOf("/providers/", StringComparison.OrdinalIgnoreCase);
        if (i < 0) return null;
        var segs = scopeId.Substring(i + "/providers/".Length).Split('/');
        if (segs.Length < 3) return null;
        var type = new StringBuilder(segs[0] + "/" + segs[1]);
        var name = new StringBuilder(segs[2]);
        for (var k = 3; k + 1 < segs.Length; k += 2) { type.Append('/').Append(segs[k]); name.Append('/').Append(segs[k + 1]); }
        var key = "scope|" + scopeId;
        var isNew = !sb.ToString().Contains("// scope " + scopeId + "\n");
        var sym = symbol(key, "scope_" + segs[segs.Length - 1]);
        if (isNew)
        {
            sb.AppendLine("// scope " + scopeId);
            sb.AppendLine("resource " + sym + " '" + type + "@" + ApiVersionFor(type.ToString()) + "' existing = {");
            sb.AppendLine("  name: '" + Esc(name.ToString()) + "'");
            sb.AppendLine("}");
            sb.AppendLine();
        }
        return sym;
    }

    private static string ApiVersionFor(string type) => type.ToLowerInvariant() switch
    {
        var t when t.StartsWith("microsoft.storage/", StringComparison.Ordinal) => "2023-05-01",
        var t when t.StartsWith("microsoft.servicebus/", StringComparison.Ordinal) => "2022-10-01-preview",
        var t when t.StartsWith("microsoft.eventhub/", StringComparison.Ordinal) => "2024-01-01",
        var t when t.StartsWith("microsoft.eventgrid/", StringComparison.Ordinal) => "2022-06-15",
        var t when t.StartsWith("microsoft.keyvault/", StringComparison.Ordinal) => "2023-07-01",
        var t when t.StartsWith("microsoft.appconfiguration/", StringComparison.Ordinal) => "2023-03-01",
        var t when t.StartsWith("microsoft.documentdb/", StringComparison.Ordinal) => CosmosApi,
        var t when t.StartsWith("microsoft.insights/", StringComparison.Ordinal) => "2020-02-02",
        var t when t.StartsWith("microsoft.web/", StringComparison.Ordinal) => SitesApi,
        _ => "2023-07-01",
    };
}

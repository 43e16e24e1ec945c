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
        public List<AuthPlan> Auth = new();
        public List<TemplateParameter> Parameters = new();
        public List<string> Skipped = new();
        public List<AzRoleMapping> Diagnostics = new();
        public List<AzRoleMapping> Eligible = new(); // PIM eligibility requests for people's emergency and ad-hoc access
    }

    /// <summary>A value that the AWS side left unresolved: a template parameter the deployer must supply.</summary>
    private sealed class TemplateParameter
    {
        public string Name = "";
        public string Type = "string";
        public string Description = "";
    }

    /// <summary>A deployed value in both languages: a literal, an expression or a parameter.</summary>
    private sealed class Value
    {
        public string Bicep = "";
        public object Arm = ""; // a string (literal or [expression]) or a list of strings
    }

    /// <summary>App Service authentication of one app, its unresolved values turned into parameters.</summary>
    private sealed class AuthPlan
    {
        public AzRoleMapping Mapping = null!;
        public Value Issuer = null!;
        public Value Audiences = null!;
        public Value? AllowedApplications;
    }

    private const string PimApi = "2020-10-01";
    private const string EligibilityJustification = "Emergency access carried over from AWS by LambdaIdentity: ";

    /// <summary>Renders the template.</summary>
    public static string Export(IEnumerable<AzRoleMapping> mappings, TemplateFormat format)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        Write(w, mappings, format);
        return w.ToString();
    }

    /// <summary>Writes the template to <paramref name="writer"/> (the same text as <see cref="Export"/>), part by part.</summary>
    public static void Write(TextWriter writer, IEnumerable<AzRoleMapping> mappings, TemplateFormat format)
    {
        if (format is TemplateFormat.AwsCloudFormation or TemplateFormat.AwsTerraform) { writer.Write(AwsTrustTemplateExporter.Export(mappings, format)); return; }
        var plan = BuildPlan(mappings);
        if (format == TemplateFormat.ArmJson) writer.Write(Arm(plan));
        else Bicep(plan, writer);
    }

    /// <summary>Copies a builder's text to a writer in pieces (netstandard2.0 has no chunk enumeration), without one string of it all.</summary>
    private static void WriteBuilder(TextWriter w, StringBuilder b)
    {
        var buffer = new char[Math.Min(b.Length, 1 << 14)];
        for (var at = 0; at < b.Length; at += buffer.Length)
        {
            var n = Math.Min(buffer.Length, b.Length - at);
            b.CopyTo(at, buffer, 0, n);
            w.Write(buffer, 0, n);
        }
    }

    /// <summary>
    /// Renders the custom role definitions the mapping designs as a subscription-scope template: each definition once, its
    /// assignable scopes a parameter (the subscription by default). A custom role is one definition per tenant: deploying it
    /// with each resource group as its only assignable scope would overwrite the scopes of the others, so it is deployed
    /// once, before the resource-group templates that assign it, by a principal allowed to create roles. Returns null when
    /// the mapping designs no custom role.
    /// </summary>
    public static string? ExportRoleDefinitions(IEnumerable<AzRoleMapping> mappings, TemplateFormat format)
    {
        var roles = CustomRoleDefinitions(mappings);
        if (roles.Count == 0) return null;
        return format == TemplateFormat.ArmJson ? RoleDefinitionsArm(roles) : RoleDefinitionsBicep(roles);
    }

    // Every custom Azure RBAC role the mapping designs (assigned or still waiting for a scope), once per definition id.
    private static List<AzRoleMapping> CustomRoleDefinitions(IEnumerable<AzRoleMapping> mappings)
        => mappings.Where(m => m.Kind == MappingKind.RoleAssignment && m.RoleAssignmentType == "AzureRbac" && m.RoleDefinitionId is { Length: > 0 }
                               && m.Strategy is MappingStrategy.Custom or MappingStrategy.Deviation
                               && Catalogs.AzureRoleCatalog.Default.FindById(m.RoleDefinitionId) is null
                               && m.RequiredActions.Count + m.RequiredDataActions.Count > 0)
            .OrderBy(m => m.RoleDefinitionId, StringComparer.Ordinal).ThenBy(m => m.MappingId, StringComparer.Ordinal)
            .GroupBy(m => m.RoleDefinitionId!, StringComparer.OrdinalIgnoreCase).Select(g => g.First()).ToList();

    private const string AssignableScopesDescription = "Scopes where the custom roles may be assigned: the subscriptions (or one management group) of every resource group whose template assigns them. "
        + "A custom role is one definition per tenant: deploying it again with other scopes replaces these, so list them all here.";

    private const string RoleDefinitionsHeader = "Custom role definitions designed by LambdaIdentity. Deploy once (az deployment sub create), before the resource-group templates that assign them, "
        + "as a principal holding Microsoft.Authorization/roleDefinitions/write at the subscription (Owner, User Access Administrator or Role Based Access Control Administrator, through PIM); "
        + "never as the function's identity or the app's deployment pipeline. Review it as an access change.";

    private static string RoleDefinitionsBicep(List<AzRoleMapping> roles)
    {
        var b = new StringBuilder();
        b.AppendLine("// " + RoleDefinitionsHeader);
        b.AppendLine("targetScope = 'subscription'");
        b.AppendLine();
        b.AppendLine("@description(" + BLit(AssignableScopesDescription) + ")");
        b.AppendLine("param assignableScopes array = [");
        b.AppendLine("  subscription().id");
        b.AppendLine("]");
        b.AppendLine();
        var ex = new Existing();
        ex.Symbol("param|assignableScopes", "assignableScopes");
        foreach (var m in roles)
        {
            var sym = ex.Symbol("rd|" + m.RoleDefinitionId, "customRole_" + m.RoleDefinitionName);
            b.AppendLine("// " + Comment(m.MappingId));
            b.AppendLine("resource " + sym + " 'Microsoft.Authorization/roleDefinitions@" + RbacApi + "' = {");
            b.AppendLine("  name: " + BLit(m.RoleDefinitionId!));
            b.AppendLine("  properties: {");
            b.AppendLine("    roleName: " + BLit(m.RoleDefinitionName!));
            b.AppendLine("    description: " + BLit(CustomRoleDescription(m)));
            b.AppendLine("    type: 'CustomRole'");
            b.AppendLine("    permissions: [");
            b.AppendLine("      {");
            b.AppendLine("        actions: [" + string.Join(", ", m.RequiredActions.Select(BLit)) + "]");
            b.AppendLine("        notActions: []");
            b.AppendLine("        dataActions: [" + string.Join(", ", m.RequiredDataActions.Select(BLit)) + "]");
            b.AppendLine("        notDataActions: []");
            b.AppendLine("      }");
            b.AppendLine("    ]");
            b.AppendLine("    assignableScopes: assignableScopes");
            b.AppendLine("  }");
            b.AppendLine("}");
            b.AppendLine();
        }
        return b.ToString();
    }

    private static string RoleDefinitionsArm(List<AzRoleMapping> roles)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("$schema", "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#");
            w.WriteString("contentVersion", "1.0.0.0");
            w.WriteStartObject("metadata");
            w.WriteString("generator", "LambdaIdentity Export-AzRoleMappingTemplate -RoleDefinitions");
            w.WriteString("deployment", RoleDefinitionsHeader);
            w.WriteEndObject();
            w.WriteStartObject("parameters");
            w.WriteStartObject("assignableScopes"); w.WriteString("type", "array"); w.WriteString("defaultValue", "[createArray(subscription().id)]");
            w.WriteStartObject("metadata"); w.WriteString("description", AssignableScopesDescription); w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartArray("resources");
            foreach (var m in roles)
            {
                w.WriteStartObject();
                w.WriteString("type", "Microsoft.Authorization/roleDefinitions");
                w.WriteString("apiVersion", RbacApi);
                w.WriteString("comments", ArmLit(m.MappingId));
                w.WriteString("name", m.RoleDefinitionId);
                w.WriteStartObject("properties");
                w.WriteString("roleName", m.RoleDefinitionName);
                w.WriteString("description", ArmLit(CustomRoleDescription(m)));
                w.WriteString("type", "CustomRole");
                w.WriteStartArray("permissions"); w.WriteStartObject();
                Strings(w, "actions", m.RequiredActions); Strings(w, "notActions", Array.Empty<string>());
                Strings(w, "dataActions", m.RequiredDataActions); Strings(w, "notDataActions", Array.Empty<string>());
                w.WriteEndObject(); w.WriteEndArray();
                w.WriteString("assignableScopes", "[parameters('assignableScopes')]");
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
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
                    if (m.Scope!.IndexOf("/resourceGroups/", StringComparison.OrdinalIgnoreCase) < 0)
                    { p.Skipped.Add(m.MappingId + ": " + m.RoleDefinitionName + " at " + m.Scope + " (above a resource group: deploy it with a subscription- or management-group-scope template)"); break; }
                    if (!seen.Add("ra|" + m.Scope + "|" + (IsDirectory(m) ? m.ObjectId : m.PrincipalName) + "|" + m.RoleDefinitionId)) break;
                    if (m.Strategy == MappingStrategy.Custom && seen.Add("rd|" + m.RoleDefinitionId))
                    {
                        p.CustomRoles.Add(m);
                        p.Skipped.Add("custom role " + m.RoleDefinitionName + " (" + m.RoleDefinitionId + "): not defined here; deploy its definition once at the subscription with the role-definitions export "
                            + "(Export-AzRoleMappingTemplate -RoleDefinitions, lambda-identity export-template --role-definitions) before this template, by a principal allowed to create roles (Microsoft.Authorization/roleDefinitions/write)");
                    }
                    (m.RoleAssignmentType == "CosmosDbSql" ? p.Cosmos : p.Rbac).Add(m);
                    break;
                case MappingKind.Setting when m.Settings.ContainsKey(SettingKeys.DiagnosticCategories):
                    if (!m.Settings.TryGetValue(SettingKeys.DiagnosticWorkspaceId, out var ws) || !ws.StartsWith("/", StringComparison.Ordinal))
                    { p.Skipped.Add(m.MappingId + ": diagnostic setting of " + m.FunctionAppName + " (name the Log Analytics workspace with log-analytics in the resource map)"); break; }
                    if (seen.Add("diag|" + m.FunctionAppName)) p.Diagnostics.Add(m);
                    break;
                case MappingKind.Authentication when m.Settings.TryGetValue(SettingKeys.RequireAuthentication, out var ra) && ra == "true" && m.Surface == IdentitySurface.EndUser
                                                     && m.Strategy != MappingStrategy.Deviation:
                    if (seen.Add("auth|" + m.FunctionAppName)) p.Auth.Add(AuthOf(m, p));
                    else p.Skipped.Add(m.MappingId + ": a second App Service authentication design for " + m.FunctionAppName + " (one authsettingsV2 per app: the first one is deployed)");
                    break;
                case MappingKind.Authentication when m.Settings.ContainsKey(SettingKeys.FrontDoor) && m.Strategy != MappingStrategy.Deviation:
                    p.Skipped.Add(m.MappingId + ": Azure Front Door (" + m.Settings[SettingKeys.FrontDoor] + ") in front of " + m.FunctionAppName
                        + " and the app's private access (Private Link, or access restrictions to the " + m.Settings[SettingKeys.AccessRestrictionServiceTag] + " service tag with the " + m.Settings[SettingKeys.AccessRestrictionHeader] + " header)");
                    break;
                default:
                    if (m.Strategy == MappingStrategy.Deviation) p.Skipped.Add(m.MappingId + ": deviation, " + (m.Mitigation ?? m.Reason));
                    break;
            }
        }
        return p;
    }

    private static bool IsUser(AzRoleMapping m) => m.IdentityType == "UserAssigned";

    private const string EntraLogin = "https://login.microsoftonline.com/";
    private const string TenantToken = "{tenantId}";

    private static readonly System.Text.RegularExpressions.Regex AwsShape = new(
        @"\$\{|\{[A-Za-z][A-Za-z0-9 ]*\}|arn:aws|AWS::|amazonaws\.com|amazoncognito\.com",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant | System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    /// <summary>
    /// True when a value still holds something only the AWS side or the deployer can resolve: a CloudFormation reference
    /// (${Ref:Pool}, ${AWS::Region}), a design placeholder ({tenantId}, {issuer}), an ARN or an AWS endpoint.
    /// </summary>
    internal static bool IsUnresolved(string value) => AwsShape.IsMatch(value);

    /// <summary>The text before the first unresolved part (for descriptions, which are deployed).</summary>
    private static string Safe(string s)
    {
        var hit = AwsShape.Match(s);
        if (!hit.Success) return s;
        var cut = s.Substring(0, hit.Index);
        var slash = cut.LastIndexOf('/');
        return (slash > 0 ? cut.Substring(0, slash) : cut).TrimEnd('/', ':') + " (AWS resource: see the template's comment)";
    }

    private static string AssignmentDescription(AzRoleMapping m) => Trim(Safe(m.MappingId), 1024);

    private static string CustomRoleDescription(AzRoleMapping m)
        => Trim("Exactly the operations " + string.Join(", ", m.AwsActions.Where(a => !IsUnresolved(a))) + " need (LambdaIdentity).", 1024);

    private static string ParamName(string prefix, string app)
    {
        var b = new StringBuilder(prefix);
        foreach (var c in app) b.Append(c < 128 && char.IsLetterOrDigit(c) ? c : '_');
        return b.ToString();
    }

    private static Value Param(Plan p, string name, string type, string description)
    {
        var n = name; var k = 2;
        while (p.Parameters.Any(x => x.Name.Equals(n, StringComparison.OrdinalIgnoreCase))) n = name + "_" + k++;
        p.Parameters.Add(new TemplateParameter { Name = n, Type = type, Description = description });
        return new Value { Bicep = n, Arm = "[parameters('" + n + "')]" };
    }

    /// <summary>
    /// The issuer, audiences and allowed client applications of an app's authentication: the Entra tenant of the deployment
    /// written as tenant() and environment() (never {tenantId} literally), anything else unresolved as a parameter.
    /// </summary>
    private static AuthPlan AuthOf(AzRoleMapping m, Plan p)
    {
        var app = m.FunctionAppName;
        var issuer = m.Settings.TryGetValue(SettingKeys.Issuer, out var iss) ? iss : "";
        Value issuerValue;
        if (issuer.StartsWith(EntraLogin + TenantToken, StringComparison.OrdinalIgnoreCase) && !IsUnresolved(issuer.Substring(EntraLogin.Length + TenantToken.Length)))
        {
            var rest = issuer.Substring(EntraLogin.Length + TenantToken.Length);
            issuerValue = new Value
            {
                Bicep = "'${environment().authentication.loginEndpoint}${tenant().tenantId}" + BLit(rest).Trim('\'') + "'",
                Arm = "[format('{0}{1}" + Esc(rest).Replace("{", "{{").Replace("}", "}}") + "', environment().authentication.loginEndpoint, tenant().tenantId)]",
            };
        }
        else if (issuer.Length == 0 || IsUnresolved(issuer))
            issuerValue = Param(p, ParamName("openIdIssuer_", app), "string",
                "OpenID issuer that App Service authentication of " + app + " trusts. The AWS source names '" + issuer + "', which has no value on Azure: "
                + "give the issuer of the Entra tenant (https://login.microsoftonline.com/<tenant>/v2.0) or of Microsoft Entra External ID.");
        else if (issuer.StartsWith(EntraLogin, StringComparison.OrdinalIgnoreCase))
            issuerValue = new Value { Bicep = "'${environment().authentication.loginEndpoint}" + BLit(issuer.Substring(EntraLogin.Length)).Trim('\'') + "'", Arm = "[format('{0}" + Esc(issuer.Substring(EntraLogin.Length)).Replace("{", "{{").Replace("}", "}}") + "', environment().authentication.loginEndpoint)]" };
        else issuerValue = new Value { Bicep = BLit(issuer), Arm = ArmLit(issuer) };

        var audiences = Audiences(m);
        var audienceValue = audiences.Any(IsUnresolved)
            ? Param(p, ParamName("allowedAudiences_", app), "array",
                "Audiences (application ID URIs or client IDs) that App Service authentication of " + app + " accepts. The AWS source names "
                + string.Join(", ", audiences) + ", which have no value on Azure: give the Entra application's ID URI and client ID.")
            : new Value { Bicep = "[" + string.Join(", ", audiences.Select(BLit)) + "]", Arm = audiences.Select(ArmLit).ToList() };

        if (m.Settings.TryGetValue(SettingKeys.RequiredScopes, out var scopes) && scopes.Length > 0)
            p.Skipped.Add(m.MappingId + ": required scopes " + scopes + " (App Service authentication checks no scope: check the scp claim in the function, or in an API Management validate-jwt policy)");
        Value? allowed = null;
        var enforce = m.Settings.TryGetValue(SettingKeys.AppRoleAssignmentRequired, out var arr) && arr == "true";
        if (enforce)
            p.Skipped.Add(m.MappingId + ": set appRoleAssignmentRequired on the service principal of " + app + "'s Entra application and assign "
                + (m.Settings.TryGetValue(SettingKeys.AppRole, out var role) ? role : "the app role") + " to each caller (Microsoft Graph, not an ARM resource); the template deploys allowedApplications");
        if (m.Settings.TryGetValue(SettingKeys.AllowedApplications, out var apps) || enforce)
        {
            var list = (apps ?? "").Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(a => a.Trim()).Where(a => a.Length > 0).ToList();
            allowed = list.Count == 0 || list.Any(a => !Guid.TryParse(a, out _))
                ? Param(p, ParamName("allowedApplications_", app), "array",
                    "Client IDs of the Entra applications and managed identities allowed to call " + app + " (App Service authentication rejects any other caller's token). "
                    + "The design names: " + (list.Count == 0 ? "none yet" : string.Join(", ", list)) + ".")
                : new Value { Bicep = "[" + string.Join(", ", list.Select(BLit)) + "]", Arm = list };
        }
        return new AuthPlan { Mapping = m, Issuer = issuerValue, Audiences = audienceValue, AllowedApplications = allowed };
    }

    /// <summary>An ARM string literal: a leading '[' is escaped so the value is not read as an expression.</summary>
    private static string ArmLit(string s) => s.StartsWith("[", StringComparison.Ordinal) ? "[" + s : s;

    private static void WriteValue(Utf8JsonWriter w, string name, Value v)
    {
        if (v.Arm is string s) w.WriteString(name, s);
        else Strings(w, name, (IEnumerable<string>)v.Arm);
    }

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
            if (p.Identities.Count > 0)
            { w.WriteStartObject("location"); w.WriteString("type", "string"); w.WriteString("defaultValue", "[resourceGroup().location]"); w.WriteEndObject(); }
            if (p.Eligible.Count > 0)
            { w.WriteStartObject("eligibilityStart"); w.WriteString("type", "string"); w.WriteString("defaultValue", "[utcNow()]"); w.WriteEndObject(); }
            foreach (var prm in p.Parameters)
            {
                w.WriteStartObject(prm.Name); w.WriteString("type", prm.Type);
                w.WriteStartObject("metadata"); w.WriteString("description", prm.Description); w.WriteEndObject();
                w.WriteEndObject();
            }
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
            foreach (var m in p.Rbac)
            {
                var principal = PrincipalExpr(m);
                // Built-in and custom roles alike live at the subscription (a custom one deployed by the role-definitions export).
                var roleId = "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '" + m.RoleDefinitionId + "')]";
                w.WriteStartObject();
                w.WriteString("type", "Microsoft.Authorization/roleAssignments");
                w.WriteString("apiVersion", RbacApi);
                w.WriteString("comments", ArmLit(m.MappingId));
                WriteScope(w, m.Scope!);
                w.WriteString("name", "[guid('" + Esc(m.Scope!) + "', " + PrincipalKeyExpr(m) + ", '" + m.RoleDefinitionId + "')]");
                Depends(w, m);
                w.WriteStartObject("properties");
                w.WriteString("roleDefinitionId", roleId);
                w.WriteString("principalId", "[" + principal + "]");
                w.WriteString("principalType", PrincipalTypeOf(m));
                w.WriteString("description", ArmLit(AssignmentDescription(m)));
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
                w.WriteString("comments", ArmLit(m.MappingId));
                WriteScope(w, m.Scope!);
                w.WriteString("name", "[guid('" + Esc(m.Scope!) + "', '" + m.ObjectId + "', '" + m.RoleDefinitionId + "', 'eligible')]");
                w.WriteStartObject("properties");
                w.WriteString("roleDefinitionId", "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '" + m.RoleDefinitionId + "')]");
                w.WriteString("principalId", m.ObjectId);
                w.WriteString("requestType", "AdminAssign");
                w.WriteString("justification", Trim(EligibilityJustification + Safe(m.MappingId), 1024));
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
                w.WriteString("comments", ArmLit(m.MappingId));
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
                w.WriteString("workspaceId", m.Settings[SettingKeys.DiagnosticWorkspaceId]);
                w.WriteStartArray("logs");
                foreach (var c in Categories(m)) { w.WriteStartObject(); w.WriteString("category", c); w.WriteBoolean("enabled", true); w.WriteEndObject(); }
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            }
            foreach (var a in p.Auth)
            {
                var m = a.Mapping;
                w.WriteStartObject();
                w.WriteString("type", "Microsoft.Web/sites/config");
                w.WriteString("comments", ArmLit(m.MappingId));
                w.WriteString("apiVersion", SitesApi);
                w.WriteString("name", m.FunctionAppName + "/authsettingsV2");
                w.WriteStartObject("properties");
                w.WriteStartObject("platform"); w.WriteBoolean("enabled", true); w.WriteEndObject();
                w.WriteStartObject("globalValidation");
                w.WriteBoolean("requireAuthentication", true);
                w.WriteString("unauthenticatedClientAction", ArmLit(m.Settings.TryGetValue(SettingKeys.UnauthenticatedClientAction, out var u) ? u : "Return401"));
                w.WriteEndObject();
                w.WriteStartObject("identityProviders"); w.WriteStartObject("azureActiveDirectory");
                w.WriteBoolean("enabled", true);
                w.WriteStartObject("registration"); WriteValue(w, "openIdIssuer", a.Issuer); w.WriteEndObject();
                w.WriteStartObject("validation");
                WriteValue(w, "allowedAudiences", a.Audiences);
                if (a.AllowedApplications is { } apps)
                { w.WriteStartObject("defaultAuthorizationPolicy"); WriteValue(w, "allowedApplications", apps); w.WriteEndObject(); }
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
        => m.Settings[SettingKeys.DiagnosticCategories].Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim());

    private static IReadOnlyList<string> Audiences(AzRoleMapping m)
        => m.Settings.TryGetValue(SettingKeys.AllowedAudiences, out var a) && a.Length > 0 ? a.Split(',').Select(x => x.Trim()).Where(x => x.Length > 0).ToList() : Array.Empty<string>();

    /// <summary>
    /// The scope of an extension resource as Bicep writes it for a resource of the deployment's resource group
    /// (Microsoft.Storage/storageAccounts/st/blobServices/default/containers/c); none for the resource group itself.
    /// </summary>
    private static void WriteScope(Utf8JsonWriter w, string scopeId)
    {
        var i = scopeId.IndexOf("/providers/", StringComparison.OrdinalIgnoreCase);
        if (i < 0) return;
        w.WriteString("scope", ArmLit(scopeId.Substring(i + "/providers/".Length)));
    }

    private static void Depends(Utf8JsonWriter w, AzRoleMapping m)
    {
        var deps = new List<string>();
        if (IsUser(m)) deps.Add("[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', '" + m.PrincipalName + "')]");
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
    private static string BicepPrincipalKey(AzRoleMapping m, Existing ex)
        => IsDirectory(m) ? BLit(m.ObjectId!) : IsUser(m) ? ex.Symbols["id|" + m.PrincipalName] + ".id" : ex.App(m.FunctionAppName) + ".id";

    private static string BicepPrincipal(AzRoleMapping m, Existing ex)
        => IsDirectory(m) ? BLit(m.ObjectId!) : IsUser(m) ? ex.Symbols["id|" + m.PrincipalName] + ".properties.principalId" : ex.App(m.FunctionAppName) + ".identity.principalId";

    /// <summary>A Bicep string literal: backslash, quote and the interpolation opener escaped (so ${AWS::Region} stays text).</summary>
    internal static string BLit(string s)
    {
        var b = new StringBuilder("'");
        for (var k = 0; k < s.Length; k++)
        {
            var c = s[k];
            switch (c)
            {
                case '\\': b.Append("\\\\"); break;
                case '\'': b.Append("\\'"); break;
                case '\n': b.Append("\\n"); break;
                case '\r': b.Append("\\r"); break;
                case '\t': b.Append("\\t"); break;
                case '$' when k + 1 < s.Length && s[k + 1] == '{': b.Append("\\$"); break;
                default: b.Append(c); break;
            }
        }
        return b.Append('\'').ToString();
    }

    private static string Comment(string s) => s.Replace("\r", " ").Replace("\n", " ");

    /// <summary>The symbols of a Bicep file and the existing resources it declares (each type and name once, parents first).</summary>
    private sealed class Existing
    {
        public readonly Dictionary<string, string> Symbols = new(StringComparer.Ordinal);
        private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);
        public readonly StringBuilder Declarations = new();

        private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
        {
            "az", "sys", "param", "var", "resource", "module", "output", "existing", "true", "false", "null", "if", "for", "in", "import", "metadata",
            "type", "func", "resourceGroup", "subscription", "tenant", "managementGroup", "environment", "deployment", "guid", "location", "eligibilityStart",
        };

        public string Symbol(string key, string hint)
        {
            if (Symbols.TryGetValue(key, out var s)) return s;
            var b = new StringBuilder();
            foreach (var c in hint) b.Append(c < 128 && char.IsLetterOrDigit(c) ? c : '_');
            var name = b.ToString().Trim('_');
            if (name.Length == 0 || char.IsDigit(name[0])) name = "r_" + name;
            if (name.Length > 60) name = name.Substring(0, 60);
            if (Reserved.Contains(name)) name += "_1";
            var n = name; var k = 2;
            while (!_used.Add(n)) n = name + "_" + k++;
            Symbols[key] = n;
            return n;
        }

        /// <summary>The function app of the deployment's resource group (the same symbol as a scope naming the site).</summary>
        public string App(string app) => Declare(new[] { "Microsoft.Web/sites" }, new[] { app }, app);

        /// <summary>Declares an existing resource (and its parents) for a scope ID and returns its symbol; null for a resource group.</summary>
        public string? Scope(string scopeId)
        {
            var i = scopeId.IndexOf("/providers/", StringComparison.OrdinalIgnoreCase);
            if (i < 0) return null;
            var segs = scopeId.Substring(i + "/providers/".Length).Split('/');
            if (segs.Length < 3) return null;
            var types = new List<string> { segs[0] + "/" + segs[1] };
            var names = new List<string> { segs[2] };
            for (var k = 3; k + 1 < segs.Length; k += 2) { types.Add(types[types.Count - 1] + "/" + segs[k]); names.Add(segs[k + 1]); }
            return Declare(types, names, "scope_" + segs[segs.Length - 1]);
        }

        private string Declare(IReadOnlyList<string> types, IReadOnlyList<string> names, string hint)
        {
            string? parent = null;
            for (var level = 0; level < types.Count; level++)
            {
                var key = "existing|" + types[level].ToLowerInvariant() + "|" + string.Join("/", names.Take(level + 1)).ToLowerInvariant();
                if (Symbols.TryGetValue(key, out var known)) { parent = known; continue; }
                var last = level == types.Count - 1;
                var sym = Symbol(key, last ? hint : "parent_" + names[level]);
                Declarations.AppendLine("resource " + sym + " '" + types[level] + "@" + ApiVersionFor(types[level]) + "' existing = {");
                if (parent is not null) Declarations.AppendLine("  parent: " + parent);
                Declarations.AppendLine("  name: " + BLit(names[level]));
                Declarations.AppendLine("}");
                Declarations.AppendLine();
                parent = sym;
            }
            return parent!;
        }
    }

    private static void Bicep(Plan p, TextWriter w)
    {
        var body = new StringBuilder();
        var ex = new Existing();
        var head = new StringBuilder();
        head.AppendLine("// Generated by LambdaIdentity Export-AzRoleMappingTemplate. Deploy to the resource group of the function apps.");
        head.AppendLine("// Role assignment names are deterministic: guid(scope, principal, role).");
        head.AppendLine("// Scopes are declared as existing resources of the deployment's resource group; move assignments on resources of");
        head.AppendLine("// other resource groups into a module deployed there.");
        if (p.Skipped.Count > 0)
        {
            head.AppendLine("// Not deployed by this template (placeholders, groups to create, deviations):");
            foreach (var s in p.Skipped) head.AppendLine("//   " + Comment(s));
        }
        head.AppendLine();
        if (p.Identities.Count > 0) head.AppendLine("param location string = resourceGroup().location");
        if (p.Eligible.Count > 0) head.AppendLine("param eligibilityStart string = utcNow()");
        foreach (var prm in p.Parameters)
        {
            head.AppendLine("@description(" + BLit(prm.Description) + ")");
            head.AppendLine("param " + prm.Name + " " + prm.Type);
        }
        foreach (var prm in p.Parameters) ex.Symbol("param|" + prm.Name, prm.Name);
        head.AppendLine();
        foreach (var m in p.Identities)
        {
            var sym = ex.Symbol("id|" + m.PrincipalName, m.PrincipalName!);
            body.AppendLine("resource " + sym + " 'Microsoft.ManagedIdentity/userAssignedIdentities@" + IdentityApi + "' = {");
            body.AppendLine("  name: " + BLit(m.PrincipalName!));
            body.AppendLine("  location: location");
            body.AppendLine("}");
            body.AppendLine();
        }
        foreach (var app in p.Rbac.Concat(p.Cosmos).Where(m => !IsUser(m) && !IsDirectory(m)).Select(m => m.FunctionAppName).Concat(p.Auth.Select(a => a.Mapping.FunctionAppName)).Concat(p.Diagnostics.Select(d => d.FunctionAppName)).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal))
            ex.App(app);
        var i = 0;
        foreach (var m in p.Rbac)
        {
            var target = ex.Scope(m.Scope!);
            var principal = BicepPrincipal(m, ex);
            var roleId = "subscriptionResourceId('Microsoft.Authorization/roleDefinitions', " + BLit(m.RoleDefinitionId!) + ")";
            body.AppendLine("// " + Comment(m.MappingId));
            body.AppendLine("resource ra" + (i++).ToString(CultureInfo.InvariantCulture) + " 'Microsoft.Authorization/roleAssignments@" + RbacApi + "' = {");
            body.AppendLine("  name: guid(" + BLit(m.Scope!) + ", " + BicepPrincipalKey(m, ex) + ", " + BLit(m.RoleDefinitionId!) + ")");
            if (target is not null) body.AppendLine("  scope: " + target);
            body.AppendLine("  properties: {");
            body.AppendLine("    roleDefinitionId: " + roleId);
            body.AppendLine("    principalId: " + principal);
            body.AppendLine("    principalType: '" + PrincipalTypeOf(m) + "'");
            body.AppendLine("    description: " + BLit(AssignmentDescription(m)));
            body.AppendLine("  }");
            body.AppendLine("}");
            body.AppendLine();
        }
        foreach (var m in p.Eligible)
        {
            var target = ex.Scope(m.Scope!);
            body.AppendLine("// " + Comment(m.MappingId));
            body.AppendLine("resource pim" + (i++).ToString(CultureInfo.InvariantCulture) + " 'Microsoft.Authorization/roleEligibilityScheduleRequests@" + PimApi + "' = {");
            body.AppendLine("  name: guid(" + BLit(m.Scope!) + ", " + BLit(m.ObjectId!) + ", " + BLit(m.RoleDefinitionId!) + ", 'eligible')");
            if (target is not null) body.AppendLine("  scope: " + target);
            body.AppendLine("  properties: {");
            body.AppendLine("    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', " + BLit(m.RoleDefinitionId!) + ")");
            body.AppendLine("    principalId: " + BLit(m.ObjectId!));
            body.AppendLine("    requestType: 'AdminAssign'");
            body.AppendLine("    justification: " + BLit(Trim(EligibilityJustification + Safe(m.MappingId), 1024)));
            body.AppendLine("    scheduleInfo: { startDateTime: eligibilityStart, expiration: { type: 'NoExpiration' } }");
            body.AppendLine("  }");
            body.AppendLine("}");
            body.AppendLine();
        }
        foreach (var m in p.Cosmos)
        {
            var (account, scope) = CosmosScope(m.Scope!);
            var acc = ex.Scope(account)!;
            var principal = BicepPrincipal(m, ex);
            body.AppendLine("// " + Comment(m.MappingId));
            body.AppendLine("resource cosmos" + (i++).ToString(CultureInfo.InvariantCulture) + " 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@" + CosmosApi + "' = {");
            body.AppendLine("  parent: " + acc);
            body.AppendLine("  name: guid(" + BLit(scope) + ", " + BicepPrincipalKey(m, ex) + ", " + BLit(m.RoleDefinitionId!) + ")");
            body.AppendLine("  properties: {");
            body.AppendLine("    roleDefinitionId: '${" + acc + ".id}" + BLit("/sqlRoleDefinitions/" + m.RoleDefinitionId).Trim('\'') + "'");
            body.AppendLine("    scope: '${" + acc + ".id}" + BLit(scope.Substring(account.Length)).Trim('\'') + "'");
            body.AppendLine("    principalId: " + principal);
            body.AppendLine("  }");
            body.AppendLine("}");
            body.AppendLine();
        }
        foreach (var a in p.Auth)
        {
            var m = a.Mapping;
            body.AppendLine("// " + Comment(m.MappingId));
            body.AppendLine("resource auth" + (i++).ToString(CultureInfo.InvariantCulture) + " 'Microsoft.Web/sites/config@" + SitesApi + "' = {");
            body.AppendLine("  parent: " + ex.App(m.FunctionAppName));
            body.AppendLine("  name: 'authsettingsV2'");
            body.AppendLine("  properties: {");
            body.AppendLine("    platform: { enabled: true }");
            body.AppendLine("    globalValidation: {");
            body.AppendLine("      requireAuthentication: true");
            body.AppendLine("      unauthenticatedClientAction: " + BLit(m.Settings.TryGetValue(SettingKeys.UnauthenticatedClientAction, out var u) ? u : "Return401"));
            body.AppendLine("    }");
            body.AppendLine("    identityProviders: {");
            body.AppendLine("      azureActiveDirectory: {");
            body.AppendLine("        enabled: true");
            body.AppendLine("        registration: { openIdIssuer: " + a.Issuer.Bicep + " }");
            body.AppendLine("        validation: {");
            body.AppendLine("          allowedAudiences: " + a.Audiences.Bicep);
            if (a.AllowedApplications is { } apps)
                body.AppendLine("          defaultAuthorizationPolicy: { allowedApplications: " + apps.Bicep + " }");
            body.AppendLine("        }");
            body.AppendLine("      }");
            body.AppendLine("    }");
            body.AppendLine("  }");
            body.AppendLine("}");
            body.AppendLine();
        }
        foreach (var m in p.Diagnostics)
        {
            body.AppendLine("resource diag" + (i++).ToString(CultureInfo.InvariantCulture) + " 'Microsoft.Insights/diagnosticSettings@" + DiagnosticsApi + "' = {");
            body.AppendLine("  name: '" + DiagnosticSettingName + "'");
            body.AppendLine("  scope: " + ex.App(m.FunctionAppName));
            body.AppendLine("  properties: {");
            body.AppendLine("    workspaceId: " + BLit(m.Settings[SettingKeys.DiagnosticWorkspaceId]));
            body.AppendLine("    logs: [");
            foreach (var c in Categories(m)) body.AppendLine("      { category: " + BLit(c) + ", enabled: true }");
            body.AppendLine("    ]");
            body.AppendLine("  }");
            body.AppendLine("}");
            body.AppendLine();
        }
        // Head, the existing resources the body refers to, then the body: written in that order, never joined into one string.
        WriteBuilder(w, head);
        WriteBuilder(w, ex.Declarations);
        WriteBuilder(w, body);
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
        var t when t.StartsWith("microsoft.cognitiveservices/", StringComparison.Ordinal) => "2023-05-01",
        var t when t.StartsWith("microsoft.signalrservice/", StringComparison.Ordinal) => "2024-03-01",
        var t when t.StartsWith("microsoft.operationalinsights/", StringComparison.Ordinal) => "2023-09-01",
        _ => "2023-07-01",
    };
}

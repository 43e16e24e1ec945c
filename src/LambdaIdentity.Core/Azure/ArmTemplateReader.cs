using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Azure;

/// <summary>
/// Reads an ARM template (ours from Export-AzRoleMappingTemplate, Bicep output, or az group export) as the
/// state it would deploy: role assignments, user-assigned identities, sites with their identities and
/// authsettingsV2, functions, app setting names and Cosmos DB SQL role assignments. Simple expressions are
/// resolved; the rest stay as tokens that parity never passes on.
/// </summary>
internal sealed class ArmTemplateReader
{
    /// <summary>The subscription the template deploys to, when known.</summary>
    public string? SubscriptionId { get; set; }
    /// <summary>The resource group the template deploys to, when known.</summary>
    public string? ResourceGroupName { get; set; }
    /// <summary>Parameter values (deployment parameters); defaults are used otherwise.</summary>
    public IReadOnlyDictionary<string, string>? ParameterValues { get; set; }

    /// <summary>True for an ARM deployment template.</summary>
    public static bool IsTemplate(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) return false;
        var schema = e.Str("$schema") ?? "";
        if (schema.IndexOf("deploymentTemplate", StringComparison.OrdinalIgnoreCase) >= 0) return true;
        return e.Get("contentVersion").ValueKind == JsonValueKind.String && e.Get("resources").ValueKind is JsonValueKind.Array or JsonValueKind.Object;
    }

    /// <summary>Adds what the template declares to the state.</summary>
    public void Read(JsonElement template, AzureState state, string file, EngineContext context)
    {
        var expr = new ArmExpression(template, ParameterValues, SubscriptionId, ResourceGroupName);
        var rgId = "/subscriptions/" + (SubscriptionId ?? ArmExpression.SubscriptionToken) + "/resourceGroups/" + (ResourceGroupName ?? ArmExpression.ResourceGroupToken);
        var resources = template.Get("resources");
        var index = 0;
        foreach (var r in Enumerate(resources))
        {
            ReadResource(r, "", new List<string>(), state, expr, rgId, file, "resources[" + index + "]", context);
            index++;
        }
        // Export-AzRoleMappingTemplate lists what it leaves out (placeholders, groups, deviations) as "mappingId: note".
        foreach (var note in template.Path("metadata").Strings("notDeployed"))
        {
            var colon = note.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0) state.NotDeployed[note.Substring(0, colon)] = note.Substring(colon + 2);
        }
        // A deployment that reads reference(site, ..., 'full').identity.principalId succeeds only when the site has a
        // system-assigned identity: record that, for the sites the template itself does not declare.
        foreach (var a in state.RoleAssignments)
            if (a.PrincipalRef is string r && r.StartsWith("system:", StringComparison.Ordinal))
            {
                var site = state.Site(r.Substring("system:".Length));
                if (site.IdentityType is null) { site.IdentityType = "SystemAssigned"; site.Source ??= new SourceLocation { File = file, Path = "(inferred from reference(...).identity.principalId)" }; }
            }
        // A template is a planned target: the eligibilities it requests are all it plans (none is an answer, not a gap).
        state.AreasRead.Add(AzureStateArea.RoleEligibilitySchedules);
        context.Verbose(file + ": ARM template, " + index + " top-level resources.");
    }

    private static IEnumerable<JsonElement> Enumerate(JsonElement resources)
    {
        if (resources.ValueKind == JsonValueKind.Array) foreach (var r in resources.EnumerateArray()) yield return r;
        else if (resources.ValueKind == JsonValueKind.Object) foreach (var p in resources.EnumerateObject()) yield return p.Value; // languageVersion 2.0 symbolic names
    }

    private void ReadResource(JsonElement r, string parentType, List<string> parentNames, AzureState state, ArmExpression expr, string rgId,
        string file, string path, EngineContext context)
    {
        var src = new SourceLocation { File = file, Path = path };
        var rawType = r.Str("type") ?? "";
        var type = parentType.Length > 0 && !rawType.Contains(".") ? parentType + "/" + rawType : rawType;
        var name = expr.EvaluateString(r.Str("name") ?? "", out _);
        var names = parentType.Length > 0 && !rawType.Contains(".") ? parentNames.Concat(name.Split('/')).ToList() : name.Split('/').ToList();
        var lowerType = type.ToLowerInvariant();
        try
        {
            if (lowerType == "microsoft.resources/deployments")
            {
                var inner = r.Props().Get("template");
                if (inner.ValueKind == JsonValueKind.Object) Read(inner, state, file, context);
                return;
            }
            if (lowerType == "microsoft.authorization/roleassignments" || lowerType.EndsWith("/providers/roleassignments", StringComparison.Ordinal))
                AddAssignment(r, lowerType, names, AzureAssignmentSystem.Rbac, state, expr, rgId, src);
            else if (lowerType == "microsoft.documentdb/databaseaccounts/sqlroleassignments")
                AddAssignment(r, lowerType, names, AzureAssignmentSystem.CosmosSql, state, expr, rgId, src);
            else if (lowerType == "microsoft.authorization/roleeligibilityschedulerequests")
            {
                // A PIM eligibility the template requests: planned eligible access (read like an assignment, kept apart).
                var e = ReadAssignment(r, lowerType, names, AzureAssignmentSystem.Rbac, expr, rgId, src);
                var expiration = r.Props().Path("scheduleInfo", "expiration");
                if (expiration.Str("endDateTime") is string end && DateTimeOffset.TryParse(end, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)) e.EndDateTime = at;
                state.RoleEligibilities.Add(e);
                state.AreasRead.Add(AzureStateArea.RoleEligibilitySchedules);
            }
            else if (lowerType == "microsoft.insights/diagnosticsettings")
            {
                // An extension resource: its scope (Microsoft.Web/sites/<app> or a full id) names the function app.
                var scope = expr.EvaluateString(r.Str("scope") ?? "", out _);
                var resolved = Resolve(r, expr);
                if (Json.SiteNameFromId(scope.StartsWith("/", StringComparison.Ordinal) ? scope : "/" + scope) is string site)
                    AzureResourceParser.Apply(resolved, state, src, site);
            }
            else
            {
                var id = rgId + ArmExpression.Provider(type, names);
                var resolved = Resolve(r, expr);
                var shaped = Reshape(resolved, lowerType, id, names);
                if (shaped is JsonElement el) AzureResourceParser.Apply(el, state, src, names.Count > 0 ? names[0] : null);
                if (lowerType == "microsoft.web/sites")
                {
                    var appSettings = resolved.Props().Path("siteConfig", "appSettings");
                    if (appSettings.ValueKind == JsonValueKind.Array && names.Count > 0)
                        AzureResourceParser.AddAppSettingNames(appSettings.EnumerateArray().Select(a => a.Str("name")).Where(n => n is not null)!, state, names[0]);
                }
            }
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException)
        {
            context.Error("ArmTemplateResourceUnreadable", EngineErrorCategory.InvalidData, file, "A template resource could not be read: " + ex.Message, src, ex);
            state.MarkUnreadable(AreaOf(lowerType), null, file, ex.Message);
        }
        var children = r.Get("resources");
        var i = 0;
        foreach (var child in Enumerate(children))
            ReadResource(child, type, names, state, expr, rgId, file, path + ".resources[" + i++ + "]", context);
    }

    private static AzureStateArea AreaOf(string lowerType) => lowerType switch
    {
        "microsoft.documentdb/databaseaccounts/sqlroleassignments" => AzureStateArea.CosmosSqlRoleAssignments,
        "microsoft.managedidentity/userassignedidentities" => AzureStateArea.UserAssignedIdentities,
        "microsoft.web/sites" => AzureStateArea.Sites,
        "microsoft.web/sites/config" => AzureStateArea.AuthSettings,
        "microsoft.web/sites/functions" => AzureStateArea.Functions,
        "microsoft.authorization/roledefinitions" => AzureStateArea.RoleDefinitions,
        "microsoft.insights/diagnosticsettings" => AzureStateArea.DiagnosticSettings,
        "microsoft.authorization/roleeligibilityschedulerequests" => AzureStateArea.RoleEligibilitySchedules,
        _ => AzureStateArea.RoleAssignments,
    };

    /// <summary>Gives a template resource the id/type/name a REST body has, so the shared parser reads it.</summary>
    private static JsonElement? Reshape(JsonElement resolved, string lowerType, string id, List<string> names)
    {
        string type;
        switch (lowerType)
        {
            case "microsoft.web/sites":
            case "microsoft.managedidentity/userassignedidentities":
            case "microsoft.authorization/roledefinitions":
                type = lowerType; break;
            case "microsoft.web/sites/config":
            case "microsoft.web/sites/functions":
                type = lowerType; break;
            default: return null;
        }
        var name = lowerType is "microsoft.web/sites/functions" ? string.Join("/", names) : names.LastOrDefault() ?? "";
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("type", type);
            w.WriteString("name", name);
            foreach (var p in resolved.EnumerateObject())
            {
                if (p.NameEquals("id") || p.NameEquals("type") || p.NameEquals("name")) continue;
                p.WriteTo(w);
            }
            w.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(ms.ToArray());
        return doc.RootElement.Clone();
    }

    private void AddAssignment(JsonElement r, string lowerType, List<string> names, AzureAssignmentSystem system, AzureState state, ArmExpression expr,
        string rgId, SourceLocation src)
    {
        state.RoleAssignments.Add(ReadAssignment(r, lowerType, names, system, expr, rgId, src));
        state.AreasRead.Add(system == AzureAssignmentSystem.Rbac ? AzureStateArea.RoleAssignments : AzureStateArea.CosmosSqlRoleAssignments);
    }

    // An assignment-shaped resource (role assignment, Cosmos DB SQL role assignment, PIM eligibility request): scope, role and
    // principal resolved as far as the template allows.
    private static AzureRoleAssignment ReadAssignment(JsonElement r, string lowerType, List<string> names, AzureAssignmentSystem system, ArmExpression expr,
        string rgId, SourceLocation src)
    {
        var p = r.Props();
        var unresolved = false;
        string scope;
        var scopeRaw = system == AzureAssignmentSystem.CosmosSql ? p.Str("scope") : r.Str("scope");
        if (scopeRaw is not null)
        {
            scope = expr.EvaluateString(scopeRaw, out var ok);
            unresolved |= !ok;
            if (!scope.StartsWith("/", StringComparison.Ordinal) && !scope.StartsWith("[", StringComparison.Ordinal)) { scope = rgId + "/providers/" + scope; unresolved |= ArmExpression.HasToken(scope); }
        }
        else if (lowerType.EndsWith("/providers/roleassignments", StringComparison.Ordinal))
        {
            // Old style: type "Microsoft.Storage/storageAccounts/providers/roleAssignments", name "acct/Microsoft.Authorization/guid".
            var parentType = lowerType.Substring(0, lowerType.Length - "/providers/roleassignments".Length);
            var typeText = (r.Str("type") ?? "").Substring(0, parentType.Length);
            scope = rgId + ArmExpression.Provider(typeText, names.Take(Math.Max(0, names.Count - 2)).ToList());
            unresolved |= ArmExpression.HasToken(scope);
        }
        else if (system == AzureAssignmentSystem.CosmosSql)
        {
            scope = rgId + "/providers/Microsoft.DocumentDB/databaseAccounts/" + (names.Count > 0 ? names[0] : "");
            unresolved |= ArmExpression.HasToken(scope);
        }
        else { scope = rgId; unresolved |= ArmExpression.HasToken(scope); }

        var roleRaw = p.Str("roleDefinitionId") ?? "";
        var roleText = expr.EvaluateString(roleRaw, out var roleOk);
        var roleGuid = Json.LastSegment(roleText);
        var roleTokenFree = !roleGuid.StartsWith("[", StringComparison.Ordinal) && roleGuid.IndexOf('{') < 0 && roleGuid.IndexOf('(') < 0;
        if (!roleTokenFree) { unresolved = true; roleGuid = roleRaw; }

        string? principalId = null, principalRef = null;
        var principalRaw = p.Str("principalId") ?? "";
        var pv = expr.Evaluate(principalRaw);
        if (pv is string ps && Guid.TryParse(ps, out _)) principalId = ps.ToLowerInvariant();
        else if (pv is ArmReference reference)
        {
            var target = Json.LastSegment(reference.ResourceId);
            var path = string.Join(".", reference.Path).ToLowerInvariant();
            if (path == "identity.principalid" && reference.ResourceId.IndexOf("userAssignedIdentities", StringComparison.OrdinalIgnoreCase) < 0) principalRef = "system:" + target;
            else if (path == "principalid" && reference.ResourceId.IndexOf("userAssignedIdentities", StringComparison.OrdinalIgnoreCase) >= 0) principalRef = "user:" + target;
            else unresolved = true;
        }
        else unresolved = true;

        return new AzureRoleAssignment
        {
            Id = string.Join("/", names),
            System = system,
            Scope = scope,
            RoleDefinitionId = roleGuid,
            PrincipalId = principalId,
            PrincipalRef = principalRef,
            PrincipalType = p.Str("principalType"),
            HasUnresolvedToken = unresolved,
            Source = src,
        };
    }

    /// <summary>A copy of the element with every string (and property name) expression evaluated; unresolved ones keep their text.</summary>
    private static JsonElement Resolve(JsonElement e, ArmExpression expr)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) Write(e, w, expr);
        using var doc = JsonDocument.Parse(ms.ToArray());
        return doc.RootElement.Clone();
    }

    private static void Write(JsonElement e, Utf8JsonWriter w, ArmExpression expr)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (var p in e.EnumerateObject())
                {
                    if (p.NameEquals("resources")) continue;
                    w.WritePropertyName(expr.EvaluateString(p.Name, out _));
                    Write(p.Value, w, expr);
                }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var x in e.EnumerateArray()) Write(x, w, expr);
                w.WriteEndArray();
                break;
            case JsonValueKind.String:
                {
                    var v = expr.Evaluate(e.GetString()!);
                    if (v is string s && s.Equals("true", StringComparison.OrdinalIgnoreCase) && e.GetString()!.StartsWith("[", StringComparison.Ordinal)) w.WriteBooleanValue(true);
                    else if (v is string s2 && s2.Equals("false", StringComparison.OrdinalIgnoreCase) && e.GetString()!.StartsWith("[", StringComparison.Ordinal)) w.WriteBooleanValue(false);
                    else w.WriteStringValue(v is string str ? str : e.GetString());
                    break;
                }
            default:
                e.WriteTo(w);
                break;
        }
    }
}

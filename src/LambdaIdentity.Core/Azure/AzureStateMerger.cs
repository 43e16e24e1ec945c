using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Azure;

/// <summary>
/// Merges the snapshot of one export file into the whole state, never in favour of a pass: when two exports of the same
/// object disagree (two `functionapp show` files of one app with different identities, two role-assignment lists of the
/// same resource groups where one holds assignments the other does not), the disagreement is an error naming both files
/// and the object is judged on neither (its area is unreadable for that app, the assignments are marked conflicting),
/// unless the user named one of the files as preferred, which then wins with a warning.
/// </summary>
public sealed class AzureStateMerger
{
    private readonly AzureState _state;
    private readonly EngineContext _context;
    private readonly ISet<string> _preferred;
    // Where each site field came from: "site|field" -> file.
    private readonly Dictionary<string, string> _siteFieldSource = new(StringComparer.OrdinalIgnoreCase);
    // Role assignments by id (export ids only), with their file.
    private readonly Dictionary<string, (AzureRoleAssignment Assignment, string File)> _assignmentsById = new(StringComparer.OrdinalIgnoreCase);
    // Each assignment list read: its file, its ids and the resource groups (or subscriptions) it holds assignments in.
    private readonly List<(string File, HashSet<string> Ids, HashSet<string> Groups)> _lists = new();

    /// <summary>Creates a merger into <paramref name="state"/>; files in <paramref name="preferred"/> (full paths) win conflicts.</summary>
    public AzureStateMerger(AzureState state, EngineContext context, ISet<string>? preferred = null)
    {
        _state = state; _context = context;
        _preferred = preferred ?? new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>Merges one file's snapshot.</summary>
    public void Merge(AzureState part, string file)
    {
        foreach (var kv in part.RoleDefinitions) _state.RoleDefinitions[kv.Key] = kv.Value;
        MergeAssignments(part, file);
        _state.RoleEligibilities.AddRange(part.RoleEligibilities);
        _state.FederatedCredentials.AddRange(part.FederatedCredentials);
        _state.FederatedCredentialOwnersRead.UnionWith(part.FederatedCredentialOwnersRead);
        foreach (var kv in part.ServicePrincipals) _state.ServicePrincipals[kv.Key] = kv.Value;
        _state.AppRoleAssignments.AddRange(part.AppRoleAssignments);
        foreach (var s in part.Sites.Values) MergeSite(s, file);
        foreach (var kv in part.UserAssignedIdentities) _state.UserAssignedIdentities[kv.Key] = kv.Value;
        _state.Unreadable.AddRange(part.Unreadable);
        foreach (var kv in part.NotDeployed) _state.NotDeployed[kv.Key] = kv.Value;
        _state.AreasRead.UnionWith(part.AreasRead);
        var subscriptions = Subscriptions(part);
        if (subscriptions.Count > 0 || part.RoleAssignments.Count > 0)
            _state.ExportFiles.Add(new AzureExportFile
            {
                File = file,
                Subscriptions = subscriptions,
                NewestChange = part.RoleAssignments.Select(a => a.ChangedOn).Where(d => d is not null).Max(),
            });
    }

    // ---------- role assignments ----------

    private void MergeAssignments(AzureState part, string file)
    {
        var listIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var groups = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var a in part.RoleAssignments)
        {
            if (!IsExportId(a.Id)) { _state.RoleAssignments.Add(a); continue; }
            listIds.Add(a.Id);
            groups.Add(Group(a.Scope));
            if (_assignmentsById.TryGetValue(a.Id, out var seen))
            {
                if (Same(seen.Assignment, a)) continue; // the same assignment in two exports: counted once
                Conflict("role assignment " + a.Id, seen.File, file,
                    Describe(seen.Assignment) + " in one, " + Describe(a) + " in the other",
                    keepFirst => { if (keepFirst) return; seen.Assignment.Conflict = null; Replace(seen.Assignment, a); },
                    () => { seen.Assignment.Conflict = "two exports disagree about it (" + seen.File + ", " + file + ")"; });
                continue;
            }
            _assignmentsById[a.Id] = (a, file);
            _state.RoleAssignments.Add(a);
        }
        if (listIds.Count == 0) return;
        // A stale list next to the current one: lists that share assignments but differ where both hold assignments.
        foreach (var (otherFile, otherIds, otherGroups) in _lists)
        {
            if (!otherIds.Overlaps(listIds)) continue;
            var onlyOther = otherIds.Where(id => !listIds.Contains(id) && groups.Contains(Group(_assignmentsById[id].Assignment.Scope))).ToList();
            var onlyThis = listIds.Where(id => !otherIds.Contains(id) && otherGroups.Contains(Group(_assignmentsById[id].Assignment.Scope))).ToList();
            if (onlyOther.Count == 0 && onlyThis.Count == 0) continue;
            var differing = onlyOther.Concat(onlyThis).ToList();
            var what = onlyOther.Count + " assignment(s) only in " + otherFile + Changed(otherFile) + ", " + onlyThis.Count + " only in " + file + Changed(file)
                       + " (e.g. " + string.Join("; ", differing.Take(3).Select(id => Describe(_assignmentsById[id].Assignment))) + ")";
            Conflict("the role assignments of " + string.Join(", ", differing.Select(id => Group(_assignmentsById[id].Assignment.Scope)).Distinct().Take(3)), otherFile, file, what,
                keepFirst =>
                {
                    // The preferred list wins: what only the other list holds is dropped.
                    var drop = new HashSet<string>(keepFirst ? onlyThis : onlyOther, StringComparer.OrdinalIgnoreCase);
                    _state.RoleAssignments.RemoveAll(a => drop.Contains(a.Id));
                    foreach (var id in drop) _assignmentsById.Remove(id);
                },
                () => { foreach (var id in differing) _assignmentsById[id].Assignment.Conflict = "two role-assignment exports disagree about it (" + otherFile + ", " + file + ")"; });
        }
        _lists.Add((file, listIds, groups));
    }

    private string Changed(string file)
    {
        var newest = _state.ExportFiles.FirstOrDefault(f => f.File == file)?.NewestChange
                     ?? _assignmentsById.Values.Where(v => v.File == file).Select(v => v.Assignment.ChangedOn).Where(d => d is not null).Max();
        return newest is { } d ? " (newest change " + d.ToString("u", CultureInfo.InvariantCulture) + ")" : "";
    }

    private static void Replace(AzureRoleAssignment target, AzureRoleAssignment from)
    {
        target.Scope = from.Scope; target.RoleDefinitionId = from.RoleDefinitionId; target.RoleDefinitionName = from.RoleDefinitionName;
        target.PrincipalId = from.PrincipalId; target.PrincipalName = from.PrincipalName; target.PrincipalType = from.PrincipalType; target.Source = from.Source;
    }

    private static bool IsExportId(string id)
        => id.IndexOf("/providers/Microsoft.Authorization/roleAssignments/", StringComparison.OrdinalIgnoreCase) >= 0
           || id.IndexOf("/sqlRoleAssignments/", StringComparison.OrdinalIgnoreCase) >= 0;

    private static bool Same(AzureRoleAssignment a, AzureRoleAssignment b)
        => string.Equals(NormScope(a.Scope), NormScope(b.Scope), StringComparison.OrdinalIgnoreCase)
           && string.Equals(a.RoleDefinitionId, b.RoleDefinitionId, StringComparison.OrdinalIgnoreCase)
           && string.Equals(a.PrincipalId, b.PrincipalId, StringComparison.OrdinalIgnoreCase);

    private static string NormScope(string scope) => Parity.Scopes.Normalize(scope);

    private static string Describe(AzureRoleAssignment a) => (a.RoleDefinitionName ?? a.RoleDefinitionId) + " at " + a.Scope + " for " + (a.PrincipalName ?? a.PrincipalId);

    // The resource group (or, above it, the subscription) an assignment lies in: what a list "covers".
    private static string Group(string scope)
    {
        var parts = scope.Trim('/').Split('/');
        if (parts.Length >= 4 && parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) && parts[2].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase))
            return ("/subscriptions/" + parts[1] + "/resourceGroups/" + parts[3]).ToLowerInvariant();
        if (parts.Length >= 2 && parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase)) return ("/subscriptions/" + parts[1]).ToLowerInvariant();
        return scope.ToLowerInvariant();
    }

    // ---------- sites ----------

    private void MergeSite(AzureSite s, string file)
    {
        var t = _state.Site(s.Name, s.Id);
        t.Kind ??= s.Kind;
        t.Source ??= s.Source;
        Field(t, "identity", AzureStateArea.Sites, file, s.IdentityType is null ? null : IdentityText(s), IdentityText(t), t.IdentityType is null,
            () => { t.IdentityType = s.IdentityType; t.PrincipalId = s.PrincipalId ?? t.PrincipalId; t.TenantId = s.TenantId ?? t.TenantId; t.UserAssignedIdentities.Clear(); foreach (var u in s.UserAssignedIdentities) t.UserAssignedIdentities[u.Key] = u.Value; },
            merge: () =>
            {
                t.PrincipalId ??= s.PrincipalId;
                t.TenantId ??= s.TenantId;
                foreach (var u in s.UserAssignedIdentities) if (!t.UserAssignedIdentities.TryGetValue(u.Key, out var p) || p is null) t.UserAssignedIdentities[u.Key] = u.Value;
            });
        // authsettingsV2 wins over classic authsettings of the same app; two exports of one version must agree.
        if (s.Auth is not null && t.Auth is not null && s.Auth.Version != t.Auth.Version)
        {
            if (s.Auth.Version > t.Auth.Version) { t.Auth = s.Auth; _siteFieldSource[t.Name + "|auth"] = file; }
        }
        else
            Field(t, "auth", AzureStateArea.AuthSettings, file, s.Auth is null ? null : AuthText(s.Auth), t.Auth is null ? null : AuthText(t.Auth), t.Auth is null,
                () => t.Auth = s.Auth);
        Field(t, "functions", AzureStateArea.Functions, file, s.Functions is null ? null : FunctionsText(s.Functions), t.Functions is null ? null : FunctionsText(t.Functions), t.Functions is null,
            () => t.Functions = s.Functions);
        Field(t, "appsettings", AzureStateArea.AppSettings, file, s.AppSettingNames is null ? null : SetText(s.AppSettingNames), t.AppSettingNames is null ? null : SetText(t.AppSettingNames), t.AppSettingNames is null,
            () => { t.AppSettingNames = s.AppSettingNames; t.AppSettingsSource = s.AppSettingsSource; });
        Field(t, "cors", AzureStateArea.Sites, file, s.CorsAllowedOrigins is null ? null : SetText(s.CorsAllowedOrigins), t.CorsAllowedOrigins is null ? null : SetText(t.CorsAllowedOrigins), t.CorsAllowedOrigins is null,
            () => t.CorsAllowedOrigins = s.CorsAllowedOrigins);
        Field(t, "deploymentStorage", AzureStateArea.Sites, file, s.DeploymentStorageAuthentication, t.DeploymentStorageAuthentication, t.DeploymentStorageAuthentication is null,
            () => t.DeploymentStorageAuthentication = s.DeploymentStorageAuthentication);
        // Several diagnostic settings of one app add up: what any of them sends is sent.
        if (s.DiagnosticLogCategories is not null)
        {
            t.DiagnosticLogCategories ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            t.DiagnosticsSource ??= new SourceLocation { File = file };
            t.DiagnosticLogCategories.UnionWith(s.DiagnosticLogCategories);
        }
    }

    // One field of a site from a second file: taken when the first had none, equal values agree, different ones conflict.
    private void Field(AzureSite t, string field, AzureStateArea area, string file, string? incoming, string? existing, bool empty, Action take, Action? merge = null)
    {
        if (incoming is null) return;
        var key = t.Name + "|" + field;
        if (empty || !_siteFieldSource.TryGetValue(key, out var firstFile))
        {
            take();
            _siteFieldSource[key] = file;
            return;
        }
        if (string.Equals(incoming, existing, StringComparison.OrdinalIgnoreCase)) { merge?.Invoke(); return; }
        Conflict("the " + field + " of function app " + t.Name, firstFile, file, existing + " in one, " + incoming + " in the other",
            keepFirst => { if (!keepFirst) { take(); _siteFieldSource[key] = file; } },
            () => _state.MarkUnreadable(area, t.Name, firstFile + ", " + file, "two exports disagree about the " + field + " of " + t.Name + " (" + firstFile + ": " + existing + "; " + file + ": " + incoming + ")"));
    }

    private static string IdentityText(AzureSite s)
        => (s.IdentityType ?? "none") + (s.PrincipalId is null ? "" : " principal " + s.PrincipalId)
           + (s.UserAssignedIdentities.Count == 0 ? "" : " user-assigned " + string.Join(",", s.UserAssignedIdentities.Keys.Select(k => Json.LastSegment(k).ToLowerInvariant()).OrderBy(k => k, StringComparer.Ordinal)));

    private static string AuthText(AzureAuthSettings a)
        => "enabled " + a.Enabled + ", requireAuthentication " + a.RequireAuthentication + ", unauthenticated " + a.UnauthenticatedClientAction + ", aad " + a.AzureActiveDirectoryEnabled
           + ", issuer " + a.Issuer + ", clientId " + a.ClientId + ", audiences " + SetText(a.AllowedAudiences) + ", applications " + SetText(a.AllowedApplications);

    private static string FunctionsText(List<AzureFunction> f) => string.Join(",", f.Select(x => x.Name + ":" + x.AuthLevel).OrderBy(x => x, StringComparer.OrdinalIgnoreCase));

    private static string SetText(IEnumerable<string> values) => "[" + string.Join(",", values.Select(v => v.ToLowerInvariant()).Distinct().OrderBy(v => v, StringComparer.Ordinal)) + "]";

    // ---------- conflicts ----------

    private void Conflict(string what, string firstFile, string secondFile, string detail, Action<bool> resolve, Action judgeOnNeither)
    {
        var firstPreferred = _preferred.Contains(System.IO.Path.GetFullPath(firstFile));
        var secondPreferred = _preferred.Contains(System.IO.Path.GetFullPath(secondFile));
        if (firstPreferred != secondPreferred)
        {
            resolve(firstPreferred);
            _context.Warning("Two exports disagree about " + what + ": " + detail + ". Trusting " + (firstPreferred ? firstFile : secondFile) + " (--prefer / -Prefer).");
            return;
        }
        judgeOnNeither();
        _context.Error("AzureExportConflict", EngineErrorCategory.InvalidData, firstFile + " | " + secondFile,
            "Two exports disagree about " + what + ": " + detail + ". " + firstFile + " and " + secondFile
            + " cannot both be current; what they disagree about is judged on neither (Unverifiable). Remove the stale file or name the current one with --prefer (-Prefer).",
            new SourceLocation { File = secondFile });
    }

    private static HashSet<string> Subscriptions(AzureState part)
    {
        var subs = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        void From(string? id)
        {
            if (string.IsNullOrEmpty(id)) return;
            var parts = id!.Trim('/').Split('/');
            if (parts.Length >= 2 && parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) && Guid.TryParse(parts[1], out _)) subs.Add(parts[1].ToLowerInvariant());
        }
        foreach (var a in part.RoleAssignments) From(a.Scope);
        foreach (var e in part.RoleEligibilities) From(e.Scope);
        foreach (var s in part.Sites.Values) From(s.Id);
        foreach (var i in part.UserAssignedIdentities.Values) From(i.Id);
        return subs;
    }
}

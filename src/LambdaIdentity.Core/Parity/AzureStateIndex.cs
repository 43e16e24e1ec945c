using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Parity;

/// <summary>
/// The Azure state as the surface checkers look it up: built once per check from <see cref="AzureState"/> and the
/// options, never changed afterwards. What a check consumes is recorded in the <see cref="ParityLedger"/>, not here.
/// </summary>
internal sealed class AzureStateIndex
{
    private readonly Dictionary<string, AzureRoleDefinition> _roles = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _roleIdByName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<AzureRoleAssignment>> _byPrincipal = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<AzureRoleAssignment>> _byScope = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<AzureRoleAssignment> _managementGroupAssignments = new();
    private readonly Dictionary<string, List<AzureRoleAssignment>> _eligibleByPrincipal = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<AzureRoleAssignment>> _eligibleByScope = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<AzureRoleAssignment> _managementGroupEligibilities = new();
    private readonly Dictionary<string, List<AzureUserAssignedIdentity>> _identitiesByName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, EntraServicePrincipal> _spByAppId = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, EntraServicePrincipal> _spByName = new(StringComparer.OrdinalIgnoreCase);
    // A memo of a pure function of the role definition (which key-listing action it grants): it never changes a result.
    private readonly Dictionary<string, string?> _invokeMemo = new(StringComparer.OrdinalIgnoreCase);

    public AzureStateIndex(AzureState state, ParityOptions options)
    {
        State = state;
        Options = options;
        Now = options.Now ?? DateTimeOffset.UtcNow;
        foreach (var r in ParityChecker.CosmosBuiltIns) _roles[r.Id] = r;
        foreach (var r in options.RoleCatalog ?? ParityChecker.EmbeddedBuiltIns.Value) _roles[r.Id] = r;
        foreach (var r in state.RoleDefinitions.Values) _roles[r.Id] = r;
        foreach (var r in _roles.Values) if (!_roleIdByName.ContainsKey(r.RoleName)) _roleIdByName[r.RoleName] = r.Id;
        foreach (var a in state.RoleAssignments)
        {
            if (a.PrincipalId is not null) Add(_byPrincipal, a.PrincipalId, a);
            if (a.PrincipalRef is not null) Add(_byPrincipal, a.PrincipalRef, a);
            if (!string.IsNullOrEmpty(a.PrincipalName)) Add(_byPrincipal, "name:" + a.PrincipalName, a);
            var scope = Scopes.Normalize(a.Scope);
            if (scope.StartsWith(Scopes.ManagementGroups, StringComparison.Ordinal)) _managementGroupAssignments.Add(a);
            else Add(_byScope, scope, a);
        }
        foreach (var e in state.RoleEligibilities)
        {
            if (e.PrincipalId is not null) Add(_eligibleByPrincipal, e.PrincipalId, e);
            if (!string.IsNullOrEmpty(e.PrincipalName)) Add(_eligibleByPrincipal, "name:" + e.PrincipalName, e);
            var scope = Scopes.Normalize(e.Scope);
            if (scope.StartsWith(Scopes.ManagementGroups, StringComparison.Ordinal)) _managementGroupEligibilities.Add(e);
            else Add(_eligibleByScope, scope, e);
        }
        foreach (var i in state.UserAssignedIdentities.Values)
        {
            if (!_identitiesByName.TryGetValue(i.Name, out var list)) _identitiesByName[i.Name] = list = new List<AzureUserAssignedIdentity>();
            list.Add(i);
        }
        foreach (var sp in state.ServicePrincipals.Values.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            if (sp.AppId is not null && !_spByAppId.ContainsKey(sp.AppId)) _spByAppId[sp.AppId] = sp;
            if (sp.DisplayName is not null && !_spByName.ContainsKey(sp.DisplayName)) _spByName[sp.DisplayName] = sp;
        }
    }

    private static void Add(Dictionary<string, List<AzureRoleAssignment>> d, string key, AzureRoleAssignment a)
    {
        if (!d.TryGetValue(key, out var list)) d[key] = list = new List<AzureRoleAssignment>();
        list.Add(a);
    }

    /// <summary>The state the index was built from.</summary>
    public AzureState State { get; }

    /// <summary>The options of this check.</summary>
    public ParityOptions Options { get; }

    /// <summary>The moment PIM eligibility end dates are compared with.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The function app of that name, or null.</summary>
    public AzureSite? Site(string app) => State.Sites.TryGetValue(app, out var site) ? site : null;

    /// <summary>Whether any standing assignment is filed under the principal key.</summary>
    public bool HasAssignmentsFor(string key) => _byPrincipal.ContainsKey(key);

    /// <summary>The standing assignments filed under one principal key (object id, template reference, name:).</summary>
    public IReadOnlyList<AzureRoleAssignment> AssignmentsOf(string key) => _byPrincipal.TryGetValue(key, out var list) ? list : Array.Empty<AzureRoleAssignment>();

    /// <summary>The user-assigned identities of that name.</summary>
    public IReadOnlyList<AzureUserAssignedIdentity> IdentitiesNamed(string name) => _identitiesByName.TryGetValue(name, out var list) ? list : Array.Empty<AzureUserAssignedIdentity>();

    /// <summary>Whether the state holds a user-assigned identity of that name.</summary>
    public bool HasIdentityNamed(string name) => _identitiesByName.ContainsKey(name);

    /// <summary>The standing assignments of any of a principal's keys, each once.</summary>
    public IEnumerable<AzureRoleAssignment> Candidates(HashSet<string> keys) => Candidates(keys, _byPrincipal);

    /// <summary>The eligibilities (PIM) of any of a principal's keys, each once.</summary>
    public IEnumerable<AzureRoleAssignment> EligibleCandidates(HashSet<string> keys) => Candidates(keys, _eligibleByPrincipal);

    private static IEnumerable<AzureRoleAssignment> Candidates(HashSet<string> keys, Dictionary<string, List<AzureRoleAssignment>> byPrincipal)
    {
        var seen = new HashSet<AzureRoleAssignment>();
        foreach (var k in keys)
            if (byPrincipal.TryGetValue(k, out var list))
                foreach (var a in list) if (seen.Add(a)) yield return a;
    }

    /// <summary>What is assigned at the app's scope or any scope above it.</summary>
    public IEnumerable<AzureRoleAssignment> CoveringAssignments(string siteId) => Covering(siteId, _byScope, _managementGroupAssignments);

    /// <summary>What is eligible (PIM) at the app's scope or any scope above it.</summary>
    public IEnumerable<AzureRoleAssignment> CoveringEligibilities(string siteId) => Covering(siteId, _eligibleByScope, _managementGroupEligibilities);

    private static IEnumerable<AzureRoleAssignment> Covering(string siteId, Dictionary<string, List<AzureRoleAssignment>> byScope, List<AzureRoleAssignment> managementGroups)
    {
        var scope = Scopes.Normalize(siteId);
        while (true)
        {
            if (byScope.TryGetValue(scope, out var list)) foreach (var a in list) yield return a;
            if (scope == "/") break;
            scope = Scopes.Parent(scope);
        }
        foreach (var a in managementGroups) yield return a; // hierarchy unknown: assumed to cover
    }

    /// <summary>The Entra service principal of a function app: the one its authentication names, else the one named like the app.</summary>
    public EntraServicePrincipal? ServicePrincipalOf(string app)
    {
        if (Site(app)?.Auth?.ClientId is string clientId && _spByAppId.TryGetValue(clientId, out var byClient)) return byClient;
        return _spByName.TryGetValue(app, out var byName) ? byName : null;
    }

    /// <summary>
    /// Why the state cannot show one area of an app: the reader's reason (after couldNotRead) or, when it was read but
    /// holds nothing for the app (present false), the absent text; null when it can be checked. Fails closed: either
    /// reason makes the caller's result Unverifiable, never Pass.
    /// </summary>
    public string? Unreadable(string app, AzureStateArea area, bool present, string couldNotRead, string absent)
        => State.WhyUnreadable(area, app) is { } why ? couldNotRead + why : present ? null : absent;

    // ---------- roles ----------

    public string? ResolveRoleId(AzRoleMapping m)
    {
        if (!string.IsNullOrEmpty(m.RoleDefinitionId)) return Json.LastSegment(m.RoleDefinitionId!);
        if (!string.IsNullOrEmpty(m.RoleDefinitionName) && _roleIdByName.TryGetValue(m.RoleDefinitionName!, out var id)) return id;
        return null;
    }

    public bool SameRole(AzureRoleAssignment a, string? roleId, string? roleName)
    {
        if (roleId is not null && string.Equals(a.RoleDefinitionId, roleId, StringComparison.OrdinalIgnoreCase)) return true;
        if (roleName is null) return false;
        if (a.RoleDefinitionName is not null) return string.Equals(a.RoleDefinitionName, roleName, StringComparison.OrdinalIgnoreCase);
        return roleId is null && _roles.TryGetValue(a.RoleDefinitionId, out var d) && string.Equals(d.RoleName, roleName, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when role a grants every permission of the designed role; null when either definition is unknown.</summary>
    public bool? MorePrivileged(string actualId, string? designedId)
    {
        if (designedId is null || !_roles.TryGetValue(actualId, out var a) || !_roles.TryGetValue(designedId, out var d)) return null;
        return AzureActionPattern.IsSuperset(a, d);
    }

    public string RoleName(AzureRoleAssignment a)
        => a.RoleDefinitionName ?? (_roles.TryGetValue(a.RoleDefinitionId, out var d) ? d.RoleName : a.RoleDefinitionId);

    /// <summary>The action by which a role can list a function app's keys (invoke access), or null; known false when the role is unknown.</summary>
    public string? InvokeAction(string roleId, out bool known)
    {
        if (_roles.TryGetValue(roleId, out var def))
        {
            known = true;
            if (!_invokeMemo.TryGetValue(roleId, out var cached)) _invokeMemo[roleId] = cached = AzureActionPattern.InvokeAction(def);
            return cached;
        }
        if (ParityChecker.KnownInvokeRoles.ContainsKey(roleId)) { known = true; return "Microsoft.Web/sites/host/listkeys/action"; }
        if (ParityChecker.KnownNonInvokeRoles.Contains(roleId)) { known = true; return null; }
        known = false;
        return null;
    }

    // ---------- descriptions ----------

    public string DescribeAssignment(AzureRoleAssignment a)
        => RoleName(a) + " at " + a.Scope + (a.System == AzureAssignmentSystem.CosmosSql ? " (Cosmos DB SQL)" : "")
           + " for " + (a.PrincipalName ?? a.PrincipalRef ?? a.PrincipalId ?? "an unresolved principal");

    public string DescribeEligibility(AzureRoleAssignment e)
        => "eligible: " + RoleName(e) + " at " + e.Scope + (e.EndDateTime is { } end ? " until " + end.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : " (no end)")
           + (e.Status is null || e.Status.Equals("Provisioned", StringComparison.OrdinalIgnoreCase) ? "" : ", status " + e.Status);

    /// <summary>Why a more privileged role (assigned or eligible) is Broader than the designed one.</summary>
    public string Includes(AzureRoleAssignment a, string? designedRoleName, string? roleId, ScopeRelation rel)
        => RoleName(a) + " grants every permission of " + (designedRoleName ?? roleId) + (rel == ScopeRelation.Ancestor ? ", at the wider scope " + a.Scope : "");

    /// <summary>In force: provisioned (or no status given) and not past its end.</summary>
    public static bool InForce(AzureRoleAssignment e, DateTimeOffset now)
        => (e.Status is null || e.Status.Equals("Provisioned", StringComparison.OrdinalIgnoreCase)) && (e.EndDateTime is null || e.EndDateTime > now);
}

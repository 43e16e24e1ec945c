using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Catalogs;

namespace LambdaIdentity.Core.Translation;

/// <summary>The outcome of choosing a role for a set of needed operations.</summary>
public sealed class RoleChoice
{
    /// <summary>The least-privileged covering role, or null when no non-privileged role covers the operations.</summary>
    public AzureRoleDefinition? Role { get; init; }
    /// <summary>How many catalog operations the chosen role grants.</summary>
    public int GrantedCount { get; init; }
    /// <summary>How many operations were needed.</summary>
    public int NeededCount { get; init; }
    /// <summary>Every non-privileged covering role, smallest first.</summary>
    public IReadOnlyList<AzureRoleDefinition> Candidates { get; init; } = Array.Empty<AzureRoleDefinition>();
    /// <summary>Covering roles left out because they can change access.</summary>
    public IReadOnlyList<AzureRoleDefinition> PrivilegedExcluded { get; init; } = Array.Empty<AzureRoleDefinition>();
    /// <summary>
    /// Operations the chosen role grants beyond those needed, on the planes the need uses: extra data actions when data
    /// actions are needed, extra non-read control actions when control actions are needed.
    /// </summary>
    public int Excess { get; init; }
}

/// <summary>
/// Picks, among the roles of one authorization system that cover every needed action and data action
/// (wildcard-aware, minus notActions), the one granting the fewest catalog operations. Roles that can change
/// access (Owner, Contributor, *Access Administrator, Microsoft.Authorization writes) are never chosen.
/// Ties break on fewer data actions, then on the role name (ordinal), so the choice is deterministic.
/// </summary>
public sealed class LeastPrivilegeSelector
{
    private readonly AzureRoleCatalog _catalog;

    /// <summary>Creates a selector over a catalog.</summary>
    public LeastPrivilegeSelector(AzureRoleCatalog catalog) => _catalog = catalog;

    /// <summary>The catalog used.</summary>
    public AzureRoleCatalog Catalog => _catalog;

    /// <summary>Chooses the least-privileged covering role.</summary>
    public RoleChoice Choose(IReadOnlyCollection<string> actions, IReadOnlyCollection<string> dataActions, RoleSystem system, ICollection<string>? excludedRoles = null)
    {
        // The same needs recur across functions: memoise (the catalog is immutable).
        var key = system + "|" + string.Join(",", actions.OrderBy(a => a, StringComparer.OrdinalIgnoreCase)) + "|" + string.Join(",", dataActions.OrderBy(a => a, StringComparer.OrdinalIgnoreCase))
            + "|" + (excludedRoles is null ? "" : string.Join(",", excludedRoles.OrderBy(r => r, StringComparer.OrdinalIgnoreCase)));
        return _memo.GetOrAdd(key, _ => ChooseCore(actions, dataActions, system, excludedRoles));
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RoleChoice> _memo = new(StringComparer.Ordinal);

    private RoleChoice ChooseCore(IReadOnlyCollection<string> actions, IReadOnlyCollection<string> dataActions, RoleSystem system, ICollection<string>? excludedRoles)
    {
        var covering = _catalog.Roles.Where(r => r.System == system && !IsExcluded(r.RoleName, excludedRoles) && AzureRoleCatalog.Covers(r, actions, dataActions)).ToList();
        var privileged = covering.Where(_catalog.IsPrivileged).ToList();
        var ranked = covering.Except(privileged)
            .Select(r => (Role: r, Granted: _catalog.Granted(r)))
            .OrderBy(x => x.Granted.Count).ThenBy(x => x.Granted.DataActions.Count).ThenBy(x => x.Role.RoleName, StringComparer.Ordinal)
            .ToList();
        var best = ranked.Count == 0 ? default : ranked[0];
        var neededActions = Expand(actions, false);
        var neededData = Expand(dataActions, true);
        var excess = 0;
        if (best.Role is not null)
        {
            if (dataActions.Count > 0) excess += best.Granted.DataActions.Count(d => !neededData.Contains(d));
            if (actions.Count > 0) excess += best.Granted.Actions.Count(a => !neededActions.Contains(a) && !a.EndsWith("/read", StringComparison.OrdinalIgnoreCase));
        }
        return new RoleChoice
        {
            Role = best.Role,
            GrantedCount = best.Role is null ? 0 : best.Granted.Count,
            NeededCount = neededActions.Count + neededData.Count,
            Excess = excess,
            Candidates = ranked.Select(x => x.Role).ToList(),
            PrivilegedExcluded = privileged,
        };
    }

    /// <summary>True when a role name matches one of the excluded names or patterns ('*' wildcards, case-insensitive).</summary>
    public static bool IsExcluded(string roleName, IEnumerable<string>? excluded)
        => excluded is not null && excluded.Any(p => AzureOperationPattern.Matches(p, roleName));

    // A needed operation may itself be a pattern (e.g. Microsoft.ServiceBus/*/send/action): expand what it stands for.
    private HashSet<string> Expand(IEnumerable<string> ops, bool data)
    {
        var list = data ? _catalog.DataActions : _catalog.Actions;
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var op in ops)
        {
            var matched = list.Where(o => AzureOperationPattern.Matches(op, o)).ToList();
            if (matched.Count == 0) set.Add(op); else foreach (var m in matched) set.Add(m);
        }
        return set;
    }
}

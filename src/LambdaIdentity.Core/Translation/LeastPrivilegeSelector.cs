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
    /// <summary>Operations the chosen role grants beyond those needed that are not reads (control or data plane).</summary>
    public int Excess { get; init; }
    /// <summary>
    /// The excess weighed by risk (<see cref="LeastPrivilegeSelector.RiskOf"/>): harmless reads weigh nothing, so a broad but
    /// read-heavy built-in is still preferred to a custom role; an operation that changes access weighs more than any threshold.
    /// </summary>
    public double Risk { get; init; }
    /// <summary>Excess operations of the chosen role that change access (keys, tokens, permissions, Microsoft.Authorization writes).</summary>
    public IReadOnlyList<string> AccessChanging { get; init; } = Array.Empty<string>();
    /// <summary>The excess by kind: "writes", "deletes", "actions" (control plane), "data" (data-plane writes, deletes and actions), "other data reads".</summary>
    public IReadOnlyDictionary<string, int> ExcessByKind { get; init; } = new Dictionary<string, int>();
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
        var risk = best.Role is null ? new Weighed() : Weigh(best.Granted.Actions.Where(a => !neededActions.Contains(a)), best.Granted.DataActions.Where(d => !neededData.Contains(d)), neededActions.Concat(neededData));
        return new RoleChoice
        {
            Role = best.Role,
            GrantedCount = best.Role is null ? 0 : best.Granted.Count,
            NeededCount = neededActions.Count + neededData.Count,
            Excess = risk.Count,
            Risk = risk.Risk,
            AccessChanging = risk.AccessChanging,
            ExcessByKind = risk.ByKind,
            Candidates = ranked.Select(x => x.Role).ToList(),
            PrivilegedExcluded = privileged,
        };
    }

    /// <summary>Weight of an operation that changes access: more than any threshold, so a role granting one in excess is never preferred to a custom role.</summary>
    public const double AccessChangeWeight = 1000;
    /// <summary>Weight of a data-plane write, delete or action on a resource type the need already uses data-plane operations of.</summary>
    public const double SameTypeDataWeight = 0.25;

    // Operations that hand out or change access: reading keys or connection strings, minting SAS or tokens for others,
    // changing ACLs or ownership, and Microsoft.Authorization writes.
    private static readonly string[] AccessChangingPatterns =
    {
        "Microsoft.Authorization/*/write", "Microsoft.Authorization/*/delete", "Microsoft.Authorization/*/action",
        "*/listKeys/action", "*/regenerateKey/action", "*/regenerateKeys/action", "*/listAccountSas/action", "*/listServiceSas/action",
        "*/listConnectionStrings/action", "*/listSecrets/action", "*/listCredentials/action", "*/accessKey/action", "*/accessToken/action",
        "*/generateToken/action", "*/modifyPermissions/action", "*/manageOwnership/action",
    };

    /// <summary>True when an operation hands out or changes access (keys, SAS, tokens for others, ACLs, Microsoft.Authorization writes).</summary>
    public static bool ChangesAccess(string operation) => AccessChangingPatterns.Any(p => AzureOperationPattern.Matches(p, operation));

    /// <summary>
    /// The risk weight of one operation a role grants beyond the need: 0 for a read (control plane, or data of a resource
    /// type the need reads or writes already); <see cref="SameTypeDataWeight"/> for a data-plane write, delete or action on
    /// a resource type the need already uses (the assignment's scope bounds it to the resource the function reaches
    /// anyway); 1 for a control-plane write, delete or action (it reconfigures or removes resources) and for any data-plane
    /// operation on another resource type (other data); <see cref="AccessChangeWeight"/> for an operation that changes access.
    /// </summary>
    public static double RiskOf(string operation, bool data, ICollection<string> neededTypes)
    {
        if (ChangesAccess(operation)) return AccessChangeWeight;
        var read = operation.EndsWith("/read", StringComparison.OrdinalIgnoreCase);
        if (!data) return read ? 0 : 1;
        var sameType = neededTypes.Contains(ResourceTypeOf(operation));
        return sameType ? (read ? 0 : SameTypeDataWeight) : 1;
    }

    /// <summary>The provider and top-level resource type of an operation (Microsoft.Storage/storageAccounts).</summary>
    public static string ResourceTypeOf(string operation)
    {
        var parts = operation.Split('/');
        return parts.Length >= 2 ? parts[0] + "/" + parts[1] : operation;
    }

    private sealed class Weighed
    {
        public int Count; public double Risk; public List<string> AccessChanging = new(); public Dictionary<string, int> ByKind = new(StringComparer.Ordinal);
    }

    private static Weighed Weigh(IEnumerable<string> extraActions, IEnumerable<string> extraData, IEnumerable<string> needed)
    {
        var types = new HashSet<string>(needed.Select(ResourceTypeOf), StringComparer.OrdinalIgnoreCase);
        var w = new Weighed();
        void Add(string op, bool data)
        {
            var r = RiskOf(op, data, types);
            if (r == 0) return;
            w.Risk += r;
            w.Count++;
            if (r >= AccessChangeWeight) { w.AccessChanging.Add(op); return; }
            var kind = data ? (r < 1 ? "data" : "other data") : op.EndsWith("/write", StringComparison.OrdinalIgnoreCase) ? "writes" : op.EndsWith("/delete", StringComparison.OrdinalIgnoreCase) ? "deletes" : "actions";
            w.ByKind[kind] = (w.ByKind.TryGetValue(kind, out var n) ? n : 0) + 1;
        }
        foreach (var a in extraActions) Add(a, false);
        foreach (var d in extraData) Add(d, true);
        w.AccessChanging.Sort(StringComparer.Ordinal);
        return w;
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

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;

namespace LambdaIdentity.Core.Catalogs;

/// <summary>Which authorization system a role belongs to.</summary>
public enum RoleSystem
{
    /// <summary>Azure RBAC (Microsoft.Authorization/roleAssignments).</summary>
    AzureRbac,
    /// <summary>Cosmos DB for NoSQL native data-plane RBAC (Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments).</summary>
    CosmosDbSql,
}

/// <summary>One permission block of a role definition.</summary>
public sealed class AzurePermission
{
    /// <summary>Control-plane action patterns.</summary>
    public IReadOnlyList<string> Actions { get; init; } = Array.Empty<string>();
    /// <summary>Excluded control-plane patterns.</summary>
    public IReadOnlyList<string> NotActions { get; init; } = Array.Empty<string>();
    /// <summary>Data-plane action patterns.</summary>
    public IReadOnlyList<string> DataActions { get; init; } = Array.Empty<string>();
    /// <summary>Excluded data-plane patterns.</summary>
    public IReadOnlyList<string> NotDataActions { get; init; } = Array.Empty<string>();
}

/// <summary>A built-in role definition (trimmed: name, GUID and permissions).</summary>
public sealed class AzureRoleDefinition
{
    /// <summary>The role's name, e.g. Storage Blob Data Reader.</summary>
    public string RoleName { get; init; } = "";
    /// <summary>The role definition GUID.</summary>
    public string Id { get; init; } = "";
    /// <summary>Its permission blocks.</summary>
    public IReadOnlyList<AzurePermission> Permissions { get; init; } = Array.Empty<AzurePermission>();
    /// <summary>The authorization system that assigns it.</summary>
    public RoleSystem System { get; init; }

    /// <summary>True when the role allows <paramref name="operation"/> (wildcards of actions minus notActions, per block).</summary>
    public bool Allows(string operation, bool isDataAction)
    {
        foreach (var p in Permissions)
        {
            var allow = isDataAction ? p.DataActions : p.Actions;
            var deny = isDataAction ? p.NotDataActions : p.NotActions;
            if (allow.Any(a => AzureOperationPattern.Matches(a, operation)) && !deny.Any(n => AzureOperationPattern.Matches(n, operation))) return true;
        }
        return false;
    }

    /// <inheritdoc />
    public override string ToString() => RoleName + " (" + Id + ")";
}

/// <summary>
/// The embedded catalog of Azure built-in role definitions (built from shared/data by Catalogs/build-azure-catalogs.py)
/// plus Cosmos DB's data-plane roles, and the catalog of every provider operation, used to measure what a role grants.
/// </summary>
public sealed class AzureRoleCatalog
{
    private static readonly Lazy<AzureRoleCatalog> _default = new(Load);
    private readonly Dictionary<string, AzureRoleDefinition> _byName;
    private readonly Dictionary<string, AzureRoleDefinition> _byId;
    private readonly Dictionary<string, string[]> _actionsByProvider;
    private readonly Dictionary<string, string[]> _dataActionsByProvider;
    private readonly ConcurrentDictionary<string, GrantedOperations> _granted = new(StringComparer.Ordinal);

    /// <summary>The embedded catalog (loaded once).</summary>
    public static AzureRoleCatalog Default => _default.Value;

    /// <summary>Every role: ARM built-in roles and Cosmos DB data-plane roles.</summary>
    public IReadOnlyList<AzureRoleDefinition> Roles { get; }
    /// <summary>Every control-plane operation name.</summary>
    public IReadOnlyList<string> Actions { get; }
    /// <summary>Every data-plane operation name (including Cosmos DB's).</summary>
    public IReadOnlyList<string> DataActions { get; }

    /// <summary>Builds a catalog from roles and operations (tests use small catalogs).</summary>
    public AzureRoleCatalog(IEnumerable<AzureRoleDefinition> roles, IEnumerable<string> actions, IEnumerable<string> dataActions)
    {
        Roles = roles.ToList();
        Actions = actions.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        DataActions = dataActions.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        _byName = new Dictionary<string, AzureRoleDefinition>(StringComparer.OrdinalIgnoreCase);
        _byId = new Dictionary<string, AzureRoleDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in Roles) { _byName[r.RoleName] = r; _byId[r.Id] = r; }
        _actionsByProvider = Actions.GroupBy(Provider, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.OrdinalIgnoreCase);
        _dataActionsByProvider = DataActions.GroupBy(Provider, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The role with this name, or null.</summary>
    public AzureRoleDefinition? FindByName(string roleName) => _byName.TryGetValue(roleName, out var r) ? r : null;
    /// <summary>The role with this GUID, or null.</summary>
    public AzureRoleDefinition? FindById(string id) => _byId.TryGetValue(id, out var r) ? r : null;

    /// <summary>True when the operation names a known control-plane (or data-plane) operation, or matches one when it is a pattern.</summary>
    public bool IsKnownOperation(string operation, bool isDataAction)
    {
        var list = isDataAction ? DataActions : Actions;
        return list.Any(o => AzureOperationPattern.Matches(operation, o));
    }

    /// <summary>True when the role allows every needed operation.</summary>
    public static bool Covers(AzureRoleDefinition role, IEnumerable<string> actions, IEnumerable<string> dataActions)
        => actions.All(a => role.Allows(a, false)) && dataActions.All(d => role.Allows(d, true));

    /// <summary>The concrete catalog operations a role grants (its size, for least privilege).</summary>
    public GrantedOperations Granted(AzureRoleDefinition role) => _granted.GetOrAdd(role.Id + "|" + role.RoleName, _ => Compute(role));

    /// <summary>
    /// True when the role can change access: Owner, Contributor, User Access Administrator, any *Access Administrator,
    /// or any role granting a Microsoft.Authorization write (role assignments, role definitions, policy, locks...).
    /// Never proposed for a workload identity.
    /// </summary>
    public bool IsPrivileged(AzureRoleDefinition role)
    {
        var n = role.RoleName;
        if (n.Equals("Owner", StringComparison.OrdinalIgnoreCase) || n.Equals("Contributor", StringComparison.OrdinalIgnoreCase)
            || n.EndsWith("Access Administrator", StringComparison.OrdinalIgnoreCase)) return true;
        if (role.Permissions.Any(p => p.Actions.Any(a => a == "*"))) return true;
        if (role.Allows("Microsoft.Authorization/roleAssignments/write", false) || role.Allows("Microsoft.Authorization/roleDefinitions/write", false)) return true;
        return Granted(role).Actions.Any(a => a.StartsWith("Microsoft.Authorization/", StringComparison.OrdinalIgnoreCase) && a.EndsWith("/write", StringComparison.OrdinalIgnoreCase));
    }

    private GrantedOperations Compute(AzureRoleDefinition role)
    {
        var actions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var data = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in role.Permissions)
        {
            Expand(p.Actions, p.NotActions, _actionsByProvider, actions);
            Expand(p.DataActions, p.NotDataActions, _dataActionsByProvider, data);
        }
        return new GrantedOperations(actions, data);
    }

    private static void Expand(IReadOnlyList<string> allow, IReadOnlyList<string> deny, Dictionary<string, string[]> byProvider, HashSet<string> into)
    {
        foreach (var pattern in allow)
        {
            var provider = Provider(pattern);
            IEnumerable<string> candidates = provider.IndexOf('*') >= 0
                ? byProvider.Where(kv => AzureOperationPattern.Matches(provider, kv.Key)).SelectMany(kv => kv.Value)
                : byProvider.TryGetValue(provider, out var ops) ? ops : Array.Empty<string>();
            foreach (var op in candidates)
                if (AzureOperationPattern.Matches(pattern, op) && !deny.Any(d => AzureOperationPattern.Matches(d, op))) into.Add(op);
        }
    }

    private static string Provider(string operation)
    {
        var i = operation.IndexOf('/');
        return i < 0 ? operation : operation.Substring(0, i);
    }

    private static AzureRoleCatalog Load()
    {
        var asm = typeof(AzureRoleCatalog).Assembly;
        List<AzureRoleDefinition> roles;
        using (var s = OpenGzip(asm, "azure-builtin-roles.json.gz"))
            roles = ReadRoles(JsonDocument.Parse(s).RootElement, RoleSystem.AzureRbac);
        string[] actions, dataActions;
        using (var s = OpenGzip(asm, "azure-operations.json.gz"))
        {
            var root = JsonDocument.Parse(s).RootElement;
            actions = root.GetProperty("actions").EnumerateArray().Select(e => e.GetString()!).ToArray();
            dataActions = root.GetProperty("dataActions").EnumerateArray().Select(e => e.GetString()!).ToArray();
        }
        using (var s = asm.GetManifestResourceStream("LambdaIdentity.Core.Catalogs.cosmos-data-plane-roles.json")!)
        {
            var root = JsonDocument.Parse(s).RootElement;
            roles.AddRange(ReadRoles(root.GetProperty("roles"), RoleSystem.CosmosDbSql));
            dataActions = dataActions.Concat(root.GetProperty("dataActions").EnumerateArray().Select(e => e.GetString()!)).ToArray();
        }
        return new AzureRoleCatalog(roles, actions, dataActions);
    }

    private static Stream OpenGzip(System.Reflection.Assembly asm, string name)
    {
        var raw = asm.GetManifestResourceStream("LambdaIdentity.Core.Catalogs." + name)
            ?? throw new InvalidOperationException("Embedded catalog " + name + " is missing from LambdaIdentity.Core.");
        return new GZipStream(raw, CompressionMode.Decompress);
    }

    private static List<AzureRoleDefinition> ReadRoles(JsonElement array, RoleSystem system)
    {
        static string[] Strings(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : Array.Empty<string>();
        return array.EnumerateArray().Select(r => new AzureRoleDefinition
        {
            RoleName = r.GetProperty("roleName").GetString() ?? "",
            Id = r.GetProperty("id").GetString() ?? "",
            System = system,
            Permissions = r.GetProperty("permissions").EnumerateArray().Select(p => new AzurePermission
            {
                Actions = Strings(p, "actions"),
                NotActions = Strings(p, "notActions"),
                DataActions = Strings(p, "dataActions"),
                NotDataActions = Strings(p, "notDataActions"),
            }).ToArray(),
        }).ToList();
    }
}

/// <summary>The concrete operations a role grants, from the operations catalog.</summary>
public sealed class GrantedOperations
{
    /// <summary>Creates the set.</summary>
    public GrantedOperations(IReadOnlyCollection<string> actions, IReadOnlyCollection<string> dataActions) { Actions = actions; DataActions = dataActions; }
    /// <summary>Control-plane operations.</summary>
    public IReadOnlyCollection<string> Actions { get; }
    /// <summary>Data-plane operations.</summary>
    public IReadOnlyCollection<string> DataActions { get; }
    /// <summary>How many operations in all.</summary>
    public int Count => Actions.Count + DataActions.Count;
}

/// <summary>Azure operation patterns: case-insensitive, '*' matches any run of characters (including '/').</summary>
public static class AzureOperationPattern
{
    /// <summary>True when <paramref name="pattern"/> matches <paramref name="operation"/> (the engine's one glob matcher, '?' literal).</summary>
    public static bool Matches(string pattern, string operation) => Aws.Policy.Wildcard.Match(pattern, operation, ignoreCase: true, questionMarkIsWildcard: false);
}

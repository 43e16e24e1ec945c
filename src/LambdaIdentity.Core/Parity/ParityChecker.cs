using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Parity;

/// <summary>Options for a parity check.</summary>
public sealed class ParityOptions
{
    /// <summary>
    /// Role definitions to resolve names, GUIDs and permissions when the Azure state holds none for a role
    /// (e.g. read from `az role definition list`). Null: the embedded catalog of Azure built-in roles. Definitions in
    /// the state win over both.
    /// </summary>
    public IEnumerable<AzureRoleDefinition>? RoleCatalog { get; set; }
    /// <summary>Report principals that can list the function app's keys (invoke access) without a mapping. Default true.</summary>
    public bool CheckCallerAccess { get; set; } = true;
    /// <summary>The moment PIM eligibility end dates are compared with. Null: now.</summary>
    public DateTimeOffset? Now { get; set; }
    /// <summary>
    /// The AWS side of the trust for dependencies that stay on AWS (AwsTrustState.Read of authorization details or get-role
    /// exports). Null: not read, so every AWS-side item is Unverifiable on unread evidence.
    /// </summary>
    public AwsTrustState? AwsState { get; set; }
}

/// <summary>
/// Judges designed mappings against the Azure state: one result per expected item and one per unexpected
/// access (Pass, Missing, Broader, Excess, Drift, Unverifiable). Needs no directory (Graph) read: principal
/// ids come from the sites' and identities' own resources. Never passes on data it could not read.
/// </summary>
/// <remarks>
/// The entry point only: it builds one <see cref="AzureStateIndex"/> and one <see cref="ParityLedger"/>, hands each
/// mapping to the one surface checker that owns its <see cref="ParityCheck.Kind"/> (one file per surface in this folder),
/// then lets the <see cref="ExcessDetector"/> report what no mapping consumed. A new surface is one new checker class,
/// found by <see cref="Surfaces"/>.
/// </remarks>
public sealed class ParityChecker
{
    internal const string CosmosRolePrefix = "00000000-0000-0000-0000-00000000000";

    // Built-in roles that can list a function app's keys, for when no role definitions were read: the catalog's ids.
    internal static readonly Dictionary<string, string> KnownInvokeRoles = CatalogIds("Owner", "Contributor", "Website Contributor")
        .ToDictionary(r => r.Id, r => r.Name, StringComparer.OrdinalIgnoreCase);

    // Roles known to grant no key listing, for when no role definitions were read.
    internal static readonly HashSet<string> KnownNonInvokeRoles = new(CatalogIds("Reader").Select(r => r.Id), StringComparer.OrdinalIgnoreCase);

    // Cosmos DB's data-plane roles are not in the ARM role catalog (they are sqlRoleDefinitions of each account): the
    // engine's Cosmos catalog (Catalogs/Data/cosmos-data-plane-roles.json), in the shape the state reader gives.
    internal static readonly AzureRoleDefinition[] CosmosBuiltIns = LambdaIdentity.Core.Catalogs.AzureRoleCatalog.Default.Roles
        .Where(r => r.System == LambdaIdentity.Core.Catalogs.RoleSystem.CosmosDbSql).Select(Flat).ToArray();

    private static IEnumerable<(string Id, string Name)> CatalogIds(params string[] names)
        => names.Select(n => LambdaIdentity.Core.Catalogs.AzureRoleCatalog.Default.FindByName(n) is { } r ? (r.Id.ToLowerInvariant(), r.RoleName)
            : throw new InvalidOperationException("The built-in role catalog has no '" + n + "'."));

    private static AzureRoleDefinition Flat(LambdaIdentity.Core.Catalogs.AzureRoleDefinition r) => new()
    {
        Id = r.Id.ToLowerInvariant(), RoleName = r.RoleName, RoleType = "BuiltInRole",
        Actions = r.Permissions.SelectMany(p => p.Actions).ToList(), NotActions = r.Permissions.SelectMany(p => p.NotActions).ToList(),
        DataActions = r.Permissions.SelectMany(p => p.DataActions).ToList(), NotDataActions = r.Permissions.SelectMany(p => p.NotDataActions).ToList(),
    };

    // The embedded built-in role catalog (Core/Catalogs) in the shape the state reader gives role definitions.
    internal static readonly Lazy<IReadOnlyList<AzureRoleDefinition>> EmbeddedBuiltIns = new(() =>
        LambdaIdentity.Core.Catalogs.AzureRoleCatalog.Default.Roles
            .Where(r => r.System == LambdaIdentity.Core.Catalogs.RoleSystem.AzureRbac).Select(Flat).ToList());

    private readonly AzureStateIndex _index;
    private readonly ParityLedger _ledger = new();
    private readonly EngineContext _context;
    private readonly Dictionary<ParityCheckKind, ISurfaceChecker> _byKind = new();

    private ParityChecker(AzureState state, ParityOptions options, EngineContext context)
    {
        _context = context;
        _index = new AzureStateIndex(state, options);
        foreach (var checker in Surfaces(_index, _ledger))
            foreach (var kind in checker.Kinds) _byKind.Add(kind, checker);
    }

    /// <summary>
    /// Every surface checker of this assembly (each class implementing <see cref="ISurfaceChecker"/>), built over one index
    /// and one ledger, in name order. Each kind of check is owned by exactly one (a test holds this), so a new surface is
    /// one new checker class: its constructor takes the index and, when it consumes anything, the ledger.
    /// </summary>
    internal static IReadOnlyList<ISurfaceChecker> Surfaces(AzureStateIndex index, ParityLedger ledger)
        => SurfaceTypes.Value.Select(c => (ISurfaceChecker)c.Invoke(c.GetParameters()
                .Select(p => p.ParameterType == typeof(AzureStateIndex) ? index : p.ParameterType == typeof(ParityLedger) ? (object)ledger
                    : throw new InvalidOperationException(c.DeclaringType!.Name + " asks for a " + p.ParameterType.Name + "; a surface checker takes the index and the ledger only."))
                .ToArray()))
            .ToList();

    private static readonly Lazy<IReadOnlyList<System.Reflection.ConstructorInfo>> SurfaceTypes = new(() =>
        typeof(ISurfaceChecker).Assembly.GetTypes()
            .Where(t => typeof(ISurfaceChecker).IsAssignableFrom(t) && t.IsClass && !t.IsAbstract)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => t.GetConstructors().Single())
            .ToList());

    /// <summary>Checks every mapping against the state, then looks for access no mapping justifies.</summary>
    public static IReadOnlyList<IdentityParityResult> Check(IEnumerable<AzRoleMapping> mappings, AzureState state, ParityOptions? options, EngineContext context)
    {
        var checker = new ParityChecker(state, options ?? new ParityOptions(), context);
        return checker.Run(mappings);
    }

    private List<IdentityParityResult> Run(IEnumerable<AzRoleMapping> mappings)
    {
        var results = new List<IdentityParityResult>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var all = mappings.ToList();
        ReportOtherSubscriptions(all);
        var done = 0;
        foreach (var m in all)
        {
            _context.CancellationToken.ThrowIfCancellationRequested();
            if (m.MappingId.Length > 0 && !seen.Add(m.MappingId)) { _context.Warning("Duplicate mapping " + m.MappingId + " checked once."); continue; }
            _ledger.Checked(m);
            results.Add(CheckOne(m));
            if (++done % 500 == 0) _context.Progress("Checking identity parity", "mappings", done, all.Count);
        }
        results.AddRange(new ExcessDetector(_index, _ledger).Find(_context.CancellationToken));
        _context.Progress("Checking identity parity", "done", all.Count, all.Count);
        return results;
    }

    // An export whose resources all lie in subscriptions the design never names was probably taken from the wrong place.
    private void ReportOtherSubscriptions(List<AzRoleMapping> all)
    {
        var designed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var m in all)
        {
            if (m.ScopeIsPlaceholder || string.IsNullOrEmpty(m.Scope)) continue;
            var parts = m.Scope!.Trim('/').Split('/');
            if (parts.Length >= 2 && parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) && Guid.TryParse(parts[1], out _)) designed.Add(parts[1]);
        }
        if (designed.Count == 0) return;
        foreach (var f in _index.State.ExportFiles)
            if (f.Subscriptions.Count > 0 && !f.Subscriptions.Overlaps(designed))
                _context.Warning(f.File + ": the export holds subscription " + string.Join(", ", f.Subscriptions.OrderBy(x => x, StringComparer.Ordinal))
                    + ", which the design never names (it names " + string.Join(", ", designed.OrderBy(x => x, StringComparer.Ordinal)) + "): is it an export of another environment?"
                    + (f.NewestChange is { } d ? " Newest change in it: " + d.ToString("u", System.Globalization.CultureInfo.InvariantCulture) + "." : ""));
    }

    private IdentityParityResult CheckOne(AzRoleMapping m)
    {
        var check = ParityCheck.Of(m);
        var r = _byKind.TryGetValue(check.Kind, out var checker) ? checker.Check(m, check) : UndesignedChecker.NotCheckable(m);
        // A template that says it leaves this item out cannot show it: not a lost access, not a pass.
        if (r.Status == ParityStatus.Missing && _index.State.NotDeployed.TryGetValue(m.MappingId, out var note))
            return ParityResults.Result(m, ParityStatus.Unverifiable, r.Expected, r.Actual, "The template does not deploy this item: " + note + ".");
        return r;
    }
}

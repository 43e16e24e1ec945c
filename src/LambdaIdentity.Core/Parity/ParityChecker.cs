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
public sealed class ParityChecker
{
    private const string CosmosRolePrefix = "00000000-0000-0000-0000-00000000000";

    // Built-in roles that can list a function app's keys, for when no role definitions were read.
    private static readonly Dictionary<string, string> KnownInvokeRoles = new(StringComparer.OrdinalIgnoreCase)
    {
        ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635"] = "Owner",
        ["b24988ac-6180-42a0-ab88-20f7382dd24c"] = "Contributor",
        ["de139f84-1756-47ae-9be6-808fbbe84772"] = "Website Contributor",
    };

    // Roles known to grant no key listing, for when no role definitions were read.
    private static readonly HashSet<string> KnownNonInvokeRoles = new(StringComparer.OrdinalIgnoreCase)
    {
        "acdd72a7-3385-48ef-bd42-f606fba81ae7", // Reader
    };

    // Cosmos DB's data-plane roles are not in the ARM role catalog (they are sqlRoleDefinitions of each account).
    private static readonly AzureRoleDefinition[] CosmosBuiltIns =
    {
        new()
        {
            Id = "00000000-0000-0000-0000-000000000001", RoleName = "Cosmos DB Built-in Data Reader", RoleType = "BuiltInRole",
            DataActions = new[]
            {
                "Microsoft.DocumentDB/databaseAccounts/readMetadata",
                "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/executeQuery",
                "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/readChangeFeed",
                "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/read",
            },
        },
        new()
        {
            Id = "00000000-0000-0000-0000-000000000002", RoleName = "Cosmos DB Built-in Data Contributor", RoleType = "BuiltInRole",
            DataActions = new[]
            {
                "Microsoft.DocumentDB/databaseAccounts/readMetadata",
                "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/*",
                "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/*",
            },
        },
    };

    private readonly AzureState _state;
    private readonly ParityOptions _options;
    private readonly EngineContext _context;
    private readonly Dictionary<string, AzureRoleDefinition> _roles = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _roleIdByName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<AzureRoleAssignment>> _byPrincipal = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<AzureRoleAssignment>> _byScope = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<AzureRoleAssignment> _managementGroupAssignments = new();
    private readonly Dictionary<string, List<AzureUserAssignedIdentity>> _identitiesByName = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<AzureRoleAssignment> _consumed = new();
    private readonly Dictionary<string, List<AzureRoleAssignment>> _eligibleByPrincipal = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<AzureRoleAssignment>> _eligibleByScope = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<AzureRoleAssignment> _managementGroupEligibilities = new();
    private readonly Dictionary<string, string?> _invokeCache = new(StringComparer.OrdinalIgnoreCase);

    // The embedded built-in role catalog (Core/Catalogs) in the shape the state reader gives role definitions.
    private static readonly Lazy<IReadOnlyList<AzureRoleDefinition>> EmbeddedBuiltIns = new(() =>
        LambdaIdentity.Core.Catalogs.AzureRoleCatalog.Default.Roles
            .Where(r => r.System == LambdaIdentity.Core.Catalogs.RoleSystem.AzureRbac)
            .Select(r => new AzureRoleDefinition
            {
                Id = r.Id.ToLowerInvariant(), RoleName = r.RoleName, RoleType = "BuiltInRole",
                Actions = r.Permissions.SelectMany(p => p.Actions).ToList(), NotActions = r.Permissions.SelectMany(p => p.NotActions).ToList(),
                DataActions = r.Permissions.SelectMany(p => p.DataActions).ToList(), NotDataActions = r.Permissions.SelectMany(p => p.NotDataActions).ToList(),
            }).ToList());

    private ParityChecker(AzureState state, ParityOptions options, EngineContext context)
    {
        _state = state; _options = options; _context = context;
        foreach (var r in CosmosBuiltIns) _roles[r.Id] = r;
        foreach (var r in options.RoleCatalog ?? EmbeddedBuiltIns.Value) _roles[r.Id] = r;
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
    }

    private static void Add(Dictionary<string, List<AzureRoleAssignment>> d, string key, AzureRoleAssignment a)
    {
        if (!d.TryGetValue(key, out var list)) d[key] = list = new List<AzureRoleAssignment>();
        list.Add(a);
    }

    /// <summary>Checks every mapping against the state, then looks for access no mapping justifies.</summary>
    public static IReadOnlyList<IdentityParityResult> Check(IEnumerable<AzRoleMapping> mappings, AzureState state, ParityOptions? options, EngineContext context)
    {
        var checker = new ParityChecker(state, options ?? new ParityOptions(), context);
        return checker.Run(mappings);
    }

    private List<IdentityParityResult> Run(IEnumerable<AzRoleMapping> mappings)
    {
        var results = new List<IdentityParityResult>();
        var byApp = new Dictionary<string, List<AzRoleMapping>>(StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var all = mappings.ToList();
        ReportOtherSubscriptions(all);
        var done = 0;
        foreach (var m in all)
        {
            _context.CancellationToken.ThrowIfCancellationRequested();
            if (m.MappingId.Length > 0 && !seen.Add(m.MappingId)) { _context.Warning("Duplicate mapping " + m.MappingId + " checked once."); continue; }
            if (!byApp.TryGetValue(m.FunctionAppName, out var list)) byApp[m.FunctionAppName] = list = new List<AzRoleMapping>();
            list.Add(m);
            results.Add(CheckOne(m));
            if (++done % 500 == 0) _context.Progress("Checking identity parity", "mappings", done, all.Count);
        }
        foreach (var app in byApp)
        {
            _context.CancellationToken.ThrowIfCancellationRequested();
            results.AddRange(FindExcess(app.Key, app.Value));
            results.AddRange(FindExcessCallers(app.Key, app.Value));
        }
        results.AddRange(FindExcessFederation());
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
        foreach (var f in _state.ExportFiles)
            if (f.Subscriptions.Count > 0 && !f.Subscriptions.Overlaps(designed))
                _context.Warning(f.File + ": the export holds subscription " + string.Join(", ", f.Subscriptions.OrderBy(x => x, StringComparer.Ordinal))
                    + ", which the design never names (it names " + string.Join(", ", designed.OrderBy(x => x, StringComparer.Ordinal)) + "): is it an export of another environment?"
                    + (f.NewestChange is { } d ? " Newest change in it: " + d.ToString("u", System.Globalization.CultureInfo.InvariantCulture) + "." : ""));
    }

    private IdentityParityResult CheckOne(AzRoleMapping m)
    {
        var r = Judge(m);
        // A template that says it leaves this item out cannot show it: not a lost access, not a pass.
        if (r.Status == ParityStatus.Missing && _state.NotDeployed.TryGetValue(m.MappingId, out var note))
            return Result(m, ParityStatus.Unverifiable, r.Expected, r.Actual, "The template does not deploy this item: " + note + ".");
        return r;
    }

    private IdentityParityResult Judge(AzRoleMapping m)
    {
        var check = ParityCheck.Of(m);
        switch (check.Kind)
        {
            case ParityCheckKind.AwsSide:
                return AwsTrustParity.Check(m, _options.AwsState, AwsTrustIdentity(m));
            case ParityCheckKind.NothingDesigned:
                return Result(m, ParityStatus.NotApplicable, Describe(m), "nothing to check", "Nothing is designed for this item, so nothing is verified: " + m.Reason);
            case ParityCheckKind.ManagedIdentity: return CheckIdentity(m);
            case ParityCheckKind.AppRoleGrant: return CheckAppRole(m, check.AppRole!);
            case ParityCheckKind.Authentication: return CheckAuthentication(m, check.Authentication!);
            case ParityCheckKind.RoleAssignment: return CheckRoleAssignment(m);
            case ParityCheckKind.FederatedCredential: return CheckFederation(m, check.Federation!);
            case ParityCheckKind.DiagnosticSettings: return CheckDiagnostics(m, Describe(m), check.DiagnosticCategories);
            case ParityCheckKind.DeploymentStorage: return CheckDeploymentStorage(m, Describe(m), check.DeploymentStorageAuthentication!);
            case ParityCheckKind.AppSettings: return CheckSettings(m, check.AppSettingNames);
            default:
                return Result(m, ParityStatus.Unverifiable, Describe(m), "not checkable",
                    m.Strategy == MappingStrategy.Deviation ? "A deviation designs no Azure item to verify; review its impact and mitigation." : "The mapping names no role or setting that the Azure state could show.");
        }
    }

    // ---------- role assignments ----------

    private IdentityParityResult CheckRoleAssignment(AzRoleMapping m)
    {
        var expected = Describe(m);
        var roleId = ResolveRoleId(m);
        // The translation stage says which system the assignment belongs to; older mapping files without it are recognised
        // by a Cosmos DB service at a database account scope.
        var cosmosService = string.Equals(m.RoleAssignmentType, "CosmosDbSql", StringComparison.OrdinalIgnoreCase)
                            || (string.IsNullOrEmpty(m.RoleAssignmentType)
                                && (m.AzureService ?? "").IndexOf("Cosmos", StringComparison.OrdinalIgnoreCase) >= 0
                                && (m.Scope ?? "").IndexOf("/databaseAccounts/", StringComparison.OrdinalIgnoreCase) >= 0
                                && (roleId is null || !_state.RoleDefinitions.ContainsKey(roleId)));
        var system = roleId is not null && roleId.StartsWith(CosmosRolePrefix, StringComparison.Ordinal) || cosmosService ? AzureAssignmentSystem.CosmosSql : AzureAssignmentSystem.Rbac;
        var area = system == AzureAssignmentSystem.Rbac ? AzureStateArea.RoleAssignments : AzureStateArea.CosmosSqlRoleAssignments;
        if (m.ScopeIsPlaceholder || string.IsNullOrEmpty(m.Scope))
            return Result(m, ParityStatus.Unverifiable, expected, "not checked", "The designed scope is a placeholder (" + (m.Scope ?? "none") + "); fill it from a resource map.");
        if (roleId is null && string.IsNullOrEmpty(m.RoleDefinitionName))
            return Result(m, ParityStatus.Unverifiable, expected, "not checked", "The role " + m.RoleDefinitionId + " could not be resolved.");
        var why = _state.WhyUnreadable(area, m.FunctionAppName);
        if (why is not null) return Result(m, ParityStatus.Unverifiable, expected, "not read", "Role assignments could not be read: " + why, unread: true);

        var keys = PrincipalKeys(m, out var principalProblem);
        if (keys.Count == 0)
            return principalProblem.Status == ParityStatus.Missing
                ? Result(m, ParityStatus.Missing, expected, principalProblem.Actual, principalProblem.Reason)
                : Result(m, ParityStatus.Unverifiable, expected, principalProblem.Actual, principalProblem.Reason, unread: principalProblem.Evidence);

        var designedScope = Scopes.Normalize(m.Scope!);
        AzureRoleAssignment? exact = null, broader = null, token = null, conflicted = null;
        string broaderWhy = "";
        var related = new List<AzureRoleAssignment>();
        foreach (var a in Candidates(keys))
        {
            if (a.System != system) continue;
            var sameRole = SameRole(a, roleId, m.RoleDefinitionName);
            if (a.HasUnresolvedToken)
            {
                if (sameRole && string.Equals(a.Scope, m.Scope, StringComparison.OrdinalIgnoreCase)) { exact ??= a; continue; }
                token ??= a; continue;
            }
            var rel = Scopes.Relation(Scopes.Normalize(a.Scope), designedScope);
            if (a.Conflict is not null)
            {
                // Two exports disagree about this assignment: nothing is judged on it.
                if (rel is ScopeRelation.Same or ScopeRelation.Ancestor && (sameRole || MorePrivileged(a.RoleDefinitionId, roleId) == true)) conflicted ??= a;
                continue;
            }
            if (sameRole && rel == ScopeRelation.Same) { exact ??= a; continue; }
            if (rel is ScopeRelation.Same or ScopeRelation.Ancestor)
            {
                if (sameRole) { if (broader is null) { broader = a; broaderWhy = "the designed role is assigned at the wider scope " + a.Scope; } continue; }
                var more = MorePrivileged(a.RoleDefinitionId, roleId);
                if (more == true && broader is null) { broader = a; broaderWhy = Includes(a, m, roleId, rel); continue; }
            }
            related.Add(a);
        }
        if (m.PimEligible)
        {
            // Emergency access is designed just-in-time; role assignment exports list standing (active) assignments only.
            var standing = exact ?? broader;
            if (standing is null && conflicted is not null) return ConflictResult(m, expected, conflicted);
            if (standing is not null)
            {
                _consumed.Add(standing);
                return Result(m, ParityStatus.Broader, expected, DescribeAssignment(standing) + " (standing)", "Broader than designed: a standing assignment exists where the design is a PIM-eligible one, activated with justification and approval.", standing);
            }
            return CheckEligibility(m, expected, keys, roleId, designedScope);
        }
        if (exact is not null)
        {
            _consumed.Add(exact);
            return Result(m, ParityStatus.Pass, expected, DescribeAssignment(exact), "The designed assignment exists.", exact);
        }
        if (broader is not null)
        {
            _consumed.Add(broader);
            return Result(m, ParityStatus.Broader, expected, DescribeAssignment(broader), "Broader than designed: " + broaderWhy + ".", broader);
        }
        if (conflicted is not null) return ConflictResult(m, expected, conflicted);
        if (token is not null)
            return Result(m, ParityStatus.Unverifiable, expected, DescribeAssignment(token), "A template assignment for this principal holds an expression that could not be resolved (" + token.Scope + ", " + token.RoleDefinitionId + ").", token);
        var actual = related.Count == 0 ? "no assignment of " + (m.RoleDefinitionName ?? roleId) + " for this principal at or above " + m.Scope
            : "only: " + string.Join("; ", related.Take(3).Select(DescribeAssignment)) + (related.Count > 3 ? "; ..." : "");
        return Result(m, ParityStatus.Missing, expected, actual, "The designed assignment does not exist; the migration lost this access.");
    }

    private IdentityParityResult ConflictResult(AzRoleMapping m, string expected, AzureRoleAssignment a)
    {
        _consumed.Add(a);
        return Result(m, ParityStatus.Unverifiable, expected, DescribeAssignment(a) + " (disputed)",
            "The evidence disagrees: " + a.Conflict + "; the item is judged on neither export. Remove the stale one or name the current one with --prefer.", a, unread: true);
    }

    // ---------- workload identity federation (pipelines) ----------

    private readonly HashSet<AzureFederatedCredential> _consumedCredentials = new();
    private readonly Dictionary<string, AzRoleMapping> _federationOwners = new(StringComparer.OrdinalIgnoreCase);

    // A pipeline's secretless sign-in: each designed subject needs a federated credential with the designed issuer and
    // audience on the identity that takes over the AWS CI role. Never passed on credentials that were not read.
    private IdentityParityResult CheckFederation(AzRoleMapping m, FederatedCredentialCheck check)
    {
        var expected = Describe(m);
        var issuers = check.Issuers;
        var subjects = check.Subjects;
        var audience = check.Audience;
        if (issuers.Count == 0 || subjects.Count == 0 || issuers.Concat(subjects).Any(x => x.StartsWith("{", StringComparison.Ordinal)))
            return Result(m, ParityStatus.Unverifiable, expected, "not checked", "The design's issuer or subject is not known yet (" + string.Join(", ", issuers.Concat(subjects)) + "); complete it from the AWS role's trust policy.");
        var keys = FederationOwners(m);
        if (keys.Count == 0)
            return Result(m, ParityStatus.Unverifiable, expected, "principal unknown", "The workload identity has no object id; name it in the resource map (principal:<role ARN>) so its credentials can be found.");
        var why = _state.WhyUnreadable(AzureStateArea.FederatedCredentials, null);
        if (why is not null) return Result(m, ParityStatus.Unverifiable, expected, "not read", "Federated credentials could not be read: " + why, unread: true);
        if (!keys.Any(_state.FederatedCredentialOwnersRead.Contains))
            return Result(m, ParityStatus.Unverifiable, expected, "not read",
                "No federated credentials of " + m.ObjectId + " were read: export them (az ad app federated-credential list --id <app id>, saved as <object id>.federated-credentials.json; az identity federated-credential list for a user-assigned identity, which the live read covers).", unread: true);
        foreach (var k in keys) if (!_federationOwners.ContainsKey(k)) _federationOwners[k] = m;
        var held = _state.FederatedCredentials.Where(c => keys.Contains(c.Owner)).ToList();
        bool SameIssuer(AzureFederatedCredential c) => issuers.Any(i => string.Equals(i.TrimEnd('/'), c.Issuer.TrimEnd('/'), StringComparison.Ordinal));
        bool Accepts(AzureFederatedCredential c) => SameIssuer(c) && c.Audiences.Contains(audience, StringComparer.Ordinal);
        var found = new List<string>(); var missing = new List<string>(); var drift = new List<string>();
        foreach (var subject in subjects)
        {
            var pattern = subject.IndexOf('*') >= 0 || subject.IndexOf('?') >= 0;
            var matches = held.Where(c => pattern ? LambdaIdentity.Core.Aws.Policy.Wildcard.Match(subject, c.Subject, ignoreCase: false) : string.Equals(c.Subject, subject, StringComparison.Ordinal)).ToList();
            var good = matches.Where(Accepts).ToList();
            foreach (var c in matches) _consumedCredentials.Add(c);
            if (good.Count > 0) found.Add(pattern ? subject + " (as " + string.Join(", ", good.Select(c => c.Subject)) + ")" : subject);
            else if (matches.Count > 0) drift.Add(subject + ": issuer " + matches[0].Issuer + ", audiences " + string.Join(" ", matches[0].Audiences));
            else missing.Add(pattern ? subject + " (a pattern: Entra needs one credential per exact subject)" : subject);
        }
        var actual = held.Count == 0 ? "no federated credential" : "credentials for " + string.Join(", ", held.Select(c => c.Subject).Distinct().OrderBy(x => x, StringComparer.Ordinal));
        if (missing.Count > 0)
            return Result(m, ParityStatus.Missing, expected, actual, "No federated credential accepts " + string.Join("; ", missing) + ": the pipeline cannot sign in without a secret." + (drift.Count > 0 ? " Also differing: " + string.Join("; ", drift) + "." : ""));
        if (drift.Count > 0)
            return Result(m, ParityStatus.Drift, expected, actual, "Configuration differs: " + string.Join("; ", drift) + " (designed issuer " + string.Join(", ", issuers) + ", audience " + audience + ").");
        return Result(m, ParityStatus.Pass, expected, actual, "Federated credentials accept the designed subjects: " + string.Join(", ", found) + ".");
    }

    // The identity's keys as credential owners: its object id, and user-assigned identities with that principal id.
    private HashSet<string> FederationOwners(AzRoleMapping m)
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(m.ObjectId)) return keys;
        keys.Add(m.ObjectId!.ToLowerInvariant());
        // An app registration's credentials may be filed under its app id (az ad app federated-credential list --id <app id>).
        if (_state.ServicePrincipals.TryGetValue(m.ObjectId!, out var sp) && sp.AppId is { Length: > 0 } appId) keys.Add(appId.ToLowerInvariant());
        foreach (var i in _state.UserAssignedIdentities.Values)
            if (string.Equals(i.PrincipalId, m.ObjectId, StringComparison.OrdinalIgnoreCase))
            {
                if (!string.IsNullOrEmpty(i.Id)) keys.Add(i.Id.ToLowerInvariant());
                if (!string.IsNullOrEmpty(i.Name)) keys.Add(i.Name.ToLowerInvariant());
            }
        return keys;
    }

    // Credentials on a designed pipeline identity that no designed subject accounts for: tokens the AWS trust never accepted.
    private IEnumerable<IdentityParityResult> FindExcessFederation()
    {
        foreach (var c in _state.FederatedCredentials)
        {
            if (_consumedCredentials.Contains(c) || !_federationOwners.TryGetValue(c.Owner, out var m)) continue;
            yield return Unexpected(m, ParityStatus.Excess, MappingKind.Setting, "only the designed subjects federated", "federated credential " + c.Name + ": " + c.Issuer + " " + c.Subject,
                "The identity " + (m.PrincipalName ?? m.ObjectId) + " accepts tokens for " + c.Subject + ", which the AWS role's trust did not accept.", c.Id, c.Source, m.PrincipalName, Surface: IdentitySurface.Automation);
        }
    }

    // ---------- PIM eligibility (emergency and ad-hoc access) ----------

    // A PIM-eligible design with no standing assignment: the eligibility schedules decide. Fails closed: unread
    // schedules are Unverifiable, an eligibility that is no longer in force (expired, revoked) is not counted.
    private IdentityParityResult CheckEligibility(AzRoleMapping m, string expected, HashSet<string> keys, string? roleId, string designedScope)
    {
        var why = _state.WhyUnreadable(AzureStateArea.RoleEligibilitySchedules, m.FunctionAppName);
        if (why is not null)
            return Result(m, ParityStatus.Unverifiable, expected, "no standing assignment",
                "The design is a PIM-eligible assignment and eligibility schedules could not be read: " + why + ". Export them: az rest --method get --url \"https://management.azure.com/<scope>/providers/Microsoft.Authorization/roleEligibilitySchedules?api-version=2020-10-01\".", unread: true);
        var now = _options.Now ?? DateTimeOffset.UtcNow;
        AzureRoleAssignment? exact = null, broader = null, lapsed = null;
        var broaderWhy = "";
        foreach (var e in Candidates(keys, _eligibleByPrincipal))
        {
            var sameRole = SameRole(e, roleId, m.RoleDefinitionName);
            var rel = Scopes.Relation(Scopes.Normalize(e.Scope), designedScope);
            if (rel is not (ScopeRelation.Same or ScopeRelation.Ancestor)) continue;
            if (!sameRole && MorePrivileged(e.RoleDefinitionId, roleId) != true) continue;
            if (!InForce(e, now)) { lapsed ??= e; continue; }
            if (sameRole && rel == ScopeRelation.Same) { exact ??= e; continue; }
            if (broader is null)
            {
                broader = e;
                broaderWhy = sameRole ? "eligible at the wider scope " + e.Scope : Includes(e, m, roleId, rel);
            }
        }
        if (exact is not null)
        {
            _consumedEligibilities.Add(exact);
            return Result(m, ParityStatus.Pass, expected, DescribeEligibility(exact), "The designed eligible assignment exists: the access is activated just in time in Privileged Identity Management, not standing.", exact);
        }
        if (broader is not null)
        {
            _consumedEligibilities.Add(broader);
            return Result(m, ParityStatus.Broader, expected, DescribeEligibility(broader), "Broader than designed: " + broaderWhy + ".", broader);
        }
        if (lapsed is not null)
            return Result(m, ParityStatus.Missing, expected, DescribeEligibility(lapsed),
                "The eligible assignment is no longer in force (" + (lapsed.EndDateTime is { } end && end <= now ? "it ended " + end.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "status " + (lapsed.Status ?? "unknown")) + "): the emergency access cannot be activated.", lapsed);
        return Result(m, ParityStatus.Missing, expected, "no eligible or standing assignment of " + (m.RoleDefinitionName ?? roleId) + " for this principal at or above " + m.Scope,
            "The designed PIM-eligible assignment does not exist; the migration lost this access.");
    }

    private readonly HashSet<AzureRoleAssignment> _consumedEligibilities = new();

    // In force: provisioned (or no status given) and not past its end.
    private static bool InForce(AzureRoleAssignment e, DateTimeOffset now)
        => (e.Status is null || e.Status.Equals("Provisioned", StringComparison.OrdinalIgnoreCase)) && (e.EndDateTime is null || e.EndDateTime > now);

    private string DescribeEligibility(AzureRoleAssignment e)
        => "eligible: " + RoleName(e) + " at " + e.Scope + (e.EndDateTime is { } end ? " until " + end.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : " (no end)")
           + (e.Status is null || e.Status.Equals("Provisioned", StringComparison.OrdinalIgnoreCase) ? "" : ", status " + e.Status);

    // The assignments (or, from the other index, eligibilities) of any of a principal's keys, each once.
    private IEnumerable<AzureRoleAssignment> Candidates(HashSet<string> keys) => Candidates(keys, _byPrincipal);

    private static IEnumerable<AzureRoleAssignment> Candidates(HashSet<string> keys, Dictionary<string, List<AzureRoleAssignment>> byPrincipal)
    {
        var seen = new HashSet<AzureRoleAssignment>();
        foreach (var k in keys)
            if (byPrincipal.TryGetValue(k, out var list))
                foreach (var a in list) if (seen.Add(a)) yield return a;
    }

    // Why a more privileged role (assigned or eligible) is Broader than the designed one.
    private string Includes(AzureRoleAssignment a, AzRoleMapping m, string? roleId, ScopeRelation rel)
        => RoleName(a) + " grants every permission of " + (m.RoleDefinitionName ?? roleId) + (rel == ScopeRelation.Ancestor ? ", at the wider scope " + a.Scope : "");

    private string? ResolveRoleId(AzRoleMapping m)
    {
        if (!string.IsNullOrEmpty(m.RoleDefinitionId)) return Json.LastSegment(m.RoleDefinitionId);
        if (!string.IsNullOrEmpty(m.RoleDefinitionName) && _roleIdByName.TryGetValue(m.RoleDefinitionName!, out var id)) return id;
        return null;
    }

    private bool SameRole(AzureRoleAssignment a, string? roleId, string? roleName)
    {
        if (roleId is not null && string.Equals(a.RoleDefinitionId, roleId, StringComparison.OrdinalIgnoreCase)) return true;
        if (roleName is null) return false;
        if (a.RoleDefinitionName is not null) return string.Equals(a.RoleDefinitionName, roleName, StringComparison.OrdinalIgnoreCase);
        return roleId is null && _roles.TryGetValue(a.RoleDefinitionId, out var d) && string.Equals(d.RoleName, roleName, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when role a grants every permission of the designed role; null when either definition is unknown.</summary>
    private bool? MorePrivileged(string actualId, string? designedId)
    {
        if (designedId is null || !_roles.TryGetValue(actualId, out var a) || !_roles.TryGetValue(designedId, out var d)) return null;
        return AzureActionPattern.IsSuperset(a, d);
    }

    private string RoleName(AzureRoleAssignment a)
        => a.RoleDefinitionName ?? (_roles.TryGetValue(a.RoleDefinitionId, out var d) ? d.RoleName : a.RoleDefinitionId);

    private string DescribeAssignment(AzureRoleAssignment a)
        => RoleName(a) + " at " + a.Scope + (a.System == AzureAssignmentSystem.CosmosSql ? " (Cosmos DB SQL)" : "")
           + " for " + (a.PrincipalName ?? a.PrincipalRef ?? a.PrincipalId ?? "an unresolved principal");

    private struct Problem { public ParityStatus Status; public string Actual; public string Reason; public bool Evidence; }

    /// <summary>The keys (object ids and template references) under which the mapping's principal appears.</summary>
    private HashSet<string> PrincipalKeys(AzRoleMapping m, out Problem problem)
    {
        problem = new Problem { Status = ParityStatus.Unverifiable, Actual = "principal unknown", Reason = "" };
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrEmpty(m.ObjectId)) keys.Add(m.ObjectId!.ToLowerInvariant());
        var identityType = m.IdentityType ?? "";
        if (identityType.IndexOf("User", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            var name = m.PrincipalName ?? "";
            if (name.Length > 0)
            {
                var refKey = "user:" + name.ToLowerInvariant();
                if (_byPrincipal.ContainsKey(refKey)) keys.Add(refKey);
                if (_identitiesByName.TryGetValue(name, out var ids))
                {
                    keys.Add(refKey);
                    foreach (var i in ids) if (i.PrincipalId is not null) keys.Add(i.PrincipalId);
                }
                foreach (var site in _state.Sites.Values)
                    foreach (var u in site.UserAssignedIdentities)
                        if (u.Value is not null && string.Equals(Json.LastSegment(u.Key), name, StringComparison.OrdinalIgnoreCase)) keys.Add(u.Value);
            }
            if (keys.Count == 0)
            {
                var why = _state.WhyUnreadable(AzureStateArea.UserAssignedIdentities, null);
                problem = why is not null
                    ? new Problem { Status = ParityStatus.Unverifiable, Actual = "identity not read", Reason = "The user-assigned identity " + name + " could not be resolved: " + why, Evidence = true }
                    : new Problem { Status = ParityStatus.Missing, Actual = "no user-assigned identity named " + name, Reason = "The designed identity does not exist, so neither does its access." };
            }
        }
        else if (identityType.IndexOf("System", StringComparison.OrdinalIgnoreCase) >= 0
                 || (string.IsNullOrEmpty(m.PrincipalType) || m.PrincipalType!.Equals("ServicePrincipal", StringComparison.OrdinalIgnoreCase)) && string.IsNullOrEmpty(m.ObjectId))
        {
            var app = m.FunctionAppName;
            var refKey = "system:" + app.ToLowerInvariant();
            var found = _state.Sites.TryGetValue(app, out var site);
            // A template names the identity symbolically; a site known to have a system identity is a principal too.
            if (_byPrincipal.ContainsKey(refKey) || (found && site!.IdentityType is not null && site.IdentityType.IndexOf("System", StringComparison.OrdinalIgnoreCase) >= 0)) keys.Add(refKey);
            if (found && site!.PrincipalId is not null) keys.Add(site.PrincipalId);
            if (keys.Count == 0)
            {
                var why = _state.WhyUnreadable(AzureStateArea.Sites, app);
                if (why is not null) problem = new Problem { Status = ParityStatus.Unverifiable, Actual = "function app not read", Reason = "The function app " + app + " could not be read: " + why, Evidence = true };
                else if (site is null) problem = new Problem { Status = ParityStatus.Missing, Actual = "no function app named " + app, Reason = "The function app does not exist, so neither does its identity's access." };
                else if (site.IdentityType is not null && site.IdentityType.IndexOf("System", StringComparison.OrdinalIgnoreCase) < 0)
                    problem = new Problem { Status = ParityStatus.Missing, Actual = "identity type " + site.IdentityType, Reason = "The function app has no system-assigned identity, so it has none of the designed access." };
                else problem = new Problem { Status = ParityStatus.Unverifiable, Actual = "principal id unknown", Reason = "The function app's system-assigned identity has no principal id in the state.", Evidence = true };
            }
        }
        else
        {
            if (!string.IsNullOrEmpty(m.PrincipalName)) keys.Add("name:" + m.PrincipalName);
            if (keys.Count == 0 || (string.IsNullOrEmpty(m.ObjectId) && !_byPrincipal.ContainsKey("name:" + m.PrincipalName)))
            {
                if (string.IsNullOrEmpty(m.ObjectId))
                {
                    keys.Clear();
                    problem = new Problem { Status = ParityStatus.Unverifiable, Actual = "principal unknown", Reason = "The principal " + (m.PrincipalName ?? "?") + " has no object id and the state names no such principal; set ObjectId (no directory read is made)." };
                }
            }
        }
        return keys;
    }

    // The managed identity whose token the AWS-side trust must admit: its object id and tenant as the Azure state shows them.
    private AwsTrustParity.Identity AwsTrustIdentity(AzRoleMapping m)
    {
        var ids = PrincipalKeys(m, out var problem).Where(k => Guid.TryParse(k, out _)).ToList();
        if (ids.Count == 0) return new AwsTrustParity.Identity { Problem = problem.Reason.Length > 0 ? problem.Reason : "the identity's object id is not in the Azure state.", Unread = problem.Evidence || problem.Status != ParityStatus.Missing };
        _state.Sites.TryGetValue(m.FunctionAppName, out var site);
        var tenant = site?.TenantId ?? _state.UserAssignedIdentities.Values.FirstOrDefault(i => i.PrincipalId is not null && ids.Contains(i.PrincipalId) && i.TenantId is not null)?.TenantId;
        return new AwsTrustParity.Identity { ObjectId = ids[0], TenantId = tenant };
    }

    // ---------- identities ----------

    private IdentityParityResult CheckIdentity(AzRoleMapping m)
    {
        var expected = Describe(m);
        var app = m.FunctionAppName;
        var why = _state.WhyUnreadable(AzureStateArea.Sites, app);
        if (!_state.Sites.TryGetValue(app, out var site) || site.IdentityType is null)
        {
            if (why is not null) return Result(m, ParityStatus.Unverifiable, expected, "not read", "The function app could not be read: " + why, unread: true);
            return Result(m, ParityStatus.Missing, expected, "no function app named " + app, "The function app does not exist.");
        }
        // Fails closed: a site that an export could not give, or that two exports disagree about, is judged on neither.
        if (_state.Unreadable.FirstOrDefault(u => u.Area == AzureStateArea.Sites && (u.SiteName is null || string.Equals(u.SiteName, app, StringComparison.OrdinalIgnoreCase))) is { } unreadSite)
            return Result(m, ParityStatus.Unverifiable, expected, "not read", "The function app could not be read: " + unreadSite.Reason + " (" + unreadSite.Target + ")", unread: true);
        var type = m.IdentityType ?? "SystemAssigned";
        var actualType = site.IdentityType;
        var actual = "identity type " + actualType + (site.UserAssignedIdentities.Count > 0 ? " with " + string.Join(", ", site.UserAssignedIdentities.Keys.Select(Json.LastSegment)) : "");
        if (type.IndexOf("User", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            var name = m.PrincipalName ?? "";
            var attached = site.UserAssignedIdentities.Keys.Any(k => string.Equals(Json.LastSegment(k), name, StringComparison.OrdinalIgnoreCase));
            if (attached) return SiteResult(m, ParityStatus.Pass, expected, actual, "The user-assigned identity is attached.", site);
            if (actualType.IndexOf("User", StringComparison.OrdinalIgnoreCase) < 0)
                return SiteResult(m, ParityStatus.Drift, expected, actual, "Identity type differs: designed UserAssigned (" + name + "), found " + actualType + ".", site);
            return SiteResult(m, ParityStatus.Missing, expected, actual, "The user-assigned identity " + name + " is not attached to the function app.", site);
        }
        if (actualType.IndexOf("System", StringComparison.OrdinalIgnoreCase) >= 0)
            return SiteResult(m, ParityStatus.Pass, expected, actual + (site.PrincipalId is null ? "" : " (principal " + site.PrincipalId + ")"), "The system-assigned identity is enabled.", site);
        return SiteResult(m, ParityStatus.Drift, expected, actual, "Identity type differs: designed SystemAssigned, found " + actualType + ".", site);
    }

    // ---------- authentication ----------

    private IdentityParityResult CheckAuthentication(AzRoleMapping m, AuthenticationCheck check)
    {
        var expected = Describe(m);
        var app = m.FunctionAppName;
        _state.Sites.TryGetValue(app, out var site);
        var drift = new List<string>(); var unverifiable = new List<string>(); var passed = new List<string>(); var actual = new List<string>();
        var evidenceUnread = false;

        if (check.AuthLevel is { } level)
        {
            if (Unreadable(app, AzureStateArea.Functions, site?.Functions is not null, "authLevel: functions could not be read: ", "authLevel: no function list for " + app) is { } unread)
                { unverifiable.Add(unread); evidenceUnread = true; }
            else
            {
                var only = check.FunctionName;
                var http = site!.Functions!.Where(f => f.AuthLevel is not null && (only is null || f.Name.Equals(only, StringComparison.OrdinalIgnoreCase))).ToList();
                if (http.Count == 0) drift.Add("authLevel: no HTTP-triggered function" + (only is null ? "" : " named " + only));
                foreach (var f in http)
                {
                    actual.Add(f.Name + " authLevel " + f.AuthLevel);
                    if (!string.Equals(f.AuthLevel, level, StringComparison.OrdinalIgnoreCase)) drift.Add("authLevel of " + f.Name + " is " + f.AuthLevel + ", designed " + level);
                }
                if (http.Count > 0 && drift.Count == 0) passed.Add("authLevel " + level);
            }
        }
        if (check.ChecksAppAuthentication)
        {
            var auth = site?.Auth;
            if (Unreadable(app, AzureStateArea.AuthSettings, auth is not null, "authentication could not be read: ", "no authsettingsV2 for " + app + " in the state") is { } unread)
                { unverifiable.Add(unread); evidenceUnread = true; }
            else if (auth is not null)
            {
                var on = auth.Enabled && auth.RequireAuthentication;
                actual.Add("authentication " + (auth.Enabled ? "on" : "off") + ", requireAuthentication " + auth.RequireAuthentication.ToString().ToLowerInvariant());
                if (check.RequireAuthentication is { } req && bool.TryParse(req, out var wantOn))
                {
                    if (wantOn != on) drift.Add("authentication is " + (on ? "required" : "not required (off or anonymous allowed)") + ", designed " + (wantOn ? "required" : "not required"));
                    else passed.Add("requireAuthentication " + req);
                }
                if (check.IdentityProvider is { } provider)
                {
                    if (!provider.Equals("azureActiveDirectory", StringComparison.OrdinalIgnoreCase)) unverifiable.Add("identityProvider " + provider + " is not compared");
                    else if (!auth.AzureActiveDirectoryEnabled) drift.Add("the Entra ID (azureActiveDirectory) provider is not enabled");
                    else passed.Add("identityProvider azureActiveDirectory");
                }
                Compare(SettingKeys.Issuer, check.Issuer, auth.Issuer is null ? Array.Empty<string>() : new[] { auth.Issuer }, drift, unverifiable, passed, actual);
                Compare(SettingKeys.AllowedAudiences, check.AllowedAudiences, auth.AllowedAudiences, drift, unverifiable, passed, actual);
                Compare(SettingKeys.AllowedApplications, check.AllowedApplications, auth.AllowedApplications, drift, unverifiable, passed, actual);
                Compare(SettingKeys.ClientId, check.ClientId, auth.ClientId is null ? Array.Empty<string>() : new[] { auth.ClientId }, drift, unverifiable, passed, actual);
                Compare(SettingKeys.UnauthenticatedClientAction, check.UnauthenticatedClientAction, auth.UnauthenticatedClientAction is null ? Array.Empty<string>() : new[] { auth.UnauthenticatedClientAction }, drift, unverifiable, passed, actual);
                if (check.AppRoleAssignmentRequired) InvokeEnforcement.Check(auth, drift, passed, actual);
            }
        }
        if (check.CorsAllowedOrigins is { } origins)
        {
            if (Unreadable(app, AzureStateArea.Sites, site?.CorsAllowedOrigins is not null, "CORS: the function app could not be read: ", "CORS: no siteConfig.cors for " + app + " in the state (az functionapp show, or az functionapp cors show)") is { } unread)
                { unverifiable.Add(unread); evidenceUnread = true; }
            else if (site?.CorsAllowedOrigins is not null) Compare(SettingKeys.CorsAllowedOrigins, origins, site.CorsAllowedOrigins, drift, unverifiable, passed, actual);
        }
        // Settings the Azure resource state cannot show (scopes enforced in code, Entra app roles) are not passed.
        var unknown = check.NotVerifiable;
        if (unknown.Count > 0) unverifiable.Add("not verifiable from the Azure resource state: " + string.Join(", ", unknown));
        var actualText = actual.Count == 0 ? "not read" : string.Join("; ", actual);
        if (drift.Count > 0) return SiteResult(m, ParityStatus.Drift, expected, actualText, "Configuration differs: " + string.Join("; ", drift) + "." + (unverifiable.Count > 0 ? " Also unverifiable: " + string.Join("; ", unverifiable) + "." : ""), site);
        if (unverifiable.Count > 0) return SiteResult(m, ParityStatus.Unverifiable, expected, actualText, string.Join("; ", unverifiable) + ".", site, evidenceUnread);
        if (passed.Count == 0) return SiteResult(m, ParityStatus.Unverifiable, expected, actualText, "The mapping names no authentication setting that can be checked.", site);
        return SiteResult(m, ParityStatus.Pass, expected, actualText, "Matches: " + string.Join("; ", passed) + ".", site);
    }

    private static void Compare(string key, string? want, IReadOnlyList<string> actualValues, List<string> drift, List<string> unverifiable, List<string> passed, List<string> actual)
    {
        if (want is null) return;
        var wanted = Split(want);
        var have = actualValues.Select(Norm).ToList();
        actual.Add(key + " " + (have.Count == 0 ? "(none)" : string.Join(",", actualValues)));
        if (have.Any(h => h.StartsWith("[", StringComparison.Ordinal)) && !have.SequenceEqual(wanted))
        {
            unverifiable.Add(key + " is a template expression that could not be resolved");
            return;
        }
        // A designed value that still holds a template token (${Ref:UserPool}) matches an actual value whose literal parts
        // agree, the token (or a design placeholder such as {tenantId}) standing for one segment; a value that is nothing but
        // a token cannot be compared.
        var bareTokens = wanted.Where(w => TokenPattern.Replace(w, "").Length == 0).ToList();
        if (bareTokens.Count > 0)
        {
            unverifiable.Add(key + " is designed as a template token that could not be resolved (" + string.Join(",", bareTokens) + ")");
            return;
        }
        var matched = new List<string>();
        foreach (var w in wanted.Where(w => TokenPattern.IsMatch(w)).ToList())
        {
            var hit = have.FirstOrDefault(h => TokenMatch(w, h));
            if (hit is null) continue;
            wanted.Remove(w); have.Remove(hit); matched.Add(hit + " for " + w);
        }
        var missing = wanted.Except(have).ToList();
        var extra = have.Except(wanted).ToList();
        if (missing.Count == 0 && extra.Count == 0) passed.Add(key + (matched.Count > 0 ? " (" + string.Join("; ", matched) + ")" : ""));
        else drift.Add(key + " differs" + (missing.Count > 0 ? ", missing " + string.Join(",", missing) : "") + (extra.Count > 0 ? ", extra " + string.Join(",", extra) : ""));
    }

    private static readonly System.Text.RegularExpressions.Regex TokenPattern = new(@"\$\{[^}]*\}|\{[A-Za-z][A-Za-z0-9]*\}", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static bool TokenMatch(string pattern, string value)
    {
        var parts = TokenPattern.Split(pattern).Select(System.Text.RegularExpressions.Regex.Escape);
        return System.Text.RegularExpressions.Regex.IsMatch(value, "^" + string.Join("[^/,\\s]+", parts) + "$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
    }

    private static List<string> Split(string s) => s.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(Norm).Where(x => x.Length > 0).Distinct().ToList();
    private static string Norm(string s) => s.Trim().TrimEnd('/').ToLowerInvariant();

    // ---------- settings (trigger connections, platform settings) ----------

    // Why the state cannot show one area of an app: the reader's reason (after couldNotRead) or, when it was read but
    // holds nothing for the app (present false), the absent text; null when it can be checked. Fails closed: either
    // reason makes the caller's result Unverifiable, never Pass.
    private string? Unreadable(string app, AzureStateArea area, bool present, string couldNotRead, string absent)
        => _state.WhyUnreadable(area, app) is { } why ? couldNotRead + why : present ? null : absent;

    private IdentityParityResult CheckSettings(AzRoleMapping m, IReadOnlyList<string> names)
    {
        var expected = Describe(m);
        if (names.Count == 0)
            return Result(m, ParityStatus.Unverifiable, expected, "not checkable", "The settings (" + string.Join(", ", m.Settings.Keys) + ") name no app setting the state can show.");
        _state.Sites.TryGetValue(m.FunctionAppName, out var site);
        var unread = Unreadable(m.FunctionAppName, AzureStateArea.AppSettings, site?.AppSettingNames is not null,
            "App setting names could not be read: ", "App setting names could not be read: none for " + m.FunctionAppName);
        if (unread is not null) return Result(m, ParityStatus.Unverifiable, expected, "not read", unread, unread: true);
        var present = site!.AppSettingNames!;
        var missing = names.Where(n => !present.Contains(n) && !present.Any(s => s.StartsWith(n + "__", StringComparison.OrdinalIgnoreCase))).ToList();
        var actual = "app settings present: " + string.Join(", ", names.Except(missing));
        return missing.Count == 0
            ? SiteResult(m, ParityStatus.Pass, expected, actual, "The connection settings exist (values are not read).", site, source: site.AppSettingsSource)
            : SiteResult(m, ParityStatus.Missing, expected, actual, "Missing app settings: " + string.Join(", ", missing) + ".", site, source: site.AppSettingsSource);
    }

    // The audit trail: the designed log categories must reach a destination. A category group covers its members
    // (allLogs every category, audit the audit categories).
    private IdentityParityResult CheckDiagnostics(AzRoleMapping m, string expected, IReadOnlyList<string> wanted)
    {
        _state.Sites.TryGetValue(m.FunctionAppName, out var site);
        var unread = Unreadable(m.FunctionAppName, AzureStateArea.DiagnosticSettings, site?.DiagnosticLogCategories is not null,
            "Diagnostic settings could not be read: ", "No diagnostic settings of " + m.FunctionAppName + " in the state (az monitor diagnostic-settings list --resource <app id>).");
        if (unread is not null) return Result(m, ParityStatus.Unverifiable, expected, "not read", unread, unread: true);
        var sent = site!.DiagnosticLogCategories!;
        bool Covered(string c) => sent.Contains(c) || sent.Contains("allLogs") || (sent.Contains("audit") && c.IndexOf("Audit", StringComparison.OrdinalIgnoreCase) >= 0);
        var missing = wanted.Where(c => !Covered(c)).ToList();
        var actual = sent.Count == 0 ? "no enabled log category" : "sends " + string.Join(", ", sent.OrderBy(x => x, StringComparer.OrdinalIgnoreCase));
        return missing.Count == 0
            ? SiteResult(m, ParityStatus.Pass, expected, actual, "The diagnostic settings send every designed log category.", site, source: site.DiagnosticsSource)
            : SiteResult(m, ParityStatus.Missing, expected, actual, "The audit trail is incomplete: no diagnostic setting sends " + string.Join(", ", missing) + ".", site, source: site.DiagnosticsSource);
    }

    private IdentityParityResult CheckDeploymentStorage(AzRoleMapping m, string expected, string designed)
    {
        _state.Sites.TryGetValue(m.FunctionAppName, out var site);
        var unread = Unreadable(m.FunctionAppName, AzureStateArea.Sites, site?.DeploymentStorageAuthentication is not null,
            "The function app could not be read: ", "The state holds no functionAppConfig.deployment.storage.authentication for " + m.FunctionAppName + " (a Flex Consumption app's az functionapp show does).");
        if (unread is not null) return Result(m, ParityStatus.Unverifiable, expected, "not read", unread, unread: true);
        var auth = site!.DeploymentStorageAuthentication!;
        return string.Equals(auth, designed, StringComparison.OrdinalIgnoreCase)
            ? SiteResult(m, ParityStatus.Pass, expected, "deployment storage authentication " + auth, "The app reads its deployment package with the designed identity.", site)
            : SiteResult(m, ParityStatus.Drift, expected, "deployment storage authentication " + auth, "Configuration differs: the deployment package is read with " + auth + ", designed " + designed + ".", site);
    }

    // ---------- Entra app roles (callers) ----------

    private const string InvokeRole = "Function.Invoke";
    private readonly HashSet<EntraAppRoleAssignment> _consumedAppRoles = new();


    /// <summary>The Entra service principal of a function app: the one its authentication names, else the one named like the app.</summary>
    private EntraServicePrincipal? ServicePrincipalOf(string app)
    {
        if (_spByAppId is null)
        {
            _spByAppId = new Dictionary<string, EntraServicePrincipal>(StringComparer.OrdinalIgnoreCase);
            _spByName = new Dictionary<string, EntraServicePrincipal>(StringComparer.OrdinalIgnoreCase);
            foreach (var sp in _state.ServicePrincipals.Values.OrderBy(s => s.Id, StringComparer.Ordinal))
            {
                if (sp.AppId is not null && !_spByAppId.ContainsKey(sp.AppId)) _spByAppId[sp.AppId] = sp;
                if (sp.DisplayName is not null && !_spByName.ContainsKey(sp.DisplayName)) _spByName[sp.DisplayName] = sp;
            }
        }
        _state.Sites.TryGetValue(app, out var site);
        if (site?.Auth?.ClientId is string clientId && _spByAppId.TryGetValue(clientId, out var byClient)) return byClient;
        return _spByName!.TryGetValue(app, out var byName) ? byName : null;
    }

    private Dictionary<string, EntraServicePrincipal>? _spByAppId, _spByName;

    private IdentityParityResult CheckAppRole(AzRoleMapping m, AppRoleGrantCheck check)
    {
        var expected = Describe(m);
        var role = check.Role;
        var app = check.CalleeFunctionAppName;
        if (m.ScopeIsPlaceholder) return Result(m, ParityStatus.Unverifiable, expected, "not checked", "The called function is not known (" + m.Scope + ").");
        var why = _state.WhyUnreadable(AzureStateArea.EntraAppRoles, null);
        if (why is not null)
            return Result(m, ParityStatus.Unverifiable, expected, "not read", "App role assignments could not be read (" + why + "). They live in Microsoft Graph, which the tool does not read itself: export the app's service principal (az ad sp show --id <client id>) and its appRoleAssignedTo list (az rest --url https://graph.microsoft.com/v1.0/servicePrincipals/<id>/appRoleAssignedTo).", unread: true);
        var sp = ServicePrincipalOf(app);
        if (sp is null) return Result(m, ParityStatus.Unverifiable, expected, "no registration read", "The Entra export holds no service principal of " + app + " (none named like it, none whose app id its authentication names).", unread: true);
        if (!sp.AppRoles.TryGetValue(role, out var roleId))
            return Result(m, ParityStatus.Missing, expected, "no app role " + role + " on " + (sp.DisplayName ?? sp.Id), "The app registration of " + app + " defines no app role " + role + ", so no caller can hold it.");
        var keys = !string.IsNullOrEmpty(m.ObjectId) ? new HashSet<string>(new[] { m.ObjectId!.ToLowerInvariant() }, StringComparer.OrdinalIgnoreCase) : PrincipalKeys(m, out var problem);
        var holders = keys.Where(k => Guid.TryParse(k, out _)).ToList();
        if (holders.Count == 0)
            return Result(m, ParityStatus.Unverifiable, expected, "principal unknown", "The caller has no object id in the state" + (string.IsNullOrEmpty(m.ObjectId) ? "; set ObjectId (principal:<ARN> in the resource map)" : "") + ".");
        var hit = _state.AppRoleAssignments.FirstOrDefault(a => a.ResourceId == sp.Id && a.AppRoleId == roleId && holders.Contains(a.PrincipalId, StringComparer.OrdinalIgnoreCase));
        if (hit is null)
            return Result(m, ParityStatus.Missing, expected, "no assignment of " + role + " on " + (sp.DisplayName ?? sp.Id) + " for " + string.Join(", ", holders), "The caller does not hold the app role: the migration lost this caller's access.");
        _consumedAppRoles.Add(hit);
        return Result(m, ParityStatus.Pass, expected, role + " on " + (sp.DisplayName ?? sp.Id) + " held by " + (hit.PrincipalDisplayName ?? hit.PrincipalId), "The caller holds the app role.");
    }

    // Callers that hold the app's invoke role without any mapping designing them: access no AWS grant justifies.
    private IEnumerable<IdentityParityResult> FindExcessCallers(string app, List<AzRoleMapping> mappings)
    {
        if (_state.WhyUnreadable(AzureStateArea.EntraAppRoles, null) is { } why)
        {
            // Only where the design gives the app callers by app role: there an unread Graph export could hide more callers.
            if (mappings.Select(ParityCheck.Of).Any(c => c.Kind == ParityCheckKind.AppRoleGrant || c.Authentication?.AppRole is not null))
                yield return Unexpected(mappings[0], ParityStatus.Unverifiable, MappingKind.Authentication, "no caller of " + app + " beyond the design", "not read",
                    "Principals holding the app's invoke role could not be checked: app role assignments could not be read: " + why, null, Surface: IdentitySurface.EndUser, unread: true);
            yield break;
        }
        var sp = ServicePrincipalOf(app);
        if (sp is null || !sp.AppRoles.TryGetValue(InvokeRole, out var roleId)) yield break;
        foreach (var a in _state.AppRoleAssignments.Where(a => a.ResourceId == sp.Id && a.AppRoleId == roleId && !_consumedAppRoles.Contains(a)))
            yield return Unexpected(mappings[0], ParityStatus.Excess, MappingKind.Authentication, "no caller of " + app + " beyond the design",
                InvokeRole + " held by " + (a.PrincipalDisplayName ?? a.PrincipalId) + (a.PrincipalType is null ? "" : " (" + a.PrincipalType + ")"),
                "This principal may call " + app + " (app role " + InvokeRole + ") but no AWS grant or caller justifies it.", a.Id, a.Source, a.PrincipalDisplayName ?? a.PrincipalId, null, IdentitySurface.EndUser);
    }

    // ---------- unexpected access ----------

    private IEnumerable<IdentityParityResult> FindExcess(string app, List<AzRoleMapping> mappings)
    {
        var first = mappings[0];
        _state.Sites.TryGetValue(app, out var site);
        var why = _state.WhyUnreadable(AzureStateArea.RoleAssignments, app);
        if (why is not null)
        {
            yield return Unexpected(first, ParityStatus.Unverifiable, MappingKind.RoleAssignment, "no access beyond the design", "not read",
                "Unexpected access could not be checked: role assignments could not be read: " + why, null, unread: true);
            yield break;
        }
        // The app's own identities: system-assigned, attached user-assigned, and designed user-assigned ones.
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        keys["system:" + app.ToLowerInvariant()] = app + " (system-assigned)";
        if (site?.PrincipalId is not null) keys[site.PrincipalId] = app + " (system-assigned)";
        var designedIdentities = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var m in mappings)
            if ((m.IdentityType ?? "").IndexOf("User", StringComparison.OrdinalIgnoreCase) >= 0 && !string.IsNullOrEmpty(m.PrincipalName)) designedIdentities.Add(m.PrincipalName!);
        if (site is not null)
            foreach (var u in site.UserAssignedIdentities)
            {
                var n = Json.LastSegment(u.Key);
                keys["user:" + n] = n + " (user-assigned)";
                if (u.Value is not null) keys[u.Value] = n + " (user-assigned)";
                if (!designedIdentities.Contains(n))
                    yield return Unexpected(first, ParityStatus.Excess, MappingKind.ManagedIdentity, "only designed identities attached", "user-assigned identity " + n + " attached",
                        "The identity " + n + " is attached to the function app but no mapping designs it: the code can use all of its access.", site.Id, site.Source, n);
            }
        foreach (var n in designedIdentities)
        {
            keys["user:" + n.ToLowerInvariant()] = n + " (user-assigned)";
            if (_identitiesByName.TryGetValue(n, out var ids)) foreach (var i in ids) if (i.PrincipalId is not null) keys[i.PrincipalId] = n + " (user-assigned)";
        }
        var reported = new HashSet<AzureRoleAssignment>();
        foreach (var k in keys)
        {
            if (!_byPrincipal.TryGetValue(k.Key, out var list)) continue;
            foreach (var a in list)
            {
                if (_consumed.Contains(a) || !reported.Add(a)) continue;
                var status = a.HasUnresolvedToken || a.Conflict is not null ? ParityStatus.Unverifiable : ParityStatus.Excess;
                yield return Unexpected(first, status, MappingKind.RoleAssignment, "no access beyond the design for " + k.Value, DescribeAssignment(a),
                    a.Conflict is not null ? "The evidence disagrees about this assignment of the function's identity " + k.Value + ": " + a.Conflict + "; it is judged on neither export."
                    : a.HasUnresolvedToken ? "An assignment to the function's identity holds an unresolved template expression." : "No AWS grant justifies this access of the function's identity " + k.Value + ".", a.Id, a.Source, k.Value, a, unread: a.Conflict is not null);
            }
        }
        if (!_options.CheckCallerAccess) yield break;
        if (site is null || string.IsNullOrEmpty(site.Id))
        {
            yield return Unexpected(first, ParityStatus.Unverifiable, MappingKind.RoleAssignment, "no caller beyond the design", "function app resource id unknown",
                "Callers who can list the function app's keys (invoke access) could not be checked: the state holds no resource id for " + app + ".", null, Surface: IdentitySurface.People, unread: true);
            yield break;
        }
        // Callers: anyone who can list the app's keys can invoke it.
        var designedCallers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var m in mappings)
        {
            if (!string.IsNullOrEmpty(m.ObjectId)) designedCallers.Add(m.ObjectId!);
            if (!string.IsNullOrEmpty(m.PrincipalName)) designedCallers.Add(m.PrincipalName!);
        }
        foreach (var a in CoveringAssignments(site.Id))
        {
            if (a.System != AzureAssignmentSystem.Rbac || _consumed.Contains(a) || reported.Contains(a)) continue;
            if ((a.PrincipalId is not null && (keys.ContainsKey(a.PrincipalId) || designedCallers.Contains(a.PrincipalId))) || (a.PrincipalName is not null && designedCallers.Contains(a.PrincipalName))) continue;
            var invoke = InvokeAction(a.RoleDefinitionId, out var known);
            if (a.Conflict is not null && (invoke is not null || !known))
            {
                reported.Add(a);
                yield return Unexpected(first, ParityStatus.Unverifiable, MappingKind.RoleAssignment, "no caller beyond the design", DescribeAssignment(a),
                    "The evidence disagrees about this assignment, which can list the function app's keys (invoke access): " + a.Conflict + "; it is judged on neither export.", a.Id, a.Source, a.PrincipalName ?? a.PrincipalId, a, Surface: IdentitySurface.People, unread: true);
            }
            else if (!known)
            {
                reported.Add(a);
                yield return Unexpected(first, ParityStatus.Unverifiable, MappingKind.RoleAssignment, "no caller beyond the design", DescribeAssignment(a),
                    "The role definition " + a.RoleDefinitionId + " could not be read, so it is unknown whether it can list the function app's keys (invoke access).", a.Id, a.Source, a.PrincipalName ?? a.PrincipalId, a, unread: true);
            }
            else if (invoke is not null)
            {
                reported.Add(a);
                yield return Unexpected(first, ParityStatus.Excess, MappingKind.RoleAssignment, "no caller beyond the design", DescribeAssignment(a),
                    "This principal can list the function app's keys (" + invoke + "), which is invoke access no AWS grant justifies.", a.Id, a.Source, a.PrincipalName ?? a.PrincipalId, a, Surface: IdentitySurface.People);
            }
        }
        // Eligible callers: a PIM eligibility covering the app whose role can list its keys is invoke access once activated.
        if (_state.WhyUnreadable(AzureStateArea.RoleEligibilitySchedules, app) is { } eligibilityWhy)
        {
            // Fails closed: an eligible caller could hide in schedules nobody read.
            yield return Unexpected(first, ParityStatus.Unverifiable, MappingKind.RoleAssignment, "no eligible caller beyond the design", "not read",
                "Callers eligible (PIM) to activate invoke access could not be checked: eligibility schedules could not be read: " + eligibilityWhy, null, Surface: IdentitySurface.People, unread: true);
            yield break;
        }
        var now = _options.Now ?? DateTimeOffset.UtcNow;
        foreach (var e in Covering(site.Id, _eligibleByScope, _managementGroupEligibilities))
        {
            if (_consumedEligibilities.Contains(e) || !InForce(e, now)) continue;
            if ((e.PrincipalId is not null && (keys.ContainsKey(e.PrincipalId) || designedCallers.Contains(e.PrincipalId))) || (e.PrincipalName is not null && designedCallers.Contains(e.PrincipalName))) continue;
            var invoke = InvokeAction(e.RoleDefinitionId, out var known);
            if (!known)
                yield return Unexpected(first, ParityStatus.Unverifiable, MappingKind.RoleAssignment, "no caller beyond the design", DescribeEligibility(e),
                    "The role definition " + e.RoleDefinitionId + " could not be read, so it is unknown whether this eligibility can list the function app's keys (invoke access).", e.Id, e.Source, e.PrincipalName ?? e.PrincipalId, e, Surface: IdentitySurface.People, unread: true);
            else if (invoke is not null)
                yield return Unexpected(first, ParityStatus.Excess, MappingKind.RoleAssignment, "no caller beyond the design", DescribeEligibility(e),
                    "This principal is eligible to activate a role that can list the function app's keys (" + invoke + "): invoke access no AWS grant justifies.", e.Id, e.Source, e.PrincipalName ?? e.PrincipalId, e, Surface: IdentitySurface.People);
        }
    }

    private IEnumerable<AzureRoleAssignment> CoveringAssignments(string siteId) => Covering(siteId, _byScope, _managementGroupAssignments);

    // What is assigned (or eligible) at the app's scope or any scope above it.
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

    private string? InvokeAction(string roleId, out bool known)
    {
        if (_roles.TryGetValue(roleId, out var def))
        {
            known = true;
            if (!_invokeCache.TryGetValue(roleId, out var cached)) _invokeCache[roleId] = cached = AzureActionPattern.InvokeAction(def);
            return cached;
        }
        if (KnownInvokeRoles.ContainsKey(roleId)) { known = true; return "Microsoft.Web/sites/host/listkeys/action"; }
        if (KnownNonInvokeRoles.Contains(roleId)) { known = true; return null; }
        known = false;
        return null;
    }

    // ---------- results ----------

    private static string Describe(AzRoleMapping m) => m.Kind switch
    {
        MappingKind.ManagedIdentity => (m.IdentityType ?? "SystemAssigned") + " identity" + (string.IsNullOrEmpty(m.PrincipalName) ? "" : " " + m.PrincipalName) + " on " + m.FunctionAppName,
        MappingKind.Authentication => string.Join("; ", m.Settings.Select(kv => kv.Key + "=" + kv.Value)),
        _ when !string.IsNullOrEmpty(m.RoleDefinitionName) || !string.IsNullOrEmpty(m.RoleDefinitionId)
            => (m.RoleDefinitionName ?? m.RoleDefinitionId) + " at " + m.Scope + " for " + (m.PrincipalName ?? m.ObjectId ?? "?"),
        _ => string.IsNullOrEmpty(m.AzureFeature) ? string.Join("; ", m.Settings.Select(kv => kv.Key + "=" + kv.Value)) : m.AzureFeature,
    };

    private static IdentityParityResult Result(AzRoleMapping m, ParityStatus status, string expected, string actual, string reason, AzureRoleAssignment? a = null, bool unread = false) => new()
    {
        EvidenceUnread = unread && status == ParityStatus.Unverifiable,
        MappingId = m.MappingId,
        FunctionName = m.FunctionName,
        FunctionAppName = m.FunctionAppName,
        Surface = m.Surface,
        Kind = m.Kind,
        Status = status,
        Expected = expected,
        Actual = actual,
        Reason = reason,
        RoleDefinitionName = m.RoleDefinitionName,
        Scope = m.Scope,
        ObjectId = a?.PrincipalId ?? m.ObjectId,
        PrincipalName = m.PrincipalName,
        ActualId = a?.Id,
        ActualSource = a?.Source,
    };

    private static IdentityParityResult SiteResult(AzRoleMapping m, ParityStatus status, string expected, string actual, string reason, AzureSite? site, bool unread = false, SourceLocation? source = null) => new()
    {
        EvidenceUnread = unread && status == ParityStatus.Unverifiable,
        MappingId = m.MappingId,
        FunctionName = m.FunctionName,
        FunctionAppName = m.FunctionAppName,
        Surface = m.Surface,
        Kind = m.Kind,
        Status = status,
        Expected = expected,
        Actual = actual,
        Reason = reason,
        ObjectId = site?.PrincipalId ?? m.ObjectId,
        PrincipalName = m.PrincipalName,
        ActualId = site?.Id,
        ActualSource = source ?? (m.Kind == MappingKind.Authentication ? site?.Auth?.Source ?? site?.Source : site?.Source),
    };

    private IdentityParityResult Unexpected(AzRoleMapping first, ParityStatus status, MappingKind kind, string expected, string actual, string reason, string? actualId,
        SourceLocation? source = null, string? principal = null, AzureRoleAssignment? a = null, IdentitySurface Surface = IdentitySurface.Workload, bool unread = false) => new()
    {
        EvidenceUnread = unread && status == ParityStatus.Unverifiable,
        MappingId = null,
        FunctionName = first.FunctionName,
        FunctionAppName = first.FunctionAppName,
        Surface = Surface,
        Kind = kind,
        Status = status,
        Expected = expected,
        Actual = actual,
        Reason = reason,
        RoleDefinitionName = a is null ? null : RoleName(a),
        Scope = a?.Scope,
        ObjectId = a?.PrincipalId,
        PrincipalName = principal,
        ActualId = actualId,
        ActualSource = source,
    };
}

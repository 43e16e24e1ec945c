using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Model;
using static LambdaIdentity.Core.Parity.ParityResults;

namespace LambdaIdentity.Core.Parity;

/// <summary>
/// Azure RBAC and Cosmos DB SQL role assignments: the designed role at the designed scope for the designed principal
/// (Pass), a wider scope or a more privileged role (Broader), or nothing (Missing). A PIM-eligible design with no
/// standing assignment is handed to the <see cref="EligibilityChecker"/>. Consumes the assignment it judges on.
/// </summary>
internal sealed class RoleAssignmentChecker : ISurfaceChecker
{
    private readonly AzureStateIndex _index;
    private readonly ParityLedger _ledger;
    private readonly EligibilityChecker _eligibility;

    public RoleAssignmentChecker(AzureStateIndex index, ParityLedger ledger)
    {
        _index = index; _ledger = ledger;
        _eligibility = new EligibilityChecker(index, ledger);
    }

    public IReadOnlyCollection<ParityCheckKind> Kinds { get; } = new[] { ParityCheckKind.RoleAssignment };

    public IdentityParityResult Check(AzRoleMapping m, ParityCheck check)
    {
        var state = _index.State;
        var expected = Describe(m);
        var roleId = _index.ResolveRoleId(m);
        // The translation stage says which system the assignment belongs to; older mapping files without it are recognised
        // by a Cosmos DB service at a database account scope.
        var cosmosService = string.Equals(m.RoleAssignmentType, "CosmosDbSql", StringComparison.OrdinalIgnoreCase)
                            || (string.IsNullOrEmpty(m.RoleAssignmentType)
                                && (m.AzureService ?? "").IndexOf("Cosmos", StringComparison.OrdinalIgnoreCase) >= 0
                                && (m.Scope ?? "").IndexOf("/databaseAccounts/", StringComparison.OrdinalIgnoreCase) >= 0
                                && (roleId is null || !state.RoleDefinitions.ContainsKey(roleId)));
        var system = roleId is not null && roleId.StartsWith(ParityChecker.CosmosRolePrefix, StringComparison.Ordinal) || cosmosService ? AzureAssignmentSystem.CosmosSql : AzureAssignmentSystem.Rbac;
        var area = system == AzureAssignmentSystem.Rbac ? AzureStateArea.RoleAssignments : AzureStateArea.CosmosSqlRoleAssignments;
        if (m.ScopeIsPlaceholder || string.IsNullOrEmpty(m.Scope))
            return Result(m, ParityStatus.Unverifiable, expected, "not checked", "The designed scope is a placeholder (" + (m.Scope ?? "none") + "); fill it from a resource map.");
        if (roleId is null && string.IsNullOrEmpty(m.RoleDefinitionName))
            return Result(m, ParityStatus.Unverifiable, expected, "not checked", "The role " + m.RoleDefinitionId + " could not be resolved.");
        var why = state.WhyUnreadable(area, m.FunctionAppName);
        if (why is not null) return Result(m, ParityStatus.Unverifiable, expected, "not read", "Role assignments could not be read: " + why, unread: true);

        var keys = Principals.Keys(m, _index, out var principalProblem);
        if (keys.Count == 0)
            return principalProblem.Status == ParityStatus.Missing
                ? Result(m, ParityStatus.Missing, expected, principalProblem.Actual, principalProblem.Reason)
                : Result(m, ParityStatus.Unverifiable, expected, principalProblem.Actual, principalProblem.Reason, unread: principalProblem.Evidence);

        var designedScope = Scopes.Normalize(m.Scope!);
        AzureRoleAssignment? exact = null, broader = null, token = null, conflicted = null;
        string broaderWhy = "";
        var related = new List<AzureRoleAssignment>();
        foreach (var a in _index.Candidates(keys))
        {
            if (a.System != system) continue;
            var sameRole = _index.SameRole(a, roleId, m.RoleDefinitionName);
            if (a.HasUnresolvedToken)
            {
                if (sameRole && string.Equals(a.Scope, m.Scope, StringComparison.OrdinalIgnoreCase)) { exact ??= a; continue; }
                token ??= a; continue;
            }
            var rel = Scopes.Relation(Scopes.Normalize(a.Scope), designedScope);
            if (a.Conflict is not null)
            {
                // Two exports disagree about this assignment: nothing is judged on it.
                if (rel is ScopeRelation.Same or ScopeRelation.Ancestor && (sameRole || _index.MorePrivileged(a.RoleDefinitionId, roleId) == true)) conflicted ??= a;
                continue;
            }
            if (sameRole && rel == ScopeRelation.Same) { exact ??= a; continue; }
            if (rel is ScopeRelation.Same or ScopeRelation.Ancestor)
            {
                if (sameRole) { if (broader is null) { broader = a; broaderWhy = "the designed role is assigned at the wider scope " + a.Scope; } continue; }
                var more = _index.MorePrivileged(a.RoleDefinitionId, roleId);
                if (more == true && broader is null) { broader = a; broaderWhy = _index.Includes(a, m.RoleDefinitionName, roleId, rel); continue; }
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
                _ledger.Consume(standing);
                return Result(m, ParityStatus.Broader, expected, _index.DescribeAssignment(standing) + " (standing)", "Broader than designed: a standing assignment exists where the design is a PIM-eligible one, activated with justification and approval.", standing);
            }
            return _eligibility.Check(m, expected, keys, roleId, designedScope);
        }
        if (exact is not null)
        {
            _ledger.Consume(exact);
            return Result(m, ParityStatus.Pass, expected, _index.DescribeAssignment(exact), "The designed assignment exists.", exact);
        }
        if (broader is not null)
        {
            _ledger.Consume(broader);
            return Result(m, ParityStatus.Broader, expected, _index.DescribeAssignment(broader), "Broader than designed: " + broaderWhy + ".", broader);
        }
        if (conflicted is not null) return ConflictResult(m, expected, conflicted);
        if (token is not null)
            return Result(m, ParityStatus.Unverifiable, expected, _index.DescribeAssignment(token), "A template assignment for this principal holds an expression that could not be resolved (" + token.Scope + ", " + token.RoleDefinitionId + ").", token);
        var actual = related.Count == 0 ? "no assignment of " + (m.RoleDefinitionName ?? roleId) + " for this principal at or above " + m.Scope
            : "only: " + string.Join("; ", related.Take(3).Select(_index.DescribeAssignment)) + (related.Count > 3 ? "; ..." : "");
        return Result(m, ParityStatus.Missing, expected, actual, "The designed assignment does not exist; the migration lost this access.");
    }

    private IdentityParityResult ConflictResult(AzRoleMapping m, string expected, AzureRoleAssignment a)
    {
        _ledger.Consume(a);
        return Result(m, ParityStatus.Unverifiable, expected, _index.DescribeAssignment(a) + " (disputed)",
            "The evidence disagrees: " + a.Conflict + "; the item is judged on neither export. Remove the stale one or name the current one with --prefer.", a, unread: true);
    }
}

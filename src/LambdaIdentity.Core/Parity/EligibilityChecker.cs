using System.Collections.Generic;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Model;
using static LambdaIdentity.Core.Parity.ParityResults;

namespace LambdaIdentity.Core.Parity;

/// <summary>
/// PIM eligibility (emergency and ad-hoc access): a PIM-eligible design with no standing assignment is judged on the
/// eligibility schedules. Fails closed: unread schedules are Unverifiable, an eligibility that is no longer in force
/// (expired, revoked) is not counted. Consumes the eligibility it judges on. Its kind is a
/// <see cref="ParityCheckKind.RoleAssignment"/> with PimEligible set, so the <see cref="RoleAssignmentChecker"/> calls it.
/// </summary>
internal sealed class EligibilityChecker
{
    private readonly AzureStateIndex _index;
    private readonly ParityLedger _ledger;

    public EligibilityChecker(AzureStateIndex index, ParityLedger ledger) { _index = index; _ledger = ledger; }

    public IdentityParityResult Check(AzRoleMapping m, string expected, HashSet<string> keys, string? roleId, string designedScope)
    {
        var why = _index.State.WhyUnreadable(AzureStateArea.RoleEligibilitySchedules, m.FunctionAppName);
        if (why is not null)
            return Result(m, ParityStatus.Unverifiable, expected, "no standing assignment",
                "The design is a PIM-eligible assignment and eligibility schedules could not be read: " + why + ". Export them: az rest --method get --url \"https://management.azure.com/<scope>/providers/Microsoft.Authorization/roleEligibilitySchedules?api-version=2020-10-01\".", unread: true);
        var now = _index.Now;
        AzureRoleAssignment? exact = null, broader = null, lapsed = null;
        var broaderWhy = "";
        foreach (var e in _index.EligibleCandidates(keys))
        {
            var sameRole = _index.SameRole(e, roleId, m.RoleDefinitionName);
            var rel = Scopes.Relation(Scopes.Normalize(e.Scope), designedScope);
            if (rel is not (ScopeRelation.Same or ScopeRelation.Ancestor)) continue;
            if (!sameRole && _index.MorePrivileged(e.RoleDefinitionId, roleId) != true) continue;
            if (!AzureStateIndex.InForce(e, now)) { lapsed ??= e; continue; }
            if (sameRole && rel == ScopeRelation.Same) { exact ??= e; continue; }
            if (broader is null)
            {
                broader = e;
                broaderWhy = sameRole ? "eligible at the wider scope " + e.Scope : _index.Includes(e, m.RoleDefinitionName, roleId, rel);
            }
        }
        if (exact is not null)
        {
            _ledger.ConsumeEligibility(exact);
            return Result(m, ParityStatus.Pass, expected, _index.DescribeEligibility(exact), "The designed eligible assignment exists: the access is activated just in time in Privileged Identity Management, not standing.", exact);
        }
        if (broader is not null)
        {
            _ledger.ConsumeEligibility(broader);
            return Result(m, ParityStatus.Broader, expected, _index.DescribeEligibility(broader), "Broader than designed: " + broaderWhy + ".", broader);
        }
        if (lapsed is not null)
            return Result(m, ParityStatus.Missing, expected, _index.DescribeEligibility(lapsed),
                "The eligible assignment is no longer in force (" + (lapsed.EndDateTime is { } end && end <= now ? "it ended " + end.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "status " + (lapsed.Status ?? "unknown")) + "): the emergency access cannot be activated.", lapsed);
        return Result(m, ParityStatus.Missing, expected, "no eligible or standing assignment of " + (m.RoleDefinitionName ?? roleId) + " for this principal at or above " + m.Scope,
            "The designed PIM-eligible assignment does not exist; the migration lost this access.");
    }
}

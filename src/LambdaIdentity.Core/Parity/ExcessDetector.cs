using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Model;
using static LambdaIdentity.Core.Parity.ParityResults;

namespace LambdaIdentity.Core.Parity;

/// <summary>
/// Unexpected access, judged in one place once every mapping has been checked: what the Azure state grants that no
/// mapping consumed in the <see cref="ParityLedger"/>. Per function app: role assignments of the app's identities,
/// attached identities nobody designed, callers that can list the app's keys (standing or PIM-eligible), and holders of
/// the app's invoke app role; then federated credentials on designed pipeline identities. Fails closed: where the
/// evidence was not read, one Unverifiable result says so instead of silence.
/// </summary>
internal sealed class ExcessDetector
{
    private readonly AzureStateIndex _index;
    private readonly ParityLedger _ledger;

    public ExcessDetector(AzureStateIndex index, ParityLedger ledger) { _index = index; _ledger = ledger; }

    /// <summary>Everything no mapping accounts for, in a stable order: app by app as first met, then federation.</summary>
    public IEnumerable<IdentityParityResult> Find(System.Threading.CancellationToken cancellation)
    {
        foreach (var app in _ledger.Apps())
        {
            cancellation.ThrowIfCancellationRequested();
            foreach (var r in RoleAssignments(app.Key, app.Value)) yield return r;
            foreach (var r in AppRoleCallers(app.Key, app.Value)) yield return r;
        }
        foreach (var r in FederatedCredentials()) yield return r;
    }

    private IEnumerable<IdentityParityResult> RoleAssignments(string app, IReadOnlyList<AzRoleMapping> mappings)
    {
        var first = mappings[0];
        var site = _index.Site(app);
        var why = _index.State.WhyUnreadable(AzureStateArea.RoleAssignments, app);
        if (why is not null)
        {
            yield return Unexpected(_index, first, ParityStatus.Unverifiable, MappingKind.RoleAssignment, "no access beyond the design", "not read",
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
                    yield return Unexpected(_index, first, ParityStatus.Excess, MappingKind.ManagedIdentity, "only designed identities attached", "user-assigned identity " + n + " attached",
                        "The identity " + n + " is attached to the function app but no mapping designs it: the code can use all of its access.", site.Id, site.Source, n);
            }
        foreach (var n in designedIdentities)
        {
            keys["user:" + n.ToLowerInvariant()] = n + " (user-assigned)";
            foreach (var i in _index.IdentitiesNamed(n)) if (i.PrincipalId is not null) keys[i.PrincipalId] = n + " (user-assigned)";
        }
        var reported = new HashSet<AzureRoleAssignment>();
        foreach (var k in keys)
        {
            foreach (var a in _index.AssignmentsOf(k.Key))
            {
                if (_ledger.IsConsumed(a) || !reported.Add(a)) continue;
                var status = a.HasUnresolvedToken || a.Conflict is not null ? ParityStatus.Unverifiable : ParityStatus.Excess;
                yield return Unexpected(_index, first, status, MappingKind.RoleAssignment, "no access beyond the design for " + k.Value, _index.DescribeAssignment(a),
                    a.Conflict is not null ? "The evidence disagrees about this assignment of the function's identity " + k.Value + ": " + a.Conflict + "; it is judged on neither export."
                    : a.HasUnresolvedToken ? "An assignment to the function's identity holds an unresolved template expression." : "No AWS grant justifies this access of the function's identity " + k.Value + ".", a.Id, a.Source, k.Value, a, unread: a.Conflict is not null);
            }
        }
        if (!_index.Options.CheckCallerAccess) yield break;
        if (site is null || string.IsNullOrEmpty(site.Id))
        {
            yield return Unexpected(_index, first, ParityStatus.Unverifiable, MappingKind.RoleAssignment, "no caller beyond the design", "function app resource id unknown",
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
        foreach (var a in _index.CoveringAssignments(site.Id))
        {
            if (a.System != AzureAssignmentSystem.Rbac || _ledger.IsConsumed(a) || reported.Contains(a)) continue;
            if ((a.PrincipalId is not null && (keys.ContainsKey(a.PrincipalId) || designedCallers.Contains(a.PrincipalId))) || (a.PrincipalName is not null && designedCallers.Contains(a.PrincipalName))) continue;
            var invoke = _index.InvokeAction(a.RoleDefinitionId, out var known);
            if (a.Conflict is not null && (invoke is not null || !known))
            {
                reported.Add(a);
                yield return Unexpected(_index, first, ParityStatus.Unverifiable, MappingKind.RoleAssignment, "no caller beyond the design", _index.DescribeAssignment(a),
                    "The evidence disagrees about this assignment, which can list the function app's keys (invoke access): " + a.Conflict + "; it is judged on neither export.", a.Id, a.Source, a.PrincipalName ?? a.PrincipalId, a, Surface: IdentitySurface.People, unread: true);
            }
            else if (!known)
            {
                reported.Add(a);
                yield return Unexpected(_index, first, ParityStatus.Unverifiable, MappingKind.RoleAssignment, "no caller beyond the design", _index.DescribeAssignment(a),
                    "The role definition " + a.RoleDefinitionId + " could not be read, so it is unknown whether it can list the function app's keys (invoke access).", a.Id, a.Source, a.PrincipalName ?? a.PrincipalId, a, unread: true);
            }
            else if (invoke is not null)
            {
                reported.Add(a);
                yield return Unexpected(_index, first, ParityStatus.Excess, MappingKind.RoleAssignment, "no caller beyond the design", _index.DescribeAssignment(a),
                    "This principal can list the function app's keys (" + invoke + "), which is invoke access no AWS grant justifies.", a.Id, a.Source, a.PrincipalName ?? a.PrincipalId, a, Surface: IdentitySurface.People);
            }
        }
        // Eligible callers: a PIM eligibility covering the app whose role can list its keys is invoke access once activated.
        if (_index.State.WhyUnreadable(AzureStateArea.RoleEligibilitySchedules, app) is { } eligibilityWhy)
        {
            // Fails closed: an eligible caller could hide in schedules nobody read.
            yield return Unexpected(_index, first, ParityStatus.Unverifiable, MappingKind.RoleAssignment, "no eligible caller beyond the design", "not read",
                "Callers eligible (PIM) to activate invoke access could not be checked: eligibility schedules could not be read: " + eligibilityWhy, null, Surface: IdentitySurface.People, unread: true);
            yield break;
        }
        var now = _index.Now;
        foreach (var e in _index.CoveringEligibilities(site.Id))
        {
            if (_ledger.IsEligibilityConsumed(e) || !AzureStateIndex.InForce(e, now)) continue;
            if ((e.PrincipalId is not null && (keys.ContainsKey(e.PrincipalId) || designedCallers.Contains(e.PrincipalId))) || (e.PrincipalName is not null && designedCallers.Contains(e.PrincipalName))) continue;
            var invoke = _index.InvokeAction(e.RoleDefinitionId, out var known);
            if (!known)
                yield return Unexpected(_index, first, ParityStatus.Unverifiable, MappingKind.RoleAssignment, "no caller beyond the design", _index.DescribeEligibility(e),
                    "The role definition " + e.RoleDefinitionId + " could not be read, so it is unknown whether this eligibility can list the function app's keys (invoke access).", e.Id, e.Source, e.PrincipalName ?? e.PrincipalId, e, Surface: IdentitySurface.People, unread: true);
            else if (invoke is not null)
                yield return Unexpected(_index, first, ParityStatus.Excess, MappingKind.RoleAssignment, "no caller beyond the design", _index.DescribeEligibility(e),
                    "This principal is eligible to activate a role that can list the function app's keys (" + invoke + "): invoke access no AWS grant justifies.", e.Id, e.Source, e.PrincipalName ?? e.PrincipalId, e, Surface: IdentitySurface.People);
        }
    }

    // Callers that hold the app's invoke role without any mapping designing them: access no AWS grant justifies.
    private IEnumerable<IdentityParityResult> AppRoleCallers(string app, IReadOnlyList<AzRoleMapping> mappings)
    {
        if (_index.State.WhyUnreadable(AzureStateArea.EntraAppRoles, null) is { } why)
        {
            // Only where the design gives the app callers by app role: there an unread Graph export could hide more callers.
            if (mappings.Select(ParityCheck.Of).Any(c => c.Kind == ParityCheckKind.AppRoleGrant || c.Authentication?.AppRole is not null))
                yield return Unexpected(_index, mappings[0], ParityStatus.Unverifiable, MappingKind.Authentication, "no caller of " + app + " beyond the design", "not read",
                    "Principals holding the app's invoke role could not be checked: app role assignments could not be read: " + why, null, Surface: IdentitySurface.EndUser, unread: true);
            yield break;
        }
        var sp = _index.ServicePrincipalOf(app);
        if (sp is null || !sp.AppRoles.TryGetValue(AppRoleChecker.InvokeRole, out var roleId)) yield break;
        foreach (var a in _index.State.AppRoleAssignments.Where(a => a.ResourceId == sp.Id && a.AppRoleId == roleId && !_ledger.IsConsumed(a)))
            yield return Unexpected(_index, mappings[0], ParityStatus.Excess, MappingKind.Authentication, "no caller of " + app + " beyond the design",
                AppRoleChecker.InvokeRole + " held by " + (a.PrincipalDisplayName ?? a.PrincipalId) + (a.PrincipalType is null ? "" : " (" + a.PrincipalType + ")"),
                "This principal may call " + app + " (app role " + AppRoleChecker.InvokeRole + ") but no AWS grant or caller justifies it.", a.Id, a.Source, a.PrincipalDisplayName ?? a.PrincipalId, null, IdentitySurface.EndUser);
    }

    // Credentials on a designed pipeline identity that no designed subject accounts for: tokens the AWS trust never accepted.
    private IEnumerable<IdentityParityResult> FederatedCredentials()
    {
        foreach (var c in _index.State.FederatedCredentials)
        {
            if (_ledger.IsConsumed(c) || _ledger.FederationOwner(c.Owner) is not { } m) continue;
            yield return Unexpected(_index, m, ParityStatus.Excess, MappingKind.Setting, "only the designed subjects federated", "federated credential " + c.Name + ": " + c.Issuer + " " + c.Subject,
                "The identity " + (m.PrincipalName ?? m.ObjectId) + " accepts tokens for " + c.Subject + ", which the AWS role's trust did not accept.", c.Id, c.Source, m.PrincipalName, Surface: IdentitySurface.Automation);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Parity;

/// <summary>Why a mapping's principal has no keys in the state: Missing (it does not exist) or Unverifiable.</summary>
internal sealed class PrincipalProblem
{
    public ParityStatus Status { get; set; } = ParityStatus.Unverifiable;
    public string Actual { get; set; } = "principal unknown";
    public string Reason { get; set; } = "";
    /// <summary>True when the cause is evidence that was not read.</summary>
    public bool Evidence { get; set; }
}

/// <summary>Where a mapping's principal appears in the state: shared by role assignments, PIM, app roles and the AWS-side trust.</summary>
internal static class Principals
{
    /// <summary>The keys (object ids and template references) under which the mapping's principal appears.</summary>
    public static HashSet<string> Keys(AzRoleMapping m, AzureStateIndex index, out PrincipalProblem problem)
    {
        var state = index.State;
        problem = new PrincipalProblem();
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrEmpty(m.ObjectId)) keys.Add(m.ObjectId!.ToLowerInvariant());
        var identityType = m.IdentityType ?? "";
        if (identityType.IndexOf("User", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            var name = m.PrincipalName ?? "";
            if (name.Length > 0)
            {
                var refKey = "user:" + name.ToLowerInvariant();
                if (index.HasAssignmentsFor(refKey)) keys.Add(refKey);
                if (index.HasIdentityNamed(name))
                {
                    keys.Add(refKey);
                    foreach (var i in index.IdentitiesNamed(name)) if (i.PrincipalId is not null) keys.Add(i.PrincipalId);
                }
                foreach (var site in state.Sites.Values)
                    foreach (var u in site.UserAssignedIdentities)
                        if (u.Value is not null && string.Equals(Json.LastSegment(u.Key), name, StringComparison.OrdinalIgnoreCase)) keys.Add(u.Value);
            }
            if (keys.Count == 0)
            {
                var why = state.WhyUnreadable(AzureStateArea.UserAssignedIdentities, null);
                problem = why is not null
                    ? new PrincipalProblem { Status = ParityStatus.Unverifiable, Actual = "identity not read", Reason = "The user-assigned identity " + name + " could not be resolved: " + why, Evidence = true }
                    : new PrincipalProblem { Status = ParityStatus.Missing, Actual = "no user-assigned identity named " + name, Reason = "The designed identity does not exist, so neither does its access." };
            }
        }
        else if (identityType.IndexOf("System", StringComparison.OrdinalIgnoreCase) >= 0
                 || (string.IsNullOrEmpty(m.PrincipalType) || m.PrincipalType!.Equals("ServicePrincipal", StringComparison.OrdinalIgnoreCase)) && string.IsNullOrEmpty(m.ObjectId))
        {
            var app = m.FunctionAppName;
            var refKey = "system:" + app.ToLowerInvariant();
            var found = state.Sites.TryGetValue(app, out var site);
            // A template names the identity symbolically; a site known to have a system identity is a principal too.
            if (index.HasAssignmentsFor(refKey) || (found && site!.IdentityType is not null && site.IdentityType.IndexOf("System", StringComparison.OrdinalIgnoreCase) >= 0)) keys.Add(refKey);
            if (found && site!.PrincipalId is not null) keys.Add(site.PrincipalId);
            if (keys.Count == 0)
            {
                var why = state.WhyUnreadable(AzureStateArea.Sites, app);
                if (why is not null) problem = new PrincipalProblem { Status = ParityStatus.Unverifiable, Actual = "function app not read", Reason = "The function app " + app + " could not be read: " + why, Evidence = true };
                else if (site is null) problem = new PrincipalProblem { Status = ParityStatus.Missing, Actual = "no function app named " + app, Reason = "The function app does not exist, so neither does its identity's access." };
                else if (site.IdentityType is not null && site.IdentityType.IndexOf("System", StringComparison.OrdinalIgnoreCase) < 0)
                    problem = new PrincipalProblem { Status = ParityStatus.Missing, Actual = "identity type " + site.IdentityType, Reason = "The function app has no system-assigned identity, so it has none of the designed access." };
                else problem = new PrincipalProblem { Status = ParityStatus.Unverifiable, Actual = "principal id unknown", Reason = "The function app's system-assigned identity has no principal id in the state.", Evidence = true };
            }
        }
        else
        {
            if (!string.IsNullOrEmpty(m.PrincipalName)) keys.Add("name:" + m.PrincipalName);
            if (keys.Count == 0 || (string.IsNullOrEmpty(m.ObjectId) && !index.HasAssignmentsFor("name:" + m.PrincipalName)))
            {
                if (string.IsNullOrEmpty(m.ObjectId))
                {
                    keys.Clear();
                    problem = new PrincipalProblem { Status = ParityStatus.Unverifiable, Actual = "principal unknown", Reason = "The principal " + (m.PrincipalName ?? "?") + " has no object id and the state names no such principal; set ObjectId (no directory read is made)." };
                }
            }
        }
        return keys;
    }

    /// <summary>The managed identity whose token the AWS-side trust must admit: its object id and tenant as the Azure state shows them.</summary>
    public static AwsTrustParity.Identity AwsTrustIdentity(AzRoleMapping m, AzureStateIndex index)
    {
        var ids = Keys(m, index, out var problem).Where(k => Guid.TryParse(k, out _)).ToList();
        if (ids.Count == 0) return new AwsTrustParity.Identity { Problem = problem.Reason.Length > 0 ? problem.Reason : "the identity's object id is not in the Azure state.", Unread = problem.Evidence || problem.Status != ParityStatus.Missing };
        var site = index.Site(m.FunctionAppName);
        var tenant = site?.TenantId ?? index.State.UserAssignedIdentities.Values.FirstOrDefault(i => i.PrincipalId is not null && ids.Contains(i.PrincipalId) && i.TenantId is not null)?.TenantId;
        return new AwsTrustParity.Identity { ObjectId = ids[0], TenantId = tenant };
    }
}

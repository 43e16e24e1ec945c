using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Model;
using static LambdaIdentity.Core.Parity.ParityResults;

namespace LambdaIdentity.Core.Parity;

/// <summary>
/// Entra app roles (callers): a designed caller must hold the called app's invoke role on its service principal.
/// Consumes the assignment it finds; holders no mapping designs are excess (<see cref="ExcessDetector"/>).
/// </summary>
internal sealed class AppRoleChecker : ISurfaceChecker
{
    /// <summary>The app role a caller needs to invoke a function app.</summary>
    public const string InvokeRole = "Function.Invoke";

    private readonly AzureStateIndex _index;
    private readonly ParityLedger _ledger;

    public AppRoleChecker(AzureStateIndex index, ParityLedger ledger) { _index = index; _ledger = ledger; }

    public IReadOnlyCollection<ParityCheckKind> Kinds { get; } = new[] { ParityCheckKind.AppRoleGrant };

    public IdentityParityResult Check(AzRoleMapping m, ParityCheck parityCheck)
    {
        var check = parityCheck.AppRole!;
        var expected = Describe(m);
        var role = check.Role;
        var app = check.CalleeFunctionAppName;
        if (m.ScopeIsPlaceholder) return Result(m, ParityStatus.Unverifiable, expected, "not checked", "The called function is not known (" + m.Scope + ").");
        var why = _index.State.WhyUnreadable(AzureStateArea.EntraAppRoles, null);
        if (why is not null)
            return Result(m, ParityStatus.Unverifiable, expected, "not read", "App role assignments could not be read (" + why + "). They live in Microsoft Graph, which the tool does not read itself: export the app's service principal (az ad sp show --id <client id>) and its appRoleAssignedTo list (az rest --url https://graph.microsoft.com/v1.0/servicePrincipals/<id>/appRoleAssignedTo).", unread: true);
        var sp = _index.ServicePrincipalOf(app);
        if (sp is null) return Result(m, ParityStatus.Unverifiable, expected, "no registration read", "The Entra export holds no service principal of " + app + " (none named like it, none whose app id its authentication names).", unread: true);
        if (!sp.AppRoles.TryGetValue(role, out var roleId))
            return Result(m, ParityStatus.Missing, expected, "no app role " + role + " on " + (sp.DisplayName ?? sp.Id), "The app registration of " + app + " defines no app role " + role + ", so no caller can hold it.");
        var keys = !string.IsNullOrEmpty(m.ObjectId) ? new HashSet<string>(new[] { m.ObjectId!.ToLowerInvariant() }, StringComparer.OrdinalIgnoreCase) : Principals.Keys(m, _index, out _);
        var holders = keys.Where(k => Guid.TryParse(k, out _)).ToList();
        if (holders.Count == 0)
            return Result(m, ParityStatus.Unverifiable, expected, "principal unknown", "The caller has no object id in the state" + (string.IsNullOrEmpty(m.ObjectId) ? "; set ObjectId (principal:<ARN> in the resource map)" : "") + ".");
        var hit = _index.State.AppRoleAssignments.FirstOrDefault(a => a.ResourceId == sp.Id && a.AppRoleId == roleId && holders.Contains(a.PrincipalId, StringComparer.OrdinalIgnoreCase));
        if (hit is null)
            return Result(m, ParityStatus.Missing, expected, "no assignment of " + role + " on " + (sp.DisplayName ?? sp.Id) + " for " + string.Join(", ", holders), "The caller does not hold the app role: the migration lost this caller's access.");
        _ledger.Consume(hit);
        return Result(m, ParityStatus.Pass, expected, role + " on " + (sp.DisplayName ?? sp.Id) + " held by " + (hit.PrincipalDisplayName ?? hit.PrincipalId), "The caller holds the app role.");
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Model;
using static LambdaIdentity.Core.Parity.ParityResults;

namespace LambdaIdentity.Core.Parity;

/// <summary>
/// The managed identity on the function app: the designed system-assigned identity enabled, or the designed
/// user-assigned identity attached. Identities attached but not designed are excess (<see cref="ExcessDetector"/>).
/// </summary>
internal sealed class IdentityChecker : ISurfaceChecker
{
    private readonly AzureStateIndex _index;

    public IdentityChecker(AzureStateIndex index) => _index = index;

    public IReadOnlyCollection<ParityCheckKind> Kinds { get; } = new[] { ParityCheckKind.ManagedIdentity };

    public IdentityParityResult Check(AzRoleMapping m, ParityCheck check)
    {
        var state = _index.State;
        var expected = Describe(m);
        var app = m.FunctionAppName;
        var why = state.WhyUnreadable(AzureStateArea.Sites, app);
        if (!state.Sites.TryGetValue(app, out var site) || site.IdentityType is null)
        {
            if (why is not null) return Result(m, ParityStatus.Unverifiable, expected, "not read", "The function app could not be read: " + why, unread: true);
            return Result(m, ParityStatus.Missing, expected, "no function app named " + app, "The function app does not exist.");
        }
        // Fails closed: a site that an export could not give, or that two exports disagree about, is judged on neither.
        if (state.Unreadable.FirstOrDefault(u => u.Area == AzureStateArea.Sites && (u.SiteName is null || string.Equals(u.SiteName, app, StringComparison.OrdinalIgnoreCase))) is { } unreadSite)
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
}

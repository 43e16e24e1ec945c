using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Azure;

namespace LambdaIdentity.Core.Parity;

/// <summary>
/// Whether an app designed to admit only callers holding its invoke app role enforces it. Naming the role is not enough:
/// any workload identity of the tenant can get a token for the app's audience. The Azure resource state shows the
/// enforcement App Service authentication does (authsettingsV2 defaultAuthorizationPolicy.allowedApplications);
/// appRoleAssignmentRequired on the service principal lives in Microsoft Graph, which the state does not hold, so
/// without allowedApplications the app differs from its design (Drift), never Pass.
/// </summary>
internal static class InvokeEnforcement
{
    /// <summary>Adds the verdict on the enforcement (designed by <see cref="LambdaIdentity.Model.AuthenticationCheck.AppRoleAssignmentRequired"/>) to the lists the authentication check builds.</summary>
    public static void Check(AzureAuthSettings auth, List<string> drift, List<string> passed, List<string> actual)
    {
        var apps = auth.AllowedApplications.Where(a => a.Trim().Length > 0 && !a.TrimStart().StartsWith("[", System.StringComparison.Ordinal)).ToList();
        actual.Add("allowedApplications " + (apps.Count == 0 ? "(none)" : string.Join(",", apps)));
        if (apps.Count > 0) passed.Add("invoke restricted to " + apps.Count + " allowed client application(s)");
        else drift.Add("nothing restricts callers to the holders of the invoke app role: App Service authentication has no allowedApplications, so any workload identity in the tenant "
            + "that gets a token for the app can call it (appRoleAssignmentRequired on the service principal, if set, is not visible in the Azure resource state)");
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Model;
using static LambdaIdentity.Core.Parity.ParityResults;

namespace LambdaIdentity.Core.Parity;

/// <summary>
/// The function app's own configuration that carries access: app settings (trigger connections, names only, never
/// values), diagnostic settings (the audit trail) and how a Flex Consumption app reads its deployment package.
/// </summary>
internal sealed class SiteSettingsChecker : ISurfaceChecker
{
    private readonly AzureStateIndex _index;

    public SiteSettingsChecker(AzureStateIndex index) => _index = index;

    public IReadOnlyCollection<ParityCheckKind> Kinds { get; } = new[] { ParityCheckKind.AppSettings, ParityCheckKind.DiagnosticSettings, ParityCheckKind.DeploymentStorage };

    public IdentityParityResult Check(AzRoleMapping m, ParityCheck check) => check.Kind switch
    {
        ParityCheckKind.DiagnosticSettings => CheckDiagnostics(m, Describe(m), check.DiagnosticCategories),
        ParityCheckKind.DeploymentStorage => CheckDeploymentStorage(m, Describe(m), check.DeploymentStorageAuthentication!),
        _ => CheckSettings(m, check.AppSettingNames),
    };

    private IdentityParityResult CheckSettings(AzRoleMapping m, IReadOnlyList<string> names)
    {
        var expected = Describe(m);
        if (names.Count == 0)
            return Result(m, ParityStatus.Unverifiable, expected, "not checkable", "The settings (" + string.Join(", ", m.Settings.Keys) + ") name no app setting the state can show.");
        var site = _index.Site(m.FunctionAppName);
        var unread = _index.Unreadable(m.FunctionAppName, AzureStateArea.AppSettings, site?.AppSettingNames is not null,
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
        var site = _index.Site(m.FunctionAppName);
        var unread = _index.Unreadable(m.FunctionAppName, AzureStateArea.DiagnosticSettings, site?.DiagnosticLogCategories is not null,
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
        var site = _index.Site(m.FunctionAppName);
        var unread = _index.Unreadable(m.FunctionAppName, AzureStateArea.Sites, site?.DeploymentStorageAuthentication is not null,
            "The function app could not be read: ", "The state holds no functionAppConfig.deployment.storage.authentication for " + m.FunctionAppName + " (a Flex Consumption app's az functionapp show does).");
        if (unread is not null) return Result(m, ParityStatus.Unverifiable, expected, "not read", unread, unread: true);
        var auth = site!.DeploymentStorageAuthentication!;
        return string.Equals(auth, designed, StringComparison.OrdinalIgnoreCase)
            ? SiteResult(m, ParityStatus.Pass, expected, "deployment storage authentication " + auth, "The app reads its deployment package with the designed identity.", site)
            : SiteResult(m, ParityStatus.Drift, expected, "deployment storage authentication " + auth, "Configuration differs: the deployment package is read with " + auth + ", designed " + designed + ".", site);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Model;
using static LambdaIdentity.Core.Parity.ParityResults;

namespace LambdaIdentity.Core.Parity;

/// <summary>
/// Who may call the function: HTTP authLevel, App Service authentication (Easy Auth, authsettingsV2) with its issuer,
/// audiences, allowed applications and invoke enforcement, and CORS. Settings the resource state cannot show are never
/// passed. Callers holding the invoke app role are judged by the <see cref="AppRoleChecker"/>.
/// </summary>
internal sealed class AuthenticationChecker : ISurfaceChecker
{
    private readonly AzureStateIndex _index;

    public AuthenticationChecker(AzureStateIndex index) => _index = index;

    public IReadOnlyCollection<ParityCheckKind> Kinds { get; } = new[] { ParityCheckKind.Authentication };

    public IdentityParityResult Check(AzRoleMapping m, ParityCheck parityCheck)
    {
        var check = parityCheck.Authentication!;
        var expected = Describe(m);
        var app = m.FunctionAppName;
        var site = _index.Site(app);
        var drift = new List<string>(); var unverifiable = new List<string>(); var passed = new List<string>(); var actual = new List<string>();
        var evidenceUnread = false;

        if (check.AuthLevel is { } level)
        {
            if (_index.Unreadable(app, AzureStateArea.Functions, site?.Functions is not null, "authLevel: functions could not be read: ", "authLevel: no function list for " + app) is { } unread)
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
            if (_index.Unreadable(app, AzureStateArea.AuthSettings, auth is not null, "authentication could not be read: ", "no authsettingsV2 for " + app + " in the state") is { } unread)
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
            if (_index.Unreadable(app, AzureStateArea.Sites, site?.CorsAllowedOrigins is not null, "CORS: the function app could not be read: ", "CORS: no siteConfig.cors for " + app + " in the state (az functionapp show, or az functionapp cors show)") is { } unread)
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
}

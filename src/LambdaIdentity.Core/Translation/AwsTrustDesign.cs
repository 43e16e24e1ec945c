using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Translation;

/// <summary>
/// The AWS side of the trust for a dependency that stays on AWS: which Entra token the function's managed identity
/// presents to <c>sts:AssumeRoleWithWebIdentity</c>, and the IAM OIDC provider and role trust that admit exactly it.
/// </summary>
/// <remarks>
/// Which issuer and audience the token carries (docs/aws-trust.md cites the sources):
/// a managed identity's token requested for <c>api://AzureADTokenExchange</c> (the Entra token-exchange audience) is a
/// v2.0 token: <c>iss</c> = <c>https://login.microsoftonline.com/{tenant}/v2.0</c>, <c>aud</c> =
/// <c>api://AzureADTokenExchange</c>, <c>sub</c> = the managed identity's object (principal) id (Microsoft Entra,
/// "Configure an application to trust a managed identity": the federated credential's issuer, subject and audience are
/// checked against exactly these claims of the managed identity token). A token requested for an app registration's
/// Application ID URI follows that app's <c>requestedAccessTokenVersion</c>: v1.0 (the default) carries
/// <c>iss</c> = <c>https://sts.windows.net/{tenant}/</c> and <c>aud</c> = the App ID URI as requested; v2.0 carries the
/// v2.0 issuer and <c>aud</c> = the app's client id (Entra access token claims reference; AWS Security Blog, "How to
/// access AWS resources from Microsoft Entra ID tenants using AWS Security Token Service", updated 2024-09-20).
/// IAM names a provider by its URL without <c>https://</c>, and its condition keys are that name + <c>:aud</c> / <c>:sub</c>.
/// </remarks>
public static class AwsTrustDesign
{
    /// <summary>The Entra token-exchange audience of the global service.</summary>
    public const string TokenExchangeAudience = "api://AzureADTokenExchange";

    /// <summary>The token-exchange audiences of the Entra clouds (global, US Government, China).</summary>
    public static readonly IReadOnlyList<string> TokenExchangeAudiences = new[] { "api://AzureADTokenExchange", "api://AzureADTokenExchangeUSGov", "api://AzureADTokenExchangeChina" };

    /// <summary>True when the audience is a token-exchange audience, whose tokens are v2.0.</summary>
    public static bool IsTokenExchange(string audience) => TokenExchangeAudiences.Any(a => a.Equals(audience, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The issuer of the token a managed identity gets for <paramref name="audience"/> in <paramref name="tenant"/>:
    /// v2.0 for a token-exchange audience (and for an App ID URI whose app asks for v2.0 tokens), else v1.0.
    /// </summary>
    public static string Issuer(string tenant, string audience, bool appAcceptsV2 = false)
        => IsTokenExchange(audience) || appAcceptsV2 ? "https://login.microsoftonline.com/" + tenant + "/v2.0" : "https://sts.windows.net/" + tenant + "/";

    /// <summary>The IAM name of an OIDC provider (its URL without the scheme): the ARN's tail and the condition keys' prefix.</summary>
    public static string ProviderName(string issuer) => issuer.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? issuer.Substring(8) : issuer;

    /// <summary>The ARN of the IAM OIDC provider for an issuer in an account.</summary>
    public static string ProviderArn(string account, string issuer, string partition = "aws") => "arn:" + partition + ":iam::" + account + ":oidc-provider/" + ProviderName(issuer);

    /// <summary>The role's trust policy: the provider may assume it only with a token of exactly that audience and subject.</summary>
    public static string TrustPolicy(string providerArn, string issuer, string audience, string subject)
    {
        var name = ProviderName(issuer);
        return Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("Version", "2012-10-17");
            w.WriteStartArray("Statement");
            w.WriteStartObject();
            w.WriteString("Effect", "Allow");
            w.WriteStartObject("Principal"); w.WriteString("Federated", providerArn); w.WriteEndObject();
            w.WriteString("Action", "sts:AssumeRoleWithWebIdentity");
            w.WriteStartObject("Condition");
            w.WriteStartObject("StringEquals");
            w.WriteString(name + ":aud", audience);
            w.WriteString(name + ":sub", subject);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// The role's permissions: exactly the grants the execution role had on the dependencies that stay, one Allow per
    /// resource and condition set (conditions kept), and a Deny for resources an unconditional deny had excluded.
    /// </summary>
    public static string PermissionsPolicy(IEnumerable<(EffectiveGrant Grant, string Resource)> grants)
    {
        var list = grants.ToList();
        var allows = list
            .GroupBy(g => (g.Resource, Conditions: ConditionKey(g.Grant.Conditions)))
            .GroupBy(g => string.Join(",", g.Select(x => x.Grant.Action).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal)) + "|" + g.Key.Conditions, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        var excluded = list.Where(g => g.Grant.ExcludedResources.Count > 0)
            .GroupBy(g => string.Join(",", g.Grant.ExcludedResources.OrderBy(r => r, StringComparer.Ordinal)), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        return Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("Version", "2012-10-17");
            w.WriteStartArray("Statement");
            foreach (var g in allows)
            {
                var first = g.First().First().Grant;
                w.WriteStartObject();
                w.WriteString("Effect", "Allow");
                w.WriteStartArray("Action");
                foreach (var a in g.First().Select(x => x.Grant.Action).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal)) w.WriteStringValue(a);
                w.WriteEndArray();
                w.WriteStartArray("Resource");
                foreach (var r in g.Select(x => x.Key.Resource).Distinct(StringComparer.Ordinal).OrderBy(r => r, StringComparer.Ordinal)) w.WriteStringValue(r);
                w.WriteEndArray();
                WriteConditions(w, first.Conditions);
                w.WriteEndObject();
            }
            foreach (var g in excluded)
            {
                w.WriteStartObject();
                w.WriteString("Effect", "Deny");
                w.WriteStartArray("Action");
                foreach (var a in g.Select(x => x.Grant.Action).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal)) w.WriteStringValue(a);
                w.WriteEndArray();
                w.WriteStartArray("Resource");
                foreach (var r in g.First().Grant.ExcludedResources.OrderBy(r => r, StringComparer.Ordinal)) w.WriteStringValue(r);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static string ConditionKey(IReadOnlyList<PolicyCondition> conditions)
        => string.Join(";", conditions.Select(c => c.Operator + "|" + c.Key + "|" + string.Join(",", c.Values)).OrderBy(x => x, StringComparer.Ordinal));

    private static void WriteConditions(Utf8JsonWriter w, IReadOnlyList<PolicyCondition> conditions)
    {
        if (conditions.Count == 0) return;
        w.WriteStartObject("Condition");
        foreach (var op in conditions.GroupBy(c => c.Operator, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject(op.Key);
            foreach (var c in op.GroupBy(c => c.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var values = c.SelectMany(x => x.Values).Distinct(StringComparer.Ordinal).ToList();
                if (values.Count == 1) w.WriteString(c.Key, values[0]);
                else { w.WriteStartArray(c.Key); foreach (var v in values) w.WriteStringValue(v); w.WriteEndArray(); }
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })) write(w);
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}

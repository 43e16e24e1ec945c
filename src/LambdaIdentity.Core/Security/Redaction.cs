using System.Text.RegularExpressions;

namespace LambdaIdentity.Core.Security;

/// <summary>
/// Removes credentials from text a provider wrote (AWS and Azure error messages can echo the signed request): request
/// signatures, security tokens, Authorization headers, bearer tokens and JWTs, SAS signatures, account keys, secrets and
/// passwords given as key=value, and AWS access key ids (all but their last four characters). Applied to every error,
/// warning and diagnostic the engine reports, so no front can print one.
/// </summary>
public static class Redaction
{
    /// <summary>What replaces a removed value.</summary>
    public const string Mask = "***";

    private static readonly RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase;

    // An Authorization header (or property) to the end of its line: the AWS SigV4 header holds the key id and signature.
    private static readonly Regex AuthorizationHeader = new(@"(?<k>\b(?:proxy-)?authorization""?\s*[:=]\s*""?)[^\r\n""]+", Options);
    private static readonly Regex Bearer = new(@"(?<k>\bbearer\s+)[A-Za-z0-9\-._~+/]+=*", Options);
    private static readonly Regex Jwt = new(@"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*", RegexOptions.CultureInvariant);
    // key=value and "key": "value" pairs whose value is a credential (query strings, headers, JSON, connection strings).
    private static readonly Regex KeyValue = new(
        @"(?<k>\b(?:x-amz-security-token|x-amz-signature|x-amz-credential|x-ms-token[-\w]*|signature|sig|se?cret[-_\w]*|[-_\w]*secret|[-_\w]*password|pwd|"
        + @"access[-_]?token|refresh[-_]?token|id[-_]?token|session[-_]?token|security[-_]?token|token|client[-_]?secret|accountkey|account[-_]key|"
        + @"sharedaccesskey|sharedaccesssignature|aws_secret_access_key|aws_session_token|api[-_]?key|x-api-key|x-functions-key)""?\s*[:=]\s*""?)(?<v>[^\s&;,""'<>]+)",
        Options);
    // A function key in a URL (?code=...).
    private static readonly Regex UrlCode = new(@"(?<k>[?&]code=)[^\s&#""']+", Options);
    private static readonly Regex AccessKeyId = new(@"\b(?<p>AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12}(?<s>[A-Z0-9]{4})\b", RegexOptions.CultureInvariant);

    /// <summary>The text with every credential it holds replaced by ***; null stays null.</summary>
    public static string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        var s = text!;
        s = AuthorizationHeader.Replace(s, m => m.Groups["k"].Value + Mask);
        s = Bearer.Replace(s, m => m.Groups["k"].Value + Mask);
        s = Jwt.Replace(s, Mask);
        s = KeyValue.Replace(s, m => m.Groups["v"].Value == Mask ? m.Value : m.Groups["k"].Value + Mask);
        s = UrlCode.Replace(s, m => m.Groups["k"].Value + Mask);
        s = AccessKeyId.Replace(s, m => m.Groups["p"].Value + "************" + m.Groups["s"].Value);
        return s;
    }
}

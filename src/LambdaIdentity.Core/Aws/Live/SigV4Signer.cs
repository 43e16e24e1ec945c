using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace LambdaIdentity.Core.Aws.Live;

/// <summary>
/// Signature Version 4 for one HTTP request: builds the canonical request (RFC 3986 encoding, sorted query and
/// headers) and lets AWSSDK.Core's <see cref="AWS4Signer"/> derive the key and sign it. Checked against AWS's
/// SigV4 test suite (shared/data/sigv4).
/// </summary>
internal static class SigV4Signer
{
    /// <summary>The x-amz-date format.</summary>
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>
    /// Returns the Authorization header value. <paramref name="pathSegments"/> are the unescaped segments of the
    /// path; <paramref name="doubleEncodePath"/> encodes them twice as every service but S3 expects of the path sent
    /// (encoded once). <paramref name="headers"/> are the headers to sign (host and x-amz-date at least).
    /// </summary>
    public static string Authorization(string method, IReadOnlyList<string> pathSegments, bool doubleEncodePath, IEnumerable<KeyValuePair<string, string>> query,
        IEnumerable<KeyValuePair<string, string>> headers, byte[] body, string accessKeyId, string secretAccessKey, string? sessionToken,
        string region, string service, DateTime signedAtUtc)
    {
        var canonical = CanonicalRequest(method, pathSegments, doubleEncodePath, query, headers, body, out var signedHeaders);
        var result = AWS4Signer.ComputeSignature(new ImmutableCredentials(accessKeyId, secretAccessKey, sessionToken), region, signedAtUtc, service, signedHeaders, canonical);
        return result.ForAuthorizationHeader;
    }

    /// <summary>The canonical request of SigV4 (task 1).</summary>
    public static string CanonicalRequest(string method, IReadOnlyList<string> pathSegments, bool doubleEncodePath, IEnumerable<KeyValuePair<string, string>> query,
        IEnumerable<KeyValuePair<string, string>> headers, byte[] body, out string signedHeaders)
    {
        var path = pathSegments.Count == 0 ? "/" : "/" + string.Join("/", pathSegments.Select(s => doubleEncodePath ? Encode(Encode(s)) : Encode(s)));
        var canonicalQuery = string.Join("&", query.Select(kv => (Key: Encode(kv.Key), Value: Encode(kv.Value)))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).ThenBy(kv => kv.Value, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
        var grouped = headers.GroupBy(h => h.Key.Trim().ToLowerInvariant())
            .Select(g => (Name: g.Key, Value: string.Join(",", g.Select(h => Collapse(h.Value)))))
            .OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
        signedHeaders = string.Join(";", grouped.Select(h => h.Name));
        var sb = new StringBuilder();
        sb.Append(method.ToUpperInvariant()).Append('\n').Append(path).Append('\n').Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in grouped) sb.Append(name).Append(':').Append(value).Append('\n');
        sb.Append('\n').Append(signedHeaders).Append('\n').Append(Hex(Sha256(body)));
        return sb.ToString();
    }

    /// <summary>RFC 3986 percent-encoding of everything but the unreserved characters, as SigV4 asks.</summary>
    public static string Encode(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Lowercase hex of SHA-256.</summary>
    public static string Hex(byte[] bytes)
    {
        var sb = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes) sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    public static byte[] Sha256(byte[] body)
    {
        using var sha = SHA256.Create();
        return sha.ComputeHash(body);
    }

    /// <summary>Trims a header value and collapses runs of spaces to one (multi-line values become one line).</summary>
    private static string Collapse(string value)
    {
        var sb = new StringBuilder(value.Length);
        var space = false;
        foreach (var ch in value.Trim())
        {
            var isSpace = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
            if (isSpace) { if (!space) sb.Append(' '); space = true; }
            else { sb.Append(ch); space = false; }
        }
        return sb.ToString();
    }
}

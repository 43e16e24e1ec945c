using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace LambdaIdentity.Core.Translation;

/// <summary>
/// The naming conventions of the Azure design (documented in docs/mapping-rules.md):
/// function app func-&lt;function name, lower-case, characters outside a-z 0-9 '-' replaced by '-', at most 60&gt;;
/// user-assigned identity id-&lt;execution role name, same rules&gt;; deterministic GUIDs are name-based (SHA-1, RFC 4122 version 5).
/// </summary>
public static class AzureNaming
{
    /// <summary>Placeholder of the function app scope (subscription and resource group to fill).</summary>
    public const string AppScopePrefix = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Web/sites/";
    /// <summary>Prefix of placeholder scopes that name the AWS ARN to map.</summary>
    public const string UnmappedPrefix = "unmapped:";

    /// <summary>The function app name for a Lambda function name.</summary>
    public static string FunctionAppName(string functionName) => "func-" + Slug(functionName, 55);

    /// <summary>The user-assigned identity name for an execution role name.</summary>
    public static string UserAssignedIdentityName(string roleName) => "id-" + Slug(roleName, 125);

    /// <summary>The function app's resource ID (with placeholders).</summary>
    public static string AppScope(string appName) => AppScopePrefix + appName;

    /// <summary>A placeholder scope that names the AWS ARN.</summary>
    public static string Placeholder(string arn) => UnmappedPrefix + arn;

    /// <summary>Lower-case, [a-z0-9-], collapsed and trimmed dashes, at most <paramref name="max"/> characters.</summary>
    public static string Slug(string s, int max)
    {
        var sb = new StringBuilder();
        foreach (var c in s.ToLowerInvariant())
        {
            var ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (ok) sb.Append(c);
            else if (sb.Length > 0 && sb[sb.Length - 1] != '-') sb.Append('-');
        }
        var r = sb.ToString().Trim('-');
        if (r.Length > max) r = r.Substring(0, max).TrimEnd('-');
        return r.Length == 0 ? "function" : r;
    }

    /// <summary>A name-based GUID (RFC 4122 version 5 over SHA-1) of the parts joined by '|'.</summary>
    public static string DeterministicGuid(params string[] parts)
    {
        var ns = new Guid("6f1d3c2e-8a4b-4f5e-9c7d-2b1a0e9f8d7c").ToByteArray();
        Swap(ns);
        byte[] hash;
        using (var sha = SHA1.Create()) hash = sha.ComputeHash(ns.Concat(Encoding.UTF8.GetBytes(string.Join("|", parts))).ToArray());
        var g = new byte[16];
        Array.Copy(hash, g, 16);
        g[6] = (byte)((g[6] & 0x0F) | 0x50);
        g[8] = (byte)((g[8] & 0x3F) | 0x80);
        Swap(g);
        return new Guid(g).ToString();
    }

    /// <summary>A short stable hash (8 hex characters).</summary>
    public static string ShortHash(string s)
    {
        using var sha = SHA256.Create();
        return string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(s)).Take(4).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static void Swap(byte[] g)
    {
        (g[0], g[3]) = (g[3], g[0]); (g[1], g[2]) = (g[2], g[1]);
        (g[4], g[5]) = (g[5], g[4]); (g[6], g[7]) = (g[7], g[6]);
    }

    /// <summary>
    /// Unique function app names for a batch, keyed by each function's key (what tells the functions apart): a name
    /// several distinct functions would get carries a short hash of the function's key.
    /// </summary>
    public static Dictionary<string, string> AppNames(IEnumerable<(string Name, string Key)> functions)
    {
        var list = functions.GroupBy(f => f.Key, StringComparer.Ordinal).Select(g => g.First()).ToList();
        var counts = list.GroupBy(f => FunctionAppName(f.Name)).ToDictionary(g => g.Key, g => g.Count());
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in list)
        {
            var baseName = FunctionAppName(f.Name);
            var key = f.Key;
            result[key] = counts[baseName] > 1 ? FunctionAppName(f.Name).Substring(0, Math.Min(baseName.Length, 51)).TrimEnd('-') + "-" + ShortHash(key) : baseName;
        }
        return result;
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources;

/// <summary>
/// Decides whether an environment variable holds a secret, by its name and by the shape of its value.
/// The value is only inspected here and never returned, stored or written.
/// </summary>
internal static class SecretDetector
{
    private static readonly Regex SecretName = new("(SECRET|PASSWORD|PASSWD|PWD|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH|CONNECTION_?STRING|CONN_?STR|_KEY$|^KEY$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex AwsAccessKey = new("^(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}$", RegexOptions.CultureInvariant);
    private static readonly Regex KnownSecretShapes = new(@"(-----BEGIN [A-Z ]*PRIVATE KEY-----|^xox[baprs]-|^gh[pousr]_[A-Za-z0-9]{20,}|^sk_live_|^AIza[0-9A-Za-z_\-]{30,}|^eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.|[a-z]+://[^/\s:@]+:[^/\s@]+@|AccountKey=|SharedAccessKey=|Password=)", RegexOptions.CultureInvariant);

    /// <summary>A finding when the variable looks secret, else null. <paramref name="literalValue"/> is null for computed values.</summary>
    public static Finding? Check(string name, string? literalValue, SourceLocation? source)
    {
        string? why = null;
        if (literalValue != null && literalValue.Length > 0 && !literalValue.StartsWith("${", StringComparison.Ordinal))
        {
            if (AwsAccessKey.IsMatch(literalValue)) why = "its value has the shape of an AWS access key id";
            else if (KnownSecretShapes.IsMatch(literalValue)) why = "its value has the shape of a credential (private key, token or connection string)";
            else if (LooksRandom(literalValue)) why = "its value is a long high-entropy string";
            else if (SecretName.IsMatch(name) && !LooksLikeReference(literalValue)) why = "its name suggests a secret and it holds a literal value";
        }
        if (why is null) return null;
        return new Finding
        {
            FindingId = "SecretInEnvironment", Severity = FindingSeverity.High,
            Message = $"Environment variable '{name}' appears to hold a secret: {why}. The value is not stored.",
            Recommendation = "Move the value to AWS Secrets Manager now and to an Azure Key Vault secret (Key Vault reference app setting) in the migration; grant the function's managed identity Key Vault Secrets User.",
            Source = source,
        };
    }

    /// <summary>Values that name a secret rather than hold one: ARNs, parameter paths, URLs without credentials, booleans, numbers.</summary>
    private static bool LooksLikeReference(string v) =>
        v.StartsWith("arn:", StringComparison.Ordinal) || v.StartsWith("/", StringComparison.Ordinal) || v.StartsWith("{{resolve:", StringComparison.Ordinal)
        || v.StartsWith("http://", StringComparison.Ordinal) || v.StartsWith("https://", StringComparison.Ordinal)
        || v.Equals("true", StringComparison.OrdinalIgnoreCase) || v.Equals("false", StringComparison.OrdinalIgnoreCase)
        || v.All(char.IsDigit) || v.Length < 8 || v.Contains(" ");

    private static bool LooksRandom(string v)
    {
        if (v.Length < 24 || v.Contains(" ") || v.StartsWith("arn:", StringComparison.Ordinal) || v.Contains("://") || v.Contains("{{resolve:")) return false;
        if (v.IndexOf('.') >= 0 && v.Count(c => c == '.') >= 2 && !v.StartsWith("eyJ", StringComparison.Ordinal)) return false; // host names, versions
        bool upper = v.Any(char.IsUpper), lower = v.Any(char.IsLower), digit = v.Any(char.IsDigit);
        if (!(digit && (upper || lower))) return false;
        var counts = new Dictionary<char, int>();
        foreach (var c in v) counts[c] = counts.TryGetValue(c, out var n) ? n + 1 : 1;
        double entropy = 0;
        foreach (var n in counts.Values) { var p = (double)n / v.Length; entropy -= p * Math.Log(p, 2); }
        return entropy >= 4.0;
    }
}

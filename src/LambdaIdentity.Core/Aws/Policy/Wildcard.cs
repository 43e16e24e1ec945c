using System;

namespace LambdaIdentity.Core.Aws.Policy;

/// <summary>
/// IAM wildcard matching: * (any run, including empty) and ? (one character). Actions match case-insensitively,
/// resources case-sensitively; ARNs are compared part by part (partition, service, region, account, resource).
/// </summary>
public static class Wildcard
{
    /// <summary>A literal '*' produced by the ${*} policy variable: matches only '*'.</summary>
    internal const char LiteralStar = '\uE000';
    /// <summary>A literal '?' produced by the ${?} policy variable: matches only '?'.</summary>
    internal const char LiteralQuestion = '\uE001';

    /// <summary>True when the text holds * or ?.</summary>
    public static bool HasWildcard(string s) => s.IndexOf('*') >= 0 || s.IndexOf('?') >= 0;

    /// <summary>
    /// Matches a whole string against a pattern with * (any run, '/' and ':' included) and ? (one character; a literal
    /// when <paramref name="questionMarkIsWildcard"/> is false, as in Azure operation patterns). The engine's one glob
    /// matcher: IAM actions and resources, the rules' patterns (AwsPattern), Azure operations (AzureOperationPattern).
    /// </summary>
    public static bool Match(string pattern, string text, bool ignoreCase = false, bool questionMarkIsWildcard = true)
        => Match(pattern, 0, pattern.Length, text, 0, text.Length, ignoreCase, questionMarkIsWildcard);

    private static bool Match(string p, int pi, int pEnd, string t, int ti, int tEnd, bool ignoreCase, bool questionMarkIsWildcard = true)
    {
        int star = -1, mark = 0;
        while (ti < tEnd)
        {
            if (pi < pEnd)
            {
                var pc = p[pi];
                if (pc == '*') { star = pi++; mark = ti; continue; }
                if ((pc == '?' && questionMarkIsWildcard) || Same(pc, t[ti], ignoreCase)) { pi++; ti++; continue; }
            }
            if (star < 0) return false;
            pi = star + 1; ti = ++mark;
        }
        while (pi < pEnd && p[pi] == '*') pi++;
        return pi == pEnd;
    }

    private static bool Same(char pc, char tc, bool ignoreCase)
    {
        if (pc == LiteralStar) pc = '*';
        else if (pc == LiteralQuestion) pc = '?';
        if (pc == tc) return true;
        return ignoreCase && char.ToUpperInvariant(pc) == char.ToUpperInvariant(tc);
    }

    /// <summary>
    /// Matches a resource against a Resource pattern. When both are ARNs, each of partition, service, region and
    /// account is matched on its own and the resource part (which may hold ':' and '/') as a whole, case-sensitively.
    /// </summary>
    public static bool MatchResource(string pattern, string resource)
    {
        if (pattern == "*") return true;
        if (!pattern.StartsWith("arn:", StringComparison.Ordinal) || !resource.StartsWith("arn:", StringComparison.Ordinal))
            return Match(pattern, resource);
        int pPos = 4, rPos = 4;
        for (var part = 0; part < 4; part++)
        {
            var pNext = pattern.IndexOf(':', pPos);
            var rNext = resource.IndexOf(':', rPos);
            if (pNext < 0 || rNext < 0) return Match(pattern, resource);
            if (!Match(pattern, pPos, pNext, resource, rPos, rNext, false)) return false;
            pPos = pNext + 1; rPos = rNext + 1;
        }
        return Match(pattern, pPos, pattern.Length, resource, rPos, resource.Length, false);
    }

    /// <summary>
    /// True when every string <paramref name="inner"/> matches is also matched by <paramref name="outer"/>
    /// (pattern containment; used to tell whether a deny's resource covers a grant's).
    /// </summary>
    public static bool Covers(string outer, string inner, bool ignoreCase = false)
    {
        if (outer == "*") return true;
        // dp[i,j]: outer[i..] covers inner[j..]
        var n = outer.Length; var m = inner.Length;
        var dp = new bool[n + 1, m + 1];
        dp[n, m] = true;
        for (var i = n - 1; i >= 0; i--)
        {
            for (var j = m; j >= 0; j--)
            {
                var o = outer[i];
                if (o == '*') { dp[i, j] = dp[i + 1, j] || (j < m && dp[i, j + 1]); continue; }
                if (j == m) { dp[i, j] = false; continue; }
                var c = inner[j];
                if (c == '*') { dp[i, j] = false; continue; }
                if (o == '?') { dp[i, j] = dp[i + 1, j + 1]; continue; }
                dp[i, j] = c != '?' && Same(o, c, ignoreCase) && dp[i + 1, j + 1];
            }
        }
        return dp[0, 0];
    }

    /// <summary>True when every resource the inner Resource pattern matches is matched by the outer one.</summary>
    public static bool CoversResource(string outer, string inner) => outer == "*" || Covers(outer, inner);
}

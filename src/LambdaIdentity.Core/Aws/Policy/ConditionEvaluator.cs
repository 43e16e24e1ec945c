using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Policy;

/// <summary>The base comparison of a condition operator.</summary>
public enum ConditionBase
{
    /// <summary>StringEquals / StringNotEquals.</summary>
    StringEquals,
    /// <summary>StringEqualsIgnoreCase / StringNotEqualsIgnoreCase.</summary>
    StringEqualsIgnoreCase,
    /// <summary>StringLike / StringNotLike.</summary>
    StringLike,
    /// <summary>NumericEquals / NumericNotEquals.</summary>
    NumericEquals,
    /// <summary>NumericLessThan.</summary>
    NumericLessThan,
    /// <summary>NumericLessThanEquals.</summary>
    NumericLessThanEquals,
    /// <summary>NumericGreaterThan.</summary>
    NumericGreaterThan,
    /// <summary>NumericGreaterThanEquals.</summary>
    NumericGreaterThanEquals,
    /// <summary>DateEquals / DateNotEquals.</summary>
    DateEquals,
    /// <summary>DateLessThan.</summary>
    DateLessThan,
    /// <summary>DateLessThanEquals.</summary>
    DateLessThanEquals,
    /// <summary>DateGreaterThan.</summary>
    DateGreaterThan,
    /// <summary>DateGreaterThanEquals.</summary>
    DateGreaterThanEquals,
    /// <summary>Bool.</summary>
    Bool,
    /// <summary>BinaryEquals.</summary>
    BinaryEquals,
    /// <summary>IpAddress / NotIpAddress.</summary>
    IpAddress,
    /// <summary>ArnEquals / ArnLike / ArnNotEquals / ArnNotLike (all match part by part with wildcards).</summary>
    ArnLike,
    /// <summary>Null.</summary>
    Null,
}

/// <summary>The set qualifier of a condition operator.</summary>
public enum ConditionQualifier
{
    /// <summary>No qualifier: a single-valued comparison.</summary>
    None,
    /// <summary>ForAllValues: every request value must match (true when the key is absent or empty).</summary>
    ForAllValues,
    /// <summary>ForAnyValue: at least one request value must match (false when the key is absent).</summary>
    ForAnyValue,
}

/// <summary>A condition operator taken apart: qualifier, base comparison, negation and IfExists.</summary>
public readonly struct ConditionOperator
{
    private static readonly Dictionary<string, (ConditionBase Base, bool Negated)> Bases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["StringEquals"] = (ConditionBase.StringEquals, false), ["StringNotEquals"] = (ConditionBase.StringEquals, true),
        ["StringEqualsIgnoreCase"] = (ConditionBase.StringEqualsIgnoreCase, false), ["StringNotEqualsIgnoreCase"] = (ConditionBase.StringEqualsIgnoreCase, true),
        ["StringLike"] = (ConditionBase.StringLike, false), ["StringNotLike"] = (ConditionBase.StringLike, true),
        ["NumericEquals"] = (ConditionBase.NumericEquals, false), ["NumericNotEquals"] = (ConditionBase.NumericEquals, true),
        ["NumericLessThan"] = (ConditionBase.NumericLessThan, false), ["NumericLessThanEquals"] = (ConditionBase.NumericLessThanEquals, false),
        ["NumericGreaterThan"] = (ConditionBase.NumericGreaterThan, false), ["NumericGreaterThanEquals"] = (ConditionBase.NumericGreaterThanEquals, false),
        ["DateEquals"] = (ConditionBase.DateEquals, false), ["DateNotEquals"] = (ConditionBase.DateEquals, true),
        ["DateLessThan"] = (ConditionBase.DateLessThan, false), ["DateLessThanEquals"] = (ConditionBase.DateLessThanEquals, false),
        ["DateGreaterThan"] = (ConditionBase.DateGreaterThan, false), ["DateGreaterThanEquals"] = (ConditionBase.DateGreaterThanEquals, false),
        ["Bool"] = (ConditionBase.Bool, false), ["BinaryEquals"] = (ConditionBase.BinaryEquals, false),
        ["IpAddress"] = (ConditionBase.IpAddress, false), ["NotIpAddress"] = (ConditionBase.IpAddress, true),
        ["ArnEquals"] = (ConditionBase.ArnLike, false), ["ArnLike"] = (ConditionBase.ArnLike, false),
        ["ArnNotEquals"] = (ConditionBase.ArnLike, true), ["ArnNotLike"] = (ConditionBase.ArnLike, true),
        ["Null"] = (ConditionBase.Null, false),
    };

    private ConditionOperator(ConditionQualifier q, ConditionBase b, bool negated, bool ifExists) { Qualifier = q; Base = b; Negated = negated; IfExists = ifExists; }

    /// <summary>ForAllValues, ForAnyValue or none.</summary>
    public ConditionQualifier Qualifier { get; }
    /// <summary>The comparison.</summary>
    public ConditionBase Base { get; }
    /// <summary>True for the Not forms (StringNotEquals, NotIpAddress, ArnNotLike...).</summary>
    public bool Negated { get; }
    /// <summary>True with the IfExists suffix: an absent key makes the condition true.</summary>
    public bool IfExists { get; }

    /// <summary>Takes an operator such as ForAnyValue:StringNotLikeIfExists apart; false when it is not one.</summary>
    public static bool TryParse(string text, out ConditionOperator op)
    {
        op = default;
        var q = ConditionQualifier.None;
        var rest = text;
        if (rest.StartsWith("ForAllValues:", StringComparison.OrdinalIgnoreCase)) { q = ConditionQualifier.ForAllValues; rest = rest.Substring(13); }
        else if (rest.StartsWith("ForAnyValue:", StringComparison.OrdinalIgnoreCase)) { q = ConditionQualifier.ForAnyValue; rest = rest.Substring(12); }
        var ifExists = false;
        if (rest.EndsWith("IfExists", StringComparison.OrdinalIgnoreCase)) { ifExists = true; rest = rest.Substring(0, rest.Length - 8); }
        if (!Bases.TryGetValue(rest, out var b)) return false;
        if (b.Base == ConditionBase.Null && ifExists) return false; // NullIfExists is not an operator
        op = new ConditionOperator(q, b.Base, b.Negated, ifExists);
        return true;
    }
}

/// <summary>The request context: condition keys (case-insensitive) to one or more values.</summary>
public sealed class RequestContext
{
    private readonly Dictionary<string, IReadOnlyList<string>> _keys = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates an empty context.</summary>
    public RequestContext() { }

    /// <summary>Creates a context from keys and values.</summary>
    public RequestContext(IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> keys) { foreach (var kv in keys) _keys[kv.Key] = kv.Value; }

    /// <summary>Every key and its values.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Keys => _keys;

    /// <summary>Sets a key's values (several values make it multi-valued).</summary>
    public RequestContext Set(string key, params string[] values) { _keys[key] = values; return this; }

    /// <summary>Adds one value to a key.</summary>
    public RequestContext Add(string key, string value)
    {
        var list = _keys.TryGetValue(key, out var old) ? new List<string>(old) : new List<string>();
        list.Add(value);
        _keys[key] = list;
        return this;
    }

    /// <summary>The key's values; false when the key is absent.</summary>
    public bool TryGet(string key, out IReadOnlyList<string> values)
    {
        if (_keys.TryGetValue(key, out var v)) { values = v; return true; }
        values = Array.Empty<string>();
        return false;
    }
}

/// <summary>Evaluates Condition blocks and policy variables the way AWS documents them.</summary>
public static class ConditionEvaluator
{
    /// <summary>True when every condition holds (conditions of a statement are ANDed; values of one key are ORed).</summary>
    public static bool All(IReadOnlyList<PolicyCondition> conditions, RequestContext context, bool substituteVariables)
    {
        for (var i = 0; i < conditions.Count; i++)
            if (!Evaluate(conditions[i], context, substituteVariables)) return false;
        return true;
    }

    /// <summary>Evaluates one condition clause. An unknown operator evaluates to false.</summary>
    public static bool Evaluate(PolicyCondition condition, RequestContext context, bool substituteVariables)
    {
        if (!ConditionOperator.TryParse(condition.Operator, out var op)) return false;
        context.TryGet(condition.Key, out var requestValues);
        var present = requestValues.Count > 0;
        if (op.Base == ConditionBase.Null)
        {
            foreach (var v in condition.Values)
            {
                if (string.Equals(v, "true", StringComparison.OrdinalIgnoreCase) && !present) return true;
                if (string.Equals(v, "false", StringComparison.OrdinalIgnoreCase) && present) return true;
            }
            return false;
        }
        if (!present)
        {
            if (op.IfExists) return true;
            if (op.Qualifier == ConditionQualifier.ForAllValues) return true;
            if (op.Qualifier == ConditionQualifier.ForAnyValue) return false;
            // A negated operator is true when the key is absent: the value cannot equal what it must not.
            return op.Negated;
        }
        var isPattern = op.Base == ConditionBase.StringLike || op.Base == ConditionBase.ArnLike;
        var substitutes = substituteVariables && (op.Base is ConditionBase.StringEquals or ConditionBase.StringEqualsIgnoreCase or ConditionBase.StringLike or ConditionBase.ArnLike);
        var policyValues = new List<string>(condition.Values.Count);
        foreach (var v in condition.Values)
        {
            if (!substitutes) { policyValues.Add(v); continue; }
            var s = PolicyVariables.Substitute(v, context, isPattern);
            if (s is not null) policyValues.Add(s);
        }
        bool Matches(string r)
        {
            foreach (var p in policyValues) if (Compare(op.Base, p, r)) return true;
            return false;
        }
        switch (op.Qualifier)
        {
            case ConditionQualifier.ForAllValues:
                foreach (var r in requestValues) if (Matches(r) == op.Negated) return false;
                return true;
            case ConditionQualifier.ForAnyValue:
                foreach (var r in requestValues) if (Matches(r) != op.Negated) return true;
                return false;
            default:
                var any = false;
                foreach (var r in requestValues) if (Matches(r)) { any = true; break; }
                return any != op.Negated;
        }
    }

    private static bool Compare(ConditionBase b, string policy, string request)
    {
        switch (b)
        {
            case ConditionBase.StringEquals: return string.Equals(policy, request, StringComparison.Ordinal);
            case ConditionBase.StringEqualsIgnoreCase: return string.Equals(policy, request, StringComparison.OrdinalIgnoreCase);
            case ConditionBase.StringLike: return Wildcard.Match(policy, request);
            case ConditionBase.ArnLike: return Wildcard.MatchResource(policy, request);
            case ConditionBase.Bool: return string.Equals(policy, request, StringComparison.OrdinalIgnoreCase);
            case ConditionBase.BinaryEquals: return string.Equals(policy, request, StringComparison.Ordinal);
            case ConditionBase.IpAddress: return IpMatches(policy, request);
        }
        if (b >= ConditionBase.NumericEquals && b <= ConditionBase.NumericGreaterThanEquals)
        {
            if (!decimal.TryParse(policy, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ||
                !decimal.TryParse(request, NumberStyles.Float, CultureInfo.InvariantCulture, out var r)) return false;
            return Order(b - ConditionBase.NumericEquals, r.CompareTo(p));
        }
        if (b >= ConditionBase.DateEquals && b <= ConditionBase.DateGreaterThanEquals)
        {
            if (!TryDate(policy, out var p) || !TryDate(request, out var r)) return false;
            return Order(b - ConditionBase.DateEquals, r.CompareTo(p));
        }
        return false;
    }

    // 0 equals, 1 less than, 2 less than or equal, 3 greater than, 4 greater than or equal (request compared to policy).
    private static bool Order(int kind, int cmp) => kind switch
    {
        0 => cmp == 0, 1 => cmp < 0, 2 => cmp <= 0, 3 => cmp > 0, _ => cmp >= 0,
    };

    /// <summary>Reads an ISO 8601 date or epoch seconds.</summary>
    internal static bool TryDate(string s, out DateTimeOffset value)
    {
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch)) { value = DateTimeOffset.FromUnixTimeSeconds(epoch); return true; }
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }

    /// <summary>True when the address is inside the CIDR block (or equals the single address).</summary>
    internal static bool IpMatches(string cidr, string address)
    {
        var slash = cidr.IndexOf('/');
        if (!IPAddress.TryParse(slash < 0 ? cidr : cidr.Substring(0, slash), out var net) || !IPAddress.TryParse(address, out var ip)) return false;
        var a = net.GetAddressBytes(); var b = ip.GetAddressBytes();
        if (a.Length != b.Length) return false;
        var bits = slash < 0 ? a.Length * 8 : int.TryParse(cidr.Substring(slash + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : -1;
        if (bits < 0 || bits > a.Length * 8) return false;
        for (var i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
            if ((a[i] & mask) != (b[i] & mask)) return false;
        }
        return true;
    }
}

/// <summary>Policy variables: ${aws:username}, ${aws:PrincipalTag/team}, ${key, 'default'}, and ${*}, ${?}, ${$}.</summary>
public static class PolicyVariables
{
    /// <summary>True when the text holds a ${...} variable.</summary>
    public static bool HasVariable(string s) => s.IndexOf("${", StringComparison.Ordinal) >= 0;

    /// <summary>
    /// Replaces each variable by its request value. ${*} and ${?} become literal characters (not wildcards when
    /// <paramref name="asPattern"/>). Returns null when a variable has no value and no default: that value matches nothing.
    /// </summary>
    public static string? Substitute(string text, RequestContext context, bool asPattern)
    {
        var start = text.IndexOf("${", StringComparison.Ordinal);
        if (start < 0) return text;
        var sb = new StringBuilder(text.Length);
        var pos = 0;
        while (start >= 0)
        {
            var end = text.IndexOf('}', start + 2);
            if (end < 0) break;
            sb.Append(text, pos, start - pos);
            var inner = text.Substring(start + 2, end - start - 2).Trim();
            string? defaultValue = null;
            var comma = inner.IndexOf(',');
            if (comma >= 0)
            {
                var d = inner.Substring(comma + 1).Trim();
                if (d.Length >= 2 && d[0] == '\'' && d[d.Length - 1] == '\'') defaultValue = d.Substring(1, d.Length - 2);
                inner = inner.Substring(0, comma).Trim();
            }
            switch (inner)
            {
                case "*": sb.Append(asPattern ? Wildcard.LiteralStar : '*'); break;
                case "?": sb.Append(asPattern ? Wildcard.LiteralQuestion : '?'); break;
                case "$": sb.Append('$'); break;
                default:
                    if (context.TryGet(inner, out var values) && values.Count == 1) sb.Append(Escape(values[0], asPattern));
                    else if (defaultValue is not null) sb.Append(Escape(defaultValue, asPattern));
                    else return null;
                    break;
            }
            pos = end + 1;
            start = text.IndexOf("${", pos, StringComparison.Ordinal);
        }
        sb.Append(text, pos, text.Length - pos);
        return sb.ToString();
    }

    // A request value put into a pattern is literal: its * and ? are not wildcards.
    private static string Escape(string value, bool asPattern)
        => asPattern ? value.Replace('*', Wildcard.LiteralStar).Replace('?', Wildcard.LiteralQuestion) : value;
}

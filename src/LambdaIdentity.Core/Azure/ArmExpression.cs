using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace LambdaIdentity.Core.Azure;

/// <summary>A value an ARM expression could not be resolved to; keeps the expression text.</summary>
internal sealed class ArmUnresolved
{
    public ArmUnresolved(string text) => Text = text;
    public string Text { get; }
    public override string ToString() => Text;
}

/// <summary>reference(resourceId[, apiVersion[, 'Full']]) with the property path read from it.</summary>
internal sealed class ArmReference
{
    public ArmReference(string resourceId, bool full) { ResourceId = resourceId; Full = full; }
    public string ResourceId { get; }
    public bool Full { get; }
    public List<string> Path { get; } = new();
}

/// <summary>
/// Evaluates the simple subset of ARM template expressions that role-assignment templates use:
/// parameters (default values), variables, concat, format, resourceId, subscriptionResourceId,
/// tenantResourceId, extensionResourceId, guid, reference(...).identity.principalId, subscription(),
/// resourceGroup(), toLower/toUpper. Anything else stays an <see cref="ArmUnresolved"/> token.
/// </summary>
internal sealed class ArmExpression
{
    private readonly JsonElement _parameters;
    private readonly JsonElement _variables;
    private readonly IReadOnlyDictionary<string, string> _parameterValues;
    private readonly string? _subscriptionId;
    private readonly string? _resourceGroup;
    private int _depth;

    public ArmExpression(JsonElement template, IReadOnlyDictionary<string, string>? parameterValues, string? subscriptionId, string? resourceGroup)
    {
        _parameters = template.Get("parameters");
        _variables = template.Get("variables");
        _parameterValues = parameterValues ?? new Dictionary<string, string>();
        _subscriptionId = subscriptionId;
        _resourceGroup = resourceGroup;
    }

    /// <summary>The subscription placeholder used when the deployment's subscription is unknown.</summary>
    public const string SubscriptionToken = "{subscriptionId}";
    /// <summary>The resource group placeholder used when the deployment's resource group is unknown.</summary>
    public const string ResourceGroupToken = "{resourceGroupName}";

    /// <summary>True when a resolved string still holds a placeholder or an expression.</summary>
    public static bool HasToken(string s) => s.IndexOf('{') >= 0 || s.StartsWith("[", StringComparison.Ordinal);

    /// <summary>Evaluates a JSON string value: an expression when it is in brackets, else the literal.</summary>
    public object Evaluate(string raw)
    {
        if (raw.Length < 2 || raw[0] != '[' || raw[raw.Length - 1] != ']') return raw;
        if (raw.StartsWith("[[", StringComparison.Ordinal)) return raw.Substring(1);
        try
        {
            var p = new Parser(raw.Substring(1, raw.Length - 2));
            var v = EvalNode(p.ParseExpression());
            p.ExpectEnd();
            return v;
        }
        catch (FormatException) { return new ArmUnresolved(raw); }
    }

    /// <summary>Evaluates to a string, or the original expression text when unresolved.</summary>
    public string EvaluateString(string raw, out bool resolved)
    {
        var v = Evaluate(raw);
        resolved = v is string s && !HasToken(s);
        return v is string str ? str : raw;
    }

    private object EvalValue(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => Evaluate(e.GetString()!),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        _ => new ArmUnresolved(e.GetRawText()),
    };

    private object EvalNode(Node n)
    {
        if (++_depth > 64) throw new FormatException("expression too deep");
        try
        {
            object v = n switch
            {
                Literal l => l.Value,
                Call c => Invoke(c),
                _ => throw new FormatException(),
            };
            foreach (var prop in n.Path) v = Access(v, prop);
            return v;
        }
        finally { _depth--; }
    }

    private static object Access(object v, string prop)
    {
        if (v is ArmReference r) { r.Path.Add(prop); return r; }
        if (v is Dictionary<string, object> d && d.TryGetValue(prop, out var x)) return x;
        return new ArmUnresolved("." + prop);
    }

    private object Invoke(Call c)
    {
        var name = c.Name.ToLowerInvariant();
        var args = c.Args.Select(EvalNode).ToList();
        string Arg(int i) => args[i] is string s ? s : throw new FormatException();
        bool AllStrings() => args.All(a => a is string);
        switch (name)
        {
            case "parameters":
                {
                    var key = Arg(0);
                    if (_parameterValues.TryGetValue(key, out var given)) return given;
                    var def = _parameters.Get(key).Get("defaultValue");
                    return def.ValueKind == JsonValueKind.Undefined ? new ArmUnresolved("[parameters('" + key + "')]") : EvalValue(def);
                }
            case "variables":
                {
                    var v = _variables.Get(Arg(0));
                    return v.ValueKind == JsonValueKind.Undefined ? new ArmUnresolved("[variables('" + Arg(0) + "')]") : EvalValue(v);
                }
            case "concat":
                return AllStrings() ? string.Concat(args.Cast<string>()) : Unresolved(c);
            case "format":
                if (!AllStrings()) return Unresolved(c);
                try { return string.Format(CultureInfo.InvariantCulture, Arg(0), args.Skip(1).Cast<object>().ToArray()); }
                catch (FormatException) { return Unresolved(c); }
            case "tolower": return args[0] is string lo ? lo.ToLowerInvariant() : Unresolved(c);
            case "toupper": return args[0] is string up ? up.ToUpperInvariant() : Unresolved(c);
            case "guid": return AllStrings() ? "guid(" + string.Join(",", args.Cast<string>()) + ")" : Unresolved(c);
            case "subscription":
                return new Dictionary<string, object> { ["subscriptionId"] = _subscriptionId ?? SubscriptionToken, ["id"] = "/subscriptions/" + (_subscriptionId ?? SubscriptionToken) };
            case "tenant":
                // The deployment's tenant: the design writes it as the {tenantId} placeholder, which parity matches as one segment.
                return new Dictionary<string, object> { ["tenantId"] = "{tenantId}" };
            case "environment":
                return new Dictionary<string, object> { ["name"] = "AzureCloud", ["authentication"] = new Dictionary<string, object> { ["loginEndpoint"] = "https://login.microsoftonline.com/" } };
            case "resourcegroup":
                return new Dictionary<string, object>
                {
                    ["name"] = _resourceGroup ?? ResourceGroupToken,
                    ["id"] = "/subscriptions/" + (_subscriptionId ?? SubscriptionToken) + "/resourceGroups/" + (_resourceGroup ?? ResourceGroupToken),
                };
            case "resourceid":
                {
                    if (!AllStrings()) return Unresolved(c);
                    var strs = args.Cast<string>().ToList();
                    var t = strs.FindIndex(IsResourceType);
                    if (t < 0) return Unresolved(c);
                    var sub = t >= 2 ? strs[t - 2] : _subscriptionId ?? SubscriptionToken;
                    var rg = t >= 1 ? strs[t - 1] : _resourceGroup ?? ResourceGroupToken;
                    return "/subscriptions/" + sub + "/resourceGroups/" + rg + Provider(strs[t], strs.Skip(t + 1).ToList());
                }
            case "subscriptionresourceid":
                {
                    if (!AllStrings()) return Unresolved(c);
                    var strs = args.Cast<string>().ToList();
                    var t = strs.FindIndex(IsResourceType);
                    if (t < 0) return Unresolved(c);
                    var sub = t >= 1 ? strs[t - 1] : _subscriptionId ?? SubscriptionToken;
                    return "/subscriptions/" + sub + Provider(strs[t], strs.Skip(t + 1).ToList());
                }
            case "tenantresourceid":
                {
                    if (!AllStrings() || args.Count < 2) return Unresolved(c);
                    var strs = args.Cast<string>().ToList();
                    return Provider(strs[0], strs.Skip(1).ToList());
                }
            case "extensionresourceid":
                {
                    if (!AllStrings() || args.Count < 3) return Unresolved(c);
                    var strs = args.Cast<string>().ToList();
                    return strs[0].TrimEnd('/') + Provider(strs[1], strs.Skip(2).ToList());
                }
            case "reference":
                {
                    if (args.Count == 0 || args[0] is not string target) return Unresolved(c);
                    var full = args.Count >= 3 && args[2] is string f && f.Equals("full", StringComparison.OrdinalIgnoreCase);
                    return new ArmReference(target, full);
                }
            default:
                return Unresolved(c);
        }
    }

    private static ArmUnresolved Unresolved(Call c) => new("[" + c.Text + "]");

    private static bool IsResourceType(string s)
    {
        var slash = s.IndexOf('/');
        return slash > 0 && s.Substring(0, slash).Contains(".") && !s.StartsWith("/", StringComparison.Ordinal);
    }

    /// <summary>/providers/Ns/type1/name1/type2/name2 from a type with nested segments and its names.</summary>
    internal static string Provider(string type, IList<string> names)
    {
        var segs = type.Split('/');
        var sb = new StringBuilder("/providers/").Append(segs[0]);
        // names may be given as one "a/b" string
        var flat = names.SelectMany(n => n.Split('/')).ToList();
        for (var i = 1; i < segs.Length; i++)
        {
            sb.Append('/').Append(segs[i]);
            if (i - 1 < flat.Count) sb.Append('/').Append(flat[i - 1]);
        }
        return sb.ToString();
    }

    // ----- parser -----
    private abstract class Node { public List<string> Path { get; } = new(); }
    private sealed class Literal : Node { public object Value = ""; }
    private sealed class Call : Node { public string Name = ""; public List<Node> Args = new(); public string Text = ""; }

    private sealed class Parser
    {
        private readonly string _s; private int _i;
        public Parser(string s) { _s = s; }
        public void ExpectEnd() { Skip(); if (_i != _s.Length) throw new FormatException("trailing text"); }
        private void Skip() { while (_i < _s.Length && char.IsWhiteSpace(_s[_i])) _i++; }

        public Node ParseExpression()
        {
            Skip();
            if (_i >= _s.Length) throw new FormatException("empty");
            Node node;
            var start = _i;
            if (_s[_i] == '\'')
            {
                var sb = new StringBuilder(); _i++;
                while (true)
                {
                    if (_i >= _s.Length) throw new FormatException("unterminated string");
                    if (_s[_i] == '\'') { if (_i + 1 < _s.Length && _s[_i + 1] == '\'') { sb.Append('\''); _i += 2; continue; } _i++; break; }
                    sb.Append(_s[_i++]);
                }
                node = new Literal { Value = sb.ToString() };
            }
            else if (char.IsDigit(_s[_i]) || _s[_i] == '-')
            {
                while (_i < _s.Length && (char.IsDigit(_s[_i]) || _s[_i] == '-' || _s[_i] == '.')) _i++;
                node = new Literal { Value = _s.Substring(start, _i - start) };
            }
            else if (char.IsLetter(_s[_i]))
            {
                while (_i < _s.Length && (char.IsLetterOrDigit(_s[_i]) || _s[_i] == '_')) _i++;
                var name = _s.Substring(start, _i - start);
                Skip();
                if (name is "true" or "false" or "null") { node = new Literal { Value = name }; }
                else
                {
                    if (_i >= _s.Length || _s[_i] != '(') throw new FormatException("expected (");
                    _i++;
                    var call = new Call { Name = name };
                    Skip();
                    if (_i < _s.Length && _s[_i] == ')') _i++;
                    else
                        while (true)
                        {
                            call.Args.Add(ParseExpression());
                            Skip();
                            if (_i >= _s.Length) throw new FormatException("unterminated call");
                            if (_s[_i] == ',') { _i++; continue; }
                            if (_s[_i] == ')') { _i++; break; }
                            throw new FormatException("expected , or )");
                        }
                    call.Text = _s.Substring(start, _i - start);
                    node = call;
                }
            }
            else throw new FormatException("unexpected character");
            // property accessors
            while (true)
            {
                Skip();
                if (_i < _s.Length && _s[_i] == '.')
                {
                    _i++; var ps = _i;
                    while (_i < _s.Length && (char.IsLetterOrDigit(_s[_i]) || _s[_i] == '_')) _i++;
                    node.Path.Add(_s.Substring(ps, _i - ps));
                }
                else if (_i + 1 < _s.Length && _s[_i] == '[' && _s[_i + 1] == '\'')
                {
                    _i++;
                    var inner = ParseExpression();
                    Skip();
                    if (_i >= _s.Length || _s[_i] != ']' || inner is not Literal lit) throw new FormatException("bad indexer");
                    _i++;
                    node.Path.Add((string)lit.Value);
                }
                else break;
            }
            if (node is Call c2) c2.Text = _s.Substring(start, _i - start);
            return node;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace LambdaIdentity.Core.Aws.Sources.Templates;

/// <summary>
/// Resolves CloudFormation intrinsic functions against parameters (defaults and overrides), mappings,
/// conditions and pseudo parameters. What cannot be known from the template becomes an explicit token,
/// never an empty value: ${Ref:Param}, ${GetAtt:Res.Attr}, ${AWS::Region}, ${ImportValue:Name}, ${If:Cond}.
/// </summary>
internal sealed class IntrinsicResolver
{
    private readonly TMap _root;
    private readonly Dictionary<string, TNode> _params = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool?> _conditionCache = new(StringComparer.Ordinal);
    private readonly HashSet<string> _evaluating = new(StringComparer.Ordinal);
    private readonly List<string> _paramChain = new();
    private const int MaxParameterChain = 256; // parameters defined through parameters; deeper would risk the stack
    private readonly List<string> _conditionChain = new();
    private readonly InventoryOptions _options;

    public IntrinsicResolver(TMap root, InventoryOptions options)
    {
        _root = root;
        _options = options;
        Resources = root.Map("Resources") ?? new TMap();
        var parameters = root.Map("Parameters");
        if (parameters != null)
        {
            foreach (var p in parameters.Entries)
            {
                var def = p.Value as TMap;
                var isList = (def?.Str("Type") ?? "").IndexOf("List", StringComparison.Ordinal) >= 0;
                TNode? value = null;
                if (options.Parameters.TryGetValue(p.Key, out var ov)) value = new TScalar(ov);
                else if (def?["Default"] is TNode d && !(d is TScalar ds && ds.IsNull)) value = d;
                if (value is TScalar s && isList)
                {
                    var l = new TList { Line = s.Line, Column = s.Column };
                    foreach (var part in s.Value.Split(',')) l.Items.Add(new TScalar(part.Trim()));
                    value = l;
                }
                if (value != null) _params[p.Key] = value;
            }
        }
        foreach (var kv in options.Parameters) if (!_params.ContainsKey(kv.Key) && !kv.Key.StartsWith("AWS::", StringComparison.Ordinal)) _params[kv.Key] = new TScalar(kv.Value);
    }

    /// <summary>The Resources section.</summary>
    public TMap Resources { get; }

    /// <summary>The pseudo parameter's value or its token.</summary>
    public string Pseudo(string name) => name switch
    {
        "AWS::Region" => _options.Region ?? "${AWS::Region}",
        "AWS::AccountId" => _options.AccountId ?? "${AWS::AccountId}",
        "AWS::Partition" => _options.Partition ?? (_options.Region is null ? "${AWS::Partition}" : PartitionOf(_options.Region)),
        "AWS::URLSuffix" => _options.Region is null ? "${AWS::URLSuffix}" : (_options.Region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com"),
        _ => "${" + name + "}",
    };

    private static string PartitionOf(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn" : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : "aws";

    /// <summary>The resource type of a logical id, or null.</summary>
    public string? TypeOf(string logicalId) => Resources.Map(logicalId)?.Str("Type");

    /// <summary>Nodes one template may resolve in all; YAML aliases can make a small file expand without bound.</summary>
    internal const long NodeBudget = 2_000_000;
    private long _visited;

    /// <summary>Resolves a node: no intrinsic remains. Null means AWS::NoValue.</summary>
    public TNode? Resolve(TNode? node, IReadOnlyDictionary<string, TNode>? subVars = null, int depth = 0)
    {
        if (node is null) return null;
        if (++_visited > NodeBudget)
            throw new InvalidOperationException($"The template expands to more than {NodeBudget} values (YAML aliases nested too deep?); reading stopped at line {node.Line}.");
        if (depth > 64) return Token("Unresolvable", "nesting", node);
        switch (node)
        {
            case TScalar: return node;
            case TList l:
                var outList = new TList { Line = l.Line, Column = l.Column };
                foreach (var i in l.Items)
                {
                    var r = Resolve(i, subVars, depth + 1);
                    if (r != null) outList.Items.Add(r);
                }
                return outList;
            case TMap m:
                var fn = m.Intrinsic;
                if (fn != null && fn != "Condition") return ResolveFn(fn, m.Entries[0].Value, m, depth);
                var outMap = new TMap { Line = m.Line, Column = m.Column };
                foreach (var e in m.Entries)
                {
                    var r = Resolve(e.Value, subVars, depth + 1);
                    if (r != null) outMap.Set(e.Key, r);
                }
                return outMap;
        }
        return node;
    }

    /// <summary>Resolves a node to one string (lists are joined with commas).</summary>
    public string Str(TNode? node)
    {
        var r = Resolve(node);
        return r switch
        {
            null => "",
            TScalar s => s.Value,
            TList l => string.Join(",", l.Items.Select(Str)),
            _ => "${Unresolvable:object}",
        };
    }

    private static TScalar Token(string kind, string what, TNode at) => new("${" + kind + ":" + what + "}") { Line = at.Line, Column = at.Column };

    private TNode? ResolveFn(string fn, TNode arg, TNode at, int depth)
    {
        switch (fn)
        {
            case "Ref":
                return Ref(Str(arg), at);
            case "Fn::GetAtt":
            {
                var parts = arg is TList gl ? gl.Items.Select(Str).ToList() : Str(arg).Split(new[] { '.' }, 2).ToList();
                return new TScalar("${GetAtt:" + string.Join(".", parts) + "}") { Line = at.Line, Column = at.Column };
            }
            case "Fn::Sub":
            {
                string text; var vars = new Dictionary<string, TNode>(StringComparer.Ordinal);
                if (arg is TList sl && sl.Items.Count >= 1)
                {
                    text = Str(sl.Items[0]);
                    if (sl.Items.Count > 1 && sl.Items[1] is TMap vm)
                        foreach (var e in vm.Entries) vars[e.Key] = Resolve(e.Value, null, depth + 1) ?? new TScalar("");
                }
                else text = Str(arg);
                return new TScalar(Substitute(text, vars, at)) { Line = at.Line, Column = at.Column };
            }
            case "Fn::Join":
            {
                if (arg is not TList jl || jl.Items.Count != 2) return Token("Unresolvable", "Fn::Join", at);
                var delim = Str(jl.Items[0]);
                var items = Resolve(jl.Items[1], null, depth + 1);
                if (items is TList il) return new TScalar(string.Join(delim, il.Items.Select(Str))) { Line = at.Line, Column = at.Column };
                return new TScalar(Str(items)) { Line = at.Line, Column = at.Column };
            }
            case "Fn::Select":
            {
                if (arg is not TList sel || sel.Items.Count != 2) return Token("Unresolvable", "Fn::Select", at);
                var idxText = Str(sel.Items[0]);
                var from = Resolve(sel.Items[1], null, depth + 1);
                if (int.TryParse(idxText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var idx) && from is TList fl && idx >= 0 && idx < fl.Items.Count) return fl.Items[idx];
                return new TScalar("${Select:" + idxText + ":" + Str(from) + "}") { Line = at.Line, Column = at.Column };
            }
            case "Fn::Split":
            {
                if (arg is not TList spl || spl.Items.Count != 2) return Token("Unresolvable", "Fn::Split", at);
                var delim = Str(spl.Items[0]);
                var src = Str(spl.Items[1]);
                var outList = new TList { Line = at.Line, Column = at.Column };
                foreach (var part in delim.Length == 0 ? new[] { src } : src.Split(new[] { delim }, StringSplitOptions.None)) outList.Items.Add(new TScalar(part) { Line = at.Line, Column = at.Column });
                return outList;
            }
            case "Fn::FindInMap":
            {
                if (arg is not TList fm || fm.Items.Count < 3) return Token("Unresolvable", "Fn::FindInMap", at);
                var keys = fm.Items.Take(3).Select(Str).ToArray();
                var value = _root.Map("Mappings")?.Map(keys[0])?.Map(keys[1])?[keys[2]];
                if (value != null) return Resolve(value, null, depth + 1);
                if (fm.Items.Count > 3 && fm.Items[3] is TMap dv && dv["DefaultValue"] is TNode d) return Resolve(d, null, depth + 1);
                return new TScalar("${FindInMap:" + string.Join(".", keys) + "}") { Line = at.Line, Column = at.Column };
            }
            case "Fn::ImportValue":
                return new TScalar("${ImportValue:" + Str(arg) + "}") { Line = at.Line, Column = at.Column };
            case "Fn::Base64":
                return Resolve(arg, null, depth + 1);
            case "Fn::If":
            {
                if (arg is not TList il || il.Items.Count != 3) return Token("Unresolvable", "Fn::If", at);
                var cond = Str(il.Items[0]);
                var v = EvaluateCondition(cond);
                if (v == true) return Resolve(il.Items[1], null, depth + 1);
                if (v == false) return Resolve(il.Items[2], null, depth + 1);
                return new TScalar("${If:" + cond + "}") { Line = at.Line, Column = at.Column };
            }
            case "Fn::GetAZs":
                return new TScalar("${GetAZs:" + Str(arg) + "}") { Line = at.Line, Column = at.Column };
            case "Fn::Length":
                return Resolve(arg, null, depth + 1) is TList ll ? new TScalar(ll.Items.Count.ToString(CultureInfo.InvariantCulture)) : Token("Unresolvable", "Fn::Length", at);
            case "Fn::ToJsonString":
                return new TScalar(ToJsonText(Resolve(arg, null, depth + 1))) { Line = at.Line, Column = at.Column };
            case "Fn::Equals": case "Fn::Not": case "Fn::And": case "Fn::Or":
            {
                var b = EvaluateConditionNode(at);
                return b is null ? Token("Condition", fn, at) : new TScalar(b.Value ? "true" : "false");
            }
            default:
                return Token("Unresolvable", fn, at);
        }
    }

    private TNode? Ref(string name, TNode at)
    {
        if (name == "AWS::NoValue") return null;
        if (name.StartsWith("AWS::", StringComparison.Ordinal)) return new TScalar(Pseudo(name)) { Line = at.Line, Column = at.Column };
        if (_params.TryGetValue(name, out var v))
        {
            if (v is TScalar) return v;
            // A value that is itself computed (CloudFormation allows only literals; templates still hold them) is resolved,
            // and a parameter met again while it is being resolved is a cycle, never a stack overflow.
            var at0 = _paramChain.IndexOf(name);
            if (at0 >= 0)
                throw new TemplateCycleException("Parameters", _paramChain.Skip(at0).Concat(new[] { name }).ToList(), at.Line, at.Column);
            if (_paramChain.Count >= MaxParameterChain)
                throw new InvalidOperationException($"Parameter '{_paramChain[0]}' is defined through more than {MaxParameterChain} other parameters (line {at.Line}); its value is not resolved.");
            _paramChain.Add(name);
            try { return Resolve(v); }
            finally { _paramChain.RemoveAt(_paramChain.Count - 1); }
        }
        if (_root.Map("Parameters")?.Has(name) == true) return new TScalar("${Ref:" + name + "}") { Line = at.Line, Column = at.Column };
        return new TScalar("${Ref:" + name + "}") { Line = at.Line, Column = at.Column };
    }

    /// <summary>Substitutes ${Var} in a Fn::Sub string; unknown names become tokens.</summary>
    public string Substitute(string text, IReadOnlyDictionary<string, TNode>? vars, TNode at)
    {
        var sb = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            var start = text.IndexOf("${", i, StringComparison.Ordinal);
            if (start < 0) { sb.Append(text, i, text.Length - i); break; }
            sb.Append(text, i, start - i);
            var end = text.IndexOf('}', start + 2);
            if (end < 0) { sb.Append(text, start, text.Length - start); break; }
            var name = text.Substring(start + 2, end - start - 2).Trim();
            if (name.StartsWith("!", StringComparison.Ordinal)) sb.Append("${").Append(name.Substring(1)).Append('}');
            else if (vars != null && vars.TryGetValue(name, out var v)) sb.Append(Str(v));
            else if (name.StartsWith("AWS::", StringComparison.Ordinal)) sb.Append(Pseudo(name));
            else if (name.IndexOf('.') > 0 && !_params.ContainsKey(name)) sb.Append("${GetAtt:").Append(name).Append('}');
            else sb.Append(Str(Ref(name, at)));
            i = end + 1;
        }
        return sb.ToString();
    }

    /// <summary>Evaluates a named condition; null when it depends on something unknown.</summary>
    public bool? EvaluateCondition(string name)
    {
        if (_conditionCache.TryGetValue(name, out var cached)) return cached;
        var def = _root.Map("Conditions")?[name];
        if (!_evaluating.Add(name))
        {
            var from = _conditionChain.IndexOf(name);
            throw new TemplateCycleException("Conditions", _conditionChain.Skip(from).Concat(new[] { name }).ToList(), def?.Line ?? 0, def?.Column ?? 0);
        }
        _conditionChain.Add(name);
        try
        {
            var result = def is null ? null : EvaluateConditionNode(def);
            _conditionCache[name] = result;
            return result;
        }
        finally { _evaluating.Remove(name); _conditionChain.RemoveAt(_conditionChain.Count - 1); }
    }

    private bool? EvaluateConditionNode(TNode node)
    {
        if (node is TScalar s) return s.Value == "true" ? true : s.Value == "false" ? false : null;
        if (node is not TMap m) return null;
        switch (m.Intrinsic)
        {
            case "Condition": return EvaluateCondition(Str(m["Condition"]));
            case "Fn::Equals":
                if (m["Fn::Equals"] is TList eq && eq.Items.Count == 2)
                {
                    var a = Str(eq.Items[0]); var b = Str(eq.Items[1]);
                    if (a.Contains("${") || b.Contains("${")) return null;
                    return string.Equals(a, b, StringComparison.Ordinal);
                }
                return null;
            case "Fn::Not":
                var n = m["Fn::Not"] is TList nl && nl.Items.Count == 1 ? EvaluateConditionNode(nl.Items[0]) : null;
                return n is null ? null : !n.Value;
            case "Fn::And":
            case "Fn::Or":
                if (m[m.Intrinsic!] is not TList items) return null;
                var isAnd = m.Intrinsic == "Fn::And";
                bool unknown = false;
                foreach (var it in items.Items)
                {
                    var v = EvaluateConditionNode(it);
                    if (v is null) unknown = true;
                    else if (isAnd && !v.Value) return false;
                    else if (!isAnd && v.Value) return true;
                }
                return unknown ? null : isAnd;
            default: return null;
        }
    }

    /// <summary>Writes a resolved node as JSON (scalars as strings).</summary>
    public static void WriteJson(Utf8JsonWriter w, TNode? node)
    {
        switch (node)
        {
            case null: w.WriteNullValue(); break;
            case TScalar s: if (s.IsNull) w.WriteNullValue(); else w.WriteStringValue(s.Value); break;
            case TList l: w.WriteStartArray(); foreach (var i in l.Items) WriteJson(w, i); w.WriteEndArray(); break;
            case TMap m: w.WriteStartObject(); foreach (var e in m.Entries) { w.WritePropertyName(e.Key); WriteJson(w, e.Value); } w.WriteEndObject(); break;
        }
    }

    /// <summary>A resolved node as a parsed JSON document (for the policy parser).</summary>
    public static JsonDocument ToJsonDocument(TNode? node)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) WriteJson(w, node);
        ms.Position = 0;
        return JsonDocument.Parse(ms);
    }

    private static string ToJsonText(TNode? node)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) WriteJson(w, node);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>The logical id a node points at through Ref, Fn::GetAtt or a single-variable Fn::Sub, else null.</summary>
    public string? ReferencedLogicalId(TNode? node)
    {
        if (node is not TMap m) return null;
        switch (m.Intrinsic)
        {
            case "Ref":
                var r = Str(m["Ref"]);
                return Resources.Has(r) ? r : null;
            case "Fn::GetAtt":
                var g = m["Fn::GetAtt"];
                var id = g is TList gl && gl.Items.Count > 0 ? Str(gl.Items[0]) : Str(g).Split('.')[0];
                return Resources.Has(id) ? id : null;
            case "Fn::Sub":
                var text = m["Fn::Sub"] is TList sl && sl.Items.Count > 0 ? (sl.Items[0] as TScalar)?.Value : (m["Fn::Sub"] as TScalar)?.Value;
                if (text is null) return null;
                foreach (var name in SubVariables(text))
                {
                    var rid = name.Split('.')[0];
                    if (Resources.Has(rid)) return rid;
                }
                return null;
            case "Fn::Join":
                if (m["Fn::Join"] is TList jl && jl.Items.Count == 2 && jl.Items[1] is TList parts)
                    foreach (var p in parts.Items) { var x = ReferencedLogicalId(p); if (x != null) return x; }
                return null;
            default: return null;
        }
    }

    private static IEnumerable<string> SubVariables(string text)
    {
        int i = 0;
        while ((i = text.IndexOf("${", i, StringComparison.Ordinal)) >= 0)
        {
            var end = text.IndexOf('}', i);
            if (end < 0) yield break;
            var name = text.Substring(i + 2, end - i - 2);
            if (!name.StartsWith("!", StringComparison.Ordinal)) yield return name;
            i = end + 1;
        }
    }
}

/// <summary>Parameters (or conditions) that refer to each other in a circle: the chain, first name repeated at the end.</summary>
internal sealed class TemplateCycleException : InvalidOperationException
{
    public TemplateCycleException(string kind, IReadOnlyList<string> chain, int line, int column)
        : base(kind + " refer to each other in a cycle: " + string.Join(" -> ", chain) + $" (referenced at line {line}, column {column}).")
    {
        Chain = chain; Line = line; Column = column;
    }

    /// <summary>The names in the cycle, the first repeated at the end.</summary>
    public IReadOnlyList<string> Chain { get; }
    /// <summary>Where the reference that closed the cycle is.</summary>
    public int Line { get; }
    /// <summary>Its column.</summary>
    public int Column { get; }
}

using System;
using System.Collections.Generic;

namespace LambdaIdentity.Core.Aws.Sources.Templates;

/// <summary>A node of a parsed template (YAML or JSON) with the line and column it starts at.</summary>
internal abstract class TNode
{
    public int Line { get; set; }
    public int Column { get; set; }
}

/// <summary>A scalar; <see cref="IsNull"/> for YAML null / JSON null.</summary>
internal sealed class TScalar : TNode
{
    public TScalar(string value, bool isNull = false) { Value = value; IsNull = isNull; }
    public string Value { get; }
    public bool IsNull { get; }
    public override string ToString() => Value;
}

/// <summary>A sequence.</summary>
internal sealed class TList : TNode
{
    public List<TNode> Items { get; } = new();
}

/// <summary>A mapping, keeping key order; short-form tags become one-key maps (Fn::Sub, Ref, ...).</summary>
internal sealed class TMap : TNode
{
    private readonly Dictionary<string, TNode> _byKey = new(StringComparer.Ordinal);
    public List<KeyValuePair<string, TNode>> Entries { get; } = new();

    public void Set(string key, TNode value)
    {
        if (_byKey.ContainsKey(key)) Entries.RemoveAll(e => e.Key == key);
        _byKey[key] = value;
        Entries.Add(new KeyValuePair<string, TNode>(key, value));
    }

    public TNode? this[string key] => _byKey.TryGetValue(key, out var v) ? v : null;
    public bool Has(string key) => _byKey.ContainsKey(key);
    public int Count => Entries.Count;

    /// <summary>Gets a child map, or null.</summary>
    public TMap? Map(string key) => this[key] as TMap;
    /// <summary>Gets a literal scalar's text, or null.</summary>
    public string? Str(string key) => this[key] is TScalar s && !s.IsNull ? s.Value : null;

    /// <summary>The intrinsic function this map is (a single key Ref / Fn::* / Condition), else null.</summary>
    public string? Intrinsic => Count == 1 && (Entries[0].Key == "Ref" || Entries[0].Key == "Condition" || Entries[0].Key.StartsWith("Fn::", StringComparison.Ordinal)) ? Entries[0].Key : null;
}

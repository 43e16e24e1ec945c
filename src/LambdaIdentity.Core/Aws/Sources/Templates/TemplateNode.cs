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

/// <summary>
/// A mapping, keeping key order; short-form tags become one-key maps (Fn::Sub, Ref, ...). Most maps of a template hold a
/// few keys: they are searched in order and carry no index; a map that grows past <see cref="IndexFrom"/> keys (Resources,
/// a large Parameters or Mappings) gets one key index, built once, so a template of 50,000 resources is not 50,000
/// small dictionaries (they made template reading allocation- and collection-bound).
/// </summary>
internal sealed class TMap : TNode
{
    private const int IndexFrom = 12;
    private Dictionary<string, int>? _index; // key -> position in Entries, only for large maps
    public List<KeyValuePair<string, TNode>> Entries { get; } = new();

    /// <summary>Sets the key's value; a key already present is removed from its place and added at the end.</summary>
    public void Set(string key, TNode value)
    {
        var at = IndexOf(key);
        if (at >= 0)
        {
            Entries.RemoveAt(at);
            _index = null; // positions moved: rebuilt on the next lookup
        }
        Entries.Add(new KeyValuePair<string, TNode>(key, value));
        if (_index != null) _index[key] = Entries.Count - 1;
    }

    private int IndexOf(string key)
    {
        var entries = Entries;
        if (entries.Count < IndexFrom)
        {
            for (int i = 0; i < entries.Count; i++)
                if (string.Equals(entries[i].Key, key, StringComparison.Ordinal)) return i;
            return -1;
        }
        if (_index is null)
        {
            _index = new Dictionary<string, int>(entries.Count * 2, StringComparer.Ordinal);
            for (int i = 0; i < entries.Count; i++) _index[entries[i].Key] = i;
        }
        return _index.TryGetValue(key, out var found) ? found : -1;
    }

    public TNode? this[string key] { get { var i = IndexOf(key); return i >= 0 ? Entries[i].Value : null; } }
    public bool Has(string key) => IndexOf(key) >= 0;
    public int Count => Entries.Count;

    /// <summary>Gets a child map, or null.</summary>
    public TMap? Map(string key) => this[key] as TMap;
    /// <summary>Gets a literal scalar's text, or null.</summary>
    public string? Str(string key) => this[key] is TScalar s && !s.IsNull ? s.Value : null;

    /// <summary>The intrinsic function this map is (a single key Ref / Fn::* / Condition), else null.</summary>
    public string? Intrinsic => Count == 1 && (Entries[0].Key == "Ref" || Entries[0].Key == "Condition" || Entries[0].Key.StartsWith("Fn::", StringComparison.Ordinal)) ? Entries[0].Key : null;
}

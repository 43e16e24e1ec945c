using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace LambdaIdentity.Core.Aws.Sources.Templates;

/// <summary>
/// Loads a CloudFormation/SAM template (YAML or JSON, JSON being YAML too) into <see cref="TNode"/>s that
/// keep line and column. Short-form tags (!Ref, !GetAtt, !Sub, ...) become their long forms.
/// </summary>
internal static class TemplateLoader
{
    private static readonly HashSet<string> FnTags = new(StringComparer.Ordinal)
    {
        "Sub", "Join", "If", "Select", "Split", "FindInMap", "ImportValue", "Base64", "Equals", "Not", "And", "Or",
        "Cidr", "GetAZs", "Transform", "Length", "ToJsonString", "GetAtt",
    };

    /// <summary>
    /// Parses the first document of the text. Throws <see cref="YamlException"/> with a position on bad input. A key repeated
    /// in one mapping keeps its first value; each repetition is added to <paramref name="duplicates"/> (key, line, column, first line).
    /// </summary>
    public static TNode Load(TextReader reader, List<DuplicateKey>? duplicates = null)
    {
        var parser = new Parser(reader);
        var state = new LoadState(duplicates);
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _)) return new TScalar("", isNull: true);
        parser.Consume<DocumentStart>();
        if (parser.Accept<DocumentEnd>(out _)) return new TScalar("", isNull: true);
        return ReadNode(parser, state, 0);
    }

    /// <summary>What one load keeps besides the tree: the anchors met so far and the repeated keys.</summary>
    private sealed class LoadState
    {
        public LoadState(List<DuplicateKey>? duplicates) => Duplicates = duplicates;
        public Dictionary<string, TNode> Anchors { get; } = new(StringComparer.Ordinal);
        public List<DuplicateKey>? Duplicates { get; }

        // Keys and short values repeat in every resource ("Type", "Properties", "AWS::Serverless::Function", ...): one copy
        // each keeps the tree smaller for the collector to carry. Bounded, so unique values cannot grow it without end.
        private const int PoolCapacity = 4096, PoolMaxLength = 64;
        private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);

        public string Share(string text)
        {
            if (text.Length > PoolMaxLength) return text;
            if (_pool.TryGetValue(text, out var shared)) return shared;
            if (_pool.Count < PoolCapacity) _pool[text] = text;
            return text;
        }
    }

    /// <summary>Converts parsed JSON (used when the YAML grammar rejects a JSON file, e.g. tabs); repeated keys as in <see cref="Load"/>, without lines.</summary>
    public static TNode FromJson(JsonElement e, List<DuplicateKey>? duplicates = null)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var m = new TMap();
                foreach (var p in e.EnumerateObject())
                {
                    if (m.Has(p.Name)) { duplicates?.Add(new DuplicateKey(p.Name, 0, 0, 0)); continue; }
                    m.Set(p.Name, FromJson(p.Value, duplicates));
                }
                return m;
            case JsonValueKind.Array:
                var l = new TList();
                foreach (var i in e.EnumerateArray()) l.Items.Add(FromJson(i, duplicates));
                return l;
            case JsonValueKind.String: return new TScalar(e.GetString() ?? "");
            case JsonValueKind.Null: return new TScalar("", isNull: true);
            default: return new TScalar(e.GetRawText());
        }
    }

    private static TNode ReadNode(IParser parser, LoadState state, int depth)
    {
        if (depth > 256) throw new YamlException(parser.Current!.Start, parser.Current.End, "Template nests deeper than 256 levels.");
        var ev = parser.Current ?? throw new YamlException("Unexpected end of the YAML stream.");
        if (ev is AnchorAlias alias)
        {
            parser.MoveNext();
            return state.Anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw new YamlException(alias.Start, alias.End, $"Unknown alias *{alias.Value.Value}.");
        }
        TNode node;
        string? tag = null;
        if (ev is NodeEvent ne && !ne.Tag.IsEmpty && !ne.Tag.IsNonSpecific) tag = ne.Tag.Value;
        switch (ev)
        {
            case Scalar s:
                parser.MoveNext();
                var isNull = s.Style == ScalarStyle.Plain && (s.Value.Length == 0 || s.Value == "~" || s.Value == "null" || s.Value == "Null" || s.Value == "NULL");
                node = new TScalar(state.Share(s.Value), isNull && tag is null);
                break;
            case SequenceStart:
                parser.MoveNext();
                var list = new TList();
                while (!parser.Accept<SequenceEnd>(out _)) list.Items.Add(ReadNode(parser, state, depth + 1));
                parser.MoveNext();
                node = list;
                break;
            case MappingStart:
                parser.MoveNext();
                var map = new TMap();
                HashSet<string>? merged = null; // keys a << merge brought: an explicit key may replace them
                while (!parser.Accept<MappingEnd>(out _))
                {
                    var keyNode = ReadNode(parser, state, depth + 1);
                    var value = ReadNode(parser, state, depth + 1);
                    if (keyNode is TScalar ks && ks.Value == "<<" && value is TMap merge)
                    {
                        foreach (var kv in merge.Entries)
                            if (!map.Has(kv.Key)) { map.Set(kv.Key, kv.Value); (merged ??= new HashSet<string>(StringComparer.Ordinal)).Add(kv.Key); }
                        continue;
                    }
                    var key = keyNode is TScalar k ? k.Value : "?";
                    if (map.Has(key) && merged?.Remove(key) != true)
                    {
                        // The first value stays (CloudFormation rejects the template; keeping the last silently lost a resource).
                        state.Duplicates?.Add(new DuplicateKey(key, keyNode.Line, keyNode.Column, map[key]!.Line));
                        continue;
                    }
                    map.Set(key, value);
                }
                parser.MoveNext();
                node = map;
                break;
            default:
                throw new YamlException(ev.Start, ev.End, "Unexpected YAML event " + ev.GetType().Name + ".");
        }
        node.Line = (int)ev.Start.Line;
        node.Column = (int)ev.Start.Column;
        if (tag != null) node = ApplyTag(tag, node);
        if (ev is NodeEvent n && !n.Anchor.IsEmpty) state.Anchors[n.Anchor.Value] = node;
        return node;
    }

    private static TNode ApplyTag(string tag, TNode value)
    {
        if (!tag.StartsWith("!", StringComparison.Ordinal) || tag.StartsWith("!!", StringComparison.Ordinal) || tag.StartsWith("tag:", StringComparison.Ordinal)) return value;
        var name = tag.Substring(1);
        var wrapper = new TMap { Line = value.Line, Column = value.Column };
        if (name == "Ref") wrapper.Set("Ref", value);
        else if (name == "Condition") wrapper.Set("Condition", value);
        else if (name == "GetAtt" && value is TScalar s)
        {
            var dot = s.Value.IndexOf('.');
            var l = new TList { Line = s.Line, Column = s.Column };
            l.Items.Add(new TScalar(dot < 0 ? s.Value : s.Value.Substring(0, dot)) { Line = s.Line, Column = s.Column });
            l.Items.Add(new TScalar(dot < 0 ? "" : s.Value.Substring(dot + 1)) { Line = s.Line, Column = s.Column });
            wrapper.Set("Fn::GetAtt", l);
        }
        else if (FnTags.Contains(name)) wrapper.Set("Fn::" + name, value);
        else return value;
        return wrapper;
    }
}

/// <summary>A key repeated in one mapping: where the repetition is and the line of the value kept.</summary>
internal readonly struct DuplicateKey
{
    public DuplicateKey(string key, int line, int column, int firstLine) { Key = key; Line = line; Column = column; FirstLine = firstLine; }
    public string Key { get; }
    public int Line { get; }
    public int Column { get; }
    public int FirstLine { get; }
}

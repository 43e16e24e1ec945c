using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources.Templates;

/// <summary>
/// Expands Fn::ForEach (the AWS::LanguageExtensions transform) in Resources before the template is read: each value of
/// the collection gives one copy of the output map, with ${Id} and &amp;{Id} in keys and strings and { Ref: Id } replaced.
/// A loop that cannot be expanded (its collection unknown, its shape wrong) is an error naming it, and the run goes on.
/// </summary>
internal static class TemplateExpansion
{
    private const string Prefix = "Fn::ForEach::";
    private const int MaxCopies = 100_000;

    /// <summary>Replaces the root's Resources with the expanded map when it holds a loop.</summary>
    public static void ExpandForEach(TMap root, string file, InventoryOptions options, EngineContext context)
    {
        if (root.Map("Resources") is not TMap resources || !resources.Entries.Any(e => e.Key.StartsWith(Prefix, StringComparison.Ordinal))) return;
        var resolver = new IntrinsicResolver(root, options);
        var expanded = new TMap { Line = resources.Line, Column = resources.Column };
        Expand(resources, expanded, resolver, file, context, 0);
        root.Set("Resources", expanded);
    }

    private static void Expand(TMap from, TMap into, IntrinsicResolver resolver, string file, EngineContext context, int depth)
    {
        foreach (var e in from.Entries)
        {
            if (!e.Key.StartsWith(Prefix, StringComparison.Ordinal)) { into.Set(e.Key, e.Value); continue; }
            var loc = new SourceLocation { File = file, Line = e.Value.Line, Column = e.Value.Column, Path = "Resources." + e.Key };
            if (e.Value is not TList args || args.Items.Count != 3 || args.Items[0] is not TScalar id || args.Items[2] is not TMap body || depth > 8)
            {
                context.Error("TemplateForEachUnreadable", EngineErrorCategory.InvalidData, file,
                    $"'{e.Key}' is not [Identifier, Collection, {{OutputKey: body}}] (or nests more than 8 loops): the resources it makes are not read.", loc);
                continue;
            }
            var collection = resolver.Resolve(args.Items[1]);
            var values = collection is TList l ? l.Items.Select(resolver.Str).ToList() : null;
            if (values is null || values.Any(v => v.Contains("${")))
            {
                context.Error("TemplateForEachUnreadable", EngineErrorCategory.InvalidData, file,
                    $"The collection of '{e.Key}' is not known from the template ({resolver.Str(args.Items[1])}): the resources it makes are not read; give the parameter with --parameter.", loc);
                continue;
            }
            foreach (var value in values.Take(MaxCopies))
            {
                var copy = (TMap)Substitute(body, id.Value, value);
                Expand(copy, into, resolver, file, context, depth + 1);
            }
        }
    }

    private static TNode Substitute(TNode node, string id, string value)
    {
        switch (node)
        {
            case TScalar s:
                return s.IsNull ? s : new TScalar(Replace(s.Value, id, value)) { Line = s.Line, Column = s.Column };
            case TList l:
                var list = new TList { Line = l.Line, Column = l.Column };
                foreach (var i in l.Items) list.Items.Add(Substitute(i, id, value));
                return list;
            case TMap m:
                if (m.Intrinsic == "Ref" && m["Ref"] is TScalar r && r.Value == id) return new TScalar(value) { Line = m.Line, Column = m.Column };
                var map = new TMap { Line = m.Line, Column = m.Column };
                foreach (var e in m.Entries) map.Set(Replace(e.Key, id, value), Substitute(e.Value, id, value));
                return map;
        }
        return node;
    }

    private static string Replace(string text, string id, string value)
    {
        if (text.IndexOf('{') < 0) return text;
        var alnum = new StringBuilder(value.Length);
        foreach (var c in value) if (char.IsLetterOrDigit(c)) alnum.Append(c);
        return text.Replace("${" + id + "}", value).Replace("&{" + id + "}", alnum.ToString());
    }
}

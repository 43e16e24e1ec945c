using System.Text;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace LambdaIdentity.Tests.Policy;

/// <summary>
/// Finds the policy documents written literally in CloudFormation/SAM templates (YAML or JSON): the values of
/// PolicyDocument, AssumeRolePolicyDocument and KeyPolicy, and SAM Policies[] items that hold a Statement. !Sub / Fn::Sub
/// strings are taken as literal text; a document holding any other intrinsic function (Ref, GetAtt, Join, If...) is
/// skipped and counted.
/// </summary>
public static class TemplatePolicies
{
    private static readonly HashSet<string> DocumentKeys = new(StringComparer.Ordinal) { "PolicyDocument", "AssumeRolePolicyDocument", "KeyPolicy" };

    public sealed record Found(string Path, string? Json);

    public static List<Found> Extract(string file)
    {
        var found = new List<Found>();
        var text = File.ReadAllText(file);
        if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            WalkJson(doc.RootElement, "$", found);
        }
        else
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(text));
            foreach (var d in yaml.Documents) WalkYaml(d.RootNode, "$", found);
        }
        return found;
    }

    private static bool IsPolicyList(string path) => path.EndsWith(".Policies", StringComparison.Ordinal);

    private static void WalkJson(JsonElement e, string path, List<Found> found)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                var child = path + "." + p.Name;
                if (DocumentKeys.Contains(p.Name) && p.Value.ValueKind == JsonValueKind.Object) { found.Add(new Found(child, ToJson(p.Value))); continue; }
                WalkJson(p.Value, child, found);
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var x in e.EnumerateArray())
            {
                var child = $"{path}[{i++}]";
                if (IsPolicyList(path) && x.ValueKind == JsonValueKind.Object && x.TryGetProperty("Statement", out _)) { found.Add(new Found(child, ToJson(x))); continue; }
                WalkJson(x, child, found);
            }
        }
    }

    private static void WalkYaml(YamlNode n, string path, List<Found> found)
    {
        if (n is YamlMappingNode m)
        {
            foreach (var kv in m.Children)
            {
                var name = (kv.Key as YamlScalarNode)?.Value ?? "?";
                var child = path + "." + name;
                if (DocumentKeys.Contains(name) && kv.Value is YamlMappingNode) { found.Add(new Found(child, ToJson(kv.Value))); continue; }
                WalkYaml(kv.Value, child, found);
            }
        }
        else if (n is YamlSequenceNode s)
        {
            var i = 0;
            foreach (var x in s.Children)
            {
                var child = $"{path}[{i++}]";
                if (IsPolicyList(path) && x is YamlMappingNode xm && xm.Children.ContainsKey(new YamlScalarNode("Statement"))) { found.Add(new Found(child, ToJson(x))); continue; }
                WalkYaml(x, child, found);
            }
        }
    }

    private sealed class Intrinsic : Exception { }

    private static string? ToJson(JsonElement e)
    {
        try
        {
            var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) WriteJson(e, w);
            return Encoding.UTF8.GetString(ms.ToArray());
        }
        catch (Intrinsic) { return null; }
    }

    private static void WriteJson(JsonElement e, Utf8JsonWriter w)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var props = e.EnumerateObject().ToList();
                if (props.Count == 1 && props[0].Name == "Fn::Sub" && props[0].Value.ValueKind == JsonValueKind.String) { w.WriteStringValue(props[0].Value.GetString()); return; }
                if (props.Count == 1 && (props[0].Name == "Ref" || props[0].Name.StartsWith("Fn::", StringComparison.Ordinal))) throw new Intrinsic();
                w.WriteStartObject();
                foreach (var p in props) { w.WritePropertyName(p.Name); WriteJson(p.Value, w); }
                w.WriteEndObject();
                return;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var x in e.EnumerateArray()) WriteJson(x, w);
                w.WriteEndArray();
                return;
            default: e.WriteTo(w); return;
        }
    }

    private static string? ToJson(YamlNode n)
    {
        try
        {
            var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) WriteYaml(n, w);
            return Encoding.UTF8.GetString(ms.ToArray());
        }
        catch (Intrinsic) { return null; }
    }

    private static void WriteYaml(YamlNode n, Utf8JsonWriter w)
    {
        var tag = n.Tag.IsEmpty ? null : n.Tag.Value;
        if (tag is not null && tag.StartsWith("!", StringComparison.Ordinal) && !tag.StartsWith("!!", StringComparison.Ordinal))
        {
            if (tag == "!Sub" && n is YamlScalarNode sub) { w.WriteStringValue(sub.Value); return; }
            throw new Intrinsic();
        }
        switch (n)
        {
            case YamlMappingNode m:
                if (m.Children.Count == 1 && m.Children.First().Key is YamlScalarNode { Value: { } k })
                {
                    if (k == "Fn::Sub" && m.Children.First().Value is YamlScalarNode s2) { w.WriteStringValue(s2.Value); return; }
                    if (k == "Ref" || k.StartsWith("Fn::", StringComparison.Ordinal)) throw new Intrinsic();
                }
                w.WriteStartObject();
                foreach (var kv in m.Children) { w.WritePropertyName(((YamlScalarNode)kv.Key).Value ?? ""); WriteYaml(kv.Value, w); }
                w.WriteEndObject();
                return;
            case YamlSequenceNode s:
                w.WriteStartArray();
                foreach (var x in s.Children) WriteYaml(x, w);
                w.WriteEndArray();
                return;
            case YamlScalarNode sc:
                // Unquoted true/false and numbers stay JSON literals; everything else is a string, as CloudFormation reads it.
                var v = sc.Value ?? "";
                if (sc.Style == YamlDotNet.Core.ScalarStyle.Plain && (v == "true" || v == "false")) w.WriteBooleanValue(v == "true");
                else w.WriteStringValue(v);
                return;
        }
    }
}

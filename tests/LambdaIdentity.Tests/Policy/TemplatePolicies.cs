using System.Text;
using System.Text.Json;

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
            // YAML is turned into JSON event by event (short-form tags become their Fn:: forms; a duplicated key is kept
            // as JSON allows it), so templates with duplicate keys are still read.
            using var doc = JsonDocument.Parse(YamlToJson(text));
            foreach (var d in doc.RootElement.EnumerateArray()) WalkJson(d, "$", found);
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
                if (DocumentKeys.Contains(p.Name) && p.Value.ValueKind == JsonValueKind.Object)
                {
                    // A document built by an intrinsic function (Fn::Sub of a JSON string, Fn::If, ...) is not a literal object: skipped and counted.
                    var single = p.Value.EnumerateObject().Take(2).ToList();
                    var intrinsic = single.Count == 1 && (single[0].Name == "Ref" || single[0].Name.StartsWith("Fn::", StringComparison.Ordinal));
                    found.Add(new Found(child, intrinsic ? null : ToJson(p.Value)));
                    continue;
                }
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

    private static string YamlToJson(string text)
    {
        var parser = new YamlDotNet.Core.Parser(new StringReader(text));
        var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartArray();
            var stack = new Stack<int>(); // 0: mapping expecting a key, 1: mapping expecting a value, 2: sequence
            var anchors = new Dictionary<string, string>();
            void Value(Action write)
            {
                write();
                if (stack.Count > 0 && stack.Peek() == 1) { stack.Pop(); stack.Push(0); }
            }
            bool StartTag(YamlDotNet.Core.TagName tag)
            {
                if (tag.IsEmpty || !tag.Value.StartsWith("!", StringComparison.Ordinal) || tag.Value.StartsWith("!!", StringComparison.Ordinal)) return false;
                var name = tag.Value.Substring(1);
                w.WriteStartObject();
                w.WritePropertyName(name == "Ref" || name == "Condition" ? name : "Fn::" + name);
                return true;
            }
            var tagged = new Stack<bool>();
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case YamlDotNet.Core.Events.DocumentStart: break;
                    case YamlDotNet.Core.Events.Scalar sc:
                        if (stack.Count > 0 && stack.Peek() == 0) { w.WritePropertyName(sc.Value); stack.Pop(); stack.Push(1); break; }
                        Value(() =>
                        {
                            var t = StartTag(sc.Tag);
                            if (sc.Style == YamlDotNet.Core.ScalarStyle.Plain && (sc.Value == "true" || sc.Value == "false")) w.WriteBooleanValue(sc.Value == "true");
                            else w.WriteStringValue(sc.Value);
                            if (t) w.WriteEndObject();
                        });
                        break;
                    case YamlDotNet.Core.Events.NodeEvent n when stack.Count > 0 && stack.Peek() == 0 && n is not YamlDotNet.Core.Events.Scalar:
                        // A complex key (a mapping or sequence as key, as in Jinja-style {{ name }}): skipped, named by a placeholder.
                        for (var depth = 1; depth > 0 && parser.MoveNext();)
                            depth += parser.Current is YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart ? 1 : parser.Current is YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd ? -1 : 0;
                        w.WritePropertyName("<complex key>"); stack.Pop(); stack.Push(1);
                        break;
                    case YamlDotNet.Core.Events.SequenceStart ss:
                        tagged.Push(StartTag(ss.Tag)); w.WriteStartArray(); stack.Push(2); break;
                    case YamlDotNet.Core.Events.SequenceEnd:
                        stack.Pop(); w.WriteEndArray(); if (tagged.Pop()) w.WriteEndObject();
                        Value(() => { });
                        break;
                    case YamlDotNet.Core.Events.MappingStart ms2:
                        tagged.Push(StartTag(ms2.Tag)); w.WriteStartObject(); stack.Push(0); break;
                    case YamlDotNet.Core.Events.MappingEnd:
                        stack.Pop(); w.WriteEndObject(); if (tagged.Pop()) w.WriteEndObject();
                        Value(() => { });
                        break;
                    case YamlDotNet.Core.Events.AnchorAlias: Value(() => w.WriteNullValue()); break;
                }
            }
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}

using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Policy;

/// <summary>Writes <see cref="PolicyDocument"/> records back to IAM policy JSON (parse, write, parse gives the same document).</summary>
public static class PolicyWriter
{
    /// <summary>The document as policy JSON text. A one-element list is written as a string, as IAM does.</summary>
    public static string Write(PolicyDocument document, bool indented = true)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(w, document);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Writes the document to a JSON writer.</summary>
    public static void Write(Utf8JsonWriter w, PolicyDocument document)
    {
        w.WriteStartObject();
        if (document.Version is not null) w.WriteString("Version", document.Version);
        if (document.Id is not null) w.WriteString("Id", document.Id);
        w.WriteStartArray("Statement");
        foreach (var s in document.Statement) WriteStatement(w, s);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteStatement(Utf8JsonWriter w, PolicyStatement s)
    {
        w.WriteStartObject();
        if (s.Sid is not null) w.WriteString("Sid", s.Sid);
        w.WriteString("Effect", s.Effect);
        if (s.Principal is not null) WritePrincipal(w, "Principal", s.Principal);
        if (s.NotPrincipal is not null) WritePrincipal(w, "NotPrincipal", s.NotPrincipal);
        List(w, "Action", s.Action);
        List(w, "NotAction", s.NotAction);
        List(w, "Resource", s.Resource);
        List(w, "NotResource", s.NotResource);
        if (s.Condition.Count > 0)
        {
            w.WriteStartObject("Condition");
            foreach (var op in s.Condition.GroupBy(c => c.Operator))
            {
                w.WriteStartObject(op.Key);
                foreach (var c in op) List(w, c.Key, c.Values, always: true);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WritePrincipal(Utf8JsonWriter w, string name, PolicyPrincipal p)
    {
        if (p.IsWildcard) { w.WriteString(name, "*"); return; }
        w.WriteStartObject(name);
        List(w, "AWS", p.Aws);
        List(w, "Service", p.Service);
        List(w, "Federated", p.Federated);
        List(w, "CanonicalUser", p.CanonicalUser);
        w.WriteEndObject();
    }

    private static void List(Utf8JsonWriter w, string name, IReadOnlyList<string> values, bool always = false)
    {
        if (values.Count == 0 && !always) return;
        if (values.Count == 1) { w.WriteString(name, values[0]); return; }
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}

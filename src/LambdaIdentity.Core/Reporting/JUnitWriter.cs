using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Reporting;

/// <summary>
/// Writes parity results as JUnit XML, which Azure DevOps' PublishTestResults@2 (testResultsFormat: JUnit)
/// and most CI systems show: one testsuite per function app, one testcase per result, a failure for lost, added or
/// drifted access, an error for Unverifiable (the data could not be read, or the design cannot be checked yet), and
/// skipped for NotApplicable (nothing is designed, so nothing is verified: never shown as a passed test).
/// </summary>
public static class JUnitWriter
{
    /// <summary>Writes the results to a stream (UTF-8).</summary>
    public static void Write(IEnumerable<IdentityParityResult> results, Stream stream, string suitesName = "LambdaIdentity.IdentityParity", DateTimeOffset? timestamp = null)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), CheckCharacters = false };
        using var w = XmlWriter.Create(stream, settings);
        Write(results, w, suitesName, timestamp ?? DateTimeOffset.UtcNow);
    }

    /// <summary>Writes the results to a file.</summary>
    public static void WriteFile(IEnumerable<IdentityParityResult> results, string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        using var fs = File.Create(path);
        Write(results, fs);
    }

    private static void Write(IEnumerable<IdentityParityResult> results, XmlWriter w, string suitesName, DateTimeOffset timestamp)
    {
        var groups = results.GroupBy(r => string.IsNullOrEmpty(r.FunctionAppName) ? r.FunctionName : r.FunctionAppName, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase).ToList();
        var all = groups.SelectMany(g => g).ToList();
        w.WriteStartDocument();
        w.WriteStartElement("testsuites");
        w.WriteAttributeString("name", suitesName);
        w.WriteAttributeString("tests", all.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteAttributeString("failures", all.Count(IsFailure).ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteAttributeString("errors", all.Count(r => r.Status == ParityStatus.Unverifiable).ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteAttributeString("skipped", all.Count(r => r.Status == ParityStatus.NotApplicable).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var id = 0;
        foreach (var g in groups)
        {
            var list = g.ToList();
            w.WriteStartElement("testsuite");
            w.WriteAttributeString("name", Clean(g.Key));
            w.WriteAttributeString("id", (id++).ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteAttributeString("tests", list.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteAttributeString("failures", list.Count(IsFailure).ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteAttributeString("errors", list.Count(r => r.Status == ParityStatus.Unverifiable).ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteAttributeString("skipped", list.Count(r => r.Status == ParityStatus.NotApplicable).ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteAttributeString("time", "0");
            w.WriteAttributeString("timestamp", timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteAttributeString("hostname", "localhost");
            var names = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var r in list)
            {
                var name = Clean("[" + r.Kind + "] " + r.Expected);
                // Azure DevOps merges test cases with equal names: keep them distinct.
                names[name] = names.TryGetValue(name, out var n) ? n + 1 : 1;
                if (names[name] > 1) name += " #" + names[name];
                w.WriteStartElement("testcase");
                w.WriteAttributeString("classname", Clean("LambdaIdentity.Parity." + g.Key + "." + r.Surface));
                w.WriteAttributeString("name", name);
                w.WriteAttributeString("time", "0");
                var details = Clean("Status: " + r.Status + "\nFunction: " + r.FunctionName + "\nMapping: " + (r.MappingId ?? "(unexpected access)")
                    + "\nExpected: " + r.Expected + "\nActual: " + r.Actual + "\nReason: " + r.Reason
                    + (r.ActualSource is null ? "" : "\nSource: " + r.ActualSource) + (r.EvidenceUnread ? "\nEvidence: not read" : ""));
                if (r.Status == ParityStatus.NotApplicable)
                {
                    w.WriteStartElement("skipped");
                    w.WriteAttributeString("message", Clean("NotApplicable: " + r.Reason));
                    w.WriteEndElement();
                    w.WriteStartElement("system-out");
                    w.WriteString(details);
                    w.WriteEndElement();
                }
                else if (r.Status == ParityStatus.Unverifiable)
                {
                    w.WriteStartElement("error");
                    w.WriteAttributeString("type", r.Status.ToString());
                    w.WriteAttributeString("message", Clean(r.Status + ": " + r.Reason));
                    w.WriteString(details);
                    w.WriteEndElement();
                }
                else if (r.Status != ParityStatus.Pass)
                {
                    w.WriteStartElement("failure");
                    w.WriteAttributeString("type", r.Status.ToString());
                    w.WriteAttributeString("message", Clean(r.Status + ": " + r.Reason));
                    w.WriteString(details);
                    w.WriteEndElement();
                }
                else
                {
                    w.WriteStartElement("system-out");
                    w.WriteString(details);
                    w.WriteEndElement();
                }
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    private static bool IsFailure(IdentityParityResult r) => r.Status is not (ParityStatus.Pass or ParityStatus.Unverifiable or ParityStatus.NotApplicable);

    /// <summary>Removes characters XML 1.0 cannot hold.</summary>
    private static string Clean(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
            if (c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || char.IsSurrogate(c)) sb.Append(c);
        return sb.ToString();
    }
}

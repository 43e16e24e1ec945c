using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Reporting;

/// <summary>The columns of an identity graph, left to right.</summary>
public enum GraphColumn
{
    /// <summary>Callers, event sources, people and deployers.</summary>
    Callers = 0,
    /// <summary>The Lambda function or the function app.</summary>
    Function = 1,
    /// <summary>The execution role or the managed identity.</summary>
    Identity = 2,
    /// <summary>Resources the identity reaches (and the role or scope that grants it on the edge).</summary>
    Resources = 3,
    /// <summary>AWS resources that stay on AWS, reached through the AWS-side trust.</summary>
    Aws = 4,
}

/// <summary>A node of an identity graph.</summary>
public sealed class GraphNode
{
    /// <summary>Id within the graph (n0, n1, ...).</summary>
    public string Id { get; init; } = "";
    /// <summary>The label (any text; writers escape it).</summary>
    public string Label { get; init; } = "";
    /// <summary>The column.</summary>
    public GraphColumn Column { get; init; }
}

/// <summary>An edge of an identity graph.</summary>
public sealed class GraphEdge
{
    /// <summary>Source node id.</summary>
    public string From { get; init; } = "";
    /// <summary>Target node id.</summary>
    public string To { get; init; } = "";
    /// <summary>The label (a role, actions, an access level).</summary>
    public string Label { get; init; } = "";
}

/// <summary>The current (AWS) or target (Azure) identity graph of one function.</summary>
public sealed class IdentityGraph
{
    /// <summary>The AWS function.</summary>
    public string FunctionName { get; init; } = "";
    /// <summary>The Azure function app.</summary>
    public string FunctionAppName { get; init; } = "";
    /// <summary>True for the AWS side today, false for the Azure target.</summary>
    public bool Current { get; init; }
    /// <summary>Nodes.</summary>
    public List<GraphNode> Nodes { get; } = new();
    /// <summary>Edges.</summary>
    public List<GraphEdge> Edges { get; } = new();
    /// <summary>Nodes left out to keep the graph readable (every item is in the report's tables).</summary>
    public int Omitted { get; internal set; }

    internal string Node(string label, GraphColumn column)
    {
        var found = Nodes.FirstOrDefault(n => n.Column == column && n.Label == label);
        if (found is not null) return found.Id;
        var id = "n" + Nodes.Count;
        Nodes.Add(new GraphNode { Id = id, Label = label, Column = column });
        return id;
    }

    internal void Edge(string from, string to, string label)
    {
        var e = Edges.FirstOrDefault(x => x.From == from && x.To == to);
        if (e is null) Edges.Add(new GraphEdge { From = from, To = to, Label = label });
        else if (label.Length > 0 && !e.Label.Split(new[] { ", " }, StringSplitOptions.None).Contains(label))
        {
            Edges.Remove(e);
            Edges.Add(new GraphEdge { From = from, To = to, Label = e.Label.Length == 0 ? label : e.Label + ", " + label });
        }
    }
}

/// <summary>Builds the current and target identity graphs of every function from the inventory and the mapping.</summary>
public static class IdentityGraphBuilder
{
    /// <summary>Resource nodes per column before the rest are counted as omitted.</summary>
    public const int MaxNodesPerColumn = 14;

    /// <summary>One (current, target) pair per function, in the mapping's order.</summary>
    public static IReadOnlyList<(IdentityGraph Current, IdentityGraph Target)> Build(ReportInput input)
    {
        var names = input.Mappings.Select(m => m.FunctionName).Concat(input.Inventory.Select(f => f.FunctionName)).Distinct(StringComparer.Ordinal).ToList();
        return names.Select(n =>
        {
            var f = input.Inventory.FirstOrDefault(x => x.FunctionName == n);
            var ms = input.Mappings.Where(m => m.FunctionName == n).ToList();
            return (Current(n, f, ms), Target(n, ms));
        }).ToList();
    }

    private static bool Room(IdentityGraph g, GraphColumn c, string label)
    {
        if (g.Nodes.Any(x => x.Column == c && x.Label == label)) return true;
        if (g.Nodes.Count(x => x.Column == c) < MaxNodesPerColumn) return true;
        g.Omitted++;
        return false;
    }

    private static IdentityGraph Current(string name, LambdaFunctionIdentity? f, List<AzRoleMapping> ms)
    {
        var app = ms.FirstOrDefault()?.FunctionAppName ?? "";
        var g = new IdentityGraph { FunctionName = name, FunctionAppName = app, Current = true };
        var fn = g.Node("Lambda " + name, GraphColumn.Function);
        var roleArn = f?.RoleArn ?? ms.FirstOrDefault(m => m.Kind == MappingKind.ManagedIdentity)?.AwsResources.FirstOrDefault() ?? "";
        var role = g.Node("execution role " + (roleArn.Length > 0 ? Short(roleArn) : "(unknown)"), GraphColumn.Identity);
        g.Edge(fn, role, "assumes");
        if (f is not null)
        {
            foreach (var c in f.Callers)
            {
                var label = c.Channel + (string.IsNullOrEmpty(c.Route) ? "" : " " + c.Route);
                if (Room(g, GraphColumn.Callers, label)) g.Edge(g.Node(label, GraphColumn.Callers), fn, "invokes (" + c.AuthType + ")");
            }
            foreach (var e in f.EventSources)
            {
                var label = e.Type + " " + e.Name;
                if (Room(g, GraphColumn.Callers, label)) g.Edge(g.Node(label, GraphColumn.Callers), fn, e.IsPoll ? "polled by the execution role" : "triggers");
            }
            foreach (var p in f.Principals.GroupBy(p => p.PrincipalArn))
            {
                var label = p.First().PrincipalType + " " + Short(p.Key) + (p.Any(x => x.IsEmergency) ? " (emergency)" : "") + (p.Any(x => x.IsOidcFederated) ? " (OIDC)" : "");
                if (Room(g, GraphColumn.Callers, label)) g.Edge(g.Node(label, GraphColumn.Callers), fn, string.Join(", ", p.Select(x => x.AccessLevel).Distinct()));
            }
        }
        foreach (var m in ms.Where(m => m.AwsActions.Count > 0 && m.Surface is IdentitySurface.Workload or IdentitySurface.Platform))
            foreach (var r in m.AwsResources.Take(3))
                if (Room(g, GraphColumn.Resources, r)) g.Edge(role, g.Node(r, GraphColumn.Resources), Actions(m.AwsActions));
        return g;
    }

    private static IdentityGraph Target(string name, List<AzRoleMapping> ms)
    {
        var app = ms.FirstOrDefault()?.FunctionAppName ?? "";
        var g = new IdentityGraph { FunctionName = name, FunctionAppName = app, Current = false };
        var fa = g.Node("function app " + app, GraphColumn.Function);
        var miRecord = ms.FirstOrDefault(m => m.Kind == MappingKind.ManagedIdentity && m.Strategy != MappingStrategy.NotNeeded);
        var miName = miRecord?.PrincipalName ?? app;
        var mi = g.Node((miRecord?.IdentityType ?? "managed") + " identity " + miName, GraphColumn.Identity);
        g.Edge(fa, mi, "runs as");
        foreach (var m in ms.Where(m => m.Strategy != MappingStrategy.NotNeeded))
        {
            var ownIdentity = m.PrincipalName == miName && m.Surface is not (IdentitySurface.People or IdentitySurface.Automation);
            if (m.Kind == MappingKind.RoleAssignment && m.RoleDefinitionName is not null && ownIdentity)
            {
                var scope = ShortScope(m.Scope ?? "");
                if (Room(g, GraphColumn.Resources, scope)) g.Edge(mi, g.Node(scope, GraphColumn.Resources), m.RoleDefinitionName + (m.PimEligible ? " (PIM eligible)" : ""));
            }
            else if (m.Kind is MappingKind.RoleAssignment or MappingKind.Authentication && !string.IsNullOrEmpty(m.PrincipalName) && !ownIdentity)
            {
                var what = m.RoleDefinitionName ?? (m.Settings.TryGetValue("appRole", out var ar) ? "app role " + ar : m.Kind.ToString());
                var who = ArnIn.Replace(m.PrincipalName!, a => Short(a.Value));
                if (Room(g, GraphColumn.Callers, who)) g.Edge(g.Node(who, GraphColumn.Callers), fa, what + (m.PimEligible ? " (PIM eligible)" : ""));
            }
            else if (m.Kind == MappingKind.Authentication && m.Settings.TryGetValue("calleeFunctionAppName", out var callee))
            {
                if (Room(g, GraphColumn.Resources, "function app " + callee)) g.Edge(mi, g.Node("function app " + callee, GraphColumn.Resources), "app role " + (m.Settings.TryGetValue("appRole", out var r) ? r : ""));
            }
            else if (m.Kind == MappingKind.Authentication && m.Surface == IdentitySurface.EndUser)
            {
                var s = m.Settings;
                var label = s.TryGetValue("requireAuthentication", out var req) && req == "true"
                    ? "callers with tokens of " + (s.TryGetValue("issuer", out var iss) ? iss : "(issuer)")
                    : "anonymous callers" + (s.TryGetValue("cors.allowedOrigins", out var o) ? " (CORS " + o + ")" : "");
                if (Room(g, GraphColumn.Callers, label)) g.Edge(g.Node(label, GraphColumn.Callers), fa, "Easy Auth" + (s.TryGetValue("allowedAudiences", out var aud) ? " aud " + aud : "") + (m.Strategy == MappingStrategy.Deviation ? " (deviation)" : ""));
            }
            else if (m.Kind == MappingKind.TriggerConnection)
            {
                var label = m.Settings.TryGetValue("trigger", out var t) ? t : m.AzureFeature;
                if (Room(g, GraphColumn.Callers, label)) g.Edge(g.Node(label, GraphColumn.Callers), fa, "identity-based connection");
            }
            else if (m.Kind == MappingKind.AwsFederatedRole && m.Settings.TryGetValue("awsRoleArn", out var roleArn))
            {
                var aws = g.Node("AWS IAM role " + Short(roleArn), GraphColumn.Resources);
                g.Edge(mi, aws, "AssumeRoleWithWebIdentity" + (m.Settings.TryGetValue("tokenAudience", out var aud) ? " aud " + aud : ""));
                foreach (var r in m.AwsResources.Take(3))
                    if (Room(g, GraphColumn.Aws, r)) g.Edge(aws, g.Node(r, GraphColumn.Aws), Actions(m.AwsActions));
            }
        }
        return g;
    }

    private static readonly System.Text.RegularExpressions.Regex ArnIn = new(@"arn:aws[\w-]*:iam::\d{12}:[^\s,;)]+", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static string Actions(IReadOnlyList<string> actions) => actions.Count <= 3 ? string.Join(", ", actions) : string.Join(", ", actions.Take(3)) + " +" + (actions.Count - 3);

    private static string Short(string arn)
    {
        var i = arn.LastIndexOf(":role/", StringComparison.Ordinal);
        if (i >= 0) return arn.Substring(i + 1);
        i = arn.IndexOf(":iam::", StringComparison.Ordinal);
        if (i >= 0 && arn.IndexOf(':', i + 6) is var j and > 0) return arn.Substring(j + 1);
        return arn;
    }

    private static string ShortScope(string scope)
    {
        var parts = scope.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length <= 2 ? scope : parts[parts.Length - 2] + "/" + parts[parts.Length - 1];
    }
}

/// <summary>Writes identity graphs as Mermaid flowcharts (every label entity-encoded, so no label is markup).</summary>
public static class IdentityGraphMermaid
{
    /// <summary>Writes one graph as a fenced mermaid block.</summary>
    public static void Write(TextWriter w, IdentityGraph g)
    {
        w.WriteLine("```mermaid");
        w.WriteLine("flowchart LR");
        foreach (var n in g.Nodes) w.WriteLine("  " + n.Id + "[\"" + Label(n.Label) + "\"]");
        foreach (var e in g.Edges) w.WriteLine("  " + e.From + " -->" + (e.Label.Length > 0 ? "|\"" + Label(e.Label) + "\"|" : "") + " " + e.To);
        w.WriteLine("```");
        w.WriteLine();
        if (g.Omitted > 0) { w.WriteLine($"_{g.Omitted} more node(s) left out of the diagram; the tables list every item._"); w.WriteLine(); }
    }

    /// <summary>Writes the current or target graph of every function under a heading per function.</summary>
    public static void WriteAll(TextWriter w, IReadOnlyList<(IdentityGraph Current, IdentityGraph Target)> graphs, bool current)
    {
        foreach (var (c, t) in graphs)
        {
            var g = current ? c : t;
            w.WriteLine("### " + MigrationPlanMarkdown.T(g.FunctionName) + (g.FunctionAppName.Length > 0 ? " → " + MigrationPlanMarkdown.T(g.FunctionAppName) : ""));
            w.WriteLine();
            Write(w, g);
        }
    }

    /// <summary>Escapes a Mermaid label: characters outside a plain set become #code; entities.</summary>
    public static string Label(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s)
        {
            if (char.IsLetterOrDigit(ch) && ch < 128 || " .,:/_-()[]{}$*@+=!?'%".IndexOf(ch) >= 0) sb.Append(ch);
            else sb.Append('#').Append((int)ch).Append(';');
        }
        return sb.ToString();
    }
}

/// <summary>Writes an identity graph as inline SVG (columns left to right; text escaped by the XML writer).</summary>
public static class IdentityGraphSvg
{
    private const int ColumnWidth = 250, NodeWidth = 210, NodeHeight = 34, RowHeight = 52, Top = 36, Left = 10, MaxChars = 30;
    private static readonly string[] Headings = { "callers", "function", "identity", "reaches", "on AWS" };

    /// <summary>The SVG element of one graph.</summary>
    public static string Render(IdentityGraph g)
    {
        var columns = g.Nodes.Count == 0 ? 1 : g.Nodes.Max(n => (int)n.Column) + 1;
        var pos = new Dictionary<string, (int X, int Y)>();
        foreach (var col in g.Nodes.GroupBy(n => n.Column))
        {
            var i = 0;
            foreach (var n in col) pos[n.Id] = (Left + (int)n.Column * ColumnWidth, Top + i++ * RowHeight);
        }
        var rows = g.Nodes.GroupBy(n => n.Column).Select(x => x.Count()).DefaultIfEmpty(1).Max();
        var width = Left * 2 + (columns - 1) * ColumnWidth + NodeWidth;
        var height = Top + rows * RowHeight + 10;
        var sb = new StringBuilder();
        using (var x = XmlWriter.Create(sb, new XmlWriterSettings { OmitXmlDeclaration = true, ConformanceLevel = ConformanceLevel.Fragment }))
        {
            x.WriteStartElement("svg", "http://www.w3.org/2000/svg");
            x.WriteAttributeString("class", "graph");
            x.WriteAttributeString("role", "img");
            x.WriteAttributeString("width", width.ToString());
            x.WriteAttributeString("height", height.ToString());
            x.WriteAttributeString("viewBox", $"0 0 {width} {height}");
            x.WriteElementString("title", Clean((g.Current ? "AWS today: " : "Azure target: ") + g.FunctionName));
            x.WriteStartElement("defs");
            x.WriteStartElement("marker");
            x.WriteAttributeString("id", "arrow");
            x.WriteAttributeString("viewBox", "0 0 10 10"); x.WriteAttributeString("refX", "10"); x.WriteAttributeString("refY", "5");
            x.WriteAttributeString("markerWidth", "7"); x.WriteAttributeString("markerHeight", "7"); x.WriteAttributeString("orient", "auto");
            x.WriteStartElement("path"); x.WriteAttributeString("d", "M0,0 L10,5 L0,10 z"); x.WriteAttributeString("class", "arrowhead"); x.WriteEndElement();
            x.WriteEndElement();
            x.WriteEndElement();
            for (var c = 0; c < columns; c++)
            {
                x.WriteStartElement("text");
                x.WriteAttributeString("class", "colhead");
                x.WriteAttributeString("x", (Left + c * ColumnWidth).ToString()); x.WriteAttributeString("y", "18");
                x.WriteString(Headings[c]);
                x.WriteEndElement();
            }
            foreach (var e in g.Edges)
            {
                if (!pos.TryGetValue(e.From, out var a) || !pos.TryGetValue(e.To, out var b)) continue;
                int x1 = a.X + NodeWidth, y1 = a.Y + NodeHeight / 2, x2 = b.X, y2 = b.Y + NodeHeight / 2;
                x.WriteStartElement("g");
                x.WriteAttributeString("class", "edge");
                x.WriteStartElement("path");
                x.WriteAttributeString("d", $"M{x1},{y1} C{x1 + 20},{y1} {x2 - 20},{y2} {x2},{y2}");
                x.WriteAttributeString("marker-end", "url(#arrow)");
                x.WriteEndElement();
                if (e.Label.Length > 0)
                {
                    x.WriteStartElement("text");
                    x.WriteAttributeString("x", ((x1 + x2) / 2 - 18).ToString()); x.WriteAttributeString("y", ((y1 + y2) / 2 - 3).ToString());
                    x.WriteElementString("title", Clean(e.Label));
                    x.WriteString(Cut(e.Label, 14));
                    x.WriteEndElement();
                }
                x.WriteEndElement();
            }
            foreach (var n in g.Nodes)
            {
                var p = pos[n.Id];
                x.WriteStartElement("g");
                x.WriteAttributeString("class", "node col" + (int)n.Column);
                x.WriteElementString("title", Clean(n.Label));
                x.WriteStartElement("rect");
                x.WriteAttributeString("x", p.X.ToString()); x.WriteAttributeString("y", p.Y.ToString());
                x.WriteAttributeString("width", NodeWidth.ToString()); x.WriteAttributeString("height", NodeHeight.ToString());
                x.WriteAttributeString("rx", "5");
                x.WriteEndElement();
                x.WriteStartElement("text");
                x.WriteAttributeString("x", (p.X + 8).ToString()); x.WriteAttributeString("y", (p.Y + 21).ToString());
                x.WriteString(Cut(n.Label, MaxChars));
                x.WriteEndElement();
                x.WriteEndElement();
            }
            x.WriteEndElement();
        }
        return sb.ToString();
    }

    private static string Cut(string s, int max) => Clean(s.Length <= max ? s : s.Substring(0, max - 1) + "…");

    /// <summary>Characters XML cannot hold (controls, lone surrogates) become U+FFFD, so any name renders as text.</summary>
    internal static string Clean(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var ch = s[i];
            if (char.IsHighSurrogate(ch) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { sb.Append(ch).Append(s[++i]); continue; }
            var ok = ch is '\t' or '\n' or '\r' || (ch >= 0x20 && ch <= 0xD7FF) || (ch >= 0xE000 && ch <= 0xFFFD);
            sb.Append(ok ? ch : '\uFFFD');
        }
        return sb.ToString();
    }
}

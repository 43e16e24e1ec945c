using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace LambdaIdentity.HelpGen;

/// <summary>Writes cmdlet help as MAML (the &lt;assembly&gt;-Help.xml that Get-Help reads for binary modules).</summary>
internal static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    /// <summary>The MAML document for the commands, sorted by name so the output is stable.</summary>
    public static string Write(IEnumerable<CommandHelp> commands)
    {
        var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"),
            new XAttribute(XNamespace.Xmlns + "maml", Maml), new XAttribute(XNamespace.Xmlns + "command", Command), new XAttribute(XNamespace.Xmlns + "dev", Dev),
            commands.OrderBy(c => c.Name, StringComparer.Ordinal).Select(CommandElement));
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), OmitXmlDeclaration = false };
        using var ms = new MemoryStream();
        using (var w = XmlWriter.Create(ms, settings)) new XDocument(new XDeclaration("1.0", "utf-8", null), root).Save(w);
        return Encoding.UTF8.GetString(ms.ToArray()).Replace("\r\n", "\n") + "\n";
    }

    private static XElement Paras(XName name, IEnumerable<string> paragraphs)
    {
        var list = paragraphs.ToList();
        return new XElement(name, list.Count == 0 ? new[] { new XElement(Maml + "para") } : list.Select(p => new XElement(Maml + "para", p)).ToArray());
    }

    private static XElement CommandElement(CommandHelp c) => new(Command + "command",
        // Each command declares its namespaces too, as platyPS writes them, for readers that take one command alone.
        new XAttribute(XNamespace.Xmlns + "maml", Maml), new XAttribute(XNamespace.Xmlns + "command", Command), new XAttribute(XNamespace.Xmlns + "dev", Dev),
        new XElement(Command + "details",
            new XElement(Command + "name", c.Name),
            new XElement(Command + "verb", c.Verb),
            new XElement(Command + "noun", c.Noun),
            Paras(Maml + "description", c.Synopsis)),
        Paras(Maml + "description", c.Description),
        new XElement(Command + "syntax", c.Syntax.Select(s => new XElement(Command + "syntaxItem",
            new XElement(Maml + "name", c.Name),
            OrderForSyntax(c, s).Select(p => ParameterElement(p, inSyntax: true, InSet(s, p)))))),
        new XElement(Command + "parameters", c.Parameters.Select(p => ParameterElement(p, inSyntax: false))),
        new XElement(Command + "inputTypes", c.Inputs.Select(t => new XElement(Command + "inputType", TypeElement(t.Name), Paras(Maml + "description", t.Description)))),
        new XElement(Command + "returnValues", c.Outputs.Select(t => new XElement(Command + "returnValue", TypeElement(t.Name), Paras(Maml + "description", t.Description)))),
        new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(Maml + "alert", c.Notes).Elements())),
        new XElement(Command + "examples", c.Examples.Select(e => new XElement(Command + "example",
            new XElement(Maml + "title", "-------------------------- " + e.Title + " --------------------------"),
            new XElement(Dev + "code", string.Join("\n", e.Code)),
            Paras(Dev + "remarks", e.Remarks)))),
        new XElement(Command + "relatedLinks", c.Links.Select(l => new XElement(Maml + "navigationLink",
            new XElement(Maml + "linkText", l.Text),
            // Only absolute links are useful to Get-Help -Online; relative page links keep just their text.
            new XElement(Maml + "uri", l.Uri.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? l.Uri : "")))));

    /// <summary>A set's parameters in the order its syntax line names them; undocumented-in-line ones after.</summary>
    private static IEnumerable<ParameterHelp> OrderForSyntax(CommandHelp c, SyntaxSet s)
    {
        var inSet = c.Parameters.Where(p => p.AppliesTo(s.Name)).ToList();
        int Index(ParameterHelp p)
        {
            var i = s.Line.IndexOf("-" + p.Name + " ", StringComparison.OrdinalIgnoreCase);
            if (i < 0) i = s.Line.IndexOf("-" + p.Name + "]", StringComparison.OrdinalIgnoreCase);
            return i < 0 ? int.MaxValue : i;
        }
        return inSet.OrderBy(Index);
    }

    private static XElement TypeElement(string name) => new(Dev + "type", new XElement(Maml + "name", name), new XElement(Maml + "uri"));

    /// <summary>
    /// Whether the set's syntax line shows the parameter as required, and its position there:
    /// -Name &lt;T&gt; required, [-Name &lt;T&gt;] optional, [-Name] &lt;T&gt; required positional, [[-Name] &lt;T&gt;] optional positional.
    /// Parameters the line does not show keep their yaml values.
    /// </summary>
    private static (bool Required, string Position)? InSet(SyntaxSet s, ParameterHelp p)
    {
        var m = System.Text.RegularExpressions.Regex.Match(s.Line, @"(?<pre>\[{0,2})-" + System.Text.RegularExpressions.Regex.Escape(p.Name) + @"(?<post>\]?)(?=[\s\]]|$)");
        if (!m.Success) return null;
        // [-Name] <T> is positional; [-Switch] is a switch, whose closing bracket is followed by no value.
        var positional = m.Groups["post"].Value == "]" && s.Line.Substring(m.Index + m.Length).TrimStart().StartsWith("<", StringComparison.Ordinal);
        if (m.Groups["post"].Value == "]" && !positional) return (false, "Named");
        var optional = positional ? m.Groups["pre"].Value == "[[" : m.Groups["pre"].Value.Length > 0;
        return (!optional, positional ? p.Position : "Named");
    }

    private static XElement ParameterElement(ParameterHelp p, bool inSyntax, (bool Required, string Position)? inSet = null)
    {
        var required = inSet?.Required ?? p.Required;
        var position = inSet?.Position ?? p.Position;
        var e = new XElement(Command + "parameter",
            new XAttribute("required", required ? "true" : "false"),
            new XAttribute("variableLength", p.Type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false"),
            new XAttribute("globbing", p.Globbing ? "true" : "false"),
            new XAttribute("pipelineInput", p.PipelineInput),
            new XAttribute("position", position.Equals("Named", StringComparison.OrdinalIgnoreCase) ? "named" : position),
            new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
            new XElement(Maml + "name", p.Name),
            Paras(Maml + "description", p.Description));
        if (p.AcceptedValues.Count > 0)
            e.Add(new XElement(Command + "parameterValueGroup", p.AcceptedValues.Select(v =>
                new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v))));
        if (!(inSyntax && p.IsSwitch))
            e.Add(new XElement(Command + "parameterValue", new XAttribute("required", p.IsSwitch ? "false" : "true"), new XAttribute("variableLength", "false"), p.Type));
        e.Add(TypeElement(p.Type), new XElement(Dev + "defaultValue", p.DefaultValue));
        return e;
    }
}

using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;

namespace LambdaIdentity.HelpGen;

/// <summary>
/// Reads a platyPS-style page: # Name, ## SYNOPSIS, ## SYNTAX (### set, fenced syntax), ## DESCRIPTION,
/// ## EXAMPLES (### title, fenced code, remarks), ## PARAMETERS (### -Name, description, yaml block),
/// ## INPUTS / ## OUTPUTS (### type, optional description), ## NOTES, ## RELATED LINKS. Problems are
/// collected, never thrown, so one run reports every page's problems.
/// </summary>
internal sealed class MarkdownHelpReader
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();

    private readonly string _file;
    private readonly string _text;
    private readonly List<string> _problems;

    private MarkdownHelpReader(string file, string text, List<string> problems)
    {
        _file = file;
        _text = text.Replace("\r\n", "\n");
        _problems = problems;
    }

    /// <summary>Reads one page; problems are added as "file(line): message".</summary>
    public static CommandHelp Read(string file, string text, List<string> problems) => new MarkdownHelpReader(file, text, problems).Read();

    private void Problem(int line, string message) => _problems.Add($"{_file}({line + 1}): error HELP001: {message}");

    private CommandHelp Read()
    {
        var doc = Markdown.Parse(_text, Pipeline);
        var help = new CommandHelp();
        string? section = null;
        ParameterHelp? parameter = null;
        ExampleHelp? example = null;
        TypeHelp? type = null;
        string? syntaxSet = null;
        foreach (var block in doc)
        {
            switch (block)
            {
                case YamlFrontMatterBlock:
                    continue;
                case HeadingBlock h when h.Level == 1:
                    help.Name = Inline(h).Trim();
                    section = null;
                    continue;
                case HeadingBlock h when h.Level == 2:
                    section = Inline(h).Trim().ToUpperInvariant();
                    parameter = null; example = null; type = null; syntaxSet = null;
                    continue;
                case HeadingBlock h when h.Level == 3:
                    var title = Inline(h).Trim();
                    switch (section)
                    {
                        case "SYNTAX": syntaxSet = title; break;
                        case "EXAMPLES": help.Examples.Add(example = new ExampleHelp { Title = title }); break;
                        case "PARAMETERS":
                            if (!title.StartsWith('-')) { Problem(h.Line, $"parameter heading '{title}' does not start with '-'"); parameter = null; break; }
                            help.Parameters.Add(parameter = new ParameterHelp { Name = title[1..].Trim(), Line = h.Line });
                            break;
                        case "INPUTS": help.Inputs.Add(type = new TypeHelp(title, new List<string>())); break;
                        case "OUTPUTS": help.Outputs.Add(type = new TypeHelp(title, new List<string>())); break;
                        default: Problem(h.Line, $"unexpected heading '{title}' in section {section ?? "(none)"}"); break;
                    }
                    continue;
            }
            switch (section)
            {
                case "SYNOPSIS": help.Synopsis.AddRange(Paragraphs(block)); break;
                case "DESCRIPTION": help.Description.AddRange(Paragraphs(block)); break;
                case "NOTES": help.Notes.AddRange(Paragraphs(block)); break;
                case "SYNTAX":
                    if (block is FencedCodeBlock code && syntaxSet != null)
                    {
                        var isDefault = syntaxSet.EndsWith("(Default)", StringComparison.OrdinalIgnoreCase);
                        var name = isDefault ? syntaxSet[..^"(Default)".Length].Trim() : syntaxSet;
                        help.Syntax.Add(new SyntaxSet(name, isDefault, string.Join(" ", Lines(code)).Trim()));
                    }
                    break;
                case "EXAMPLES":
                    if (example is null) break;
                    if (block is FencedCodeBlock ex) example.Code.Add(string.Join("\n", Lines(ex)));
                    else example.Remarks.AddRange(Paragraphs(block));
                    break;
                case "PARAMETERS":
                    if (parameter is null) break;
                    if (block is FencedCodeBlock yaml) ReadParameterYaml(parameter, yaml);
                    else parameter.Description.AddRange(Paragraphs(block));
                    break;
                case "INPUTS":
                case "OUTPUTS":
                    type?.Description.AddRange(Paragraphs(block));
                    break;
                case "RELATED LINKS":
                    foreach (var line in Source(block).Split('\n'))
                    {
                        var m = System.Text.RegularExpressions.Regex.Match(line.Trim(), @"^\[(?<text>[^\]]*)\]\((?<uri>[^)]*)\)");
                        if (m.Success) help.Links.Add(new LinkHelp(m.Groups["text"].Value, m.Groups["uri"].Value));
                        else if (line.Trim().Length > 0) help.Links.Add(new LinkHelp(line.Trim(), ""));
                    }
                    break;
            }
        }
        Validate(help, doc);
        return help;
    }

    private void ReadParameterYaml(ParameterHelp p, FencedCodeBlock yaml)
    {
        foreach (var raw in Lines(yaml))
        {
            var colon = raw.IndexOf(':');
            if (colon < 0) continue;
            var key = raw[..colon].Trim();
            var value = raw[(colon + 1)..].Trim();
            static List<string> List(string v) => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            switch (key)
            {
                case "Type": p.Type = value; break;
                case "Parameter Sets": p.ParameterSets.AddRange(List(value)); break;
                case "Aliases": p.Aliases.AddRange(List(value)); break;
                case "Accepted values": p.AcceptedValues.AddRange(List(value)); break;
                case "Required": p.Required = value.StartsWith("True", StringComparison.OrdinalIgnoreCase); break;
                case "Position": p.Position = value.Length == 0 ? "Named" : value; break;
                case "Default value": p.DefaultValue = value.Length == 0 ? "None" : value; break;
                case "Accept pipeline input": p.PipelineInput = value.Length == 0 ? "False" : value; break;
                case "Accept wildcard characters": p.Globbing = value.StartsWith("True", StringComparison.OrdinalIgnoreCase); break;
                default: Problem(yaml.Line, $"-{p.Name}: unknown key '{key}'"); break;
            }
        }
    }

    private void Validate(CommandHelp help, MarkdownDocument doc)
    {
        if (help.Name.Length == 0) Problem(0, "no '# Command-Name' heading");
        var expected = Path.GetFileNameWithoutExtension(_file);
        if (help.Name.Length > 0 && !string.Equals(help.Name, expected, StringComparison.Ordinal)) Problem(0, $"the heading '{help.Name}' differs from the file name '{expected}'");
        if (help.Synopsis.Count == 0) Problem(0, "## SYNOPSIS is empty or missing");
        if (help.Description.Count == 0) Problem(0, "## DESCRIPTION is empty or missing");
        if (help.Syntax.Count == 0) Problem(0, "## SYNTAX has no parameter set");
        if (help.Examples.Count == 0) Problem(0, "## EXAMPLES has no example");
        foreach (var e in help.Examples) if (e.Code.Count == 0) Problem(0, $"example '{e.Title}' has no code block");
        foreach (var p in help.Parameters)
        {
            if (p.Description.Count == 0) Problem(p.Line, $"-{p.Name} has no description");
            if (p.Type.Length == 0) Problem(p.Line, $"-{p.Name} has no yaml block with a Type");
            if (p.ParameterSets.Count == 0) Problem(p.Line, $"-{p.Name} names no parameter set");
        }
        var dupes = help.Parameters.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        foreach (var d in dupes) Problem(0, $"-{d} is documented twice");
        _ = doc;
    }

    private string Inline(HeadingBlock b) => Source(b).Trim().TrimStart('#').Trim();

    private static IEnumerable<string> Lines(FencedCodeBlock code) => code.Lines.Lines.Take(code.Lines.Count).Select(l => l.ToString());

    private string Source(Block b) => Source(b.Span.Start, b.Span.End);

    private string Source(int start, int end) => start < 0 || end < start ? "" : _text.Substring(start, Math.Min(end, _text.Length - 1) - start + 1);

    /// <summary>A paragraph becomes one line of text; a list keeps one line per item; code keeps its lines.</summary>
    private IEnumerable<string> Paragraphs(Block block)
    {
        switch (block)
        {
            case ParagraphBlock p:
                yield return string.Join(" ", Source(p).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
                break;
            case ListBlock list:
                foreach (var item in list.OfType<ListItemBlock>())
                {
                    var text = string.Join(" ", Source(item).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
                    yield return text;
                }
                break;
            case FencedCodeBlock code:
                yield return string.Join("\n", Lines(code));
                break;
            case ThematicBreakBlock:
                break;
            default:
                var s = Source(block).Trim();
                if (s.Length > 0) yield return s;
                break;
        }
    }
}

using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;
using static LambdaIdentity.Tests.Contract.CmdletMetadata;

namespace LambdaIdentity.Tests.Contract;

/// <summary>Format views and help: every output type has a view, every parameter has help in the docs and in the built MAML.</summary>
public sealed class FormatAndHelpContractTests
{
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";

    /// <summary>Our own output types (PowerShell formats FileInfo and Boolean itself).</summary>
    private static IEnumerable<Type> ModuleOutputTypes => Cmdlets.SelectMany(OutputTypes).Where(t => t.Namespace?.StartsWith("LambdaIdentity.", StringComparison.Ordinal) == true).Distinct();

    [Fact]
    public void EveryOutputTypeHasATableViewOfItsOwnProperties()
    {
        var views = FormatFile.Descendants("View").ToList();
        Assert.Equal(views.Count, views.Select(v => v.Element("Name")!.Value).Distinct().Count());
        var types = ModuleOutputTypes.ToList();
        Assert.True(types.Count >= 4, "expected the inventory, mapping, parity and access records among the output types");
        foreach (var type in types)
        {
            var view = views.SingleOrDefault(v => v.Descendants("TypeName").Any(n => n.Value == type.FullName));
            Assert.True(view is not null, type.FullName + " has no view in module/LambdaIdentity.Format.ps1xml");
            var table = view!.Element("TableControl");
            Assert.True(table is not null, type.FullName + " has no table view");
            var headers = table!.Descendants("TableColumnHeader").Count();
            var items = table.Descendants("TableColumnItem").ToList();
            Assert.InRange(headers, 4, 7);
            Assert.Equal(headers, items.Count);
            Assert.True(items.Count(i => i.Element("ScriptBlock") != null) <= 2, type.FullName + ": use script block columns sparingly");
            foreach (var p in view.Descendants("PropertyName").Select(e => e.Value))
                Assert.True(type.GetProperty(p) is not null, type.FullName + " has no property " + p + " that its view shows");
        }
    }

    [Fact]
    public void TheManifestLoadsTheFormatAndTypeFilesFromModule()
    {
        var text = ManifestText;
        Assert.Equal(new[] { "LambdaIdentity.Format.ps1xml" }, ManifestList(text, "FormatsToProcess"));
        Assert.Equal(new[] { "LambdaIdentity.Types.ps1xml" }, ManifestList(text, "TypesToProcess"));
        foreach (var f in ManifestList(text, "FormatsToProcess").Concat(ManifestList(text, "TypesToProcess")))
            Assert.True(File.Exists(Path.Combine(TestPaths.RepoRoot, "module", f)), "module/" + f + " is missing");
    }

    [Fact]
    public void TheTypeFileRegistersAConverterThatExistsForEveryPipelineRecord()
    {
        var x = XDocument.Load(Path.Combine(TestPaths.RepoRoot, "module", "LambdaIdentity.Types.ps1xml"));
        var registered = x.Descendants("Type").ToDictionary(t => t.Element("Name")!.Value, t => t.Descendants("TypeName").Single().Value);
        foreach (var record in LambdaIdentity.Core.Serialization.PipelineRecords.RecordTypes)
        {
            Assert.True(registered.TryGetValue(record.FullName!, out var converter), record.FullName + " has no TypeConverter");
            var type = Module.GetType(converter!);
            Assert.True(type is not null && typeof(System.Management.Automation.PSTypeConverter).IsAssignableFrom(type), converter + " is not a PSTypeConverter of the module");
        }
    }

    /// <summary>Parameter name to its description, read from the page's ## PARAMETERS section.</summary>
    private static Dictionary<string, string> DocParameters(string page)
    {
        var text = File.ReadAllText(page).Replace("\r\n", "\n");
        var start = text.IndexOf("\n## PARAMETERS\n", StringComparison.Ordinal);
        Assert.True(start >= 0, page + " has no ## PARAMETERS section");
        var end = text.IndexOf("\n## ", start + 5, StringComparison.Ordinal);
        var section = text[start..(end < 0 ? text.Length : end)];
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in Regex.Matches(section, @"\n### -(?<name>\w+)\n(?<desc>(?:(?!```)[^\n]*\n)*)```yaml\n"))
            result[m.Groups["name"].Value] = m.Groups["desc"].Value.Trim();
        return result;
    }

    [Fact]
    public void EveryParameterHasADescriptionInItsPageAndNoPageDocumentsAMissingOne()
    {
        foreach (var t in Cmdlets)
        {
            var page = Path.Combine(TestPaths.RepoRoot, "docs", "cmdlets", Name(t) + ".md");
            Assert.True(File.Exists(page), "docs/cmdlets/" + Name(t) + ".md is missing");
            var documented = DocParameters(page);
            foreach (var p in PublicParameterNames(t))
                Assert.True(documented.TryGetValue(p, out var d) && d.Length > 0, Name(t) + " -" + p + " has no description in " + page);
            Assert.Equal(PublicParameterNames(t).OrderBy(s => s), documented.Keys.OrderBy(s => s));
        }
        var pages = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "docs", "cmdlets"), "*.md").Select(Path.GetFileNameWithoutExtension).OrderBy(s => s);
        Assert.Equal(Cmdlets.Select(Name).OrderBy(s => s), pages);
    }

    [Fact]
    public void EachPagesSyntaxMatchesTheParameterSetsOfTheCode()
    {
        foreach (var t in Cmdlets)
        {
            var text = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "cmdlets", Name(t) + ".md")).Replace("\r\n", "\n");
            var syntax = text[text.IndexOf("\n## SYNTAX\n", StringComparison.Ordinal)..text.IndexOf("\n## DESCRIPTION\n", StringComparison.Ordinal)];
            var sets = Regex.Matches(syntax, "### (?<name>[^\n]+)\n```\n(?<line>[^\n]+)\n```")
                .Select(m => (Name: m.Groups["name"].Value.Replace("(Default)", "").Trim(), IsDefault: m.Groups["name"].Value.Contains("(Default)"), Line: m.Groups["line"].Value)).ToList();
            Assert.NotEmpty(sets);
            var all = Parameters(t).ToDictionary(p => p.Name, p => ParameterAttrs(t, p.Name));
            var codeSets = all.Values.SelectMany(a => a).Select(a => a.TryGetValue("ParameterSetName", out var n) ? (string?)n : null).OfType<string>().Distinct().ToList();
            if (codeSets.Count == 0) Assert.Single(sets);
            else
            {
                Assert.Equal(codeSets.OrderBy(x => x), sets.Select(x => x.Name).OrderBy(x => x));
                var declaredDefault = Named(CmdletAttr(t)).TryGetValue("DefaultParameterSetName", out var d) ? (string?)d : null;
                Assert.Equal(declaredDefault, sets.Single(x => x.IsDefault).Name);
            }
            foreach (var set in sets)
            {
                foreach (var (name, attrs) in all)
                {
                    var inSet = codeSets.Count == 0 ? attrs.FirstOrDefault()
                        : attrs.FirstOrDefault(a => a.TryGetValue("ParameterSetName", out var n) && (string?)n == set.Name) ?? attrs.FirstOrDefault(a => !a.ContainsKey("ParameterSetName"));
                    var m = Regex.Match(set.Line, @"(?<pre>\[{0,2})-" + name + @"(?<post>\]?)(?=[\s\]]|$)");
                    if (inSet is null) { Assert.False(m.Success, Name(t) + " " + set.Name + ": -" + name + " is not in this set"); continue; }
                    Assert.True(m.Success, Name(t) + " " + set.Name + ": the syntax line lacks -" + name);
                    var positional = m.Groups["post"].Value == "]" && set.Line[(m.Index + m.Length)..].TrimStart().StartsWith('<');
                    var shownRequired = m.Groups["post"].Value == "]" && !positional ? false : positional ? m.Groups["pre"].Value != "[[" : m.Groups["pre"].Value.Length == 0;
                    Assert.True(IsTrue(inSet, "Mandatory") == shownRequired, Name(t) + " " + set.Name + ": -" + name + (shownRequired ? " is shown required but is optional" : " is shown optional but is mandatory"));
                }
            }
        }
    }

    [Fact]
    public void TheBuiltHelpHasASynopsisAndEveryParameterWithADescription()
    {
        var file = Path.Combine(ModuleOut, "en-US", "LambdaIdentity.PowerShell.dll-Help.xml");
        Assert.True(File.Exists(file), file + " is missing: the build compiles it from docs/cmdlets (LambdaIdentity.HelpGen)");
        var x = XDocument.Load(file);
        Assert.Equal("helpItems", x.Root!.Name.LocalName);
        var commands = x.Root.Elements(Command + "command").ToDictionary(c => c.Element(Command + "details")!.Element(Command + "name")!.Value);
        Assert.Equal(Cmdlets.Select(Name).OrderBy(s => s), commands.Keys.OrderBy(s => s));
        foreach (var t in Cmdlets)
        {
            var c = commands[Name(t)];
            var details = c.Element(Command + "details")!;
            Assert.Equal(Verb(t), details.Element(Command + "verb")!.Value);
            Assert.Equal(Noun(t), details.Element(Command + "noun")!.Value);
            Assert.False(string.IsNullOrWhiteSpace(details.Element(Maml + "description")?.Value), Name(t) + " has no synopsis in the MAML");
            Assert.False(string.IsNullOrWhiteSpace(c.Element(Maml + "description")?.Value), Name(t) + " has no description in the MAML");
            Assert.NotEmpty(c.Element(Command + "syntax")!.Elements(Command + "syntaxItem"));
            Assert.Contains(c.Element(Command + "examples")!.Elements(Command + "example"), e => e.Element("{http://schemas.microsoft.com/maml/dev/2004/10}code")!.Value.Contains(Name(t)));
            var parameters = c.Element(Command + "parameters")!.Elements(Command + "parameter")
                .ToDictionary(p => p.Element(Maml + "name")!.Value, p => p.Element(Maml + "description")?.Value.Trim() ?? "");
            foreach (var p in PublicParameterNames(t))
                Assert.True(parameters.TryGetValue(p, out var d) && d.Length > 0, Name(t) + " -" + p + " has no description in the MAML");
        }
    }

    [Fact]
    public void TheBuiltHelpDeclaresThePipelineInputTheCmdletsAccept()
    {
        var x = XDocument.Load(Path.Combine(ModuleOut, "en-US", "LambdaIdentity.PowerShell.dll-Help.xml"));
        foreach (var t in Cmdlets)
        {
            var c = x.Root!.Elements(Command + "command").Single(e => e.Element(Command + "details")!.Element(Command + "name")!.Value == Name(t));
            var help = c.Element(Command + "parameters")!.Elements(Command + "parameter").ToDictionary(p => p.Element(Maml + "name")!.Value, p => (string)p.Attribute("pipelineInput")!);
            foreach (var p in Parameters(t))
            {
                var attrs = ParameterAttrs(t, p.Name);
                if (attrs.Any(a => IsTrue(a, "ValueFromPipeline"))) Assert.Contains("ByValue", help[p.Name]);
                if (attrs.Any(a => IsTrue(a, "ValueFromPipelineByPropertyName"))) Assert.Contains("ByPropertyName", help[p.Name]);
                if (!attrs.Any(a => IsTrue(a, "ValueFromPipeline") || IsTrue(a, "ValueFromPipelineByPropertyName"))) Assert.Equal("False", help[p.Name]);
            }
        }
    }
}

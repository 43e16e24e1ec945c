using System.Xml.Linq;
using LambdaIdentity.HelpGen;
using Xunit;

namespace LambdaIdentity.Tests.Contract;

/// <summary>The help compiler: platyPS pages in, MAML out, and every gap in a page reported by file and line.</summary>
public sealed class MarkdownHelpReaderTests
{
    private const string Page = """
        ---
        external help file: LambdaIdentity.PowerShell.dll-Help.xml
        Module Name: LambdaIdentity
        ---
        # Get-Thing
        ## SYNOPSIS
        Gets a thing.
        ## SYNTAX
        ### Name (Default)
        ```
        Get-Thing [-Name] <String> [-Quiet] [<CommonParameters>]
        ```
        ## DESCRIPTION
        First paragraph
        over two lines.

        - one item
        - another item
        ## EXAMPLES
        ### Example 1: Get one
        ```powershell
        Get-Thing -Name a
        ```
        Gets a.
        ## PARAMETERS
        ### -Name
        The thing's name.
        ```yaml
        Type: String
        Parameter Sets: (All)
        Aliases: N, ThingName
        Required: True
        Position: 0
        Default value: None
        Accept pipeline input: True (ByPropertyName)
        Accept wildcard characters: False
        ```
        ### -Quiet
        DESCRIPTION_OF_QUIET
        ```yaml
        Type: SwitchParameter
        Parameter Sets: (All)
        Aliases:
        Required: False
        Position: Named
        Default value: False
        Accept pipeline input: False
        Accept wildcard characters: False
        ```
        ## INPUTS
        ### System.String
        ## OUTPUTS
        ### Thing
        A thing.
        ## NOTES
        A note.
        ## RELATED LINKS
        [Online](https://example.org/get-thing)
        [Other-Thing](Other-Thing.md)
        """;

    private static (XDocument Xml, List<string> Problems) Compile(string page)
    {
        var dir = Directory.CreateTempSubdirectory("helpgen-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "Get-Thing.md"), page);
            var (xml, problems) = Program.Compile(dir.FullName);
            return (problems.Count == 0 ? XDocument.Parse(xml) : new XDocument(), problems);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void APageBecomesOneMamlCommand()
    {
        var (x, problems) = Compile(Page);
        Assert.Empty(problems);
        XNamespace maml = "http://schemas.microsoft.com/maml/2004/10", command = "http://schemas.microsoft.com/maml/dev/command/2004/10", dev = "http://schemas.microsoft.com/maml/dev/2004/10";
        var c = Assert.Single(x.Root!.Elements(command + "command"));
        Assert.Equal("Get", c.Descendants(command + "verb").Single().Value);
        Assert.Equal("Thing", c.Descendants(command + "noun").Single().Value);
        Assert.Equal("Gets a thing.", c.Element(command + "details")!.Element(maml + "description")!.Value);
        Assert.Equal(new[] { "First paragraph over two lines.", "- one item", "- another item" }, c.Element(maml + "description")!.Elements(maml + "para").Select(p => p.Value));
        var name = c.Element(command + "parameters")!.Elements(command + "parameter").First();
        Assert.Equal("true", (string)name.Attribute("required")!);
        Assert.Equal("0", (string)name.Attribute("position")!);
        Assert.Equal("True (ByPropertyName)", (string)name.Attribute("pipelineInput")!);
        Assert.Equal("N, ThingName", (string)name.Attribute("aliases")!);
        Assert.Contains("DESCRIPTION_OF_QUIET", c.Element(command + "parameters")!.Value);
        // A switch shows no value in the syntax.
        var syntaxQuiet = c.Descendants(command + "syntaxItem").Single().Elements(command + "parameter").Single(p => p.Element(maml + "name")!.Value == "Quiet");
        Assert.Null(syntaxQuiet.Element(command + "parameterValue"));
        Assert.Equal("Get-Thing -Name a", c.Descendants(dev + "code").Single().Value);
        Assert.Equal("Gets a.", c.Descendants(dev + "remarks").Single().Value.Trim());
        Assert.Equal(new[] { "System.String" }, c.Descendants(command + "inputType").Select(t => t.Descendants(maml + "name").First().Value));
        Assert.Equal(new[] { "https://example.org/get-thing", "" }, c.Descendants(maml + "navigationLink").Select(l => l.Element(maml + "uri")!.Value));
    }

    [Fact]
    public void GapsAreReportedByFileAndLine()
    {
        var page = Page.Replace("DESCRIPTION_OF_QUIET\n", "").Replace("Gets a thing.\n", "");
        var (_, problems) = Compile(page);
        Assert.Contains(problems, p => p.Contains("Get-Thing.md(") && p.Contains("-Quiet has no description"));
        Assert.Contains(problems, p => p.Contains("SYNOPSIS"));
        Assert.All(problems, p => Assert.Contains("error HELP001", p));
    }

    [Fact]
    public void AHeadingThatDiffersFromTheFileNameIsReported()
    {
        var (_, problems) = Compile(Page.Replace("# Get-Thing\n", "# Get-Other\n"));
        Assert.Contains(problems, p => p.Contains("differs from the file name"));
    }
}

namespace LambdaIdentity.HelpGen;

/// <summary>One cmdlet's help as read from its markdown page.</summary>
internal sealed class CommandHelp
{
    public string Name { get; set; } = "";
    public string Verb => Name.Contains('-') ? Name[..Name.IndexOf('-')] : Name;
    public string Noun => Name.Contains('-') ? Name[(Name.IndexOf('-') + 1)..] : "";
    public List<string> Synopsis { get; } = new();
    public List<string> Description { get; } = new();
    /// <summary>Parameter sets in page order: name, default flag, syntax line.</summary>
    public List<SyntaxSet> Syntax { get; } = new();
    public List<ExampleHelp> Examples { get; } = new();
    public List<ParameterHelp> Parameters { get; } = new();
    public List<TypeHelp> Inputs { get; } = new();
    public List<TypeHelp> Outputs { get; } = new();
    public List<string> Notes { get; } = new();
    public List<LinkHelp> Links { get; } = new();
}

internal sealed record SyntaxSet(string Name, bool IsDefault, string Line);

internal sealed class ExampleHelp
{
    public string Title { get; set; } = "";
    public List<string> Code { get; } = new();
    public List<string> Remarks { get; } = new();
}

internal sealed class ParameterHelp
{
    public string Name { get; set; } = "";
    public List<string> Description { get; } = new();
    public string Type { get; set; } = "";
    public List<string> ParameterSets { get; } = new();
    public List<string> Aliases { get; } = new();
    public List<string> AcceptedValues { get; } = new();
    public bool Required { get; set; }
    public string Position { get; set; } = "Named";
    public string DefaultValue { get; set; } = "None";
    public string PipelineInput { get; set; } = "False";
    public bool Globbing { get; set; }
    public int Line { get; set; }

    public bool IsSwitch => Type is "SwitchParameter" or "System.Management.Automation.SwitchParameter";
    public bool AppliesTo(string set) => ParameterSets.Contains("(All)") || ParameterSets.Contains(set, StringComparer.OrdinalIgnoreCase);
}

internal sealed record TypeHelp(string Name, List<string> Description);

internal sealed record LinkHelp(string Text, string Uri);

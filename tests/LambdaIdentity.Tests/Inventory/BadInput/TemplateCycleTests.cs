using Xunit;
using static LambdaIdentity.Tests.Inventory.BadInput.BadInputDir;

namespace LambdaIdentity.Tests.Inventory.BadInput;

/// <summary>Parameters and conditions that refer to themselves, and repeated keys: an error each, the rest read.</summary>
public sealed class TemplateCycleTests
{
    private const string Head = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n";

    [Fact]
    public void ASelfReferencingParameterIsACycleErrorAndTheFunctionStillComesOutIncomplete()
    {
        using var dir = new BadInputDir();
        var bad = dir.File("a-cycle.yaml", Head + "Parameters:\n  P:\n    Type: String\n    Default: !Sub \"${P}\"\nResources:\n"
            + SamFunction("Looped", "!Ref P") + SamFunction("Fine"));
        var good = dir.File("b-good.yaml", Head + "Resources:\n" + SamFunction("Other"));

        var (records, errors) = Read(bad, good);

        Assert.Equal(new[] { "Fine", "Looped", "Other" }, records.Select(r => r.LogicalId).OrderBy(x => x, StringComparer.Ordinal));
        var looped = records.Single(r => r.LogicalId == "Looped");
        Assert.False(looped.IsComplete);
        Assert.Contains(looped.IncompleteReasons, r => r.Contains("P -> P", StringComparison.Ordinal));
        Assert.True(records.Single(r => r.LogicalId == "Fine").IsComplete);
        var e = Assert.Single(errors);
        Assert.Equal("TemplateReferenceCycle", e.ErrorId);
        Assert.Equal(bad, e.Location!.File);
        Assert.Contains("P -> P", e.Message, StringComparison.Ordinal);
        Assert.True(e.Location.Line > 0);

        var (code, cliRecords, err) = RunCli(bad, good);
        Assert.NotEqual(0, code);
        Assert.Equal(3, cliRecords.Count);
        Assert.Contains("TemplateReferenceCycle", err, StringComparison.Ordinal);
    }

    [Fact]
    public void ATwoParameterCycleNamesTheWholeChain()
    {
        using var dir = new BadInputDir();
        var bad = dir.File("cycle.yaml", Head + "Parameters:\n  A:\n    Type: String\n    Default: !Join ['-', [x, !Ref B]]\n  B:\n    Type: String\n    Default: !Sub '${A}-y'\nResources:\n"
            + SamFunction("Fn", "!Sub '${A}-fn'"));

        var (records, errors) = Read(bad);

        Assert.False(Assert.Single(records).IsComplete);
        var e = Assert.Single(errors);
        Assert.Equal("TemplateReferenceCycle", e.ErrorId);
        Assert.Contains("A -> B -> A", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AConditionCycleIsAnErrorNamingTheChain()
    {
        using var dir = new BadInputDir();
        var bad = dir.File("cond.yaml", Head + "Conditions:\n  C1: !Not [!Condition C2]\n  C2: !And [!Condition C1, !Equals [a, a]]\nResources:\n"
            + SamFunction("Guarded").Replace("    Type:", "    Condition: C1\n    Type:") + SamFunction("Plain"));

        var (records, errors) = Read(bad);

        Assert.Equal(2, records.Count);
        Assert.False(records.Single(r => r.LogicalId == "Guarded").IsComplete);
        Assert.True(records.Single(r => r.LogicalId == "Plain").IsComplete);
        var e = Assert.Single(errors);
        Assert.Equal("TemplateReferenceCycle", e.ErrorId);
        Assert.Contains("C1 -> C2 -> C1", e.Message, StringComparison.Ordinal);
    }

    private static string Chain(int length)
    {
        var sb = new System.Text.StringBuilder(Head + "Parameters:\n");
        for (int i = 0; i < length; i++) sb.Append($"  P{i}:\n    Type: String\n    Default: !Sub '${{P{i + 1}}}'\n");
        return sb.Append($"  P{length}:\n    Type: String\n    Default: deep\nResources:\n").Append(SamFunction("Deep", "!Ref P0")).Append(SamFunction("Shallow")).ToString();
    }

    [Fact]
    public void AChainOfParametersResolvesAndAnEndlessOneIsAnErrorNotAStackOverflow()
    {
        // Each parameter defined by the next, the last a literal: 200 deep resolves; 20,000 deep is cut with an error.
        using var dir = new BadInputDir();
        var (records, errors) = Read(dir.File("deep.yaml", Chain(200)));
        Assert.Empty(errors);
        Assert.Equal(new[] { "Shallow", "deep" }, records.Select(r => r.FunctionName));

        (records, errors) = Read(dir.File("deeper.yaml", Chain(20_000)));
        Assert.Equal(new[] { "Deep", "Shallow" }, records.Select(r => r.FunctionName));
        Assert.False(records[0].IsComplete);
        Assert.True(records[1].IsComplete);
        var e = Assert.Single(errors);
        Assert.Equal("TemplateFunctionUnreadable", e.ErrorId);
        Assert.Contains("more than 256 other parameters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARepeatedResourceKeyIsAnErrorAtItsLineAndTheFirstDefinitionIsKept()
    {
        using var dir = new BadInputDir();
        var text = Head + "Resources:\n" + SamFunction("Twice", "first-name") + SamFunction("Other") + SamFunction("Twice", "second-name");
        var file = dir.File("dup.yaml", text);
        var secondLine = text.Split('\n').Select((l, i) => (l, i)).Where(x => x.l == "  Twice:").Skip(1).First().i + 1;

        var (records, errors) = Read(file);

        Assert.Equal(new[] { "Other", "first-name" }, records.Select(r => r.FunctionName));
        var e = Assert.Single(errors);
        Assert.Equal("TemplateDuplicateKey", e.ErrorId);
        Assert.Equal(secondLine, e.Location!.Line);
        Assert.Contains("'Twice'", e.Message, StringComparison.Ordinal);

        var (code, cliRecords, err) = RunCli(file);
        Assert.NotEqual(0, code);
        Assert.Equal(2, cliRecords.Count);
        Assert.Contains("TemplateDuplicateKey", err, StringComparison.Ordinal);
    }

    [Fact]
    public void ARepeatedKeyInAJsonTemplateIsAnErrorToo()
    {
        using var dir = new BadInputDir();
        const string fn = "{\"Type\":\"AWS::Lambda::Function\",\"Properties\":{\"Role\":\"arn:aws:iam::123456789012:role/r\",\"FunctionName\":\"NAME\"}}";
        var file = dir.File("dup.json", "{\"AWSTemplateFormatVersion\":\"2010-09-09\",\"Resources\":{\n\"A\":" + fn.Replace("NAME", "one") + ",\n\"A\":" + fn.Replace("NAME", "two") + "}}");

        var (records, errors) = Read(file);

        Assert.Equal("one", Assert.Single(records).FunctionName);
        var e = Assert.Single(errors, x => x.ErrorId == "TemplateDuplicateKey");
        Assert.Equal(3, e.Location!.Line);
    }

    [Fact]
    public void AMergeKeyFollowedByAnExplicitKeyIsNoDuplicate()
    {
        using var dir = new BadInputDir();
        var file = dir.File("merge.yaml", Head + "Resources:\n  Base: &base\n    Type: AWS::Serverless::Function\n    Properties: &props\n      Runtime: python3.12\n      Handler: a.b\n      FunctionName: base\n"
            + "  Derived:\n    Type: AWS::Serverless::Function\n    Properties:\n      <<: *props\n      FunctionName: derived\n");

        var (records, errors) = Read(file);

        Assert.Empty(errors);
        Assert.Equal(new[] { "base", "derived" }, records.Select(r => r.FunctionName));
    }
}

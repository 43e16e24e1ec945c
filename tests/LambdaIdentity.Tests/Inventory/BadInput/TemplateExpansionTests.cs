using Xunit;
using static LambdaIdentity.Tests.Inventory.BadInput.BadInputDir;

namespace LambdaIdentity.Tests.Inventory.BadInput;

/// <summary>Fn::ForEach, nested stacks and serverless applications: records, or errors naming what was not read.</summary>
public sealed class TemplateExpansionTests
{
    private const string Head = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\n";

    [Fact]
    public void ForEachMakesOneFunctionPerValue()
    {
        using var dir = new BadInputDir();
        var file = dir.File("loop.yaml", Head + "Parameters:\n  Names:\n    Type: CommaDelimitedList\n    Default: orders,billing\nResources:\n"
            + "  Fn::ForEach::Fns:\n    - Name\n    - !Ref Names\n    - '&{Name}Function':\n        Type: AWS::Serverless::Function\n        Properties:\n          Runtime: python3.12\n          Handler: a.b\n          FunctionName: !Sub 'app-${Name}'\n"
            + "          Policies:\n            - DynamoDBReadPolicy:\n                TableName: !Ref Name\n"
            + SamFunction("Plain"));

        var (records, errors) = Read(file);

        Assert.Empty(errors);
        Assert.Equal(new[] { "Plain", "app-billing", "app-orders" }, records.Select(r => r.FunctionName));
        Assert.Equal(new[] { "billingFunction", "ordersFunction" }, records.Where(r => r.FunctionName.StartsWith("app-", StringComparison.Ordinal)).Select(r => r.LogicalId));
        var orders = records.Single(r => r.FunctionName == "app-orders");
        Assert.Contains(orders.ExecutionRole!.Policies.SelectMany(p => p.Statement).SelectMany(s => s.Resource), r => r.Contains("table/orders", StringComparison.Ordinal));
    }

    [Fact]
    public void AForEachWhoseCollectionIsUnknownIsAnErrorNamingTheLoop()
    {
        using var dir = new BadInputDir();
        var file = dir.File("loop.yaml", Head + "Parameters:\n  Names:\n    Type: CommaDelimitedList\nResources:\n"
            + "  Fn::ForEach::Fns:\n    - Name\n    - !Ref Names\n    - '${Name}Fn':\n        Type: AWS::Serverless::Function\n        Properties:\n          Handler: a.b\n"
            + SamFunction("Plain"));

        var (records, errors) = Read(file);

        Assert.Equal("Plain", Assert.Single(records).LogicalId);
        var e = Assert.Single(errors);
        Assert.Equal("TemplateForEachUnreadable", e.ErrorId);
        Assert.Contains("Fn::ForEach::Fns", e.Message, StringComparison.Ordinal);
        Assert.Equal(8, e.Location!.Line); // where the loop's [Identifier, Collection, body] list starts
    }

    [Fact]
    public void ANestedStackByLocalPathIsReadAndRemoteOnesAreErrorsNamingThem()
    {
        using var dir = new BadInputDir();
        dir.File("nested/child.yaml", Head + "Resources:\n" + SamFunction("Child") + "  Again:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ../parent.yaml\n");
        var parent = dir.File("parent.yaml", Head + "Resources:\n" + SamFunction("Parent")
            + "  Local:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: nested/child.yaml\n"
            + "  Remote:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: https://s3.amazonaws.com/bucket/stack.yaml\n"
            + "  App:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location:\n        ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/thumbnails\n        SemanticVersion: 1.0.0\n");

        var (records, errors) = Read(parent);

        Assert.Equal(new[] { "Child", "Parent" }, records.Select(r => r.LogicalId));
        Assert.All(errors, e => Assert.Equal("TemplateNestedStackNotRead", e.ErrorId));
        Assert.Contains(errors, e => e.Message.Contains("'Remote' (https://s3.amazonaws.com/bucket/stack.yaml)", StringComparison.Ordinal) && e.Location!.File == parent);
        Assert.Contains(errors, e => e.Message.Contains("'App' (arn:aws:serverlessrepo:us-east-1:123456789012:applications/thumbnails@1.0.0)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("'Again'", StringComparison.Ordinal) && e.Message.Contains("nests itself", StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);

        var (code, cli, err) = RunCli(parent);
        Assert.NotEqual(0, code);
        Assert.Equal(2, cli.Count);
        Assert.Contains("TemplateNestedStackNotRead", err, StringComparison.Ordinal);
    }
}

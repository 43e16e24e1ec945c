using LambdaIdentity.Cli;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Inventory;

public sealed class InventoryVerbTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr, new StringReader(""));
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string Surfaces => Path.Combine(TestPaths.Fixtures, "inventory", "sam-template-surfaces.yaml");

    [Fact]
    public void JsonOutputIsTheModelContractAndHonoursParameters()
    {
        var (code, stdout, stderr) = Run("inventory", "--path", Surfaces, "--parameter", "Stage=prod", "BucketName=invoices", "--region", "eu-west-1", "--format", "json");
        Assert.Equal(0, code);
        var records = ModelJson.Read<LambdaFunctionIdentity>(stdout);
        Assert.Equal(new[] { "HttpFunction", "orders-prod" }, records.Select(r => r.FunctionName));
        Assert.Equal("arn:aws:lambda:eu-west-1:${AWS::AccountId}:function:orders-prod", records[1].FunctionArn);
        Assert.Contains("progress:", stderr);
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", stdout + stderr);
        Assert.DoesNotContain("hunter2", stdout + stderr);
    }

    [Fact]
    public void TableOutputHasOneLinePerFunction()
    {
        var (code, stdout, _) = Run("inventory", "--path", Surfaces);
        Assert.Equal(0, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("FunctionName", lines[0]);
        Assert.Contains("UrlAuth", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("orders-dev") && l.Contains("NONE"));
    }

    [Fact]
    public void BadInputIsReportedOnStderrWithExitCodeTwoAndGoodRecordsStillWritten()
    {
        var bad = Path.Combine(Path.GetTempPath(), "li-cli-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(bad, "{ \"Functions\": [ ");
        var (code, stdout, stderr) = Run("inventory", "--path", bad, Surfaces, "--format", "json");
        Assert.Equal(2, code);
        Assert.Equal(2, ModelJson.Read<LambdaFunctionIdentity>(stdout).Count);
        Assert.Contains("error: JsonSourceMalformed", stderr);
        Assert.Contains(bad + ":1:", stderr);
    }

    [Fact]
    public void AParameterWithoutEqualsIsABadArgument()
    {
        var (code, _, stderr) = Run("inventory", "--path", Surfaces, "--parameter", "Stage");
        Assert.Equal(64, code);
        Assert.Contains("K=V", stderr);
    }
}

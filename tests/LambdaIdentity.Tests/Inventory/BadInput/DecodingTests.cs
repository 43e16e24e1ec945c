using System.Text;
using Xunit;
using static LambdaIdentity.Tests.Inventory.BadInput.BadInputDir;

namespace LambdaIdentity.Tests.Inventory.BadInput;

/// <summary>Byte order marks and invalid text: UTF-16 reads, one bad byte or escape costs only the function it is in.</summary>
public sealed class DecodingTests
{
    private const string Head = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n";

    /// <summary>A ListFunctions export (the AWS CLI's shape) of the given function names, one per line.</summary>
    private static string ListFunctions(params string[] names) =>
        "{\n  \"Functions\": [\n" + string.Join(",\n", names.Select(n =>
            $"    {{ \"FunctionName\": \"{n}\", \"FunctionArn\": \"arn:aws:lambda:eu-west-1:123456789012:function:{n}\", \"Runtime\": \"python3.12\", \"Role\": \"arn:aws:iam::123456789012:role/r\" }}")) + "\n  ]\n}\n";

    [Theory]
    [InlineData("utf-16le")]
    [InlineData("utf-16be")]
    [InlineData("utf-8-bom")]
    public void AFileWithAByteOrderMarkIsRead(string encoding)
    {
        using var dir = new BadInputDir();
        Encoding enc = encoding switch { "utf-16le" => new UnicodeEncoding(false, true), "utf-16be" => new UnicodeEncoding(true, true), _ => new UTF8Encoding(true) };
        var json = dir.Bytes("functions.json", enc.GetPreamble().Concat(enc.GetBytes(ListFunctions("orders", "billing"))).ToArray());
        var yaml = dir.Bytes("template.yaml", enc.GetPreamble().Concat(enc.GetBytes(Head + SamFunction("Fn", "caf\u00e9-fn"))).ToArray());

        var (records, errors) = Read(json, yaml);

        Assert.Empty(errors);
        Assert.Equal(new[] { "billing", "café-fn", "orders" }, records.Select(r => r.FunctionName));
        var (code, cli, _) = RunCli(json, yaml);
        Assert.Equal(0, code);
        Assert.Equal(3, cli.Count);
    }

    [Fact]
    public void AnInvalidUtf8ByteCostsOnlyTheFunctionItIsIn()
    {
        using var dir = new BadInputDir();
        var text = Encoding.UTF8.GetBytes(ListFunctions("first", "BAD", "last"));
        var at = IndexOf(text, "BAD");
        text[at + 1] = 0xFF; // "B\xFFD"
        var file = dir.Bytes("functions.json", text);

        var (records, errors) = Read(file);

        Assert.Equal(3, records.Count);
        Assert.False(TextInvalid(records.Single(r => r.FunctionName == "first")));
        Assert.False(TextInvalid(records.Single(r => r.FunctionName == "last")));
        var bad = records.Single(r => r.FunctionName.StartsWith("B", StringComparison.Ordinal));
        Assert.True(TextInvalid(bad));
        Assert.False(bad.IsComplete);
        var e = Assert.Single(errors);
        Assert.Equal("InventoryTextInvalid", e.ErrorId);
        Assert.Equal(file, e.Location!.File);
        Assert.Equal(4, e.Location.Line);
        Assert.Contains("0xFF", e.Message, StringComparison.Ordinal);

        var (code, cli, err) = RunCli(file);
        Assert.NotEqual(0, code);
        Assert.Equal(3, cli.Count);
        Assert.Contains("InventoryTextInvalid", err, StringComparison.Ordinal);
    }

    [Fact]
    public void ALoneSurrogateEscapeCostsOnlyTheFunctionItIsIn()
    {
        using var dir = new BadInputDir();
        var file = dir.File("functions.json", ListFunctions("first", "bad\\ud800name", "pair\\ud83d\\ude00ok", "last"));

        var (records, errors) = Read(file);

        Assert.Equal(4, records.Count);
        Assert.False(TextInvalid(records.Single(r => r.FunctionName == "last")));
        Assert.False(TextInvalid(records.Single(r => r.FunctionName == "pair\U0001F600ok")));
        Assert.True(TextInvalid(records.Single(r => r.FunctionName == "bad\uFFFDname")));
        Assert.Equal(2, errors.Count); // the name and the ARN on line 4 each hold the escape
        Assert.All(errors, e =>
        {
            Assert.Equal("InventoryTextInvalid", e.ErrorId);
            Assert.Equal(4, e.Location!.Line);
            Assert.Contains("\\ud800", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void AnUnpairedSurrogateInUtf16IsAnErrorAtItsLine()
    {
        using var dir = new BadInputDir();
        var chars = (Head + SamFunction("Good") + SamFunction("Bad", "bad-X")).Replace("bad-X", "bad-\uD800");
        var bytes = new byte[] { 0xFF, 0xFE }.Concat(chars.SelectMany(c => new[] { (byte)(c & 0xFF), (byte)(c >> 8) })).ToArray();
        var file = dir.Bytes("t.yaml", bytes);

        var (records, errors) = Read(file);

        Assert.Equal(2, records.Count);
        Assert.True(records.Single(r => r.LogicalId == "Good").IsComplete);
        Assert.False(records.Single(r => r.LogicalId == "Bad").IsComplete);
        var e = Assert.Single(errors);
        Assert.Equal("InventoryTextInvalid", e.ErrorId);
        Assert.Equal(chars.Split('\n').ToList().FindIndex(l => l.Contains('\uD800')) + 1, e.Location!.Line);
    }

    /// <summary>The record is incomplete because of invalid text (a record read from a function list alone is incomplete anyway: no role policies).</summary>
    private static bool TextInvalid(LambdaIdentity.Model.LambdaFunctionIdentity r) => r.IncompleteReasons.Any(x => x.Contains("InventoryTextInvalid", StringComparison.Ordinal));

    private static int IndexOf(byte[] haystack, string needle)
    {
        var n = Encoding.UTF8.GetBytes(needle);
        for (int i = 0; i + n.Length <= haystack.Length; i++) if (haystack.AsSpan(i, n.Length).SequenceEqual(n)) return i;
        throw new InvalidOperationException(needle + " not found");
    }
}

using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;

namespace LambdaIdentity.Tests.Policy;

internal static class P
{
    /// <summary>Parses a policy written in tests with single quotes for readability.</summary>
    public static PolicyDocument Doc(string json, PolicyKind kind = PolicyKind.Inline, string name = "test")
    {
        var errors = new ErrorCollector();
        var d = PolicyParser.ParseText(json.Replace('\'', '"'), kind, name, new SourceLocation { File = name + ".json" }, errors);
        Xunit.Assert.True(d is not null, string.Join("; ", errors.Errors));
        return d!;
    }
}

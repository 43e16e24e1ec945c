using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources;

internal static partial class AwsJsonSources
{
    /// <summary>
    /// A policy document as authorization details hold it: an object (AWS CLI decodes them) or a string,
    /// URL-encoded when it comes from the IAM API as AWS Tools for PowerShell leaves it.
    /// </summary>
    private static PolicyDocument? Policy(JsonElement e, PolicyKind kind, string name, SourceLocation loc, IErrorSink errors, string? arn = null)
        => e.ValueKind == JsonValueKind.String ? PolicyText(e.GetString() ?? "", kind, name, loc, errors, arn) : PolicyParser.Parse(e, kind, name, loc, errors, arn);

    /// <summary>A document given as a string: decoded first when it is URL-encoded (it then starts with %, as "%7B...").</summary>
    internal static PolicyDocument? PolicyText(string text, PolicyKind kind, string name, SourceLocation loc, IErrorSink errors, string? arn = null)
        => PolicyParser.ParseText(text, kind, name, loc, errors, urlEncoded: text.TrimStart().StartsWith("%", StringComparison.Ordinal), policyArn: arn);

    private static IEnumerable<(JsonElement Item, int Index)> Items(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var list) || list.ValueKind != JsonValueKind.Array) yield break;
        int i = 0;
        foreach (var e in list.EnumerateArray()) yield return (e, i++);
    }
}

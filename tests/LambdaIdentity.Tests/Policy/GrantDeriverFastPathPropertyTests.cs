using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Policy;

/// <summary>
/// The grant deriver's fast path (GrantDeriver.FastPath.cs: policies of Allows without Condition or NotResource and
/// unconditional denies on every resource) against its general path, on generated policies. The general path is forced
/// by one more statement, an Allow with a Condition on an action outside the vocabulary, whose records are then dropped
/// from both sides; everything else the two derive must be equal, field by field (as JSON).
/// </summary>
public sealed class GrantDeriverFastPathPropertyTests
{
    private const string Sentinel = "ec2:DescribeRegions";
    private const string ForceGeneral = "{\"Sid\":\"ForceGeneralPath\",\"Effect\":\"Allow\",\"Action\":\"" + Sentinel + "\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}}";

    private static readonly string[] ActionPatterns =
    {
        "s3:GetObject", "s3:PutObject", "s3:ListBucket", "S3:getobject", "sqs:SendMessage", "dynamodb:GetItem", "dynamodb:PutItem", "kms:Decrypt",
        "s3:*", "s3:Get*", "s3:?etObject", "dynamodb:*Item", "sqs:*", "lambda:Invoke*", "*", "s3:NoSuchAction", "iam:PassRole",
    };
    private static readonly string[] ResourcePatterns =
    {
        "*", "arn:aws:s3:::data", "arn:aws:s3:::data/*", "arn:aws:s3:::data/?", "arn:aws:sqs:eu-west-1:111122223333:q",
        "arn:aws:sqs:*:111122223333:*", "arn:aws:dynamodb:eu-west-1:111122223333:table/t", "arn:aws:kms:eu-west-1:111122223333:key/k",
    };

    private static string List(IEnumerable<string> items) => "[" + string.Join(",", items.Select(i => JsonSerializer.Serialize(i))) + "]";

    private static Gen<string> Allow =>
        from actions in Gen.NonEmptyListOf(Gen.Elements(ActionPatterns))
        from notAction in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        from resources in Gen.NonEmptyListOf(Gen.Elements(ResourcePatterns))
        from noResource in Gen.Frequency((6, Gen.Constant(false)), (1, Gen.Constant(true)))
        select "{\"Effect\":\"Allow\",\"" + (notAction ? "NotAction" : "Action") + "\":" + List(actions.Take(notAction ? 2 : 4).Where(a => !notAction || a != "*"))
               + (noResource ? "" : ",\"Resource\":" + List(resources.Take(3))) + "}";

    // The denies the fast path accepts: unconditional, on every resource (Resource "*" or none).
    private static Gen<string> Deny =>
        from actions in Gen.NonEmptyListOf(Gen.Elements(ActionPatterns))
        from notAction in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
        from star in Gen.Elements(true, false)
        select "{\"Effect\":\"Deny\",\"" + (notAction ? "NotAction" : "Action") + "\":" + List(actions.Take(2).Where(a => !notAction || a != "*"))
               + (star ? ",\"Resource\":\"*\"" : "") + "}";

    private static Gen<string[]> Document =>
        from statements in Gen.NonEmptyListOf(Gen.Frequency((4, Allow), (1, Deny)))
        select statements.Take(6).Where(s => !s.Contains("\"NotAction\":[]", StringComparison.Ordinal)).ToArray();

    private static Gen<string[][]> Policies => from docs in Gen.NonEmptyListOf(Document) select docs.Take(3).ToArray();

    private static PolicyDocument Parse(IEnumerable<string> statements, int index)
    {
        var errors = new ErrorCollector();
        return PolicyParser.ParseText("{\"Version\":\"2012-10-17\",\"Statement\":[" + string.Join(",", statements) + "]}", PolicyKind.Inline, "p" + index, null, errors)
            ?? throw new InvalidOperationException("generated policy did not parse: " + string.Join("; ", errors.Errors.Select(e => e.Message)));
    }

    private static string Json(IEnumerable<EffectiveGrant> grants) => JsonSerializer.Serialize(grants.Where(g => g.Action != Sentinel).ToList());

    private static (string Fast, string General) BothPaths(string[][] docs, bool incomplete)
    {
        // Fresh documents for each call: the deriver memoises per document.
        var fast = GrantDeriver.Default.Derive(docs.Select((d, i) => Parse(d, i)).ToList(), null, incomplete, EngineContext.None);
        var withSentinel = docs.Select((d, i) => Parse(i == docs.Length - 1 ? d.Append(ForceGeneral) : d, i)).ToList();
        var general = GrantDeriver.Default.Derive(withSentinel, null, incomplete, EngineContext.None);
        return (Json(fast), Json(general));
    }

    [Trait("Category", "Slow")] // tens of seconds: skipped by the everyday run (--filter "Category!=Slow"), run by CI
    [Fact]
    public void FastPathAgreesWithTheGeneralPathOnGeneratedPolicies()
    {
        var property = Prop.ForAll(Policies.ToArbitrary(), Gen.Elements(true, false).ToArbitrary(), (docs, incomplete) =>
        {
            var (fast, general) = BothPaths(docs, incomplete);
            return (fast == general).Label("policies:\n" + string.Join("\n", docs.Select(d => string.Join(",", d))) + "\nfast:    " + fast + "\ngeneral: " + general);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    // The property can fail: a policy whose fast-path grants differ from the general path's is told apart (the comparison
    // is not vacuous), and the sentinel really forces the general path (a conditional Allow is never on the fast path).
    [Fact]
    public void TheComparisonSeesADifferenceAndTheSentinelIsDropped()
    {
        var a = new[] { new[] { "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::data/*\"}" } };
        var b = new[] { new[] { "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::other/*\"}" } };
        Assert.NotEqual(BothPaths(a, false).Fast, BothPaths(b, false).General);
        var (fast, general) = BothPaths(a, false);
        Assert.Equal(fast, general);
        Assert.DoesNotContain(Sentinel, general, StringComparison.Ordinal);
        Assert.Contains("arn:aws:s3:::data/*", fast, StringComparison.Ordinal);
        // With the sentinel the grant of the conditional statement exists before it is dropped: the general path ran.
        var raw = GrantDeriver.Default.Derive(new[] { Parse(a[0].Append(ForceGeneral), 0) }, null, false, EngineContext.None);
        Assert.Single(raw, g => g.Action == Sentinel && g.Conditions.Count == 1);
    }
}

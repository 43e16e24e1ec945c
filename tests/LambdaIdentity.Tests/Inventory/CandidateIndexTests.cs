using System.Text.RegularExpressions;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using Xunit;

namespace LambdaIdentity.Tests.Inventory;

/// <summary>
/// The inventory files principals by the literal prefix of their resource patterns and only evaluates those whose
/// prefix starts a function's ARN: sound only if every ARN a pattern matches starts with that prefix.
/// </summary>
public class CandidateIndexTests
{
    [Fact]
    public void EveryArnAResourcePatternMatchesStartsWithItsLiteralPrefix()
    {
        // Every resource pattern written in the shared authorization-details files, against ARNs built from them.
        var patterns = Directory.GetFiles(TestPaths.Shared("authz-details"), "*.json")
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), "\"(arn:[^\"]*)\"").Select(m => Regex.Unescape(m.Groups[1].Value)))
            .Concat(new[] { "*", "arn:aws:lambda:*:111122223333:function:dev-order*", "arn:aws:lambda:eu-west-1:123456789012:function:svc?-*", "arn:aws:s3:::${aws:username}/*" })
            .Distinct().ToList();
        Assert.True(patterns.Count > 100, "only " + patterns.Count + " patterns found");
        var rng = new Random(7);
        var arns = patterns.SelectMany(p => new[]
        {
            p.Replace("*", "x").Replace("?", "y"),
            p.Replace("*", "").Replace("?", "z"),
            p.Replace("*", "a:b/c-" + rng.Next(1000)),
            "arn:aws:lambda:eu-west-1:123456789012:function:" + (p.Length > 20 ? p.Substring(p.Length - 8).Replace("*", "f") : "fn"),
        }).Distinct().ToList();
        var checkedPairs = 0;
        foreach (var p in patterns)
        {
            var prefix = AccountAuthorization.LiteralPrefix(p);
            foreach (var a in arns.Where(a => Wildcard.MatchResource(p, a)))
            {
                checkedPairs++;
                Assert.True(a.StartsWith(prefix, StringComparison.Ordinal), p + " matches " + a + " which does not start with " + prefix);
            }
        }
        Assert.True(checkedPairs > patterns.Count, "too few matching pairs: " + checkedPairs);
    }
}

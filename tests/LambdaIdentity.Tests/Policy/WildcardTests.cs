using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Core.Translation;
using Xunit;

namespace LambdaIdentity.Tests.Policy;

/// <summary>
/// The engine's one glob matcher (Wildcard.Match): IAM action and resource patterns, the rules' action and condition-key
/// patterns (AwsPattern), Azure operation patterns (AzureOperationPattern) and resource-map patterns all go through it.
/// </summary>
public sealed class WildcardTests
{
    private static readonly char[] Alphabet = { 'a', 'B', 'b', ':', '/', '*', '?' };

    // The reference: a regular expression over the whole text ('*' any run, '?' one character when it is a wildcard).
    private static bool Reference(string pattern, string text, bool ignoreCase, bool questionMarkIsWildcard)
    {
        var rx = "^" + string.Concat(pattern.Select(c => c == '*' ? ".*" : c == '?' && questionMarkIsWildcard ? "." : Regex.Escape(c.ToString()))) + "$";
        return Regex.IsMatch(text, rx, RegexOptions.Singleline | RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None));
    }

    private static Gen<string> Text(int max) => from cs in Gen.ListOf(Gen.Elements(Alphabet)) select new string(cs.Take(max).ToArray());

    [Fact]
    public void MatchAgreesWithARegularExpressionReference()
    {
        var cases = from pattern in Text(8) from text in Text(10) from ignoreCase in Gen.Elements(true, false) from question in Gen.Elements(true, false)
                    select (pattern, text, ignoreCase, question);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), Prop.ForAll(cases.ToArbitrary(), c =>
            (Wildcard.Match(c.pattern, c.text, c.ignoreCase, c.question) == Reference(c.pattern, c.text, c.ignoreCase, c.question))
                .Label("pattern '" + c.pattern + "' text '" + c.text + "' ignoreCase " + c.ignoreCase + " '?' wildcard " + c.question)));
    }

    [Theory]
    [InlineData("s3:Get*", "S3:GETOBJECT", true)]
    [InlineData("s3:?etObject", "s3:GetObject", true)]
    [InlineData("sqs:*", "sns:Publish", false)]
    [InlineData("aws:SourceVpc*", "aws:sourcevpce", true)]
    public void RulePatternsAreIamPatterns(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, AwsPattern.Matches(pattern, value));
        Assert.Equal(expected, Wildcard.Match(pattern, value, ignoreCase: true));
    }

    [Fact]
    public void ResourceMapPatternsAreCaseSensitive()
    {
        Assert.True(AwsPattern.Matches("arn:aws:s3:::orders-*", "arn:aws:s3:::orders-eu", ignoreCase: false));
        Assert.False(AwsPattern.Matches("arn:aws:s3:::orders-*", "arn:aws:s3:::Orders-eu", ignoreCase: false));
    }

    [Theory]
    [InlineData("Microsoft.Storage/*/read", "microsoft.storage/storageAccounts/blobServices/containers/read", true)]
    [InlineData("*", "Microsoft.Web/sites/host/listkeys/action", true)]
    [InlineData("Microsoft.Web/sites/?", "Microsoft.Web/sites/a", false)] // '?' is no wildcard in Azure operations
    [InlineData("Microsoft.Web/sites/?", "Microsoft.Web/sites/?", true)]
    public void AzureOperationPatternsTreatOnlyTheStarAsAWildcard(string pattern, string operation, bool expected)
        => Assert.Equal(expected, AzureOperationPattern.Matches(pattern, operation));

    [Fact]
    public void EveryBuiltInRoleStillGrantsWhatItsOwnPatternsName()
    {
        // Real data: each literal operation a built-in role lists (and does not exclude) is allowed by that role.
        var checkedOps = 0;
        foreach (var role in AzureRoleCatalog.Default.Roles)
            foreach (var p in role.Permissions)
            {
                foreach (var a in p.Actions.Where(a => a.IndexOf('*') < 0 && !p.NotActions.Any(n => AzureOperationPattern.Matches(n, a)))) { Assert.True(role.Allows(a, false), role + " " + a); checkedOps++; }
            }
        Assert.True(checkedOps > 1000, "only " + checkedOps + " operations checked");
    }
}

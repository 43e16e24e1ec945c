using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Policy;

public sealed class ConditionEvaluatorTests
{
    private static bool Eval(string op, string key, string[] values, RequestContext ctx, bool vars = true)
        => ConditionEvaluator.Evaluate(new PolicyCondition { Operator = op, Key = key, Values = values }, ctx, vars);

    private static RequestContext Ctx(string key, params string[] values) => new RequestContext().Set(key, values);

    [Theory]
    [InlineData("StringEquals", "abc", "abc", true)]
    [InlineData("StringEquals", "abc", "ABC", false)]
    [InlineData("StringNotEquals", "abc", "abd", true)]
    [InlineData("StringEqualsIgnoreCase", "abc", "ABC", true)]
    [InlineData("StringNotEqualsIgnoreCase", "abc", "ABC", false)]
    [InlineData("StringLike", "home/*/x?", "home/alice/x1", true)]
    [InlineData("StringNotLike", "home/*", "work/a", true)]
    [InlineData("NumericEquals", "10", "10.0", true)]
    [InlineData("NumericNotEquals", "10", "11", true)]
    [InlineData("NumericLessThan", "10", "9", true)]
    [InlineData("NumericLessThanEquals", "10", "10", true)]
    [InlineData("NumericGreaterThan", "10", "10", false)]
    [InlineData("NumericGreaterThanEquals", "10", "11", true)]
    [InlineData("NumericEquals", "10", "ten", false)]
    [InlineData("DateLessThan", "2026-01-01T00:00:00Z", "2025-12-31T23:59:59Z", true)]
    [InlineData("DateGreaterThan", "2026-01-01T00:00:00Z", "1767225601", true)]
    [InlineData("DateEquals", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00", true)]
    [InlineData("DateNotEquals", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", true)]
    [InlineData("DateLessThanEquals", "2026-01-01", "2026-01-01T00:00:00Z", true)]
    [InlineData("DateGreaterThanEquals", "2026-01-01T00:00:00Z", "2025-01-01T00:00:00Z", false)]
    [InlineData("Bool", "true", "TRUE", true)]
    [InlineData("Bool", "false", "true", false)]
    [InlineData("BinaryEquals", "QmluYXJ5VmFsdWU=", "QmluYXJ5VmFsdWU=", true)]
    [InlineData("IpAddress", "10.0.0.0/8", "10.1.2.3", true)]
    [InlineData("IpAddress", "10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("IpAddress", "203.0.113.7", "203.0.113.7", true)]
    [InlineData("IpAddress", "2001:db8::/32", "2001:db8:1::5", true)]
    [InlineData("NotIpAddress", "2001:db8::/32", "2001:db9::1", true)]
    [InlineData("ArnEquals", "arn:aws:sns:*:123456789012:topic", "arn:aws:sns:us-east-1:123456789012:topic", true)]
    [InlineData("ArnLike", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b", true)]
    [InlineData("ArnLike", "arn:aws:sns:*:123456789012:*", "arn:aws:sns:us-east-1:999999999999:t", false)]
    [InlineData("ArnNotLike", "arn:aws:s3:::bucket/*", "arn:aws:s3:::other/a", true)]
    [InlineData("ArnNotEquals", "arn:aws:iam::1:role/a", "arn:aws:iam::1:role/a", false)]
    public void EveryOperatorFamilyComparesAsAwsDocuments(string op, string policy, string request, bool expected)
        => Assert.Equal(expected, Eval(op, "k", new[] { policy }, Ctx("k", request)));

    [Fact]
    public void KeyNamesAreCaseInsensitiveAndValuesOfOneKeyAreOred()
    {
        Assert.True(Eval("StringEquals", "AWS:SourceVpc", new[] { "vpc-1", "vpc-2" }, Ctx("aws:sourcevpc", "vpc-2")));
        Assert.False(Eval("StringNotEquals", "aws:SourceVpc", new[] { "vpc-1", "vpc-2" }, Ctx("aws:SourceVpc", "vpc-2")));
    }

    [Fact]
    public void MissingKeysFollowTheDocumentedRules()
    {
        var none = new RequestContext();
        Assert.False(Eval("StringEquals", "k", new[] { "a" }, none));
        Assert.True(Eval("StringNotEquals", "k", new[] { "a" }, none));   // negated operators hold when the key is absent
        Assert.True(Eval("StringEqualsIfExists", "k", new[] { "a" }, none));
        Assert.False(Eval("StringEqualsIfExists", "k", new[] { "a" }, Ctx("k", "b")));
        Assert.True(Eval("Null", "k", new[] { "true" }, none));
        Assert.False(Eval("Null", "k", new[] { "true" }, Ctx("k", "v")));
        Assert.True(Eval("Null", "k", new[] { "false" }, Ctx("k", "v")));
        Assert.True(Eval("ForAllValues:StringEquals", "k", new[] { "a" }, none));
        Assert.False(Eval("ForAnyValue:StringEquals", "k", new[] { "a" }, none));
        Assert.True(Eval("ForAnyValue:StringEqualsIfExists", "k", new[] { "a" }, none));
    }

    [Fact]
    public void SetOperatorsOverMultiValuedKeys()
    {
        var tags = Ctx("aws:TagKeys", "team", "env");
        Assert.True(Eval("ForAllValues:StringEquals", "aws:TagKeys", new[] { "team", "env", "owner" }, tags));
        Assert.False(Eval("ForAllValues:StringEquals", "aws:TagKeys", new[] { "team" }, tags));
        Assert.True(Eval("ForAnyValue:StringEquals", "aws:TagKeys", new[] { "env" }, tags));
        Assert.False(Eval("ForAnyValue:StringEquals", "aws:TagKeys", new[] { "owner" }, tags));
        // ForAllValues:StringNotEquals: no value may be in the set; ForAnyValue:StringNotEquals: one value outside the set suffices.
        Assert.False(Eval("ForAllValues:StringNotEquals", "aws:TagKeys", new[] { "env" }, tags));
        Assert.True(Eval("ForAllValues:StringNotEquals", "aws:TagKeys", new[] { "owner" }, tags));
        Assert.True(Eval("ForAnyValue:StringNotEquals", "aws:TagKeys", new[] { "env" }, tags));
        Assert.True(Eval("ForAllValues:StringLike", "aws:TagKeys", new[] { "t*", "e*" }, tags));
    }

    [Fact]
    public void PolicyVariablesInConditionValues()
    {
        var ctx = new RequestContext().Set("aws:username", "alice").Set("s3:prefix", "home/alice/docs");
        Assert.True(Eval("StringLike", "s3:prefix", new[] { "home/${aws:username}/*" }, ctx));
        Assert.False(Eval("StringLike", "s3:prefix", new[] { "home/${aws:username}/*" }, ctx, vars: false));
        Assert.True(Eval("StringEquals", "k", new[] { "${aws:PrincipalTag/team, 'none'}" }, Ctx("k", "none")));
        Assert.True(Eval("StringEquals", "k", new[] { "a${$}b${?}" }, Ctx("k", "a$b?")));
        // ${*} inside StringLike matches a literal asterisk only.
        Assert.True(Eval("StringLike", "k", new[] { "x${*}" }, Ctx("k", "x*")));
        Assert.False(Eval("StringLike", "k", new[] { "x${*}" }, Ctx("k", "xyz")));
        // A request value put into a pattern is literal: a * in the user name is not a wildcard.
        Assert.False(Eval("StringLike", "s3:prefix", new[] { "home/${aws:username}" }, new RequestContext().Set("aws:username", "*").Set("s3:prefix", "home/bob")));
    }

    [Fact]
    public void RealTrustPoliciesLetTheirServicesAssumeTheRole()
    {
        var evaluator = new PolicyEvaluator();
        var count = 0;
        foreach (var file in Directory.GetFiles(TestPaths.Shared("authz-details"), "*.json"))
        {
            foreach (var role in AuthzRoles.Read(file).Where(r => r.AssumeRolePolicy is not null))
            {
                foreach (var s in role.AssumeRolePolicy!.Statement.Where(s => s.Effect == "Allow" && s.Condition.Count == 0 && s.Principal is not null && s.Action.Contains("sts:AssumeRole")))
                {
                    foreach (var service in s.Principal!.Service)
                    {
                        var d = evaluator.Evaluate(new AccessRequest { PrincipalArn = service, Action = "sts:AssumeRole", Resource = role.RoleArn }, new PolicySet { ResourcePolicy = role.AssumeRolePolicy });
                        Assert.True(d.Decision == Decision.Allow, $"{role.RoleArn} {service}: {d.Reason}");
                        var other = evaluator.Evaluate(new AccessRequest { PrincipalArn = "not-" + service, Action = "sts:AssumeRole", Resource = role.RoleArn }, new PolicySet { ResourcePolicy = role.AssumeRolePolicy });
                        Assert.NotEqual(Decision.Allow, other.Decision);
                        count++;
                    }
                }
            }
        }
        Assert.True(count > 20, count.ToString());
    }
}

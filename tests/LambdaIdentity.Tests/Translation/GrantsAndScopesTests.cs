using LambdaIdentity.Core;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

/// <summary>Grants and scopes a reviewer signs (issue 16, part 3).</summary>
public class GrantsAndScopesTests
{
    private static List<AzRoleMapping> Map(HostingPlan plan, params EffectiveGrant[] grants)
        => new AzRoleMapper(new FixedGrantDeriver(T.RoleArn("fn-role"), grants), new MappingOptions { HostingPlan = plan }).Map(new[] { T.Function("fn", "fn-role") }, EngineContext.None).ToList();

    [Fact]
    public void ReadOnlyCognitoCallsAreNeverAdvisedAWriteGraphPermission()
    {
        var ms = Map(HostingPlan.FlexConsumption,
            T.Grant("cognito-idp:AdminGetUser", AccessLevel.Read, "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc"),
            T.Grant("cognito-idp:ListUsers", AccessLevel.List, "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc"));
        var read = ms.Where(m => m.AwsGrants.Any(g => g.StartsWith("cognito-idp:", StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(read);
        Assert.All(read, m =>
        {
            Assert.Equal("cognito-read", m.RuleId);
            Assert.Equal(MappingStrategy.Deviation, m.Strategy);
            Assert.Contains("User.Read.All", m.Mitigation);
            Assert.DoesNotContain("User.ReadWrite.All", m.Mitigation);
        });
        // A write still is the write rule, whose advice names the write permission for writes only.
        var write = Map(HostingPlan.FlexConsumption, T.Grant("cognito-idp:AdminUpdateUserAttributes", AccessLevel.Write, "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc"));
        Assert.Contains(write, m => m.RuleId == "cognito" && m.Mitigation!.Contains("User.ReadWrite.All only for user changes", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(HostingPlan.Consumption)]
    [InlineData(HostingPlan.Premium)]
    public void ConsumptionAndPremiumStillNeedAKeyForTheContentShare(HostingPlan plan)
    {
        var ms = Map(plan);
        var share = Assert.Single(ms, m => m.MappingId.EndsWith("/host/content-share", StringComparison.Ordinal));
        Assert.Equal(MappingStrategy.Deviation, share.Strategy);
        Assert.Contains("key-based connection string remains", share.Impact);
        var host = Assert.Single(ms, m => m.MappingId.EndsWith("/host/AzureWebJobsStorage", StringComparison.Ordinal));
        Assert.DoesNotContain("no account key is stored", host.Reason);
        Assert.Contains("still needs an account key", host.Reason);
    }
}

using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
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

    private static (List<LambdaFunctionIdentity> Inventory, List<AzRoleMapping> Mappings) MapFile(string path)
    {
        var ctx = new EngineContext(new ErrorCollector());
        var inv = new InventoryReader().Read(new[] { path }, new InventoryOptions(), ctx).ToList();
        return (inv, new AzRoleMapper(GrantDeriver.Default).Map(inv, ctx).ToList());
    }

    [Fact]
    public void AdministratorAccessIsOneDeviationAndTheNamedTableKeepsItsOwnGrant()
    {
        // A SAM function with the AWS managed AdministratorAccess policy and DynamoDBReadPolicy on its table.
        var (inv, ms) = MapFile(Path.Combine(TestPaths.Fixtures, "translation", "sam-template-admin-policy.yaml"));
        Assert.Single(inv);
        var admin = Assert.Single(ms, m => m.MappingId.EndsWith("/deviation/administrator-access", StringComparison.Ordinal));
        Assert.Equal(MappingStrategy.Deviation, admin.Strategy);
        Assert.Contains("AdministratorAccess#0", admin.Settings["grantedBy"]);
        Assert.Contains(admin.Findings, f => f.FindingId == "AdministratorExecutionRole" && f.Severity == FindingSeverity.High);
        Assert.Contains("Access Advisor", admin.Mitigation);
        Assert.True(admin.AwsGrants.Count > 1000, "the administrator grants are accounted in the one deviation");
        // Not a row per service: the whole design stays small.
        Assert.True(ms.Count < 15, ms.Count + " mapping items for one function");
        Assert.Equal(1, ms.Count(m => m.Strategy == MappingStrategy.Deviation && m.Kind == MappingKind.RoleAssignment));
        // The table the template names keeps its least-privileged data-plane role at the table's scope.
        var table = Assert.Single(ms, m => m.RoleAssignmentType == "CosmosDbSql");
        Assert.Equal(MappingStrategy.BuiltIn, table.Strategy);
        Assert.Equal("Cosmos DB Built-in Data Reader", table.RoleDefinitionName);
        Assert.EndsWith("table/${Ref:OrdersTable}", table.Scope);
        Assert.Contains(table.AwsGrants, g => g.StartsWith("dynamodb:GetItem arn:", StringComparison.Ordinal));
    }

    [Fact]
    public void TheQueueTheTemplateNamesIsNotSwallowedByTheManagedPollerPolicy()
    {
        // sam/serverless-patterns/fifo-sqs-redrive: an SQS trigger (AWSLambdaSQSQueueExecutionRole grants sqs:ReceiveMessage on *)
        // and the function's own SQSPollerPolicy on the same queue.
        var (_, ms) = MapFile(TestPaths.Shared("sam", "serverless-patterns", "fifo-sqs-redrive", "template.yaml"));
        var fn = ms.Where(m => m.FunctionName == "MyOriginalQueueFunction").ToList();
        Assert.DoesNotContain(fn, m => m.Settings.TryGetValue("proposedScopeLevel", out var l) && l == "resourceGroup");
        var named = Assert.Single(fn, m => m.Kind == MappingKind.RoleAssignment && m.MappingId.Contains("/grant/role/Service Bus/", StringComparison.Ordinal));
        Assert.Equal(MappingStrategy.BuiltIn, named.Strategy);
        Assert.Equal("Azure Service Bus Data Receiver", named.RoleDefinitionName);
        Assert.Contains("MyOriginalQueue", named.Scope);
        Assert.Equal(MappingStrategy.NotNeeded, Assert.Single(fn, m => m.MappingId.EndsWith("/grant/poller/sqs", StringComparison.Ordinal)).Strategy);
    }

    [Fact]
    public void CosmosDbGrantsOnEveryTableAreProposedAtTheAccountNeverAResourceGroup()
    {
        var ms = Map(HostingPlan.FlexConsumption, T.Grant("dynamodb:GetItem", AccessLevel.Read, "*"));
        var m = Assert.Single(ms, m => m.RoleAssignmentType == "CosmosDbSql");
        Assert.Equal(MappingStrategy.Deviation, m.Strategy);
        Assert.EndsWith("/providers/Microsoft.DocumentDB/databaseAccounts/{cosmosAccount}", m.Scope);
        Assert.Equal("cosmosAccount", m.Settings["proposedScopeLevel"]);
        Assert.Contains("/dbs/<db>/colls/<container>", m.Mitigation);
    }
}

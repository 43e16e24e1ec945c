using LambdaIdentity.Core;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

/// <summary>Mapping facts that live in the rules data (host-storage roles, condition mitigations, event source services) drive the mapper.</summary>
public class MappingRulesDataTests
{
    private static List<AzRoleMapping> Map(LambdaFunctionIdentity f, MappingRuleSet? rules, params EffectiveGrant[] grants)
        => new AzRoleMapper(new FixedGrantDeriver(f.RoleArn, grants), new MappingOptions { RuleSet = rules }).Map(new[] { f }, EngineContext.None).ToList();

    private static MappingRuleSet Rules(string json) => RuleSetLoader.Merge(RuleSetLoader.Default, RuleSetLoader.Parse(json, "user.json", AzureRoleCatalog.Default));

    private static LambdaFunctionIdentity WithSources(params EventSource[] sources)
    {
        var f = T.Function("fn", "fn-role");
        return new LambdaFunctionIdentity { FunctionName = f.FunctionName, FunctionArn = f.FunctionArn, RoleArn = f.RoleArn, ExecutionRole = f.ExecutionRole, EventSources = sources };
    }

    private static List<string> HostRoles(IEnumerable<AzRoleMapping> ms)
        => ms.Where(m => m.Kind == MappingKind.RoleAssignment && m.MappingId.Contains("/host/AzureWebJobsStorage/")).Select(m => m.RoleDefinitionName!).ToList();

    [Fact]
    public void HostStorageRolesComeFromTheRulesAndTheTriggerRulesFlag()
    {
        var queue = WithSources(new EventSource { Type = "SQS", Name = "Orders", SourceArn = "arn:aws:sqs:eu-west-1:123456789012:orders", IsPoll = true });
        Assert.Equal(new[] { "Storage Blob Data Owner", "Storage Table Data Contributor" }, HostRoles(Map(queue, null)));
        // The same sqs-trigger rule, flagged as keeping state in host storage: the flagged host roles join.
        var sqs = RuleSetLoader.Default.TriggerRules.Single(t => t.Id == "sqs-trigger");
        var flagged = Rules("{\"schemaVersion\":1,\"triggerRules\":[{\"id\":\"sqs-trigger\",\"eventSourceTypes\":[\"SQS\"],\"outcome\":\"Role\",\"azureTrigger\":\"" + sqs.AzureTrigger
            + "\",\"azureService\":\"Service Bus\",\"roles\":[\"Azure Service Bus Data Receiver\"],\"usesHostStorage\":true,\"reason\":\"r\"}]}");
        var roles = HostRoles(Map(queue, flagged));
        Assert.Equal(new[] { "Storage Blob Data Owner", "Storage Table Data Contributor", "Storage Queue Data Contributor", "Storage Account Contributor" }, roles);
        var blob = WithSources(new EventSource { Type = "S3", Name = "Uploads", SourceArn = "arn:aws:s3:::uploads" });
        Assert.Equal(roles, HostRoles(Map(blob, null)));
    }

    [Theory]
    [InlineData("s3:prefix", "ABAC condition")]
    [InlineData("aws:SourceVpce", "private endpoint")]
    [InlineData("aws:SourceIp", "private endpoint")]
    [InlineData("dynamodb:LeadingKeys", "containers per tenant")]
    [InlineData("aws:PrincipalTag/team", "narrower scope or an ABAC condition")]
    public void ConditionMitigationFollowsTheConditionKey(string key, string expected)
    {
        var service = key.StartsWith("dynamodb:", StringComparison.Ordinal) ? "dynamodb" : "s3";
        var (action, resource) = service == "s3" ? ("s3:GetObject", "arn:aws:s3:::orders/*") : ("dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:123456789012:table/orders");
        var g = new EffectiveGrant
        {
            Service = service, Action = action, AccessLevel = AccessLevel.Read, Resources = new[] { resource },
            Conditions = new[] { new PolicyCondition { Operator = "StringEquals", Key = key, Values = new[] { "x" } } },
        };
        var d = Assert.Single(Map(T.Function("fn", "fn-role"), null, g), m => m.AwsGrants.Count > 0 && m.Strategy == MappingStrategy.Deviation);
        Assert.Contains(expected, d.Mitigation);
        // A user's entry for the key comes first and wins.
        var user = Rules("{\"schemaVersion\":1,\"conditionMitigations\":[{\"conditionKeys\":[\"" + key + "\"],\"mitigation\":\"Ask the data owner.\"}]}");
        var mine = Assert.Single(Map(T.Function("fn", "fn-role"), user, g), m => m.AwsGrants.Count > 0 && m.Strategy == MappingStrategy.Deviation);
        Assert.Equal("Ask the data owner.", mine.Mitigation);
    }

    [Fact]
    public void AnEventSourceOfAnUnknownTypeFindsItsTriggerThroughTheServiceOfItsArn()
    {
        var f = WithSources(new EventSource { Type = "EventSourceMapping", Name = "Jobs", SourceArn = "arn:aws:sqs:eu-west-1:123456789012:jobs", IsPoll = true });
        Assert.Equal("sqs-trigger", Assert.Single(Map(f, null), m => m.Kind == MappingKind.TriggerConnection).RuleId);
        // Without the sqs entry of eventSourceServices the type stays unmatched: a deviation naming the type.
        var none = new MappingRuleSet { SchemaVersion = 1, GrantRules = RuleSetLoader.Default.GrantRules, TriggerRules = RuleSetLoader.Default.TriggerRules,
            HostStorageRoles = RuleSetLoader.Default.HostStorageRoles, ConditionMitigations = RuleSetLoader.Default.ConditionMitigations };
        var t = Assert.Single(Map(f, none), m => m.Kind == MappingKind.TriggerConnection);
        Assert.Null(t.RuleId);
        Assert.Equal(MappingStrategy.Deviation, t.Strategy);
    }
}

using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

/// <summary>
/// Roles AWS services assume for a function (API Gateway integration credentials, IoT topic rule actions, EventBridge
/// Scheduler targets) are read and designed as the Azure service's identity, or a deviation; never ignored.
/// </summary>
public class ServiceRoleDesignTests
{
    private static (LambdaFunctionIdentity Function, List<AzRoleMapping> Mappings) Map(string path, string function)
    {
        var ctx = new EngineContext(new ErrorCollector());
        var inv = new InventoryReader().Read(new[] { path }, new InventoryOptions(), ctx).ToList();
        var ms = new AzRoleMapper(GrantDeriver.Default).Map(inv, ctx).ToList();
        return (Assert.Single(inv, f => f.FunctionName == function), ms.Where(m => m.FunctionName == function).ToList());
    }

    [Fact]
    public void ASchedulerScheduleIsATimerTriggerAndItsRoleNeedsNoAzureIdentity()
    {
        // Real sample: AWS::Scheduler::Schedule targeting the function with a role allowed lambda:InvokeFunction on it.
        // Before, the schedule was not read at all (no event source, no record of its role).
        var (f, ms) = Map(TestPaths.Shared("sam", "serverless-patterns", "eventbridge-schedule-to-lambda", "template.yaml"), "ScheduledLambdaFunction");
        var schedule = Assert.Single(f.EventSources, e => e.Type == "ScheduleV2");
        Assert.Equal("rate(5 minute)", schedule.Properties["Schedule"]);
        var use = Assert.Single(f.ServiceRoles);
        Assert.Equal("Scheduler", use.Service);
        Assert.Equal("${GetAtt:MyFirstScheduleRole.Arn}", use.RoleArn);
        Assert.NotEmpty(use.Role!.Policies);
        Assert.Single(ms, m => m.RuleId == "schedule-trigger" && m.Strategy == MappingStrategy.NotNeeded);
        var role = Assert.Single(ms, m => m.MappingId.Contains("/service-role/Scheduler/MyFirstSchedule", StringComparison.Ordinal));
        Assert.Equal(MappingStrategy.NotNeeded, role.Strategy);
        Assert.Equal(new[] { "lambda:InvokeFunction" }, role.AwsActions);
        Assert.Contains("Timer trigger", role.AzureFeature, StringComparison.Ordinal);
    }

    [Fact]
    public void ASamScheduleV2EventGetsTheRoleSamGenerates()
    {
        var (f, ms) = Map(TestPaths.Shared("sam", "serverless-patterns", "eventbridge-schedule-to-lambda-sam-java", "template.yaml"), "ScheduledFunction");
        var use = Assert.Single(f.ServiceRoles, r => r.Service == "Scheduler");
        Assert.EndsWith("Role.Arn}", use.RoleArn, StringComparison.Ordinal);
        Assert.Single(ms, m => m.MappingId.Contains("/service-role/Scheduler/", StringComparison.Ordinal) && m.Strategy == MappingStrategy.NotNeeded);
    }

    [Fact]
    public void AnApiGatewayIntegrationRoleBecomesApiManagementsIdentityWithTheInvokeAppRole()
    {
        // Real sample: a WebSocket $connect integration (AWS_PROXY) with CredentialsArn; the role may invoke this function and the authorizer.
        var (f, ms) = Map(TestPaths.Shared("sam", "serverless-patterns", "apigw-lambda-sfn-transcribe-translate-polly-sam", "template.yaml"), "translator-dev-invokeTranslator");
        var use = Assert.Single(f.ServiceRoles);
        Assert.Equal("ApiGateway", use.Service);
        Assert.Equal("CapstoneConnectIntegration", use.Name);
        var m = Assert.Single(ms, x => x.MappingId.Contains("/service-role/ApiGateway/CapstoneConnectIntegration", StringComparison.Ordinal));
        Assert.Equal(MappingKind.Authentication, m.Kind);
        Assert.Equal("Function.Invoke", m.Settings["appRole"]);
        Assert.StartsWith("API Management managed identity", m.PrincipalName, StringComparison.Ordinal);
        // The same role also invokes the authorizer function: named, not silently carried over.
        Assert.Equal(MappingStrategy.Deviation, m.Strategy);
        Assert.Contains("${GetAtt:AuthorizerLambda.Arn}", m.Impact!, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(m.Mitigation));
    }

    [Fact]
    public void AnIntegrationToAnotherServiceIsNotTheFunctionsServiceRole()
    {
        // Real sample: API Gateway writes to DynamoDB with its role (Credentials), the function reads the stream: no service role of the function.
        var ctx = new EngineContext(new ErrorCollector());
        var inv = new InventoryReader().Read(new[] { TestPaths.Shared("sam", "serverless-patterns", "apigw-dynamodb-kinesis-lambda", "template.yaml") }, new InventoryOptions(), ctx).ToList();
        Assert.NotEmpty(inv);
        Assert.All(inv, f => Assert.Empty(f.ServiceRoles));
    }

    [Fact]
    public void AnIotRuleActionRoleBecomesIoTHubsIdentityForItsRoutingEndpoint()
    {
        var (f, ms) = Map(Path.Combine(TestPaths.Fixtures, "translation", "fronts", "cfn-template-iot-rule-with-role.yaml"), "TelemetryFunction");
        var use = Assert.Single(f.ServiceRoles);
        Assert.Equal("IoTRule", use.Service);
        Assert.Equal("TelemetryRule.Sqs", use.Name);
        var m = Assert.Single(ms, x => x.MappingId.Contains("/service-role/IoTRule/TelemetryRule.Sqs", StringComparison.Ordinal));
        Assert.Equal(MappingStrategy.Deviation, m.Strategy);
        Assert.Equal(new[] { "sqs:SendMessage" }, m.AwsActions);
        Assert.Contains("Azure Service Bus Data Sender", m.AzureFeature, StringComparison.Ordinal);
        Assert.StartsWith("IoT Hub managed identity", m.PrincipalName, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(m.Impact) || string.IsNullOrEmpty(m.Mitigation));
        // The rule's own invocation is still the IoT rule trigger.
        Assert.Single(ms, x => x.RuleId == "iot-rule-trigger");
    }
}

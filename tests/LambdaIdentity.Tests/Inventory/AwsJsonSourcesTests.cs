using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Inventory;

public sealed class AwsJsonSourcesTests
{
    private static string Fixture(string name) => Path.Combine(TestPaths.Fixtures, "inventory", name);

    private static List<LambdaFunctionIdentity> Read(ErrorCollector errors, params string[] paths) =>
        new InventoryReader().Read(paths, new InventoryOptions(), new EngineContext(errors)).ToList();

    [Fact]
    public void CliListFunctionsAndGetPolicyFromTheCloudMapperDemoMergeIntoOneRecord()
    {
        var errors = new ErrorCollector();
        var records = Read(errors, TestPaths.Shared("aws-api-responses", "cloudmapper-demo"));
        Assert.Empty(errors.Errors);
        var names = records.Select(r => r.FunctionName).ToList();
        Assert.Equal(names.Distinct().Count(), names.Count);
        var f = records.Single(r => r.FunctionName == "invpclambda");
        Assert.Equal("arn:aws:iam::123456789012:role/service-role/invpclambda", f.RoleArn);
        Assert.Equal("nodejs8.10", f.Runtime);
        var permission = Assert.Single(f.ResourcePolicy!.Statement);
        Assert.Equal(new[] { "apigateway.amazonaws.com" }, permission.Principal!.Service);
        Assert.Equal("arn:aws:execute-api:us-east-1:653711331788:2rfismmoo8/*/*/invpclambda", permission.Condition.Single(c => c.Key == "AWS:SourceArn").Values.Single());
        Assert.Equal(2, f.Sources.Count);
        // The resource policy is the only record of the API that calls the function.
        var api = Assert.Single(f.Callers);
        Assert.Equal("ApiGateway", api.Channel);
        Assert.Equal("* /invpclambda", api.Route);
        // The role's policies are not in these files, so the record is incomplete and says why.
        Assert.False(f.IsComplete);
        Assert.Contains(f.IncompleteReasons, r => r.Contains("authorization details"));
    }

    [Fact]
    public void AuthorizationDetailsFillTheExecutionRoleOfAFunction()
    {
        var errors = new ErrorCollector();
        var records = Read(errors, Fixture("lambda-list-functions-privesc-role.json"), TestPaths.Shared("authz-details", "cloudsplaining-example-2023.json"));
        var f = Assert.Single(records);
        Assert.Equal("privesc-high-priv-service-role", f.ExecutionRole!.RoleName);
        var custom = f.ExecutionRole.Policies.Single(p => p.PolicyArn == "arn:aws:iam::200611803367:policy/privesc-high-priv-service-policy");
        Assert.NotEmpty(custom.Statement);
        Assert.Equal(PolicyKind.Managed, custom.Kind);
        Assert.Contains(f.ExecutionRole.AssumeRolePolicy!.Statement, s => s.Principal!.Service.Contains("lambda.amazonaws.com"));
        Assert.DoesNotContain(f.IncompleteReasons, r => r.StartsWith("The execution role"));
        Assert.Contains(f.Findings, x => x.FindingId == "SecretInEnvironment" && x.Message.Contains("GITHUB_TOKEN"));
        Assert.DoesNotContain("ghp_abcdefghijklmnopqrstuvwxyz", ModelJson.Serialize(records));
    }

    [Fact]
    public void PrincipalsThatCanDeployInvokeOrAdministerAreListedFromUrlEncodedPowerShellExports()
    {
        var errors = new ErrorCollector();
        var records = Read(errors, Fixture("powershell-get-lmfunctionlist.json"), Fixture("powershell-get-iamaccountauthorizationdetail.json"));
        Assert.Empty(errors.Errors);
        var f = Assert.Single(records);
        Assert.Equal("nodejs20.x", f.Runtime);
        Assert.Equal("Active", f.TracingMode);
        Assert.True(f.VpcAttached);
        Assert.Equal(new[] { "arn:aws:lambda:eu-west-1:123456789012:layer:common:3" }, f.Layers);
        Assert.Equal(new[] { "STRIPE_KEY", "TABLE" }, f.EnvironmentVariableNames);

        // The CI role assumed through GitHub's OIDC provider may update the code and pass the execution role.
        var deployer = f.Principals.Single(p => p.PrincipalArn.EndsWith("role/github-deploy") && p.AccessLevel == "Deploy");
        Assert.True(deployer.IsOidcFederated);
        // The provider and the subject pattern of the (URL-encoded) trust policy are kept for workload identity federation.
        Assert.Equal(new[] { "https://token.actions.githubusercontent.com" }, deployer.FederatedIssuers);
        Assert.Equal(new[] { "repo:contoso/billing:*" }, deployer.FederatedSubjects);
        Assert.Equal(new[] { "iam:PassRole", "lambda:UpdateFunctionCode" }, deployer.Actions);
        // An explicit deny removes UpdateFunctionCode from lambda:*.
        var ops = f.Principals.Where(p => p.PrincipalArn.EndsWith("role/ops-readonly-but-denied")).ToList();
        Assert.DoesNotContain(ops.SelectMany(p => p.Actions), a => a == "lambda:UpdateFunctionCode");
        Assert.Contains(ops, p => p.AccessLevel == "Invoke");
        var breakGlass = f.Principals.Where(p => p.PrincipalArn.EndsWith("user/breakglass-admin")).ToList();
        Assert.Contains(breakGlass, p => p.AccessLevel == "Deploy" && p.IsEmergency && p.PrincipalType == "User");
        Assert.Contains(breakGlass, p => p.AccessLevel == "Admin");

        // The execution role's URL-encoded inline policy was decoded and parsed; its "*" grant is a finding.
        Assert.Contains(f.ExecutionRole!.Policies.SelectMany(p => p.Statement), s => s.Action.Contains("dynamodb:PutItem"));
        Assert.Contains(f.Findings, x => x.FindingId == "WildcardAdminGrant");
        Assert.Contains(f.Findings, x => x.FindingId == "SecretInEnvironment" && x.Message.Contains("STRIPE_KEY"));
        Assert.DoesNotContain("sk_live_", ModelJson.Serialize(records));
    }

    [Fact]
    public void AuthorizationDetailsPagesAsAnArrayOrConcatenatedAreAllRead()
    {
        var dir = Path.Combine(Path.GetTempPath(), "li-authz-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var page = File.ReadAllText(TestPaths.Shared("authz-details", "cloudsplaining-example-2023.json"));
        var functions = File.ReadAllText(Fixture("lambda-list-functions-privesc-role.json"));
        // The role page and an empty page, concatenated as `aws iam get-account-authorization-details` pages are saved.
        File.WriteAllText(Path.Combine(dir, "pages.json"), page + "\n{\"RoleDetailList\": [], \"IsTruncated\": false}\n");
        File.WriteAllText(Path.Combine(dir, "functions.json"), functions);
        var concatenated = new InventoryReader().Read(new[] { dir }, new InventoryOptions(), EngineContext.None).Single();
        File.WriteAllText(Path.Combine(dir, "pages.json"), "[" + page + ", {\"RoleDetailList\": []}]");
        var array = new InventoryReader().Read(new[] { dir }, new InventoryOptions(), EngineContext.None).Single();
        Assert.Equal("privesc-high-priv-service-role", concatenated.ExecutionRole!.RoleName);
        Assert.Equal(ModelJson.Serialize(new[] { concatenated.ExecutionRole }), ModelJson.Serialize(new[] { array.ExecutionRole! }));
    }

    [Fact]
    public void TerraformStateGivesTheFunctionItsRolePoliciesPermissionsUrlAndMapping()
    {
        var errors = new ErrorCollector();
        var records = Read(errors, Fixture("terraform-show-json-state.json"));
        Assert.Empty(errors.Errors);
        var f = Assert.Single(records);
        Assert.Equal("report-builder", f.FunctionName);
        Assert.Equal("arn:aws:iam::123456789012:role/report-builder", f.RoleArn);
        var actions = f.ExecutionRole!.Policies.SelectMany(p => p.Statement).SelectMany(s => s.Action).ToList();
        Assert.Contains("s3:GetObject", actions);
        Assert.Contains("sqs:SendMessage", actions);
        Assert.True(f.IsComplete, string.Join("; ", f.IncompleteReasons));
        Assert.Equal("AWS_IAM", f.FunctionUrl!.AuthType);
        Assert.Equal("arn:aws:sqs:eu-west-1:123456789012:jobs", f.EventSources.Single(e => e.IsPoll).SourceArn);
        // The S3 permission is the only record of the bucket notification: it becomes a push event source.
        Assert.Equal("arn:aws:s3:::uploads", f.EventSources.Single(e => e.Type == "S3").SourceArn);
        var s3 = Assert.Single(f.ResourcePolicy!.Statement);
        Assert.Equal("arn:aws:lambda:eu-west-1:123456789012:function:report-builder", Assert.Single(s3.Resource));
        Assert.Contains(f.Findings, x => x.FindingId == "SecretInEnvironment" && x.Message.Contains("API_TOKEN"));
        Assert.DoesNotContain("Zx9Qm2Lk8Vb4", ModelJson.Serialize(records));
    }

    [Fact]
    public void TerraformPlanValuesNotYetKnownStayAsTokens()
    {
        var state = File.ReadAllText(Fixture("terraform-show-json-state.json"));
        // A plan holds planned_values; an ARN not known before apply is absent.
        var plan = state.Replace("\"values\": {\n    \"root_module\"", "\"planned_values\": {\n    \"root_module\"")
            .Replace("\"arn\": \"arn:aws:lambda:eu-west-1:123456789012:function:report-builder\",", "");
        Assert.NotEqual(state, plan);
        var file = Path.Combine(Path.GetTempPath(), "li-tfplan-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(file, plan);
        var f = new InventoryReader().Read(new[] { file }, new InventoryOptions(), EngineContext.None).Single();
        Assert.Equal("${terraform:module.lambda_function.aws_lambda_function.this[0].arn}", f.FunctionArn);
        Assert.Contains("s3:GetObject", f.ExecutionRole!.Policies.SelectMany(p => p.Statement).SelectMany(s => s.Action));
    }

    [Fact]
    public void PowerShellExportsCutByConvertToJsonDepthAreCalledOut()
    {
        var dir = Path.Combine(Path.GetTempPath(), "li-depth-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "functions.json"), "[{\"FunctionName\": \"f\", \"Role\": \"arn:aws:iam::123456789012:role/r\", \"Runtime\": {\"Value\": \"python3.12\"}, \"Environment\": \"Amazon.Lambda.Model.EnvironmentResponse\"}]");
        File.WriteAllText(Path.Combine(dir, "authz.json"), "{\"RoleDetailList\": [{\"RoleName\": \"r\", \"Arn\": \"arn:aws:iam::123456789012:role/r\", \"RolePolicyList\": \"System.Collections.Generic.List`1[Amazon.IdentityManagement.Model.PolicyDetail]\"}]}");
        var errors = new ErrorCollector();
        var f = new InventoryReader().Read(new[] { dir }, new InventoryOptions(), new EngineContext(errors)).Single();
        Assert.Contains(f.IncompleteReasons, r => r.Contains("-Depth") && r.StartsWith("Environment"));
        var e = Assert.Single(errors.Errors);
        Assert.Equal("AuthorizationDetailsTruncated", e.ErrorId);
        // The role was not taken from the cut export: the record still says its policies are unknown.
        Assert.Contains(f.IncompleteReasons, r => r.StartsWith("The execution role"));
    }

    [Fact]
    public void ApiGatewayAuthorizerExportsMarkTheAuthorizerFunction()
    {
        var dir = Path.Combine(Path.GetTempPath(), "li-apigw-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "apigateway-get-authorizers.json"), "{\"items\": [{\"id\": \"a1\", \"name\": \"tokenAuth\", \"type\": \"TOKEN\", \"authorizerUri\": \"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:authz-fn/invocations\", \"identitySource\": \"method.request.header.Authorization\"}, {\"id\": \"c1\", \"name\": \"pool\", \"type\": \"COGNITO_USER_POOLS\", \"providerARNs\": [\"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc\"]}]}");
        var f = new InventoryReader().Read(new[] { dir }, new InventoryOptions(), EngineContext.None).Single();
        Assert.Equal("authz-fn", f.FunctionName);
        Assert.Contains(f.Findings, x => x.FindingId == "LambdaAuthorizerFunction" && x.Message.Contains("tokenAuth"));
    }

    /// <summary>The JSON of the first "Output::" block of an AWS CLI documentation example.</summary>
    private static string CliExampleOutput(string service, string name)
    {
        var lines = File.ReadAllLines(TestPaths.Shared("aws-api-responses", "aws-cli-examples", service, name + ".rst"));
        var start = Array.FindIndex(lines, l => l.TrimEnd().EndsWith("Output::")) + 1;
        var block = lines.Skip(start).SkipWhile(string.IsNullOrWhiteSpace).TakeWhile(l => l.Length == 0 || l.StartsWith(" ")).ToList();
        return string.Join("\n", block);
    }

    [Fact]
    public void AwsCliDocumentationOutputsOfEveryLambdaExportAreRecognisedAndMerged()
    {
        var dir = Path.Combine(Path.GetTempPath(), "li-cli-examples-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var examples = new[]
        {
            ("lambda", "list-functions"), ("lambda", "get-function"), ("lambda", "get-function-configuration"), ("lambda", "get-policy"),
            ("lambda", "list-event-source-mappings"), ("lambda", "get-event-source-mapping"), ("apigateway", "get-authorizers"), ("apigatewayv2", "get-authorizers"),
        };
        foreach (var (service, name) in examples) File.WriteAllText(Path.Combine(dir, $"{service}-{name}.json"), CliExampleOutput(service, name));
        var errors = new ErrorCollector();
        var records = Read(errors, dir);
        Assert.True(errors.Errors.Count == 0, string.Join("\n", errors.Errors));
        var f = records.Single(r => r.FunctionName == "my-function");
        Assert.Equal("arn:aws:lambda:us-west-2:123456789012:function:my-function", f.FunctionArn);
        // The documentation's examples were taken at different times: the record keeps one runtime and says they disagree.
        Assert.Contains(f.Runtime, new[] { "nodejs10.x", "nodejs22.x" });
        Assert.Contains(f.Findings, x => x.FindingId == "SourcesDisagree" && x.Message.Contains("nodejs10.x") && x.Message.Contains("nodejs22.x"));
        Assert.Contains(f.ResourcePolicy!.Statement, s => s.Principal!.Service.Contains("iotevents.amazonaws.com"));
        var queue = f.EventSources.Single(e => e.Type == "SQS");
        Assert.Equal("arn:aws:sqs:us-west-2:123456789012:mySQSqueue", queue.SourceArn);
        Assert.True(queue.IsPoll);
        var iot = f.EventSources.Single(e => e.Type == "IoTEvents");
        Assert.False(iot.IsPoll);
        Assert.True(f.Sources.Count >= 4, "list-functions, get-function, get-policy and the mappings all contributed");
        Assert.Contains(records, r => r.FunctionName == "helloworld");
        Assert.Contains(records.SelectMany(r => r.Findings), x => x.FindingId == "LambdaAuthorizerFunction");
    }

    [Fact]
    public void PermissionsBoundaryLimitsWhoCanDeploy()
    {
        var errors = new ErrorCollector();
        var f = Assert.Single(Read(errors, Fixture("powershell-get-lmfunctionlist.json"), Fixture("authz-permissions-boundaries.json")));
        Assert.Empty(errors.Errors);
        // lambda:* on both roles; the boundary of ci-bounded allows only Get*/List*: it can read, not deploy or invoke.
        var bounded = f.Principals.Where(p => p.PrincipalArn.EndsWith("role/ci-bounded")).ToList();
        Assert.Equal(new[] { "Read" }, bounded.Select(p => p.AccessLevel));
        var unbounded = f.Principals.Where(p => p.PrincipalArn.EndsWith("role/ci-unbounded")).Select(p => p.AccessLevel).ToList();
        Assert.Contains("Deploy", unbounded);
        Assert.Contains("Invoke", unbounded);
    }
}

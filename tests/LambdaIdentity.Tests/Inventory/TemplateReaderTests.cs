using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Model;
using Xunit;
using Xunit.Abstractions;

namespace LambdaIdentity.Tests.Inventory;

public sealed class TemplateReaderTests
{
    private readonly ITestOutputHelper _out;
    public TemplateReaderTests(ITestOutputHelper output) => _out = output;

    private static List<LambdaFunctionIdentity> Read(string file, InventoryOptions? options = null, ErrorCollector? errors = null) =>
        new InventoryReader().Read(new[] { file }, options ?? new InventoryOptions(), new EngineContext(errors ?? new ErrorCollector())).ToList();

    /// <summary>Policies attached by ARN (AWS or customer managed).</summary>
    private static SortedSet<string> Managed(LambdaFunctionIdentity f) =>
        new((f.ExecutionRole?.Policies ?? Array.Empty<PolicyDocument>()).Where(p => p.PolicyArn != null).Select(p => p.PolicyArn!), StringComparer.Ordinal);

    /// <summary>Actions of the documents written in the template (inline policies and template-defined managed policies).</summary>
    private static SortedSet<string> InlineActions(LambdaFunctionIdentity f) =>
        new((f.ExecutionRole?.Policies ?? Array.Empty<PolicyDocument>()).Where(p => p.PolicyArn is null).SelectMany(p => p.Statement).Where(s => s.Effect == "Allow").SelectMany(s => s.Action), StringComparer.OrdinalIgnoreCase); // IAM actions are case-insensitive

    /// <summary>
    /// Cases left out, with the reason: the expected output's Fn::GetAtt is reversed (["Arn", "XRole"]), so
    /// plain CloudFormation cannot tie the role to the function; or a policy depends on a condition
    /// (Fn::If SomeCondition) that only CloudFormation decides at deploy time.
    /// </summary>
    private static SortedSet<string> ApiCallers(LambdaFunctionIdentity f) =>
        new(f.Callers.Where(c => c.Channel == "RestApi" || c.Channel == "HttpApi").Select(c => $"{c.Channel} {c.Route} {c.AuthType} {c.AuthorizerName} key={c.ApiKeyRequired}"), StringComparer.Ordinal);

    /// <summary>
    /// The translator writes every route and authorizer of Api/HttpApi events into the API's OpenAPI body; the callers
    /// read from the events (input) must equal those read from the body (output).
    /// </summary>
    /// <summary>
    /// Cases where SAM's merge of events into an existing OpenAPI document decides differently from the events:
    /// MergeDefinitions, a path the document already defines (the document's security wins over the event's
    /// Authorizer: NONE), feature toggles, events SAM rejects, document-level security of an HTTP API.
    /// </summary>
    private static readonly string[] SamMergeQuirks =
    {
        "api_merge_definitions_with_any_method.yaml", "api_merge_definitions_with_conflicting_methods.yaml", "api_with_merge_definitions_null_paths.yaml",
        "api_with_any_method_in_swagger.yaml", "api_with_swagger_authorizer_none.yaml", "api_with_swagger_authorizer_none_override_api_auth.yaml",
        "explicit_api_with_invalid_events_config.yaml", "feature_toggle_api_open_api_version_override.yaml",
        "http_api_existing_openapi.yaml", "http_api_existing_openapi_conditions.yaml",
    };

    [Fact]
    public void ApiEventCallersMatchTheOpenApiBodySamGenerates()
    {
        var inputs = Directory.EnumerateFiles(TestPaths.Shared("sam", "sam-translator", "input"), "*.yaml")
            .Where(f => !Path.GetFileName(f).StartsWith("error_") && !OracleDefects.Contains(Path.GetFileName(f)) && !SamMergeQuirks.Contains(Path.GetFileName(f)))
            .OrderBy(f => f, StringComparer.Ordinal).ToList();
        int compared = 0, mismatches = 0;
        var examples = new List<string>();
        foreach (var input in inputs)
        {
            var output = TestPaths.Shared("sam", "sam-translator", "output", Path.GetFileNameWithoutExtension(input) + ".json");
            if (!File.Exists(output)) continue;
            var sam = Read(input).Where(r => r.LogicalId != null).ToDictionary(r => r.LogicalId!);
            var cfn = Read(output).Where(r => r.LogicalId != null).ToDictionary(r => r.LogicalId!);
            foreach (var (id, s) in sam)
            {
                if (!cfn.TryGetValue(id, out var c) || ApiCallers(s).Count == 0) continue;
                // An API defined in S3 cannot be read from the output; the record says so instead.
                if (c.IncompleteReasons.Any(r => r.Contains("outside the template (BodyS3Location)"))) continue;
                // A function whose condition is false is not deployed: the translator writes no routes for it.
                if (s.Findings.Any(f => f.FindingId == "FunctionConditionFalse")) continue;
                compared++;
                if (ApiCallers(s).SetEquals(ApiCallers(c))) continue;
                mismatches++;
                if (examples.Count < 40) examples.Add($"{Path.GetFileName(input)} {id}: events [{string.Join("; ", ApiCallers(s).Except(ApiCallers(c)))}] body [{string.Join("; ", ApiCallers(c).Except(ApiCallers(s)))}]");
            }
        }
        foreach (var e in examples) _out.WriteLine(e);
        _out.WriteLine($"compared {compared}, mismatches {mismatches}");
        Assert.True(compared > 150, $"compared only {compared}");
        Assert.True(mismatches == 0, string.Join("\n", examples));
    }

    private static readonly string[] OracleDefects =
    {
        "api_with_security_definition_and_none_components.yaml", "http_api_custom_iam_auth.yaml",
        "http_api_global_iam_auth_enabled.yaml", "http_api_local_iam_auth_enabled.yaml",
        "function_with_event_dest_basic.yaml",
    };

    private static SortedSet<string> InvokePrincipals(LambdaFunctionIdentity f) =>
        new((f.ResourcePolicy?.Statement ?? Array.Empty<PolicyStatement>()).SelectMany(s => s.Principal is null ? Array.Empty<string>() : s.Principal.IsWildcard ? new[] { "*" } : s.Principal.Service.Concat(s.Principal.Aws)), StringComparer.Ordinal);

    /// <summary>
    /// SAM's own translator tests are the oracle: the role SAM generates (managed policies, inline actions)
    /// and the Lambda permissions it creates, read from output/*.json as plain CloudFormation, must equal
    /// what the inventory derives from input/*.yaml.
    /// </summary>
    [Fact]
    public void SamExpansionMatchesTheTranslatorOutput()
    {
        var inputs = Directory.EnumerateFiles(TestPaths.Shared("sam", "sam-translator", "input"), "*.yaml")
            .Where(f => !Path.GetFileName(f).StartsWith("error_") && !OracleDefects.Contains(Path.GetFileName(f))).OrderBy(f => f, StringComparer.Ordinal).ToList();
        int compared = 0, roleMismatch = 0, permissionMismatch = 0;
        var examples = new List<string>();
        foreach (var input in inputs)
        {
            var output = TestPaths.Shared("sam", "sam-translator", "output", Path.GetFileNameWithoutExtension(input) + ".json");
            if (!File.Exists(output)) continue;
            var sam = Read(input).Where(r => r.LogicalId != null).ToDictionary(r => r.LogicalId!);
            var cfn = Read(output).Where(r => r.LogicalId != null).ToDictionary(r => r.LogicalId!);
            foreach (var (id, s) in sam)
            {
                if (!cfn.TryGetValue(id, out var c)) continue;
                compared++;
                if (!Managed(s).SetEquals(Managed(c)) || !InlineActions(s).SetEquals(InlineActions(c)))
                {
                    roleMismatch++;
                    if (examples.Count < 25) examples.Add($"{Path.GetFileName(input)} {id}: managed {string.Join(",", Managed(s))} vs {string.Join(",", Managed(c))}; inline {string.Join(",", InlineActions(s).Except(InlineActions(c)))} | {string.Join(",", InlineActions(c).Except(InlineActions(s)))}");
                }
                if (!InvokePrincipals(s).SetEquals(InvokePrincipals(c)))
                {
                    permissionMismatch++;
                    if (examples.Count < 50) examples.Add($"{Path.GetFileName(input)} {id}: principals {string.Join(",", InvokePrincipals(s))} vs {string.Join(",", InvokePrincipals(c))}");
                }
            }
        }
        foreach (var e in examples) _out.WriteLine(e);
        _out.WriteLine($"compared {compared}, role mismatches {roleMismatch}, permission mismatches {permissionMismatch}");
        Assert.True(compared > 600, $"compared only {compared} functions");
        Assert.True(roleMismatch == 0 && permissionMismatch == 0, string.Join("\n", examples));
    }

    private static string Surfaces => Path.Combine(TestPaths.Fixtures, "inventory", "sam-template-surfaces.yaml");

    [Fact]
    public void ParametersDefaultsOverridesMappingsConditionsAndPseudoParametersResolve()
    {
        var dev = Read(Surfaces).Single(r => r.LogicalId == "OrdersFunction");
        Assert.Equal("orders-dev", dev.FunctionName);
        Assert.Equal("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:orders-dev", dev.FunctionArn);
        var prod = Read(Surfaces, new InventoryOptions { Parameters = new Dictionary<string, string> { ["Stage"] = "prod", ["BucketName"] = "invoices" }, Region = "eu-west-1", AccountId = "123456789012" })
            .Single(r => r.LogicalId == "OrdersFunction");
        Assert.Equal("orders-prod", prod.FunctionName);
        Assert.Equal("arn:aws:lambda:eu-west-1:123456789012:function:orders-prod", prod.FunctionArn);
        var ssm = prod.ExecutionRole!.Policies.SelectMany(p => p.Statement).Single(s => s.Action.Contains("ssm:GetParameter"));
        Assert.Equal("arn:aws:ssm:eu-west-1:123456789012:parameter/prod/*", Assert.Single(ssm.Resource));
        var s3 = prod.ExecutionRole.Policies.SelectMany(p => p.Statement).First(s => s.Action.Contains("s3:GetObject"));
        Assert.Contains(s3.Resource, r => r == "arn:aws:s3:::invoices/*");
        // Globals merge with the function's own variables; names are kept, values are not.
        Assert.Equal(new[] { "AWS_KEY_ID", "DB_PASSWORD", "FIRST_SUBNET", "IMPORTED", "LOG_LEVEL", "SECOND", "TABLE" }, prod.EnvironmentVariableNames);
        Assert.Equal("python3.12", prod.Runtime);
    }

    [Fact]
    public void UnresolvableValuesStayAsExplicitTokens()
    {
        var f = Read(Surfaces).Single(r => r.LogicalId == "OrdersFunction");
        var statements = f.ExecutionRole!.Policies.SelectMany(p => p.Statement).ToList();
        // BucketName has no default: the S3ReadPolicy template keeps the parameter as a token, not an empty string.
        Assert.Contains(statements.SelectMany(s => s.Resource), r => r == "arn:${AWS::Partition}:s3:::${Ref:BucketName}/*");
        Assert.Contains(statements.SelectMany(s => s.Resource), r => r == "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders");
        Assert.Equal("${GetAtt:OrdersFunctionRole.Arn}", f.RoleArn);
        var queue = f.EventSources.Single(e => e.Type == "SQS");
        Assert.Equal("${GetAtt:OrdersQueue.Arn}", queue.SourceArn);
        Assert.True(queue.IsPoll);
        Assert.Equal("5", queue.Properties["BatchSize"]);
    }

    [Fact]
    public void SamPolicyTemplatesManagedNamesAndEventsBecomeTheGeneratedRole()
    {
        var f = Read(Surfaces).Single(r => r.LogicalId == "OrdersFunction");
        var arns = f.ExecutionRole!.Policies.Where(p => p.PolicyArn != null).Select(p => p.PolicyArn).ToList();
        Assert.Contains("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", arns);
        Assert.Contains("arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess", arns);
        Assert.Contains("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole", arns);
        Assert.Contains("arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess", arns);
        var crud = f.ExecutionRole.Policies.Single(p => p.PolicyName == "OrdersFunctionRolePolicy0");
        Assert.Contains("dynamodb:PutItem", crud.Statement.SelectMany(s => s.Action));
        Assert.Equal(PolicyKind.Trust, f.ExecutionRole.AssumeRolePolicy!.Kind);
        Assert.Contains("lambda.amazonaws.com", f.ExecutionRole.AssumeRolePolicy.Statement[0].Principal!.Service);
        // AmazonSQSReadOnlyAccess's statements are not in the embedded catalog: the record says so.
        Assert.False(f.IsComplete);
        Assert.Contains(f.IncompleteReasons, r => r.Contains("AmazonSQSReadOnlyAccess"));
        // The schedule and the API get Lambda permissions as SAM creates them.
        var principals = f.ResourcePolicy!.Statement.SelectMany(s => s.Principal!.Service).ToList();
        Assert.Contains("events.amazonaws.com", principals);
        Assert.Contains("apigateway.amazonaws.com", principals);
        Assert.All(f.ResourcePolicy.Statement, s => Assert.Equal(f.FunctionArn, Assert.Single(s.Resource)));
    }

    [Fact]
    public void CallersCarryTheirAuthorizersAndTheUrlIsPublic()
    {
        var records = Read(Surfaces);
        var f = records.Single(r => r.LogicalId == "OrdersFunction");
        var get = f.Callers.Single(c => c.Route == "GET /orders/{id}");
        Assert.Equal(CallerAuthType.Cognito, get.AuthType);
        Assert.Equal("UserPool", get.AuthorizerName);
        Assert.Equal("https://cognito-idp.${AWS::Region}.amazonaws.com/${Ref:Users}", get.Issuer);
        Assert.Equal(new[] { "${Ref:UsersClient}" }, get.Audiences);
        Assert.Equal(CallerAuthType.None, f.Callers.Single(c => c.Route == "GET /health").AuthType);
        Assert.Equal("NONE", f.FunctionUrl!.AuthType);
        Assert.Equal(new[] { "*" }, f.FunctionUrl.AllowOrigins);
        Assert.Contains(f.Findings, x => x.FindingId == "PublicFunctionUrl" && x.Severity == FindingSeverity.High);
        Assert.True(f.Source!.Line > 0);

        var http = records.Single(r => r.LogicalId == "HttpFunction");
        var list = http.Callers.Single(c => c.Channel == "HttpApi");
        var account = http.Callers.Single(c => c.Channel == "ResourcePolicy");
        Assert.Equal("444455556666", account.Route);
        Assert.Equal(CallerAuthType.AwsIam, account.AuthType);
        Assert.Equal(CallerAuthType.Jwt, list.AuthType);
        Assert.Equal("https://login.example.com/", list.Issuer);
        Assert.Equal(new[] { "api://orders" }, list.Audiences);
        Assert.Equal(new[] { "items.read" }, list.Scopes);
        Assert.Equal("arn:aws:iam::111122223333:role/shared-http-role", http.RoleArn);
        Assert.Contains(http.IncompleteReasons, r => r.Contains("outside this template"));
        Assert.Contains(http.Findings, x => x.FindingId == "CrossAccountCaller" && x.Message.Contains("444455556666"));
    }

    [Fact]
    public void SecretLookingEnvironmentValuesBecomeFindingsAndAreNeverWritten()
    {
        var records = Read(Surfaces);
        var f = records.Single(r => r.LogicalId == "OrdersFunction");
        var secrets = f.Findings.Where(x => x.FindingId == "SecretInEnvironment").ToList();
        Assert.Contains(secrets, x => x.Message.Contains("'AWS_KEY_ID'"));
        Assert.Contains(secrets, x => x.Message.Contains("'DB_PASSWORD'"));
        Assert.DoesNotContain(secrets, x => x.Message.Contains("'TABLE'") || x.Message.Contains("'LOG_LEVEL'"));
        var json = LambdaIdentity.Core.Serialization.ModelJson.Serialize(records);
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", json);
        Assert.DoesNotContain("hunter2", json);
        Assert.DoesNotContain("prod-value", json);
        Assert.DoesNotContain("dev-value", json);
    }

    [Fact]
    public void ShortAndLongFormIntrinsicsGiveTheSameRecord()
    {
        // The translator's inputs use short forms; its outputs are JSON with long forms only.
        var shortForm = Read(TestPaths.Shared("sam", "sam-translator", "input", "function_with_policy_templates.yaml")).ToDictionary(r => r.LogicalId!);
        var longForm = Read(TestPaths.Shared("sam", "sam-translator", "output", "function_with_policy_templates.json")).ToDictionary(r => r.LogicalId!);
        foreach (var (id, s) in shortForm)
        {
            var resources = s.ExecutionRole!.Policies.SelectMany(p => p.Statement).SelectMany(x => x.Resource).OrderBy(x => x).ToList();
            var expected = longForm[id].ExecutionRole!.Policies.SelectMany(p => p.Statement).SelectMany(x => x.Resource).OrderBy(x => x).ToList();
            Assert.Equal(expected, resources);
        }
    }

    [Fact]
    public void CloudFormationApiGatewayMethodsCarryTheirLambdaAuthorizer()
    {
        var records = Read(TestPaths.Shared("sam", "serverless-patterns", "apigw-lambda-authorizer", "template.yaml"));
        var app = records.Single(r => r.LogicalId == "AppFunction");
        var caller = Assert.Single(app.Callers);
        Assert.Equal("RestApi", caller.Channel);
        Assert.Equal("GET /", caller.Route);
        Assert.Equal(CallerAuthType.Lambda, caller.AuthType);
        Assert.Equal("LambdaAuthorizerToken", caller.AuthorizerName);
        var authorizer = records.Single(r => r.LogicalId == "TokenAuthorizerFunction");
        Assert.Contains(authorizer.Findings, f => f.FindingId == "LambdaAuthorizerFunction");
    }

    [Fact]
    public void CloudFormationSubscriptionsRulesAndBucketNotificationsAreEventSources()
    {
        var sns = Read(TestPaths.Shared("cloudformation", "localstack-templates", "integration_events_sns_sqs_lambda.yaml")).Single();
        var sub = sns.EventSources.Single(e => e.Type == "SNS");
        Assert.Equal("${Ref:topic69831491}", sub.SourceArn);
        Assert.Contains(sns.ResourcePolicy!.Statement, s => s.Principal!.Service.Contains("sns.amazonaws.com"));

        var s3 = Read(TestPaths.Shared("sam", "serverless-patterns", "lambda-transcribe-sam-js", "template.yaml"));
        Assert.Contains(s3.SelectMany(r => r.EventSources), e => e.Type == "S3" && e.Properties["Events"] == "s3:ObjectCreated:*");
    }

    private static string TempTemplate(string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), "li-template-" + Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    [Fact]
    public void OpenResourcePoliciesAndWildcardGrantsAreFindings()
    {
        var file = TempTemplate(@"
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt FnRole.Arn
      Runtime: python3.12
  FnRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }]
      Policies:
        - PolicyName: broad
          PolicyDocument:
            Statement:
              - { Effect: Allow, Action: 'dynamodb:*', Resource: '*' }
      PermissionsBoundary: !Ref Boundary
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement: [{ Effect: Allow, Action: ['dynamodb:*', 'logs:*'], Resource: '*' }]
  Open:
    Type: AWS::Lambda::Permission
    Properties: { FunctionName: !Ref Fn, Action: lambda:InvokeFunction, Principal: '*' }
  Scoped:
    Type: AWS::Lambda::Permission
    Properties: { FunctionName: !GetAtt Fn.Arn, Action: lambda:InvokeFunction, Principal: s3.amazonaws.com, SourceArn: arn:aws:s3:::uploads }
");
        var f = Read(file).Single();
        Assert.Equal(2, f.ResourcePolicy!.Statement.Count);
        var open = Assert.Single(f.Findings, x => x.FindingId == "PublicResourcePolicy");
        Assert.Contains("'Open'", open.Message);
        Assert.Contains(f.Findings, x => x.FindingId == "WildcardServiceGrant" && x.Message.Contains("dynamodb:*"));
        Assert.Equal(PolicyKind.PermissionsBoundary, f.ExecutionRole!.PermissionsBoundary!.Kind);
        Assert.Contains("logs:*", f.ExecutionRole.PermissionsBoundary.Statement.Single().Action);
        Assert.Equal("${GetAtt:FnRole.Arn}", f.RoleArn);
        Assert.True(f.IsComplete);
    }

    [Fact]
    public void AFunctionBehindAFalseConditionIsStillAReportedRecord()
    {
        var file = TempTemplate(@"
Parameters:
  Deploy: { Type: String, Default: 'no' }
Conditions:
  DoDeploy: !Equals [!Ref Deploy, 'yes']
Resources:
  Maybe:
    Type: AWS::Serverless::Function
    Condition: DoDeploy
    Properties: { Runtime: python3.12, Handler: a.b }
");
        var f = Read(file).Single();
        Assert.Contains(f.Findings, x => x.FindingId == "FunctionConditionFalse");
        var deployed = Read(file, new InventoryOptions { Parameters = new Dictionary<string, string> { ["Deploy"] = "yes" } }).Single();
        Assert.DoesNotContain(deployed.Findings, x => x.FindingId == "FunctionConditionFalse");
    }

    [Fact]
    public void AFunctionWithAnUnknownPolicyTemplateYieldsAnIncompleteRecordAndAnError()
    {
        // An unknown policy template cannot be expanded: that function is reported and marked incomplete, the other is read.
        var file = TempTemplate(@"
Resources:
  Broken:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Policies: [ { UnknownPolicyTemplateXyz: {} } ]
  Fine:
    Type: AWS::Serverless::Function
    Properties: { Runtime: python3.12, Handler: a.b }
");
        var errors = new ErrorCollector();
        var records = Read(file, errors: errors);
        Assert.Equal(2, records.Count);
        var e = Assert.Single(errors.Errors);
        Assert.Equal("SamPolicyTemplateUnknown", e.ErrorId);
        Assert.Equal(7, e.Location!.Line);
        var broken = records.Single(r => r.LogicalId == "Broken");
        Assert.False(broken.IsComplete);
    }

    [Fact]
    public void PoliciesGivenByAnIntrinsicAreExpandedFromTheChosenBranch()
    {
        var file = TempTemplate(@"
Parameters:
  Stage: { Type: String, Default: dev }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.b
      Policies: !If [IsProd, [AWSLambdaRole], [AWSXrayWriteOnlyAccess, { Statement: [{ Effect: Allow, Action: 'sqs:SendMessage', Resource: '*' }] }]]
");
        var dev = Read(file).Single();
        var arns = dev.ExecutionRole!.Policies.Select(p => p.PolicyArn).ToList();
        Assert.Contains("arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess", arns);
        Assert.DoesNotContain("arn:aws:iam::aws:policy/service-role/AWSLambdaRole", arns);
        Assert.Contains(dev.ExecutionRole.Policies.SelectMany(p => p.Statement), s => s.Action.Contains("sqs:SendMessage"));
        var prod = Read(file, new InventoryOptions { Parameters = new Dictionary<string, string> { ["Stage"] = "prod" } }).Single();
        Assert.Contains("arn:aws:iam::aws:policy/service-role/AWSLambdaRole", prod.ExecutionRole!.Policies.Select(p => p.PolicyArn));
    }

    [Fact]
    public void ApiGatewayV2RoutesReachTheirFunctionsThroughIntegrations()
    {
        var records = Read(TestPaths.Shared("sam", "serverless-patterns", "apigw-websocket-mapping-template-authorizer", "template.yaml"));
        var connect = Assert.Single(records.Single(r => r.LogicalId == "OnConnectFunction").Callers);
        Assert.Equal("WebSocketApi", connect.Channel);
        Assert.Equal("$connect", connect.Route);
        Assert.Equal(CallerAuthType.Lambda, connect.AuthType);
        Assert.Equal("lambda-authorizer-request", connect.AuthorizerName);
        var disconnect = Assert.Single(records.Single(r => r.LogicalId == "OnDisconnectFunction").Callers);
        Assert.Equal("$disconnect", disconnect.Route);
        // A WebSocket API authorizes on $connect only; every other route runs on that connection and is as protected.
        Assert.Equal(CallerAuthType.Lambda, disconnect.AuthType);
        Assert.Equal("lambda-authorizer-request", disconnect.AuthorizerName);
        Assert.Contains(records.Single(r => r.LogicalId == "AuthFunction").Findings, f => f.FindingId == "LambdaAuthorizerFunction");
    }
}

using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

/// <summary>
/// Golden mappings of real templates from shared/data, read by the real inventory reader and grant deriver. Each
/// expected role was checked by hand against shared/data/catalogs/azure-builtin-role-definitions.json (name, GUID, and
/// that its actions/dataActions cover the operations the rule names while the next candidate is larger).
/// </summary>
public class AzRoleMapperRealDataTests
{
    private static (List<LambdaFunctionIdentity> Inventory, List<AzRoleMapping> Mappings, List<EngineError> Errors) MapTemplate(params string[] parts)
    {
        var errors = new ErrorCollector();
        var ctx = new EngineContext(errors);
        var inv = new InventoryReader().Read(new[] { TestPaths.Shared(parts) }, new InventoryOptions(), ctx).ToList();
        var ms = new AzRoleMapper(GrantDeriver.Default).Map(inv, ctx).ToList();
        return (inv, ms, errors.Errors.ToList());
    }

    private static AzRoleMapping Grant(IEnumerable<AzRoleMapping> ms, string fn, string action)
        => Assert.Single(ms, m => m.FunctionName == fn && m.AwsGrants.Any(g => g.StartsWith(action + " ", StringComparison.Ordinal)));

    [Fact]
    public void DynamoDbCrudPolicyBecomesCosmosDataContributor()
    {
        // sam/serverless-patterns/apigw-lambda-dynamodb: WeatherFunction with DynamoDBCrudPolicy on one table.
        var (inv, ms, errors) = MapTemplate("sam", "serverless-patterns", "apigw-lambda-dynamodb", "template.yaml");
        Assert.Empty(errors);
        var fn = Assert.Single(inv).FunctionName;
        var put = Grant(ms, fn, "dynamodb:PutItem");
        Assert.Equal(MappingStrategy.BuiltIn, put.Strategy);
        Assert.Equal("Cosmos DB Built-in Data Contributor", put.RoleDefinitionName);
        Assert.Equal("00000000-0000-0000-0000-000000000002", put.RoleDefinitionId);
        Assert.Equal("CosmosDbSql", put.RoleAssignmentType);
        Assert.Same(put, Grant(ms, fn, "dynamodb:GetItem"));          // reads and writes on one table: one assignment
        Assert.EndsWith("table/${Ref:DynamoDBTable}", put.Scope);
        Assert.True(put.ScopeIsPlaceholder);
        Assert.Equal(MappingStrategy.NotNeeded, Grant(ms, fn, "logs:PutLogEvents").Strategy);
        Assert.Equal("SystemAssigned", Assert.Single(ms, m => m.Kind == MappingKind.ManagedIdentity).IdentityType);
    }

    [Fact]
    public void S3CrudPolicyBecomesBlobDataContributorWithLifecycleCustomAndAclDeviation()
    {
        // sam/serverless-patterns/lambda-s3-download: S3CrudPolicy on the target bucket.
        var (inv, ms, errors) = MapTemplate("sam", "serverless-patterns", "lambda-s3-download", "template.yaml");
        Assert.Empty(errors);
        var fn = Assert.Single(inv).FunctionName;
        var put = Grant(ms, fn, "s3:PutObject");
        Assert.Equal("Storage Blob Data Contributor", put.RoleDefinitionName);
        Assert.Equal("ba92f5b4-2d11-453d-a403-e96b0029c9fe", put.RoleDefinitionId);
        Assert.Same(put, Grant(ms, fn, "s3:GetObject"));
        Assert.Same(put, Grant(ms, fn, "s3:DeleteObject"));
        Assert.Same(put, Grant(ms, fn, "s3:ListBucket"));
        var lifecycle = Grant(ms, fn, "s3:PutLifecycleConfiguration");
        Assert.Equal(MappingStrategy.Custom, lifecycle.Strategy);   // Storage Account Contributor would add listKeys and ~120 writes
        Assert.Equal(new[] { "Microsoft.Storage/storageAccounts/managementPolicies/read", "Microsoft.Storage/storageAccounts/managementPolicies/write" }, lifecycle.RequiredActions);
        var acl = Grant(ms, fn, "s3:PutObjectAcl");
        Assert.Equal(MappingStrategy.Deviation, acl.Strategy);
        Assert.Equal("s3-access-control", acl.RuleId);
    }

    [Fact]
    public void KinesisPollerGetsEventHubsTriggerAndThePollerPolicyIsServedByIt()
    {
        // sam/serverless-patterns/kinesis-lambda-error-handling: Kinesis event source, SQS destination, tracing.
        var (inv, ms, errors) = MapTemplate("sam", "serverless-patterns", "kinesis-lambda-error-handling", "template.yaml");
        Assert.Empty(errors);
        var fn = Assert.Single(inv).FunctionName;
        var trigger = Assert.Single(ms, m => m.Kind == MappingKind.TriggerConnection);
        Assert.Equal("kinesis-trigger", trigger.RuleId);
        Assert.Contains(ms, m => m.Kind == MappingKind.RoleAssignment && m.RuleId == "kinesis-trigger" && m.RoleDefinitionName == "Azure Event Hubs Data Receiver" && m.RoleDefinitionId == "a638d3c7-ab3a-418d-83e6-5f17a39d4fde");
        // AWSLambdaKinesisExecutionRole grants the poller's reads on "*": served by the trigger's role on the stream.
        var read = Grant(ms, fn, "kinesis:GetRecords");
        Assert.Equal(MappingStrategy.NotNeeded, read.Strategy);
        Assert.Equal(IdentitySurface.Platform, read.Surface);
        Assert.Contains("AWSLambdaKinesisExecutionRole", read.Reason);
        Assert.All(ms.Where(m => m.AwsGrants.Any(g => g.StartsWith("sqs:SendMessage"))), m => Assert.Equal("Azure Service Bus Data Sender", m.RoleDefinitionName));
        Assert.Equal(MappingStrategy.NotNeeded, Grant(ms, fn, "xray:PutTraceSegments").Strategy);
    }

    [Fact]
    public void IamFunctionUrlBecomesEntraAuthentication()
    {
        // sam/serverless-patterns/lambda-function-url: FunctionUrlConfig AuthType AWS_IAM.
        var (inv, ms, errors) = MapTemplate("sam", "serverless-patterns", "lambda-function-url", "template.yaml");
        Assert.Empty(errors);
        var auth = Assert.Single(ms, m => m.Surface == IdentitySurface.EndUser);
        Assert.Equal("true", auth.Settings["requireAuthentication"]);
        Assert.Equal("azureActiveDirectory", auth.Settings["identityProvider"]);
        Assert.Equal("api://" + auth.FunctionAppName, auth.Settings["allowedAudiences"]);
    }

    [Fact]
    public void CognitoAuthorizerCarriesTheUserPoolIssuer()
    {
        // sam/serverless-patterns/amplify_cognito_apigateway_lambda_envvariables: REST API with a Cognito authorizer.
        var (inv, ms, errors) = MapTemplate("sam", "serverless-patterns", "amplify_cognito_apigateway_lambda_envvariables", "template.yaml");
        Assert.Empty(errors);
        var caller = Assert.Single(inv).Callers.First(c => c.AuthType == CallerAuthType.Cognito);
        var auth = Assert.Single(ms, m => m.Surface == IdentitySurface.EndUser && m.AwsFeature.Contains("Cognito"));
        Assert.Equal("true", auth.Settings["requireAuthentication"]);
        Assert.Equal(caller.Issuer ?? "{issuer}", auth.Settings["issuer"]);
    }

    public static IEnumerable<object[]> TemplateFolders() => new[]
    {
        new object[] { Path.Combine("sam", "serverless-patterns") },
        new object[] { Path.Combine("sam", "sam-translator", "input") },
        new object[] { Path.Combine("cloudformation", "localstack-templates") },
    };

    [Theory]
    [MemberData(nameof(TemplateFolders))]
    public void EveryGrantOfEveryFunctionHasExactlyOneOutcome(string folder)
    {
        var ctx = new EngineContext(new ErrorCollector());
        var inv = new InventoryReader().Read(new[] { Path.Combine(TestPaths.SharedData, folder) }, new InventoryOptions(), ctx).ToList();
        Assert.True(inv.Count > 0, folder + " gave no functions");
        var catalog = AzureRoleCatalog.Default;
        var mapper = new AzRoleMapper(GrantDeriver.Default);
        var grantsChecked = 0;
        foreach (var f in inv)
        {
            var ms = mapper.Map(new[] { f }, ctx);
            Assert.Contains(ms, m => m.Kind == MappingKind.ManagedIdentity);
            var grants = f.ExecutionRole is null ? new List<EffectiveGrant>() : GrantDeriver.Default.Derive(f.ExecutionRole, EngineContext.None).ToList();
            T.AssertEveryGrantAccountedOnce(grants, ms, folder + " " + f.FunctionName + " (" + f.Source + ")");
            grantsChecked += grants.Count;
            foreach (var m in ms.Where(m => m.RoleDefinitionName is not null && !m.RoleDefinitionName.StartsWith("LambdaIdentity ", StringComparison.Ordinal)))
            {
                var role = catalog.FindByName(m.RoleDefinitionName!);
                Assert.True(role is not null && role.Id == m.RoleDefinitionId, m.RoleDefinitionName + " / " + m.RoleDefinitionId + " is not in the catalog");
                Assert.False(catalog.IsPrivileged(role!), m.RoleDefinitionName + " can change access (" + f.FunctionName + ")");
            }
            Assert.All(ms.Where(m => m.Strategy == MappingStrategy.Deviation), m => Assert.False(string.IsNullOrEmpty(m.Impact) || string.IsNullOrEmpty(m.Mitigation), m.MappingId + " lacks impact or mitigation"));
        }
        Assert.True(grantsChecked > 0, folder + ": no grants were checked");
    }

    [Fact]
    public void OneRunOverEveryTemplateGivesEachFunctionItsOwnAppAndUniqueMappingIds()
    {
        // 2,000+ functions from many templates, 222 of them called MyFunction: one run must keep them apart.
        var ctx = new EngineContext(new ErrorCollector());
        var inv = new InventoryReader().Read(new[] { TestPaths.Shared("sam"), TestPaths.Shared("cloudformation") }, new InventoryOptions(), ctx).ToList();
        Assert.True(inv.Count > 1000, "only " + inv.Count + " functions");
        Assert.True(inv.GroupBy(f => f.FunctionName).Max(g => g.Count()) > 10, "the shared data no longer has many functions of one name");
        var ms = new AzRoleMapper(GrantDeriver.Default).Map(inv, ctx);
        var identities = ms.Where(m => m.Kind == MappingKind.ManagedIdentity).ToList();
        Assert.Equal(inv.Count, identities.Count);
        Assert.Equal(inv.Count, identities.Select(m => m.FunctionAppName).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(inv.Count, ms.Select(m => m.FunctionAppName).Distinct(StringComparer.Ordinal).Count());
        var duplicateIds = ms.GroupBy(m => m.MappingId, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).Take(5).ToList();
        Assert.True(duplicateIds.Count == 0, "mapping ids used twice: " + string.Join(", ", duplicateIds));
        // Functions of unique name keep the plain id.
        var unique = inv.GroupBy(f => f.FunctionName).First(g => g.Count() == 1).Key;
        Assert.Contains(ms, m => m.MappingId.StartsWith(unique + "/", StringComparison.Ordinal));
    }

    [Fact]
    public void TemplateWhereEveryGrantIsADeviation()
    {
        // tests/fixtures/translation/sam-template-all-deviations.yaml, read by the real inventory reader and grant deriver.
        var errors = new ErrorCollector();
        var ctx = new EngineContext(errors);
        var inv = new InventoryReader().Read(new[] { Path.Combine(TestPaths.Fixtures, "translation", "sam-template-all-deviations.yaml") }, new InventoryOptions { AccountId = "123456789012", Region = "eu-west-1" }, ctx).ToList();
        var f = Assert.Single(inv);
        var ms = new AzRoleMapper(GrantDeriver.Default).Map(inv, ctx);
        var grants = GrantDeriver.Default.Derive(f.ExecutionRole!, EngineContext.None);
        T.AssertEveryGrantAccountedOnce(grants, ms);
        var grantRecords = ms.Where(m => m.AwsGrants.Count > 0).ToList();
        var notDeviation = grantRecords.Where(m => m.Strategy != MappingStrategy.Deviation && !m.AwsActions.All(a => a.StartsWith("logs:"))).Select(m => m.AwsFeature).ToList();
        Assert.True(notDeviation.Count == 0, "not deviations: " + string.Join("; ", notDeviation));
        Assert.All(grantRecords.Where(m => m.Strategy == MappingStrategy.Deviation), m => { Assert.False(string.IsNullOrEmpty(m.Impact)); Assert.False(string.IsNullOrEmpty(m.Mitigation)); });
        Assert.Contains(grantRecords, m => m.RuleId == "sts-assume-role");
        Assert.Contains(grantRecords, m => m.RuleId == "rds-iam-auth");
        // Cosmos DB SQL role assignments live on an account: "every table" is proposed at the account, never a resource group.
        Assert.Contains(grantRecords, m => m.RuleId == "dynamodb-read" && m.Scope == "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.DocumentDB/databaseAccounts/{cosmosAccount}");
        Assert.Contains(grantRecords, m => m.RuleId == "s3-object-read" && m.Settings.ContainsKey("awsCondition"));
    }
}

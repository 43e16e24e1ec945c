using Xunit;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;

namespace LambdaIdentity.Tests.Translation;

public class AzRoleMapperTests
{
    private static List<AzRoleMapping> Map(LambdaFunctionIdentity f, MappingOptions? options = null, params EffectiveGrant[] grants)
        => new AzRoleMapper(new FixedGrantDeriver(f.RoleArn, grants), options).Map(new[] { f }, EngineContext.None).ToList();

    private static AzRoleMapping Single(IEnumerable<AzRoleMapping> ms, string ruleId) => Assert.Single(ms, m => m.RuleId == ruleId && m.AwsGrants.Count > 0);

    [Fact]
    public void S3ReadAndListOnOneBucketBecomeOneBlobDataReaderAssignment()
    {
        var f = T.Function("orders", "orders-role");
        var grants = new[]
        {
            T.Grant("s3:GetObject", AccessLevel.Read, "arn:aws:s3:::orders-bucket/*"),
            T.Grant("s3:ListBucket", AccessLevel.List, "arn:aws:s3:::orders-bucket"),
        };
        var ms = Map(f, null, grants);
        var blob = Assert.Single(ms, m => m.AzureService == "Blob Storage");
        Assert.Equal(MappingStrategy.BuiltIn, blob.Strategy);
        Assert.Equal("Storage Blob Data Reader", blob.RoleDefinitionName);
        Assert.Equal("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", blob.RoleDefinitionId);
        Assert.Equal(new[] { "s3:GetObject", "s3:ListBucket" }, blob.AwsActions);
        Assert.Equal("unmapped:arn:aws:s3:::orders-bucket", blob.Scope);
        Assert.True(blob.ScopeIsPlaceholder);
        Assert.Equal("orders-role".Length > 0 ? "func-orders" : "", blob.PrincipalName);
        Assert.Equal("SystemAssigned", blob.IdentityType);
        T.AssertEveryGrantAccountedOnce(grants, ms);
    }

    [Fact]
    public void S3WriteBecomesBlobDataContributorAndDynamoDbBecomesCosmosSqlRole()
    {
        var f = T.Function("writer", "writer-role");
        var grants = new[]
        {
            T.Grant("s3:GetObject", AccessLevel.Read, "arn:aws:s3:::b/*"),
            T.Grant("s3:PutObject", AccessLevel.Write, "arn:aws:s3:::b/*"),
            T.Grant("s3:DeleteObject", AccessLevel.Write, "arn:aws:s3:::b/*"),
            T.Grant("dynamodb:GetItem", AccessLevel.Read, "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders"),
            T.Grant("dynamodb:Query", AccessLevel.Read, "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/index/ByDate"),
            T.Grant("dynamodb:PutItem", AccessLevel.Write, "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders"),
            T.Grant("dynamodb:GetItem", AccessLevel.Read, "arn:aws:dynamodb:eu-west-1:123456789012:table/Customers"),
        };
        var ms = Map(f, null, grants);
        Assert.Equal("Storage Blob Data Contributor", Assert.Single(ms, m => m.AzureService == "Blob Storage").RoleDefinitionName);
        var orders = Assert.Single(ms, m => m.AzureService == "Cosmos DB for NoSQL" && m.Scope!.EndsWith("table/Orders"));
        Assert.Equal("Cosmos DB Built-in Data Contributor", orders.RoleDefinitionName);
        Assert.Equal("00000000-0000-0000-0000-000000000002", orders.RoleDefinitionId);
        Assert.Equal("CosmosDbSql", orders.RoleAssignmentType);
        var customers = Assert.Single(ms, m => m.AzureService == "Cosmos DB for NoSQL" && m.Scope!.EndsWith("table/Customers"));
        Assert.Equal("Cosmos DB Built-in Data Reader", customers.RoleDefinitionName);
        T.AssertEveryGrantAccountedOnce(grants, ms);
    }

    [Theory]
    [InlineData("sqs:SendMessage", AccessLevel.Write, "arn:aws:sqs:eu-west-1:123456789012:q", "Azure Service Bus Data Sender")]
    [InlineData("sqs:ReceiveMessage", AccessLevel.Read, "arn:aws:sqs:eu-west-1:123456789012:q", "Azure Service Bus Data Receiver")]
    [InlineData("sns:Publish", AccessLevel.Write, "arn:aws:sns:eu-west-1:123456789012:t", "Azure Service Bus Data Sender")]
    [InlineData("events:PutEvents", AccessLevel.Write, "arn:aws:events:eu-west-1:123456789012:event-bus/default", "EventGrid Data Sender")]
    [InlineData("kinesis:PutRecord", AccessLevel.Write, "arn:aws:kinesis:eu-west-1:123456789012:stream/s", "Azure Event Hubs Data Sender")]
    [InlineData("kinesis:GetRecords", AccessLevel.Read, "arn:aws:kinesis:eu-west-1:123456789012:stream/s", "Azure Event Hubs Data Receiver")]
    [InlineData("secretsmanager:GetSecretValue", AccessLevel.Read, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf", "Key Vault Secrets User")]
    [InlineData("ssm:GetParameter", AccessLevel.Read, "arn:aws:ssm:eu-west-1:123456789012:parameter/app/x", "App Configuration Data Reader")]
    [InlineData("kms:Decrypt", AccessLevel.Write, "arn:aws:kms:eu-west-1:123456789012:key/1234", "Key Vault Crypto User")]
    [InlineData("cloudwatch:PutMetricData", AccessLevel.Write, "*", "Monitoring Metrics Publisher")]
    public void DesignTableGrantsGetTheDesignTableRole(string action, AccessLevel level, string resource, string role)
    {
        var f = T.Function("fn", "fn-role");
        var ms = Map(f, null, T.Grant(action, level, resource));
        var m = Assert.Single(ms, x => x.AwsGrants.Count > 0);
        Assert.Equal(role, m.RoleDefinitionName);
        Assert.NotEqual(MappingStrategy.Custom, m.Strategy);
    }

    [Fact]
    public void LogsXrayAndVpcAreNotNeededWithTheReason()
    {
        var f = T.Function("fn", "fn-role");
        var grants = new[]
        {
            T.Grant("logs:CreateLogGroup", AccessLevel.Write, "*"),
            T.Grant("logs:PutLogEvents", AccessLevel.Write, "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fn:*"),
            T.Grant("xray:PutTraceSegments", AccessLevel.Write, "*"),
            T.Grant("ec2:CreateNetworkInterface", AccessLevel.Write, "*"),
        };
        var ms = Map(f, null, grants);
        var logs = Single(ms, "logs-basic-execution");
        Assert.Equal(MappingStrategy.NotNeeded, logs.Strategy);
        Assert.Contains("Application Insights", logs.Reason);
        Assert.Equal(MappingStrategy.NotNeeded, Single(ms, "xray-tracing").Strategy);
        Assert.Contains("VNet integration", Single(ms, "vpc-network-interfaces").Reason);
        T.AssertEveryGrantAccountedOnce(grants, ms);
    }

    [Fact]
    public void ResourceWildcardIsADeviationWithAProposedScope()
    {
        var f = T.Function("fn", "fn-role");
        var ms = Map(f, null, T.Grant("s3:GetObject", AccessLevel.Read, "*"));
        var m = Single(ms, "s3-object-read");
        Assert.Equal(MappingStrategy.Deviation, m.Strategy);
        Assert.Equal("Storage Blob Data Reader", m.RoleDefinitionName);
        Assert.Equal("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}", m.Scope);
        Assert.False(string.IsNullOrEmpty(m.Impact));
        Assert.Contains("resource map", m.Mitigation);
    }

    [Fact]
    public void ResourceMapGivesRealScopesAndPatternsMatch()
    {
        var f = T.Function("fn", "fn-role");
        var map = new ResourceMap(new[]
        {
            new ResourceMapEntry { Aws = "arn:aws:s3:::orders-*", Azure = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/blobServices/default/containers/orders" },
            new ResourceMapEntry { Aws = "arn:aws:s3:::orders-prod", Azure = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/blobServices/default/containers/prod" },
        });
        var ms = Map(f, new MappingOptions { ResourceMap = map },
            T.Grant("s3:GetObject", AccessLevel.Read, "arn:aws:s3:::orders-prod/*"),
            T.Grant("s3:GetObject", AccessLevel.Read, "arn:aws:s3:::orders-dev/*"));
        var scopes = ms.Where(m => m.RuleId == "s3-object-read").Select(m => m.Scope).OrderBy(s => s).ToList();
        Assert.Equal(new[] { "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/blobServices/default/containers/orders", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/blobServices/default/containers/prod" }, scopes);
        Assert.All(ms.Where(m => m.RuleId == "s3-object-read"), m => Assert.False(m.ScopeIsPlaceholder));
    }

    [Fact]
    public void ConditionsAndPermissionManagementAreDeviations()
    {
        var f = T.Function("fn", "fn-role");
        var conditional = new EffectiveGrant
        {
            Service = "s3", Action = "s3:ListBucket", AccessLevel = AccessLevel.List, Resources = new[] { "arn:aws:s3:::b" },
            Conditions = new[] { new PolicyCondition { Operator = "StringLike", Key = "s3:prefix", Values = new[] { "home/*" } } },
        };
        var ms = Map(f, null, conditional, T.Grant("iam:PassRole", AccessLevel.Write, "*"), T.Grant("iam:PutRolePolicy", AccessLevel.PermissionsManagement, "*"));
        var c = Single(ms, "s3-object-read");
        Assert.Equal(MappingStrategy.Deviation, c.Strategy);
        Assert.Contains("ABAC", c.Mitigation);
        var pm = Single(ms, "access-changing-grants");
        Assert.Equal(MappingStrategy.Deviation, pm.Strategy);
        Assert.Contains(pm.Findings, x => x.FindingId == "AccessChangingGrant");
        var norule = Assert.Single(ms, m => m.AwsActions.Contains("iam:PassRole"));
        Assert.Equal(MappingStrategy.Deviation, norule.Strategy);
        Assert.Contains("-RuleSet", norule.Mitigation);
    }

    [Fact]
    public void NoMappingProposesARoleThatCanChangeAccess()
    {
        var f = T.Function("fn", "fn-role");
        var grants = new[] { "s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:PutLifecycleConfiguration", "dynamodb:CreateTable", "sqs:SendMessage", "kms:Encrypt", "secretsmanager:PutSecretValue", "ssm:PutParameter" }
            .Select(a => T.Grant(a, AccessLevel.Write, "arn:aws:" + a.Split(':')[0] + ":eu-west-1:123456789012:thing")).ToArray();
        var ms = Map(f, null, grants);
        var catalog = LambdaIdentity.Core.Catalogs.AzureRoleCatalog.Default;
        foreach (var m in ms.Where(m => m.RoleDefinitionName is not null && m.Strategy != MappingStrategy.Custom))
        {
            var role = catalog.FindByName(m.RoleDefinitionName!);
            Assert.NotNull(role);
            Assert.False(catalog.IsPrivileged(role!), m.RoleDefinitionName + " can change access");
            Assert.Equal(role!.Id, m.RoleDefinitionId);
        }
        T.AssertEveryGrantAccountedOnce(grants, ms);
    }

    [Fact]
    public void ACustomRoleHoldsExactlyTheNeededOperationsWhenBuiltInsAreMuchBroader()
    {
        var f = T.Function("fn", "fn-role");
        var strict = RuleSetLoader.Merge(RuleSetLoader.Default, new MappingRuleSet { SchemaVersion = 1, CustomRoleExcessThreshold = 0 });
        var ms = Map(f, new MappingOptions { RuleSet = strict }, T.Grant("kms:Decrypt", AccessLevel.Write, "arn:aws:kms:eu-west-1:123456789012:key/k"));
        var m = Single(ms, "kms-crypto");
        Assert.Equal(MappingStrategy.Custom, m.Strategy);
        Assert.StartsWith("LambdaIdentity Key Vault ", m.RoleDefinitionName);
        Assert.True(Guid.TryParse(m.RoleDefinitionId, out _));
        Assert.Contains("Microsoft.KeyVault/vaults/keys/decrypt/action", m.RequiredDataActions);
        Assert.Contains("Key Vault Crypto User", m.Reason);
    }

    [Fact]
    public void OneFunctionPerRoleIsSystemAssignedASharedRoleIsOneUserAssignedIdentity()
    {
        var a = T.Function("a", "shared-role");
        var b = T.Function("b", "shared-role");
        var c = T.Function("c", "own-role");
        var mapper = new AzRoleMapper(new FixedGrantDeriver(new Dictionary<string, IReadOnlyList<EffectiveGrant>> { [T.RoleArn("shared-role")] = new[] { T.Grant("sqs:SendMessage", AccessLevel.Write, "arn:aws:sqs:eu-west-1:123456789012:q") } }));
        var ms = mapper.Map(new[] { a, b, c }, EngineContext.None);
        var ids = ms.Where(m => m.Kind == MappingKind.ManagedIdentity).ToDictionary(m => m.FunctionName);
        Assert.Equal("UserAssigned", ids["a"].IdentityType);
        Assert.Equal("id-shared-role", ids["a"].PrincipalName);
        Assert.Equal("id-shared-role", ids["b"].PrincipalName);
        Assert.Equal("SystemAssigned", ids["c"].IdentityType);
        Assert.Equal("func-c", ids["c"].PrincipalName);
        Assert.All(ms.Where(m => m.FunctionName == "a" && m.Kind == MappingKind.RoleAssignment && m.PrincipalType == "ServicePrincipal"), m => Assert.Equal("id-shared-role", m.PrincipalName));
        Assert.Equal(ms.Count, ms.Select(m => m.MappingId).Distinct().Count());
    }

    [Fact]
    public void MappingIsDeterministic()
    {
        var f = T.Function("fn", "fn-role");
        var grants = new[] { T.Grant("s3:GetObject", AccessLevel.Read, "arn:aws:s3:::b/*"), T.Grant("sqs:SendMessage", AccessLevel.Write, "arn:aws:sqs:eu-west-1:123456789012:q") };
        var one = LambdaIdentity.Core.Serialization.ModelJson.Serialize(Map(f, null, grants));
        var two = LambdaIdentity.Core.Serialization.ModelJson.Serialize(Map(f, null, grants.Reverse().ToArray()));
        Assert.Equal(one, two);
    }

    [Fact]
    public void EndUsersFunctionUrlNoneIsAnonymousWithAFindingAndAuthorizersCarryOver()
    {
        var f = new LambdaFunctionIdentity
        {
            FunctionName = "api", FunctionArn = "arn:aws:lambda:eu-west-1:123456789012:function:api", RoleArn = T.RoleArn("r"),
            ExecutionRole = new ExecutionRole { RoleArn = T.RoleArn("r"), RoleName = "r" },
            FunctionUrl = new FunctionUrlConfig { AuthType = "NONE" },
            Callers = new[]
            {
                new CallerAccess { Channel = "HttpApi", Route = "GET /orders", AuthType = CallerAuthType.Cognito, AuthorizerName = "pool", Issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc", Audiences = new[] { "client1", "client2" } },
                new CallerAccess { Channel = "RestApi", Route = "POST /admin", AuthType = CallerAuthType.Lambda, AuthorizerName = "custom" },
                new CallerAccess { Channel = "RestApi", Route = "GET /keyed", AuthType = CallerAuthType.ApiKey, ApiKeyRequired = true },
                new CallerAccess { Channel = "HttpApi", Route = "GET /iam", AuthType = CallerAuthType.AwsIam },
            },
        };
        var ms = Map(f).Where(m => m.Surface == IdentitySurface.EndUser).ToList();
        var url = Assert.Single(ms, m => m.MappingId.EndsWith("/url"));
        Assert.Equal("anonymous", url.Settings["authLevel"]);
        Assert.Contains(url.Findings, x => x.FindingId == "PublicFunctionUrl");
        var cognito = Assert.Single(ms, m => m.AwsFeature.Contains("Cognito"));
        Assert.Equal("true", cognito.Settings["requireAuthentication"]);
        Assert.Equal("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc", cognito.Settings["issuer"]);
        Assert.Equal("client1,client2", cognito.Settings["allowedAudiences"]);
        // Cognito access tokens carry no aud: the Entra provider cannot validate them, so the design is a deviation (issue 16).
        Assert.Equal(MappingStrategy.Deviation, cognito.Strategy);
        Assert.Contains("no aud claim", cognito.Impact);
        Assert.Contains(cognito.Findings, x => x.FindingId == "CognitoTokenNoAudience");
        var lambda = Assert.Single(ms, m => m.AwsFeature.Contains("authorizer custom"));
        Assert.Equal(MappingStrategy.Deviation, lambda.Strategy);
        Assert.Contains("API Management", lambda.Mitigation);
        var key = Assert.Single(ms, m => m.AwsFeature.Contains("API key"));
        Assert.Equal(MappingStrategy.Deviation, key.Strategy);
        Assert.Equal("function", key.Settings["authLevel"]);
        var iam = Assert.Single(ms, m => m.AwsFeature.Contains("AwsIam"));
        Assert.Equal("azureActiveDirectory", iam.Settings["identityProvider"]);
        Assert.Equal("api://func-api", iam.Settings["allowedAudiences"]);
    }

    [Fact]
    public void TriggersGetIdentityConnectionsAndTheirRoles()
    {
        var f = T.Function("fn", "fn-role");
        f = new LambdaFunctionIdentity
        {
            FunctionName = f.FunctionName, FunctionArn = f.FunctionArn, RoleArn = f.RoleArn, ExecutionRole = f.ExecutionRole,
            EventSources = new[]
            {
                new EventSource { Type = "SQS", Name = "Orders", SourceArn = "arn:aws:sqs:eu-west-1:123456789012:orders", IsPoll = true },
                new EventSource { Type = "S3", Name = "Uploads", SourceArn = "arn:aws:s3:::uploads" },
                new EventSource { Type = "Schedule", Name = "Nightly" },
                new EventSource { Type = "Carrier", Name = "Pigeon" },
            },
        };
        var grants = new[] { T.Grant("sqs:ReceiveMessage", AccessLevel.Read, "arn:aws:sqs:eu-west-1:123456789012:orders") };
        var ms = Map(f, null, grants);
        var sqs = Assert.Single(ms, m => m.Kind == MappingKind.TriggerConnection && m.RuleId == "sqs-trigger");
        Assert.Equal("orders__fullyQualifiedNamespace", sqs.Settings["connectionSetting"]);
        Assert.Contains(ms, m => m.MappingId.Contains("trigger/Orders/") && m.RoleDefinitionName == "Azure Service Bus Data Receiver");
        Assert.Contains(ms, m => m.MappingId.Contains("trigger/Uploads/") && m.RoleDefinitionName == "Storage Blob Data Owner");
        Assert.Contains(ms, m => m.MappingId.Contains("trigger/Uploads/") && m.RoleDefinitionName == "Storage Queue Data Contributor");
        Assert.Equal(MappingStrategy.NotNeeded, Assert.Single(ms, m => m.RuleId == "schedule-trigger").Strategy);
        Assert.Equal(MappingStrategy.Deviation, Assert.Single(ms, m => m.MappingId.EndsWith("trigger/Pigeon")).Strategy);
        // The receive grant on the event source serves the trigger: platform surface.
        Assert.Equal(IdentitySurface.Platform, Single(ms, "sqs-receive").Surface);
        // A blob trigger adds queue and account roles on host storage.
        Assert.Contains(ms, m => m.MappingId.Contains("host/AzureWebJobsStorage/Storage Queue Data Contributor"));
    }

    [Theory]
    [InlineData(HostingPlan.FlexConsumption, false)]
    [InlineData(HostingPlan.Dedicated, false)]
    [InlineData(HostingPlan.Premium, true)]
    [InlineData(HostingPlan.Consumption, true)]
    public void HostStorageUsesTheIdentityAndKeyBasedContentShareIsADeviation(HostingPlan plan, bool contentShareDeviation)
    {
        var ms = Map(T.Function("fn", "r"), new MappingOptions { HostingPlan = plan });
        Assert.Contains(ms, m => m.MappingId.EndsWith("host/AzureWebJobsStorage/Storage Blob Data Owner") && m.RoleDefinitionId == "b7e6dc6d-f1e8-4753-8033-0f276bb0955b");
        Assert.Equal("managedidentity", Assert.Single(ms, m => m.MappingId.EndsWith("host/AzureWebJobsStorage")).Settings["AzureWebJobsStorage__credential"]);
        Assert.Equal(contentShareDeviation, ms.Any(m => m.MappingId.EndsWith("host/content-share") && m.Strategy == MappingStrategy.Deviation));
    }

    [Fact]
    public void PrincipalsBecomeAppScopedAssignmentsPimAndFederation()
    {
        var f = T.Function("fn", "r");
        f = new LambdaFunctionIdentity
        {
            FunctionName = f.FunctionName, FunctionArn = f.FunctionArn, RoleArn = f.RoleArn, ExecutionRole = f.ExecutionRole,
            Principals = new[]
            {
                new PrincipalAccess { PrincipalArn = "arn:aws:iam::123456789012:role/github-deploy", PrincipalType = "Role", AccessLevel = "Deploy", Actions = new[] { "lambda:UpdateFunctionCode" }, IsOidcFederated = true },
                new PrincipalAccess { PrincipalArn = "arn:aws:iam::123456789012:group/devs", PrincipalType = "Group", AccessLevel = "Read", Actions = new[] { "lambda:GetFunction" } },
                new PrincipalAccess { PrincipalArn = "arn:aws:iam::123456789012:role/break-glass", PrincipalType = "Role", AccessLevel = "Admin", Actions = new[] { "lambda:*" }, IsEmergency = true },
            },
        };
        var ms = Map(f);
        var deploy = Assert.Single(ms, m => m.Surface == IdentitySurface.Automation && m.Kind == MappingKind.RoleAssignment);
        Assert.Equal("Website Contributor", deploy.RoleDefinitionName);
        Assert.Equal("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Web/sites/func-fn", deploy.Scope);
        Assert.Contains(ms, m => m.Kind == MappingKind.Setting && m.AzureFeature.StartsWith("Workload identity federation"));
        Assert.Equal("Reader", Assert.Single(ms, m => m.AwsFeature.Contains("group/devs")).RoleDefinitionName);
        var bg = Assert.Single(ms, m => m.AwsFeature.Contains("break-glass"));
        Assert.True(bg.PimEligible);
        Assert.Equal(IdentitySurface.People, bg.Surface);
        Assert.Equal("Website Contributor", bg.RoleDefinitionName);
    }

    [Fact]
    public void FunctionAppEntriesOfTheResourceMapGiveRealAppScopesAndNames()
    {
        var deployer = new PrincipalAccess { PrincipalArn = "arn:aws:iam::123456789012:role/github-deploy", PrincipalType = "Role", AccessLevel = "Deploy", Actions = new[] { "lambda:UpdateFunctionCode" } };
        LambdaFunctionIdentity Fn(string name)
        {
            var t = T.Function(name, name + "-role");
            return new LambdaFunctionIdentity { FunctionName = t.FunctionName, FunctionArn = t.FunctionArn, RoleArn = t.RoleArn, ExecutionRole = t.ExecutionRole, Principals = new[] { deployer } };
        }
        const string rg = "/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourceGroups/rg-orders";
        var map = new ResourceMap(new[]
        {
            new ResourceMapEntry { Aws = "function-app:*", Azure = rg },
            new ResourceMapEntry { Aws = "function-app:billing", Azure = "/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourceGroups/rg-billing/providers/Microsoft.Web/sites/billing-func" },
        });
        var deriver = new FixedGrantDeriver(new Dictionary<string, IReadOnlyList<EffectiveGrant>>());
        var ms = new AzRoleMapper(deriver, new MappingOptions { ResourceMap = map }).Map(new[] { Fn("orders"), Fn("billing") }, EngineContext.None);

        var orders = Assert.Single(ms, m => m.FunctionName == "orders" && m.Surface == IdentitySurface.Automation && m.Kind == MappingKind.RoleAssignment);
        Assert.Equal(rg + "/providers/Microsoft.Web/sites/func-orders", orders.Scope);
        Assert.False(orders.ScopeIsPlaceholder);
        var billing = Assert.Single(ms, m => m.FunctionName == "billing" && m.Surface == IdentitySurface.Automation && m.Kind == MappingKind.RoleAssignment);
        Assert.EndsWith("/resourceGroups/rg-billing/providers/Microsoft.Web/sites/billing-func", billing.Scope);
        Assert.False(billing.ScopeIsPlaceholder);
        // The site's name is the app name every record of the function carries (parity finds the identity by it).
        Assert.All(ms.Where(m => m.FunctionName == "billing"), m => Assert.Equal("billing-func", m.FunctionAppName));

        // Without the map the scope is the documented placeholder.
        var plain = new AzRoleMapper(deriver).Map(new[] { Fn("orders") }, EngineContext.None);
        Assert.True(Assert.Single(plain, m => m.Surface == IdentitySurface.Automation && m.Kind == MappingKind.RoleAssignment).ScopeIsPlaceholder);
    }

    [Theory]
    [InlineData("repo:contoso/orders:ref:refs/heads/main", "BuiltIn")]
    [InlineData("repo:contoso/orders:*", "Deviation")]
    public void FederatedCiRoleCarriesItsIssuerAndSubjectToTheFederatedCredential(string subject, string strategy)
    {
        var t = T.Function("fn", "r");
        var f = new LambdaFunctionIdentity
        {
            FunctionName = t.FunctionName, FunctionArn = t.FunctionArn, RoleArn = t.RoleArn, ExecutionRole = t.ExecutionRole,
            Principals = new[]
            {
                new PrincipalAccess { PrincipalArn = "arn:aws:iam::123456789012:role/github-deploy", PrincipalType = "Role", AccessLevel = "Deploy", Actions = new[] { "lambda:UpdateFunctionCode" },
                    IsOidcFederated = true, FederatedIssuers = new[] { "https://token.actions.githubusercontent.com" }, FederatedSubjects = new[] { subject } },
            },
        };
        var w = Assert.Single(Map(f), m => m.AzureFeature.StartsWith("Workload identity federation"));
        Assert.Equal("https://token.actions.githubusercontent.com", w.Settings["federatedCredential.issuer"]);
        Assert.Equal(subject, w.Settings["federatedCredential.subject"]);
        Assert.Equal(strategy, w.Strategy.ToString());
        if (strategy == "Deviation") { Assert.Contains(subject, w.Impact); Assert.Contains("flexible federated identity credential", w.Mitigation); }
    }

    [Fact]
    public void ConditionsOnAssumingTheRoleBecomeConditionalAccessRequirements()
    {
        // The demo account's break-glass role may only be assumed with MFA (its trust policy's Bool condition).
        var inventory = DemoWorkload.Inventory();
        var breakGlass = inventory.SelectMany(f => f.Principals).Where(p => p.PrincipalArn.EndsWith("role/BreakGlassAdmin")).ToList();
        Assert.NotEmpty(breakGlass);
        Assert.All(breakGlass, p => Assert.Equal(new[] { "Bool aws:MultiFactorAuthPresent true" }, p.UseConditions));
        // The OIDC claims of the CI role are carried as its federated credential, not as conditions.
        Assert.All(inventory.SelectMany(f => f.Principals).Where(p => p.IsOidcFederated), p => Assert.Empty(p.UseConditions));

        var ms = new AzRoleMapper(LambdaIdentity.Core.Aws.Policy.GrantDeriver.Default).Map(inventory, EngineContext.None);
        var people = ms.Where(m => (m.PrincipalName ?? "").Contains("BreakGlassAdmin") && m.Kind == MappingKind.RoleAssignment).ToList();
        Assert.NotEmpty(people);
        Assert.All(people, m => Assert.Contains("require MFA for it", m.Reason));
        Assert.DoesNotContain(ms, m => (m.PrincipalName ?? "").Contains("github-deploy") && m.Reason.Contains("Assuming the AWS role required"));
    }

    [Fact]
    public void InvokingAFunctionOfTheSameTemplateByTokenTargetsThatFunctionsApp()
    {
        LambdaFunctionIdentity Fn(string name, string logicalId, string file)
        {
            var t = T.Function(name, name + "-role");
            return new LambdaFunctionIdentity { FunctionName = t.FunctionName, FunctionArn = t.FunctionArn, RoleArn = t.RoleArn, ExecutionRole = t.ExecutionRole, LogicalId = logicalId, Source = new SourceLocation { File = file } };
        }
        var caller = Fn("caller", "CallerFunction", "a/template.yaml");
        var grants = new Dictionary<string, IReadOnlyList<EffectiveGrant>>
        {
            [caller.RoleArn] = new[] { T.Grant("lambda:InvokeFunction", AccessLevel.Write, "${GetAtt:WorkerFunction.Arn}") },
        };
        var functions = new[] { caller, Fn("worker-a", "WorkerFunction", "a/template.yaml"), Fn("worker-b", "WorkerFunction", "b/template.yaml") };
        var map = new ResourceMap(new[] { new ResourceMapEntry { Aws = "function-app:*", Azure = "/subscriptions/s/resourceGroups/rg" } });
        var ms = new AzRoleMapper(new FixedGrantDeriver(grants), new MappingOptions { ResourceMap = map }).Map(functions, EngineContext.None);
        var invoke = Assert.Single(ms, m => m.FunctionName == "caller" && m.Settings.ContainsKey("callee"));
        // The worker of the caller's own template, not the one with the same logical id in another template.
        Assert.Equal("func-worker-a", invoke.Settings["calleeFunctionAppName"]);
        Assert.Equal("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/func-worker-a", invoke.Scope);
        Assert.False(invoke.ScopeIsPlaceholder);
    }

    [Fact]
    public void DependenciesThatStayOnAwsGetAFederatedAwsRoleWithTheirGrants()
    {
        var f = T.Function("fn", "r");
        var map = new ResourceMap(new[] { new ResourceMapEntry { Aws = "arn:aws:s3:::legacy", StayOnAws = true } });
        var grants = new[] { T.Grant("s3:GetObject", AccessLevel.Read, "arn:aws:s3:::legacy/*"), T.Grant("s3:GetObject", AccessLevel.Read, "arn:aws:s3:::moved/*") };
        var ms = Map(f, new MappingOptions { ResourceMap = map }, grants);
        var fed = Assert.Single(ms, m => m.Kind == MappingKind.AwsFederatedRole);
        Assert.Equal(new[] { "s3:GetObject arn:aws:s3:::legacy/*" }, fed.AwsGrants);
        Assert.Contains("sts:AssumeRoleWithWebIdentity", fed.Settings["trustPolicy"]);
        Assert.Contains("arn:aws:s3:::legacy/*", fed.Settings["permissionsPolicy"]);
        using var _ = System.Text.Json.JsonDocument.Parse(fed.Settings["trustPolicy"]);
        using var __ = System.Text.Json.JsonDocument.Parse(fed.Settings["permissionsPolicy"]);
        T.AssertEveryGrantAccountedOnce(grants, ms);
    }

    [Fact]
    public void AFunctionWithoutItsRoleIsMappedWithADeviationNotDropped()
    {
        var f = new LambdaFunctionIdentity { FunctionName = "orphan", FunctionArn = "arn:aws:lambda:eu-west-1:123456789012:function:orphan", RoleArn = T.RoleArn("gone") };
        var ms = Map(f);
        Assert.Contains(ms, m => m.Kind == MappingKind.ManagedIdentity);
        Assert.Contains(ms, m => m.MappingId.EndsWith("execution-role-missing") && m.Strategy == MappingStrategy.Deviation);
    }

    [Fact]
    public void EveryGrantOfAnAllDeviationRoleIsADeviation()
    {
        // A role whose every grant has no one-to-one Azure equivalent: role chaining, RDS IAM auth, SES, IAM writes, Resource "*".
        var f = T.Function("fn", "r");
        var grants = new[]
        {
            T.Grant("sts:AssumeRole", AccessLevel.Write, "arn:aws:iam::999999999999:role/other"),
            T.Grant("rds-db:connect", AccessLevel.PermissionsManagement, "arn:aws:rds-db:eu-west-1:123456789012:dbuser:db-ABC/app"),
            T.Grant("ses:SendEmail", AccessLevel.Write, "*"),
            T.Grant("iam:CreateRole", AccessLevel.PermissionsManagement, "*"),
            T.Grant("dynamodb:GetItem", AccessLevel.Read, "*"),
            T.Grant("s3:PutBucketPolicy", AccessLevel.PermissionsManagement, "arn:aws:s3:::b"),
        };
        var ms = Map(f, null, grants);
        var grantMappings = ms.Where(m => m.AwsGrants.Count > 0).ToList();
        Assert.All(grantMappings, m => { Assert.Equal(MappingStrategy.Deviation, m.Strategy); Assert.False(string.IsNullOrEmpty(m.Impact)); Assert.False(string.IsNullOrEmpty(m.Mitigation)); });
        T.AssertEveryGrantAccountedOnce(grants, ms);
    }

    [Fact]
    public void ResourcePolicyCallersGetTheAppRoleAndOtherAccountsAreDeviations()
    {
        var f = T.Function("fn", "r");
        f = new LambdaFunctionIdentity
        {
            FunctionName = f.FunctionName, FunctionArn = f.FunctionArn, RoleArn = f.RoleArn, ExecutionRole = f.ExecutionRole,
            ResourcePolicy = new PolicyDocument
            {
                Kind = PolicyKind.Resource,
                Statement = new[]
                {
                    new PolicyStatement { Sid = "same", Action = new[] { "lambda:InvokeFunction" }, Principal = new PolicyPrincipal { Aws = new[] { "arn:aws:iam::123456789012:role/caller" } } },
                    new PolicyStatement { Sid = "other", Action = new[] { "lambda:InvokeFunction" }, Principal = new PolicyPrincipal { Aws = new[] { "210987654321" } } },
                    new PolicyStatement { Sid = "s3", Action = new[] { "lambda:InvokeFunction" }, Principal = new PolicyPrincipal { Service = new[] { "s3.amazonaws.com" } } },
                    new PolicyStatement { Sid = "url", Action = new[] { "lambda:InvokeFunctionUrl" }, Principal = new PolicyPrincipal { IsWildcard = true },
                        Condition = new[] { new PolicyCondition { Operator = "StringEquals", Key = "lambda:FunctionUrlAuthType", Values = new[] { "NONE" } } } },
                },
            },
        };
        var ms = Map(f).Where(m => m.MappingId.Contains("resource-policy")).ToList();
        Assert.Equal(2, ms.Count);
        var same = Assert.Single(ms, m => m.AwsFeature.Contains("role/caller"));
        Assert.Equal(MappingStrategy.BuiltIn, same.Strategy);
        Assert.Equal("Function.Invoke", same.Settings["appRole"]);
        Assert.Equal(MappingStrategy.Deviation, Assert.Single(ms, m => m.AwsFeature.Contains("210987654321")).Strategy);
    }

    [Fact]
    public void ExcludedResourcesAreADeviationBecauseRbacHasNoExceptions()
    {
        var f = T.Function("fn", "r");
        var g = new EffectiveGrant { Service = "s3", Action = "s3:GetObject", AccessLevel = AccessLevel.Read, Resources = new[] { "arn:aws:s3:::b/*" }, ExcludedResources = new[] { "arn:aws:s3:::b/secret/*" } };
        var m = Assert.Single(Map(f, null, g), x => x.AwsGrants.Count > 0);
        Assert.Equal(MappingStrategy.Deviation, m.Strategy);
        Assert.Contains("except arn:aws:s3:::b/secret/*", m.Settings["awsCondition"]);
        Assert.Contains("no exclusions", m.Impact);
        Assert.Equal("Storage Blob Data Reader", m.RoleDefinitionName);
    }

    [Fact]
    public void IncompleteGrantsAreMappedAndFlagged()
    {
        var f = T.Function("fn", "r");
        var g = new EffectiveGrant { Service = "sqs", Action = "sqs:SendMessage", AccessLevel = AccessLevel.Write, Resources = new[] { "arn:aws:sqs:eu-west-1:123456789012:q" }, IsIncomplete = true };
        var ms = Map(f, null, g);
        Assert.Equal("Azure Service Bus Data Sender", Assert.Single(ms, x => x.AwsGrants.Count > 0).RoleDefinitionName);
        var d = Assert.Single(ms, x => x.MappingId.EndsWith("deviation/grants-incomplete"));
        Assert.Equal(new[] { "sqs:SendMessage" }, d.AwsActions);
    }

    [Fact]
    public void MetricsOnStarAreScopedToApplicationInsightsNotADeviation()
    {
        var f = T.Function("fn", "r");
        var map = new ResourceMap(new[] { new ResourceMapEntry { Aws = "application-insights", Azure = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/components/appi" } });
        var m = Single(Map(f, new MappingOptions { ResourceMap = map }, T.Grant("cloudwatch:PutMetricData", AccessLevel.Write, "*")), "cloudwatch-metrics");
        Assert.Equal(MappingStrategy.BuiltIn, m.Strategy);
        Assert.Equal("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/components/appi", m.Scope);
        Assert.Equal("Monitoring Metrics Publisher", m.RoleDefinitionName);
    }

    [Fact]
    public void APrincipalsAccessLevelsWithTheSameRoleBecomeOneAssignment()
    {
        var f = T.Function("fn", "r");
        f = new LambdaFunctionIdentity
        {
            FunctionName = f.FunctionName, FunctionArn = f.FunctionArn, RoleArn = f.RoleArn, ExecutionRole = f.ExecutionRole,
            Principals = new[]
            {
                new PrincipalAccess { PrincipalArn = "arn:aws:iam::123456789012:role/ops", PrincipalType = "Role", AccessLevel = "Deploy", Actions = new[] { "lambda:UpdateFunctionCode" } },
                new PrincipalAccess { PrincipalArn = "arn:aws:iam::123456789012:role/ops", PrincipalType = "Role", AccessLevel = "Admin", Actions = new[] { "lambda:DeleteFunction" } },
                new PrincipalAccess { PrincipalArn = "arn:aws:iam::123456789012:role/ops", PrincipalType = "Role", AccessLevel = "Read", Actions = new[] { "lambda:GetFunction" } },
                new PrincipalAccess { PrincipalArn = "arn:aws:iam::123456789012:role/ops", PrincipalType = "Role", AccessLevel = "Invoke", Actions = new[] { "lambda:InvokeFunction" } },
            },
        };
        var ms = Map(f).Where(m => m.AwsFeature.Contains("role/ops")).ToList();
        // Deploy and Admin both become Website Contributor: one assignment. Reader stays: at the app scope it also reads
        // extension resources (diagnostic settings, locks) that Website Contributor's operations do not include.
        var rbac = ms.Where(m => m.Kind == MappingKind.RoleAssignment).ToList();
        Assert.Equal(2, rbac.Count);
        var wc = Assert.Single(rbac, m => m.RoleDefinitionName == "Website Contributor");
        Assert.Equal(new[] { "lambda:DeleteFunction", "lambda:UpdateFunctionCode" }, wc.AwsActions);
        Assert.Contains(rbac, m => m.RoleDefinitionName == "Reader");
        Assert.Equal("Function.Invoke", Assert.Single(ms, m => m.Kind == MappingKind.Authentication).Settings["appRole"]);
    }

    [Theory]
    [InlineData("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-creds-??????")]
    [InlineData("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-creds*")]
    public void ASecretWithItsRandomSuffixLeftOpenIsOneSecretNotAWildcard(string arn)
    {
        var m = Single(Map(T.Function("fn", "r"), null, T.Grant("secretsmanager:GetSecretValue", AccessLevel.Read, arn)), "secretsmanager-read");
        Assert.Equal(MappingStrategy.BuiltIn, m.Strategy);
        Assert.Equal("unmapped:arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-creds", m.Scope);
    }

    [Fact]
    public void ObjectsUnderATemplateTokenShareTheBucketsAssignment()
    {
        var ms = Map(T.Function("fn", "r"), null,
            T.Grant("s3:GetObject", AccessLevel.Read, "${GetAtt:InvoicesBucket.Arn}/*"),
            T.Grant("s3:ListBucket", AccessLevel.List, "${GetAtt:InvoicesBucket.Arn}"),
            T.Grant("dynamodb:Query", AccessLevel.Read, "${GetAtt:Orders.Arn}/index/byDate"),
            T.Grant("dynamodb:GetItem", AccessLevel.Read, "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Ref:Orders}/index/*"));
        var blob = Single(ms, "s3-object-read");
        Assert.Equal(MappingStrategy.BuiltIn, blob.Strategy);
        Assert.Equal("unmapped:${GetAtt:InvoicesBucket.Arn}", blob.Scope);
        Assert.Equal("unmapped:${GetAtt:Orders.Arn}", Assert.Single(ms, m => m.AwsActions.Contains("dynamodb:Query")).Scope);
        Assert.Equal("unmapped:arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Ref:Orders}", Assert.Single(ms, m => m.AwsActions.Contains("dynamodb:GetItem")).Scope);
    }

    [Fact]
    public void TheSameRoleTokenInTwoTemplatesIsTwoRoles()
    {
        LambdaFunctionIdentity Fn(string name, string file) => new()
        {
            FunctionName = name, FunctionArn = "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:" + name, RoleArn = "${GetAtt:LambdaRole.Arn}",
            ExecutionRole = new ExecutionRole { RoleArn = "${GetAtt:LambdaRole.Arn}", Source = new SourceLocation { File = file } },
        };
        var ms = new AzRoleMapper(new FixedGrantDeriver("x")).Map(new[] { Fn("a", "one/template.yaml"), Fn("b", "two/template.yaml"), Fn("c", "two/template.yaml") }, EngineContext.None);
        var ids = ms.Where(m => m.Kind == MappingKind.ManagedIdentity).ToDictionary(m => m.FunctionName);
        Assert.Equal("SystemAssigned", ids["a"].IdentityType);
        Assert.Equal("UserAssigned", ids["b"].IdentityType);
        Assert.Equal("b,c", ids["c"].Settings["sharedWith"]);
        // Two shared roles with the same token name in two templates get two identity names.
        var more = new AzRoleMapper(new FixedGrantDeriver("x")).Map(new[] { Fn("a", "one/t.yaml"), Fn("a2", "one/t.yaml"), Fn("b", "two/t.yaml"), Fn("c", "two/t.yaml") }, EngineContext.None)
            .Where(m => m.Kind == MappingKind.ManagedIdentity).ToDictionary(m => m.FunctionName, m => m.PrincipalName);
        Assert.Equal(more["a"], more["a2"]);
        Assert.Equal(more["b"], more["c"]);
        Assert.NotEqual(more["a"], more["b"]);
        Assert.StartsWith("id-getatt-lambdarole-arn-", more["a"]);
    }

    private sealed class ThrowingDeriver : LambdaIdentity.Core.Aws.Policy.IGrantDeriver
    {
        public IReadOnlyList<EffectiveGrant> Derive(ExecutionRole role, EngineContext context) => role.RoleName == "bad" ? throw new InvalidOperationException("boom") : Array.Empty<EffectiveGrant>();
    }

    [Fact]
    public void AFunctionThatFailsIsAnErrorNamingItAndTheRunGoesOn()
    {
        var errors = new ErrorCollector();
        var ms = new AzRoleMapper(new ThrowingDeriver()).Map(new[] { T.Function("broken", "bad"), T.Function("fine", "good") }, new EngineContext(errors));
        var e = Assert.Single(errors.Errors);
        Assert.Equal("FunctionMappingFailed", e.ErrorId);
        Assert.EndsWith(":function:broken", e.Target);
        Assert.IsType<InvalidOperationException>(e.GetException());
        Assert.DoesNotContain(ms, m => m.FunctionName == "broken");
        Assert.Contains(ms, m => m.FunctionName == "fine" && m.Kind == MappingKind.ManagedIdentity);
    }

    [Fact]
    public void CancellationStopsTheRun()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => new AzRoleMapper(new FixedGrantDeriver("x")).Map(new[] { T.Function("fn", "r") }, new EngineContext(cancellationToken: cts.Token)));
    }

    [Fact]
    public void TwoNarrowRolesBeatOneBroadRoleAndOnlyThePartNoRoleFitsBecomesCustom()
    {
        var f = T.Function("fn", "r");
        const string stream = "arn:aws:kinesis:eu-west-1:123456789012:stream/s";
        const string bucket = "arn:aws:s3:::b";
        var ms = Map(f, null,
            T.Grant("kinesis:PutRecord", AccessLevel.Write, stream), T.Grant("kinesis:GetRecords", AccessLevel.Read, stream),
            T.Grant("s3:GetObject", AccessLevel.Read, bucket + "/*"), T.Grant("s3:PutObjectTagging", AccessLevel.Tagging, bucket + "/*"));
        var hubs = ms.Where(m => m.AzureService == "Event Hubs").Select(m => m.RoleDefinitionName).OrderBy(n => n).ToList();
        Assert.Equal(new[] { "Azure Event Hubs Data Receiver", "Azure Event Hubs Data Sender" }, hubs);   // not Data Owner
        var blobs = ms.Where(m => m.AzureService == "Blob Storage").ToList();
        Assert.Equal(2, blobs.Count);
        // Read + tags: Storage Blob Data Owner would add 11 operations; Reader for the reads, a custom role for the tags.
        Assert.Equal("Storage Blob Data Reader", Assert.Single(blobs, m => m.Strategy == MappingStrategy.BuiltIn).RoleDefinitionName);
        Assert.Equal(new[] { "s3:PutObjectTagging" }, Assert.Single(blobs, m => m.Strategy == MappingStrategy.Custom).AwsActions);
    }

    [Fact]
    public void PollerPolicyGrantsOnStarAreServedByTheTriggerNotAWildcardDeviation()
    {
        var f = T.Function("fn", "r");
        f = new LambdaFunctionIdentity
        {
            FunctionName = f.FunctionName, FunctionArn = f.FunctionArn, RoleArn = f.RoleArn, ExecutionRole = f.ExecutionRole,
            EventSources = new[] { new EventSource { Type = "SQS", Name = "Jobs", SourceArn = "arn:aws:sqs:eu-west-1:123456789012:jobs", IsPoll = true } },
        };
        EffectiveGrant G(string a, string by, string r = "*") => new() { Service = "sqs", Action = a, AccessLevel = AccessLevel.Write, Resources = new[] { r }, GrantedBy = new[] { by } };
        var grants = new[] { G("sqs:ReceiveMessage", "AWSLambdaSQSQueueExecutionRole#0"), G("sqs:DeleteMessage", "AWSLambdaSQSQueueExecutionRole#0"), G("sqs:SendMessage", "inline#0") };
        var ms = Map(f, null, grants);
        var poller = Assert.Single(ms, m => m.MappingId.Contains("poller/sqs"));
        Assert.Equal(MappingStrategy.NotNeeded, poller.Strategy);
        Assert.Equal(IdentitySurface.Platform, poller.Surface);
        Assert.Contains(ms, m => m.RuleId == "sqs-trigger" && m.RoleDefinitionName == "Azure Service Bus Data Receiver");
        // A grant the function's own policy gives on "*" is still a wildcard deviation.
        Assert.Equal(MappingStrategy.Deviation, Assert.Single(ms, m => m.AwsActions.Contains("sqs:SendMessage")).Strategy);
        T.AssertEveryGrantAccountedOnce(grants, ms);
    }
}

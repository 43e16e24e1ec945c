using System.Text.Json;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

public class MappingTemplateExporterTests
{
    private const string Sub = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/";
    private static readonly ResourceMap Map = new(new[]
    {
        new ResourceMapEntry { Aws = "arn:aws:s3:::orders", Azure = Sub + "Microsoft.Storage/storageAccounts/st/blobServices/default/containers/orders" },
        new ResourceMapEntry { Aws = "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders", Azure = Sub + "Microsoft.DocumentDB/databaseAccounts/cosmos1/sqlDatabases/app/containers/orders" },
        new ResourceMapEntry { Aws = ResourceMap.HostStorageKey, Azure = Sub + "Microsoft.Storage/storageAccounts/sthost" },
    });

    private static List<AzRoleMapping> Mappings()
    {
        var a = T.Function("a", "shared");
        var b = T.Function("b", "shared");
        var c = new LambdaFunctionIdentity
        {
            FunctionName = "c", FunctionArn = "arn:aws:lambda:eu-west-1:123456789012:function:c", RoleArn = T.RoleArn("c-role"),
            ExecutionRole = new ExecutionRole { RoleArn = T.RoleArn("c-role"), RoleName = "c-role" },
            Callers = new[] { new CallerAccess { Channel = "HttpApi", Route = "GET /", AuthType = CallerAuthType.Jwt, Issuer = "https://login.microsoftonline.com/t/v2.0", Audiences = new[] { "api://c" } } },
        };
        var deriver = new FixedGrantDeriver(new Dictionary<string, IReadOnlyList<EffectiveGrant>>
        {
            [T.RoleArn("shared")] = new[]
            {
                T.Grant("s3:GetObject", AccessLevel.Read, "arn:aws:s3:::orders/*"),
                T.Grant("dynamodb:PutItem", AccessLevel.Write, "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders"),
                T.Grant("sqs:SendMessage", AccessLevel.Write, "arn:aws:sqs:eu-west-1:123456789012:unmapped"),
                T.Grant("s3:PutObjectTagging", AccessLevel.Tagging, "arn:aws:s3:::orders/*"),
            },
            [T.RoleArn("c-role")] = new[] { T.Grant("s3:GetObject", AccessLevel.Read, "arn:aws:s3:::orders/*") },
        });
        return new AzRoleMapper(deriver, new MappingOptions { ResourceMap = Map }).Map(new[] { a, b, c }, EngineContext.None).ToList();
    }

    [Fact]
    public void ArmTemplateHoldsIdentitiesAssignmentsCosmosAndAuthWithDeterministicNames()
    {
        var json = MappingTemplateExporter.Export(Mappings(), TemplateFormat.ArmJson);
        using var doc = JsonDocument.Parse(json);
        var resources = doc.RootElement.GetProperty("resources").EnumerateArray().ToList();
        string Type(JsonElement r) => r.GetProperty("type").GetString()!;
        var uai = Assert.Single(resources, r => Type(r) == "Microsoft.ManagedIdentity/userAssignedIdentities");
        Assert.Equal("id-shared", uai.GetProperty("name").GetString());
        var ras = resources.Where(r => Type(r) == "Microsoft.Authorization/roleAssignments").ToList();
        // The shared identity reads and tags blobs on one bucket: Storage Blob Data Reader plus a custom role for the tags
        // (Storage Blob Data Owner can change ACLs);
        // c only reads: Storage Blob Data Reader for its system-assigned identity.
        // The custom role is not defined per resource group (that would overwrite its assignable scopes): the assignment
        // references it at the subscription, and the role-definitions export defines it once there.
        Assert.DoesNotContain(resources, r => Type(r) == "Microsoft.Authorization/roleDefinitions");
        using var rolesDoc = JsonDocument.Parse(MappingTemplateExporter.ExportRoleDefinitions(Mappings(), TemplateFormat.ArmJson)!);
        Assert.Contains("subscriptionDeploymentTemplate.json", rolesDoc.RootElement.GetProperty("$schema").GetString());
        var custom = Assert.Single(rolesDoc.RootElement.GetProperty("resources").EnumerateArray(), r => Type(r) == "Microsoft.Authorization/roleDefinitions");
        Assert.Equal("[parameters('assignableScopes')]", custom.GetProperty("properties").GetProperty("assignableScopes").GetString());
        Assert.Equal("[createArray(subscription().id)]", rolesDoc.RootElement.GetProperty("parameters").GetProperty("assignableScopes").GetProperty("defaultValue").GetString());
        Assert.Contains("roleDefinitions/write", rolesDoc.RootElement.GetProperty("metadata").GetProperty("deployment").GetString());
        var customId = custom.GetProperty("name").GetString()!;
        Assert.Contains(ras, r => r.GetProperty("properties").GetProperty("roleDefinitionId").GetString() == "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '" + customId + "')]"
                                   && r.GetProperty("name").GetString()!.Contains("userAssignedIdentities', 'id-shared'")
                                   && (!r.TryGetProperty("dependsOn", out var deps) || !deps.GetRawText().Contains("roleDefinitions")));
        Assert.Contains(doc.RootElement.GetProperty("metadata").GetProperty("notDeployed").EnumerateArray(), n => n.GetString()!.StartsWith("custom role ", StringComparison.Ordinal) && n.GetString()!.Contains(customId));
        // The mapping says who creates it.
        var customMapping = Mappings().First(m => m.Strategy == MappingStrategy.Custom);
        Assert.Contains("Microsoft.Authorization/roleDefinitions/write", customMapping.Mitigation);
        Assert.Contains("never by the function's identity", customMapping.Mitigation);
        // No custom role designed: no role-definitions template.
        Assert.Null(MappingTemplateExporter.ExportRoleDefinitions(Mappings().Where(m => m.Strategy != MappingStrategy.Custom), TemplateFormat.Bicep));
        Assert.Contains(ras, r => r.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!.Contains("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1")
                                   && r.GetProperty("name").GetString()!.Contains("Microsoft.Web/sites', 'func-c'"));
        Assert.All(ras, r => Assert.StartsWith("[guid('/subscriptions/", r.GetProperty("name").GetString()));
        // One assignment per (scope, principal, role): the shared identity's blob reader appears once although two functions use it.
        Assert.Equal(ras.Count, ras.Select(r => r.GetProperty("name").GetString()).Distinct().Count());
        var cosmos = Assert.Single(resources, r => Type(r) == "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments");
        Assert.EndsWith("/databaseAccounts/cosmos1/dbs/app/colls/orders", cosmos.GetProperty("properties").GetProperty("scope").GetString());
        Assert.EndsWith("/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002", cosmos.GetProperty("properties").GetProperty("roleDefinitionId").GetString());
        Assert.Contains("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/write", custom.GetRawText());
        Assert.DoesNotContain("modifyPermissions", custom.GetRawText());
        var auth = Assert.Single(resources, r => Type(r) == "Microsoft.Web/sites/config");
        Assert.Equal("func-c/authsettingsV2", auth.GetProperty("name").GetString());
        Assert.Contains("api://c", auth.GetRawText());
        // The unmapped queue is listed, not deployed.
        var notDeployed = doc.RootElement.GetProperty("metadata").GetProperty("notDeployed").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains(notDeployed, s => s!.Contains("unmapped:arn:aws:sqs:eu-west-1:123456789012:unmapped"));
        Assert.Equal(json, MappingTemplateExporter.Export(Mappings(), TemplateFormat.ArmJson));
    }

    [Fact]
    public void BicepTemplateDeclaresExistingScopesAndDeterministicGuids()
    {
        var bicep = MappingTemplateExporter.Export(Mappings(), TemplateFormat.Bicep);
        Assert.Contains("resource id_shared 'Microsoft.ManagedIdentity/userAssignedIdentities@", bicep);
        // The container is declared through its parents (storage account, blob service), each once.
        Assert.Contains("'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {\n  parent: parent_default\n  name: 'orders'", bicep.Replace("\r\n", "\n"));
        Assert.Contains("resource parent_st 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {\n  name: 'st'", bicep.Replace("\r\n", "\n"));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(bicep, "name: 'st'\n"));
        Assert.Contains("name: guid('" + Sub + "Microsoft.Storage/storageAccounts/st/blobServices/default/containers/orders', func_c.id, '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1')", bicep);
        Assert.Contains("'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@", bicep);
        Assert.Contains("name: 'authsettingsV2'", bicep);
        Assert.Contains("//   ", bicep);
        Assert.Equal(bicep, MappingTemplateExporter.Export(Mappings(), TemplateFormat.Bicep));
    }

    [Fact]
    public void UnresolvedIssuersAndAudiencesBecomeParametersAndTheEntraTenantIsTheDeployments()
    {
        // The demo's report function uses IAM auth (issuer https://login.microsoftonline.com/{tenantId}/v2.0); its orders API
        // a Cognito user pool, a deviation the template lists but does not deploy.
        var ctx = new EngineContext(new ErrorCollector());
        var mappings = new AzRoleMapper(LambdaIdentity.Core.Aws.Policy.GrantDeriver.Default, new MappingOptions { ResourceMap = DemoWorkload.ResourceMap() }).Map(DemoWorkload.Inventory(ctx), ctx).ToList();
        var bicep = MappingTemplateExporter.Export(mappings, TemplateFormat.Bicep).Replace("\r\n", "\n");
        var arm = JsonDocument.Parse(MappingTemplateExporter.Export(mappings, TemplateFormat.ArmJson)).RootElement;
        Assert.DoesNotContain("{tenantId}", bicep.Split('\n').Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
        Assert.Contains("openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'", bicep);
        var auths = arm.GetProperty("resources").EnumerateArray().Where(r => r.GetProperty("type").GetString() == "Microsoft.Web/sites/config").ToList();
        var report = Assert.Single(auths, r => r.GetProperty("name").GetString() == "func-dev-order-report/authsettingsV2");
        Assert.Equal("[format('{0}{1}/v2.0', environment().authentication.loginEndpoint, tenant().tenantId)]",
            report.GetProperty("properties").GetProperty("identityProviders").GetProperty("azureActiveDirectory").GetProperty("registration").GetProperty("openIdIssuer").GetString());
        Assert.DoesNotContain(auths, r => r.GetProperty("name").GetString() == "func-dev-orders-api/authsettingsV2");
        Assert.Contains(arm.GetProperty("metadata").GetProperty("notDeployed").EnumerateArray(), n => n.GetString()!.StartsWith("dev-orders-api/Authentication/", StringComparison.Ordinal));
        // Role assignment descriptions are deployed: the AWS resource of the mapping id is left to the comment.
        Assert.DoesNotContain(arm.GetProperty("resources").EnumerateArray(), r => r.TryGetProperty("properties", out var p) && p.TryGetProperty("description", out var d) && MappingTemplateExporter.IsUnresolved(d.GetString()!));

        // A JWT authorizer whose issuer and audience the template resolves only at deployment (${Ref:...}): parameters.
        var f = new LambdaFunctionIdentity
        {
            FunctionName = "jwt", FunctionArn = "arn:aws:lambda:eu-west-1:123456789012:function:jwt", RoleArn = T.RoleArn("jwt-role"),
            ExecutionRole = new ExecutionRole { RoleArn = T.RoleArn("jwt-role"), RoleName = "jwt-role" },
            Callers = new[] { new CallerAccess { Channel = "HttpApi", Route = "GET /", AuthType = CallerAuthType.Jwt, Issuer = "https://${Ref:IdpDomain}/", Audiences = new[] { "${Ref:ApiAudience}" } } },
        };
        var jm = new AzRoleMapper(new FixedGrantDeriver(T.RoleArn("jwt-role")), new MappingOptions()).Map(new[] { f }, EngineContext.None).ToList();
        var jb = MappingTemplateExporter.Export(jm, TemplateFormat.Bicep);
        var ja = JsonDocument.Parse(MappingTemplateExporter.Export(jm, TemplateFormat.ArmJson)).RootElement;
        var aad = Assert.Single(ja.GetProperty("resources").EnumerateArray(), r => r.GetProperty("type").GetString() == "Microsoft.Web/sites/config")
            .GetProperty("properties").GetProperty("identityProviders").GetProperty("azureActiveDirectory");
        Assert.Equal("[parameters('openIdIssuer_func_jwt')]", aad.GetProperty("registration").GetProperty("openIdIssuer").GetString());
        Assert.Equal("[parameters('allowedAudiences_func_jwt')]", aad.GetProperty("validation").GetProperty("allowedAudiences").GetString());
        var issuerParam = ja.GetProperty("parameters").GetProperty("openIdIssuer_func_jwt");
        Assert.False(issuerParam.TryGetProperty("defaultValue", out _)); // the deployer must give it
        Assert.Contains("https://${Ref:IdpDomain}/", issuerParam.GetProperty("metadata").GetProperty("description").GetString());
        // In Bicep the same description is a string whose ${ is escaped, not an interpolation.
        Assert.Contains("The AWS source names \\'https://\\${Ref:IdpDomain}/\\'", jb);
        Assert.Contains("param openIdIssuer_func_jwt string", jb);
        Assert.Contains("param allowedAudiences_func_jwt array", jb);
    }

    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", "'it\\'s'")]
    [InlineData("arn:${AWS::Partition}:s3:::b", "'arn:\\${AWS::Partition}:s3:::b'")]
    [InlineData("a\\b", "'a\\\\b'")]
    [InlineData("$x {y}", "'$x {y}'")]
    public void BicepLiteralsEscapeQuotesBackslashesAndInterpolation(string value, string literal)
        => Assert.Equal(literal, MappingTemplateExporter.BLit(value));
}

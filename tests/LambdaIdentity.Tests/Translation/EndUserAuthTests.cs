using System.Text.Json;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

/// <summary>End-user authentication a reviewer signs: the invoke app role is enforced, designed, exported and checked.</summary>
public class EndUserAuthTests
{
    private static List<AzRoleMapping> Map(params string[] parts)
    {
        var ctx = new EngineContext(new ErrorCollector());
        var inv = new InventoryReader().Read(new[] { TestPaths.Shared(parts) }, new InventoryOptions(), ctx).ToList();
        return new AzRoleMapper(GrantDeriver.Default).Map(inv, ctx).ToList();
    }

    [Fact]
    public void IamProtectedApiAdmitsOnlyHoldersOfTheInvokeRoleAndTheTemplateDeploysTheAllowList()
    {
        // sam/serverless-patterns/apigw-iam: a REST API whose default authorizer is AWS_IAM.
        var ms = Map("sam", "serverless-patterns", "apigw-iam", "template.yaml");
        var auth = Assert.Single(ms, m => m.Kind == MappingKind.Authentication && m.Surface == IdentitySurface.EndUser);
        Assert.Equal(MappingStrategy.BuiltIn, auth.Strategy);
        Assert.Equal("true", auth.Settings["requireAuthentication"]);
        Assert.Equal("Function.Invoke", auth.Settings["appRole"]);
        Assert.Equal("true", auth.Settings["appRoleAssignmentRequired"]);
        Assert.Equal("Return401", auth.Settings["unauthenticatedClientAction"]);

        var arm = JsonDocument.Parse(MappingTemplateExporter.Export(ms, TemplateFormat.ArmJson)).RootElement;
        var config = Assert.Single(arm.GetProperty("resources").EnumerateArray(), r => r.GetProperty("type").GetString() == "Microsoft.Web/sites/config");
        var policy = config.GetProperty("properties").GetProperty("identityProviders").GetProperty("azureActiveDirectory").GetProperty("validation").GetProperty("defaultAuthorizationPolicy");
        var param = policy.GetProperty("allowedApplications").GetString()!;
        Assert.StartsWith("[parameters('allowedApplications_", param);
        var name = param.Substring("[parameters('".Length).TrimEnd(']', ')', '\'');
        var p = arm.GetProperty("parameters").GetProperty(name);
        Assert.Equal("array", p.GetProperty("type").GetString());
        Assert.False(p.TryGetProperty("defaultValue", out _)); // no silent empty list: the deployer names the callers
        // The service-principal half (Microsoft Graph) is listed as a step the template does not deploy.
        Assert.Contains(arm.GetProperty("metadata").GetProperty("notDeployed").EnumerateArray(), n => n.GetString()!.StartsWith(auth.MappingId + ": set appRoleAssignmentRequired", StringComparison.Ordinal));
    }

    private static (AzureState State, AzRoleMapping Design) StateFor(IReadOnlyList<string> allowedApplications)
    {
        var ms = Map("sam", "serverless-patterns", "apigw-iam", "template.yaml");
        var auth = Assert.Single(ms, m => m.Kind == MappingKind.Authentication && m.Surface == IdentitySurface.EndUser);
        var s = new AzureState();
        var site = s.Site(auth.FunctionAppName, "/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourceGroups/rg/providers/Microsoft.Web/sites/" + auth.FunctionAppName);
        site.Functions = new List<AzureFunction> { new() { Name = "api", AuthLevel = "anonymous", TriggerType = "httpTrigger" } };
        site.Auth = new AzureAuthSettings
        {
            Enabled = true, RequireAuthentication = true, AzureActiveDirectoryEnabled = true, UnauthenticatedClientAction = "Return401",
            Issuer = "https://login.microsoftonline.com/0f3c2a4e-6b1d-4c8e-9a7f-2d5e8b1c4a60/v2.0", AllowedAudiences = new[] { "api://" + auth.FunctionAppName },
            AllowedApplications = allowedApplications,
        };
        foreach (AzureStateArea a in Enum.GetValues(typeof(AzureStateArea))) s.AreasRead.Add(a);
        return (s, auth);
    }

    private static IdentityParityResult Judge(AzureState s, AzRoleMapping m)
        => ParityChecker.Check(new[] { m }, s, new ParityOptions { CheckCallerAccess = false }, EngineContext.None).Single(r => r.MappingId == m.MappingId);

    [Fact]
    public void ParityFindsAnIamProtectedAppThatAnyTenantWorkloadCanCall()
    {
        var (open, design) = StateFor(Array.Empty<string>());
        var r = Judge(open, design);
        Assert.Equal(ParityStatus.Drift, r.Status);
        Assert.Contains("any workload identity in the tenant", r.Reason, StringComparison.Ordinal);

        var (closed, _) = StateFor(new[] { "7d2b9c4e-1a3f-4e6b-8c5d-0f9a2e7b3c18" });
        var ok = Judge(closed, design);
        Assert.Equal(ParityStatus.Pass, ok.Status);
        Assert.Contains("invoke restricted to 1 allowed client application", ok.Reason, StringComparison.Ordinal);
    }

    private static LambdaFunctionIdentity Fn(params CallerAccess[] callers) => new()
    {
        FunctionName = "api", FunctionArn = "arn:aws:lambda:eu-west-1:123456789012:function:api", RoleArn = T.RoleArn("api-role"),
        ExecutionRole = new ExecutionRole { RoleArn = T.RoleArn("api-role"), RoleName = "api-role" }, Callers = callers,
    };

    [Fact]
    public void SeveralAuthenticationSchemesOnOneAppAreOneDeviationNotConflictingConfigs()
    {
        var f = Fn(
            new CallerAccess { Channel = "HttpApi", Route = "GET /admin", AuthType = CallerAuthType.AwsIam },
            new CallerAccess { Channel = "HttpApi", Route = "GET /orders", AuthType = CallerAuthType.Jwt, AuthorizerName = "entra", Issuer = "https://login.microsoftonline.com/0f3c2a4e-6b1d-4c8e-9a7f-2d5e8b1c4a60/v2.0", Audiences = new[] { "api://orders" } },
            new CallerAccess { Channel = "HttpApi", Route = "GET /health", AuthType = CallerAuthType.None });
        var ms = new AzRoleMapper(new FixedGrantDeriver(T.RoleArn("api-role")), new MappingOptions()).Map(new[] { f }, EngineContext.None).ToList();
        var auth = ms.Where(m => m.Kind == MappingKind.Authentication && m.Surface == IdentitySurface.EndUser).ToList();
        Assert.Equal(3, auth.Count); // one item per scheme: nothing dropped
        Assert.All(auth, m =>
        {
            Assert.Equal(MappingStrategy.Deviation, m.Strategy);
            Assert.Contains("one configuration per function app", m.Impact);
            Assert.Contains("API Management", m.Mitigation);
        });
        // The template deploys no app-wide authentication that would silently overwrite the other schemes.
        var arm = JsonDocument.Parse(MappingTemplateExporter.Export(ms, TemplateFormat.ArmJson)).RootElement;
        Assert.DoesNotContain(arm.GetProperty("resources").EnumerateArray(), r => r.GetProperty("type").GetString() == "Microsoft.Web/sites/config");
        Assert.Equal(auth.Count, arm.GetProperty("metadata").GetProperty("notDeployed").EnumerateArray().Count(n => auth.Any(a => n.GetString()!.StartsWith(a.MappingId + ":", StringComparison.Ordinal))));

        // One scheme on every route stays one BuiltIn configuration.
        var single = new AzRoleMapper(new FixedGrantDeriver(T.RoleArn("api-role")), new MappingOptions()).Map(new[] { Fn(
            new CallerAccess { Channel = "HttpApi", Route = "GET /a", AuthType = CallerAuthType.AwsIam },
            new CallerAccess { Channel = "HttpApi", Route = "GET /b", AuthType = CallerAuthType.AwsIam }) }, EngineContext.None).ToList();
        Assert.Equal(MappingStrategy.BuiltIn, Assert.Single(single, m => m.Kind == MappingKind.Authentication && m.Surface == IdentitySurface.EndUser).Strategy);
    }

    [Fact]
    public void JwtAuthorizationScopesAreKeptAndTheTemplateSaysWhereTheyAreChecked()
    {
        var f = Fn(new CallerAccess { Channel = "HttpApi", Route = "POST /orders", AuthType = CallerAuthType.Jwt, AuthorizerName = "entra", Issuer = "https://login.microsoftonline.com/0f3c2a4e-6b1d-4c8e-9a7f-2d5e8b1c4a60/v2.0", Audiences = new[] { "api://orders" }, Scopes = new[] { "orders.write", "orders.read" } });
        var ms = new AzRoleMapper(new FixedGrantDeriver(T.RoleArn("api-role")), new MappingOptions()).Map(new[] { f }, EngineContext.None).ToList();
        var auth = Assert.Single(ms, m => m.Kind == MappingKind.Authentication && m.Surface == IdentitySurface.EndUser);
        Assert.Equal(MappingStrategy.BuiltIn, auth.Strategy);
        Assert.Equal("orders.write,orders.read", auth.Settings["requiredScopes"]);
        var arm = JsonDocument.Parse(MappingTemplateExporter.Export(ms, TemplateFormat.ArmJson)).RootElement;
        Assert.Contains(arm.GetProperty("metadata").GetProperty("notDeployed").EnumerateArray(), n => n.GetString() == auth.MappingId + ": required scopes orders.write,orders.read (App Service authentication checks no scope: check the scp claim in the function, or in an API Management validate-jwt policy)");
    }
}

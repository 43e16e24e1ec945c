using System.Text.Json;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

/// <summary>
/// What stands in front of a function (an ALB's login, CloudFront with origin access control, an IoT custom authorizer):
/// designed as a reviewer signs it, exported, and never dropped or read as something else.
/// </summary>
public class FrontDesignTests
{
    private static string Front(string name) => Path.Combine(TestPaths.Fixtures, "translation", "fronts", name);

    private static (List<LambdaFunctionIdentity> Inventory, List<AzRoleMapping> Mappings, ErrorCollector Errors) Map(string path)
    {
        var errors = new ErrorCollector();
        var ctx = new EngineContext(errors);
        var inv = new InventoryReader().Read(new[] { path }, new InventoryOptions(), ctx).ToList();
        return (inv, new AzRoleMapper(GrantDeriver.Default).Map(inv, ctx).ToList(), errors);
    }

    private static JsonElement Arm(IEnumerable<AzRoleMapping> ms) => JsonDocument.Parse(MappingTemplateExporter.Export(ms, TemplateFormat.ArmJson)).RootElement;

    private static IEnumerable<JsonElement> AuthSettings(JsonElement arm)
        => arm.GetProperty("resources").EnumerateArray().Where(r => r.GetProperty("type").GetString() == "Microsoft.Web/sites/config"
            && r.GetProperty("name").GetString()!.EndsWith("/authsettingsV2", StringComparison.Ordinal));

    [Fact]
    public void AnAlbInFrontOfALambdaTargetGroupIsAnEndUserDesignNeverDropped()
    {
        // Real sample: the listener rule forwards to the Lambda target group with no login; before, no end-user record existed.
        var (inv, ms, _) = Map(TestPaths.Shared("sam", "serverless-patterns", "alb-lambda-rest-api-sam-py", "template.yaml"));
        var f = Assert.Single(inv);
        var caller = Assert.Single(f.Callers, c => c.Channel == "ALB");
        Assert.Equal("listener rule AlbLambdaRestApiSamPyFunctionHttpListenerRule", caller.Route);
        Assert.Equal(CallerAuthType.None, caller.AuthType);
        var auth = Assert.Single(ms, m => m.Kind == MappingKind.Authentication && m.Surface == IdentitySurface.EndUser);
        Assert.Equal("false", auth.Settings["requireAuthentication"]);
        Assert.Contains(auth.Findings, x => x.FindingId == "PublicApiRoute");
    }

    [Fact]
    public void AnAlbCognitoLoginBecomesEasyAuthLoginWithADeviationTowardEntraExternalId()
    {
        var (inv, ms, errors) = Map(Front("sam-template-alb-cognito-login.yaml"));
        Assert.Empty(errors.Errors);
        var caller = Assert.Single(Assert.Single(inv).Callers, c => c.Channel == "ALB");
        Assert.Equal(CallerAuthType.Cognito, caller.AuthType);
        Assert.StartsWith("https://cognito-idp.", caller.Issuer, StringComparison.Ordinal);
        Assert.Equal(new[] { "${Ref:UserPoolClient}" }, caller.Audiences);

        var auth = Assert.Single(ms, m => m.Kind == MappingKind.Authentication && m.Surface == IdentitySurface.EndUser);
        Assert.Equal(MappingStrategy.Deviation, auth.Strategy);
        Assert.Equal("RedirectToLoginPage", auth.Settings["unauthenticatedClientAction"]);
        Assert.Equal("true", auth.Settings["requireAuthentication"]);
        Assert.Contains("Microsoft Entra External ID", auth.AzureFeature, StringComparison.Ordinal);
        Assert.Contains("users", auth.Impact!, StringComparison.Ordinal);
        Assert.Contains("X-MS-CLIENT-PRINCIPAL", auth.Mitigation!, StringComparison.Ordinal);
        Assert.Contains(auth.Findings, x => x.FindingId == "AlbCognitoLogin");
        // No Cognito issuer is deployed as an Entra provider: the export lists the deviation instead of an authsettingsV2.
        var arm = Arm(ms);
        Assert.Empty(AuthSettings(arm));
        Assert.Contains(arm.GetProperty("metadata").GetProperty("notDeployed").EnumerateArray(), n => n.GetString()!.StartsWith(auth.MappingId + ": deviation", StringComparison.Ordinal));
    }

    [Fact]
    public void AnAlbEntraOidcLoginIsEasyAuthWithTheSameIssuerAndClientAndTheSecretIsNeverRead()
    {
        var (_, ms, _) = Map(Front("sam-template-alb-entra-oidc-login.yaml"));
        var auth = Assert.Single(ms, m => m.Kind == MappingKind.Authentication && m.Surface == IdentitySurface.EndUser);
        Assert.Equal(MappingStrategy.BuiltIn, auth.Strategy);
        var config = Assert.Single(AuthSettings(Arm(ms))).GetProperty("properties");
        Assert.Equal("RedirectToLoginPage", config.GetProperty("globalValidation").GetProperty("unauthenticatedClientAction").GetString());
        var aad = config.GetProperty("identityProviders").GetProperty("azureActiveDirectory");
        // The sign-in endpoint is the deployment cloud's (environment()), the tenant and version are carried over.
        var issuer = aad.GetProperty("registration").GetProperty("openIdIssuer").GetString()!;
        Assert.Contains("0f3c2a4e-6b1d-4c8e-9a7f-2d5e8b1c4a60/v2.0", issuer, StringComparison.Ordinal);
        Assert.Contains("environment().authentication.loginEndpoint", issuer, StringComparison.Ordinal);
        Assert.Equal("5b2e8c1d-7f4a-4e3b-9c6d-1a8f0e2b7d45", Assert.Single(aad.GetProperty("validation").GetProperty("allowedAudiences").EnumerateArray()).GetString());
        Assert.DoesNotContain("OidcClientSecret", JsonSerializer.Serialize(ms), StringComparison.Ordinal);
    }

    [Fact]
    public void CloudFrontOriginAccessToAFunctionUrlIsFrontDoorWithPrivateAccessNotEasyAuth()
    {
        var (inv, ms, _) = Map(Front("sam-template-cloudfront-oac-function-url.yaml"));
        Assert.Equal("AWS_IAM", Assert.Single(inv).FunctionUrl!.AuthType);
        var auth = Assert.Single(ms, m => m.Kind == MappingKind.Authentication && m.Surface == IdentitySurface.EndUser);
        // Before: Easy Auth with the Entra provider and the invoke app role (which rejects Front Door's requests), and the
        // CloudFront permission a trigger deviation ("No trigger rule").
        Assert.Equal(MappingStrategy.BuiltIn, auth.Strategy);
        Assert.Equal("false", auth.Settings["requireAuthentication"]);
        Assert.False(auth.Settings.ContainsKey("identityProvider"));
        Assert.False(auth.Settings.ContainsKey("appRoleAssignmentRequired"));
        Assert.Equal("AzureFrontDoor.Backend", auth.Settings["accessRestriction.serviceTag"]);
        Assert.Equal("X-Azure-FDID", auth.Settings["accessRestriction.header"]);
        Assert.Contains("Private Link", auth.AzureFeature, StringComparison.Ordinal);
        Assert.Contains(":distribution/${Ref:Distribution}", auth.AwsFeature, StringComparison.Ordinal);
        var trigger = Assert.Single(ms, m => m.Kind == MappingKind.TriggerConnection);
        Assert.Equal(MappingStrategy.NotNeeded, trigger.Strategy);
        Assert.Equal("cloudfront-origin", trigger.RuleId);
        var arm = Arm(ms);
        Assert.Empty(AuthSettings(arm));
        Assert.Contains(arm.GetProperty("metadata").GetProperty("notDeployed").EnumerateArray(), n => n.GetString()!.StartsWith(auth.MappingId + ": Azure Front Door", StringComparison.Ordinal));
    }

    [Fact]
    public void AnIamFunctionUrlWithoutCloudFrontKeepsEasyAuthWithTheInvokeRole()
    {
        // The Front Door design needs the CloudFront permission: the same URL without it is still an Entra-protected URL.
        var (_, ms, _) = Map(TestPaths.Shared("sam", "serverless-patterns", "lambda-function-url", "template.yaml"));
        var iam = Assert.Single(ms, m => m.Kind == MappingKind.Authentication && m.MappingId.EndsWith("/enduser/url", StringComparison.Ordinal));
        Assert.Equal("true", iam.Settings["requireAuthentication"]);
        Assert.Equal("true", iam.Settings["appRoleAssignmentRequired"]);
        Assert.False(iam.Settings.ContainsKey("frontDoor"));
    }

    [Fact]
    public void AnIotCustomAuthorizerIsAnAuthorizerOfConnectionsNotAnIotRule()
    {
        var (inv, ms, _) = Map(Front("cfn-template-iot-custom-authorizer.yaml"));
        var f = Assert.Single(inv);
        Assert.DoesNotContain(f.EventSources, e => e.Type == "IoTRule");
        Assert.Single(f.Callers, c => c.Channel == "IoT" && c.AuthorizerName == "device-token-authorizer");
        Assert.DoesNotContain(ms, m => m.RuleId == "iot-rule-trigger" || m.AwsFeature.StartsWith("IoTRule", StringComparison.Ordinal));
        var auth = Assert.Single(ms, m => m.Kind == MappingKind.Authentication && m.Surface == IdentitySurface.EndUser);
        Assert.Equal(MappingStrategy.Deviation, auth.Strategy);
        Assert.Contains("iot.amazonaws.com", auth.Reason, StringComparison.Ordinal);
        Assert.Contains("IoT Hub has no custom authorizer", auth.Impact!, StringComparison.Ordinal);
        Assert.Contains("X.509", auth.Mitigation!, StringComparison.Ordinal);
        Assert.Contains(auth.Findings, x => x.FindingId == "IoTCustomAuthorizerFunction");
    }

    [Fact]
    public void AnIotRuleIsStillAnIotRule()
    {
        // sam-translator iot_rule: two IoTRule events; the permissions for iot.amazonaws.com are rules, not an authorizer.
        var (inv, ms, _) = Map(TestPaths.Shared("sam", "sam-translator", "input", "iot_rule.yaml"));
        var f = Assert.Single(inv);
        Assert.Equal(2, f.EventSources.Count(e => e.Type == "IoTRule"));
        Assert.DoesNotContain(f.Callers, c => c.Channel == "IoT");
        Assert.Equal(2, ms.Count(m => m.RuleId == "iot-rule-trigger"));
    }
}

using System.Text.Json;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Model;
using LambdaIdentity.Tests.Translation;
using Xunit;

namespace LambdaIdentity.Tests.Parity;

/// <summary>
/// Two-sided parity on the demo: the invoice writer's signing secret stays on AWS; the role's trust read from the AWS side
/// (module/samples/aws-trust, the authorization details after deploying aws-trust.cfn.json) is tried with the policy engine.
/// </summary>
public class AwsTrustParityTests
{
    private static string AwsSample => Path.Combine(DemoWorkload.Samples, "aws-trust", "aws-iam-get-account-authorization-details.json");
    private static string ProviderSample => Path.Combine(DemoWorkload.Samples, "aws-trust", "aws-iam-get-open-id-connect-provider.json");
    private static readonly Lazy<List<AzRoleMapping>> Mappings = new(AwsTrustTemplateExporterTests.DemoMappings);

    private static async Task<IdentityParityResult> Judge(AwsTrustState? aws, IReadOnlyList<AzRoleMapping>? mappings = null)
    {
        var azure = await new AzureStateReader().ReadAsync(new[] { Path.Combine(DemoWorkload.Samples, "azure-state") }, EngineContext.None);
        var results = ParityChecker.Check(mappings ?? Mappings.Value, azure, new ParityOptions { AwsState = aws }, EngineContext.None);
        return Assert.Single(results, r => r.Kind == MappingKind.AwsFederatedRole);
    }

    // The demo's AWS-side exports with one edit, written to a temporary folder and read as the AWS side.
    private static (AwsTrustState State, List<EngineError> Errors) AwsSide(Func<string, string> edit, string name = "authz.json", Func<string, string>? provider = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "li-aws-trust-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, name), edit(File.ReadAllText(AwsSample)));
        var providerText = (provider ?? edit)(File.ReadAllText(ProviderSample));
        if (providerText.Length > 0) File.WriteAllText(Path.Combine(dir, "provider.json"), providerText);
        var errors = new ErrorCollector();
        var state = AwsTrustState.Read(new[] { dir }, new EngineContext(errors));
        return (state, errors.Errors.ToList());
    }

    [Fact]
    public async Task TheDeployedTrustAdmitsOnlyTheDesignedIdentity()
    {
        var errors = new ErrorCollector();
        var r = await Judge(AwsTrustState.Read(new[] { Path.GetDirectoryName(AwsSample)! }, new EngineContext(errors)));
        Assert.Empty(errors.Errors);
        Assert.Equal(ParityStatus.Pass, r.Status);
        Assert.Contains("the OIDC provider for https://login.microsoftonline.com/b6c948ef-f6b5-4384-8354-da3a15eca969/v2.0 accepts api://AzureADTokenExchange", r.Reason);
        Assert.Equal("arn:aws:iam::111122223333:role/azure-func-dev-invoice-writer", r.ActualId);
        Assert.Contains("6876d09c-0aab-542e-9714-6803b8325e08", r.Actual);
        Assert.Contains("another object id, another audience and another tenant are denied", r.Reason);
        Assert.DoesNotContain("verify it on AWS", r.Reason);
    }

    [Fact]
    public async Task WithoutTheAwsSideTheTrustIsUnverifiableOnUnreadEvidence()
    {
        var r = await Judge(null);
        Assert.Equal(ParityStatus.Unverifiable, r.Status);
        Assert.True(r.EvidenceUnread);
        Assert.True(ParityVerdict.Fails(r, ParityFailLevel.Access));
        Assert.True(ParityVerdict.Fails(r, ParityFailLevel.Excess));
        Assert.False(ParityVerdict.Fails(r, ParityFailLevel.None));
    }

    [Fact]
    public async Task ATrustWithoutTheSubjectConditionAdmitsEveryIdentityOfTheTenant()
    {
        var (aws, _) = AwsSide(t => t.Replace(",\n                \"login.microsoftonline.com/b6c948ef-f6b5-4384-8354-da3a15eca969/v2.0:sub\": \"6876d09c-0aab-542e-9714-6803b8325e08\"", ""));
        var r = await Judge(aws);
        Assert.Equal(ParityStatus.Broader, r.Status);
        Assert.Contains("another object id", r.Actual);
        Assert.DoesNotContain("another tenant", r.Actual);
    }

    [Fact]
    public async Task ATrustWithoutTheAudienceConditionAdmitsTokensForOtherAudiences()
    {
        var (aws, _) = AwsSide(t => t.Replace("\"login.microsoftonline.com/b6c948ef-f6b5-4384-8354-da3a15eca969/v2.0:aud\": \"api://AzureADTokenExchange\",", ""));
        var r = await Judge(aws);
        Assert.Equal(ParityStatus.Broader, r.Status);
        Assert.Contains("another audience", r.Actual);
    }

    [Fact]
    public async Task ATrustOfTheV1IssuerDeniesTheTokenTheIdentityGets()
    {
        // The issuer a token-exchange token does not carry: the trust never admits the function.
        var (aws, _) = AwsSide(t => t.Replace("login.microsoftonline.com/b6c948ef-f6b5-4384-8354-da3a15eca969/v2.0", "sts.windows.net/b6c948ef-f6b5-4384-8354-da3a15eca969/"));
        var r = await Judge(aws);
        Assert.Equal(ParityStatus.Missing, r.Status);
        Assert.Contains("denies the designed token", r.Actual);
    }

    [Fact]
    public async Task ATrustOfAnotherTenantDeniesTheDesignedIdentity()
    {
        var (aws, _) = AwsSide(t => t.Replace("b6c948ef-f6b5-4384-8354-da3a15eca969", "72f988bf-86f1-41af-91ab-2d7cd011db47"));
        Assert.Equal(ParityStatus.Missing, (await Judge(aws)).Status);
    }

    [Fact]
    public async Task ATrustThatAcceptsAnyTenantIsBroader()
    {
        // Any federated principal, and conditions that hold when their keys are absent: another tenant's token carries
        // keys of another issuer, so nothing pins it.
        var (aws, _) = AwsSide(t => t
            .Replace("\"Principal\": { \"Federated\": \"arn:aws:iam::111122223333:oidc-provider/login.microsoftonline.com/b6c948ef-f6b5-4384-8354-da3a15eca969/v2.0\" }", "\"Principal\": \"*\"")
            .Replace("\"StringEquals\": {", "\"StringEqualsIfExists\": {"));
        var r = await Judge(aws);
        Assert.Equal(ParityStatus.Broader, r.Status);
        Assert.Contains("another tenant", r.Actual);
        Assert.DoesNotContain("another object id", r.Actual);
    }

    [Fact]
    public async Task ARoleAbsentFromTheAwsSideIsMissing()
    {
        var (aws, _) = AwsSide(t => t.Replace("azure-func-dev-invoice-writer", "azure-func-someone-else"));
        var r = await Judge(aws);
        Assert.Equal(ParityStatus.Missing, r.Status);
        Assert.Contains("no role azure-func-dev-invoice-writer", r.Actual);
    }

    [Fact]
    public async Task ARoleThatLostTheDesignedGrantIsMissing()
    {
        var (aws, _) = AwsSide(t => t.Replace("\"secretsmanager:GetSecretValue\"", "\"secretsmanager:DescribeSecret\""));
        var r = await Judge(aws);
        Assert.Equal(ParityStatus.Missing, r.Status);
        Assert.Contains("secretsmanager:GetSecretValue", r.Actual);
    }

    [Fact]
    public async Task AnUnreadableAwsExportIsReportedAndNothingIsJudgedOnIt()
    {
        var (aws, errors) = AwsSide(t => t.Substring(0, t.Length / 2), "cut.json", provider: p => p);
        var error = Assert.Single(errors);
        Assert.Contains("cut.json", error.Target);
        var r = await Judge(aws);
        Assert.Equal(ParityStatus.Unverifiable, r.Status);
        Assert.True(r.EvidenceUnread);
    }

    [Fact]
    public async Task AnExportOfAnotherShapeIsReportedAndNothingIsJudgedOnIt()
    {
        var (aws, errors) = AwsSide(_ => "{\"Functions\": []}", "lambda-list-functions.json", provider: _ => "");
        Assert.Equal("AwsStateShapeUnknown", Assert.Single(errors).ErrorId);
        var r = await Judge(aws);
        Assert.Equal(ParityStatus.Unverifiable, r.Status);
        Assert.True(r.EvidenceUnread);
    }

    [Fact]
    public async Task GetRoleOutputVerifiesTheTrustButLeavesThePermissionsUnread()
    {
        // aws iam get-role: the trust (URL-encoded, as the raw API gives it) without the role's policies.
        using var authz = JsonDocument.Parse(File.ReadAllText(AwsSample));
        var role = authz.RootElement.GetProperty("RoleDetailList")[0];
        var getRole = "{\"Role\":{\"RoleName\":\"azure-func-dev-invoice-writer\",\"Arn\":" + role.GetProperty("Arn").GetRawText()
            + ",\"AssumeRolePolicyDocument\":" + JsonSerializer.Serialize(Uri.EscapeDataString(role.GetProperty("AssumeRolePolicyDocument").GetRawText())) + "}}";
        var (aws, errors) = AwsSide(_ => getRole, "get-role.json", provider: p => p);
        Assert.Empty(errors);
        var r = await Judge(aws);
        Assert.Equal(ParityStatus.Unverifiable, r.Status);
        Assert.True(r.EvidenceUnread);
        Assert.Contains("trusts exactly the designed identity", r.Actual);
    }

    // The design with a token for an app registration's Application ID URI (v1.0 tokens: the app's default).
    internal static AzRoleMapping ForAppIdUri(AzRoleMapping m, string audience)
    {
        var settings = m.Settings.Where(kv => kv.Key != "tokenIssuer").ToDictionary(kv => kv.Key, kv => kv.Value);
        settings["tokenAudience"] = audience;
        return new AzRoleMapping
        {
            MappingId = m.MappingId, FunctionName = m.FunctionName, FunctionArn = m.FunctionArn, FunctionAppName = m.FunctionAppName, Surface = m.Surface, Kind = m.Kind, Strategy = m.Strategy,
            PrincipalName = m.PrincipalName, PrincipalType = m.PrincipalType, IdentityType = m.IdentityType, AwsGrants = m.AwsGrants, Settings = settings,
        };
    }

    [Fact]
    public async Task AnAppIdUriAudienceIsTriedWithTheV1IssuerItsTokenCarries()
    {
        var mappings = Mappings.Value.Select(m => m.Kind == MappingKind.AwsFederatedRole ? ForAppIdUri(m, "api://orders-aws") : m).ToList();
        var (aws, _) = AwsSide(t => t.Replace("login.microsoftonline.com/b6c948ef-f6b5-4384-8354-da3a15eca969/v2.0", "sts.windows.net/b6c948ef-f6b5-4384-8354-da3a15eca969/").Replace("api://AzureADTokenExchange", "api://orders-aws"));
        var r = await Judge(aws, mappings);
        Assert.Equal(ParityStatus.Pass, r.Status);
        // The v2.0 trust of the token-exchange design does not admit that token.
        var (v2, _) = AwsSide(t => t.Replace("api://AzureADTokenExchange", "api://orders-aws"));
        Assert.Equal(ParityStatus.Missing, (await Judge(v2, mappings)).Status);
    }

    [Fact]
    public async Task WithoutTheOidcProviderTheTrustIsNotYetVerified()
    {
        var (aws, _) = AwsSide(t => t, provider: _ => "");
        var r = await Judge(aws);
        Assert.Equal(ParityStatus.Unverifiable, r.Status);
        Assert.True(r.EvidenceUnread);
        Assert.Contains("get-open-id-connect-provider", r.Reason);
    }

    [Fact]
    public async Task AnOidcProviderWithoutTheAudienceRefusesTheToken()
    {
        var (aws, _) = AwsSide(t => t, provider: p => p.Replace("api://AzureADTokenExchange", "sts.amazonaws.com"));
        var r = await Judge(aws);
        Assert.Equal(ParityStatus.Missing, r.Status);
        Assert.Contains("sts.amazonaws.com", r.Actual);
    }

    [Fact]
    public async Task AnOidcProviderOfAnotherIssuerOnlyIsMissing()
    {
        var (aws, _) = AwsSide(t => t, provider: p => p.Replace("login.microsoftonline.com/b6c948ef-f6b5-4384-8354-da3a15eca969/v2.0", "token.actions.githubusercontent.com"));
        var r = await Judge(aws);
        Assert.Equal(ParityStatus.Missing, r.Status);
        Assert.Contains("no IAM OIDC provider", r.Actual);
    }
}

using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

/// <summary>The AWS side of the trust for the demo's secret that stays on AWS, as CloudFormation and Terraform JSON.</summary>
public class AwsTrustTemplateExporterTests
{
    private const string Tenant = "b6c948ef-f6b5-4384-8354-da3a15eca969", Principal = "6876d09c-0aab-542e-9714-6803b8325e08", Account = "111122223333";

    internal static List<AzRoleMapping> DemoMappings()
        => new AzRoleMapper(GrantDeriver.Default, new MappingOptions { ResourceMap = DemoWorkload.ResourceMap() }).Map(DemoWorkload.Inventory(), EngineContext.None).ToList();

    private static AzRoleMapping Federated(List<AzRoleMapping> mappings) => Assert.Single(mappings, m => m.Kind == MappingKind.AwsFederatedRole);

    [Fact]
    public void TheIssuerFollowsTheAudienceTheIdentityAsksFor()
    {
        Assert.Equal("https://login.microsoftonline.com/t1/v2.0", AwsTrustDesign.Issuer("t1", "api://AzureADTokenExchange"));
        Assert.Equal("https://login.microsoftonline.com/t1/v2.0", AwsTrustDesign.Issuer("t1", "api://AzureADTokenExchangeUSGov"));
        Assert.Equal("https://sts.windows.net/t1/", AwsTrustDesign.Issuer("t1", "api://orders-aws"));
        Assert.Equal("https://login.microsoftonline.com/t1/v2.0", AwsTrustDesign.Issuer("t1", "api://orders-aws", appAcceptsV2: true));
        Assert.Equal("arn:aws:iam::111122223333:oidc-provider/login.microsoftonline.com/t1/v2.0", AwsTrustDesign.ProviderArn(Account, AwsTrustDesign.Issuer("t1", AwsTrustDesign.TokenExchangeAudience)));
    }

    [Fact]
    public void TheMappingDesignsTheV2TokenOfTheTokenExchangeAudience()
    {
        var m = Federated(DemoMappings());
        Assert.Equal("https://login.microsoftonline.com/{tenantId}/v2.0", m.Settings["tokenIssuer"]);
        Assert.Equal("api://AzureADTokenExchange", m.Settings["tokenAudience"]);
        Assert.EndsWith(":oidc-provider/login.microsoftonline.com/{tenantId}/v2.0", m.Settings["oidcProvider"]);
        using var trust = JsonDocument.Parse(m.Settings["trustPolicy"]);
        var eq = trust.RootElement.GetProperty("Statement")[0].GetProperty("Condition").GetProperty("StringEquals");
        Assert.Equal("api://AzureADTokenExchange", eq.GetProperty("login.microsoftonline.com/{tenantId}/v2.0:aud").GetString());
        Assert.Equal("{principalId of func-dev-invoice-writer}", eq.GetProperty("login.microsoftonline.com/{tenantId}/v2.0:sub").GetString());
        Assert.DoesNotContain("sts.windows.net", m.Settings["trustPolicy"]);
        Assert.DoesNotContain("sts.windows.net", m.Mitigation);
    }

    // Fn::Sub with the deployment's values: what CloudFormation hands to IAM.
    private static string Sub(string text, IReadOnlyDictionary<string, string> values)
        => Regex.Replace(text, @"\$\{(!?)([^}]*)\}", x => x.Groups[1].Value == "!" ? "${" + x.Groups[2].Value + "}" : values.TryGetValue(x.Groups[2].Value, out var v) ? v : throw new Xunit.Sdk.XunitException("unresolved ${" + x.Groups[2].Value + "}"));

    private static Decision Assume(PolicyDocument trust, string tenant, string audience, string subject)
    {
        var issuer = "login.microsoftonline.com/" + tenant + "/v2.0";
        var ctx = new RequestContext().Set(issuer + ":aud", audience).Set(issuer + ":sub", subject);
        return new PolicyEvaluator().Evaluate(new AccessRequest { PrincipalArn = "arn:aws:iam::" + Account + ":oidc-provider/" + issuer, Action = "sts:AssumeRoleWithWebIdentity", Resource = "arn:aws:iam::" + Account + ":role/azure-func-dev-invoice-writer", Context = ctx },
            new PolicySet { ResourcePolicy = trust }).Decision;
    }

    private static Decision Call(PolicyDocument permissions, string action, string resource)
        => new PolicyEvaluator().Evaluate(new AccessRequest { PrincipalArn = "arn:aws:iam::" + Account + ":role/azure-func-dev-invoice-writer", Action = action, Resource = resource },
            new PolicySet { IdentityPolicies = new[] { permissions } }).Decision;

    private static PolicyDocument Parse(string json, PolicyKind kind)
    {
        var errors = new ErrorCollector();
        var doc = PolicyParser.ParseText(json, kind, "test", null, new EngineContext(errors));
        Assert.Empty(errors.Errors);
        return Assert.IsType<PolicyDocument>(doc);
    }

    private static void AdmitsOnlyTheDesignedIdentity(string trustJson, string permissionsJson)
    {
        var trust = Parse(trustJson, PolicyKind.Resource);
        Assert.Equal(Decision.Allow, Assume(trust, Tenant, "api://AzureADTokenExchange", Principal));
        Assert.Equal(Decision.ImplicitDeny, Assume(trust, Tenant, "api://AzureADTokenExchange", "11111111-2222-3333-4444-555555555555"));
        Assert.Equal(Decision.ImplicitDeny, Assume(trust, Tenant, "api://other", Principal));
        Assert.Equal(Decision.ImplicitDeny, Assume(trust, "72f988bf-86f1-41af-91ab-2d7cd011db47", "api://AzureADTokenExchange", Principal));
        var permissions = Parse(permissionsJson, PolicyKind.Inline);
        Assert.Equal(Decision.Allow, Call(permissions, "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:" + Account + ":secret:invoice-signing-AbCdEf"));
        Assert.Equal(Decision.ImplicitDeny, Call(permissions, "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:" + Account + ":secret:db-password-AbCdEf"));
        Assert.Equal(Decision.ImplicitDeny, Call(permissions, "secretsmanager:PutSecretValue", "arn:aws:secretsmanager:eu-west-1:" + Account + ":secret:invoice-signing-AbCdEf"));
    }

    [Fact]
    public void CloudFormationDeploysATrustThatAdmitsOnlyTheDesignedIdentity()
    {
        using var doc = JsonDocument.Parse(MappingTemplateExporter.Export(DemoMappings(), TemplateFormat.AwsCloudFormation));
        var root = doc.RootElement;
        Assert.Equal("2010-09-09", root.GetProperty("AWSTemplateFormatVersion").GetString());
        var parameters = root.GetProperty("Parameters").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(new[] { "EntraTenantId", "AzureFuncDevInvoiceWriterPrincipalId" }, parameters);
        var resources = root.GetProperty("Resources");
        var provider = resources.GetProperty("EntraOidcProvider");
        Assert.Equal("AWS::IAM::OIDCProvider", provider.GetProperty("Type").GetString());
        Assert.Equal("https://login.microsoftonline.com/${EntraTenantId}/v2.0", provider.GetProperty("Properties").GetProperty("Url").GetProperty("Fn::Sub").GetString());
        Assert.Equal(new[] { "api://AzureADTokenExchange" }, provider.GetProperty("Properties").GetProperty("ClientIdList").EnumerateArray().Select(a => a.GetString()));
        var role = resources.GetProperty("AzureFuncDevInvoiceWriterRole");
        Assert.Equal("AWS::IAM::Role", role.GetProperty("Type").GetString());
        Assert.Equal("azure-func-dev-invoice-writer", role.GetProperty("Properties").GetProperty("RoleName").GetString());
        var values = new Dictionary<string, string>
        {
            ["EntraTenantId"] = Tenant, ["AzureFuncDevInvoiceWriterPrincipalId"] = Principal,
            ["EntraOidcProvider"] = "arn:aws:iam::" + Account + ":oidc-provider/login.microsoftonline.com/" + Tenant + "/v2.0",
            ["AWS::Region"] = "eu-west-1", ["AWS::AccountId"] = Account, ["AWS::Partition"] = "aws",
        };
        var trust = Sub(role.GetProperty("Properties").GetProperty("AssumeRolePolicyDocument").GetProperty("Fn::Sub").GetString()!, values);
        var policy = Assert.Single(role.GetProperty("Properties").GetProperty("Policies").EnumerateArray());
        AdmitsOnlyTheDesignedIdentity(trust, Sub(policy.GetProperty("PolicyDocument").GetProperty("Fn::Sub").GetString()!, values));
        Assert.Equal("AzureFuncDevInvoiceWriterRole", root.GetProperty("Outputs").GetProperty("AzureFuncDevInvoiceWriterRoleArn").GetProperty("Value").GetProperty("Fn::GetAtt")[0].GetString());
    }

    // The properties CloudFormation's resource schemas define for the two types (AWS::IAM::OIDCProvider, AWS::IAM::Role).
    private static readonly Dictionary<string, string[]> SchemaProperties = new()
    {
        ["AWS::IAM::OIDCProvider"] = new[] { "ClientIdList", "Tags", "ThumbprintList", "Url" },
        ["AWS::IAM::Role"] = new[] { "AssumeRolePolicyDocument", "Description", "ManagedPolicyArns", "MaxSessionDuration", "Path", "PermissionsBoundary", "Policies", "RoleName", "Tags" },
    };

    private static string? OnPath(string tool)
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    private static (int Code, string Output) CfnLint(string cfnLint, string template)
    {
        var file = Path.Combine(Path.GetTempPath(), "li-aws-trust-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(file, template);
        var psi = new ProcessStartInfo(cfnLint) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(file);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        File.Delete(file);
        return (p.ExitCode, output);
    }

    [Fact]
    public void CloudFormationPassesCfnLintOrTheResourceSchemas()
    {
        var template = MappingTemplateExporter.Export(DemoMappings(), TemplateFormat.AwsCloudFormation);
        using var doc = JsonDocument.Parse(template);
        foreach (var r in doc.RootElement.GetProperty("Resources").EnumerateObject())
        {
            var type = r.Value.GetProperty("Type").GetString()!;
            Assert.True(SchemaProperties.ContainsKey(type), "unexpected resource type " + type);
            Assert.All(r.Value.GetProperty("Properties").EnumerateObject(), p => Assert.Contains(p.Name, SchemaProperties[type]));
        }
        // cfn-lint (installed on the project's machines) checks the template against CloudFormation's resource schemas.
        if (OnPath("cfn-lint") is not { } cfnLint) return;
        var (code, output) = CfnLint(cfnLint, template);
        Assert.True(code == 0, "cfn-lint: " + output);
        // And it would say so if the template were wrong.
        var (badCode, badOutput) = CfnLint(cfnLint, template.Replace("\"ClientIdList\"", "\"ClientIds\""));
        Assert.NotEqual(0, badCode);
        Assert.Contains("ClientIds", badOutput);
    }

    // Every ${...} of Terraform JSON (not $${, which is literal) must name a declared variable, data source or resource.
    private static readonly Regex Interpolation = new(@"(?<!\$)\$\{([^}]*)\}");

    [Fact]
    public void TerraformJsonReferencesOnlyWhatItDeclaresAndAdmitsOnlyTheDesignedIdentity()
    {
        var text = MappingTemplateExporter.Export(DemoMappings(), TemplateFormat.AwsTerraform);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        Assert.Equal("hashicorp/aws", root.GetProperty("terraform").GetProperty("required_providers").GetProperty("aws").GetProperty("source").GetString());
        var declared = new HashSet<string>();
        foreach (var v in root.GetProperty("variable").EnumerateObject()) declared.Add("var." + v.Name);
        foreach (var d in root.GetProperty("data").EnumerateObject()) foreach (var n in d.Value.EnumerateObject()) declared.Add("data." + d.Name + "." + n.Name);
        var resources = root.GetProperty("resource");
        foreach (var t in resources.EnumerateObject()) foreach (var n in t.Value.EnumerateObject()) declared.Add(t.Name + "." + n.Name);
        foreach (Match m in Interpolation.Matches(text))
        {
            var reference = string.Join(".", m.Groups[1].Value.Split('.').Take(m.Groups[1].Value.StartsWith("data.") ? 3 : 2));
            Assert.True(declared.Contains(reference), "undeclared reference ${" + m.Groups[1].Value + "}");
        }
        var provider = resources.GetProperty("aws_iam_openid_connect_provider").GetProperty("entra");
        Assert.Equal("https://login.microsoftonline.com/${var.entra_tenant_id}/v2.0", provider.GetProperty("url").GetString());
        Assert.Equal(new[] { "api://AzureADTokenExchange" }, provider.GetProperty("client_id_list").EnumerateArray().Select(a => a.GetString()));
        var role = resources.GetProperty("aws_iam_role").GetProperty("azure_func_dev_invoice_writer");
        Assert.Equal("azure-func-dev-invoice-writer", role.GetProperty("name").GetString());
        var policy = resources.GetProperty("aws_iam_role_policy").GetProperty("azure_func_dev_invoice_writer");
        Assert.Equal("${aws_iam_role.azure_func_dev_invoice_writer.id}", policy.GetProperty("role").GetString());
        var values = new Dictionary<string, string>
        {
            ["var.entra_tenant_id"] = Tenant, ["var.principal_id_azure_func_dev_invoice_writer"] = Principal,
            ["aws_iam_openid_connect_provider.entra.arn"] = "arn:aws:iam::" + Account + ":oidc-provider/login.microsoftonline.com/" + Tenant + "/v2.0",
            ["data.aws_region.current.id"] = "eu-west-1", ["data.aws_caller_identity.current.account_id"] = Account, ["data.aws_partition.current.partition"] = "aws",
        };
        string Interpolate(string s) => Interpolation.Replace(s, x => values.TryGetValue(x.Groups[1].Value, out var v) ? v : throw new Xunit.Sdk.XunitException("no value for ${" + x.Groups[1].Value + "}")).Replace("$${", "${");
        AdmitsOnlyTheDesignedIdentity(Interpolate(role.GetProperty("assume_role_policy").GetString()!), Interpolate(policy.GetProperty("policy").GetString()!));
    }

    [Fact]
    public void TemplateReferencesBecomeParametersAndPolicyVariablesStayLiteral()
    {
        var m = new AzRoleMapping
        {
            MappingId = "f/AwsFederatedRole/aws-federated-role", FunctionName = "f", FunctionAppName = "func-f", Kind = MappingKind.AwsFederatedRole, PrincipalName = "func-f",
            ObjectId = "AAAAAAAA-0000-4000-8000-000000000001",
            Settings = new Dictionary<string, string>
            {
                ["awsRoleArn"] = "arn:aws:iam::{awsAccountId}:role/azure-func-f", ["tokenAudience"] = "api://AzureADTokenExchange",
                ["permissionsPolicy"] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\"],\"Resource\":[\"arn:${AWS::Partition}:s3:::${Ref:Bucket}/home/${aws:username}/*\"]}]}",
            },
        };
        using var cfn = JsonDocument.Parse(MappingTemplateExporter.Export(new[] { m }, TemplateFormat.AwsCloudFormation));
        Assert.True(cfn.RootElement.GetProperty("Parameters").TryGetProperty("RefBucket", out _));
        Assert.False(cfn.RootElement.GetProperty("Parameters").TryGetProperty("AzureFuncFPrincipalId", out _)); // the object id is known
        var role = cfn.RootElement.GetProperty("Resources").GetProperty("AzureFuncFRole").GetProperty("Properties");
        Assert.Contains("arn:${AWS::Partition}:s3:::${RefBucket}/home/${!aws:username}/*", role.GetProperty("Policies")[0].GetProperty("PolicyDocument").GetProperty("Fn::Sub").GetString());
        Assert.Contains(":sub\\\":\\\"aaaaaaaa-0000-4000-8000-000000000001\\\"", role.GetProperty("AssumeRolePolicyDocument").GetRawText());
        using var tf = JsonDocument.Parse(MappingTemplateExporter.Export(new[] { m }, TemplateFormat.AwsTerraform));
        Assert.True(tf.RootElement.GetProperty("variable").TryGetProperty("ref_bucket", out _));
        Assert.Contains("arn:${data.aws_partition.current.partition}:s3:::${var.ref_bucket}/home/$${aws:username}/*",
            tf.RootElement.GetProperty("resource").GetProperty("aws_iam_role_policy").GetProperty("azure_func_f").GetProperty("policy").GetString());
    }

    [Fact]
    public void AMappingWithNothingOnAwsWritesNoAwsTemplate()
    {
        var none = DemoMappings().Where(m => m.Kind != MappingKind.AwsFederatedRole).ToList();
        Assert.False(AwsTrustTemplateExporter.HasAny(none));
        Assert.Throws<ArgumentException>(() => MappingTemplateExporter.Export(none, TemplateFormat.AwsTerraform));
    }

    [Fact]
    public void AnAppIdUriAudienceGetsTheV1ProviderItsTokensCarry()
    {
        var mappings = DemoMappings().Select(m => m.Kind == MappingKind.AwsFederatedRole ? LambdaIdentity.Tests.Parity.AwsTrustParityTests.ForAppIdUri(m, "api://orders-aws") : m).ToList();
        using var cfn = JsonDocument.Parse(MappingTemplateExporter.Export(mappings, TemplateFormat.AwsCloudFormation));
        var resources = cfn.RootElement.GetProperty("Resources");
        Assert.False(resources.TryGetProperty("EntraOidcProvider", out _));
        var provider = resources.GetProperty("EntraOidcProviderV1").GetProperty("Properties");
        Assert.Equal("https://sts.windows.net/${EntraTenantId}/", provider.GetProperty("Url").GetProperty("Fn::Sub").GetString());
        Assert.Equal("api://orders-aws", Assert.Single(provider.GetProperty("ClientIdList").EnumerateArray()).GetString());
        var trust = resources.GetProperty("AzureFuncDevInvoiceWriterRole").GetProperty("Properties").GetProperty("AssumeRolePolicyDocument").GetProperty("Fn::Sub").GetString()!;
        Assert.Contains("\"sts.windows.net/${EntraTenantId}/:aud\":\"api://orders-aws\"", trust);
        Assert.Contains("\"Federated\":\"${EntraOidcProviderV1}\"", trust);
    }

    [Fact]
    public void TheRoleHoldsExactlyTheGrantsConditionsAndExclusionsIncludedAndALegalName()
    {
        var name = new string('x', 60);
        var f = T.Function(name, "r");
        const string secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-config-AbCdEf", bucket = "arn:aws:s3:::reports/*";
        var deriver = new FixedGrantDeriver(T.RoleArn("r"),
            T.Grant("secretsmanager:GetSecretValue", AccessLevel.Read, secret) with { },
            new EffectiveGrant { Service = "s3", Action = "s3:GetObject", AccessLevel = AccessLevel.Read, Resources = new[] { bucket }, ExcludedResources = new[] { "arn:aws:s3:::reports/private/*" }, GrantedBy = new[] { "inline#1" } },
            new EffectiveGrant { Service = "secretsmanager", Action = "secretsmanager:DescribeSecret", AccessLevel = AccessLevel.Read, Resources = new[] { secret }, GrantedBy = new[] { "inline#2" },
                Conditions = new[] { new PolicyCondition { Operator = "StringEquals", Key = "aws:ResourceTag/env", Values = new[] { "prod" } } } });
        var map = new ResourceMap(new[] { new ResourceMapEntry { Aws = secret, StayOnAws = true }, new ResourceMapEntry { Aws = bucket, StayOnAws = true } });
        var mappings = new AzRoleMapper(deriver, new MappingOptions { ResourceMap = map }).Map(new[] { f }, EngineContext.None).ToList();
        var m = Federated(mappings);
        var roleName = m.Settings["awsRoleArn"].Substring(m.Settings["awsRoleArn"].LastIndexOf('/') + 1);
        Assert.True(roleName.Length <= 64, roleName);
        Assert.StartsWith("azure-func-xxxx", roleName);

        var permissions = Parse(m.Settings["permissionsPolicy"], PolicyKind.Inline);
        Decision Do(string action, string resource, params (string, string)[] context)
        {
            var ctx = new RequestContext();
            foreach (var (k, v) in context) ctx.Set(k, v);
            return new PolicyEvaluator().Evaluate(new AccessRequest { PrincipalArn = "arn:aws:iam::123456789012:role/" + roleName, Action = action, Resource = resource, Context = ctx }, new PolicySet { IdentityPolicies = new[] { permissions } }).Decision;
        }
        Assert.Equal(Decision.Allow, Do("secretsmanager:GetSecretValue", secret));
        Assert.Equal(Decision.Allow, Do("s3:GetObject", "arn:aws:s3:::reports/2026/q4.csv"));
        Assert.Equal(Decision.ExplicitDeny, Do("s3:GetObject", "arn:aws:s3:::reports/private/salaries.csv"));
        Assert.Equal(Decision.Allow, Do("secretsmanager:DescribeSecret", secret, ("aws:ResourceTag/env", "prod")));
        Assert.Equal(Decision.ImplicitDeny, Do("secretsmanager:DescribeSecret", secret, ("aws:ResourceTag/env", "dev")));
        Assert.Equal(Decision.ImplicitDeny, Do("s3:PutObject", "arn:aws:s3:::reports/2026/q4.csv"));

        var template = MappingTemplateExporter.Export(mappings, TemplateFormat.AwsCloudFormation);
        if (OnPath("cfn-lint") is { } cfnLint)
        {
            var (code, output) = CfnLint(cfnLint, template);
            Assert.True(code == 0, "cfn-lint: " + output);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Translation;

/// <summary>
/// Writes the AWS side of the trust for every dependency that stays on AWS (AwsFederatedRole items) as a deployable
/// CloudFormation JSON template or Terraform JSON: the IAM OIDC provider for the tenant's Entra issuer, with the token's
/// audience as its client id, and per function the role whose trust admits exactly that managed identity (<c>:aud</c>
/// the exchange audience, <c>:sub</c> the identity's object id) and whose inline policy holds exactly the grants it had.
/// What is unknown until deployment (the tenant, an identity's object id, resources the source template named by
/// reference) is a parameter (CloudFormation) or a variable (Terraform); nothing is invented.
/// </summary>
public static class AwsTrustTemplateExporter
{
    private const string ProviderMarker = "__LAMBDAIDENTITY_PROVIDER__";
    private const string TenantMarker = "__LAMBDAIDENTITY_TENANT__";
    private const string SubjectMarker = "__LAMBDAIDENTITY_SUBJECT__";
    private static readonly Regex Token = new(@"\$\{([^}]*)\}", RegexOptions.CultureInvariant);
    private static readonly Regex Guid = new("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", RegexOptions.CultureInvariant);

    /// <summary>True when any item is an AWS-side role to write.</summary>
    public static bool HasAny(IEnumerable<AzRoleMapping> mappings) => mappings.Any(m => m.Kind == MappingKind.AwsFederatedRole);

    /// <summary>Renders the template; throws <see cref="ArgumentException"/> when no item stays on AWS.</summary>
    public static string Export(IEnumerable<AzRoleMapping> mappings, TemplateFormat format)
    {
        var roles = Plan(mappings);
        if (roles.Count == 0) throw new ArgumentException("No dependency stays on AWS (no AwsFederatedRole item): there is no AWS side to write.", nameof(mappings));
        return format == TemplateFormat.AwsTerraform ? Terraform(roles) : CloudFormation(roles);
    }

    private sealed class RolePlan
    {
        public AzRoleMapping Mapping = null!;
        public string RoleName = "";
        public string Logical = "";
        public string Snake = "";
        public string Audience = "";
        public bool V2;
        public string? ObjectId;
        public string Permissions = "";
    }

    private static List<RolePlan> Plan(IEnumerable<AzRoleMapping> mappings)
    {
        var list = new List<RolePlan>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in mappings.Where(m => m.Kind == MappingKind.AwsFederatedRole).OrderBy(m => m.MappingId, StringComparer.Ordinal))
        {
            var arn = Setting(m, "awsRoleArn") ?? ("azure-" + m.FunctionAppName);
            var roleName = arn.Substring(arn.LastIndexOf('/') + 1);
            if (!names.Add(roleName)) continue; // one role per name: the same design listed twice
            var audience = Setting(m, "tokenAudience") ?? AwsTrustDesign.TokenExchangeAudience;
            var issuer = Setting(m, "tokenIssuer");
            list.Add(new RolePlan
            {
                Mapping = m, RoleName = roleName, Logical = Pascal(roleName), Snake = Snake(roleName), Audience = audience,
                V2 = issuer is null ? AwsTrustDesign.IsTokenExchange(audience) : issuer.EndsWith("/v2.0", StringComparison.OrdinalIgnoreCase),
                ObjectId = m.ObjectId is { } o && Guid.IsMatch(o) ? o.ToLowerInvariant() : null,
                Permissions = Setting(m, "permissionsPolicy") ?? "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
            });
        }
        return list;
    }

    private static string? Setting(AzRoleMapping m, string key) => m.Settings.TryGetValue(key, out var v) && !string.IsNullOrEmpty(v) ? v : null;

    // ---------------- CloudFormation ----------------

    private static string CloudFormation(List<RolePlan> roles)
    {
        return Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("AWSTemplateFormatVersion", "2010-09-09");
            w.WriteString("Description", "LambdaIdentity: the AWS side of the OIDC trust for Azure Functions whose dependencies stay on AWS (IAM OIDC provider for the Entra tenant, one role per function admitting only its managed identity).");
            w.WriteStartObject("Parameters");
            w.WriteStartObject("EntraTenantId");
            w.WriteString("Type", "String");
            w.WriteString("Description", "The Microsoft Entra tenant id (GUID) of the function apps' managed identities: the token issuer names it.");
            w.WriteString("AllowedPattern", "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
            w.WriteEndObject();
            foreach (var r in roles.Where(r => r.ObjectId is null))
            {
                w.WriteStartObject(r.Logical + "PrincipalId");
                w.WriteString("Type", "String");
                w.WriteString("Description", "The object (principal) id of " + (r.Mapping.PrincipalName ?? r.Mapping.FunctionAppName) + ", the managed identity of " + r.Mapping.FunctionAppName + ": the token's sub claim.");
                w.WriteString("AllowedPattern", "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
                w.WriteEndObject();
            }
            foreach (var token in roles.SelectMany(r => Token.Matches(r.Permissions).Cast<Match>()).Select(m => m.Groups[1].Value).Where(IsReference).Distinct(StringComparer.Ordinal).OrderBy(t => t, StringComparer.Ordinal))
            {
                w.WriteStartObject(ParameterName(token));
                w.WriteString("Type", "String");
                w.WriteString("Description", "The value of ${" + token + "} in the source template (a resource the function's grants named by reference).");
                w.WriteEndObject();
            }
            w.WriteEndObject();

            w.WriteStartObject("Resources");
            foreach (var v2 in new[] { true, false }.Where(v => roles.Any(r => r.V2 == v)))
            {
                w.WriteStartObject(ProviderLogical(v2));
                w.WriteString("Type", "AWS::IAM::OIDCProvider");
                w.WriteStartObject("Properties");
                w.WriteStartObject("Url"); w.WriteString("Fn::Sub", IssuerTemplate(v2, "${EntraTenantId}")); w.WriteEndObject();
                w.WriteStartArray("ClientIdList");
                foreach (var a in roles.Where(r => r.V2 == v2).Select(r => r.Audience).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal)) w.WriteStringValue(a);
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            }
            foreach (var r in roles)
            {
                w.WriteStartObject(r.Logical + "Role");
                w.WriteString("Type", "AWS::IAM::Role");
                w.WriteStartObject("Properties");
                w.WriteString("RoleName", r.RoleName);
                w.WriteString("Description", Truncate("Assumed by " + r.Mapping.FunctionAppName + " (Azure) with a token of its managed identity; replaces " + r.Mapping.FunctionName + "'s grants on dependencies that stay on AWS.", 1000));
                var trust = EscapeCfn(Trust(r)).Replace(ProviderMarker, "${" + ProviderLogical(r.V2) + "}").Replace(TenantMarker, "${EntraTenantId}")
                    .Replace(SubjectMarker, r.ObjectId ?? "${" + r.Logical + "PrincipalId}");
                w.WriteStartObject("AssumeRolePolicyDocument"); w.WriteString("Fn::Sub", trust); w.WriteEndObject();
                w.WriteStartArray("Policies");
                w.WriteStartObject();
                w.WriteString("PolicyName", "lambdaidentity-stay-on-aws");
                var policy = CfnPolicy(r.Permissions);
                // Fn::Sub only when something is substituted (cfn-lint W1020); else the document itself.
                if (Regex.IsMatch(policy, @"\$\{(?!!)")) { w.WriteStartObject("PolicyDocument"); w.WriteString("Fn::Sub", policy); w.WriteEndObject(); }
                else
                {
                    using var literal = JsonDocument.Parse(r.Permissions);
                    w.WritePropertyName("PolicyDocument");
                    literal.RootElement.WriteTo(w);
                }
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteStartArray("Tags");
                Tag(w, "lambdaidentity:mapping-id", r.Mapping.MappingId);
                Tag(w, "lambdaidentity:function-app", r.Mapping.FunctionAppName);
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndObject();

            w.WriteStartObject("Outputs");
            foreach (var r in roles)
            {
                w.WriteStartObject(r.Logical + "RoleArn");
                w.WriteString("Description", "The role " + r.Mapping.FunctionAppName + " assumes (AWS_ROLE_ARN).");
                w.WriteStartObject("Value"); w.WriteStartArray("Fn::GetAtt"); w.WriteStringValue(r.Logical + "Role"); w.WriteStringValue("Arn"); w.WriteEndArray(); w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static void Tag(Utf8JsonWriter w, string key, string value)
    {
        // IAM tag values: letters, digits, spaces and _ . : / = + - @ (at most 256).
        var clean = new string(value.Select(c => char.IsLetterOrDigit(c) || " _.:/=+-@".IndexOf(c) >= 0 ? c : '_').ToArray());
        w.WriteStartObject(); w.WriteString("Key", key); w.WriteString("Value", Truncate(clean, 256)); w.WriteEndObject();
    }

    private static string ProviderLogical(bool v2) => v2 ? "EntraOidcProvider" : "EntraOidcProviderV1";

    private static string IssuerTemplate(bool v2, string tenant) => v2 ? "https://login.microsoftonline.com/" + tenant + "/v2.0" : "https://sts.windows.net/" + tenant + "/";

    private static string Trust(RolePlan r)
        => AwsTrustDesign.TrustPolicy(ProviderMarker, IssuerTemplate(r.V2, TenantMarker), r.Audience, SubjectMarker);

    // Fn::Sub: ${AWS::...} stay pseudo parameters, ${Ref:X}/${GetAtt:X.Y} become parameters, anything else (IAM policy
    // variables such as ${aws:username}) is written literally as ${!...}.
    private static string CfnPolicy(string policy)
        => Token.Replace(policy, m =>
        {
            var t = m.Groups[1].Value;
            if (t.StartsWith("AWS::", StringComparison.Ordinal)) return m.Value;
            if (IsReference(t)) return "${" + ParameterName(t) + "}";
            return "${!" + t + "}";
        });

    private static string EscapeCfn(string text) => text.Replace("${", "${!");

    private static bool IsReference(string token) => token.StartsWith("Ref:", StringComparison.Ordinal) || token.StartsWith("GetAtt:", StringComparison.Ordinal);

    private static string ParameterName(string token) => Pascal(token.Replace("GetAtt:", "GetAtt ").Replace("Ref:", "Ref "));

    // ---------------- Terraform JSON ----------------

    private static readonly Dictionary<string, string> TerraformPseudo = new(StringComparer.Ordinal)
    {
        ["AWS::AccountId"] = "${data.aws_caller_identity.current.account_id}",
        ["AWS::Partition"] = "${data.aws_partition.current.partition}",
        ["AWS::Region"] = "${data.aws_region.current.id}",
        ["AWS::URLSuffix"] = "${data.aws_partition.current.dns_suffix}",
    };

    private static string Terraform(List<RolePlan> roles)
    {
        var tokens = roles.SelectMany(r => Token.Matches(r.Permissions).Cast<Match>()).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).OrderBy(t => t, StringComparer.Ordinal).ToList();
        return Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("//", "LambdaIdentity: the AWS side of the OIDC trust for Azure Functions whose dependencies stay on AWS (IAM OIDC provider for the Entra tenant, one role per function admitting only its managed identity).");
            w.WriteStartObject("terraform");
            w.WriteStartObject("required_providers");
            w.WriteStartObject("aws"); w.WriteString("source", "hashicorp/aws"); w.WriteString("version", ">= 5.0"); w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartObject("variable");
            Variable(w, "entra_tenant_id", "The Microsoft Entra tenant id (GUID) of the function apps' managed identities: the token issuer names it.");
            foreach (var r in roles.Where(r => r.ObjectId is null))
                Variable(w, "principal_id_" + r.Snake, "The object (principal) id of " + (r.Mapping.PrincipalName ?? r.Mapping.FunctionAppName) + ", the managed identity of " + r.Mapping.FunctionAppName + ": the token's sub claim.");
            foreach (var t in tokens.Where(IsReference))
                Variable(w, Snake(ParameterName(t)), "The value of ${" + t + "} in the source template (a resource the function's grants named by reference).");
            w.WriteEndObject();

            w.WriteStartObject("data");
            foreach (var d in new[] { "aws_caller_identity", "aws_partition", "aws_region" })
            {
                w.WriteStartObject(d); w.WriteStartObject("current"); w.WriteEndObject(); w.WriteEndObject();
            }
            w.WriteEndObject();

            w.WriteStartObject("resource");
            w.WriteStartObject("aws_iam_openid_connect_provider");
            foreach (var v2 in new[] { true, false }.Where(v => roles.Any(r => r.V2 == v)))
            {
                w.WriteStartObject(v2 ? "entra" : "entra_v1");
                w.WriteString("url", IssuerTemplate(v2, "${var.entra_tenant_id}"));
                w.WriteStartArray("client_id_list");
                foreach (var a in roles.Where(r => r.V2 == v2).Select(r => r.Audience).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal)) w.WriteStringValue(EscapeTf(a));
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartObject("aws_iam_role");
            foreach (var r in roles)
            {
                w.WriteStartObject(r.Snake);
                w.WriteString("name", r.RoleName);
                w.WriteString("description", EscapeTf(Truncate("Assumed by " + r.Mapping.FunctionAppName + " (Azure) with a token of its managed identity; replaces " + r.Mapping.FunctionName + "'s grants on dependencies that stay on AWS.", 1000)));
                w.WriteString("assume_role_policy", EscapeTf(Trust(r)).Replace(ProviderMarker, "${aws_iam_openid_connect_provider." + (r.V2 ? "entra" : "entra_v1") + ".arn}")
                    .Replace(TenantMarker, "${var.entra_tenant_id}").Replace(SubjectMarker, r.ObjectId ?? "${var.principal_id_" + r.Snake + "}"));
                w.WriteStartObject("tags");
                w.WriteString("lambdaidentity:mapping-id", EscapeTf(r.Mapping.MappingId));
                w.WriteString("lambdaidentity:function-app", EscapeTf(r.Mapping.FunctionAppName));
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartObject("aws_iam_role_policy");
            foreach (var r in roles)
            {
                w.WriteStartObject(r.Snake);
                w.WriteString("name", "lambdaidentity-stay-on-aws");
                w.WriteString("role", "${aws_iam_role." + r.Snake + ".id}");
                w.WriteString("policy", TfPolicy(r.Permissions));
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartObject("output");
            foreach (var r in roles)
            {
                w.WriteStartObject(r.Snake + "_role_arn");
                w.WriteString("description", EscapeTf("The role " + r.Mapping.FunctionAppName + " assumes (AWS_ROLE_ARN)."));
                w.WriteString("value", "${aws_iam_role." + r.Snake + ".arn}");
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static void Variable(Utf8JsonWriter w, string name, string description)
    {
        w.WriteStartObject(name);
        w.WriteString("type", "string");
        w.WriteString("description", EscapeTf(description));
        w.WriteEndObject();
    }

    // Terraform string templates: ${ and %{ open interpolations and directives; $${ and %%{ are literal.
    private static string EscapeTf(string text) => text.Replace("${", "$${").Replace("%{", "%%{");

    private static string TfPolicy(string policy)
    {
        var sb = new StringBuilder();
        var at = 0;
        foreach (Match m in Token.Matches(policy))
        {
            sb.Append(EscapeTf(policy.Substring(at, m.Index - at)));
            var t = m.Groups[1].Value;
            sb.Append(TerraformPseudo.TryGetValue(t, out var pseudo) ? pseudo : IsReference(t) ? "${var." + Snake(ParameterName(t)) + "}" : "$${" + t + "}");
            at = m.Index + m.Length;
        }
        sb.Append(EscapeTf(policy.Substring(at)));
        return sb.ToString();
    }

    // ---------------- names ----------------

    private static string Pascal(string name)
    {
        var sb = new StringBuilder();
        var up = true;
        foreach (var c in name)
        {
            if (c < 128 && char.IsLetterOrDigit(c)) { sb.Append(up ? char.ToUpperInvariant(c) : c); up = false; }
            else up = true;
        }
        var s = sb.ToString();
        return s.Length == 0 || char.IsDigit(s[0]) ? "R" + s : s;
    }

    private static string Snake(string name)
    {
        var sb = new StringBuilder();
        foreach (var c in name)
        {
            if (c < 128 && char.IsLetterOrDigit(c))
            {
                if (char.IsUpper(c) && sb.Length > 0 && sb[sb.Length - 1] != '_') sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else if (sb.Length > 0 && sb[sb.Length - 1] != '_') sb.Append('_');
        }
        var s = sb.ToString().Trim('_');
        return s.Length == 0 || char.IsDigit(s[0]) ? "r_" + s : s;
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s.Substring(0, max);

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })) write(w);
        return Encoding.UTF8.GetString(ms.ToArray()).Replace("\r\n", "\n") + "\n";
    }
}

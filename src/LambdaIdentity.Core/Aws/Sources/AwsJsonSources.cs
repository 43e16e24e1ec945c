using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources;

/// <summary>
/// Reads JSON the AWS CLI and AWS Tools for PowerShell write (authorization details, Lambda exports,
/// API Gateway authorizers) and Terraform JSON (terraform show -json of a plan or state).
/// </summary>
internal static partial class AwsJsonSources
{
    /// <summary>Reads one JSON value; returns false when its shape is unknown.</summary>
    public static bool Read(JsonElement root, string file, string path, InventoryOptions options, EngineContext context, List<FunctionDraft> drafts, AccountAuthorization account)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            bool any = false; int i = 0;
            foreach (var e in root.EnumerateArray()) any |= Read(e, file, $"{path}[{i++}]", options, context, drafts, account);
            return any || root.GetArrayLength() == 0;
        }
        if (root.ValueKind != JsonValueKind.Object) return false;
        if (Has(root, "RoleDetailList") || Has(root, "UserDetailList") || Has(root, "GroupDetailList") || (Has(root, "Policies") && root.GetProperty("Policies").ValueKind == JsonValueKind.Array))
        {
            // One reader of authorization details, the streaming one (a file that starts as authorization details never
            // reaches here: it is read without a DOM).
            AuthorizationDetailsReader.Read(System.Text.Encoding.UTF8.GetBytes(root.GetRawText()), file, path, context)?.MergeInto(account);
            return true;
        }
        if (Has(root, "format_version") && (Has(root, "values") || Has(root, "planned_values") || Has(root, "resource_changes")))
        {
            ReadTerraform(root, file, context, drafts, account);
            return true;
        }
        if (root.TryGetProperty("Functions", out var functions) && functions.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var f in functions.EnumerateArray()) drafts.Add(ReadFunctionConfiguration(f, file, $"{path}.Functions[{i++}]", context));
            return true;
        }
        if (root.TryGetProperty("Configuration", out var conf) && conf.ValueKind == JsonValueKind.Object && Has(conf, "FunctionName"))
        {
            drafts.Add(ReadFunctionConfiguration(conf, file, path + ".Configuration", context));
            return true;
        }
        if (Has(root, "FunctionName") && (Has(root, "Role") || Has(root, "Runtime") || Has(root, "Handler") || Has(root, "PackageType")))
        {
            drafts.Add(ReadFunctionConfiguration(root, file, path, context));
            return true;
        }
        if (root.TryGetProperty("Policy", out var policy) && (policy.ValueKind == JsonValueKind.String || (policy.ValueKind == JsonValueKind.Object && Has(policy, "Statement"))))
        {
            // get-policy returns the document as a JSON string; some saved outputs hold it decoded.
            ReadResourcePolicy(policy.ValueKind == JsonValueKind.String ? policy.GetString() ?? "" : policy.GetRawText(), file, path + ".Policy", context, drafts);
            return true;
        }
        if (root.TryGetProperty("FunctionUrlConfigs", out var urls) && urls.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var u in urls.EnumerateArray()) ReadUrlConfig(u, file, $"{path}.FunctionUrlConfigs[{i++}]", drafts);
            return true;
        }
        if (Has(root, "FunctionUrl") && Has(root, "AuthType"))
        {
            ReadUrlConfig(root, file, path, drafts);
            return true;
        }
        if (root.TryGetProperty("EventSourceMappings", out var esms) && esms.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var m in esms.EnumerateArray()) ReadEventSourceMapping(m, file, $"{path}.EventSourceMappings[{i++}]", drafts);
            return true;
        }
        if (Has(root, "UUID") && Has(root, "EventSourceArn") && Has(root, "FunctionArn"))
        {
            ReadEventSourceMapping(root, file, path, drafts);
            return true;
        }
        if ((root.TryGetProperty("items", out var items) || root.TryGetProperty("Items", out items)) && items.ValueKind == JsonValueKind.Array
            && items.EnumerateArray().All(a => Has(a, "type") || Has(a, "AuthorizerType") || Has(a, "Type")))
        {
            ReadAuthorizers(items, file, path, context, drafts);
            return true;
        }
        if ((Has(root, "type") && Has(root, "name") && (Has(root, "authorizerUri") || Has(root, "providerARNs"))) || (Has(root, "AuthorizerType") && Has(root, "Name")))
        {
            using var doc = JsonDocument.Parse("[" + root.GetRawText() + "]");
            ReadAuthorizers(doc.RootElement, file, path, context, drafts);
            return true;
        }
        // IAM Identity Center (aws sso-admin) exports: people's access through permission sets.
        if (account.IdentityCenter.TryRead(root, file, path, context)) return true;
        // Cognito user pools (aws cognito-idp): the end users' directory.
        if (account.Cognito.TryRead(root, file, path)) return true;
        return false;
    }

    /// <summary>True for a string such as "Amazon.Lambda.Model.EnvironmentResponse": what ConvertTo-Json writes for objects deeper than -Depth.</summary>
    internal static bool IsTypeNameString(JsonElement v) => v.ValueKind == JsonValueKind.String && IsTypeName(v.GetString());

    /// <summary>True for a type name such as "Amazon.Lambda.Model.EnvironmentResponse" (see <see cref="IsTypeNameString"/>).</summary>
    internal static bool IsTypeName(string? t) =>
        t is not null && (t.StartsWith("Amazon.", StringComparison.Ordinal) || t.StartsWith("System.", StringComparison.Ordinal)) && t.IndexOf(' ') < 0 && t.Split('.').Length >= 3;

    internal static bool Has(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out _);

    /// <summary>A string property; AWS Tools for PowerShell writes enum-like values as {"Value": "..."}.</summary>
    internal static string? Str(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Object when v.TryGetProperty("Value", out var inner) && inner.ValueKind == JsonValueKind.String => inner.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
            _ => null,
        };
    }

    private static SourceLocation Loc(string file, string path) => new() { File = file, Path = path };

    internal static string NameFromArn(string arn)
    {
        // arn:aws:lambda:region:account:function:name[:qualifier]
        var parts = arn.Split(':');
        return parts.Length >= 7 && parts[5] == "function" ? parts[6] : arn;
    }

    private static string UnqualifiedArn(string arn)
    {
        var parts = arn.Split(':');
        return parts.Length > 7 && parts[5] == "function" ? string.Join(":", parts.Take(7)) : arn;
    }

    // ---------- Lambda exports ----------

    private static FunctionDraft ReadFunctionConfiguration(JsonElement f, string file, string path, EngineContext context)
    {
        var name = Str(f, "FunctionName") ?? "";
        var arn = Str(f, "FunctionArn") ?? "";
        var loc = Loc(file, path);
        var d = new FunctionDraft
        {
            FunctionName = name.StartsWith("arn:", StringComparison.Ordinal) ? NameFromArn(name) : name,
            FunctionArn = UnqualifiedArn(arn), RoleArn = Str(f, "Role") ?? "", Runtime = Str(f, "Runtime") ?? (Str(f, "PackageType") == "Image" ? "Image" : null),
            KmsKeyArn = Str(f, "KMSKeyArn"), Source = loc,
        };
        if (d.RoleArn.Length > 0)
        {
            d.ExecutionRole = new ExecutionRole { RoleArn = d.RoleArn, RoleName = d.RoleArn.Substring(d.RoleArn.LastIndexOf('/') + 1), Source = loc };
            d.IncompleteReasons.Add($"The execution role {d.RoleArn} is not in the inputs; add authorization details (aws iam get-account-authorization-details) to read its policies.");
        }
        foreach (var nested in new[] { "Environment", "VpcConfig", "TracingConfig", "DeadLetterConfig", "Layers" })
            if (f.TryGetProperty(nested, out var nv) && IsTypeNameString(nv))
                d.IncompleteReasons.Add($"{nested} was written as the type name '{nv.GetString()}': the export was cut by ConvertTo-Json's default -Depth 2; export again with -Depth 10.");
        if (f.TryGetProperty("Environment", out var env) && env.ValueKind == JsonValueKind.Object && env.TryGetProperty("Variables", out var vars) && vars.ValueKind == JsonValueKind.Object)
            foreach (var v in vars.EnumerateObject())
            {
                d.EnvironmentVariableNames.Add(v.Name);
                // Inspected only to decide whether it looks like a secret; never kept.
                var finding = SecretDetector.Check(v.Name, v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() : null, Loc(file, $"{path}.Environment.Variables.{v.Name}"));
                if (finding != null) d.Findings.Add(finding);
            }
        if (f.TryGetProperty("VpcConfig", out var vpc) && vpc.ValueKind == JsonValueKind.Object && vpc.TryGetProperty("SubnetIds", out var subnets) && subnets.ValueKind == JsonValueKind.Array && subnets.GetArrayLength() > 0)
            d.VpcAttached = true;
        if (f.TryGetProperty("Layers", out var layers) && layers.ValueKind == JsonValueKind.Array)
            foreach (var l in layers.EnumerateArray()) if (Str(l, "Arn") is string la) d.Layers.Add(la);
        if (f.TryGetProperty("DeadLetterConfig", out var dlq) && Str(dlq, "TargetArn") is string target) d.Destinations.Add(target);
        if (f.TryGetProperty("TracingConfig", out var tracing)) d.TracingMode = Str(tracing, "Mode");
        if (string.IsNullOrEmpty(d.FunctionName))
            context.Error("LambdaExportFunctionNameMissing", EngineErrorCategory.InvalidData, file, "A function configuration has no FunctionName.", loc);
        return d;
    }

    private static void ReadResourcePolicy(string text, string file, string path, EngineContext context, List<FunctionDraft> drafts)
    {
        var loc = Loc(file, path);
        var doc = PolicyParser.ParseText(text, PolicyKind.Resource, "FunctionPolicy", loc, context, urlEncoded: text.TrimStart().StartsWith("%", StringComparison.Ordinal));
        if (doc is null) return;
        var arn = doc.Statement.SelectMany(s => s.Resource).FirstOrDefault(r => r.IndexOf(":function:", StringComparison.Ordinal) > 0);
        if (arn is null)
        {
            context.Error("LambdaPolicyFunctionUnknown", EngineErrorCategory.InvalidData, file, "The resource policy names no function ARN in its Resource elements, so it cannot be tied to a function.", loc);
            return;
        }
        var d = new FunctionDraft { FunctionName = NameFromArn(arn), FunctionArn = UnqualifiedArn(arn), Source = loc };
        d.ResourcePolicies.Add(doc);
        drafts.Add(d);
    }

    private static void ReadUrlConfig(JsonElement u, string file, string path, List<FunctionDraft> drafts)
    {
        var arn = Str(u, "FunctionArn") ?? "";
        var auth = Str(u, "AuthType") ?? "";
        var origins = new List<string>();
        if (u.TryGetProperty("Cors", out var cors) && cors.ValueKind == JsonValueKind.Object && cors.TryGetProperty("AllowOrigins", out var ao) && ao.ValueKind == JsonValueKind.Array)
            origins.AddRange(ao.EnumerateArray().Where(o => o.ValueKind == JsonValueKind.String).Select(o => o.GetString()!));
        var loc = Loc(file, path);
        var d = new FunctionDraft { FunctionName = NameFromArn(arn), FunctionArn = UnqualifiedArn(arn), Source = loc };
        d.FunctionUrl = new FunctionUrlConfig { AuthType = auth, AllowOrigins = origins, Source = loc };
        d.Callers.Add(new CallerAccess { Channel = "FunctionUrl", Route = Str(u, "FunctionUrl"), AuthType = auth == "NONE" ? CallerAuthType.None : auth == "AWS_IAM" ? CallerAuthType.AwsIam : CallerAuthType.Unknown, Source = loc });
        drafts.Add(d);
    }

    private static void ReadEventSourceMapping(JsonElement m, string file, string path, List<FunctionDraft> drafts)
    {
        var arn = Str(m, "FunctionArn") ?? "";
        var source = Str(m, "EventSourceArn");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in new[] { "BatchSize", "State", "StartingPosition", "MaximumBatchingWindowInSeconds" }) if (Str(m, key) is string v) settings[key] = v;
        if (m.TryGetProperty("FilterCriteria", out var fc) && fc.ValueKind == JsonValueKind.Object) settings["FilterCriteria"] = fc.GetRawText();
        var service = (source ?? "").Split(':');
        var type = service.Length > 2 ? service[2] switch { "sqs" => "SQS", "kinesis" => "Kinesis", "dynamodb" => "DynamoDB", "kafka" => "MSK", "mq" => "MQ", "docdb" => "DocumentDB", _ => service[2] } : "EventSourceMapping";
        var loc = Loc(file, path);
        var d = new FunctionDraft { FunctionName = NameFromArn(arn), FunctionArn = UnqualifiedArn(arn), Source = loc };
        d.EventSources.Add(new EventSource { Type = type, Name = Str(m, "UUID") ?? "", SourceArn = source, IsPoll = true, Properties = settings, Source = loc });
        drafts.Add(d);
    }

    private static void ReadAuthorizers(JsonElement items, string file, string path, EngineContext context, List<FunctionDraft> drafts)
    {
        int i = 0;
        foreach (var a in items.EnumerateArray())
        {
            var uri = Str(a, "authorizerUri") ?? Str(a, "AuthorizerUri");
            var name = Str(a, "name") ?? Str(a, "Name") ?? "";
            var fnAt = uri?.IndexOf(":function:", StringComparison.Ordinal) ?? -1;
            if (uri != null && fnAt > 0)
            {
                var tail = uri.Substring(fnAt + 10);
                var end = tail.IndexOf('/');
                var fname = end >= 0 ? tail.Substring(0, end) : tail;
                var loc = Loc(file, $"{path}[{i}]");
                var d = new FunctionDraft { FunctionName = fname.Split(':')[0], Source = loc };
                d.Findings.Add(new Finding
                {
                    FindingId = "LambdaAuthorizerFunction", Severity = FindingSeverity.Medium, Source = loc,
                    Message = $"This function is the API Gateway Lambda authorizer '{name}': custom authentication code.",
                    Recommendation = "Replace it with App Service authentication (Entra ID) or API Management validate-jwt where possible; otherwise keep the logic and record the deviation.",
                });
                drafts.Add(d);
            }
            i++;
        }
        context.Verbose($"{file}: {i} API Gateway authorizers read; routes are not in this export, so authorizers are tied to functions only through templates.");
    }
}

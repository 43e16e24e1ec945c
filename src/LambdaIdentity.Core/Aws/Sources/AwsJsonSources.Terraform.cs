using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources;

internal static partial class AwsJsonSources
{
    private sealed class TfResource
    {
        public string Address = "", Type = "", Path = "";
        public JsonElement Values;
    }

    /// <summary>terraform show -json of a state (values) or a plan (planned_values): functions, roles, policies, permissions, URLs, mappings.</summary>
    private static void ReadTerraform(JsonElement root, string file, EngineContext context, List<FunctionDraft> drafts, AccountAuthorization account)
    {
        var resources = new List<TfResource>();
        if (root.TryGetProperty("values", out var values)) CollectModule(values, "$.values", resources);
        else if (root.TryGetProperty("planned_values", out var planned)) CollectModule(planned, "$.planned_values", resources);
        string V(TfResource r, string name) => Str(r.Values, name) ?? "${terraform:" + r.Address + "." + name + "}";
        JsonElement First(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array && v.GetArrayLength() > 0 ? v[0] : default;

        // Roles and their policies go into the account picture, so functions pick them up like authorization details.
        var policiesByArn = resources.Where(r => r.Type == "aws_iam_policy" && Str(r.Values, "arn") != null)
            .ToDictionary(r => Str(r.Values, "arn")!, r => r, StringComparer.Ordinal);
        foreach (var r in resources.Where(r => r.Type == "aws_iam_policy"))
            if (r.Values.TryGetProperty("policy", out var pol) && pol.ValueKind == JsonValueKind.String)
            {
                var arn = V(r, "arn");
                var doc = Policy(pol, PolicyKind.Managed, V(r, "name"), Loc(file, r.Path + ".policy"), context, arn);
                if (doc != null) account.ManagedPolicies[arn] = doc;
            }
        foreach (var r in resources.Where(r => r.Type == "aws_iam_role"))
        {
            var p = new IamPrincipal { Arn = V(r, "arn"), Name = V(r, "name"), Type = "Role", Source = Loc(file, r.Path) };
            if (r.Values.TryGetProperty("assume_role_policy", out var trust) && trust.ValueKind == JsonValueKind.String)
                p.Trust = Policy(trust, PolicyKind.Trust, p.Name + "-trust", Loc(file, r.Path + ".assume_role_policy"), context);
            if (r.Values.TryGetProperty("inline_policy", out var inl) && inl.ValueKind == JsonValueKind.Array)
                foreach (var ip in inl.EnumerateArray())
                    if (ip.TryGetProperty("policy", out var ipol) && ipol.ValueKind == JsonValueKind.String && (ipol.GetString() ?? "").Length > 0)
                    { var d = Policy(ipol, PolicyKind.Inline, Str(ip, "name") ?? "inline", Loc(file, r.Path + ".inline_policy"), context); if (d != null) p.Policies.Add(d); }
            if (r.Values.TryGetProperty("managed_policy_arns", out var mpa) && mpa.ValueKind == JsonValueKind.Array)
                foreach (var m in mpa.EnumerateArray()) if (m.ValueKind == JsonValueKind.String) p.AttachedManagedArns.Add(m.GetString()!);
            if (Str(r.Values, "permissions_boundary") is string pb && pb.Length > 0) p.BoundaryArn = pb;
            account.Roles[p.Arn] = p;
        }
        IamPrincipal? RoleNamed(string name) => account.Roles.Values.FirstOrDefault(x => x.Name == name || x.Arn == name);
        foreach (var r in resources.Where(r => r.Type == "aws_iam_role_policy"))
            if (RoleNamed(V(r, "role")) is IamPrincipal role && r.Values.TryGetProperty("policy", out var pol) && pol.ValueKind == JsonValueKind.String)
            { var d = Policy(pol, PolicyKind.Inline, V(r, "name"), Loc(file, r.Path + ".policy"), context); if (d != null) role.Policies.Add(d); }
        foreach (var r in resources.Where(r => r.Type == "aws_iam_role_policy_attachment"))
            if (RoleNamed(V(r, "role")) is IamPrincipal role) role.AttachedManagedArns.Add(V(r, "policy_arn"));

        foreach (var r in resources.Where(r => r.Type == "aws_lambda_function"))
        {
            var loc = Loc(file, r.Path);
            var name = V(r, "function_name");
            var d = new FunctionDraft
            {
                FunctionName = name, FunctionArn = Str(r.Values, "arn") ?? "${terraform:" + r.Address + ".arn}", RoleArn = V(r, "role"),
                Runtime = Str(r.Values, "runtime"), KmsKeyArn = Str(r.Values, "kms_key_arn") is string k && k.Length > 0 ? k : null, Source = loc,
                TracingMode = Str(First(r.Values, "tracing_config"), "mode"),
            };
            d.ExecutionRole = new ExecutionRole { RoleArn = d.RoleArn, RoleName = d.RoleArn.Substring(d.RoleArn.LastIndexOf('/') + 1), Source = loc };
            d.IncompleteReasons.Add($"The execution role {d.RoleArn} is not in the inputs; add authorization details (aws iam get-account-authorization-details) to read its policies.");
            var env = First(r.Values, "environment");
            if (env.ValueKind == JsonValueKind.Object && env.TryGetProperty("variables", out var vars) && vars.ValueKind == JsonValueKind.Object)
                foreach (var v in vars.EnumerateObject())
                {
                    d.EnvironmentVariableNames.Add(v.Name);
                    var f = SecretDetector.Check(v.Name, v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() : null, Loc(file, r.Path + ".environment.variables." + v.Name));
                    if (f != null) d.Findings.Add(f);
                }
            var vpc = First(r.Values, "vpc_config");
            if (vpc.ValueKind == JsonValueKind.Object && vpc.TryGetProperty("subnet_ids", out var sn) && sn.ValueKind == JsonValueKind.Array && sn.GetArrayLength() > 0) d.VpcAttached = true;
            if (r.Values.TryGetProperty("layers", out var layers) && layers.ValueKind == JsonValueKind.Array)
                d.Layers.AddRange(layers.EnumerateArray().Where(l => l.ValueKind == JsonValueKind.String).Select(l => l.GetString()!));
            if (Str(First(r.Values, "dead_letter_config"), "target_arn") is string dlq) d.Destinations.Add(dlq);
            drafts.Add(d);
        }
        string FnName(string nameOrArn) => nameOrArn.StartsWith("arn:", StringComparison.Ordinal) ? NameFromArn(nameOrArn) : nameOrArn;
        foreach (var r in resources.Where(r => r.Type == "aws_lambda_permission"))
        {
            var d = new FunctionDraft { FunctionName = FnName(V(r, "function_name")), Source = Loc(file, r.Path) };
            PolicyCondition? extra = Str(r.Values, "function_url_auth_type") is string fua && fua.Length > 0 ? new PolicyCondition { Operator = "StringEquals", Key = "lambda:FunctionUrlAuthType", Values = new[] { fua } } : null;
            d.ResourceStatements.Add(Templates.TemplateReader.Permission(V(r, "principal"), Str(r.Values, "source_arn") is string sa && sa.Length > 0 ? sa : null,
                Str(r.Values, "source_account") is string sac && sac.Length > 0 ? sac : null, Str(r.Values, "statement_id") ?? r.Address, extra, Str(r.Values, "action") ?? "lambda:InvokeFunction"));
            drafts.Add(d);
        }
        foreach (var r in resources.Where(r => r.Type == "aws_lambda_function_url"))
        {
            var loc = Loc(file, r.Path);
            var auth = V(r, "authorization_type");
            var d = new FunctionDraft { FunctionName = FnName(V(r, "function_name")), Source = loc };
            var cors = First(r.Values, "cors");
            var origins = cors.ValueKind == JsonValueKind.Object && cors.TryGetProperty("allow_origins", out var ao) && ao.ValueKind == JsonValueKind.Array
                ? ao.EnumerateArray().Where(o => o.ValueKind == JsonValueKind.String).Select(o => o.GetString()!).ToList() : new List<string>();
            d.FunctionUrl = new FunctionUrlConfig { AuthType = auth, AllowOrigins = origins, Source = loc };
            d.Callers.Add(new CallerAccess { Channel = "FunctionUrl", Route = Str(r.Values, "function_url") ?? "${FunctionUrl}", AuthType = auth == "NONE" ? CallerAuthType.None : auth == "AWS_IAM" ? CallerAuthType.AwsIam : CallerAuthType.Unknown, Source = loc });
            drafts.Add(d);
        }
        foreach (var r in resources.Where(r => r.Type == "aws_lambda_event_source_mapping"))
        {
            var source = Str(r.Values, "event_source_arn");
            var svc = (source ?? "").Split(':');
            var d = new FunctionDraft { FunctionName = FnName(V(r, "function_name")), Source = Loc(file, r.Path) };
            d.EventSources.Add(new EventSource
            {
                Type = svc.Length > 2 ? svc[2] switch { "sqs" => "SQS", "kinesis" => "Kinesis", "dynamodb" => "DynamoDB", "kafka" => "MSK", "mq" => "MQ", _ => svc[2] } : "EventSourceMapping",
                Name = r.Address, SourceArn = source, IsPoll = true, Source = Loc(file, r.Path),
            });
            drafts.Add(d);
        }
        context.Verbose($"{file}: Terraform JSON with {resources.Count} resources.");
    }

    private static void CollectModule(JsonElement module, string path, List<TfResource> into)
    {
        if (module.ValueKind != JsonValueKind.Object) return;
        if (module.TryGetProperty("root_module", out var root)) { CollectModule(root, path + ".root_module", into); return; }
        int i = 0;
        foreach (var (r, _) in Items(module, "resources"))
        {
            if (Str(r, "mode") is string mode && mode != "managed") { i++; continue; }
            into.Add(new TfResource { Address = Str(r, "address") ?? "", Type = Str(r, "type") ?? "", Values = r.TryGetProperty("values", out var v) ? v.Clone() : default, Path = $"{path}.resources[{i}]" });
            i++;
        }
        int c = 0;
        foreach (var (child, _) in Items(module, "child_modules")) CollectModule(child, $"{path}.child_modules[{c++}]", into);
    }
}

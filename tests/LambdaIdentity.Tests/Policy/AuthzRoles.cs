using System.Text.Json;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;

namespace LambdaIdentity.Tests.Policy;

/// <summary>
/// A minimal reader of get-account-authorization-details roles for the policy tests and benchmark (the product's
/// reader lives in Aws/Sources). Customer managed policies resolve from the file's Policies[]; AWS managed policies
/// not in the file stay unresolved for the grant deriver to resolve from its catalog.
/// </summary>
public static class AuthzRoles
{
    public static List<ExecutionRole> Read(string file, IErrorSink? errors = null) => Read(JsonDocument.Parse(File.ReadAllBytes(file)), file, errors);

    public static List<ExecutionRole> Read(JsonDocument doc, string file, IErrorSink? errors = null)
    {
        errors ??= new ErrorCollector();
        var root = doc.RootElement;
        var managed = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (root.TryGetProperty("Policies", out var policies))
            foreach (var p in policies.EnumerateArray())
                foreach (var v in p.GetProperty("PolicyVersionList").EnumerateArray())
                    if (v.GetProperty("IsDefaultVersion").GetBoolean()) managed[p.GetProperty("Arn").GetString()!] = v.GetProperty("Document");
        var roles = new List<ExecutionRole>();
        if (!root.TryGetProperty("RoleDetailList", out var list)) return roles;
        var parsed = new Dictionary<(string, PolicyKind), PolicyDocument>(); // each managed policy is read once per file
        var ri = 0;
        foreach (var r in list.EnumerateArray())
        {
            var path = $"$.RoleDetailList[{ri++}]";
            var docs = new List<PolicyDocument>();
            if (r.TryGetProperty("RolePolicyList", out var inline))
            {
                var i = 0;
                foreach (var p in inline.EnumerateArray())
                {
                    var name = p.GetProperty("PolicyName").GetString()!;
                    var d = Parse(p.GetProperty("PolicyDocument"), PolicyKind.Inline, name, file, $"{path}.RolePolicyList[{i++}].PolicyDocument", errors, null);
                    if (d is not null) docs.Add(d);
                }
            }
            if (r.TryGetProperty("AttachedManagedPolicies", out var attached))
                foreach (var a in attached.EnumerateArray())
                {
                    var arn = a.GetProperty("PolicyArn").GetString()!;
                    if (!parsed.TryGetValue((arn, PolicyKind.Managed), out var m)) parsed[(arn, PolicyKind.Managed)] = m = Managed(arn, a.GetProperty("PolicyName").GetString()!, PolicyKind.Managed, managed, file, errors);
                    docs.Add(m);
                }
            PolicyDocument? boundary = null;
            if (r.TryGetProperty("PermissionsBoundary", out var pb) && pb.TryGetProperty("PermissionsBoundaryArn", out var pbArn))
            {
                var arn = pbArn.GetString()!;
                boundary = Managed(arn, arn.Substring(arn.LastIndexOf('/') + 1), PolicyKind.PermissionsBoundary, managed, file, errors);
            }
            roles.Add(new ExecutionRole
            {
                RoleArn = r.GetProperty("Arn").GetString()!, RoleName = r.GetProperty("RoleName").GetString()!,
                AssumeRolePolicy = r.TryGetProperty("AssumeRolePolicyDocument", out var trust) ? Parse(trust, PolicyKind.Trust, "trust", file, path + ".AssumeRolePolicyDocument", errors, null) : null,
                Policies = docs, PermissionsBoundary = boundary, Source = new SourceLocation { File = file, Path = path },
            });
        }
        return roles;
    }

    private static PolicyDocument Managed(string arn, string name, PolicyKind kind, Dictionary<string, JsonElement> managed, string file, IErrorSink errors)
        => managed.TryGetValue(arn, out var d) && Parse(d, kind, name, file, "$.Policies[" + arn + "]", errors, arn) is { } doc
            ? doc
            : new PolicyDocument { PolicyName = name, PolicyArn = arn, Kind = kind, IsUnresolved = true, Source = new SourceLocation { File = file } };

    // get-account-authorization-details through the raw API gives URL-encoded strings; the CLI gives objects.
    private static PolicyDocument? Parse(JsonElement e, PolicyKind kind, string name, string file, string path, IErrorSink errors, string? arn)
        => e.ValueKind == JsonValueKind.String
            ? PolicyParser.ParseText(e.GetString()!, kind, name, new SourceLocation { File = file, Path = path }, errors, urlEncoded: true, policyArn: arn)
            : PolicyParser.Parse(e, kind, name, new SourceLocation { File = file, Path = path }, errors, arn);
}

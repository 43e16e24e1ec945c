using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources;

internal static partial class AwsJsonSources
{
    /// <summary>
    /// A policy document as authorization details hold it: an object (AWS CLI decodes them) or a string,
    /// URL-encoded when it comes from the IAM API as AWS Tools for PowerShell leaves it.
    /// </summary>
    private static PolicyDocument? Policy(JsonElement e, PolicyKind kind, string name, SourceLocation loc, IErrorSink errors, string? arn = null)
    {
        if (e.ValueKind == JsonValueKind.String)
        {
            var text = e.GetString() ?? "";
            var encoded = text.TrimStart().StartsWith("%", StringComparison.Ordinal);
            var doc = PolicyParser.ParseText(text, kind, name, loc, errors, urlEncoded: encoded);
            return doc is null || arn is null ? doc : new PolicyDocument { PolicyName = doc.PolicyName, PolicyArn = arn, Kind = doc.Kind, Version = doc.Version, Id = doc.Id, Statement = doc.Statement, Source = doc.Source };
        }
        return PolicyParser.Parse(e, kind, name, loc, errors, arn);
    }

    private static IEnumerable<(JsonElement Item, int Index)> Items(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var list) || list.ValueKind != JsonValueKind.Array) yield break;
        int i = 0;
        foreach (var e in list.EnumerateArray()) yield return (e, i++);
    }

    private static void ReadAuthorizationDetails(JsonElement root, string file, string path, EngineContext context, AccountAuthorization account)
    {
        foreach (var list in new[] { "RoleDetailList", "UserDetailList", "GroupDetailList", "Policies" })
            foreach (var (item, i) in Items(root, list))
                if (IsTypeNameString(item) || (item.ValueKind == JsonValueKind.Object && item.EnumerateObject().Any(p => IsTypeNameString(p.Value))))
                {
                    context.Error("AuthorizationDetailsTruncated", EngineErrorCategory.InvalidData, file,
                        $"{list}[{i}] holds type names instead of data: the export was cut by ConvertTo-Json's default -Depth 2; export again with Get-IAMAccountAuthorizationDetail | ConvertTo-Json -Depth 10.",
                        new SourceLocation { File = file, Line = 1, Column = 1, Path = $"{path}.{list}[{i}]" });
                    return;
                }
        foreach (var (p, i) in Items(root, "Policies"))
        {
            var arn = Str(p, "Arn") ?? "";
            var name = Str(p, "PolicyName") ?? arn;
            var defaultVersion = Str(p, "DefaultVersionId");
            foreach (var (v, j) in Items(p, "PolicyVersionList"))
            {
                var isDefault = v.TryGetProperty("IsDefaultVersion", out var d) && d.ValueKind == JsonValueKind.True || (defaultVersion != null && Str(v, "VersionId") == defaultVersion);
                if (!isDefault || !v.TryGetProperty("Document", out var docEl)) continue;
                var doc = Policy(docEl, PolicyKind.Managed, name, Loc(file, $"{path}.Policies[{i}].PolicyVersionList[{j}].Document"), context, arn);
                if (doc != null) account.ManagedPolicies[arn] = doc;
            }
        }
        foreach (var (g, i) in Items(root, "GroupDetailList"))
        {
            var p = Principal(g, "Group", "GroupName", "GroupPolicyList", file, $"{path}.GroupDetailList[{i}]", context);
            account.Groups[p.Arn] = p;
        }
        foreach (var (u, i) in Items(root, "UserDetailList"))
        {
            var p = Principal(u, "User", "UserName", "UserPolicyList", file, $"{path}.UserDetailList[{i}]", context);
            foreach (var (gn, _) in Items(u, "GroupList")) if (gn.ValueKind == JsonValueKind.String) p.Groups.Add(gn.GetString()!);
            account.Users[p.Arn] = p;
        }
        foreach (var (r, i) in Items(root, "RoleDetailList"))
        {
            var rpath = $"{path}.RoleDetailList[{i}]";
            var p = Principal(r, "Role", "RoleName", "RolePolicyList", file, rpath, context);
            foreach (var (tag, _) in Items(r, "Tags"))
                if (Str(tag, "Key") == "aws:cloudformation:logical-id") p.LogicalIdTag = Str(tag, "Value");
            if (r.TryGetProperty("AssumeRolePolicyDocument", out var trust) && trust.ValueKind != JsonValueKind.Null)
                p.Trust = Policy(trust, PolicyKind.Trust, p.Name + "-trust", Loc(file, rpath + ".AssumeRolePolicyDocument"), context);
            account.Roles[p.Arn] = p;
        }
    }

    private static IamPrincipal Principal(JsonElement e, string type, string nameProp, string inlineProp, string file, string path, EngineContext context)
    {
        var p = new IamPrincipal { Arn = Str(e, "Arn") ?? "", Name = Str(e, nameProp) ?? "", Type = type, Source = Loc(file, path) };
        foreach (var (ip, j) in Items(e, inlineProp))
        {
            if (!ip.TryGetProperty("PolicyDocument", out var docEl)) continue;
            var doc = Policy(docEl, PolicyKind.Inline, Str(ip, "PolicyName") ?? $"inline{j}", Loc(file, $"{path}.{inlineProp}[{j}].PolicyDocument"), context);
            if (doc != null) p.Policies.Add(doc);
        }
        foreach (var (mp, _) in Items(e, "AttachedManagedPolicies")) if (Str(mp, "PolicyArn") is string arn) p.AttachedManagedArns.Add(arn);
        if (e.TryGetProperty("PermissionsBoundary", out var pb) && Str(pb, "PermissionsBoundaryArn") is string pbArn) p.BoundaryArn = pbArn;
        return p;
    }
}

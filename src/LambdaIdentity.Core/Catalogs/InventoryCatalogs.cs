using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources.Templates;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Catalogs;

/// <summary>Reads embedded catalog files (Catalogs/Data) once.</summary>
internal static class EmbeddedCatalog
{
    public static JsonDocument Load(string fileName)
    {
        var name = "LambdaIdentity.Core.Catalogs." + fileName;
        using var stream = typeof(EmbeddedCatalog).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException("Embedded catalog " + name + " is missing from the build.");
        return JsonDocument.Parse(stream);
    }
}

/// <summary>SAM policy templates (sam-policy-templates.json, copied from aws/serverless-application-model).</summary>
internal static class SamPolicyTemplates
{
    private static readonly Lazy<Dictionary<string, (TNode Definition, HashSet<string> Parameters)>> All = new(() =>
    {
        using var doc = EmbeddedCatalog.Load("sam-policy-templates.json");
        var result = new Dictionary<string, (TNode, HashSet<string>)>(StringComparer.Ordinal);
        foreach (var t in doc.RootElement.GetProperty("Templates").EnumerateObject())
        {
            var ps = new HashSet<string>(StringComparer.Ordinal);
            if (t.Value.TryGetProperty("Parameters", out var p)) foreach (var x in p.EnumerateObject()) ps.Add(x.Name);
            result[t.Name] = (TemplateLoader.FromJson(t.Value.GetProperty("Definition")), ps);
        }
        return result;
    });

    /// <summary>The names SAM knows.</summary>
    public static IReadOnlyCollection<string> Names => All.Value.Keys;

    /// <summary>The template's policy document with its parameters replaced by the given values (still holding intrinsics), or null when unknown.</summary>
    public static TNode? Expand(string name, TMap values)
    {
        if (!All.Value.TryGetValue(name, out var t)) return null;
        return Replace(t.Definition, t.Parameters, values);
    }

    private static TNode Replace(TNode node, HashSet<string> parameters, TMap values)
    {
        switch (node)
        {
            case TMap m:
                if (m.Intrinsic == "Ref" && m["Ref"] is TScalar r && parameters.Contains(r.Value))
                    return values[r.Value] ?? new TScalar("${PolicyTemplateParameter:" + r.Value + "}");
                var copy = new TMap { Line = node.Line, Column = node.Column };
                foreach (var e in m.Entries) copy.Set(e.Key, Replace(e.Value, parameters, values));
                return copy;
            case TList l:
                var lc = new TList { Line = l.Line, Column = l.Column };
                foreach (var i in l.Items) lc.Items.Add(Replace(i, parameters, values));
                return lc;
            default: return node;
        }
    }
}

/// <summary>AWS managed policies SAM attaches, with statements when the catalog holds them (aws-managed-policies-lambda.json).</summary>
internal static class ManagedPolicyCatalog
{
    private static readonly Lazy<List<(string Name, string Path, string? DocumentJson)>> All = new(() =>
    {
        using var doc = EmbeddedCatalog.Load("aws-managed-policies-lambda.json");
        return doc.RootElement.GetProperty("Policies").EnumerateArray().Select(p => (
            p.GetProperty("Name").GetString()!, p.GetProperty("Path").GetString()!,
            p.GetProperty("Document").ValueKind == JsonValueKind.Object ? p.GetProperty("Document").GetRawText() : null)).ToList();
    });

    /// <summary>The path (e.g. service-role/) of a known AWS managed policy name, or null.</summary>
    public static string? PathOf(string name) => All.Value.Where(p => p.Name == name).Select(p => p.Path).FirstOrDefault();

    /// <summary>
    /// The managed policy with its statements when the ARN is an AWS managed policy that the policy stage's
    /// AwsManagedPolicyCatalog (versions seen in real exports) or this Lambda catalog holds, else null.
    /// </summary>
    public static PolicyDocument? Find(string arn, SourceLocation loc, IErrorSink errors)
    {
        if (AwsManagedPolicyCatalog.IsAwsManaged(arn) && AwsManagedPolicyCatalog.Default.Resolve(arn) is PolicyDocument known)
            return new PolicyDocument { PolicyName = known.PolicyName, PolicyArn = arn, Kind = PolicyKind.Managed, Version = known.Version, Id = known.Id, Statement = known.Statement, Source = loc };
        var marker = ":iam::aws:policy/";
        var i = arn.IndexOf(marker, StringComparison.Ordinal);
        if (i < 0) return null;
        var tail = arn.Substring(i + marker.Length);
        foreach (var p in All.Value)
        {
            if (p.DocumentJson is null || tail != p.Path + p.Name) continue;
            var parsed = PolicyParser.ParseText(p.DocumentJson, PolicyKind.Managed, p.Name, loc, errors);
            if (parsed is null) return null;
            return new PolicyDocument { PolicyName = parsed.PolicyName, PolicyArn = arn, Kind = PolicyKind.Managed, Version = parsed.Version, Id = parsed.Id, Statement = parsed.Statement, Source = loc };
        }
        return null;
    }
}

/// <summary>Managed policy names SAM accepts in Policies, turned into ARNs.</summary>
internal static class SamManagedPolicies
{
    /// <summary>The ARN of an AWS managed policy given by name (SAM's managed policy map; service-role/ where AWS puts it).</summary>
    public static string ArnOf(string name, string partition)
    {
        if (partition.Contains("${")) partition = "aws"; // SAM resolves the partition from the deploy region; aws unless told otherwise.
        return $"arn:{partition}:iam::aws:policy/{ManagedPolicyCatalog.PathOf(name) ?? ""}{name}";
    }
}

/// <summary>AWS::Serverless::Connector profiles (sam-connector-profiles.json).</summary>
internal static class SamConnectorProfiles
{
    private static readonly Lazy<JsonDocument> Doc = new(() => EmbeddedCatalog.Load("sam-connector-profiles.json"));

    /// <summary>The actions a connector grants to a destination type for the given permissions (Read, Write).</summary>
    public static IReadOnlyList<string> Actions(string destinationType, IEnumerable<string> permissions) => Actions("Destinations", destinationType, permissions);

    /// <summary>The actions a connector from a polled source (queue, table stream) grants the destination function's role.</summary>
    public static IReadOnlyList<string> SourceActions(string sourceType, IEnumerable<string> permissions) => Actions("SourcesToFunction", sourceType, permissions);

    /// <summary>The ARN the function's role is granted on for a polled source.</summary>
    public static string? SourceArnOf(string sourceType, string logicalId) =>
        Doc.Value.RootElement.GetProperty("SourcesToFunction").TryGetProperty(sourceType, out var d) ? d.GetProperty("Arn")[0].GetString()!.Replace("{id}", logicalId) : null;

    private static IReadOnlyList<string> Actions(string section, string type, IEnumerable<string> permissions)
    {
        var result = new List<string>();
        if (!Doc.Value.RootElement.GetProperty(section).TryGetProperty(type, out var d)) return result;
        foreach (var p in permissions)
            if (d.TryGetProperty(p, out var actions)) result.AddRange(actions.EnumerateArray().Select(a => a.GetString()!));
        return result;
    }

    /// <summary>The resource patterns of a destination (or the given ARN when not in the template).</summary>
    public static IReadOnlyList<string> Resources(string destinationType, string arn)
    {
        if (!string.IsNullOrEmpty(arn)) return destinationType == "AWS::S3::Bucket" && !arn.EndsWith("/*", StringComparison.Ordinal) ? new[] { arn, arn + "/*" } : new[] { arn };
        return new[] { "*" };
    }

    /// <summary>The ARN form of a template resource of this type.</summary>
    public static string ArnOf(string type, string logicalId, string partition)
    {
        if (Doc.Value.RootElement.GetProperty("Destinations").TryGetProperty(type, out var d))
            return d.GetProperty("Arn")[0].GetString()!.Replace("{id}", logicalId).Replace("{partition}", partition);
        return "${GetAtt:" + logicalId + ".Arn}";
    }

    /// <summary>The service principal a source type invokes a function as, or null for pollers.</summary>
    public static string? InvokePrincipal(string sourceType) =>
        Doc.Value.RootElement.GetProperty("InvokePrincipals").TryGetProperty(sourceType, out var p) ? p.GetString() : null;
}

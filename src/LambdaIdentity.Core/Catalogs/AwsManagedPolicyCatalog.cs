using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text.Json;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Catalogs;

/// <summary>
/// AWS managed policies (arn:aws:iam::aws:policy/...) by ARN, from the embedded catalog of the default versions found
/// in real authorization-details exports (Catalogs/Data/aws-managed-policies.json.gz, see Catalogs/README.md).
/// </summary>
public sealed class AwsManagedPolicyCatalog
{
    private static readonly Lazy<AwsManagedPolicyCatalog> _default = new(() => Load(IamCatalogResource.Open("aws-managed-policies.json.gz")));
    private readonly Dictionary<string, (string Name, string VersionId, string Json)> _byArn = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PolicyDocument> _parsed = new(StringComparer.Ordinal);

    private AwsManagedPolicyCatalog() { }

    /// <summary>The embedded catalog.</summary>
    public static AwsManagedPolicyCatalog Default => _default.Value;

    /// <summary>The ARNs the catalog holds (aws partition spelling).</summary>
    public IEnumerable<string> Arns => _byArn.Keys;

    /// <summary>True when the ARN names an AWS managed policy (any partition).</summary>
    public static bool IsAwsManaged(string? arn)
        => arn is not null && arn.StartsWith("arn:", StringComparison.Ordinal) && arn.IndexOf(":iam::aws:policy/", StringComparison.Ordinal) > 0;

    /// <summary>The default version id recorded for a policy, or null.</summary>
    public string? VersionOf(string arn) => _byArn.TryGetValue(Normalize(arn), out var e) ? e.VersionId : null;

    /// <summary>
    /// Resolves an AWS managed policy ARN to its document (kind Managed); null when the catalog does not hold it:
    /// the caller must then report it as unresolved, never treat it as empty.
    /// </summary>
    public PolicyDocument? Resolve(string arn)
    {
        var key = Normalize(arn);
        if (!_byArn.TryGetValue(key, out var e)) return null;
        var doc = _parsed.GetOrAdd(key, _ =>
            PolicyParser.ParseText(e.Json, PolicyKind.Managed, e.Name, new SourceLocation { File = "embedded:aws-managed-policies.json.gz", Path = key }, new ErrorCollector(), policyArn: key)
            ?? throw new InvalidDataException("Embedded managed policy does not parse: " + key));
        return arn == key ? doc : new PolicyDocument { PolicyName = doc.PolicyName, PolicyArn = arn, Kind = doc.Kind, Version = doc.Version, Id = doc.Id, Statement = doc.Statement, Source = doc.Source };
    }

    private static string Normalize(string arn)
    {
        // arn:aws-cn:iam::aws:policy/X and arn:aws-us-gov:... carry the same documents as arn:aws:iam::aws:policy/X.
        var i = arn.IndexOf(":iam::aws:policy/", StringComparison.Ordinal);
        return i > 0 ? "arn:aws" + arn.Substring(i) : arn;
    }

    /// <summary>Reads a catalog in the embedded schema (gzip JSON; see Catalogs/README.md).</summary>
    public static AwsManagedPolicyCatalog Load(Stream gzipJson)
    {
        using var gz = new GZipStream(gzipJson, CompressionMode.Decompress);
        using var doc = JsonDocument.Parse(gz);
        var c = new AwsManagedPolicyCatalog();
        foreach (var p in doc.RootElement.GetProperty("policies").EnumerateArray())
            c._byArn[p.GetProperty("arn").GetString()!] = (p.GetProperty("name").GetString()!, p.GetProperty("versionId").GetString() ?? "", p.GetProperty("document").GetRawText());
        return c;
    }
}

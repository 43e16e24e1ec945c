using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Translation;

/// <summary>One line of a resource map: an AWS ARN (or pattern) and the Azure resource that replaces it.</summary>
public sealed class ResourceMapEntry
{
    /// <summary>The AWS ARN, or a pattern with '*' and '?'. Special keys: host-storage (AzureWebJobsStorage), application-insights, function-app:&lt;function name&gt; (a site or resource group ID), principal:&lt;IAM ARN&gt; (an Entra object ID), cosmos-lease:&lt;ARN&gt; (the Cosmos DB trigger's lease container).</summary>
    public string Aws { get; init; } = "";
    /// <summary>The Azure resource ID, or for a principal: key the Entra object ID (empty in a skeleton: to fill).</summary>
    public string Azure { get; init; } = "";
    /// <summary>True when the dependency stays on AWS: the mapping designs a federated AWS role instead of an Azure assignment.</summary>
    public bool StayOnAws { get; init; }
    /// <summary>Hint for people filling a skeleton: the Azure resource type expected.</summary>
    public string? AzureResourceType { get; init; }
    /// <summary>Hint: the functions that use the resource.</summary>
    public IReadOnlyList<string> UsedBy { get; init; } = Array.Empty<string>();
}

/// <summary>A resource map is unusable; every problem is listed.</summary>
public sealed class ResourceMapException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ResourceMapException(string file, IReadOnlyList<EngineError> errors, Exception? inner = null)
        : base("The resource map " + file + " is invalid: " + string.Join("; ", errors.Select(e => e.Message)), inner) { Errors = errors; }
    /// <summary>One error per problem (ErrorId ResourceMapInvalid).</summary>
    public IReadOnlyList<EngineError> Errors { get; }
}

/// <summary>
/// AWS ARNs (or patterns) to Azure resource IDs, read from JSON ({"resources":[{"aws":..,"azure":..,"stayOnAws":..}]},
/// a bare array of those, or a flat object {"arn":"resource id"}) or CSV (header AwsArn,AzureResourceId[,StayOnAws]).
/// An exact ARN wins over patterns; among patterns the longest literal text wins.
/// </summary>
public sealed class ResourceMap
{
    /// <summary>The key of the host storage account (AzureWebJobsStorage).</summary>
    public const string HostStorageKey = "host-storage";

    /// <summary>The key of the Log Analytics workspace the apps' diagnostic settings send to (the audit trail).</summary>
    public const string LogAnalyticsKey = "log-analytics";

    /// <summary>Prefix of the keys that place a function's app: function-app:&lt;Lambda function name or pattern&gt;.</summary>
    public const string FunctionAppPrefix = "function-app:";

    /// <summary>
    /// Prefix of the keys that name the Cosmos DB trigger's lease container for a watched table or stream:
    /// cosmos-lease:&lt;ARN&gt; to a container ID (…/sqlDatabases/&lt;db&gt;/containers/&lt;lease container&gt;). Without it the
    /// lease container is the rule's default ("leases") in the watched container's database.
    /// </summary>
    public const string CosmosLeasePrefix = "cosmos-lease:";

    /// <summary>Prefix of the keys that name the Entra object taking over an AWS principal's access: principal:&lt;IAM ARN&gt; to an object ID.</summary>
    public const string PrincipalPrefix = "principal:";

    /// <summary>The Entra object ID (user, group or service principal) for an AWS principal ARN, or null when the map names none.</summary>
    public string? ResolvePrincipal(string principalArn)
    {
        var e = Resolve(PrincipalPrefix + principalArn);
        return e is { StayOnAws: false, Azure.Length: > 0 } ? e.Azure : null;
    }

    /// <summary>
    /// The function app of a Lambda function: an entry function-app:&lt;name&gt; (or a pattern such as function-app:*)
    /// whose Azure ID is a site (…/providers/Microsoft.Web/sites/&lt;app&gt;) names the app; one whose Azure ID is a
    /// resource group places the conventionally named app in that group. Null when unmapped.
    /// </summary>
    public (string AppName, string Scope)? ResolveFunctionApp(string functionName, string conventionalAppName)
    {
        var e = Resolve(FunctionAppPrefix + functionName);
        if (e is null || e.StayOnAws || e.Azure.Length == 0) return null;
        var id = e.Azure.TrimEnd('/');
        var sites = id.IndexOf("/providers/Microsoft.Web/sites/", StringComparison.OrdinalIgnoreCase);
        if (sites >= 0)
        {
            var name = id.Substring(sites + "/providers/Microsoft.Web/sites/".Length);
            return name.Length > 0 && name.IndexOf('/') < 0 ? (name, id) : null;
        }
        return IsResourceGroupId(id) ? (conventionalAppName, id + "/providers/Microsoft.Web/sites/" + conventionalAppName) : null;
    }

    private static bool IsResourceGroupId(string id)
    {
        var parts = id.Split('/');
        return parts.Length == 5 && parts[0].Length == 0 && string.Equals(parts[1], "subscriptions", StringComparison.OrdinalIgnoreCase)
               && string.Equals(parts[3], "resourceGroups", StringComparison.OrdinalIgnoreCase) && parts[4].Length > 0;
    }

    /// <summary>Creates a map from entries.</summary>
    public ResourceMap(IEnumerable<ResourceMapEntry> entries) { Entries = entries.ToList(); }

    /// <summary>An empty map: every scope is a placeholder.</summary>
    public static ResourceMap Empty { get; } = new(Array.Empty<ResourceMapEntry>());

    /// <summary>The entries in file order.</summary>
    public IReadOnlyList<ResourceMapEntry> Entries { get; }

    /// <summary>The entry for an ARN, or null when unmapped (entries with an empty Azure ID and not staying on AWS are unmapped).</summary>
    public ResourceMapEntry? Resolve(string arn)
    {
        var (exact, patterns) = _index ??= Index(Entries);
        if (exact.TryGetValue(arn, out var e)) return e;
        foreach (var p in patterns) if (AwsPattern.Matches(p.Aws, arn, ignoreCase: false)) return p;
        return null;
    }

    // Built once (the entries never change): usable entries by exact ARN (the first in file order wins), and the
    // usable patterns, longest literal text first (file order among equals).
    private (Dictionary<string, ResourceMapEntry> Exact, ResourceMapEntry[] Patterns)? _index;

    private static (Dictionary<string, ResourceMapEntry>, ResourceMapEntry[]) Index(IReadOnlyList<ResourceMapEntry> entries)
    {
        var usable = entries.Where(e => e.StayOnAws || e.Azure.Length > 0).ToList();
        var exact = new Dictionary<string, ResourceMapEntry>(StringComparer.Ordinal);
        foreach (var e in usable) if (!exact.ContainsKey(e.Aws)) exact[e.Aws] = e;
        var patterns = usable.Where(e => e.Aws.IndexOf('*') >= 0 || e.Aws.IndexOf('?') >= 0)
            .OrderByDescending(e => e.Aws.Count(c => c != '*' && c != '?')).ToArray();
        return (exact, patterns);
    }

    /// <summary>Reads a map from a file (.csv by extension, JSON otherwise).</summary>
    public static ResourceMap Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ResourceMapException(path, new[] { Err(path, 0, "cannot read the resource map: " + ex.Message, ex is FileNotFoundException or DirectoryNotFoundException ? EngineErrorCategory.ObjectNotFound : EngineErrorCategory.PermissionDenied) }, ex);
        }
        return path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ParseCsv(text, path) : ParseJson(text, path);
    }

    /// <summary>Parses the JSON forms.</summary>
    public static ResourceMap ParseJson(string json, string file)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException ex) { throw new ResourceMapException(file, new[] { Err(file, (int)(ex.LineNumber ?? -1) + 1, "malformed JSON: " + ex.Message.Split('\n')[0]) }, ex); }
        var errors = new List<EngineError>();
        var entries = new List<ResourceMapEntry>();
        using (doc)
        {
            var root = doc.RootElement;
            JsonElement array = default;
            if (root.ValueKind == JsonValueKind.Array) array = root;
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("resources", out var r) && r.ValueKind == JsonValueKind.Array) array = r;
            if (array.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var e in array.EnumerateArray())
                {
                    var at = "resources[" + i++ + "]";
                    if (e.ValueKind != JsonValueKind.Object) { errors.Add(Err(file, 0, at + " is not an object")); continue; }
                    string? Str(string name) => e.EnumerateObject().Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Select(p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null).FirstOrDefault();
                    bool Bool(string name) => e.EnumerateObject().Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.True);
                    var aws = Str("aws") ?? Str("awsArn");
                    if (string.IsNullOrWhiteSpace(aws)) { errors.Add(Err(file, 0, at + ".aws is required (the AWS ARN or pattern)")); continue; }
                    entries.Add(new ResourceMapEntry { Aws = aws!, Azure = Str("azure") ?? Str("azureResourceId") ?? "", StayOnAws = Bool("stayOnAws"), AzureResourceType = Str("azureResourceType") });
                }
            }
            else if (root.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in root.EnumerateObject())
                {
                    if (p.Value.ValueKind != JsonValueKind.String) { errors.Add(Err(file, 0, "'" + p.Name + "' must map to an Azure resource ID string")); continue; }
                    entries.Add(new ResourceMapEntry { Aws = p.Name, Azure = p.Value.GetString() ?? "" });
                }
            }
            else errors.Add(Err(file, 0, "expected an object or an array of {aws, azure, stayOnAws}"));
        }
        Check(entries, file, errors);
        return new ResourceMap(entries);
    }

    /// <summary>Parses CSV with a header AwsArn,AzureResourceId[,StayOnAws].</summary>
    public static ResourceMap ParseCsv(string csv, string file)
    {
        var errors = new List<EngineError>();
        var entries = new List<ResourceMapEntry>();
        var lines = csv.Replace("\r\n", "\n").Split('\n');
        if (lines.Length == 0 || !lines[0].TrimStart('\uFEFF').StartsWith("AwsArn", StringComparison.OrdinalIgnoreCase))
            throw new ResourceMapException(file, new[] { Err(file, 1, "the first line must be the header AwsArn,AzureResourceId[,StayOnAws]") });
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith("#", StringComparison.Ordinal)) continue;
            var cells = line.Split(',').Select(c => c.Trim().Trim('"')).ToArray();
            if (cells.Length < 2) { errors.Add(Err(file, i + 1, "expected AwsArn,AzureResourceId")); continue; }
            var stay = cells.Length > 2 && cells[2].Length > 0;
            if (stay && !bool.TryParse(cells[2], out var b)) { errors.Add(Err(file, i + 1, "StayOnAws must be true or false, not '" + cells[2] + "'")); continue; }
            entries.Add(new ResourceMapEntry { Aws = cells[0], Azure = cells[1], StayOnAws = stay && bool.Parse(cells[2]) });
        }
        Check(entries, file, errors);
        return new ResourceMap(entries);
    }

    private static void Check(List<ResourceMapEntry> entries, string file, List<EngineError> errors)
    {
        foreach (var e in entries)
        {
            if (e.Aws.StartsWith(PrincipalPrefix, StringComparison.Ordinal))
            {
                if (e.Azure.Length > 0 && !Guid.TryParse(e.Azure, out _))
                    errors.Add(Err(file, 0, "'" + e.Azure + "' (for " + e.Aws + ") is not an Entra object ID (a GUID)"));
            }
            else if (e.Azure.Length > 0 && !e.Azure.StartsWith("/", StringComparison.Ordinal))
                errors.Add(Err(file, 0, "'" + e.Azure + "' (for " + e.Aws + ") is not an Azure resource ID (it must start with /subscriptions/ or /)"));
            else if (e.Azure.Length > 0 && e.Aws.StartsWith(FunctionAppPrefix, StringComparison.Ordinal)
                     && e.Azure.IndexOf("/providers/Microsoft.Web/sites/", StringComparison.OrdinalIgnoreCase) < 0 && !IsResourceGroupId(e.Azure.TrimEnd('/')))
                errors.Add(Err(file, 0, "'" + e.Azure + "' (for " + e.Aws + ") must be a function app (…/providers/Microsoft.Web/sites/<app>) or a resource group (/subscriptions/<id>/resourceGroups/<name>)"));
            if (e.StayOnAws && e.Aws.StartsWith(FunctionAppPrefix, StringComparison.Ordinal))
                errors.Add(Err(file, 0, "'" + e.Aws + "' cannot stay on AWS: it places the function's app on Azure"));
        }
        foreach (var d in entries.GroupBy(e => e.Aws, StringComparer.Ordinal).Where(g => g.Count() > 1))
            errors.Add(Err(file, 0, "'" + d.Key + "' appears " + d.Count() + " times"));
        if (errors.Count > 0) throw new ResourceMapException(file, errors);
    }

    /// <summary>Writes the map as JSON (the skeleton format).</summary>
    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("description", "AWS resources to Azure resource IDs. Fill 'azure' with the resource ID that replaces each ARN, or set stayOnAws to true for a dependency that stays on AWS.");
            w.WriteStartArray("resources");
            foreach (var e in Entries)
            {
                w.WriteStartObject();
                w.WriteString("aws", e.Aws);
                w.WriteString("azure", e.Azure);
                w.WriteBoolean("stayOnAws", e.StayOnAws);
                if (e.AzureResourceType is not null) w.WriteString("azureResourceType", e.AzureResourceType);
                if (e.UsedBy.Count > 0) { w.WriteStartArray("usedBy"); foreach (var u in e.UsedBy) w.WriteStringValue(u); w.WriteEndArray(); }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static EngineError Err(string file, int line, string message, EngineErrorCategory category = EngineErrorCategory.InvalidData)
        => new() { ErrorId = "ResourceMapInvalid", Category = category, Target = file, Location = new SourceLocation { File = file, Line = line }, Message = message };
}

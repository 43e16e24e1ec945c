using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Azure;

/// <summary>
/// Reads the Azure side offline: az CLI JSON exports (role assignment list, role definition list,
/// functionapp show/list, functionapp identity show, identity list, webapp auth show, functionapp function
/// list, cosmosdb sql role assignment list, functionapp config appsettings list: names only), ARM REST
/// bodies (also wrapped in "value" lists or REST example files) and ARM templates. Each file's shape is
/// detected from its content. A file that cannot be read becomes an error record and marks the area it
/// held as unreadable, so parity on it is Unverifiable.
/// </summary>
public sealed class AzureStateReader
{
    /// <summary>The subscription ARM templates deploy to, to resolve subscription() and resourceId(); unknown otherwise.</summary>
    public string? TemplateSubscriptionId { get; set; }
    /// <summary>The resource group ARM templates deploy to, to resolve resourceGroup() and resourceId(); unknown otherwise.</summary>
    public string? TemplateResourceGroupName { get; set; }

    /// <summary>Files (full paths) to trust when two exports of the same object disagree; without one, such objects are judged on neither.</summary>
    public ISet<string> PreferredFiles { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Parses /subscriptions/ID/resourceGroups/NAME (the scope ARM templates deploy to).</summary>
    public static bool TryParseTemplateScope(string scope, out string subscriptionId, out string resourceGroupName)
    {
        var parts = scope.Trim('/').Split('/');
        var ok = parts.Length == 4 && parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) && parts[2].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase)
                 && parts[1].Length > 0 && parts[3].Length > 0;
        subscriptionId = ok ? parts[1] : ""; resourceGroupName = ok ? parts[3] : "";
        return ok;
    }

    /// <summary>
    /// Reads files and folders (recursively, *.json) into one snapshot. Each file is read on its own and merged by
    /// <see cref="AzureStateMerger"/>: two exports of one object that disagree are an error naming both, judged on neither.
    /// </summary>
    public async Task<AzureState> ReadAsync(IEnumerable<string> paths, EngineContext context)
    {
        var state = new AzureState();
        var merger = new AzureStateMerger(state, context, PreferredFiles);
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var found = Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToList();
                if (found.Count == 0)
                {
                    // An empty folder is no evidence: every area is unread, and the user is told.
                    context.Error("AzureStateEmpty", EngineErrorCategory.ObjectNotFound, path, "The Azure state folder holds no *.json export: " + path, new SourceLocation { File = path });
                    foreach (AzureStateArea x in Enum.GetValues(typeof(AzureStateArea))) state.MarkUnreadable(x, null, path, "the folder holds no export");
                }
                files.AddRange(found);
            }
            else if (File.Exists(path)) files.Add(path);
            else
            {
                context.Error("AzureStateNotFound", EngineErrorCategory.ObjectNotFound, path, "The Azure state path does not exist: " + path, new SourceLocation { File = path });
                MarkGuessedArea(state, path, "not found");
            }
        }
        var done = 0;
        foreach (var file in files)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            context.Progress("Reading Azure state", file, done++, files.Count);
            var part = new AzureState();
            await ReadFileAsync(file, part, context).ConfigureAwait(false);
            merger.Merge(part, file);
        }
        context.Progress("Reading Azure state", "done", files.Count, files.Count);
        return state;
    }

    /// <summary>Reads one file into the state.</summary>
    public async Task ReadFileAsync(string file, AzureState state, EngineContext context)
    {
        var siteHint = SiteHintFromFileName(file);
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            var first = FirstNonWhitespace(stream);
            stream.Position = 0;
            if (first == '[')
            {
                // Stream top-level arrays (role assignment lists can be large) element by element.
                var index = 0; var unknown = 0; var appSettings = new List<string>();
                await foreach (var el in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(stream, cancellationToken: context.CancellationToken).ConfigureAwait(false))
                {
                    var src = new SourceLocation { File = file, Path = "$[" + index + "]" };
                    if (AzureResourceParser.IsAppSettingEntry(el)) appSettings.Add(el.Str("name")!);
                    else if (!ApplyAny(el, state, src, siteHint, file, context)) unknown++;
                    index++;
                }
                if (appSettings.Count > 0)
                {
                    if (siteHint is null) Report(context, state, file, "AzureExportShapeUnknown", "An app settings list names no function app; name the file <app>.appsettings.json.", AzureStateArea.AppSettings);
                    else AddNames(appSettings, state, siteHint!, file, context);
                }
                if (index == 0) MarkEmptyList(state, file, siteHint, context);
                if (unknown > 0 && unknown == index) Report(context, state, file, "AzureExportShapeUnknown", "No element of this array is a recognised Azure export shape.", null);
                else if (unknown > 0) context.Warning(file + ": " + unknown + " of " + index + " elements were not recognised and were skipped.");
            }
            else if (first == '{')
            {
                using var doc = await JsonDocument.ParseAsync(stream, default, context.CancellationToken).ConfigureAwait(false);
                var src = new SourceLocation { File = file, Path = "$" };
                if (!ApplyAny(doc.RootElement, state, src, siteHint, file, context))
                    Report(context, state, file, "AzureExportShapeUnknown", "The file is not a recognised Azure export (az CLI output, ARM REST body or ARM template).", GuessArea(file));
            }
            else Report(context, state, file, "AzureExportMalformed", "The file is not JSON.", GuessArea(file) ?? (AzureStateArea?)null, allIfUnknown: true);
        }
        catch (JsonException ex)
        {
            var loc = new SourceLocation { File = file, Line = (int)(ex.LineNumber ?? -1) + 1, Column = (int)(ex.BytePositionInLine ?? -1) + 1 };
            Report(context, state, file, "AzureExportMalformed", "Malformed JSON: " + ex.Message, GuessArea(file), allIfUnknown: true, loc, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var cat = ex is UnauthorizedAccessException ? EngineErrorCategory.PermissionDenied : EngineErrorCategory.ConnectionError;
            context.Error("AzureExportUnreadable", cat, file, "The file could not be read: " + ex.Message, new SourceLocation { File = file }, ex);
            MarkGuessedArea(state, file, ex.Message);
        }
    }

    private static void AddNames(List<string> names, AzureState state, string site, string file, EngineContext context)
    {
        AzureResourceParser.AddAppSettingNames(names, state, site);
        state.Site(site).AppSettingsSource ??= new SourceLocation { File = file };
        context.Verbose(file + ": " + names.Count + " app setting names for " + site + " (values not read).");
    }

    private static void MarkEmptyList(AzureState state, string file, string? siteHint, EngineContext context)
    {
        // An empty list is a valid answer ("no role assignments") for the area the file name names; for one app's
        // diagnostic settings (<app>.diagnostic-settings.json) it says the app sends no logs anywhere.
        var area = GuessArea(file);
        if (area is AzureStateArea a) state.AreasRead.Add(a);
        if (area == AzureStateArea.DiagnosticSettings && siteHint is not null)
            state.Site(siteHint).DiagnosticLogCategories ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // <owner>.federated-credentials.json holding [] says the owner has none.
        if (area == AzureStateArea.FederatedCredentials && siteHint is not null) state.FederatedCredentialOwnersRead.Add(siteHint.ToLowerInvariant());
        context.Verbose(file + ": empty list" + (area is null ? "" : " (" + area + ")"));
    }

    private bool ApplyAny(JsonElement el, AzureState state, SourceLocation src, string? siteHint, string file, EngineContext context)
    {
        if (el.ValueKind != JsonValueKind.Object) return false;
        // REST example files: { parameters, responses: { "200": { body } } }.
        var responses = el.Get("responses");
        if (responses.ValueKind == JsonValueKind.Object && el.Get("parameters").ValueKind == JsonValueKind.Object)
        {
            var body = responses.Path("200", "body");
            if (body.ValueKind == JsonValueKind.Undefined) body = responses.Path("201", "body");
            var hint = el.Get("parameters").Str("name") ?? siteHint;
            return ApplyAny(body, state, new SourceLocation { File = src.File, Path = "$.responses.200.body" }, hint, file, context);
        }
        if (ArmTemplateReader.IsTemplate(el))
        {
            new ArmTemplateReader { SubscriptionId = TemplateSubscriptionId, ResourceGroupName = TemplateResourceGroupName }.Read(el, state, file, context);
            return true;
        }
        var value = el.Get("value");
        // A Microsoft Graph list names its owner in @odata.context: ...#applications('<id>')/federatedIdentityCredentials.
        if (el.Str("@odata.context") is string odata && Json.GraphOwner(odata) is string graphOwner) siteHint = graphOwner;
        if (value.ValueKind == JsonValueKind.Array)
        {
            var i = 0; var any = value.GetArrayLength() == 0; var names = new List<string>();
            foreach (var item in value.EnumerateArray())
            {
                if (AzureResourceParser.IsAppSettingEntry(item)) { names.Add(item.Str("name")!); any = true; }
                else any |= AzureResourceParser.Apply(item, state, new SourceLocation { File = src.File, Path = src.Path + ".value[" + i + "]" }, siteHint);
                i++;
            }
            if (names.Count > 0 && siteHint is not null) AddNames(names, state, siteHint, file, context);
            if (value.GetArrayLength() == 0) MarkEmptyList(state, file, siteHint, context);
            if (el.Str("nextLink") is string next && next.Length > 0)
                context.Warning(file + ": the export has a nextLink; only its first page is in the file, later pages are not read.");
            return any;
        }
        return AzureResourceParser.Apply(el, state, src, siteHint);
    }

    private static void Report(EngineContext context, AzureState state, string file, string errorId, string message, AzureStateArea? area,
        bool allIfUnknown = false, SourceLocation? location = null, Exception? ex = null)
    {
        context.Error(errorId, EngineErrorCategory.InvalidData, file, file + ": " + message, location ?? new SourceLocation { File = file }, ex);
        if (area is AzureStateArea a) state.MarkUnreadable(a, PerSiteArea(a) ? SiteHintFromFileName(file) : null, file, message);
        else if (allIfUnknown) foreach (AzureStateArea x in Enum.GetValues(typeof(AzureStateArea))) state.MarkUnreadable(x, null, file, message);
    }

    private static void MarkGuessedArea(AzureState state, string file, string reason)
    {
        var area = GuessArea(file);
        if (area is AzureStateArea a) state.MarkUnreadable(a, PerSiteArea(a) ? SiteHintFromFileName(file) : null, file, reason);
        else foreach (AzureStateArea x in Enum.GetValues(typeof(AzureStateArea))) state.MarkUnreadable(x, null, file, reason);
    }

    private static bool PerSiteArea(AzureStateArea a) => a is AzureStateArea.AuthSettings or AzureStateArea.Functions or AzureStateArea.AppSettings;

    /// <summary>Which area a file held, from its name, for files whose content could not be read.</summary>
    internal static AzureStateArea? GuessArea(string file)
    {
        var n = Path.GetFileName(file).ToLowerInvariant().Replace("_", "-");
        if (n.Contains("template") || n.Contains("export")) return null;
        if (n.Contains("diagnostic")) return AzureStateArea.DiagnosticSettings;
        if (n.Contains("eligib")) return AzureStateArea.RoleEligibilitySchedules;
        if (n.Contains("federated")) return AzureStateArea.FederatedCredentials;
        if (n.Contains("sql-role") || n.Contains("cosmos")) return AzureStateArea.CosmosSqlRoleAssignments;
        if (n.Contains("role-def") || n.Contains("roledef")) return AzureStateArea.RoleDefinitions;
        if (n.Contains("role-assign") || n.Contains("roleassign")) return AzureStateArea.RoleAssignments;
        if (n.Contains("auth")) return AzureStateArea.AuthSettings;
        if (n.Contains("appsettings") || n.Contains("app-settings")) return AzureStateArea.AppSettings;
        if (n.Contains("identity-list") || n.Contains("identities")) return AzureStateArea.UserAssignedIdentities;
        if (n.Contains("function-list") || n.Contains("functions")) return AzureStateArea.Functions;
        if (n.Contains("identity") || n.Contains("site") || n.Contains("functionapp") || n.Contains("webapp")) return AzureStateArea.Sites;
        return null;
    }

    /// <summary>
    /// The function app a file concerns when its JSON does not say (az functionapp identity show,
    /// appsettings list): "&lt;app&gt;.&lt;anything&gt;.json", else the parent folder's name.
    /// </summary>
    internal static string? SiteHintFromFileName(string file)
    {
        var stem = Path.GetFileNameWithoutExtension(file);
        var dot = stem.IndexOf('.');
        if (dot > 0) return stem.Substring(0, dot);
        var parent = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(file)) ?? "");
        return string.IsNullOrEmpty(parent) ? null : parent;
    }

    private static int FirstNonWhitespace(Stream s)
    {
        int b;
        var bom = 0;
        while ((b = s.ReadByte()) >= 0)
        {
            if (bom < 3 && (b == 0xEF || b == 0xBB || b == 0xBF)) { bom++; continue; }
            if (b is ' ' or '\t' or '\r' or '\n') continue;
            return b;
        }
        return -1;
    }
}

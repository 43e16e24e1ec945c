using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using LambdaIdentity.Core.Aws.Sources.Templates;
using LambdaIdentity.Model;
using YamlDotNet.Core;

namespace LambdaIdentity.Core.Aws.Sources;

/// <summary>
/// The inventory stage: reads every source a migration team holds (SAM/CloudFormation templates,
/// authorization details, AWS CLI and AWS Tools for PowerShell exports, Terraform JSON), detected from
/// content, and returns one <see cref="LambdaFunctionIdentity"/> per function. What cannot be read is
/// reported through the context as an error naming file, line and column, and the run goes on.
/// </summary>
public sealed class InventoryReader
{
    /// <summary>Activity name used for progress.</summary>
    public const string ProgressActivity = "Reading Lambda inventory";

    /// <summary>Lists a folder's entries (tests replace it to make a folder unreadable; root reads every folder).</summary>
    internal Func<string, IEnumerable<string>>? ListFolder { get; set; }

    /// <summary>
    /// Reads the files and folders (recursively) and returns the function records, merged across sources
    /// and sorted by name then ARN then source so two runs diff cleanly. Files are read one at a time.
    /// </summary>
    public IEnumerable<LambdaFunctionIdentity> Read(IEnumerable<string> paths, InventoryOptions options, EngineContext context)
    {
        if (paths is null) throw new ArgumentNullException(nameof(paths));
        options ??= new InventoryOptions();
        context ??= EngineContext.None;
        var files = InputFiles.Expand(paths, context, ListFolder);
        var drafts = new List<FunctionDraft>();
        var account = new AccountAuthorization();
        for (int i = 0; i < files.Count; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            context.Progress(ProgressActivity, files[i], i, files.Count);
            ReadFile(files[i], options, context, drafts, account);
        }
        context.Progress(ProgressActivity, "Merging " + drafts.Count + " function records", files.Count, files.Count);
        var records = Complete(drafts, account, options, context);
        // What the authorization details say about the account as a whole: nothing to migrate, risky trust, unused roles.
        AccountFindings = AccountFindingRules.For(account, records);
        foreach (var f in AccountFindings) context.Warning(f.FindingId + ": " + f.Message);
        return records;
    }

    /// <summary>
    /// Findings of the last <see cref="Read"/> about the account rather than one function (authorization details with no
    /// function, roles anyone may assume, execution roles no function uses); each was also written as a warning.
    /// </summary>
    public IReadOnlyList<Finding> AccountFindings { get; private set; } = Array.Empty<Finding>();

    /// <summary>
    /// The stages after reading: merges drafts of the same function, joins authorization details, applies findings and
    /// derived facts, freezes and sorts. The file reader and the live reader (Aws/Live) share it.
    /// </summary>
    internal static List<LambdaFunctionIdentity> Complete(List<FunctionDraft> drafts, AccountAuthorization account, InventoryOptions options, EngineContext context)
    {
        var merged = Merge(drafts, context);
        if (!account.IdentityCenter.IsEmpty) account.IdentityCenter.ApplyTo(account, context);
        if (!account.Cognito.IsEmpty) account.Cognito.ApplyTo(merged, context);
        if (!account.IsEmpty)
        {
            context.Verbose($"Authorization details: {account.Roles.Count} roles, {account.Users.Count} users, {account.Groups.Count} groups, {account.ManagedPolicies.Count} managed policies.");
            account.ReportUnresolved(context);
            for (int i = 0; i < merged.Count; i++)
            {
                if (i % 250 == 0) context.Progress(ProgressActivity, "Joining authorization details", i, merged.Count);
                account.Enrich(merged[i], context);
            }
            context.Progress(ProgressActivity, "Joining authorization details", merged.Count, merged.Count);
        }
        else if (merged.Count > 0) context.Verbose("No authorization details were read: deployers and people with access are not listed.");
        return Sort(merged.Select(d => { FindingRules.Apply(d, options); DerivedFacts.Apply(d); return d.ToRecord(); }));
    }

    /// <summary>The inventory's order: name, ARN, source file, logical id, so two runs diff cleanly.</summary>
    internal static List<LambdaFunctionIdentity> Sort(IEnumerable<LambdaFunctionIdentity> records) => records
        .OrderBy(r => r.FunctionName, StringComparer.Ordinal)
        .ThenBy(r => r.FunctionArn, StringComparer.Ordinal)
        .ThenBy(r => r.Source?.File, StringComparer.Ordinal)
        .ThenBy(r => r.LogicalId, StringComparer.Ordinal)
        .ToList();

    /// <summary>
    /// Reads one JSON document that did not come from a file (the live reader's API responses), named like a file,
    /// through exactly the parsers a file of the same content goes through.
    /// </summary>
    internal static void ReadDocument(string name, byte[] utf8Json, InventoryOptions options, EngineContext context, List<FunctionDraft> drafts, AccountAuthorization account)
    {
        try { ReadJson(name, utf8Json, 0, options, context, drafts, account); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            context.Error("InventorySourceUnreadable", EngineErrorCategory.InvalidData, name, $"'{name}' could not be read in full: {ex.Message}", new SourceLocation { File = name, Line = 1, Column = 1 }, ex);
        }
    }

    /// <summary>Reads one file's records only (tests and the benchmark).</summary>
    internal static List<FunctionDraft> ReadOne(string file, InventoryOptions options, EngineContext context, AccountAuthorization? account = null)
    {
        var drafts = new List<FunctionDraft>();
        ReadFile(file, options, context, drafts, account ?? new AccountAuthorization());
        return drafts;
    }

    private static void ReadFile(string file, InventoryOptions options, EngineContext context, List<FunctionDraft> drafts, AccountAuthorization account)
    {
        var first = new SourceLocation { File = file, Line = 1, Column = 1 };
        byte[] bytes;
        try
        {
            var length = new FileInfo(file).Length;
            if (length > options.MaxFileBytes)
            {
                context.Error("InventoryFileTooLarge", EngineErrorCategory.LimitsExceeded, file,
                    $"'{file}' holds {length} bytes, more than the limit of {options.MaxFileBytes}; split it or raise the limit.", first);
                return;
            }
            bytes = ReadAll(file, length, context);
        }
        catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
        {
            context.Error("InventoryFileUnreadable", ex is UnauthorizedAccessException ? EngineErrorCategory.PermissionDenied : EngineErrorCategory.ConnectionError, file, $"'{file}' could not be read: {ex.Message}", first, ex);
            return;
        }
        var problems = new List<TextDecoding.Problem>();
        bytes = TextDecoding.ToUtf8(bytes, problems, out var encoding);
        if (encoding.StartsWith("UTF-16", StringComparison.Ordinal)) context.Verbose($"{file}: {encoding} (byte order mark), read as text.");
        const int start = 0;
        int firstChar = start;
        while (firstChar < bytes.Length && (bytes[firstChar] == ' ' || bytes[firstChar] == '\t' || bytes[firstChar] == '\r' || bytes[firstChar] == '\n')) firstChar++;
        if (firstChar >= bytes.Length)
        {
            context.Error("InventorySourceEmpty", EngineErrorCategory.InvalidData, file, $"'{file}' is empty.", first);
            return;
        }
        if (Array.IndexOf(bytes, (byte)0, start, Math.Min(bytes.Length - start, 8192)) >= 0)
        {
            context.Error("InventorySourceUnrecognized", EngineErrorCategory.InvalidData, file, $"'{file}' is binary, not JSON or YAML.", first);
            return;
        }
        var isJson = bytes[firstChar] == '{' || bytes[firstChar] == '[';
        if (isJson) TextDecoding.RepairJsonEscapes(bytes, problems);
        foreach (var p in problems)
            context.Error("InventoryTextInvalid", EngineErrorCategory.InvalidData, file,
                $"'{file}' holds {p.What} at line {p.Line}, column {p.Column} ({encoding}); it is read as U+FFFD and a function it names is incomplete.",
                new SourceLocation { File = file, Line = p.Line, Column = p.Column });
        var before = drafts.Count;
        try
        {
            if (isJson) ReadJson(file, bytes, start, options, context, drafts, account);
            else ReadYaml(file, Encoding.UTF8.GetString(bytes, start, bytes.Length - start), options, context, drafts);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A shape no reader expected (e.g. a string where an object belongs): report the file, keep what was read, go on.
            context.Error("InventorySourceUnreadable", EngineErrorCategory.InvalidData, file, $"'{file}' could not be read in full: {ex.Message}", first, ex);
        }
        if (problems.Count > 0)
            for (int i = before; i < drafts.Count; i++)
                if (HoldsReplacement(drafts[i]))
                    drafts[i].IncompleteReasons.Add($"Its definition in '{file}' holds text that is not valid {encoding} (see the InventoryTextInvalid error): names or ARNs are not known exactly.");
        context.Verbose($"{file}: {drafts.Count - before} functions.");
    }

    private static bool HoldsReplacement(FunctionDraft d) =>
        (d.FunctionName + d.FunctionArn + d.RoleArn).IndexOf('\uFFFD') >= 0 || d.EnvironmentVariableNames.Any(n => n.IndexOf('\uFFFD') >= 0);

    /// <summary>Reads a file, reporting progress in MiB for large ones so a long read is visible.</summary>
    private static byte[] ReadAll(string file, long length, EngineContext context)
    {
        if (length < 16L * 1024 * 1024) return File.ReadAllBytes(file);
        var bytes = new byte[length];
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        int read = 0, n;
        while (read < bytes.Length && (n = stream.Read(bytes, read, Math.Min(4 << 20, bytes.Length - read))) > 0)
        {
            read += n;
            context.CancellationToken.ThrowIfCancellationRequested();
            context.Progress(ProgressActivity, $"Reading {Path.GetFileName(file)} ({read >> 20} of {bytes.Length >> 20} MiB)", read, bytes.Length);
        }
        if (read < bytes.Length) Array.Resize(ref bytes, read);
        return bytes;
    }

    private static void ReadYaml(string file, string text, InventoryOptions options, EngineContext context, List<FunctionDraft> drafts)
    {
        TNode root;
        var duplicates = new List<DuplicateKey>();
        try { root = LoadLenient(file, text, context, duplicates); }
        catch (YamlException ex)
        {
            context.Error("TemplateYamlMalformed", EngineErrorCategory.InvalidData, file, $"'{file}' is not valid YAML: {ex.Message}",
                new SourceLocation { File = file, Line = (int)ex.Start.Line, Column = (int)ex.Start.Column }, ex);
            return;
        }
        if (!TemplateReader.IsTemplate(root))
        {
            var hint = root is TMap m && m.Has("Resource") ? " It has a 'Resource' key: did you mean 'Resources'?" : "";
            context.Error("InventorySourceUnrecognized", EngineErrorCategory.InvalidData, file,
                $"'{file}' is YAML but not a CloudFormation or SAM template (no Resources section).{hint}", new SourceLocation { File = file, Line = root.Line, Column = Math.Max(1, root.Column) });
            return;
        }
        ReportDuplicates(file, duplicates, context);
        ReadTemplate((TMap)root, file, options, context, drafts);
    }

    [ThreadStatic] private static List<string>? _nestedChain;

    /// <summary>
    /// Reads a parsed template: Fn::ForEach expanded, then its functions; then each nested stack (AWS::CloudFormation::Stack)
    /// and serverless application given by a local path is read as a template of its own, and any other is an error naming it.
    /// </summary>
    private static void ReadTemplate(TMap root, string file, InventoryOptions options, EngineContext context, List<FunctionDraft> drafts)
    {
        TemplateExpansion.ExpandForEach(root, file, options, context);
        drafts.AddRange(new TemplateReader(root, file, options, context).Read());
        if (root.Map("Resources") is not TMap resources) return;
        foreach (var r in resources.Entries)
        {
            if (r.Value is not TMap rm) continue;
            var type = rm.Str("Type");
            if (type != "AWS::CloudFormation::Stack" && type != "AWS::Serverless::Application") continue;
            var props = rm.Map("Properties");
            var locNode = type == "AWS::CloudFormation::Stack" ? props?["TemplateURL"] : props?["Location"];
            var where = locNode is TScalar ls ? ls.Value : locNode is TMap lm && lm.Str("ApplicationId") is string app ? app + (lm.Str("SemanticVersion") is string v ? "@" + v : "") : "(not given)";
            var loc = new SourceLocation { File = file, Line = rm.Line, Column = rm.Column, Path = "Resources." + r.Key };
            var local = locNode is TScalar && where.IndexOf("://", StringComparison.Ordinal) < 0 && !where.Contains("${") && where.Length > 0 && !where.StartsWith("arn:", StringComparison.Ordinal)
                ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file)) ?? "", where) : null;
            var chain = _nestedChain ??= new List<string>();
            if (local != null && InputFiles.KindOf(local) == InputFiles.Kind.Regular && !chain.Contains(InputFiles.Canonical(local)) && InputFiles.Canonical(local) != InputFiles.Canonical(file) && chain.Count < 16)
            {
                context.Verbose($"{file}: {type} '{r.Key}' is read from {local}.");
                chain.Add(InputFiles.Canonical(file));
                try { ReadFile(local, options, context, drafts, new AccountAuthorization()); }
                finally { chain.RemoveAt(chain.Count - 1); }
                continue;
            }
            context.Error("TemplateNestedStackNotRead", EngineErrorCategory.ObjectNotFound, file,
                $"{type} '{r.Key}' ({where}) is not read: " + (local is null ? "its template is not a local file (give it with --path)" : $"'{local}' is not a readable file, or it nests itself") + "; the functions it deploys are not in this inventory.", loc);
        }
    }

    /// <summary>One error per key repeated in a mapping, at its line: the first value was kept, the repetition was not read.</summary>
    private static void ReportDuplicates(string file, List<DuplicateKey> duplicates, EngineContext context)
    {
        foreach (var d in duplicates)
            context.Error("TemplateDuplicateKey", EngineErrorCategory.InvalidData, file,
                $"Key '{d.Key}' appears again in the same mapping" + (d.Line > 0 ? $" at line {d.Line} (first at line {d.FirstLine})" : "") + "; only the first is read (CloudFormation rejects such a template).",
                new SourceLocation { File = file, Line = d.Line, Column = d.Column });
    }

    /// <summary>
    /// Parses YAML; when the strict grammar rejects it, retries once with whitespace-only lines emptied, which
    /// CloudFormation accepts (e.g. indented blank first lines of a literal block scalar). Throws the first error.
    /// </summary>
    private static TNode LoadLenient(string file, string text, EngineContext context, List<DuplicateKey> duplicates)
    {
        try { return TemplateLoader.Load(new StringReader(text), duplicates); }
        catch (YamlException first)
        {
            var lines = text.Split('\n');
            var changed = false;
            for (int i = 0; i < lines.Length; i++)
                if (lines[i].Length > 0 && lines[i].Trim().Length == 0) { lines[i] = lines[i].EndsWith("\r", StringComparison.Ordinal) ? "\r" : ""; changed = true; }
            if (!changed) throw;
            try
            {
                duplicates.Clear();
                var root = TemplateLoader.Load(new StringReader(string.Join("\n", lines)), duplicates);
                context.Verbose($"{file}: read after emptying whitespace-only lines (strict YAML: {first.Message} at {first.Start.Line}:{first.Start.Column}).");
                return root;
            }
            catch (YamlException) { throw first; }
        }
    }

    private static void ReadJson(string file, byte[] bytes, int start, InventoryOptions options, EngineContext context, List<FunctionDraft> drafts, AccountAuthorization account)
    {
        // Several values one after another (pages of `aws ... --no-paginate` appended to one file) are read one by one:
        // each reader starts where the previous value ended (System.Text.Json 8, which PowerShell 7.4 loads, has no
        // AllowMultipleValues), and an error's line counts the lines before its value. A value that starts as
        // authorization details is read without a DOM; what it holds and its errors are applied, like every other value,
        // once the whole file is known to be JSON (a malformed file adds nothing).
        List<JsonValue> values;
        var at = start; // where the value being read starts: an error's line counts the lines before it
        try
        {
            // Plain JSON first (a reader that skips comments is slower on every token); comments and trailing commas second.
            try { values = ReadValues(file, bytes, start, AuthorizationDetailsReader.StrictOptions, context, ref at); }
            catch (JsonException) { values = ReadValues(file, bytes, start, AuthorizationDetailsReader.Options, context, ref at); }
        }
        catch (JsonException ex)
        {
            var lineOffset = 0;
            for (var i = start; i < at && i < bytes.Length; i++) if (bytes[i] == (byte)'\n') lineOffset++;
            context.Error("JsonSourceMalformed", EngineErrorCategory.InvalidData, file, $"'{file}' is not valid JSON (truncated or malformed): {ex.Message}",
                new SourceLocation { File = file, Line = lineOffset + (int)(ex.LineNumber ?? 0) + 1, Column = (int)(ex.BytePositionInLine ?? 0) + 1 }, ex);
            return;
        }
        try
        {
            if (values.Count == 1 && values[0].Document is { } only && only.RootElement.ValueKind == JsonValueKind.Object && IsTemplateJson(only.RootElement))
            {
                TNode root;
                var duplicates = new List<DuplicateKey>();
                try { root = TemplateLoader.Load(new StringReader(Encoding.UTF8.GetString(bytes, start, bytes.Length - start)), duplicates); }
                catch (YamlException) { duplicates.Clear(); root = TemplateLoader.FromJson(only.RootElement, duplicates); } // e.g. tabs: no line numbers then
                ReportDuplicates(file, duplicates, context);
                ReadTemplate((TMap)root, file, options, context, drafts);
                return;
            }
            // The first value was read as "$" before more were known: read again as "$[0]" (its errors name that path).
            if (values.Count > 1 && values[0].Document is null)
            {
                var again = new Utf8JsonReader(new ReadOnlySpan<byte>(bytes, values[0].Start, bytes.Length - values[0].Start), values[0].Options);
                again.Read();
                values[0].ReadAuthorization(ref again, bytes, file, "$[0]", context);
            }
            var recognized = false;
            for (int i = 0; i < values.Count; i++)
            {
                if (values[i].Document is { } doc) recognized |= AwsJsonSources.Read(doc.RootElement, file, values.Count > 1 ? $"$[{i}]" : "$", options, context, drafts, account);
                else { values[i].Apply(context, account); recognized = true; }
            }
            if (!recognized)
                context.Error("InventorySourceUnrecognized", EngineErrorCategory.InvalidData, file,
                    $"'{file}' is JSON of a shape the inventory does not know (expected a template, authorization details, a Lambda or API Gateway export, or Terraform JSON).",
                    new SourceLocation { File = file, Line = 1, Column = 1 });
        }
        finally { foreach (var v in values) v.Document?.Dispose(); }
    }

    // The values of a file, in order; at follows the start of the value being read. Malformed JSON throws a JsonException.
    private static List<JsonValue> ReadValues(string file, byte[] bytes, int start, JsonReaderOptions options, EngineContext context, ref int at)
    {
        var values = new List<JsonValue>();
        at = start;
        try
        {
            while (true)
            {
                at = SkipWhitespace(bytes, at);
                if (at >= bytes.Length) return values;
                var reader = new Utf8JsonReader(new ReadOnlySpan<byte>(bytes, at, bytes.Length - at), options);
                reader.Read();
                var value = new JsonValue { Start = at, Options = options };
                values.Add(value);
                if (AuthorizationDetailsReader.Starts(reader)) value.ReadAuthorization(ref reader, bytes, file, values.Count == 1 ? "$" : $"$[{values.Count - 1}]", context);
                else value.Document = JsonDocument.ParseValue(ref reader);
                at += (int)reader.BytesConsumed;
            }
        }
        catch (JsonException)
        {
            foreach (var v in values) v.Document?.Dispose();
            throw;
        }
    }

    /// <summary>One JSON value of a file: a DOM, or authorization details read as they streamed by.</summary>
    private sealed class JsonValue
    {
        public int Start;
        public JsonReaderOptions Options;
        public JsonDocument? Document;
        private AccountAuthorization? _account;
        private ErrorCollector? _errors;

        public void ReadAuthorization(ref Utf8JsonReader reader, byte[] bytes, string file, string path, EngineContext context)
        {
            _errors = new ErrorCollector();
            _account = AuthorizationDetailsReader.Read(ref reader, new ReadOnlyMemory<byte>(bytes, Start, bytes.Length - Start), file, path, new EngineContext(_errors, cancellationToken: context.CancellationToken));
        }

        public void Apply(EngineContext context, AccountAuthorization account)
        {
            _errors!.ReportTo(context);
            _account?.MergeInto(account);
        }
    }

    private static int SkipWhitespace(byte[] bytes, int i)
    {
        while (i < bytes.Length && (bytes[i] == (byte)' ' || bytes[i] == (byte)'\t' || bytes[i] == (byte)'\r' || bytes[i] == (byte)'\n')) i++;
        return i;
    }

    private static bool IsTemplateJson(JsonElement root) =>
        (root.TryGetProperty("Resources", out var r) && r.ValueKind == JsonValueKind.Object) || root.TryGetProperty("AWSTemplateFormatVersion", out _);

    /// <summary>Merges drafts of the same deployed function; template drafts join an account record of the same literal name.</summary>
    private static List<FunctionDraft> Merge(List<FunctionDraft> drafts, EngineContext context)
    {
        var byKey = new Dictionary<string, FunctionDraft>(StringComparer.Ordinal);
        var order = new List<FunctionDraft>();
        foreach (var d in drafts.Where(x => !x.FromTemplate))
        {
            if (byKey.TryGetValue(d.MergeKey, out var existing)) existing.MergeFrom(d);
            else { byKey[d.MergeKey] = d; order.Add(d); }
        }
        foreach (var d in drafts.Where(x => x.FromTemplate))
        {
            if (!d.FunctionName.Contains("${") && d.HasExplicitName && byKey.TryGetValue("function:" + d.FunctionName, out var deployed))
            {
                context.Verbose($"{d.Source}: merged into the deployed function {d.FunctionName}.");
                var keep = deployed.Source;
                deployed.MergeFrom(d);
                deployed.LogicalId = d.LogicalId;
                deployed.Source = keep;
            }
            else order.Add(d);
        }
        return order;
    }
}

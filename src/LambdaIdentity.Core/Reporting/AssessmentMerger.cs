using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Assessment;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Reporting;

/// <summary>One shard's contribution to a merge.</summary>
public sealed class MergeShard
{
    /// <summary>The shard as given (an assess output folder or an inventory JSON file).</summary>
    public string Name { get; init; } = "";
    /// <summary>Inventory records read from it.</summary>
    public int Functions { get; set; }
    /// <summary>Mapping items read from it (0 when it holds an inventory only).</summary>
    public int MappingItems { get; set; }
    /// <summary>Parity results read from it.</summary>
    public int ParityResults { get; set; }
    /// <summary>Errors its own run recorded (errors.json).</summary>
    public int Errors { get; set; }
    /// <summary>False when the shard could not be read at all.</summary>
    public bool Read { get; set; }
}

/// <summary>The merged assessment: the records of every shard, each function once, and what the merge found.</summary>
public sealed class MergedAssessment
{
    /// <summary>Every shard, in the order given.</summary>
    public List<MergeShard> Shards { get; } = new();
    /// <summary>Inventory records, each function ARN once, sorted as the inventory sorts them.</summary>
    public List<LambdaFunctionIdentity> Inventory { get; } = new();
    /// <summary>Mapping items of the kept functions.</summary>
    public List<AzRoleMapping> Mappings { get; } = new();
    /// <summary>Parity results of the kept mapping items, and those naming no mapping item (excess access), each once.</summary>
    public List<IdentityParityResult> ParityResults { get; } = new();
    /// <summary>The shards' own errors and the merge's (unreadable shards, conflicting duplicates).</summary>
    public List<EngineError> Errors { get; } = new();
    /// <summary>Function ARNs met in two shards with the same record: kept once.</summary>
    public int DuplicatesMerged { get; set; }
    /// <summary>Function ARNs met in two shards with different records: the first kept, marked incomplete, and an error.</summary>
    public int Conflicts { get; set; }
    /// <summary>True when some shard held parity results.</summary>
    public bool ParityChecked { get; set; }
}

/// <summary>
/// Merges the results of several runs (shards of an estate: one per account or region, e.g. an Azure Pipelines matrix)
/// into one assessment. A shard is an `assess --out` folder (inventory.json, and mapping.json, parity.json, errors.json
/// when present) or an inventory JSON file (`inventory --format json`). Each function ARN is kept once: the same ARN in
/// two shards with identical records is merged (counted in <see cref="MergedAssessment.DuplicatesMerged"/>); with
/// different records it is a ShardFunctionConflict error naming both shards, the first shard's record is kept marked
/// incomplete and its parity results become Unverifiable. Every function of every readable shard is in the result, so
/// the merged count is the sum of the shards' counts less the duplicates.
/// </summary>
public static class AssessmentMerger
{
    /// <summary>Reads and merges the shards; unreadable shards are errors naming them and the others are merged.</summary>
    public static MergedAssessment Merge(IReadOnlyList<string> shards, EngineContext context)
    {
        var merged = new MergedAssessment();
        var owner = new Dictionary<string, (int Shard, string Json, int Index)>(StringComparer.Ordinal);
        var conflicted = new HashSet<string>(StringComparer.Ordinal);
        var seenResults = new HashSet<string>(StringComparer.Ordinal);
        for (var s = 0; s < shards.Count; s++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var name = shards[s];
            var shard = new MergeShard { Name = name };
            merged.Shards.Add(shard);
            if (!TryRead(name, context, out var inventory, out var mappings, out var results, out var errors)) continue;
            shard.Read = true;
            shard.Functions = inventory.Count;
            shard.MappingItems = mappings?.Count ?? 0;
            shard.ParityResults = results?.Count ?? 0;
            shard.Errors = errors.Count;
            merged.Errors.AddRange(errors);
            if (results is not null) merged.ParityChecked = true;
            var kept = new HashSet<string>(StringComparer.Ordinal);
            foreach (var record in inventory)
            {
                var json = JsonSerializer.Serialize(record, ModelJson.Options);
                if (!owner.TryGetValue(record.FunctionArn, out var first))
                {
                    owner[record.FunctionArn] = (s, json, merged.Inventory.Count);
                    merged.Inventory.Add(record);
                    kept.Add(record.FunctionArn);
                    continue;
                }
                if (first.Json == json)
                {
                    merged.DuplicatesMerged++;
                    context.Verbose($"Function {record.FunctionArn} is in shards '{shards[first.Shard]}' and '{name}' with the same record: kept once.");
                    continue;
                }
                merged.Conflicts++;
                context.Error("ShardFunctionConflict", EngineErrorCategory.InvalidData, record.FunctionArn,
                    $"Function {record.FunctionArn} is in shards '{shards[first.Shard]}' and '{name}' with different records (the same account and region read twice, at different times or with different permissions?); shard '{shards[first.Shard]}''s record is kept, marked incomplete, and its parity results are Unverifiable.",
                    new SourceLocation { File = name });
                if (conflicted.Add(record.FunctionArn))
                    merged.Inventory[first.Index] = MarkIncomplete(merged.Inventory[first.Index], $"Shards '{shards[first.Shard]}' and '{name}' hold different records of this function: which is current is unknown.");
            }
            var keptMappings = new HashSet<string>(StringComparer.Ordinal);
            foreach (var m in mappings ?? new List<AzRoleMapping>())
                if (kept.Contains(m.FunctionArn)) { merged.Mappings.Add(m); keptMappings.Add(m.MappingId); }
            foreach (var r in results ?? new List<IdentityParityResult>())
            {
                if (r.MappingId is { Length: > 0 } id ? !keptMappings.Contains(id) : !seenResults.Add(JsonSerializer.Serialize(r, ModelJson.Options))) continue;
                merged.ParityResults.Add(r);
            }
        }
        // A conflicting function's results were judged on one of two disagreeing records: never Pass.
        if (conflicted.Count > 0)
        {
            var conflictMappings = new HashSet<string>(merged.Mappings.Where(m => conflicted.Contains(m.FunctionArn)).Select(m => m.MappingId), StringComparer.Ordinal);
            for (var i = 0; i < merged.ParityResults.Count; i++)
                if (merged.ParityResults[i].MappingId is { } id && conflictMappings.Contains(id))
                    merged.ParityResults[i] = Reparse<IdentityParityResult>(merged.ParityResults[i], n => n["Status"] = nameof(ParityStatus.Unverifiable));
        }
        var sorted = merged.Inventory.OrderBy(r => r.FunctionName, StringComparer.Ordinal).ThenBy(r => r.FunctionArn, StringComparer.Ordinal).ToList();
        merged.Inventory.Clear();
        merged.Inventory.AddRange(sorted);
        return merged;
    }

    /// <summary>
    /// Merges the shards and writes the merged assessment into <paramref name="folder"/>; the merge's own errors go to
    /// <paramref name="context"/> and into errors.json with the shards'. Returns the merge, the files written and the merge's error count.
    /// </summary>
    public static (MergedAssessment Merged, List<string> Files, int MergeErrors) MergeToFolder(IReadOnlyList<string> shards, string folder, EngineContext context)
    {
        var collector = new ErrorCollector();
        var tee = new TeeErrors(collector, context);
        var inner = new EngineContext(tee, context, context, context.CancellationToken);
        var merged = Merge(shards, inner);
        var errors = collector.Errors.ToList();
        return (merged, WriteFolder(merged, errors, folder), errors.Count);
    }

    private sealed class TeeErrors : IErrorSink
    {
        private readonly IErrorSink _a, _b;
        public TeeErrors(IErrorSink a, IErrorSink b) { _a = a; _b = b; }
        public void Error(EngineError error) { _a.Error(error); _b.Error(error); }
    }

    /// <summary>The files <see cref="WriteFolder"/> writes (what `assess` writes, and merge.json); earlier copies in the folder are removed first.</summary>
    public static IReadOnlyList<string> Outputs { get; } = AssessmentOutputs.FileNames.Append("merge.json").ToArray();

    /// <summary>
    /// Writes the merged assessment into <paramref name="folder"/> as `assess` writes one (the same writers:
    /// <see cref="AssessmentOutputs.WriteAll"/>), then merge.json; returns the files written.
    /// </summary>
    public static List<string> WriteFolder(MergedAssessment merged, IReadOnlyList<EngineError> mergeErrors, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var name in Outputs)
        {
            var old = Path.Combine(folder, name);
            if (File.Exists(old)) File.Delete(old);
        }
        var errors = merged.Errors.Concat(mergeErrors).ToList();
        var written = AssessmentOutputs.WriteAll(new AssessmentData
        {
            Inventory = merged.Inventory, Mappings = merged.Mappings, ParityChecked = merged.ParityChecked, ParityResults = merged.ParityResults,
            Errors = errors, ReportTitle = "LambdaIdentity migration report (merged from " + merged.Shards.Count + " shards)",
        }, folder).ToList();
        void Write(string name, string text)
        {
            var file = Path.Combine(folder, name);
            File.WriteAllText(file, text, new UTF8Encoding(false));
            written.Add(file);
        }
        Write("merge.json", JsonSerializer.Serialize(new
        {
            merged.Shards,
            Functions = merged.Inventory.Count,
            merged.DuplicatesMerged,
            merged.Conflicts,
            MappingItems = merged.Mappings.Count,
            ParityResults = merged.ParityResults.Count,
            Errors = errors.Count,
        }, ModelJson.Options));
        return written;
    }

    /// <summary>The exit code of a merge (docs/cli.md): parity's verdict when results were merged, else 2 on any error or nothing read.</summary>
    public static (int Code, string Why) Verdict(MergedAssessment merged, int mergeErrors, ParityFailLevel level)
    {
        var errors = merged.Errors.Count + mergeErrors;
        if (merged.ParityChecked) return ParityVerdict.Explain(merged.ParityResults, errors, level);
        if (errors > 0) return (ExitCodes.NotEnoughRead, errors + " error(s) in the shards or the merge: not everything could be read");
        if (merged.Inventory.Count == 0) return (ExitCodes.NotEnoughRead, "no Lambda function was read from any shard");
        if (level != ParityFailLevel.None) return (ExitCodes.NotEnoughRead, "--fail-on " + level + " needs parity results in the shards: a gate never passes on evidence it did not read");
        return (ExitCodes.Ok, "merged; parity not checked");
    }

    private static bool TryRead(string shard, EngineContext context, out List<LambdaFunctionIdentity> inventory, out List<AzRoleMapping>? mappings,
        out List<IdentityParityResult>? results, out List<EngineError> errors)
    {
        inventory = new List<LambdaFunctionIdentity>(); mappings = null; results = null; errors = new List<EngineError>();
        var folder = Directory.Exists(shard);
        var inventoryFile = folder ? Path.Combine(shard, "inventory.json") : shard;
        if (!File.Exists(inventoryFile))
        {
            context.Error("ShardNotFound", EngineErrorCategory.ObjectNotFound, shard, folder
                ? $"The shard '{shard}' holds no inventory.json (an `assess --out` folder, or an `inventory --format json` file): nothing of it was merged."
                : $"The shard '{shard}' does not exist: nothing of it was merged.", new SourceLocation { File = shard });
            return false;
        }
        if (!TryList(inventoryFile, context, out inventory)) return false;
        if (folder)
        {
            var m = Path.Combine(shard, "mapping.json");
            if (File.Exists(m)) { if (!TryList(m, context, out List<AzRoleMapping> ms)) return false; mappings = ms; }
            var p = Path.Combine(shard, "parity.json");
            if (File.Exists(p)) { if (!TryList(p, context, out List<IdentityParityResult> ps)) return false; results = ps; }
            var e = Path.Combine(shard, "errors.json");
            if (File.Exists(e)) { if (!TryList(e, context, out List<EngineError> es)) return false; errors = es; }
        }
        return true;
    }

    private static bool TryList<T>(string file, EngineContext context, out List<T> items)
    {
        items = new List<T>();
        try
        {
            var text = File.ReadAllText(file);
            if (!text.TrimStart().StartsWith("[", StringComparison.Ordinal)) throw new JsonException("not a JSON array of records");
            items = ModelJson.Read<T>(text);
            if (items.Any(i => i is null)) throw new JsonException("a null record");
            return true;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            var line = ex is JsonException { LineNumber: long l } ? (int)l + 1 : 0;
            context.Error("ShardMalformed", EngineErrorCategory.InvalidData, file,
                $"The shard file '{file}' could not be read as {typeof(T).Name} records ({ex.Message}): nothing of its shard was merged.", new SourceLocation { File = file, Line = line }, ex);
            return false;
        }
    }

    private static LambdaFunctionIdentity MarkIncomplete(LambdaFunctionIdentity record, string reason) => Reparse<LambdaFunctionIdentity>(record, n =>
    {
        n["IsComplete"] = false;
        var reasons = n["IncompleteReasons"] as JsonArray ?? new JsonArray();
        reasons.Add(reason);
        n["IncompleteReasons"] = reasons.DeepClone();
    });

    private static T Reparse<T>(T record, Action<JsonObject> edit)
    {
        var node = JsonSerializer.SerializeToNode(record, ModelJson.Options)!.AsObject();
        edit(node);
        return node.Deserialize<T>(ModelJson.Options)!;
    }
}

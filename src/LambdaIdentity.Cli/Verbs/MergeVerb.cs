using System.CommandLine;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Model;

namespace LambdaIdentity.Cli.Verbs;

/// <summary>`merge`: the results of several runs (an estate's shards) into one assessment folder.</summary>
public sealed class MergeVerb : ICliVerb
{
    /// <inheritdoc />
    public Command Build(CliIO io)
    {
        var shards = new Option<string[]>("--shard") { Description = "A shard: an `assess --out` folder or an `inventory --format json` file (repeatable; at least two for a merge to mean anything, one is allowed).", AllowMultipleArgumentsPerToken = true, Required = true };
        var outDir = new Option<string>("--out") { Description = "Folder for the merged inventory.json, mapping.json, parity.json, parity-junit.xml, errors.json, report.md, azure-design.bicep and merge.json.", Required = true };
        var failOn = new Option<ParityFailLevel>("--fail-on") { Description = "Exit 1 when merged parity results fail at this level: None (default), Any, Access, Excess (needs shards with parity results).", DefaultValueFactory = _ => ParityFailLevel.None };
        var verbose = new Option<bool>("--verbose") { Description = "Write diagnostics to stderr." };
        var format = CliIO.FormatOption();
        var cmd = new Command("merge", "Merge the results of several runs (one per account or region) into one assessment: each function once, duplicates across shards merged or reported.");
        foreach (var o in new Option[] { shards, outDir, failOn, verbose, format }) cmd.Options.Add(o);
        cmd.SetAction((r, ct) => Task.FromResult(Run(r, ct)));
        return cmd;

        int Run(ParseResult r, CancellationToken ct)
        {
            io.VerboseEnabled = r.GetValue(verbose);
            var given = r.GetValue(shards) ?? Array.Empty<string>();
            var dir = r.GetValue(outDir)!;
            if (File.Exists(dir)) return io.Usage("OutputFolderInvalid", "--out '" + dir + "' is a file, not a folder.");
            var full = Path.GetFullPath(dir);
            if (given.Any(s => string.Equals(Path.GetFullPath(s).TrimEnd(Path.DirectorySeparatorChar), full.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal)))
                return io.Usage("ArgumentConflict", "--out must not be one of the shards.");
            var (merged, _, mergeErrors) = AssessmentMerger.MergeToFolder(given, dir, io.Context(ct));
            var (code, why) = AssessmentMerger.Verdict(merged, mergeErrors, r.GetValue(failOn));
            if (r.GetValue(format) == "json")
                io.Out.WriteLine(CliIO.SafeJson(System.Text.Json.JsonSerializer.Serialize(new
                {
                    merged.Shards, Functions = merged.Inventory.Count, merged.DuplicatesMerged, merged.Conflicts,
                    MappingItems = merged.Mappings.Count, ParityResults = merged.ParityResults.Count, Errors = merged.Errors.Count + mergeErrors,
                    OutputFolder = dir, ExitCode = code, ExitReason = why,
                }, Core.Serialization.ModelJson.Options)));
            else
            {
                io.WriteTable(new[] { "Shard", "Functions", "MappingItems", "ParityResults", "Errors", "Read" }, merged.Shards.Select(s => (IReadOnlyList<string?>)new[]
                {
                    s.Name, N(s.Functions), N(s.MappingItems), N(s.ParityResults), N(s.Errors), s.Read ? "yes" : "no",
                }));
                io.Line($"Functions merged:    {merged.Inventory.Count} (shards {merged.Shards.Sum(s => s.Functions)}, duplicates merged {merged.DuplicatesMerged}, conflicts {merged.Conflicts})");
                io.Line($"Mapping items:       {merged.Mappings.Count}");
                io.Line(merged.ParityChecked ? $"Parity results:      {merged.ParityResults.Count} ({ParityVerdict.Summary(merged.ParityResults)})" : "Parity results:      none in the shards");
                io.Line($"Errors:              {merged.Errors.Count + mergeErrors}");
                io.Line($"Report:              {Path.Combine(dir, "report.md")}");
                io.Line($"Exit code:           {code} ({why})");
            }
            return code;
        }
    }

    private static string N(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

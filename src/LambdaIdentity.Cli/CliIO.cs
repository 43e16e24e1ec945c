using System.CommandLine;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;

namespace LambdaIdentity.Cli;

/// <summary>The streams of one CLI run and the helpers every verb shares.</summary>
public sealed class CliIO : IErrorSink, ILogSink, IProgressSink
{
    /// <summary>Creates the IO.</summary>
    public CliIO(TextWriter stdout, TextWriter stderr, TextReader stdin) { Out = stdout; Err = stderr; In = stdin; }
    /// <summary>Standard output: records only.</summary>
    public TextWriter Out { get; }
    /// <summary>Standard error: errors, warnings, progress.</summary>
    public TextWriter Err { get; }
    /// <summary>Standard input, for `-` arguments.</summary>
    public TextReader In { get; }
    /// <summary>Errors reported during the run.</summary>
    public List<EngineError> Errors { get; } = new();
    /// <summary>Writes verbose lines when set.</summary>
    public bool VerboseEnabled { get; set; }

    /// <summary>--azure-devops: write Azure Pipelines logging commands (on by default inside a pipeline, TF_BUILD=True).</summary>
    public static Option<bool?> AzureDevOpsOption() => new("--azure-devops")
    {
        Description = "Write Azure Pipelines logging commands (task.logissue per failing result; assess also attaches the report with task.uploadsummary). Default: on when TF_BUILD=True; never with --format json, whose stdout stays JSON.",
    };

    /// <summary>Whether to write Azure Pipelines logging commands for these options.</summary>
    public static bool AzureDevOps(bool? option, string? format)
        => format != "json" && (option ?? LambdaIdentity.Core.Reporting.AzureDevOpsCommands.IsAzurePipelines());

    /// <summary>The shared --format option: json or table.</summary>
    public static Option<string> FormatOption() => new("--format") { Description = "Output format: table (default) or json.", DefaultValueFactory = _ => "table" };

    /// <summary>A context for one engine call.</summary>
    public EngineContext Context(CancellationToken ct) => new(this, this, this, ct);

    /// <inheritdoc />
    public void Error(EngineError error)
    {
        lock (Errors) Errors.Add(error);
        Err.WriteLine("error: " + error);
    }
    /// <inheritdoc />
    public void Verbose(string message) { if (VerboseEnabled) Err.WriteLine("verbose: " + message); }
    /// <inheritdoc />
    public void Warning(string message) => Err.WriteLine("warning: " + message);

    private DateTime _lastProgress = DateTime.MinValue;
    /// <inheritdoc />
    public void Progress(string activity, string status, long done, long total)
    {
        var now = DateTime.UtcNow;
        if (now - _lastProgress < TimeSpan.FromSeconds(1) && done != total) return;
        _lastProgress = now;
        Err.WriteLine(total > 0 ? $"progress: {activity}: {status} {done}/{total} ({done * 100 / total}%)" : $"progress: {activity}: {status} {done}");
    }

    /// <summary>Reads a JSON file of records, or stdin for "-".</summary>
    public List<T> ReadRecords<T>(string pathOrDash)
    {
        var text = pathOrDash == "-" ? In.ReadToEnd() : File.ReadAllText(pathOrDash);
        return ModelJson.Read<T>(text);
    }

    /// <summary>Writes records as JSON to stdout.</summary>
    public void WriteJson<T>(IEnumerable<T> items) => Out.WriteLine(ModelJson.Serialize(items));

    /// <summary>Writes a plain table to stdout.</summary>
    public void WriteTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var all = rows.Select(r => r.Select(c => c ?? "").ToArray()).ToList();
        var widths = headers.Select((h, i) => Math.Min(60, Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length)))).ToArray();
        string Line(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((c, i) => (c.Length > widths[i] ? c.Substring(0, widths[i] - 1) + "…" : c).PadRight(widths[i]))).TrimEnd();
        Out.WriteLine(Line(headers));
        Out.WriteLine(Line(widths.Select(w => new string('-', w)).ToArray()));
        foreach (var r in all) Out.WriteLine(Line(r));
    }
}

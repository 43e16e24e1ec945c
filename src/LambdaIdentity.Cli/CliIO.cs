using System.CommandLine;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Core.Security;
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

    /// <summary>The shared --format option: json or table (any other value is a usage error, exit 64).</summary>
    public static Option<string> FormatOption()
    {
        var option = new Option<string>("--format") { Description = "Output format: table (default) or json.", DefaultValueFactory = _ => "table" };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }

    /// <summary>A context for one engine call.</summary>
    public EngineContext Context(CancellationToken ct) => new(this, this, this, ct);

    /// <summary>Errors of the run so far (inputs that could not be read): any makes the exit code 2.</summary>
    public int ErrorCount { get { lock (Errors) return Errors.Count; } }

    /// <inheritdoc />
    public void Error(EngineError error)
    {
        lock (Errors) Errors.Add(error);
        Note("error: " + error);
    }
    /// <inheritdoc />
    public void Verbose(string message) { if (VerboseEnabled) Note("verbose: " + message); }
    /// <inheritdoc />
    public void Warning(string message) => Note("warning: " + message);

    /// <summary>Writes one line to stderr, redacted of credentials and stripped of control characters and pipeline commands.</summary>
    public void Note(string line) => Err.WriteLine(ConsoleText.Sanitize(Redaction.Redact(line)));

    /// <summary>Writes one line to stdout, stripped of control characters and pipeline commands.</summary>
    public void Line(string line) => Out.WriteLine(ConsoleText.Sanitize(line));

    /// <summary>A usage error (unknown value, missing file, conflicting options): writes it and returns 64.</summary>
    public int Usage(string errorId, string message) { Note("error: " + errorId + ": " + message); return ExitCodes.Usage; }

    /// <summary>An input that could not be read: records it as an error and returns 2.</summary>
    public int Unreadable(string errorId, string target, string message)
    {
        Error(new EngineError { ErrorId = errorId, Category = EngineErrorCategory.InvalidData, Target = target, Message = message, Location = new SourceLocation { File = target } });
        return ExitCodes.NotEnoughRead;
    }

    /// <summary>0 when every named file or folder exists ("-" is stdin), else a usage error naming the first missing one (64).</summary>
    public int RequireExisting(string option, IEnumerable<string?>? paths)
    {
        foreach (var p in paths ?? Array.Empty<string?>())
        {
            if (string.IsNullOrEmpty(p) || p == "-") continue;
            if (!File.Exists(p) && !Directory.Exists(p)) return Usage("InputNotFound", option + " '" + p + "' does not exist.");
        }
        return 0;
    }

    /// <summary>The exit code of a verb that only reads and writes records: 2 when an input could not be read, else 0.</summary>
    public int ReadExitCode() => ErrorCount > 0 ? ExitCodes.NotEnoughRead : ExitCodes.Ok;

    private DateTime _lastProgress = DateTime.MinValue;
    /// <inheritdoc />
    public void Progress(string activity, string status, long done, long total)
    {
        var now = DateTime.UtcNow;
        if (now - _lastProgress < TimeSpan.FromSeconds(1) && done != total) return;
        _lastProgress = now;
        Note(total > 0 ? $"progress: {activity}: {status} {done}/{total} ({done * 100 / total}%)" : $"progress: {activity}: {status} {done}");
    }

    /// <summary>Reads a JSON file of records, or stdin for "-"; throws on a missing or malformed file (see <see cref="TryReadRecords"/>).</summary>
    public List<T> ReadRecords<T>(string pathOrDash)
    {
        var text = pathOrDash == "-" ? In.ReadToEnd() : File.ReadAllText(pathOrDash);
        return ModelJson.Read<T>(text);
    }

    /// <summary>
    /// Reads a JSON file of records (or stdin for "-") for <paramref name="option"/>: a missing file is a usage error (64),
    /// an unreadable or malformed one an input error (2), each one line naming the file; 0 and the records otherwise.
    /// </summary>
    public int TryReadRecords<T>(string option, string pathOrDash, out List<T> records)
    {
        records = new List<T>();
        if (pathOrDash != "-" && !File.Exists(pathOrDash)) return Usage("InputNotFound", option + " '" + pathOrDash + "' does not exist" + (Directory.Exists(pathOrDash) ? " as a file (it is a folder)" : "") + ".");
        try
        {
            records = ReadRecords<T>(pathOrDash);
            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or NotSupportedException or InvalidOperationException or FormatException)
        {
            var where = ex is System.Text.Json.JsonException j && j.LineNumber is long line ? " at line " + (line + 1) + (j.BytePositionInLine is long col ? ", column " + (col + 1) : "") : "";
            return Unreadable(typeof(T).Name + "InputUnreadable", pathOrDash == "-" ? "stdin" : pathOrDash,
                option + " " + (pathOrDash == "-" ? "stdin" : pathOrDash) + " is not a JSON array of " + typeof(T).Name + " records" + where + ": " + ex.Message);
        }
    }

    /// <summary>
    /// Writes records as JSON to stdout. '#' never starts "##vso[" or "##[" raw: it is written as \u0023, which any JSON
    /// reader reads back as '#', so no value can issue an Azure Pipelines command from the JSON.
    /// </summary>
    public void WriteJson<T>(IEnumerable<T> items) => Out.WriteLine(SafeJson(ModelJson.Serialize(items)));

    /// <summary>JSON text with every "##" written as "#\u0023" ('#' only occurs inside JSON strings, so this stays valid JSON).</summary>
    public static string SafeJson(string json) => json.IndexOf("##", StringComparison.Ordinal) < 0 ? json : json.Replace("##", "#\\u0023");

    /// <summary>Writes a plain table to stdout.</summary>
    public void WriteTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var all = rows.Select(r => r.Select(c => ConsoleText.Sanitize(c)).ToArray()).ToList();
        var widths = headers.Select((h, i) => Math.Min(60, Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length)))).ToArray();
        string Line(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((c, i) => (c.Length > widths[i] ? c.Substring(0, widths[i] - 1) + "…" : c).PadRight(widths[i]))).TrimEnd();
        Out.WriteLine(Line(headers));
        Out.WriteLine(Line(widths.Select(w => new string('-', w)).ToArray()));
        foreach (var r in all) Out.WriteLine(Line(r));
    }
}

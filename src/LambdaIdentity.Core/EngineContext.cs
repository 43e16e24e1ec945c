using System;
using System.Threading;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core;

/// <summary>Receives one record per failed item; the engine goes on with the rest.</summary>
public interface IErrorSink
{
    /// <summary>Reports one failed item.</summary>
    void Error(EngineError error);
}

/// <summary>Receives diagnostics (Verbose/Debug in PowerShell, stderr in the CLI).</summary>
public interface ILogSink
{
    /// <summary>A diagnostic line for people. Never holds a secret.</summary>
    void Verbose(string message);
    /// <summary>Something the user should see but that is not an error.</summary>
    void Warning(string message);
}

/// <summary>Receives progress of long work.</summary>
public interface IProgressSink
{
    /// <summary>Reports progress; total is 0 when unknown.</summary>
    void Progress(string activity, string status, long done, long total);
}

/// <summary>The sinks and cancellation a front hands to the engine for one call.</summary>
public sealed class EngineContext : IErrorSink, ILogSink, IProgressSink
{
    private readonly IErrorSink? _errors;
    private readonly ILogSink? _log;
    private readonly IProgressSink? _progress;

    /// <summary>Creates a context; any sink may be null to discard that stream.</summary>
    public EngineContext(IErrorSink? errors = null, ILogSink? log = null, IProgressSink? progress = null, CancellationToken cancellationToken = default)
    {
        _errors = errors; _log = log; _progress = progress; CancellationToken = cancellationToken;
    }

    /// <summary>A context that discards everything (tests, embedding).</summary>
    public static EngineContext None { get; } = new EngineContext();

    /// <summary>Cancels the call (Ctrl+C in PowerShell).</summary>
    public CancellationToken CancellationToken { get; }

    // Every error, warning and diagnostic leaves the engine redacted of credentials (a provider's message can echo a
    // signed request), whichever front writes it.
    /// <inheritdoc />
    public void Error(EngineError error) => _errors?.Error(Redacted(error));
    /// <inheritdoc />
    public void Verbose(string message) => _log?.Verbose(Security.Redaction.Redact(message)!);
    /// <inheritdoc />
    public void Warning(string message) => _log?.Warning(Security.Redaction.Redact(message)!);

    private static EngineError Redacted(EngineError e)
    {
        var message = Security.Redaction.Redact(e.Message);
        var target = Security.Redaction.Redact(e.Target);
        if (ReferenceEquals(message, e.Message) && ReferenceEquals(target, e.Target)) return e;
        return new EngineError { ErrorId = e.ErrorId, Category = e.Category, Target = target ?? "", Location = e.Location, Message = message ?? "" }.WithException(e.GetException());
    }
    /// <inheritdoc />
    public void Progress(string activity, string status, long done, long total) => _progress?.Progress(activity, status, done, total);

    /// <summary>Reports an error built from its parts.</summary>
    public void Error(string errorId, EngineErrorCategory category, string target, string message, SourceLocation? location = null, Exception? exception = null)
        => Error(new EngineError { ErrorId = errorId, Category = category, Target = target, Message = message, Location = location }.WithException(exception));
}

/// <summary>Collects errors in memory (tests, the CLI's errors.json).</summary>
public sealed class ErrorCollector : IErrorSink
{
    // Made on the first error: collectors that hold errors back (one per document of a file) mostly stay empty.
    private System.Collections.Concurrent.ConcurrentQueue<EngineError>? _errors;
    /// <summary>The errors so far, in order.</summary>
    public System.Collections.Generic.IReadOnlyCollection<EngineError> Errors => (System.Collections.Generic.IReadOnlyCollection<EngineError>?)_errors ?? Array.Empty<EngineError>();
    /// <inheritdoc />
    public void Error(EngineError error)
    {
        var queue = _errors ?? System.Threading.Interlocked.CompareExchange(ref _errors, new System.Collections.Concurrent.ConcurrentQueue<EngineError>(), null) ?? _errors!;
        queue.Enqueue(error);
    }

    /// <summary>Passes the errors held so far on to <paramref name="sink"/>, in order.</summary>
    public void ReportTo(IErrorSink sink) { foreach (var e in Errors) sink.Error(e); }
}

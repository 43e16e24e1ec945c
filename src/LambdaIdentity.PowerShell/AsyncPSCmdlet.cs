using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using LambdaIdentity.Core;
using LambdaIdentity.Model;

namespace LambdaIdentity.PowerShell;

/// <summary>
/// Runs engine work off the pipeline thread and pumps its writes back onto it (PowerShell throws when
/// written to from another thread). StopProcessing cancels the token, so Ctrl+C stops a call in flight.
/// Modelled on PowerShell-OpenAuthenticode's AsyncPSCmdlet.
/// </summary>
public abstract class AsyncPSCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private BlockingCollection<Action>? _queue;
    private bool _disposed;

    /// <summary>The stable progress activity id of this cmdlet.</summary>
    protected virtual int ProgressActivityId => 0x1DE7;

    /// <summary>Begin work, off the pipeline thread.</summary>
    protected virtual Task BeginProcessingAsync(EngineContext context) => Task.CompletedTask;
    /// <summary>Per-record work, off the pipeline thread.</summary>
    protected virtual Task ProcessRecordAsync(EngineContext context) => Task.CompletedTask;
    /// <summary>End work, off the pipeline thread.</summary>
    protected virtual Task EndProcessingAsync(EngineContext context) => Task.CompletedTask;

    /// <inheritdoc />
    protected sealed override void BeginProcessing() => Run(BeginProcessingAsync);
    /// <inheritdoc />
    protected sealed override void ProcessRecord() => Run(ProcessRecordAsync);
    /// <inheritdoc />
    protected sealed override void EndProcessing()
    {
        try { Run(EndProcessingAsync); }
        finally { CompleteProgress(); }
    }
    /// <inheritdoc />
    protected override void StopProcessing() => _cancel.Cancel();

    private bool _progressStarted;
    private string _lastActivity = "";

    private void CompleteProgress()
    {
        if (!_progressStarted) return;
        WriteProgress(new ProgressRecord(ProgressActivityId, _lastActivity, "Done") { RecordType = ProgressRecordType.Completed });
        _progressStarted = false;
    }

    private void Run(Func<EngineContext, Task> work)
    {
        using var queue = new BlockingCollection<Action>();
        _queue = queue;
        var sink = new Sink(this);
        var context = new EngineContext(sink, sink, sink, _cancel.Token);
        var task = Task.Run(async () =>
        {
            try { await work(context).ConfigureAwait(false); }
            finally { queue.CompleteAdding(); }
        });
        foreach (var write in queue.GetConsumingEnumerable()) write();
        _queue = null;
        try { task.GetAwaiter().GetResult(); }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested) { throw new PipelineStoppedException(); }
    }

    /// <summary>Queues a write to run on the pipeline thread (or runs it now when called on it).</summary>
    protected void Post(Action write)
    {
        var q = _queue;
        if (q is null || q.IsAddingCompleted) write(); else q.Add(write);
    }

    /// <summary>Writes one output object from any thread.</summary>
    protected void WriteObjectAsync(object item) => Post(() => WriteObject(item));

    /// <summary>Writes one non-terminating error record from any thread.</summary>
    protected void WriteErrorAsync(EngineError error) => Post(() => WriteError(ErrorRecords.From(error)));

    private sealed class Sink : IErrorSink, ILogSink, IProgressSink
    {
        private readonly AsyncPSCmdlet _c;
        public Sink(AsyncPSCmdlet c) => _c = c;
        public void Error(EngineError error) => _c.WriteErrorAsync(error);
        public void Verbose(string message) => _c.Post(() => _c.WriteVerbose(message));
        public void Warning(string message) => _c.Post(() => _c.WriteWarning(message));
        public void Progress(string activity, string status, long done, long total) => _c.Post(() =>
        {
            var r = new ProgressRecord(_c.ProgressActivityId, activity, string.IsNullOrEmpty(status) ? activity : status);
            if (total > 0) r.PercentComplete = (int)Math.Min(100, done * 100 / total);
            _c._progressStarted = true;
            _c._lastActivity = activity;
            _c.WriteProgress(r);
        });
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _cancel.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The one mapping from engine errors to PowerShell error records.</summary>
public static class ErrorRecords
{
    /// <summary>The category table: 403 PermissionDenied, 404 ObjectNotFound, 429 LimitsExceeded, bad input InvalidArgument/InvalidData.</summary>
    public static ErrorCategory Category(EngineErrorCategory c) => c switch
    {
        EngineErrorCategory.InvalidData => ErrorCategory.InvalidData,
        EngineErrorCategory.InvalidArgument => ErrorCategory.InvalidArgument,
        EngineErrorCategory.PermissionDenied => ErrorCategory.PermissionDenied,
        EngineErrorCategory.ObjectNotFound => ErrorCategory.ObjectNotFound,
        EngineErrorCategory.LimitsExceeded => ErrorCategory.LimitsExceeded,
        EngineErrorCategory.ConnectionError => ErrorCategory.ConnectionError,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>Builds the record: the target is the item, the id is stable, the original exception kept.</summary>
    public static ErrorRecord From(EngineError e)
    {
        var ex = e.GetException();
        var wrapped = new InvalidOperationException(e.ToString(), ex);
        return new ErrorRecord(wrapped, e.ErrorId, Category(e.Category), e.Target);
    }
}

using System;
using System.Collections.Concurrent;
using System.IO;
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
public abstract partial class AsyncPSCmdlet : PSCmdlet, IDisposable
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

    private System.Collections.Generic.HashSet<string> _boundOnCommandLine = new(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    protected sealed override void BeginProcessing()
    {
        // Before the first record only the command line has bound parameters: those keep their value for every record.
        _boundOnCommandLine = new(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);
        ModelRecordConverter.TakeFailures();
        Run(BeginProcessingAsync);
    }

    /// <summary>
    /// True when the piped object of this record was a copy of a record that could not be converted back (reported
    /// as an error already): the cmdlet then does not rebuild a lesser record from its key properties.
    /// </summary>
    protected bool CurrentRecordUnconvertible { get; private set; }

    /// <summary>
    /// True when the parameter was bound on the command line (not from the pipeline). Such a value is the same in every
    /// ProcessRecord call, so a cmdlet that collects input takes it once, not once per piped record.
    /// </summary>
    protected bool IsBoundOnCommandLine(string parameterName) => _boundOnCommandLine.Contains(parameterName);

    /// <summary>
    /// The value of a collected input parameter for this record: on the first call, a command-line value; afterwards
    /// only values the pipeline bound for this record (null otherwise).
    /// </summary>
    protected T? TakeOnce<T>(string parameterName, T? value) where T : class
    {
        if (value is null) return null;
        if (!IsBoundOnCommandLine(parameterName)) return value;
        return _takenOnce.Add(parameterName) ? value : null;
    }

    private readonly System.Collections.Generic.HashSet<string> _takenOnce = new(StringComparer.OrdinalIgnoreCase);
    /// <inheritdoc />
    protected sealed override void ProcessRecord()
    {
        CurrentRecordUnconvertible = WriteConversionFailures();
        Run(ProcessRecordAsync);
    }

    /// <summary>
    /// Binding runs on this thread just before ProcessRecord (or EndProcessing): each copy of a record that failed to
    /// convert back is one error record naming it, whose id says which record it was.
    /// </summary>
    private bool WriteConversionFailures()
    {
        var failures = ModelRecordConverter.TakeFailures();
        foreach (var f in failures)
        {
            var id = f.RecordType == typeof(LambdaFunctionIdentity) ? "InventoryRecordUnconvertible"
                : f.RecordType == typeof(AzRoleMapping) ? "MappingRecordUnconvertible" : "ParityResultRecordUnconvertible";
            WriteError(new ErrorRecord(new InvalidDataException(f.Message, f.Exception), id, ErrorCategory.InvalidData, f.Target));
        }
        return failures.Count > 0;
    }
    /// <inheritdoc />
    protected sealed override void EndProcessing()
    {
        WriteConversionFailures();
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
        EngineErrorCategory.OperationTimeout => ErrorCategory.OperationTimeout,
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

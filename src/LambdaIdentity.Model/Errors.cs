namespace LambdaIdentity.Model;

/// <summary>What kind of failure, mapped once to PowerShell's ErrorCategory by the fronts.</summary>
public enum EngineErrorCategory
{
    /// <summary>The input breaks its grammar or shape.</summary>
    InvalidData,
    /// <summary>An argument or setting is wrong.</summary>
    InvalidArgument,
    /// <summary>403.</summary>
    PermissionDenied,
    /// <summary>404 or a missing file.</summary>
    ObjectNotFound,
    /// <summary>429 / throttling.</summary>
    LimitsExceeded,
    /// <summary>Network or I/O.</summary>
    ConnectionError,
    /// <summary>Anything else; the run goes on.</summary>
    NotSpecified,
    /// <summary>No answer within the time limit.</summary>
    OperationTimeout,
}

/// <summary>A failure to read or process one item; the run goes on with the rest.</summary>
public sealed class EngineError
{
    /// <summary>Stable PascalCase &lt;Subject&gt;&lt;Problem&gt;, e.g. PolicyDocumentMalformed, TemplateYamlMalformed.</summary>
    public string ErrorId { get; init; } = "";
    /// <summary>The category.</summary>
    public EngineErrorCategory Category { get; init; }
    /// <summary>The item that failed: a file, an ARN, a function name.</summary>
    public string Target { get; init; } = "";
    /// <summary>Where in the file.</summary>
    public SourceLocation? Location { get; init; }
    /// <summary>What went wrong, for people. Never holds a secret.</summary>
    public string Message { get; init; } = "";
    /// <summary>The original exception, kept for the fronts (not serialised).</summary>
    [System.NonSerialized]
    private System.Exception? _exception;
    /// <summary>The original exception, when any.</summary>
    public System.Exception? GetException() => _exception;
    /// <summary>Creates an error with its original exception.</summary>
    public EngineError WithException(System.Exception? ex) { _exception = ex; return this; }
    /// <inheritdoc />
    public override string ToString() => ErrorId + ": " + Message + (Location is null ? "" : " at " + Location);
}

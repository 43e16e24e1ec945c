namespace LambdaIdentity.Model;

/// <summary>Where a fact was read: a file, and inside it a line/column and a logical path.</summary>
public sealed class SourceLocation
{
    /// <summary>The file (or URI, for live reads) the fact came from.</summary>
    public string File { get; init; } = "";

    /// <summary>1-based line, 0 when unknown.</summary>
    public int Line { get; init; }

    /// <summary>1-based column, 0 when unknown.</summary>
    public int Column { get; init; }

    /// <summary>A logical path inside the file: a JSON path, a template resource path such as Resources.MyFunction.Properties.Policies[0].</summary>
    public string? Path { get; init; }

    /// <inheritdoc />
    public override string ToString()
    {
        var s = File;
        if (Line > 0) s += ":" + Line + (Column > 0 ? ":" + Column : "");
        if (!string.IsNullOrEmpty(Path)) s += " (" + Path + ")";
        return s;
    }
}

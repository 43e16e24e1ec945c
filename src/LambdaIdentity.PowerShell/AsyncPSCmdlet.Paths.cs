using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading.Tasks;
using Microsoft.PowerShell.Commands;

namespace LambdaIdentity.PowerShell;

/// <summary>
/// Paths as PowerShell users type them: resolved through the session's providers (~, PSDrives such as TestDrive:,
/// provider-qualified paths, the current location), with wildcards for -Path and none for -LiteralPath. A path that
/// cannot be used is one non-terminating error whose target is the path as typed. Resolution runs on the pipeline
/// thread (the providers read the session state there).
/// </summary>
public abstract partial class AsyncPSCmdlet
{
    /// <summary>Runs <paramref name="work"/> on the pipeline thread and returns its result to the engine's thread.</summary>
    protected Task<T> OnPipelineThread<T>(Func<T> work) => AzAccountsContext.OnPipelineThread(Post, work, _cancel.Token);

    /// <summary>
    /// The file-system paths of existing files or folders. Wildcards expand unless <paramref name="literal"/>; a path
    /// that matches nothing is a PathNotFound error, one outside the file system a PathNotFileSystem error.
    /// Call on the pipeline thread.
    /// </summary>
    protected List<string> ResolveInputPaths(IEnumerable<string> paths, bool literal)
    {
        var resolved = new List<string>();
        UnresolvedInputPaths = 0;
        foreach (var path in paths)
        {
            var before = resolved.Count;
            try
            {
                if (literal)
                {
                    var full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
                    if (!IsFileSystem(provider, path)) continue;
                    if (!File.Exists(full) && !Directory.Exists(full)) { WritePathNotFound(path); continue; }
                    resolved.Add(full);
                    continue;
                }
                var matches = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var p);
                if (!IsFileSystem(p, path)) continue;
                if (matches.Count == 0) { WritePathNotFound(path); continue; }
                resolved.AddRange(matches);
            }
            catch (ItemNotFoundException) { WritePathNotFound(path); }
            catch (System.Management.Automation.DriveNotFoundException ex) { WriteError(new ErrorRecord(ex, "PathDriveNotFound", ErrorCategory.ObjectNotFound, path)); }
            catch (ProviderNotFoundException ex) { WriteError(new ErrorRecord(ex, "PathProviderNotFound", ErrorCategory.ObjectNotFound, path)); }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PSInvalidOperationException)
            {
                WriteError(new ErrorRecord(ex, "PathInvalid", ErrorCategory.InvalidArgument, path));
            }
            if (resolved.Count == before) UnresolvedInputPaths++;
        }
        return resolved;
    }

    /// <summary>How many paths of the last <see cref="ResolveInputPaths"/> call gave nothing (each was an error): a gate counts them as unread input.</summary>
    protected int UnresolvedInputPaths { get; private set; }

    /// <summary>One existing file for an option such as -ResourceMap (wildcards must match exactly one), or null after an error.</summary>
    protected string? ResolveInputFile(string path)
    {
        var list = ResolveInputPaths(new[] { path }, literal: false);
        if (list.Count > 1)
        {
            WriteError(new ErrorRecord(new ArgumentException($"'{path}' matches {list.Count} files; name one."), "PathAmbiguous", ErrorCategory.InvalidArgument, path));
            return null;
        }
        return list.Count == 1 ? list[0] : null;
    }

    /// <summary>
    /// The file-system path of a file to write. With wildcards (and not <paramref name="literal"/>) the path must match
    /// exactly one existing item; otherwise it need not exist, but its folder must. Null after an error.
    /// Call on the pipeline thread.
    /// </summary>
    protected string? ResolveOutputPath(string path, bool literal)
        => ResolveWriteTarget(path, literal, "files; name one file to write", full =>
        {
            if (Directory.Exists(full))
            {
                WriteError(new ErrorRecord(new IOException($"'{full}' is a folder; name a file to write."), "PathIsFolder", ErrorCategory.InvalidArgument, path));
                return false;
            }
            var folder = System.IO.Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
            {
                WriteError(new ErrorRecord(new DirectoryNotFoundException($"The folder '{folder}' does not exist."), "PathFolderNotFound", ErrorCategory.ObjectNotFound, path));
                return false;
            }
            return true;
        });

    /// <summary>
    /// The file-system path of a folder to write into (it need not exist yet; a wildcard must match exactly one existing
    /// item). A path naming a file is an OutputFolderIsFile error. Null after an error. Call on the pipeline thread.
    /// </summary>
    protected string? ResolveOutputFolder(string path)
        => ResolveWriteTarget(path, literal: false, "items; name one folder", full =>
        {
            if (!File.Exists(full)) return true;
            WriteError(new ErrorRecord(new IOException($"'{full}' is a file; name a folder to write into."), "OutputFolderIsFile", ErrorCategory.InvalidArgument, path));
            return false;
        });

    /// <summary>
    /// Resolves one place to write through PowerShell's providers: a wildcard (unless <paramref name="literal"/>) must
    /// match exactly one existing item, else the path need not exist but must be on the file system; then
    /// <paramref name="accept"/> checks the full path (and writes its own error). Null after an error.
    /// </summary>
    private string? ResolveWriteTarget(string path, bool literal, string ambiguous, Func<string, bool> accept)
    {
        try
        {
            string full;
            if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
            {
                var matches = ResolveInputPaths(new[] { path }, literal: false);
                if (matches.Count == 0) return null;
                if (matches.Count > 1)
                {
                    WriteError(new ErrorRecord(new ArgumentException($"'{path}' matches {matches.Count} {ambiguous}."), "PathAmbiguous", ErrorCategory.InvalidArgument, path));
                    return null;
                }
                full = matches[0];
            }
            else
            {
                full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
                if (!IsFileSystem(provider, path)) return null;
            }
            return accept(full) ? full : null;
        }
        catch (System.Management.Automation.DriveNotFoundException ex) { WriteError(new ErrorRecord(ex, "PathDriveNotFound", ErrorCategory.ObjectNotFound, path)); }
        catch (ProviderNotFoundException ex) { WriteError(new ErrorRecord(ex, "PathProviderNotFound", ErrorCategory.ObjectNotFound, path)); }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PSInvalidOperationException)
        {
            WriteError(new ErrorRecord(ex, "PathInvalid", ErrorCategory.InvalidArgument, path));
        }
        return null;
    }

    /// <summary>
    /// Writes a file, or one error naming it (<paramref name="errorId"/>, category WriteError) when the file system
    /// refuses; never a raw exception. Call on the pipeline thread. True when written.
    /// </summary>
    protected bool TryWriteFile(string fullPath, string errorId, Action<string> write)
    {
        try { write(fullPath); return true; }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            WriteError(new ErrorRecord(ex, errorId, ErrorCategory.WriteError, fullPath));
            return false;
        }
    }

    private bool IsFileSystem(ProviderInfo provider, string path)
    {
        if (provider.ImplementingType == typeof(FileSystemProvider)) return true;
        WriteError(new ErrorRecord(new ArgumentException($"'{path}' is on the {provider.Name} provider; give a file-system path."), "PathNotFileSystem", ErrorCategory.InvalidArgument, path));
        return false;
    }

    private void WritePathNotFound(string path)
        => WriteError(new ErrorRecord(new ItemNotFoundException($"Cannot find path '{path}' because it does not exist."), "PathNotFound", ErrorCategory.ObjectNotFound, path));
}

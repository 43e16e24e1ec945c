using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading.Tasks;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Model;

namespace LambdaIdentity.PowerShell.Commands;

/// <summary>
/// Merge-LambdaIdentityAssessment: merges the results of several runs (an estate's shards: `assess --out` folders or
/// inventory JSON files, one per account or region) into one assessment folder; each function once, duplicates across
/// shards merged when identical and an error naming both shards when not.
/// </summary>
[Cmdlet(VerbsData.Merge, "LambdaIdentityAssessment", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo), typeof(bool))]
public sealed class MergeLambdaIdentityAssessmentCommand : AsyncPSCmdlet
{
    private readonly List<string> _shards = new();

    /// <summary>The shards: assess output folders or inventory JSON files (PowerShell paths with wildcards); Get-ChildItem output binds through FullName.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>The folder to write the merged assessment into (created when missing).</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string OutputPath { get; set; } = "";

    /// <summary>Which merged parity results make -Quiet return $false: None (default), Any, Access, Excess, Lost.</summary>
    [Parameter]
    public ParityFailLevel FailOn { get; set; } = ParityFailLevel.None;

    /// <summary>
    /// Returns $true exactly when the merge's exit code (docs/cli.md, as `lambda-identity merge`) is 0, else $false, instead
    /// of the files: shards or evidence that could not be read, or results failing at -FailOn, give $false.
    /// </summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <inheritdoc />
    protected override async Task ProcessRecordAsync(EngineContext context)
    {
        if (TakeOnce(nameof(Path), Path) is not { } given) return;
        _shards.AddRange(await OnPipelineThread(() => ResolveInputPaths(given, literal: false)).ConfigureAwait(false));
    }

    /// <inheritdoc />
    protected override async Task EndProcessingAsync(EngineContext context)
    {
        var folder = await OnPipelineThread(() =>
        {
            // The same resolution as Invoke-LambdaIdentityAssessment's -OutputPath (PowerShell paths; a file is OutputFolderIsFile).
            if (ResolveOutputFolder(OutputPath) is not { } full) return null;
            return ShouldProcess(full, $"Write the assessment merged from {_shards.Count} shard(s)") ? full : null;
        }).ConfigureAwait(false);
        if (folder is null || _shards.Count == 0) { if (Quiet) WriteObjectAsync(false); return; }
        context.Verbose($"Merging {_shards.Count} shard(s) into {folder}.");
        List<string> files;
        int code;
        try
        {
            var (merged, written, mergeErrors) = AssessmentMerger.MergeToFolder(_shards, folder, context);
            files = written;
            string why;
            (code, why) = AssessmentMerger.Verdict(merged, mergeErrors, FailOn);
            context.Verbose("Merge-LambdaIdentityAssessment: exit code " + code + " (" + why + ")");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Post(() => WriteError(new ErrorRecord(ex, "MergeFolderUnwritable", ErrorCategory.WriteError, folder)));
            if (Quiet) WriteObjectAsync(false);
            return;
        }
        if (Quiet) { WriteObjectAsync(code == ExitCodes.Ok); return; }
        foreach (var f in files) WriteObjectAsync(new FileInfo(f));
    }
}

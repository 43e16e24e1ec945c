using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Assessment;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Model;

namespace LambdaIdentity.PowerShell.Commands;

/// <summary>
/// Invoke-LambdaIdentityAssessment: `lambda-identity assess` as a cmdlet, through the same engine entry point: reads the
/// AWS side, designs the Azure side, checks the target when -AzureState is given, and writes the outputs into -OutputPath.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "LambdaIdentityAssessment", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(AssessmentSummary), typeof(bool))]
public sealed class InvokeLambdaIdentityAssessmentCommand : AsyncPSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string InputObjectSet = "InputObject";
    private readonly List<LambdaFunctionIdentity> _functions = new();
    private int _unconvertible;

    /// <summary>
    /// Inventory records read already (Get-LambdaIdentityInventory, live or from files; or their copies from JSON, Clixml or a
    /// job, which convert back): all are collected and assessed together once the pipeline ends. A copy that cannot be
    /// converted back is an error and makes the run's exit code 2 (-Quiet $false).
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    public LambdaFunctionIdentity[]? InputObject { get; set; }

    /// <summary>Templates, exports, authorization details or folders to read, as PowerShell paths with wildcards.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Files or folders to read, taken exactly as typed (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>The folder to write into (created when missing); this run's files replace an earlier run's.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string OutputPath { get; set; } = "";

    /// <summary>Offline Azure state (az CLI exports, ARM REST bodies, ARM templates; files or folders); parity is checked only with it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? AzureState { get; set; }

    /// <summary>
    /// The AWS side of the trust for dependencies that stay on AWS (aws iam get-account-authorization-details, get-role and
    /// get-open-id-connect-provider outputs; files or folders); without it those items are Unverifiable (not read).
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? AwsState { get; set; }

    /// <summary>A JSON or CSV file mapping AWS ARNs (or patterns) to Azure resource IDs (see New-AzResourceMap).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ResourceMap { get; set; }

    /// <summary>A rule file that adds to or overrides the default mapping rules.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RuleSet { get; set; }

    /// <summary>The Azure Functions hosting plan; decides what host storage needs.</summary>
    [Parameter]
    public HostingPlan HostingPlan { get; set; } = HostingPlan.FlexConsumption;

    /// <summary>Which parity results fail the run: None (default), Any, Access, Excess. Any level but None needs -AzureState.</summary>
    [Parameter]
    public ParityFailLevel FailOn { get; set; } = ParityFailLevel.None;

    /// <summary>Returns $true exactly when the run's exit code is 0 (docs/cli.md), else $false, instead of the summary.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <inheritdoc />
    protected override Task ProcessRecordAsync(EngineContext context)
    {
        if (CurrentRecordUnconvertible) _unconvertible++;
        if (InputObject != null && TakeOnce(nameof(InputObject), InputObject) is { } given) _functions.AddRange(given);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override async Task EndProcessingAsync(EngineContext context)
    {
        // Every path is resolved first; one that resolves to nothing stops the run before anything is written, as a
        // missing file stops `assess` (exit 64): a design or a verdict without its inputs would be silently different.
        var literal = ParameterSetName == LiteralPathSet;
        var piped = ParameterSetName == InputObjectSet;
        var (request, go) = await OnPipelineThread(() =>
        {
            if (piped && _functions.Count == 0)
                WriteError(new ErrorRecord(new InvalidDataException("No inventory record came in: nothing was assessed and nothing written."), "AssessmentInputEmpty", ErrorCategory.InvalidData, null));
            var paths = piped ? new List<string>() : ResolveInputPaths(literal ? LiteralPath : Path, literal);
            var unresolved = UnresolvedInputPaths;
            var state = AzureState is null ? new List<string>() : ResolveInputPaths(AzureState, literal: false);
            unresolved += AzureState is null ? 0 : UnresolvedInputPaths;
            var aws = AwsState is null ? new List<string>() : ResolveInputPaths(AwsState, literal: false);
            unresolved += AwsState is null ? 0 : UnresolvedInputPaths;
            var map = ResourceMap is null ? null : ResolveInputFile(ResourceMap);
            var rules = RuleSet is null ? null : ResolveInputFile(RuleSet);
            var folder = ResolveOutputFolder(OutputPath);
            var ok = unresolved == 0 && (piped ? _functions.Count > 0 : paths.Count > 0) && (ResourceMap is null || map is not null) && (RuleSet is null || rules is not null) && folder is not null;
            var request = new AssessmentRequest
            {
                Paths = paths, Inventory = piped ? _functions : null,
                PriorErrors = Enumerable.Range(0, _unconvertible).Select(i => new EngineError
                {
                    ErrorId = "InventoryRecordUnconvertible", Category = EngineErrorCategory.InvalidData, Target = "InputObject",
                    Message = "A piped inventory copy could not be converted back into a record (reported as an error when it came in): the assessment lacks it.",
                }).ToList(),
                AzureStatePaths = state, AwsStatePaths = aws, ResourceMapPath = map, RuleSetPath = rules, HostingPlan = HostingPlan, OutputFolder = folder ?? "", FailOn = FailOn,
            };
            return (request, ok ? ShouldProcess(folder!, "Write the assessment (" + string.Join(", ", AssessmentOutputs.FileNames) + ")") : (bool?)null);
        }).ConfigureAwait(false);
        if (go is null) { if (Quiet) WriteObjectAsync(false); return; }
        if (go == false) return; // -WhatIf, or declined: nothing read, nothing written

        AssessmentSummary summary;
        try { summary = (await AssessmentRunner.RunAsync(request, context).ConfigureAwait(false)).Summary; }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Post(() => WriteError(new ErrorRecord(ex, "AssessmentOutputUnwritable", ErrorCategory.WriteError, request.OutputFolder)));
            if (Quiet) WriteObjectAsync(false);
            return;
        }
        context.Verbose("Invoke-LambdaIdentityAssessment: exit code " + summary.ExitCode + " (" + summary.ExitReason + ")");
        if (Quiet) WriteObjectAsync(summary.ExitCode == ExitCodes.Ok);
        else WriteObjectAsync(summary);
    }
}

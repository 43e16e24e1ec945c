using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Threading.Tasks;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Model;

namespace LambdaIdentity.PowerShell.Commands;

/// <summary>Writes the migration report (features, deviations, expected role assignments, parity results) as Markdown, or the parity results as JUnit XML.</summary>
[Cmdlet(VerbsData.Export, "LambdaIdentityReport", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(FileInfo))]
public sealed class ExportLambdaIdentityReportCommand : AsyncPSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private readonly List<LambdaFunctionIdentity> _inventory = new();
    private readonly List<AzRoleMapping> _mappings = new();
    private readonly List<IdentityParityResult> _results = new();

    /// <summary>The report file to write (PowerShell paths; a wildcard must match one existing file).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The report file to write, taken as typed (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>Mapping records (from ConvertTo-AzRoleMapping).</summary>
    [Parameter(ValueFromPipeline = true)]
    public AzRoleMapping[]? Mapping { get; set; }

    /// <summary>Parity results (from Test-IdentityParity).</summary>
    [Parameter(ValueFromPipeline = true)]
    public IdentityParityResult[]? ParityResult { get; set; }

    /// <summary>Inventory records (from Get-LambdaIdentityInventory), for findings.</summary>
    [Parameter(ValueFromPipeline = true)]
    public LambdaFunctionIdentity[]? Inventory { get; set; }

    /// <summary>Markdown (default): the report; JUnit: the parity results as JUnit XML; Runbook: the migration runbook; Html: the self-contained HTML report.</summary>
    [Parameter]
    public ReportFormat Format { get; set; } = ReportFormat.Markdown;

    /// <summary>The report's title.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Title { get; set; } = "LambdaIdentity migration report";

    /// <summary>Overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override Task ProcessRecordAsync(EngineContext context)
    {
        // A parameter given on the command line is taken once, not once per piped record.
        if (TakeOnce(nameof(Mapping), Mapping) is { } m) _mappings.AddRange(m);
        if (TakeOnce(nameof(ParityResult), ParityResult) is { } r) _results.AddRange(r);
        if (TakeOnce(nameof(Inventory), Inventory) is { } i) _inventory.AddRange(i);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task EndProcessingAsync(EngineContext context)
    {
        Post(() =>
        {
            var typed = ParameterSetName == LiteralPathSet ? LiteralPath : Path;
            var empty = Format switch
            {
                ReportFormat.JUnit => _results.Count == 0,
                ReportFormat.Runbook or ReportFormat.Html => _mappings.Count == 0,
                _ => _mappings.Count + _results.Count + _inventory.Count == 0,
            };
            if (empty)
            {
                var what = Format switch { ReportFormat.JUnit => "no parity results", ReportFormat.Runbook or ReportFormat.Html => "no mapping records (the runbook is built from the mapping)", _ => "no inventory, mapping or parity records" };
                WriteError(new ErrorRecord(new InvalidDataException($"The report was not written: {what} came in."), "ReportInputEmpty", ErrorCategory.InvalidData, typed));
                return;
            }
            if (ResolveOutputPath(typed, ParameterSetName == LiteralPathSet) is not { } full) return;
            if (File.Exists(full) && !Force)
            {
                WriteError(new ErrorRecord(new IOException($"'{full}' exists; use -Force to overwrite."), "ReportFileExists", ErrorCategory.ResourceExists, full));
                return;
            }
            if (!ShouldProcess(full, Format switch { ReportFormat.JUnit => "Write JUnit parity results", ReportFormat.Runbook => "Write the migration runbook (and its step mappings next to it)", ReportFormat.Html => "Write the HTML report (and the runbook's step mappings next to it)", _ => "Write LambdaIdentity report" })) return;
            var written = TryWriteFile(full, "ReportFileUnwritable", f =>
            {
                if (Format == ReportFormat.JUnit) { JUnitWriter.WriteFile(_results, f); return; }
                if (Format is ReportFormat.Runbook or ReportFormat.Html)
                {
                    MigrationPlanWriter.WriteStandalone(new ReportInput { Inventory = _inventory, Mappings = _mappings, ParityResults = _results, Title = Title }, f, Format == ReportFormat.Html);
                    return;
                }
                using var w = new StreamWriter(f, false, new UTF8Encoding(false));
                MarkdownReport.Write(w, new ReportInput { Inventory = _inventory, Mappings = _mappings, ParityResults = _results, Title = Title });
            });
            if (written) WriteObject(new FileInfo(full));
        });
        return Task.CompletedTask;
    }
}

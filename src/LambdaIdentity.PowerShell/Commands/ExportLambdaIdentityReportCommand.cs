using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Threading.Tasks;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Model;

namespace LambdaIdentity.PowerShell.Commands;

/// <summary>Writes the migration report (features, deviations, expected role assignments, parity results) as Markdown.</summary>
[Cmdlet(VerbsData.Export, "LambdaIdentityReport", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportLambdaIdentityReportCommand : AsyncPSCmdlet
{
    private readonly List<LambdaFunctionIdentity> _inventory = new();
    private readonly List<AzRoleMapping> _mappings = new();
    private readonly List<IdentityParityResult> _results = new();

    /// <summary>The report file to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Mapping records (from ConvertTo-AzRoleMapping).</summary>
    [Parameter(ValueFromPipeline = true)]
    public AzRoleMapping[]? Mapping { get; set; }

    /// <summary>Parity results (from Test-IdentityParity).</summary>
    [Parameter(ValueFromPipeline = true)]
    public IdentityParityResult[]? ParityResult { get; set; }

    /// <summary>Inventory records (from Get-LambdaIdentityInventory), for findings.</summary>
    [Parameter(ValueFromPipeline = true)]
    public LambdaFunctionIdentity[]? Inventory { get; set; }

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
        var full = GetUnresolvedProviderPathFromPSPath(Path);
        Post(() =>
        {
            if (File.Exists(full) && !Force)
            {
                WriteError(new ErrorRecord(new IOException($"'{full}' exists; use -Force to overwrite."), "ReportFileExists", ErrorCategory.ResourceExists, full));
                return;
            }
            if (!ShouldProcess(full, "Write LambdaIdentity report")) return;
            using (var w = new StreamWriter(full, false, new UTF8Encoding(false)))
                MarkdownReport.Write(w, new ReportInput { Inventory = _inventory, Mappings = _mappings, ParityResults = _results, Title = Title });
            WriteObject(new FileInfo(full));
        });
        return Task.CompletedTask;
    }
}

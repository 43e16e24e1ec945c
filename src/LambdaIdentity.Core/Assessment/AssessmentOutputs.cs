using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Assessment;

/// <summary>What an assessment's outputs are written from.</summary>
public sealed class AssessmentData
{
    /// <summary>The inventory records.</summary>
    public IReadOnlyList<LambdaFunctionIdentity> Inventory { get; init; } = Array.Empty<LambdaFunctionIdentity>();
    /// <summary>The mapping records.</summary>
    public IReadOnlyList<AzRoleMapping> Mappings { get; init; } = Array.Empty<AzRoleMapping>();
    /// <summary>True when the Azure state was read and parity checked.</summary>
    public bool ParityChecked { get; init; }
    /// <summary>The parity results (empty when not checked).</summary>
    public IReadOnlyList<IdentityParityResult> ParityResults { get; init; } = Array.Empty<IdentityParityResult>();
    /// <summary>The errors of the run, in order.</summary>
    public IReadOnlyList<EngineError> Errors { get; init; } = Array.Empty<EngineError>();
    /// <summary>Findings about the account rather than one function (from the inventory's authorization details).</summary>
    public IReadOnlyList<Finding> AccountFindings { get; init; } = Array.Empty<Finding>();
    /// <summary>The Azure state paths parity read, as typed (the runbook's verification commands name them).</summary>
    public IReadOnlyList<string> AzureStatePaths { get; init; } = Array.Empty<string>();
    /// <summary>The reports' title (null: the default, "LambdaIdentity migration report").</summary>
    public string? ReportTitle { get; init; }
    /// <summary>The AWS state paths parity read, as typed.</summary>
    public IReadOnlyList<string> AwsStatePaths { get; init; } = Array.Empty<string>();
}

/// <summary>One file an assessment writes: its name, whether this run writes it, and how (straight to the file's stream).</summary>
public sealed class AssessmentOutput
{
    /// <summary>Creates an output.</summary>
    public AssessmentOutput(string fileName, Func<AssessmentData, bool> writtenWhen, Action<AssessmentData, Stream> write)
    {
        FileName = fileName; WrittenWhen = writtenWhen; Write = write;
    }

    /// <summary>The file's name in the output folder.</summary>
    public string FileName { get; }
    /// <summary>Whether this run writes the file (an earlier run's copy is removed either way).</summary>
    public Func<AssessmentData, bool> WrittenWhen { get; }
    /// <summary>Writes the file's content to its stream, as it is produced (no whole-file string).</summary>
    public Action<AssessmentData, Stream> Write { get; }
}

/// <summary>
/// Every file an assessment writes, in the order written: the one place to add an output. The run owns these names in
/// its output folder (an earlier run's copies are removed first); other files there are left alone.
/// </summary>
public static class AssessmentOutputs
{
    /// <summary>The Markdown report's file name.</summary>
    public const string ReportFileName = "report.md";

    private static readonly UTF8Encoding Utf8 = new(false);

    /// <summary>The outputs, in the order written.</summary>
    public static IReadOnlyList<AssessmentOutput> All { get; } = new[]
    {
        new AssessmentOutput("inventory.json", _ => true, (d, s) => ModelJson.Write(s, d.Inventory)),
        new AssessmentOutput("mapping.json", _ => true, (d, s) => ModelJson.Write(s, d.Mappings)),
        new AssessmentOutput("azure-design.bicep", _ => true, (d, s) => Text(s, w => MappingTemplateExporter.Write(w, d.Mappings, TemplateFormat.Bicep))),
        new AssessmentOutput("aws-trust.cfn.json", d => AwsTrustTemplateExporter.HasAny(d.Mappings), (d, s) => Text(s, w => MappingTemplateExporter.Write(w, d.Mappings, TemplateFormat.AwsCloudFormation))),
        new AssessmentOutput("aws-trust.tf.json", d => AwsTrustTemplateExporter.HasAny(d.Mappings), (d, s) => Text(s, w => MappingTemplateExporter.Write(w, d.Mappings, TemplateFormat.AwsTerraform))),
        new AssessmentOutput("parity.json", d => d.ParityChecked, (d, s) => ModelJson.Write(s, d.ParityResults)),
        new AssessmentOutput("parity-junit.xml", d => d.ParityChecked, (d, s) => JUnitWriter.Write(d.ParityResults, s)),
        new AssessmentOutput("errors.json", _ => true, (d, s) => ModelJson.Write(s, d.Errors)),
        new AssessmentOutput(ReportFileName, _ => true, (d, s) => Text(s, w => MarkdownReport.Write(w, Report(d)))),
    };

    /// <summary>
    /// Every file name the run owns in its folder: <see cref="All"/>, then the plan's (runbook.md, runbook.html, report.html
    /// and runbook/step-N-*.mapping.json, written by <see cref="MigrationPlanWriter"/> from the same records).
    /// </summary>
    public static IReadOnlyList<string> FileNames { get; } = All.Select(o => o.FileName).Concat(MigrationPlanWriter.Outputs).ToArray();

    /// <summary>Writes every output this run produces into <paramref name="folder"/>, then the migration plan; returns the files' paths in order.</summary>
    public static IReadOnlyList<string> WriteAll(AssessmentData data, string folder)
    {
        var written = new List<string>();
        foreach (var output in All)
        {
            if (!output.WrittenWhen(data)) continue;
            var path = Path.Combine(folder, output.FileName);
            using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                output.Write(data, stream);
            written.Add(path);
        }
        // The runbook (Markdown and HTML), the HTML report and each step's verification mapping (docs/runbook.md).
        written.AddRange(MigrationPlanWriter.Write(Report(data), folder,
            new MigrationPlanOptions { MappingPath = Path.Combine(folder, "mapping.json").Replace('\\', '/'), AzureStatePaths = data.AzureStatePaths.ToList(), AwsStatePaths = data.AwsStatePaths.ToList() }));
        return written;
    }

    private static ReportInput Report(AssessmentData d)
    {
        var input = new ReportInput { Inventory = d.Inventory, Mappings = d.Mappings, ParityResults = d.ParityResults, Errors = d.Errors, AccountFindings = d.AccountFindings };
        return d.ReportTitle is null ? input : new ReportInput { Inventory = d.Inventory, Mappings = d.Mappings, ParityResults = d.ParityResults, Errors = d.Errors, AccountFindings = d.AccountFindings, Title = d.ReportTitle };
    }

    private static void Text(Stream stream, Action<TextWriter> write)
    {
        using var w = new StreamWriter(stream, Utf8, 1 << 16, leaveOpen: true);
        write(w);
    }
}

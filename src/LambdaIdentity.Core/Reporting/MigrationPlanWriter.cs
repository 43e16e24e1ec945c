using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using LambdaIdentity.Core.Serialization;

namespace LambdaIdentity.Core.Reporting;

/// <summary>Writes the runbook (Markdown and HTML), the HTML report and each step's verification mapping into an output folder.</summary>
public static class MigrationPlanWriter
{
    /// <summary>The runbook in Markdown.</summary>
    public const string RunbookMarkdown = "runbook.md";
    /// <summary>The runbook as an HTML page.</summary>
    public const string RunbookHtml = "runbook.html";
    /// <summary>The whole report as one self-contained HTML page.</summary>
    public const string ReportHtml = "report.html";

    /// <summary>Every file this writer may write, relative to the output folder (an earlier run's copies should be removed first).</summary>
    public static IReadOnlyList<string> Outputs { get; } = new[] { RunbookMarkdown, RunbookHtml, ReportHtml }.Concat(MigrationPlanBuilder.StepFiles).ToArray();

    /// <summary>
    /// Builds the plan and writes runbook.md, runbook.html, report.html and runbook/step-N-*.mapping.json into
    /// <paramref name="folder"/>. <paramref name="options"/>' MappingPath names the mapping file as the reader types it
    /// (e.g. out/demo/mapping.json); the step files go next to it. Returns the files written.
    /// </summary>
    public static IReadOnlyList<string> Write(ReportInput input, string folder, MigrationPlanOptions options)
    {
        var plan = MigrationPlanBuilder.Build(input, options);
        var written = new List<string>();
        var utf8 = new UTF8Encoding(false);
        written.AddRange(WriteSteps(plan, folder));
        var md = Path.Combine(folder, RunbookMarkdown);
        using (var w = new StreamWriter(md, false, utf8)) MigrationPlanMarkdown.Write(w, plan, input);
        written.Add(md);
        var runbookHtml = Path.Combine(folder, RunbookHtml);
        using (var w = new StreamWriter(runbookHtml, false, utf8)) HtmlReport.Write(w, input, plan, HtmlReportKind.Runbook);
        written.Add(runbookHtml);
        var reportHtml = Path.Combine(folder, ReportHtml);
        using (var w = new StreamWriter(reportHtml, false, utf8)) HtmlReport.Write(w, input, plan, HtmlReportKind.Report);
        written.Add(reportHtml);
        return written;
    }

    /// <summary>
    /// For a report written alone (Export-LambdaIdentityReport -Format Runbook or Html): writes <paramref name="file"/> (the
    /// runbook in Markdown, or the HTML report), and next to it the mapping the commands read (<c>&lt;name&gt;.mapping.json</c>)
    /// and each step's verification mapping (<c>runbook/step-N-*.mapping.json</c>); the commands are relative to the file's
    /// folder and read ARM live (no Azure state path is known here). Returns the files written.
    /// </summary>
    public static IReadOnlyList<string> WriteStandalone(ReportInput input, string file, bool html)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";
        var mappingName = Path.GetFileNameWithoutExtension(file) + ".mapping.json";
        var plan = MigrationPlanBuilder.Build(input, new MigrationPlanOptions { MappingPath = mappingName });
        var utf8 = new UTF8Encoding(false);
        var written = new List<string>();
        var mappingFile = Path.Combine(folder, mappingName);
        File.WriteAllText(mappingFile, ModelJson.Serialize(input.Mappings), utf8);
        written.Add(mappingFile);
        written.AddRange(WriteSteps(plan, folder));
        using (var w = new StreamWriter(file, false, utf8))
        {
            if (html) HtmlReport.Write(w, input, plan, HtmlReportKind.Report);
            else MigrationPlanMarkdown.Write(w, plan, input);
        }
        written.Add(file);
        return written;
    }

    private static IEnumerable<string> WriteSteps(MigrationPlan plan, string folder)
    {
        var written = new List<string>();
        Directory.CreateDirectory(Path.Combine(folder, MigrationPlanBuilder.StepFolder));
        foreach (var step in plan.Steps.Where(s => s.Kind != CutoverStepKind.SwitchTraffic && s.VerificationMappingFile is not null))
        {
            var records = plan.Steps.Where(s => s.Number <= step.Number).SelectMany(s => s.Mappings);
            var file = Path.Combine(folder, MigrationPlanBuilder.StepFolder, MigrationPlanBuilder.StepFileName(step.Kind));
            File.WriteAllText(file, ModelJson.Serialize(records), new UTF8Encoding(false));
            written.Add(file);
        }
        return written;
    }
}

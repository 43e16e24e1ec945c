using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Reporting;

/// <summary>What a report is written from; any part may be empty.</summary>
public sealed class ReportInput
{
    /// <summary>Inventory records (findings, function list).</summary>
    public IReadOnlyList<LambdaFunctionIdentity> Inventory { get; init; } = Array.Empty<LambdaFunctionIdentity>();
    /// <summary>Mapping records (feature, deviation and role-assignment tables).</summary>
    public IReadOnlyList<AzRoleMapping> Mappings { get; init; } = Array.Empty<AzRoleMapping>();
    /// <summary>Parity results, when a target was checked.</summary>
    public IReadOnlyList<IdentityParityResult> ParityResults { get; init; } = Array.Empty<IdentityParityResult>();
    /// <summary>Errors of the run (what could not be read).</summary>
    public IReadOnlyList<EngineError> Errors { get; init; } = Array.Empty<EngineError>();
    /// <summary>Findings about the account rather than one function (authorization details with no function, risky trust, unused roles).</summary>
    public IReadOnlyList<Finding> AccountFindings { get; init; } = Array.Empty<Finding>();
    /// <summary>The report's title.</summary>
    public string Title { get; init; } = "LambdaIdentity migration report";
}

/// <summary>Writes the migration report in Markdown, shaped like the migration specification.</summary>
public static class MarkdownReport
{
    /// <summary>Writes the whole report.</summary>
    public static void Write(TextWriter w, ReportInput input)
    {
        w.WriteLine("# " + input.Title);
        w.WriteLine();
        WriteSummary(w, input);


        w.WriteLine("## Features");
        w.WriteLine();
        Table(w, new[] { "Function", "Surface", "Feature", "AWS implementation", "Azure implementation", "Migration strategy" },
            input.Mappings.Select(m => new[]
            {
                m.FunctionName, m.Surface.ToString(), m.Kind.ToString(), m.AwsFeature, m.AzureFeature,
                m.Strategy + (string.IsNullOrEmpty(m.Reason) ? "" : ": " + m.Reason),
            }));

        w.WriteLine("## Deviations");
        w.WriteLine();
        Table(w, new[] { "Function", "Feature", "Deviation", "Impact", "Mitigation" },
            input.Mappings.Where(m => m.Strategy == MappingStrategy.Deviation).Select(m => new[]
            {
                m.FunctionName, m.AwsFeature, m.Reason, m.Impact ?? "", m.Mitigation ?? "",
            }));

        w.WriteLine("## Expected role assignments");
        w.WriteLine();
        Table(w, new[] { "Function app", "Principal", "Role", "Role definition id", "Scope", "Strategy", "PIM" },
            input.Mappings.Where(m => m.Kind == MappingKind.RoleAssignment && m.RoleDefinitionName != null).Select(m => new[]
            {
                m.FunctionAppName, m.PrincipalName ?? m.ObjectId ?? "", m.RoleDefinitionName ?? "", m.RoleDefinitionId ?? "",
                m.Scope ?? "", m.Strategy.ToString(), m.PimEligible ? "eligible" : "",
            }));

        if (input.ParityResults.Count > 0)
        {
            w.WriteLine("## Parity results");
            w.WriteLine();
            Table(w, new[] { "Status", "Function app", "Surface", "Kind", "Expected", "Actual", "Reason" },
                input.ParityResults
                    .OrderBy(r => r.Status switch { ParityStatus.Pass => 1, ParityStatus.NotApplicable => 2, _ => 0 }).ThenBy(r => r.FunctionAppName, StringComparer.Ordinal)
                    .Select(r => new[] { r.Status + (r.EvidenceUnread ? " (not read)" : ""), r.FunctionAppName, r.Surface.ToString(), r.Kind.ToString(), r.Expected, r.Actual, r.Reason }));
        }

        var findings = input.Inventory.SelectMany(f => f.Findings.Select(x => (f.FunctionName, x)))
            .Concat(input.Mappings.SelectMany(m => m.Findings.Select(x => (m.FunctionName, x))))
            .GroupBy(x => (x.FunctionName, x.x.FindingId, x.x.Message)).Select(g => g.First())
            .Concat(input.AccountFindings.Select(x => (FunctionName: AccountRow, x))).ToList();
        if (findings.Count > 0)
        {
            w.WriteLine("## Findings");
            w.WriteLine();
            Table(w, new[] { "Function", "Severity", "Finding", "Message", "Recommendation" },
                findings.OrderByDescending(x => x.x.Severity).ThenBy(x => x.FunctionName, StringComparer.Ordinal)
                    .Select(x => new[] { x.FunctionName, x.x.Severity.ToString(), x.x.FindingId, x.x.Message, x.x.Recommendation ?? "" }));
        }

        if (input.Mappings.Count + input.Inventory.Count > 0)
        {
            var graphs = IdentityGraphBuilder.Build(input);
            w.WriteLine("## Identity graphs");
            w.WriteLine();
            w.WriteLine("Per function: callers, identity, roles and resources on AWS today and on Azure after the migration (Mermaid).");
            w.WriteLine();
            foreach (var (current, target) in graphs)
            {
                w.WriteLine("### " + MigrationPlanMarkdown.T(current.FunctionName) + (current.FunctionAppName.Length > 0 ? " → " + MigrationPlanMarkdown.T(current.FunctionAppName) : ""));
                w.WriteLine();
                w.WriteLine("AWS today:");
                w.WriteLine();
                IdentityGraphMermaid.Write(w, current);
                w.WriteLine("Azure target:");
                w.WriteLine();
                IdentityGraphMermaid.Write(w, target);
            }
        }

        if (input.Errors.Count > 0)
        {
            w.WriteLine("## What could not be read");
            w.WriteLine();
            Table(w, new[] { "Error", "Target", "Location", "Message" },
                input.Errors.Select(e => new[] { e.ErrorId, e.Target, e.Location?.ToString() ?? "", e.Message }));
        }
    }

    /// <summary>The Function cell of a finding about the account.</summary>
    public const string AccountRow = "(account)";

    private static void WriteSummary(TextWriter w, ReportInput input)
    {
        w.WriteLine("## Summary");
        w.WriteLine();
        w.WriteLine($"- Functions: {input.Inventory.Count} read, {input.Mappings.Select(m => m.FunctionAppName).Distinct(StringComparer.Ordinal).Count()} mapped");
        var strategies = input.Mappings.GroupBy(m => m.Strategy).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}");
        w.WriteLine($"- Mapping items: {input.Mappings.Count} ({string.Join(", ", strategies)})");
        if (input.ParityResults.Count > 0)
        {
            w.WriteLine($"- Parity: {LambdaIdentity.Core.Parity.ParityVerdict.Summary(input.ParityResults)}");
            var unread = input.ParityResults.Count(r => r.EvidenceUnread);
            if (unread > 0) w.WriteLine($"- Unverifiable because evidence could not be read: {unread} (these fail every gate level but None)");
        }
        w.WriteLine($"- Findings: {input.Inventory.Sum(f => f.Findings.Count) + input.Mappings.Sum(m => m.Findings.Count) + input.AccountFindings.Count}");
        foreach (var f in input.AccountFindings.Where(f => f.FindingId == "NoLambdaFunction")) w.WriteLine("- " + f.Message);
        w.WriteLine($"- Errors: {input.Errors.Count}");
        w.WriteLine();
    }

    /// <summary>Writes a Markdown table; an empty table says so in words.</summary>
    public static void Table(TextWriter w, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        // Row by row as the rows are made: the table is never held whole.
        using var e = rows.GetEnumerator();
        if (!e.MoveNext())
        {
            w.WriteLine("_None._");
            w.WriteLine();
            return;
        }
        w.WriteLine("| " + string.Join(" | ", headers.Select(Cell)) + " |");
        w.WriteLine("|" + string.Concat(headers.Select(_ => "---|")));
        do w.WriteLine("| " + string.Join(" | ", e.Current.Select(Cell)) + " |");
        while (e.MoveNext());
        w.WriteLine();
    }

    /// <summary>Escapes a value for a Markdown table cell (pipes, line breaks, and the characters that start HTML).</summary>
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        // &, < and > as entities: a name holding markup (a <script> in a function or role name) stays text in any renderer.
        return value!.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\\", "\\\\").Replace("|", "\\|").Replace("\r\n", "<br>").Replace("\n", "<br>").Replace("\r", "");
    }
}

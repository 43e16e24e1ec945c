using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Reporting;

/// <summary>
/// Azure Pipelines logging commands (##vso[...]) for a parity run: one task.logissue per failing result, so the
/// build's summary lists what was lost or added, and task.uploadsummary to attach the Markdown report to the run.
/// The agent reads them from stdout; values are escaped as the agent expects, so no result text can inject a command.
/// </summary>
public static class AzureDevOpsCommands
{
    /// <summary>True when running inside an Azure Pipelines job (the agent sets TF_BUILD=True).</summary>
    public static bool IsAzurePipelines(Func<string, string?>? env = null)
        => string.Equals((env ?? Environment.GetEnvironmentVariable)("TF_BUILD"), "True", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Writes one task.logissue per result that fails at <paramref name="level"/> (error for lost or added access,
    /// warning for Unverifiable when only Any fails), at most <paramref name="max"/>, then one line counting the rest.
    /// </summary>
    public static void WriteIssues(TextWriter w, IEnumerable<IdentityParityResult> results, ParityFailLevel level, int max = 100)
    {
        var failing = results.Where(r => ParityVerdict.Fails(r, level)).ToList();
        foreach (var r in failing.Take(max))
        {
            // Unread evidence fails the run, so it is an error; an Unverifiable design (failing only at Any) a warning.
            var type = r.Status == ParityStatus.Unverifiable && !r.EvidenceUnread ? "warning" : "error";
            var code = "IdentityParity" + r.Status;
            var who = r.FunctionName is { Length: > 0 } ? r.FunctionName : r.FunctionAppName;
            w.WriteLine("##vso[task.logissue type=" + type + ";code=" + code + "]" + Message(r.Status + " " + who + ": " + r.Expected + " | actual: " + r.Actual + " | " + r.Reason));
        }
        if (failing.Count > max)
            w.WriteLine("##vso[task.logissue type=error;code=IdentityParityMore]" + Message((failing.Count - max) + " more identity parity results fail at " + level + "; see the published test results."));
    }

    /// <summary>Attaches a Markdown file to the run's summary page.</summary>
    public static void WriteUploadSummary(TextWriter w, string markdownPath)
        => w.WriteLine("##vso[task.uploadsummary]" + Message(Path.GetFullPath(markdownPath)));

    /// <summary>
    /// Escapes a command's message the way the agent unescapes it (%, CR, LF); other control characters (terminal escape
    /// sequences) become visible \uXXXX text, and a nested "##vso[" or "##[" is defused, so no value can start a command.
    /// </summary>
    public static string Message(string? s)
    {
        var sb = new StringBuilder((s ?? "").Length);
        foreach (var c in s ?? "")
            switch (c)
            {
                case '%': sb.Append("%AZP25"); break;
                case '\r': sb.Append("%0D"); break;
                case '\n': sb.Append("%0A"); break;
                default:
                    if (ConsoleText.IsUnsafe(c)) ConsoleText.AppendEscaped(sb, c);
                    else sb.Append(c);
                    break;
            }
        return ConsoleText.DefuseCommands(sb.ToString());
    }
}

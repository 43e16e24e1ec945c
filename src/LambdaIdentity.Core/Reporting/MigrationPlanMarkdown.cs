using System;
using System.IO;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Reporting;

/// <summary>Writes the migration runbook as Markdown (commands in code spans and blocks; every other text HTML-escaped).</summary>
public static class MigrationPlanMarkdown
{
    /// <summary>Writes the runbook.</summary>
    public static void Write(TextWriter w, MigrationPlan plan, ReportInput? graphs = null)
    {
        w.WriteLine("# " + T(plan.Title));
        w.WriteLine();
        w.WriteLine("Run every command from the folder its paths are relative to (where `assess` ran, or the runbook folder when Export-LambdaIdentityReport wrote it): it reads " + Code(plan.MappingPath) + " and "
            + (plan.AzureStatePaths.Count > 0 ? "the Azure evidence " + string.Join(", ", plan.AzureStatePaths.Select(Code)) + " (export it again after each step)" : "ARM live (set `SUBSCRIPTION_ID` / `$SubscriptionId`)")
            + ". Each step's check reads the records of that step and of every step before it, so a step passes once it and its predecessors are done; "
            + "steps 1 to 7 fail on lost access (`--fail-on Lost`: Missing, Drift), step 8 and the sign-off on added access too (`--fail-on " + plan.SignOff.Level + "`). "
            + "A check exits 0 (PowerShell: `$true`) when it passes, 1 when a result fails, 2 when evidence could not be read: never go on after 1 or 2."
            + (plan.SignOff.Cli.Contains("\"$AWS_STATE\"") ? " The checks from the AWS-side trust step on also read the AWS side as deployed: set `AWS_STATE` / `$AwsState` to the `aws iam get-account-authorization-details` (or `get-role`) and `aws iam get-open-id-connect-provider` exports (docs/aws-trust.md); without them those items are unread and the check exits 2."
               : plan.SignOff.Cli.Contains("--aws-state") ? " The checks from the AWS-side trust step on also read the AWS side as deployed (`--aws-state`): export it again after deploying aws-trust.cfn.json or aws-trust.tf.json." : ""));
        w.WriteLine();

        w.WriteLine("## Cutover steps");
        w.WriteLine();
        foreach (var s in plan.Steps)
        {
            w.WriteLine($"### {s.Number}. {T(s.Title)}");
            w.WriteLine();
            w.WriteLine(T(s.Purpose));
            w.WriteLine();
            if (s.Actions.Count == 0) w.WriteLine("_Nothing to do in this workload._");
            foreach (var a in s.Actions)
            {
                var who = a.FunctionAppName.Length > 0 ? "**" + T(a.FunctionAppName) + "**: " : "";
                w.WriteLine("- [ ] " + who + (a.IsDeviation ? "**Deviation.** " : "") + T(a.Action)
                    + (a.Mitigation is { Length: > 0 } mit ? " " + T(mit) : "")
                    + (a.Command is { } c ? " " + Code(c) : ""));
            }
            w.WriteLine();
            if (s.VerifyCli is not null)
            {
                w.WriteLine("Verify (" + (s.Kind == CutoverStepKind.SwitchTraffic ? "the whole design" : "steps 1 to " + s.Number + ", " + Code(s.VerificationMappingFile!)) + "):");
                w.WriteLine();
                Block(w, "bash", s.VerifyCli);
                Block(w, "powershell", s.VerifyPowerShell!);
            }
            else w.WriteLine("Verify: nothing in this step is checked by parity.");
            if (s.OtherChecks.Count > 0)
            {
                w.WriteLine("Read the trust on AWS:");
                w.WriteLine();
                Block(w, "bash", string.Join("\n", s.OtherChecks));
            }
            w.WriteLine();
        }
        if (plan.NothingToDo.Count > 0)
        {
            w.WriteLine("### Nothing to carry over");
            w.WriteLine();
            MarkdownReport.Table(w, new[] { "Function app", "AWS feature", "Why nothing is needed" },
                plan.NothingToDo.Select(m => new[] { H(m.FunctionAppName), H(m.AwsFeature), H(m.Reason) }));
        }

        w.WriteLine("## Rollback triggers");
        w.WriteLine();
        w.WriteLine(plan.ParityChecked ? "Evaluated on the parity results of this run." : "Not evaluated: this run checked no Azure target (give `--azure-state`). Run each detection command during the cutover.");
        w.WriteLine();
        foreach (var t in plan.RollbackTriggers)
        {
            var state = !t.Evaluated ? "not evaluated" : t.FiredBy.Count == 0 ? "not fired" : "**FIRED by " + t.FiredBy.Count + " result(s)**";
            w.WriteLine($"### {T(t.TriggerId)}: {(t.Response == RollbackResponse.RollBack ? "roll back" : "stop and fix")} ({state})");
            w.WriteLine();
            w.WriteLine(T(t.Condition) + ".");
            w.WriteLine();
            Block(w, "powershell", t.DetectCommand);
            if (t.FiredBy.Count > 0)
                MarkdownReport.Table(w, new[] { "Status", "Function app", "Surface", "Expected", "Reason" },
                    t.FiredBy.Select(r => new[] { r.Status + (r.EvidenceUnread ? " (not read)" : ""), H(r.FunctionAppName), r.Surface.ToString(), H(r.Expected), H(r.Reason) }));
        }

        w.WriteLine("## Rollback steps");
        w.WriteLine();
        var n = 0;
        foreach (var a in plan.RollbackSteps)
            w.WriteLine($"{++n}. " + T(a.Action) + (a.Command is { } c ? " " + Code(c) : ""));
        w.WriteLine();

        w.WriteLine("## Sign-off");
        w.WriteLine();
        w.WriteLine($"The acceptance gate is parity at `--fail-on {plan.SignOff.Level}`; it passes only on evidence it read:");
        w.WriteLine();
        Block(w, "bash", plan.SignOff.Cli);
        Block(w, "powershell", plan.SignOff.PowerShell);
        if (plan.SignOff.Current is { } cur)
        {
            w.WriteLine($"On this run's parity results the gate exits **{cur.ExitCode}** ({T(cur.Reason)}).");
            w.WriteLine();
        }
        w.WriteLine("Acceptance criteria:");
        w.WriteLine();
        foreach (var c in plan.SignOff.Criteria) w.WriteLine("- [ ] " + T(c));
        w.WriteLine();
        w.WriteLine("### Signed off by hand");
        w.WriteLine();
        MarkdownReport.Table(w, new[] { "Function app", "Feature", "Why the gate cannot judge it", "Impact", "Mitigation", "Reviewer" },
            plan.SignOff.ManualReview.Select(m => new[] { H(m.FunctionAppName), H(m.AwsFeature), H(m.ScopeIsPlaceholder ? "placeholder scope " + m.Scope : m.Reason), H(m.Impact), H(m.Mitigation), "" }));

        w.WriteLine("## Client configuration changes");
        w.WriteLine();
        MarkdownReport.Table(w, new[] { "Function", "Function app", "Client", "Change", "From (AWS)", "To (Azure)" },
            plan.ClientChanges.Select(c => new[] { H(c.FunctionName), H(c.FunctionAppName), H(c.Client), c.What, H(c.From), H(c.To) }));

        if (graphs is not null)
        {
            w.WriteLine("## Target architecture");
            w.WriteLine();
            IdentityGraphMermaid.WriteAll(w, IdentityGraphBuilder.Build(graphs), current: false);
        }
    }

    /// <summary>Text outside code: HTML-escaped so a name holding markup stays text in any Markdown renderer.</summary>
    internal static string T(string? s) => string.IsNullOrEmpty(s) ? "" : Html(s!).Replace("\r\n", " ").Replace("\n", " ").Replace("\r", " ").Replace("*", "\\*").Replace("_", "\\_").Replace("`", "\\`").Replace("[", "\\[");

    /// <summary>Text for a table cell: the table writer (<see cref="MarkdownReport.Cell"/>) escapes markup, pipes and line breaks.</summary>
    internal static string H(string? s) => s ?? "";

    // Only the characters that start markup or an entity: a name holding <script> stays text in any renderer.
    private static string Html(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>An inline code span that holds any text (a backtick run longer than any inside it).</summary>
    internal static string Code(string s)
    {
        s = s.Replace("\r", " ").Replace("\n", " ");
        var longest = 0; var run = 0;
        foreach (var ch in s) { run = ch == '`' ? run + 1 : 0; longest = Math.Max(longest, run); }
        var fence = new string('`', longest + 1);
        var pad = s.StartsWith("`", StringComparison.Ordinal) || s.EndsWith("`", StringComparison.Ordinal) ? " " : "";
        return fence + pad + s + pad + fence;
    }

    private static void Block(TextWriter w, string lang, string text)
    {
        var longest = 2; var run = 0;
        foreach (var ch in text) { run = ch == '`' ? run + 1 : 0; longest = Math.Max(longest, run); }
        var fence = new string('`', longest + 1);
        w.WriteLine(fence + lang);
        w.WriteLine(text);
        w.WriteLine(fence);
        w.WriteLine();
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Reporting;

/// <summary>What the HTML page holds.</summary>
public enum HtmlReportKind
{
    /// <summary>The whole report: summary, current and target identity graphs, the runbook and every table.</summary>
    Report,
    /// <summary>The runbook only, with the target graphs.</summary>
    Runbook,
}

/// <summary>
/// Writes a self-contained HTML page: styles and script inline and pinned by a Content-Security-Policy that allows no
/// network fetch and no other script; identity graphs as inline SVG; tables sortable (click a heading) and filtered (by
/// function, by text, parity by status). Every field is HTML-escaped, so a name holding markup stays text.
/// </summary>
public static class HtmlReport
{
    /// <summary>Writes the page.</summary>
    public static void Write(TextWriter w, ReportInput input, MigrationPlan plan, HtmlReportKind kind = HtmlReportKind.Report)
    {
        var body = new StringBuilder();
        var graphs = IdentityGraphBuilder.Build(input);
        var functions = input.Mappings.Select(m => m.FunctionName).Concat(input.Inventory.Select(f => f.FunctionName)).Distinct(StringComparer.Ordinal).OrderBy(x => x, StringComparer.Ordinal).ToList();
        var title = kind == HtmlReportKind.Runbook ? plan.Title : input.Title;

        body.Append("<header><h1>").Append(E(title)).Append("</h1>\n<div class=\"controls\"><label>Function <select id=\"function-filter\"><option value=\"\">all functions</option>");
        foreach (var f in functions) body.Append("<option value=\"").Append(E(f)).Append("\">").Append(E(f)).Append("</option>");
        body.Append("</select></label></div></header>\n<main>\n");

        if (kind == HtmlReportKind.Report)
        {
            Summary(body, input);
            body.Append("<section id=\"graphs\"><h2>Identity graphs</h2>\n<p>Per function: who calls it, which identity it runs as, and what that identity reaches, on AWS today and on Azure after the migration (AWS-side trust included). Hover a box for its full text.</p>\n");
            foreach (var (c, t) in graphs)
            {
                body.Append("<div class=\"function-graphs\" data-function=\"").Append(E(c.FunctionName)).Append("\"><h3>").Append(E(c.FunctionName))
                    .Append(c.FunctionAppName.Length > 0 ? " → " + E(c.FunctionAppName) : "").Append("</h3>\n<div class=\"pair\">");
                Figure(body, "AWS today", c);
                Figure(body, "Azure target", t);
                body.Append("</div></div>\n");
            }
            body.Append("</section>\n");
        }
        Runbook(body, plan, kind == HtmlReportKind.Runbook ? graphs : null);
        if (kind == HtmlReportKind.Report) Tables(body, input);
        body.Append("</main>\n");

        var style = Style;
        var script = Script;
        w.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        w.Write("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src '" + Hash(style) + "'; script-src '" + Hash(script) + "'; img-src data:; base-uri 'none'; form-action 'none'\">\n");
        w.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n");
        w.Write("<title>" + E(title) + "</title>\n<style>" + style + "</style>\n</head>\n<body>\n");
        w.Write(body.ToString());
        w.Write("<script>" + script + "</script>\n</body>\n</html>\n");
    }

    private static void Figure(StringBuilder b, string caption, IdentityGraph g)
    {
        b.Append("<figure><figcaption>").Append(E(caption)).Append("</figcaption>").Append(IdentityGraphSvg.Render(g));
        if (g.Omitted > 0) b.Append("<p class=\"note\">").Append(g.Omitted).Append(" more node(s) left out of the diagram; the tables list every item.</p>");
        b.Append("</figure>");
    }

    private static void Summary(StringBuilder b, ReportInput input)
    {
        b.Append("<section id=\"summary\"><h2>Summary</h2><ul>");
        b.Append("<li>Functions: ").Append(input.Inventory.Count).Append(" read, ").Append(input.Mappings.Select(m => m.FunctionAppName).Distinct(StringComparer.Ordinal).Count()).Append(" mapped</li>");
        b.Append("<li>Mapping items: ").Append(input.Mappings.Count).Append(" (").Append(E(string.Join(", ", input.Mappings.GroupBy(m => m.Strategy).OrderBy(g => g.Key).Select(g => g.Key + " " + g.Count())))).Append(")</li>");
        b.Append("<li>Parity: ").Append(input.ParityResults.Count > 0 ? E(ParityVerdict.Summary(input.ParityResults)) : "not checked").Append("</li>");
        b.Append("<li>Findings: ").Append(input.Inventory.Sum(f => f.Findings.Count) + input.Mappings.Sum(m => m.Findings.Count) + input.AccountFindings.Count).Append("</li>");
        foreach (var f in input.AccountFindings.Where(f => f.FindingId == "NoLambdaFunction")) b.Append("<li>").Append(E(f.Message)).Append("</li>");
        b.Append("<li>Errors: ").Append(input.Errors.Count).Append("</li></ul></section>\n");
    }

    private static void Runbook(StringBuilder b, MigrationPlan plan, IReadOnlyList<(IdentityGraph Current, IdentityGraph Target)>? targetGraphs)
    {
        b.Append("<section id=\"runbook\"><h2>Runbook</h2>\n<p>Run every command from the folder its paths are relative to (where <code>assess</code> ran, or the folder of this page when Export-LambdaIdentityReport wrote it). Each step's check reads the records of that step and of every step before it; steps 1 to 7 fail on lost access (<code>--fail-on Lost</code>), step 8 and the sign-off on added access too; it exits 0 (PowerShell: <code>$true</code>) when it passes, 1 when a result fails, 2 when evidence could not be read.</p>\n");
        b.Append("<h3>Cutover steps</h3>\n<ol class=\"steps\">");
        foreach (var s in plan.Steps)
        {
            b.Append("<li class=\"step\" id=\"step-").Append(s.Number).Append("\"><h4>").Append(E(s.Title)).Append("</h4><p>").Append(E(s.Purpose)).Append("</p><ul class=\"actions\">");
            if (s.Actions.Count == 0) b.Append("<li><em>Nothing to do in this workload.</em></li>");
            foreach (var a in s.Actions)
            {
                b.Append("<li data-function=\"").Append(E(a.FunctionName)).Append("\">");
                if (a.FunctionAppName.Length > 0) b.Append("<strong>").Append(E(a.FunctionAppName)).Append("</strong>: ");
                if (a.IsDeviation) b.Append("<span class=\"badge deviation\">Deviation</span> ");
                b.Append(E(a.Action));
                if (a.Mitigation is { Length: > 0 } mit) b.Append(" <span class=\"mitigation\">").Append(E(mit)).Append("</span>");
                if (a.Command is { } c) b.Append(" <code>").Append(E(c)).Append("</code>");
                b.Append("</li>");
            }
            b.Append("</ul>");
            if (s.VerifyCli is not null)
                b.Append("<p>Verify:</p><pre class=\"verify\"><code>").Append(E(s.VerifyCli)).Append("</code></pre><pre class=\"verify\"><code>").Append(E(s.VerifyPowerShell!)).Append("</code></pre>");
            else b.Append("<p>Verify: nothing in this step is checked by parity.</p>");
            if (s.OtherChecks.Count > 0) b.Append("<p>Read the trust on AWS:</p><pre><code>").Append(E(string.Join("\n", s.OtherChecks))).Append("</code></pre>");
            b.Append("</li>\n");
        }
        b.Append("</ol>\n");
        if (plan.NothingToDo.Count > 0)
            Table(b, "nothing-to-do", "Nothing to carry over", new[] { "Function", "Function app", "AWS feature", "Why nothing is needed" },
                plan.NothingToDo.Select(m => (m.FunctionName, (IReadOnlyList<string>)new[] { m.FunctionName, m.FunctionAppName, m.AwsFeature, m.Reason })));

        b.Append("<h3>Rollback triggers</h3>\n<p>").Append(plan.ParityChecked ? "Evaluated on the parity results of this run." : "Not evaluated: this run checked no Azure target. Run each detection command during the cutover.").Append("</p><ul class=\"triggers\">");
        foreach (var t in plan.RollbackTriggers)
        {
            var state = !t.Evaluated ? "not evaluated" : t.FiredBy.Count == 0 ? "not fired" : "FIRED by " + t.FiredBy.Count + " result(s)";
            b.Append("<li class=\"trigger ").Append(t.FiredBy.Count > 0 ? "fired" : "quiet").Append("\"><strong>").Append(E(t.TriggerId)).Append("</strong> (")
                .Append(t.Response == RollbackResponse.RollBack ? "roll back" : "stop and fix").Append("; ").Append(E(state)).Append("): ").Append(E(t.Condition))
                .Append("<pre><code>").Append(E(t.DetectCommand)).Append("</code></pre>");
            if (t.FiredBy.Count > 0)
            {
                b.Append("<ul>");
                foreach (var r in t.FiredBy) b.Append("<li data-function=\"").Append(E(r.FunctionName)).Append("\">").Append(E(r.Status + " " + r.FunctionAppName + ": " + r.Expected + ": " + r.Reason)).Append("</li>");
                b.Append("</ul>");
            }
            b.Append("</li>");
        }
        b.Append("</ul>\n<h3>Rollback steps</h3><ol>");
        foreach (var a in plan.RollbackSteps)
        {
            b.Append("<li data-function=\"").Append(E(a.FunctionName)).Append("\">").Append(E(a.Action));
            if (a.Command is { } c) b.Append(" <code>").Append(E(c)).Append("</code>");
            b.Append("</li>");
        }
        b.Append("</ol>\n<h3>Sign-off</h3><p>The acceptance gate is parity at <code>--fail-on ").Append(plan.SignOff.Level).Append("</code>:</p><pre class=\"gate\"><code>")
            .Append(E(plan.SignOff.Cli)).Append("</code></pre><pre class=\"gate\"><code>").Append(E(plan.SignOff.PowerShell)).Append("</code></pre>");
        if (plan.SignOff.Current is { } cur) b.Append("<p>On this run's parity results the gate exits <strong>").Append(cur.ExitCode).Append("</strong> (").Append(E(cur.Reason)).Append(").</p>");
        b.Append("<ul class=\"criteria\">");
        foreach (var c in plan.SignOff.Criteria) b.Append("<li>").Append(E(c)).Append("</li>");
        b.Append("</ul>\n");
        Table(b, "manual-review", "Signed off by hand", new[] { "Function", "Function app", "Feature", "Why the gate cannot judge it", "Impact", "Mitigation" },
            plan.SignOff.ManualReview.Select(m => (m.FunctionName, (IReadOnlyList<string>)new[] { m.FunctionName, m.FunctionAppName, m.AwsFeature, m.ScopeIsPlaceholder ? "placeholder scope " + m.Scope : m.Reason, m.Impact ?? "", m.Mitigation ?? "" })));
        Table(b, "client-changes", "Client configuration changes", new[] { "Function", "Function app", "Client", "Change", "From (AWS)", "To (Azure)" },
            plan.ClientChanges.Select(c => (c.FunctionName, (IReadOnlyList<string>)new[] { c.FunctionName, c.FunctionAppName, c.Client, c.What, c.From, c.To })));
        if (targetGraphs is not null)
        {
            b.Append("<h3>Target architecture</h3>");
            foreach (var (_, t) in targetGraphs)
            {
                b.Append("<div class=\"function-graphs\" data-function=\"").Append(E(t.FunctionName)).Append("\">");
                Figure(b, t.FunctionName + " → " + t.FunctionAppName, t);
                b.Append("</div>");
            }
        }
        b.Append("</section>\n");
    }

    private static void Tables(StringBuilder b, ReportInput input)
    {
        Table(b, "features", "Features", new[] { "Function", "Surface", "Feature", "AWS implementation", "Azure implementation", "Migration strategy" },
            input.Mappings.Select(m => (m.FunctionName, (IReadOnlyList<string>)new[] { m.FunctionName, m.Surface.ToString(), m.Kind.ToString(), m.AwsFeature, m.AzureFeature, m.Strategy + (string.IsNullOrEmpty(m.Reason) ? "" : ": " + m.Reason) })));
        Table(b, "deviations", "Deviations", new[] { "Function", "Feature", "Deviation", "Impact", "Mitigation" },
            input.Mappings.Where(m => m.Strategy == MappingStrategy.Deviation).Select(m => (m.FunctionName, (IReadOnlyList<string>)new[] { m.FunctionName, m.AwsFeature, m.Reason, m.Impact ?? "", m.Mitigation ?? "" })));
        Table(b, "role-assignments", "Expected role assignments", new[] { "Function", "Function app", "Principal", "Role", "Role definition id", "Scope", "Strategy", "PIM" },
            input.Mappings.Where(m => m.Kind == MappingKind.RoleAssignment && m.RoleDefinitionName != null).Select(m => (m.FunctionName, (IReadOnlyList<string>)new[]
            {
                m.FunctionName, m.FunctionAppName, m.PrincipalName ?? m.ObjectId ?? "", m.RoleDefinitionName ?? "", m.RoleDefinitionId ?? "", m.Scope ?? "", m.Strategy.ToString(), m.PimEligible ? "eligible" : "",
            })));
        if (input.ParityResults.Count > 0)
        {
            b.Append("<div class=\"status-filter\"><label>Parity status <select id=\"status-filter\" data-table=\"parity\"><option value=\"\">all</option>");
            foreach (var s in input.ParityResults.Select(r => r.Status.ToString()).Distinct().OrderBy(x => x, StringComparer.Ordinal)) b.Append("<option>").Append(E(s)).Append("</option>");
            b.Append("</select></label></div>");
            Table(b, "parity", "Parity results", new[] { "Status", "Function", "Function app", "Surface", "Kind", "Expected", "Actual", "Reason" },
                input.ParityResults.OrderBy(r => r.Status switch { ParityStatus.Pass => 1, ParityStatus.NotApplicable => 2, _ => 0 }).ThenBy(r => r.FunctionAppName, StringComparer.Ordinal)
                    .Select(r => (r.FunctionName, (IReadOnlyList<string>)new[] { r.Status + (r.EvidenceUnread ? " (not read)" : ""), r.FunctionName, r.FunctionAppName, r.Surface.ToString(), r.Kind.ToString(), r.Expected, r.Actual, r.Reason })),
                statusColumn: true);
        }
        var findings = input.Inventory.SelectMany(f => f.Findings.Select(x => (f.FunctionName, x)))
            .Concat(input.Mappings.SelectMany(m => m.Findings.Select(x => (m.FunctionName, x))))
            .GroupBy(x => (x.FunctionName, x.x.FindingId, x.x.Message)).Select(g => g.First())
            .Concat(input.AccountFindings.Select(x => (FunctionName: MarkdownReport.AccountRow, x))).ToList();
        Table(b, "findings", "Findings", new[] { "Function", "Severity", "Finding", "Message", "Recommendation" },
            findings.OrderByDescending(x => x.x.Severity).ThenBy(x => x.FunctionName, StringComparer.Ordinal)
                .Select(x => (x.FunctionName, (IReadOnlyList<string>)new[] { x.FunctionName, x.x.Severity.ToString(), x.x.FindingId, x.x.Message, x.x.Recommendation ?? "" })));
        Table(b, "errors", "What could not be read", new[] { "Error", "Target", "Location", "Message" },
            input.Errors.Select(e => ("", (IReadOnlyList<string>)new[] { e.ErrorId, e.Target, e.Location?.ToString() ?? "", e.Message })));
    }

    private static void Table(StringBuilder b, string id, string caption, IReadOnlyList<string> headers, IEnumerable<(string Function, IReadOnlyList<string> Cells)> rows, bool statusColumn = false)
    {
        var list = rows.ToList();
        b.Append("<section class=\"table\" id=\"section-").Append(id).Append("\"><h3>").Append(E(caption)).Append(" <span class=\"count\">(").Append(list.Count).Append(")</span></h3>");
        if (list.Count == 0) { b.Append("<p><em>None.</em></p></section>\n"); return; }
        b.Append("<input type=\"search\" class=\"filter\" placeholder=\"filter rows\" aria-label=\"filter ").Append(E(caption)).Append("\" data-table=\"").Append(id).Append("\">");
        b.Append("<table class=\"data\" id=\"").Append(id).Append("\"><thead><tr>");
        foreach (var h in headers) b.Append("<th scope=\"col\" aria-sort=\"none\"><button type=\"button\">").Append(E(h)).Append("</button></th>");
        b.Append("</tr></thead><tbody>");
        foreach (var (fn, cells) in list)
        {
            b.Append("<tr data-function=\"").Append(E(fn)).Append('"');
            if (statusColumn) b.Append(" data-status=\"").Append(E(cells[0].Split(' ')[0])).Append('"');
            b.Append('>');
            foreach (var c in cells) b.Append("<td>").Append(E(c)).Append("</td>");
            b.Append("</tr>");
        }
        b.Append("</tbody></table></section>\n");
    }

    /// <summary>HTML-escapes text for element content and quoted attribute values.</summary>
    public static string E(string? s) => string.IsNullOrEmpty(s) ? "" : WebUtility.HtmlEncode(IdentityGraphSvg.Clean(s!));

    private static string Hash(string text)
    {
        using var sha = SHA256.Create();
        return "sha256-" + Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
    }

    private const string Style = @"
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{position:sticky;top:0;background:#0b3d66;color:#fff;padding:.6em 1.2em;z-index:2;display:flex;gap:2em;align-items:center;flex-wrap:wrap}
header h1{font-size:1.3em;margin:0}
main{padding:0 1.2em 2em}
h2{border-bottom:2px solid #0b3d66;padding-top:.6em}
table.data{border-collapse:collapse;width:100%;font-size:.85em;background:#fff}
table.data th,table.data td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
table.data th button{font:inherit;font-weight:bold;background:none;border:0;cursor:pointer;padding:0}
th[aria-sort=ascending] button::after{content:' \25B2'}
th[aria-sort=descending] button::after{content:' \25BC'}
input.filter{margin:.3em 0;padding:.2em .4em;width:20em}
.pair{display:flex;gap:1em;flex-wrap:wrap}
figure{margin:0;background:#fff;border:1px solid #ddd;padding:.4em;overflow-x:auto;max-width:100%}
figcaption{font-weight:bold;margin-bottom:.3em}
svg.graph .node rect{fill:#e8f1fb;stroke:#0b3d66}
svg.graph .node.col0 rect{fill:#fff4e0;stroke:#a86400}
svg.graph .node.col4 rect{fill:#fde8e8;stroke:#a30000}
svg.graph text{font-size:11px;fill:#1b1b1b}
svg.graph .colhead{font-weight:bold;fill:#555}
svg.graph .edge path{fill:none;stroke:#777}
svg.graph .edge text{font-size:9px;fill:#444}
svg.graph .arrowhead{fill:#777}
pre{background:#f0f0f0;padding:.5em;overflow-x:auto;white-space:pre-wrap}
.badge.deviation{background:#a86400;color:#fff;border-radius:3px;padding:0 .3em;font-size:.8em}
.trigger.fired>strong{color:#a30000}
.note,.mitigation{color:#555;font-size:.9em}
.hidden{display:none !important}
";

    private const string Script = @"
(function(){
  'use strict';
  var fnSelect=document.getElementById('function-filter');
  var statusSelect=document.getElementById('status-filter');
  function apply(){
    var fn=fnSelect?fnSelect.value:'';
    var status=statusSelect?statusSelect.value:'';
    document.querySelectorAll('[data-function]').forEach(function(el){
      var f=el.getAttribute('data-function');
      var hide=fn!==''&&f!==''&&f!==fn;
      if(!hide&&el.tagName==='TR'){
        var table=el.closest('table');
        var input=document.querySelector('input.filter[data-table=""'+table.id+'""]');
        var q=input?input.value.trim().toLowerCase():'';
        if(q!==''&&el.textContent.toLowerCase().indexOf(q)<0)hide=true;
        if(table.id==='parity'&&status!==''&&el.getAttribute('data-status')!==status)hide=true;
      }
      el.classList.toggle('hidden',hide);
    });
  }
  if(fnSelect)fnSelect.addEventListener('change',apply);
  if(statusSelect)statusSelect.addEventListener('change',apply);
  document.querySelectorAll('input.filter').forEach(function(i){i.addEventListener('input',apply);});
  var collator=new Intl.Collator(undefined,{numeric:true,sensitivity:'base'});
  document.querySelectorAll('table.data').forEach(function(table){
    var ths=table.querySelectorAll('thead th');
    ths.forEach(function(th,col){
      th.querySelector('button').addEventListener('click',function(){
        var asc=th.getAttribute('aria-sort')!=='ascending';
        ths.forEach(function(o){o.setAttribute('aria-sort','none');});
        th.setAttribute('aria-sort',asc?'ascending':'descending');
        var body=table.tBodies[0];
        var rows=Array.prototype.slice.call(body.rows);
        rows.sort(function(a,b){var c=collator.compare(a.cells[col].textContent,b.cells[col].textContent);return asc?c:-c;});
        rows.forEach(function(r){body.appendChild(r);});
      });
    });
  });
})();
";
}

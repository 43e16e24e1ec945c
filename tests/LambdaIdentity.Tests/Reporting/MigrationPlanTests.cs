using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using Markdig;
using LambdaIdentity.Cli;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Reporting;

/// <summary>The runbook `assess` writes on the demo workload, and the runbook built from hand-made records.</summary>
public sealed class MigrationPlanTests
{
    private static string Samples => DemoWorkload.Samples;

    /// <summary>Runs assess on the demo (with the partly migrated Azure target) into a fresh folder.</summary>
    internal static string AssessDemo(bool withState = true)
    {
        var outDir = Path.Combine(Path.GetTempPath(), "li-plan-" + Guid.NewGuid().ToString("N"));
        var args = new List<string>
        {
            "assess", "--path", Path.Combine(Samples, "demo-sam-template.yaml"), Path.Combine(Samples, "demo-authz-details.json"),
            "--resource-map", Path.Combine(Samples, "demo-resource-map.json"), "--out", outDir,
        };
        if (withState) args.AddRange(new[] { "--azure-state", Path.Combine(Samples, "azure-state"), "--aws-state", Path.Combine(Samples, "aws-trust") });
        var e = new StringWriter();
        var code = Program.Run(args.ToArray(), new StringWriter(), e, new StringReader(""));
        Assert.True(code == 0, e.ToString());
        return outDir;
    }

    private static List<JsonElement> Json(string file) => JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllText(file))!;
    private static string S(JsonElement e, string p) => e.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    /// <summary>The fenced blocks of a language in a Markdown text.</summary>
    private static List<string> Blocks(string md, string lang)
        => Regex.Matches(md.Replace("\r\n", "\n"), "```" + lang + "\n(.*?)\n```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();

    /// <summary>Splits a bash command line (words, single and double quotes).</summary>
    private static string[] ShellWords(string line)
    {
        var words = new List<string>(); var cur = new System.Text.StringBuilder(); var any = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\'') { any = true; var j = line.IndexOf('\'', i + 1); cur.Append(line, i + 1, j - i - 1); i = j; }
            else if (c == '"') { any = true; var j = line.IndexOf('"', i + 1); cur.Append(line, i + 1, j - i - 1); i = j; }
            else if (c == ' ') { if (any) words.Add(cur.ToString()); cur.Clear(); any = false; }
            else { cur.Append(c); any = true; }
        }
        if (any) words.Add(cur.ToString());
        return words.ToArray();
    }

    private static int RunCli(string commandLine)
    {
        var words = ShellWords(commandLine);
        Assert.Equal("lambda-identity", words[0]);
        var e = new StringWriter();
        return Program.Run(words.Skip(1).Append("--format").Append("json").ToArray(), new StringWriter(), e, new StringReader(""));
    }

    [Fact]
    public void Demo_every_mapping_record_is_in_exactly_one_step_or_in_nothing_to_do()
    {
        var outDir = AssessDemo();
        var mapping = Json(Path.Combine(outDir, "mapping.json"));
        var ids = mapping.Select(m => S(m, "MappingId")).ToList();
        var md = File.ReadAllText(Path.Combine(outDir, "runbook.md"));
        // Each step's file holds the records of the steps before it and its own: the new ones of a step are its own records.
        var seen = new List<string>();
        var previous = new HashSet<string>();
        foreach (var rel in MigrationPlanBuilder.StepFiles)
        {
            var file = Path.Combine(outDir, rel);
            if (!File.Exists(file)) continue;
            var these = Json(file).Select(m => S(m, "MappingId")).ToHashSet();
            Assert.True(previous.IsSubsetOf(these), rel + " lost records of an earlier step");
            seen.AddRange(these.Except(previous));
            previous = these;
        }
        var nothing = mapping.Where(m => S(m, "Strategy") == "NotNeeded").Select(m => S(m, "MappingId")).ToList();
        Assert.Equal(ids.OrderBy(x => x), seen.Concat(nothing).OrderBy(x => x));
        Assert.Equal(seen.Count, seen.Distinct().Count());
        // The nothing-to-do table lists every NotNeeded record.
        var table = md.Split("### Nothing to carry over")[1].Split("\n## ")[0];
        Assert.Equal(nothing.Count, table.Split('\n').Count(l => l.StartsWith("| func-")));
        // The steps come in the cutover order.
        var headings = Regex.Matches(md, @"^### (\d)\. (.+)$", RegexOptions.Multiline).Select(m => m.Groups[2].Value.Trim()).ToList();
        Assert.Equal(new[] { "Create identities", "Assign roles and identity-based settings", "Make privileged access PIM-eligible", "Federated credentials for deployers",
            "App Service authentication (Easy Auth) and callers' app roles", "AWS-side trust for dependencies that stay on AWS", "Switch triggers", "Switch traffic" },
            headings.Select(h => h.Replace("&#39;", "'")));
    }

    [Fact]
    public void Demo_each_step_check_is_an_exact_command_that_reads_its_evidence_and_the_sign_off_gate_says_what_it_exits()
    {
        var outDir = AssessDemo();
        var md = File.ReadAllText(Path.Combine(outDir, "runbook.md"));
        var gates = Blocks(md, "bash").Where(b => b.StartsWith("lambda-identity test-parity")).ToList();
        Assert.Equal(9, gates.Count); // 7 step files, the whole design (step 8), the sign-off
        foreach (var g in gates)
        {
            var code = RunCli(g);
            // Evidence was read: the check judges (0 pass, 1 a result fails), never 2 (not read) or 64 (usage).
            Assert.True(code is 0 or 1, g + " exited " + code);
        }
        // Steps 1 to 7 fail on lost access only; step 8 and the sign-off on added access too.
        Assert.All(gates.Take(7), g => Assert.EndsWith("--fail-on Lost", g));
        Assert.EndsWith("--fail-on Access", gates[7]);
        // Step 1 (managed identities: every one exists in the demo target) passes; step 2 does not (the demo lost assignments).
        Assert.Equal(0, RunCli(gates[0]));
        Assert.Equal(1, RunCli(gates[1]));
        var signOff = gates[^1];
        Assert.Contains("--fail-on Access", signOff);
        var stated = Regex.Match(md, @"the gate exits \*\*(\d+)\*\*").Groups[1].Value;
        Assert.Equal(stated, RunCli(signOff).ToString());
        Assert.Equal("1", stated);
        Assert.True(File.Exists(Path.Combine(outDir, "signoff-junit.xml")), "the sign-off command writes its JUnit next to the mapping");
        // Each step's PowerShell check is the same gate through Test-IdentityParity.
        var ps = Blocks(md, "powershell").Where(b => b.EndsWith(" -Quiet")).ToList();
        Assert.Equal(9, ps.Count);
        Assert.All(ps, p => Assert.StartsWith("(Get-Content -Raw -LiteralPath ", p));
    }

    [Fact]
    public void Demo_checks_read_the_AWS_side_from_its_trust_step_on_and_fail_closed_without_it()
    {
        // Given: the AWS side is read by the checks that hold AWS-side records, and by no earlier one.
        var md = File.ReadAllText(Path.Combine(AssessDemo(), "runbook.md"));
        var gates = Blocks(md, "bash").Where(b => b.StartsWith("lambda-identity test-parity")).ToList();
        var awsStep = gates.FindIndex(g => g.Contains("step-6-aws-trust"));
        Assert.True(awsStep > 0, "the demo keeps a dependency on AWS: step 6 has a check");
        Assert.All(gates.Take(awsStep), g => Assert.DoesNotContain("--aws-state", g));
        Assert.All(gates.Skip(awsStep), g => Assert.Contains("--aws-state " + Path.Combine(Samples, "aws-trust"), g));
        Assert.True(RunCli(gates[awsStep]) is 0 or 1, "with the AWS side given the step's evidence is read and judged");

        // Not given: the checks name a placeholder, the runbook says what to put there, and the step check without it exits 2.
        var outDir = Path.Combine(Path.GetTempPath(), "li-plan-" + Guid.NewGuid().ToString("N"));
        var code = Program.Run(new[] { "assess", "--path", Path.Combine(Samples, "demo-sam-template.yaml"), Path.Combine(Samples, "demo-authz-details.json"),
            "--resource-map", Path.Combine(Samples, "demo-resource-map.json"), "--azure-state", Path.Combine(Samples, "azure-state"), "--out", outDir }, new StringWriter(), new StringWriter(), new StringReader(""));
        Assert.Equal(0, code);
        var md2 = File.ReadAllText(Path.Combine(outDir, "runbook.md"));
        var gates2 = Blocks(md2, "bash").Where(b => b.StartsWith("lambda-identity test-parity")).ToList();
        Assert.All(gates2.Skip(awsStep), g => Assert.Contains("--aws-state \"$AWS_STATE\"", g));
        Assert.Contains("set `AWS_STATE` / `$AwsState`", md2);
        Assert.Contains("-AwsState $AwsState", md2);
        var withoutAws = gates2[awsStep].Replace(" --aws-state \"$AWS_STATE\"", "");
        Assert.Equal(2, RunCli(withoutAws));
    }

    [Fact]
    public void Demo_rollback_triggers_are_evaluated_on_the_parity_results()
    {
        var outDir = AssessDemo();
        var results = Json(Path.Combine(outDir, "parity.json"));
        var md = File.ReadAllText(Path.Combine(outDir, "runbook.md"));
        var workloadMissing = results.Count(r => S(r, "Status") == "Missing" && S(r, "Surface") is "Workload" or "Platform");
        Assert.True(workloadMissing > 0);
        Assert.Contains($"### WorkloadAccessMissing: roll back (**FIRED by {workloadMissing} result(s)**)", md);
        var excess = results.Count(r => S(r, "Status") is "Excess" or "Broader");
        Assert.Contains($"### AccessAdded: stop and fix (**FIRED by {excess} result(s)**)", md);
        Assert.Contains("### EvidenceUnread: stop and fix (not fired)", md);

        var noState = AssessDemo(withState: false);
        var md2 = File.ReadAllText(Path.Combine(noState, "runbook.md"));
        Assert.Contains("### WorkloadAccessMissing: roll back (not evaluated)", md2);
        Assert.DoesNotContain("the gate exits", md2);
        Assert.Contains("--subscription-id \"$SUBSCRIPTION_ID\" --aws-state \"$AWS_STATE\" --fail-on Access", md2);
    }

    [Fact]
    public void Triggers_fire_only_on_their_results()
    {
        AzRoleMapping m = new() { MappingId = "f/RoleAssignment/x", FunctionName = "f", FunctionAppName = "func-f", Surface = IdentitySurface.Workload, Kind = MappingKind.RoleAssignment, Strategy = MappingStrategy.BuiltIn, RoleDefinitionName = "Storage Blob Data Reader", Scope = "/subscriptions/s" };
        IdentityParityResult R(ParityStatus s, IdentitySurface surface, bool unread = false) => new() { MappingId = m.MappingId, FunctionName = "f", FunctionAppName = "func-f", Surface = surface, Status = s, EvidenceUnread = unread };
        var plan = MigrationPlanBuilder.Build(new ReportInput
        {
            Mappings = new[] { m },
            ParityResults = new[] { R(ParityStatus.Pass, IdentitySurface.Workload), R(ParityStatus.Missing, IdentitySurface.People), R(ParityStatus.Unverifiable, IdentitySurface.Workload, unread: true) },
        }, new MigrationPlanOptions());
        var fired = plan.RollbackTriggers.ToDictionary(t => t.TriggerId, t => t.FiredBy.Count);
        Assert.Equal(0, fired["WorkloadAccessMissing"]);
        Assert.Equal(1, fired["CallerOrDeployerAccessMissing"]);
        Assert.Equal(1, fired["EvidenceUnread"]);
        Assert.Equal(0, fired["AccessAdded"]);
        Assert.Equal((2, "1 result(s) Unverifiable on evidence that could not be read"), plan.SignOff.Current);
    }

    [Theory]
    [InlineData(ParityStatus.Missing, false, true)]
    [InlineData(ParityStatus.Drift, false, true)]
    [InlineData(ParityStatus.Unverifiable, true, true)]
    [InlineData(ParityStatus.Unverifiable, false, false)]
    [InlineData(ParityStatus.Excess, false, false)]
    [InlineData(ParityStatus.Broader, false, false)]
    [InlineData(ParityStatus.Pass, false, false)]
    [InlineData(ParityStatus.NotApplicable, false, false)]
    public void The_lost_level_fails_lost_access_and_unread_evidence_only(ParityStatus status, bool unread, bool fails)
        => Assert.Equal(fails, LambdaIdentity.Core.Parity.ParityVerdict.Fails(new IdentityParityResult { Status = status, EvidenceUnread = unread }, ParityFailLevel.Lost));

    [Fact]
    public void Demo_client_changes_name_issuers_audiences_endpoints_and_keys_but_never_a_secret_value()
    {
        var outDir = AssessDemo();
        var md = File.ReadAllText(Path.Combine(outDir, "runbook.md"));
        var rows = md.Split("## Client configuration changes")[1].Split("\n## ")[0].Split('\n').Where(l => l.StartsWith("| dev-")).ToList();
        Assert.Contains(rows, r => r.StartsWith("| dev-order-report | func-dev-order-report |") && r.Contains("| Audience | none | api://func-dev-order-report |"));
        Assert.Contains(rows, r => r.StartsWith("| dev-order-report |") && r.Contains("| Issuer |") && r.Contains("https://login.microsoftonline.com/{tenantId}/v2.0"));
        Assert.Contains(rows, r => r.StartsWith("| dev-orders-api |") && r.Contains("| Issuer | https://cognito-idp."));
        Assert.Contains(rows, r => r.StartsWith("| dev-order-processor |") && r.Contains("| Code |") && r.Contains("HTTPS call to func-dev-invoice-writer"));
        Assert.Contains(rows, r => r.StartsWith("| dev-invoice-writer |") && r.Contains("| Key |") && r.Contains("PAYMENT_API_KEY"));
        Assert.Contains(rows, r => r.StartsWith("| dev-invoice-writer |") && r.Contains("sts:AssumeRoleWithWebIdentity into arn:aws:iam::{awsAccountId}:role/azure-func-dev-invoice-writer"));
        Assert.Equal(new[] { "dev-invoice-writer", "dev-order-processor", "dev-order-report", "dev-order-status", "dev-orders-api" },
            rows.Select(r => r.Split(" | ")[0].TrimStart('|', ' ')).Distinct().OrderBy(x => x, StringComparer.Ordinal));
        // The demo template holds a secret-shaped value: no output of the run carries it.
        var secret = Regex.Match(File.ReadAllText(Path.Combine(Samples, "demo-sam-template.yaml")), @"PAYMENT_API_KEY: '([^']+)'").Groups[1].Value;
        Assert.True(secret.Length > 20);
        foreach (var f in Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(secret, File.ReadAllText(f));
    }

    private static ReportInput Hostile()
    {
        const string fn = "<script>window.__pwned=1</script>";
        const string role = "<img src=x onerror=\"window.__pwned=2\">";
        var mi = new AzRoleMapping { MappingId = "h/ManagedIdentity/identity", FunctionName = fn, FunctionAppName = "func-" + fn, Surface = IdentitySurface.Workload, Kind = MappingKind.ManagedIdentity, Strategy = MappingStrategy.BuiltIn, AzureFeature = "System-assigned managed identity of func-" + fn, PrincipalName = "func-" + fn, IdentityType = "SystemAssigned" };
        var ra = new AzRoleMapping
        {
            MappingId = "h/RoleAssignment/x", FunctionName = fn, FunctionAppName = "func-" + fn, Surface = IdentitySurface.Workload, Kind = MappingKind.RoleAssignment, Strategy = MappingStrategy.Custom,
            AwsFeature = "s3:GetObject on arn:aws:s3:::b/*", AwsActions = new[] { "s3:GetObject" }, AwsResources = new[] { "arn:aws:s3:::b/*\"]; click x" },
            RoleDefinitionName = role, Scope = "/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/a`b|c", PrincipalName = "func-" + fn, IdentityType = "SystemAssigned",
        };
        var ok = new AzRoleMapping { MappingId = "ok/ManagedIdentity/identity", FunctionName = "plain-fn", FunctionAppName = "func-plain-fn", Surface = IdentitySurface.Workload, Kind = MappingKind.ManagedIdentity, Strategy = MappingStrategy.BuiltIn, AzureFeature = "System-assigned managed identity", PrincipalName = "func-plain-fn", IdentityType = "SystemAssigned" };
        return new ReportInput
        {
            Mappings = new[] { mi, ra, ok },
            ParityResults = new[] { new IdentityParityResult { MappingId = ra.MappingId, FunctionName = fn, FunctionAppName = "func-" + fn, Surface = IdentitySurface.Workload, Kind = MappingKind.RoleAssignment, Status = ParityStatus.Missing, Expected = role, Reason = "lost " + fn } },
        };
    }

    [Fact]
    public void A_script_in_a_function_or_role_name_stays_text_in_the_rendered_runbook_and_report_markdown()
    {
        var input = Hostile();
        var plan = MigrationPlanBuilder.Build(input, new MigrationPlanOptions());
        var w = new StringWriter();
        MigrationPlanMarkdown.Write(w, plan, input);
        var report = new StringWriter();
        MarkdownReport.Write(report, input);
        foreach (var md in new[] { w.ToString(), report.ToString() })
        {
            var html = Markdig.Markdown.ToHtml(md, new Markdig.MarkdownPipelineBuilder().UseAdvancedExtensions().Build());
            var doc = new HtmlParser().ParseDocument(html);
            Assert.Empty(doc.QuerySelectorAll("script"));
            Assert.Empty(doc.QuerySelectorAll("img"));
            Assert.Contains("<script>window.__pwned=1</script>", doc.Body!.TextContent);
            Assert.Contains("<img src=x onerror=\"window.__pwned=2\">", doc.Body!.TextContent);
        }
        // Mermaid labels carry no quote or angle bracket: a name cannot close a label or inject markup into the diagram.
        foreach (var block in Blocks(w.ToString() + report.ToString(), "mermaid"))
            foreach (var label in Regex.Matches(block, "\\[\"(.*?)\"\\]|\\|\"(.*?)\"\\|").Select(m => m.Groups[1].Value + m.Groups[2].Value))
                Assert.DoesNotMatch("[\"<>`]", label);
        Assert.Contains("#60;script#62;window", report.ToString());
    }

    [Fact]
    public void A_script_in_a_function_or_role_name_stays_text_in_the_html_report()
    {
        var input = Hostile();
        var plan = MigrationPlanBuilder.Build(input, new MigrationPlanOptions());
        var w = new StringWriter();
        HtmlReport.Write(w, input, plan);
        var doc = new HtmlParser().ParseDocument(w.ToString());
        Assert.Single(doc.QuerySelectorAll("script"));
        Assert.Empty(doc.QuerySelectorAll("img"));
        Assert.Empty(doc.QuerySelectorAll("[onerror]"));
        Assert.Contains(doc.QuerySelectorAll("#role-assignments td"), td => td.TextContent == "<img src=x onerror=\"window.__pwned=2\">");
        Assert.Contains(doc.QuerySelectorAll("svg.graph title"), t => t.TextContent.Contains("<script>window.__pwned=1</script>"));
        // Nothing outside the page is referenced: no src, href to another origin, or url() but the SVG marker's local one.
        Assert.Empty(doc.QuerySelectorAll("[src], link, iframe, object, embed"));
        Assert.All(doc.QuerySelectorAll("[href]"), a => Assert.StartsWith("#", a.GetAttribute("href")));
        var csp = doc.QuerySelector("meta[http-equiv='Content-Security-Policy']")!.GetAttribute("content")!;
        Assert.StartsWith("default-src 'none'; style-src 'sha256-", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
    }
}

/// <summary>docs/samples is what `assess` writes for the demo today (regenerate with the README's command and copy when this fails).</summary>
public sealed class MigrationPlanSamplesTests
{
    [Fact]
    public async Task Docs_samples_are_current()
    {
        var ctx = LambdaIdentity.Core.EngineContext.None;
        var inventory = DemoWorkload.Inventory();
        var mappings = new LambdaIdentity.Core.Translation.AzRoleMapper(LambdaIdentity.Core.Aws.Policy.GrantDeriver.Default,
            new LambdaIdentity.Core.Translation.MappingOptions { HostingPlan = HostingPlan.FlexConsumption, ResourceMap = DemoWorkload.ResourceMap() }).Map(inventory, ctx);
        var state = await new LambdaIdentity.Core.Azure.AzureStateReader().ReadAsync(new[] { Path.Combine(DemoWorkload.Samples, "azure-state") }, ctx);
        var aws = LambdaIdentity.Core.Parity.AwsTrustState.Read(new[] { Path.Combine(DemoWorkload.Samples, "aws-trust") }, ctx);
        var results = LambdaIdentity.Core.Parity.ParityChecker.Check(mappings, state, new LambdaIdentity.Core.Parity.ParityOptions { AwsState = aws }, ctx);
        var input = new ReportInput { Inventory = inventory, Mappings = mappings, ParityResults = results };
        var plan = MigrationPlanBuilder.Build(input, new MigrationPlanOptions { MappingPath = "out/demo/mapping.json", AzureStatePaths = new[] { "module/samples/azure-state" }, AwsStatePaths = new[] { "module/samples/aws-trust" } });
        var samples = Path.Combine(TestPaths.RepoRoot, "docs", "samples");
        string N(string s) => s.Replace("\r\n", "\n");
        var md = new StringWriter();
        MigrationPlanMarkdown.Write(md, plan, input);
        Assert.Equal(N(File.ReadAllText(Path.Combine(samples, "runbook.md"))), N(md.ToString()));
        var html = new StringWriter();
        HtmlReport.Write(html, input, plan);
        Assert.Equal(N(File.ReadAllText(Path.Combine(samples, "report.html"))), N(html.ToString()));
    }
}

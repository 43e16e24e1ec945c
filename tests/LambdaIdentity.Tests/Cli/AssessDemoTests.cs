using System.Text.Json;
using System.Xml.Linq;
using LambdaIdentity.Cli;
using Xunit;

namespace LambdaIdentity.Tests.Cli;

/// <summary>The README's main job: `assess` on the demo workload in module/samples, end to end through the CLI.</summary>
public class AssessDemoTests
{
    private static string Samples => DemoWorkload.Samples;

    private static (int Code, string Stdout, string Stderr, string Out) Assess(params string[] extra)
    {
        var outDir = Path.Combine(Path.GetTempPath(), "li-assess-" + Guid.NewGuid().ToString("N"));
        var args = new List<string>
        {
            "assess", "--path", Path.Combine(Samples, "demo-sam-template.yaml"), Path.Combine(Samples, "demo-authz-details.json"),
            "--resource-map", Path.Combine(Samples, "demo-resource-map.json"), "--azure-state", Path.Combine(Samples, "azure-state"), "--aws-state", Path.Combine(Samples, "aws-trust"), "--out", outDir,
        };
        args.AddRange(extra);
        var o = new StringWriter(); var e = new StringWriter();
        var code = Program.Run(args.ToArray(), o, e, new StringReader(""));
        return (code, o.ToString(), e.ToString(), outDir);
    }

    private static List<JsonElement> Results(string outDir) => JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllText(Path.Combine(outDir, "parity.json")))!;
    private static string S(JsonElement e, string p) => e.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    /// <summary>The rows of the Markdown table that follows a heading: header cells, then data rows' cells.</summary>
    private static (string[] Header, List<string[]> Rows) Table(string markdown, string heading)
    {
        var lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var at = lines.IndexOf(heading);
        Assert.True(at >= 0, "no heading '" + heading + "' in the report");
        var table = lines.Skip(at + 1).SkipWhile(l => !l.StartsWith("|")).TakeWhile(l => l.StartsWith("|")).ToList();
        Assert.True(table.Count >= 2 && table[1].StartsWith("|---"), "no table under " + heading);
        string[] Cells(string l) => l.Trim().Trim('|').Split(" | ").Select(c => c.Trim()).ToArray();
        return (Cells(table[0]), table.Skip(2).Select(Cells).ToList());
    }

    [Fact]
    public void DemoRunPrintsTheSummaryAndWritesEveryOutput()
    {
        var (code, stdout, stderr, outDir) = Assess();
        Assert.True(code == 0, stderr);
        Assert.Contains("Functions read:      5 (5 mapped)", stdout);
        Assert.Contains("Report:", stdout);
        foreach (var f in new[] { "inventory.json", "mapping.json", "azure-design.bicep", "parity.json", "parity-junit.xml", "errors.json", "report.md", "runbook.md", "runbook.html", "report.html", "runbook/step-1-create-identities.mapping.json", "runbook/step-7-switch-triggers.mapping.json" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f + " was not written");
        Assert.Empty(JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllText(Path.Combine(outDir, "errors.json")))!);
        // The resource map placed the apps, the host storage and the principals: no placeholders left where it spoke.
        var mapping = JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllText(Path.Combine(outDir, "mapping.json")))!;
        var host = mapping.Where(m => S(m, "MappingId").EndsWith("/host/AzureWebJobsStorage")).ToList();
        Assert.Equal(5, host.Count);
        Assert.All(host, m => Assert.Equal("stordersfunchost", m.GetProperty("Settings").GetProperty("AzureWebJobsStorage__accountName").GetString()));
        var deploy = mapping.Where(m => S(m, "PrincipalName").Contains("github-deploy-orders") && S(m, "RoleDefinitionName") == "Website Contributor").ToList();
        Assert.NotEmpty(deploy);
        Assert.All(deploy, m =>
        {
            Assert.Equal("3c1a9e52-7f0b-4d6e-9a21-5b8c4f0d2e17", S(m, "ObjectId"));
            Assert.StartsWith("/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourceGroups/rg-orders/providers/Microsoft.Web/sites/func-dev-", S(m, "Scope"));
        });
    }

    [Fact]
    public void ReportHasTheSpecificationTablesWithEveryFunction()
    {
        var (_, _, _, outDir) = Assess();
        var md = File.ReadAllText(Path.Combine(outDir, "report.md"));
        var functions = new[] { "dev-orders-api", "dev-order-processor", "dev-invoice-writer", "dev-order-status", "dev-order-report" };

        var features = Table(md, "## Features");
        foreach (var col in new[] { "Feature", "AWS implementation", "Azure implementation", "Migration strategy" }) Assert.Contains(col, features.Header);
        foreach (var f in functions) Assert.Contains(features.Rows, r => r[0] == f);
        var mapping = JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllText(Path.Combine(outDir, "mapping.json")))!;
        Assert.Equal(mapping.Count, features.Rows.Count);

        var deviations = Table(md, "## Deviations");
        foreach (var col in new[] { "Deviation", "Impact", "Mitigation" }) Assert.Contains(col, deviations.Header);
        Assert.Equal(mapping.Count(m => S(m, "Strategy") == "Deviation"), deviations.Rows.Count);
        Assert.All(deviations.Rows, r => Assert.All(r, c => Assert.NotEqual("", c)));

        var assignments = Table(md, "## Expected role assignments");
        Assert.Contains(assignments.Rows, r => r.Contains("Azure Service Bus Data Sender") && r.Any(c => c.Contains("/queues/orders")));

        // Each finding once: the public URL the inventory reported is not repeated by the mapping.
        var findings = Table(md, "## Findings");
        Assert.Single(findings.Rows, r => r[0] == "dev-order-status" && r.Contains("PublicFunctionUrl"));

        var parity = Table(md, "## Parity results");
        Assert.Contains("Status", parity.Header);
        Assert.Equal(Results(outDir).Count, parity.Rows.Count);
    }

    [Fact]
    public void ParityOnThePartlyMigratedTargetShowsPassesMissesExcessAndDrift()
    {
        var (_, _, _, outDir) = Assess();
        var results = Results(outDir);
        JsonElement One(Func<JsonElement, bool> match) => Assert.Single(results, r => match(r));

        // Migrated as designed.
        Assert.Equal("Pass", S(One(r => S(r, "FunctionName") == "dev-orders-api" && S(r, "Expected").StartsWith("Azure Service Bus Data Sender")), "Status"));
        Assert.Equal("Pass", S(One(r => S(r, "FunctionName") == "dev-order-processor" && S(r, "Expected").StartsWith("Cosmos DB Built-in Data Contributor")), "Status"));
        Assert.Equal("Pass", S(One(r => S(r, "FunctionName") == "dev-order-status" && S(r, "Expected").Contains("cors.allowedOrigins")), "Status"));
        // Lost: the invoice writer's blob access was never assigned.
        var lost = One(r => S(r, "FunctionName") == "dev-invoice-writer" && S(r, "Expected").StartsWith("Storage Blob Data Contributor"));
        Assert.Equal("Missing", S(lost, "Status"));
        // Added: an old pipeline's Contributor on the resource group can list every app's keys (invoke access).
        var excess = results.Where(r => S(r, "Status") == "Excess" && S(r, "RoleDefinitionName") == "Contributor").ToList();
        Assert.Equal(5, excess.Count);
        Assert.All(excess, r => Assert.Contains("listkeys", S(r, "Reason")));
        // ... and the deploy pipeline was given the invoice writer, which it could not deploy on AWS.
        Assert.Single(results, r => S(r, "Status") == "Excess" && S(r, "FunctionAppName") == "func-dev-invoice-writer" && S(r, "RoleDefinitionName") == "Website Contributor");
        // Changed: authentication left off on the partner-facing report function.
        Assert.Equal("Drift", S(One(r => S(r, "FunctionName") == "dev-order-report" && S(r, "Kind") == "Authentication" && S(r, "Expected").Contains("requireAuthentication")), "Status"));
        // Audit trail: the report function's diagnostic setting sends no audit categories; the status app deploys with a key.
        Assert.Equal("Missing", S(One(r => S(r, "FunctionName") == "dev-order-report" && S(r, "Expected").Contains("a diagnostic setting sending")), "Status"));
        Assert.Equal("Drift", S(One(r => S(r, "FunctionName") == "dev-order-status" && S(r, "Expected").Contains("deployment.storage")), "Status"));
        // Callers (Entra app roles, from the team's Graph exports): the processor still calls the invoice writer; the
        // developers lost their invoke access to the report function; an old pipeline may call the orders API.
        Assert.Equal("Pass", S(One(r => S(r, "FunctionName") == "dev-order-processor" && S(r, "Actual").StartsWith("Function.Invoke on func-dev-invoice-writer")), "Status"));
        Assert.Equal("Missing", S(One(r => S(r, "FunctionName") == "dev-order-report" && S(r, "Kind") == "Authentication" && S(r, "ObjectId") == "8d4f2b61-0c3e-4a7d-b5f9-2e6a1c9d7b40"), "Status"));
        Assert.Contains("legacy-jenkins-ci", S(One(r => S(r, "Status") == "Excess" && S(r, "Kind") == "Authentication"), "Actual"));
        // Wider: the processor receives from the whole Service Bus namespace.
        Assert.Equal("Broader", S(One(r => S(r, "FunctionName") == "dev-order-processor" && S(r, "Expected").StartsWith("Azure Service Bus Data Receiver")), "Status"));
        // Break-glass access designed as PIM-eligible is judged from the eligibility schedules: eligible on four apps,
        // and the report function's eligibility ended in October (nobody renewed it).
        var breakGlass = results.Where(r => S(r, "Expected").Contains("Website Contributor") && S(r, "PrincipalName").Contains("BreakGlass")).ToList();
        Assert.Equal(5, breakGlass.Count);
        Assert.Equal(4, breakGlass.Count(r => S(r, "Status") == "Pass" && S(r, "Actual").StartsWith("eligible: Website Contributor")));
        var lapsed = Assert.Single(breakGlass, r => S(r, "Status") == "Missing");
        Assert.Equal("func-dev-order-report", S(lapsed, "FunctionAppName"));
        Assert.Contains("ended 2026-10-31", S(lapsed, "Reason"));
        Assert.All(results.Where(r => S(r, "Expected").StartsWith("Reader") && S(r, "PrincipalName").Contains("BreakGlass")), r => Assert.Equal("Pass", S(r, "Status")));
        // The GitHub deploy pipeline signs in with a federated credential for main (as the AWS role trusted); someone
        // also federated pull requests, which the AWS trust never accepted.
        var federation = results.Where(r => S(r, "Expected").StartsWith("Workload identity federation")).ToList();
        Assert.Equal(4, federation.Count);
        Assert.All(federation, r => Assert.Equal("Pass", S(r, "Status")));
        var prs = Assert.Single(results, r => S(r, "Status") == "Excess" && S(r, "Actual").Contains("repo:contoso/orders:pull_request"));
        Assert.Equal("Automation", S(prs, "Surface"));

        // A deviation designs nothing to verify, and says so (its provenance is not mistaken for a setting).
        Assert.All(results.Where(r => S(r, "Expected").StartsWith("No object ACLs")), r => Assert.Contains("deviation designs no Azure item", S(r, "Reason")));

        var junit = XDocument.Load(Path.Combine(outDir, "parity-junit.xml"));
        Assert.Equal(results.Count.ToString(), junit.Root!.Attribute("tests")!.Value);
        Assert.Equal(results.Count(r => S(r, "Status") is not ("Pass" or "NotApplicable")), junit.Descendants("testcase").Count(t => t.Elements().Any(e => e.Name == "failure" || e.Name == "error")));
        // Nothing to verify is never a passed test: JUnit skips it, and the summary counts it apart from Pass.
        Assert.Equal(results.Count(r => S(r, "Status") == "NotApplicable"), junit.Descendants("testcase").Count(t => t.Elements().Any(e => e.Name == "skipped")));
        Assert.True(results.Count(r => S(r, "Status") == "NotApplicable") > 0);
        Assert.DoesNotContain(results, r => S(r, "Status") == "Pass" && S(r, "Actual") == "nothing to check");
    }

    [Fact]
    public void TruncatedEligibilityAndFederationExportsAreErrorsAndTheirChecksFailClosed()
    {
        // A copy of the demo's Azure state whose PIM and federated-credential exports were cut off mid-file.
        var state = Path.Combine(Path.GetTempPath(), "li-state-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(state);
        foreach (var f in Directory.GetFiles(Path.Combine(Samples, "azure-state"))) File.Copy(f, Path.Combine(state, Path.GetFileName(f)));
        string Cut(string name) { var f = Path.Combine(state, name); var t = File.ReadAllText(f); File.WriteAllText(f, t.Substring(0, t.Length / 2)); return f; }
        var pim = Cut("role-eligibility-schedules.json");
        var fic = Cut("3c1a9e52-7f0b-4d6e-9a21-5b8c4f0d2e17.federated-credentials.json");
        var outDir = Path.Combine(Path.GetTempPath(), "li-assess-" + Guid.NewGuid().ToString("N"));
        var o = new StringWriter(); var e = new StringWriter();
        Program.Run(new[]
        {
            "assess", "--path", Path.Combine(Samples, "demo-sam-template.yaml"), Path.Combine(Samples, "demo-authz-details.json"),
            "--resource-map", Path.Combine(Samples, "demo-resource-map.json"), "--azure-state", state, "--out", outDir,
        }, o, e, new StringReader(""));
        var errors = JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllText(Path.Combine(outDir, "errors.json")))!;
        Assert.Contains(errors, x => S(x, "ErrorId") == "AzureExportMalformed" && S(x, "Target") == pim);
        Assert.Contains(errors, x => S(x, "ErrorId") == "AzureExportMalformed" && S(x, "Target") == fic);
        var results = Results(outDir);
        // Never passed on what could not be read; and the excess pull-request credential is not claimed either way.
        var breakGlass = results.Where(r => S(r, "PrincipalName").Contains("BreakGlass") && S(r, "Kind") == "RoleAssignment").ToList();
        Assert.Equal(10, breakGlass.Count);
        Assert.All(breakGlass, r => Assert.Equal("Unverifiable", S(r, "Status")));
        var federation = results.Where(r => S(r, "Expected").StartsWith("Workload identity federation")).ToList();
        Assert.Equal(4, federation.Count);
        Assert.All(federation, r => Assert.Equal("Unverifiable", S(r, "Status")));
        Assert.DoesNotContain(results, r => S(r, "Actual").Contains("pull_request"));
        // The rest of the state was read: the developers' standing Reader assignments still pass.
        Assert.Contains(results, r => S(r, "Status") == "Pass" && S(r, "Kind") == "RoleAssignment" && S(r, "ObjectId") == "8d4f2b61-0c3e-4a7d-b5f9-2e6a1c9d7b40");
    }

    [Fact]
    public void SecretValuesInTheTemplateOrTheAppSettingsNeverReachAnOutput()
    {
        var (_, stdout, stderr, outDir) = Assess("--verbose");
        var secrets = new[] { "sk_live_51HdemoNotARealKeyButLooksLikeOne9f8e7d6c5b4a", "sk_live_DEMO-SECRET-MUST-NOT-LEAK-4f9a", "InstrumentationKey=" };
        foreach (var text in Directory.GetFiles(outDir).Select(File.ReadAllText).Append(stdout).Append(stderr))
            foreach (var s in secrets) Assert.DoesNotContain(s, text);
        // The secret-looking variable itself is reported, by name.
        Assert.Contains("PAYMENT_API_KEY", File.ReadAllText(Path.Combine(outDir, "report.md")));
    }

    [Fact]
    public void TheDemoWritesTheAwsSideOfTheTrustAndParityVerifiesIt()
    {
        var (code, _, stderr, outDir) = Assess();
        Assert.True(code == 0, stderr);
        using var cfn = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "aws-trust.cfn.json")));
        Assert.Equal("AWS::IAM::OIDCProvider", cfn.RootElement.GetProperty("Resources").GetProperty("EntraOidcProvider").GetProperty("Type").GetString());
        using var tf = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "aws-trust.tf.json")));
        Assert.True(tf.RootElement.GetProperty("resource").GetProperty("aws_iam_role").TryGetProperty("azure_func_dev_invoice_writer", out _));
        var aws = Assert.Single(Results(outDir), r => S(r, "Kind") == "AwsFederatedRole");
        Assert.Equal("Pass", S(aws, "Status"));
        Assert.Equal("arn:aws:iam::111122223333:role/azure-func-dev-invoice-writer", S(aws, "ActualId"));

        // Without the AWS side the trust is not verified: a gate fails closed (exit 2), and the item says why.
        var outDir2 = Path.Combine(Path.GetTempPath(), "li-assess-" + Guid.NewGuid().ToString("N"));
        var o = new StringWriter(); var e = new StringWriter();
        var code2 = Program.Run(new[] { "assess", "--path", Path.Combine(Samples, "demo-sam-template.yaml"), Path.Combine(Samples, "demo-authz-details.json"),
            "--resource-map", Path.Combine(Samples, "demo-resource-map.json"), "--azure-state", Path.Combine(Samples, "azure-state"), "--out", outDir2, "--fail-on", "Access" }, o, e, new StringReader(""));
        Assert.Equal(2, code2);
        var unread = Assert.Single(Results(outDir2), r => S(r, "Kind") == "AwsFederatedRole");
        Assert.Equal("Unverifiable", S(unread, "Status"));
        Assert.True(unread.GetProperty("EvidenceUnread").GetBoolean());
    }

    [Fact]
    public void FailOnAccessExitsNonZero()
    {
        var (code, _, _, _) = Assess("--fail-on", "Access");
        Assert.Equal(1, code);
    }

    [Fact]
    public void InAzurePipelinesTheReportBecomesTheRunSummaryAndFailuresBecomeIssues()
    {
        var (code, stdout, _, outDir) = Assess("--azure-devops", "true");
        Assert.Equal(0, code);
        var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Contains("##vso[task.uploadsummary]" + Path.Combine(outDir, "report.md"), lines);
        var issues = lines.Where(l => l.StartsWith("##vso[task.logissue ")).ToList();
        // Without --fail-on the issues are the lost and added access (Access level): Missing, Broader, Excess, Drift.
        var failing = Results(outDir).Count(r => S(r, "Status") is "Missing" or "Broader" or "Excess" or "Drift");
        Assert.Equal(failing, issues.Count);
        Assert.Contains(issues, l => l.StartsWith("##vso[task.logissue type=error;code=IdentityParityMissing]Missing dev-invoice-writer: Storage Blob Data Contributor"));
        // JSON output stays parseable: no logging commands in it.
        var (_, json, _, _) = Assess("--azure-devops", "true", "--format", "json");
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(5, doc.RootElement.GetProperty("Functions").GetInt32());
    }

    [Fact]
    public void LoggingCommandMessagesCannotBreakTheLine()
    {
        Assert.Equal("50%AZP25 done%0D%0A# #vso[task.complete result=Succeeded]", LambdaIdentity.Core.Reporting.AzureDevOpsCommands.Message("50% done\r\n##vso[task.complete result=Succeeded]"));
        // A terminal escape sequence in a value becomes visible text.
        Assert.Equal("a\\u001B[31mred", LambdaIdentity.Core.Reporting.AzureDevOpsCommands.Message("a\u001b[31mred"));
    }
}

using System.Text.Json;
using LambdaIdentity.Cli;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Assessment;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Inventory;

/// <summary>
/// Findings about the account (issue 16): an authorization-details export with roles and no function says so instead of
/// an empty report, roles anyone may assume are flagged, and roles trusting lambda.amazonaws.com that no function uses
/// are named, on roles-only and normal exports. Counts come from the real files in shared/data/authz-details.
/// </summary>
public sealed class AccountFindingRulesTests
{
    public static IEnumerable<object[]> AuthzFiles()
        => Directory.EnumerateFiles(TestPaths.Shared("authz-details"), "*.json").OrderBy(f => f, StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f) });

    private static string Authz(string name) => TestPaths.Shared("authz-details", name);

    /// <summary>What the file really holds: its roles, users, groups, policies and the roles whose trust names lambda.amazonaws.com.</summary>
    private static (int Roles, int Users, int Groups, int Policies, List<string> LambdaRoles) Count(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        int N(string list) => doc.RootElement.TryGetProperty(list, out var a) ? a.GetArrayLength() : 0;
        var lambda = new List<string>();
        if (doc.RootElement.TryGetProperty("RoleDetailList", out var roles))
            foreach (var r in roles.EnumerateArray())
                if (r.GetProperty("AssumeRolePolicyDocument").GetRawText().Contains("\"lambda.amazonaws.com\"", StringComparison.Ordinal))
                    lambda.Add(r.GetProperty("RoleName").GetString()!);
        return (N("RoleDetailList"), N("UserDetailList"), N("GroupDetailList"), N("Policies"), lambda);
    }

    private static (List<LambdaFunctionIdentity> Records, IReadOnlyList<Finding> Account, ErrorCollector Errors) Read(params string[] paths)
    {
        var errors = new ErrorCollector();
        var reader = new InventoryReader();
        var records = reader.Read(paths, new InventoryOptions(), new EngineContext(errors)).ToList();
        return (records, reader.AccountFindings, errors);
    }

    [Theory]
    [MemberData(nameof(AuthzFiles))]
    public void ARolesOnlyExportSaysWhatWasReadAndThatNothingIsToMigrate(string name)
    {
        var file = Authz(name);
        var held = Count(file);
        var (records, account, _) = Read(file);
        Assert.Empty(records);
        var none = Assert.Single(account, f => f.FindingId == "NoLambdaFunction");
        Assert.StartsWith(held.Roles + " roles read (" + held.Users + " users, " + held.Groups + " groups, ", none.Message);
        Assert.Contains(file, none.Message);
        Assert.Contains("nothing to migrate", none.Message);
        Assert.Equal(file, none.Source!.File);
        // Every role trusting Lambda is unused here (no function was read), and each is named.
        if (held.LambdaRoles.Count == 0) Assert.DoesNotContain(account, f => f.FindingId == "UnusedExecutionRole");
        else
        {
            var unused = Assert.Single(account, f => f.FindingId == "UnusedExecutionRole");
            Assert.StartsWith(held.LambdaRoles.Count + " role(s) trust lambda.amazonaws.com", unused.Message);
            Assert.All(held.LambdaRoles, r => Assert.Contains(r, unused.Message));
        }
    }

    [Fact]
    public void TheRealExportsHoldAnUnusedExecutionRoleSoTheTheoryAssertsOne()
        => Assert.Contains(AuthzFiles(), f => Count(Authz((string)f[0])).LambdaRoles.Count > 0);

    [Fact]
    public void UnusedExecutionRolesAreNamedOnANormalExportAndARoleAFunctionUsesIsNot()
    {
        var authz = Authz("cloudsplaining-example-2023.json");
        var lambdaRoles = Count(authz).LambdaRoles;
        Assert.NotEmpty(lambdaRoles);
        // A real list-functions export whose function uses a role the authorization details do not hold.
        var (records, account, _) = Read(authz, TestPaths.Shared("aws-api-responses", "cloudmapper-demo", "lambda-list-functions.json"));
        Assert.NotEmpty(records);
        Assert.DoesNotContain(account, f => f.FindingId == "NoLambdaFunction");
        var unused = Assert.Single(account, f => f.FindingId == "UnusedExecutionRole");
        Assert.Equal(FindingSeverity.Medium, unused.Severity);
        Assert.All(lambdaRoles, r => Assert.Contains(r, unused.Message));
        Assert.Contains(records.Count + " functions read", unused.Message);

        // A function whose role is the export's Lambda role: that role is used, so it is not named.
        var (used, account2, _) = Read(authz, Path.Combine(TestPaths.Fixtures, "inventory", "lambda-list-functions-privesc-role.json"));
        var roleOfFunction = Assert.Single(used).ExecutionRole!.RoleName;
        Assert.Contains(roleOfFunction, lambdaRoles);
        Assert.DoesNotContain(account2, f => f.FindingId == "UnusedExecutionRole" && f.Message.Contains(roleOfFunction, StringComparison.Ordinal));
    }

    [Fact]
    public void ARoleAnyoneMayAssumeIsHighUnlessAConditionRestrictsWho()
    {
        var file = Path.Combine(TestPaths.Fixtures, "inventory", "iam-get-account-authorization-details-risky-trust.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var bySid = doc.RootElement.GetProperty("RoleDetailList").EnumerateArray()
            .ToDictionary(r => r.GetProperty("AssumeRolePolicyDocument").GetProperty("Statement")[0].GetProperty("Sid").GetString()!, r => r.GetProperty("RoleName").GetString()!);
        var (_, account, _) = Read(file);
        var risky = account.Where(f => f.FindingId == "RoleAssumableByAnyone").ToList();
        Assert.All(risky, f => Assert.Equal(FindingSeverity.High, f.Severity));
        Assert.Single(risky, f => f.Message.Contains("'" + bySid["AnyoneNoCondition"] + "'", StringComparison.Ordinal) && f.Message.EndsWith("with no condition.", StringComparison.Ordinal));
        // sts:ExternalId is a shared value, not a restriction of who may call: still anyone.
        Assert.Single(risky, f => f.Message.Contains("'" + bySid["AnyoneWithExternalId"] + "'", StringComparison.Ordinal) && f.Message.Contains("sts:ExternalId", StringComparison.Ordinal));
        Assert.DoesNotContain(risky, f => f.Message.Contains("'" + bySid["AnyoneInTheOrganization"] + "'", StringComparison.Ordinal));
        Assert.Equal(2, risky.Count);
    }

    [Fact]
    public async Task AssessOnARolesOnlyExportReportsTheFindingsAndExitsTwoSayingWhy()
    {
        var file = Authz("cloudsplaining-example-2023.json");
        var held = Count(file);
        var outDir = Path.Combine(Path.GetTempPath(), "li-roles-only-" + Guid.NewGuid().ToString("N"));
        try
        {
            var run = await AssessmentRunner.RunAsync(new AssessmentRequest { Paths = new[] { file }, OutputFolder = outDir }, EngineContext.None);
            Assert.Equal(ExitCodes.NotEnoughRead, run.Summary.ExitCode);
            Assert.Contains(held.Roles + " roles read", run.Summary.ExitReason);
            Assert.Contains("nothing to migrate", run.Summary.ExitReason);
            Assert.Equal(0, run.Summary.Functions);
            var expected = 1 + (held.LambdaRoles.Count > 0 ? 1 : 0);
            Assert.Equal(expected, run.Summary.Findings);
            var report = File.ReadAllText(Path.Combine(outDir, AssessmentOutputs.ReportFileName));
            Assert.Contains("- Findings: " + expected, report);
            Assert.Contains("| (account) | Info | NoLambdaFunction | " + held.Roles + " roles read", report);
            Assert.All(held.LambdaRoles, r => Assert.Contains(r, report));
            var html = File.ReadAllText(Path.Combine(outDir, LambdaIdentity.Core.Reporting.MigrationPlanWriter.ReportHtml));
            Assert.Contains("<li>Findings: " + expected + "</li>", html);
            Assert.Contains("NoLambdaFunction", html);
            Assert.Contains(held.Roles + " roles read", html);
        }
        finally { if (Directory.Exists(outDir)) Directory.Delete(outDir, true); }
    }

    [Fact]
    public void TheInventoryVerbWarnsAndItsExitTwoMessageSaysWhatWasRead()
    {
        var file = Authz("cloudsplaining-example-2023.json");
        var held = Count(file);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = Program.Run(new[] { "inventory", "--path", file }, stdout, stderr, new StringReader(""));
        Assert.Equal(ExitCodes.NotEnoughRead, code);
        var err = stderr.ToString();
        Assert.Contains("warning: NoLambdaFunction: " + held.Roles + " roles read", err);
        Assert.Contains("error: InventoryEmpty: no Lambda function was found in the input (" + held.Roles + " roles read", err);
        if (held.LambdaRoles.Count > 0) Assert.Contains("warning: UnusedExecutionRole: ", err);
    }
}

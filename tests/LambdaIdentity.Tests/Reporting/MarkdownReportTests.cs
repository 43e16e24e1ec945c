using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Reporting;

public sealed class MarkdownReportTests
{
    private static AzRoleMapping Assignment(string fn, string role, string scope) => new()
    {
        MappingId = fn + "/" + role, FunctionName = fn, FunctionAppName = "func-" + fn, Surface = IdentitySurface.Workload,
        Kind = MappingKind.RoleAssignment, Strategy = MappingStrategy.BuiltIn, AwsFeature = "s3:GetObject on arn:aws:s3:::b/*",
        AzureFeature = "Blob read", RoleDefinitionName = role, RoleDefinitionId = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        Scope = scope, PrincipalName = "id-" + fn, Reason = "least privileged covering role",
    };

    private static string Render(ReportInput input)
    {
        var w = new StringWriter();
        MarkdownReport.Write(w, input);
        return w.ToString();
    }

    [Fact]
    public void Writes_the_specification_tables_with_one_row_per_record()
    {
        var deviation = new AzRoleMapping
        {
            MappingId = "fn/deny", FunctionName = "fn", FunctionAppName = "func-fn", Kind = MappingKind.RoleAssignment,
            Strategy = MappingStrategy.Deviation, AwsFeature = "Deny s3:DeleteObject", Reason = "explicit Deny has no Azure equivalent",
            Impact = "deletes are not blocked", Mitigation = "assign a role without delete",
        };
        var md = Render(new ReportInput
        {
            Mappings = new[] { Assignment("fn", "Storage Blob Data Reader", "/subscriptions/s/rg/x"), deviation },
            ParityResults = new[] { new IdentityParityResult { FunctionAppName = "func-fn", Status = ParityStatus.Missing, Expected = "Storage Blob Data Reader", Actual = "none", Reason = "no assignment" } },
        });
        Assert.Contains("| Function | Surface | Feature | AWS implementation | Azure implementation | Migration strategy |", md);
        Assert.Contains("| Function | Feature | Deviation | Impact | Mitigation |", md);
        Assert.Contains("| fn | Deny s3:DeleteObject | explicit Deny has no Azure equivalent | deletes are not blocked | assign a role without delete |", md);
        Assert.Contains("| func-fn | id-fn | Storage Blob Data Reader | 2a2b9908-6ea1-4ae2-8e65-a410df84e7d1 | /subscriptions/s/rg/x | BuiltIn |  |", md);
        Assert.Contains("| Missing | func-fn |", md);
        Assert.Contains("- Parity: Missing 1", md);
        Assert.Contains("- Mapping items: 2 (BuiltIn 1, Deviation 1)", md);
    }

    [Fact]
    public void Escapes_pipes_and_newlines_so_a_cell_cannot_break_the_table()
    {
        Assert.Equal("a\\|b<br>c", MarkdownReport.Cell("a|b\nc"));
        var md = Render(new ReportInput { Mappings = new[] { Assignment("f|n", "R", "s") } });
        Assert.Contains("| f\\|n |", md);
        Assert.DoesNotContain("| f|n |", md);
    }

    [Fact]
    public void Empty_sections_say_none_instead_of_an_empty_table()
    {
        var md = Render(new ReportInput());
        Assert.Contains("## Deviations\n\n_None._", md.Replace("\r\n", "\n"));
        Assert.DoesNotContain("## Parity results", md);
    }

    [Fact]
    public void Findings_and_errors_are_listed()
    {
        var md = Render(new ReportInput
        {
            Inventory = new[] { new LambdaFunctionIdentity { FunctionName = "status", Findings = new[] { new Finding { FindingId = "PublicFunctionUrl", Severity = FindingSeverity.High, Message = "URL without auth" } } } },
            Errors = new[] { new EngineError { ErrorId = "TemplateYamlMalformed", Target = "t.yaml", Message = "bad", Location = new SourceLocation { File = "t.yaml", Line = 3, Column = 5 } } },
        });
        Assert.Contains("| status | High | PublicFunctionUrl | URL without auth |  |", md);
        Assert.Contains("| TemplateYamlMalformed | t.yaml | t.yaml:3:5 | bad |", md);
    }

    [Fact]
    public void Findings_raised_by_the_mapping_are_listed_once()
    {
        var finding = new Finding { FindingId = "PublicFunctionUrl", Severity = FindingSeverity.Medium, Message = "URL of status accepts anonymous calls." };
        var mapping = Assignment("status", "Reader", "s");
        var withFinding = new AzRoleMapping { MappingId = "m2", FunctionName = "status", Kind = MappingKind.Authentication, Findings = new[] { finding } };
        var md = Render(new ReportInput
        {
            Inventory = new[] { new LambdaFunctionIdentity { FunctionName = "status", Findings = new[] { finding } } },
            Mappings = new[] { mapping, withFinding },
        });
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(md, "\\| status \\| Medium \\| PublicFunctionUrl"));
    }
}

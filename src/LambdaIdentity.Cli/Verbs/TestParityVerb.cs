using System.CommandLine;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Model;

namespace LambdaIdentity.Cli.Verbs;

/// <summary>`lambda-identity test-parity`: mappings against the Azure state; exit 1 when a result fails at --fail-on.</summary>
public sealed class TestParityVerb : ICliVerb
{
    /// <inheritdoc />
    public Command Build(CliIO io)
    {
        var cmd = new Command("test-parity", "Check designed mappings against the Azure state: Pass, Missing, Broader, Excess, Drift or Unverifiable per item. Exit code 1 when a result fails at --fail-on, 2 when nothing could be checked.");
        var mapping = new Option<string>("--mapping") { Description = "Mapping records (JSON array from convert), or - for stdin.", Required = true };
        var state = new Option<string[]>("--azure-state") { Description = "az CLI exports, ARM REST bodies or ARM templates: files or folders (read recursively).", AllowMultipleArgumentsPerToken = true };
        var subscription = new Option<string?>("--subscription-id") { Description = "Read the live state of this subscription through ARM instead (Azure.Identity's default credential chain)." };
        var tenant = new Option<string?>("--tenant-id") { Description = "The tenant for the live credential." };
        var templateScope = new Option<string?>("--template-scope") { Description = "The resource group ARM templates deploy to (/subscriptions/ID/resourceGroups/NAME), to resolve resourceGroup(), subscription() and relative scopes." };
        var failOn = new Option<ParityFailLevel>("--fail-on") { Description = "Which results fail the run: Any (default: every non-Pass, Unverifiable included), Access, Excess, None.", DefaultValueFactory = _ => ParityFailLevel.Any };
        var junit = new Option<string?>("--junit") { Description = "Also write JUnit XML here (for Azure DevOps PublishTestResults)." };
        var verbose = new Option<bool>("--verbose") { Description = "Write diagnostics to stderr." };
        var format = CliIO.FormatOption();
        var devops = CliIO.AzureDevOpsOption();
        foreach (var o in new Option[] { mapping, state, subscription, tenant, templateScope, failOn, junit, devops, verbose, format }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            io.VerboseEnabled = parse.GetValue(verbose);
            var context = io.Context(CancellationToken.None);
            List<AzRoleMapping> mappings;
            try { mappings = io.ReadRecords<AzRoleMapping>(parse.GetValue(mapping)!); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
            {
                io.Err.WriteLine("error: MappingInputUnreadable: " + ex.Message);
                return 2;
            }
            if (mappings.Count == 0) { io.Err.WriteLine("error: MappingInputEmpty: no mapping records to check."); return 2; }
            var paths = parse.GetValue(state) ?? Array.Empty<string>();
            var sub = parse.GetValue(subscription);
            if ((paths.Length == 0) == string.IsNullOrEmpty(sub))
            {
                io.Err.WriteLine("error: AzureStateSourceInvalid: give either --azure-state PATH... or --subscription-id ID.");
                return 2;
            }
            var reader = new AzureStateReader();
            if (parse.GetValue(templateScope) is string ts)
            {
                var parts = ts.Trim('/').Split('/');
                if (parts.Length != 4 || !parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) || !parts[2].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase))
                {
                    io.Err.WriteLine("error: TemplateScopeInvalid: --template-scope must be /subscriptions/ID/resourceGroups/NAME.");
                    return 2;
                }
                reader.TemplateSubscriptionId = parts[1];
                reader.TemplateResourceGroupName = parts[3];
            }
            var azure = paths.Length > 0
                ? reader.ReadAsync(paths, context).GetAwaiter().GetResult()
                : new ArmStateReader(new ArmStateReaderOptions { SubscriptionId = sub!, TenantId = parse.GetValue(tenant), FunctionAppNames = mappings.Select(m => m.FunctionAppName).ToList() })
                    .ReadAsync(context).GetAwaiter().GetResult();
            var results = ParityChecker.Check(mappings, azure, new ParityOptions(), context);
            var path = parse.GetValue(junit);
            if (!string.IsNullOrEmpty(path)) JUnitWriter.WriteFile(results, path!);
            if (parse.GetValue(format) == "json") io.WriteJson(results);
            else io.WriteTable(new[] { "Status", "FunctionName", "Kind", "Expected", "Actual", "Reason" },
                results.Select(r => (IReadOnlyList<string?>)new[] { r.Status.ToString(), r.FunctionName, r.Kind.ToString(), r.Expected, r.Actual, r.Reason }));
            var summary = string.Join(", ", results.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => g.Key + " " + g.Count()));
            io.Err.WriteLine("parity: " + results.Count + " results" + (summary.Length > 0 ? " (" + summary + ")" : ""));
            if (CliIO.AzureDevOps(parse.GetValue(devops), parse.GetValue(format))) AzureDevOpsCommands.WriteIssues(io.Out, results, parse.GetValue(failOn));
            return ParityVerdict.AnyFails(results, parse.GetValue(failOn)) ? 1 : 0;
        });
        return cmd;
    }
}

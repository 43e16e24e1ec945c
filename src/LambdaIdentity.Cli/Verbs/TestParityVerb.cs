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
        var cmd = new Command("test-parity", "Check designed mappings against the Azure state: Pass, Missing, Broader, Excess, Drift or Unverifiable per item. Exit codes: 0 every result verified and passing at --fail-on; 1 a result fails; 2 an input or evidence could not be read, or nothing was verified; 64 a usage error (docs/cli.md).");
        var mapping = new Option<string>("--mapping") { Description = "Mapping records (JSON array from convert), or - for stdin.", Required = true };
        var state = new Option<string[]>("--azure-state") { Description = "az CLI exports, ARM REST bodies or ARM templates: files or folders (read recursively).", AllowMultipleArgumentsPerToken = true };
        var subscription = new Option<string?>("--subscription-id") { Description = "Read the live state of this subscription through ARM instead (Azure.Identity's default credential chain)." };
        var tenant = new Option<string?>("--tenant-id") { Description = "The tenant for the live credential." };
        var environment = new Option<AzureCloudName?>("--environment") { Description = "The Azure cloud of --subscription-id: AzureCloud (default), AzureChinaCloud, AzureUSGovernment (ARM endpoint and sign-in authority)." };
        var timeout = new Option<int?>("--timeout") { Description = "With --subscription-id: the time limit of each ARM call in seconds (retries included); a call that takes longer is an error and its evidence unread (exit 2)." };
        var templateScope = new Option<string?>("--template-scope") { Description = "The resource group ARM templates deploy to (/subscriptions/ID/resourceGroups/NAME), to resolve resourceGroup(), subscription() and relative scopes." };
        var failOn = new Option<ParityFailLevel>("--fail-on") { Description = "Which results fail the run: Any (default: every result but Pass and NotApplicable), Access (lost, added or drifted access), Excess (added access), None. Unverifiable on unread evidence fails every level but None.", DefaultValueFactory = _ => ParityFailLevel.Any };
        var awsState = new Option<string[]>("--aws-state") { Description = "The AWS side of the trust for dependencies that stay on AWS: aws iam get-account-authorization-details or get-role outputs (files or folders). Without it those items are Unverifiable (not read).", AllowMultipleArgumentsPerToken = true };
        var prefer = new Option<string[]>("--prefer") { Description = "When two exports of the same object disagree, trust this file (repeatable); without it such objects are judged on neither (Unverifiable).", AllowMultipleArgumentsPerToken = true };
        var junit = new Option<string?>("--junit") { Description = "Also write JUnit XML here (for Azure DevOps PublishTestResults)." };
        var verbose = new Option<bool>("--verbose") { Description = "Write diagnostics to stderr." };
        var format = CliIO.FormatOption();
        var devops = CliIO.AzureDevOpsOption();
        foreach (var o in new Option[] { mapping, state, awsState, prefer, subscription, tenant, environment, timeout, templateScope, failOn, junit, devops, verbose, format }) cmd.Options.Add(o);
        cmd.SetAction(parse =>
        {
            io.VerboseEnabled = parse.GetValue(verbose);
            var context = io.Context(CancellationToken.None);
            var paths = parse.GetValue(state) ?? Array.Empty<string>();
            var sub = parse.GetValue(subscription);
            if ((paths.Length == 0) == string.IsNullOrEmpty(sub))
                return io.Usage("AzureStateSourceInvalid", "give either --azure-state PATH... or --subscription-id ID.");
            if (string.IsNullOrEmpty(sub) && (parse.GetValue(environment) is not null || parse.GetValue(timeout) is not null))
                return io.Usage("LiveOptionWithoutSubscription", "--environment and --timeout apply to live reads: give --subscription-id.");
            if (parse.GetValue(timeout) is int seconds && (seconds < 1 || seconds > 86400))
                return io.Usage("TimeoutInvalid", "--timeout must be a number of seconds from 1 to 86400.");
            if (io.RequireExisting("--azure-state", paths) is var missing and not 0) return missing;
            if (io.RequireExisting("--prefer", parse.GetValue(prefer)) is var missingPreferred and not 0) return missingPreferred;
            if (io.RequireExisting("--aws-state", parse.GetValue(awsState)) is var missingAws and not 0) return missingAws;
            var reader = new AzureStateReader();
            foreach (var p in parse.GetValue(prefer) ?? Array.Empty<string>()) reader.PreferredFiles.Add(Path.GetFullPath(p));
            if (parse.GetValue(templateScope) is string ts)
            {
                if (!AzureStateReader.TryParseTemplateScope(ts, out var tsSub, out var tsGroup))
                    return io.Usage("TemplateScopeInvalid", "--template-scope must be /subscriptions/ID/resourceGroups/NAME.");
                reader.TemplateSubscriptionId = tsSub;
                reader.TemplateResourceGroupName = tsGroup;
            }
            if (io.TryReadRecords<AzRoleMapping>("--mapping", parse.GetValue(mapping)!, out var mappings) is var unread and not 0) return unread;
            if (mappings.Count == 0) return io.Unreadable("MappingInputEmpty", parse.GetValue(mapping)!, "no mapping records to check: a check with nothing to verify is not a pass.");
            AzureState azure;
            if (paths.Length > 0) azure = reader.ReadAsync(paths, context).GetAwaiter().GetResult();
            else
            {
                var cloud = parse.GetValue(environment) is AzureCloudName chosen ? AzureClouds.Known(chosen, "--environment") : AzureClouds.Known(AzureCloudName.AzureCloud, "the default (--environment for another cloud)");
                context.Verbose(cloud.Describe());
                azure = new ArmStateReader(new ArmStateReaderOptions
                {
                    SubscriptionId = sub!, TenantId = parse.GetValue(tenant), FunctionAppNames = mappings.Select(m => m.FunctionAppName).ToList(),
                    Endpoint = cloud.ArmEndpoint, AuthorityHost = cloud.AuthorityHost,
                    RequestTimeout = parse.GetValue(timeout) is int limit ? TimeSpan.FromSeconds(limit) : null,
                }).ReadAsync(context).GetAwaiter().GetResult();
            }
            var awsPaths = parse.GetValue(awsState) ?? Array.Empty<string>();
            var results = ParityChecker.Check(mappings, azure, new ParityOptions { AwsState = awsPaths.Length > 0 ? AwsTrustState.Read(awsPaths, context) : null }, context);
            var path = parse.GetValue(junit);
            if (!string.IsNullOrEmpty(path)) JUnitWriter.WriteFile(results, path!);
            if (parse.GetValue(format) == "json") io.WriteJson(results);
            else io.WriteTable(new[] { "Status", "FunctionName", "Kind", "Expected", "Actual", "Reason" },
                results.Select(r => (IReadOnlyList<string?>)new[] { r.Status + (r.EvidenceUnread ? " (not read)" : ""), r.FunctionName, r.Kind.ToString(), r.Expected, r.Actual, r.Reason }));
            var (code, why) = ParityVerdict.Explain(results.ToList(), io.ErrorCount, parse.GetValue(failOn));
            io.Note("parity: " + results.Count + " results (" + ParityVerdict.Summary(results) + "); exit " + code + ": " + why);
            if (CliIO.AzureDevOps(parse.GetValue(devops), parse.GetValue(format))) AzureDevOpsCommands.WriteIssues(io.Out, results, parse.GetValue(failOn));
            return code;
        });
        return cmd;
    }
}

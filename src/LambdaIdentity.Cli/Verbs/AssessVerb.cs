using System.CommandLine;
using LambdaIdentity.Core.Assessment;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;

namespace LambdaIdentity.Cli.Verbs;

/// <summary>`assess`: every stage in one run: inventory, mapping, (parity), report, templates, JUnit.</summary>
public sealed class AssessVerb : ICliVerb
{
    /// <inheritdoc />
    public Command Build(CliIO io)
    {
        var path = new Option<string[]>("--path") { Description = "Templates, exports, authorization details or folders to read (or --live).", AllowMultipleArgumentsPerToken = true };
        var live = new AwsLiveCliOptions();
        var parameter = new Option<string[]>("--parameter") { Description = "Template parameter override K=V (repeatable).", AllowMultipleArgumentsPerToken = true };
        var state = new Option<string[]>("--azure-state") { Description = "az CLI exports or ARM templates of the Azure target (files or folders); parity is skipped without it.", AllowMultipleArgumentsPerToken = true };
        var resourceMap = new Option<string?>("--resource-map") { Description = "JSON or CSV file mapping AWS ARNs (or patterns) to Azure resource IDs." };
        var plan = new Option<HostingPlan>("--hosting-plan") { Description = "FlexConsumption (default), Premium, Dedicated or Consumption.", DefaultValueFactory = _ => HostingPlan.FlexConsumption };
        var rules = new Option<string?>("--rule-set") { Description = "Rule file adding to or overriding the default mapping rules." };
        var outDir = new Option<string>("--out") { Description = "Folder for inventory.json, mapping.json, parity.json, parity-junit.xml, errors.json, report.md, report.html, runbook.md, runbook.html, runbook/, azure-design.bicep, and aws-trust.cfn.json / aws-trust.tf.json when a dependency stays on AWS.", Required = true };
        var failOn = new Option<ParityFailLevel>("--fail-on") { Description = "Exit 1 when parity results fail at this level: None (default), Any, Access, Excess. Any level but None needs --azure-state (a gate with no evidence exits 2).", DefaultValueFactory = _ => ParityFailLevel.None };
        var awsState = new Option<string[]>("--aws-state") { Description = "The AWS side of the trust for dependencies that stay on AWS (aws iam get-account-authorization-details or get-role outputs, after deploying aws-trust.cfn.json or aws-trust.tf.json); without it those items are Unverifiable (not read).", AllowMultipleArgumentsPerToken = true };
        var prefer = new Option<string[]>("--prefer") { Description = "When two Azure exports of the same object disagree, trust this file (repeatable).", AllowMultipleArgumentsPerToken = true };
        var verbose = new Option<bool>("--verbose") { Description = "Write diagnostics to stderr." };
        var format = CliIO.FormatOption();
        var cmd = new Command("assess", "Run every stage: read the AWS side, design the Azure side, check the target when given, and write the report.");
        var devops = CliIO.AzureDevOpsOption();
        foreach (var o in new Option[] { path, parameter }.Concat(live.All).Concat(new Option[] { state, awsState, prefer, resourceMap, plan, rules, outDir, failOn, devops, verbose, format })) cmd.Options.Add(o);
        cmd.SetAction((r, ct) => Task.FromResult(Run(io, r, ct)));
        return cmd;

        int Run(CliIO io, ParseResult r, CancellationToken ct)
        {
            io.VerboseEnabled = r.GetValue(verbose);
            var invalid = live.Validate(io, r, path);
            if (invalid != 0) return invalid;
            var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in r.GetValue(parameter) ?? Array.Empty<string>())
            {
                var eq = kv.IndexOf('=');
                if (eq <= 0) return io.Usage("ParameterOverrideInvalid", $"--parameter '{kv}' is not K=V.");
                overrides[kv.Substring(0, eq)] = kv.Substring(eq + 1);
            }
            var statePaths = r.GetValue(state) ?? Array.Empty<string>();
            foreach (var (name, values) in new[] { ("--path", r.GetValue(path)), ("--azure-state", statePaths), ("--prefer", r.GetValue(prefer)), ("--aws-state", r.GetValue(awsState)), ("--resource-map", new[] { r.GetValue(resourceMap) }), ("--rule-set", new[] { r.GetValue(rules) }) })
                if (io.RequireExisting(name, values) is var missing and not 0) return missing;
            var level = r.GetValue(failOn);
            var dir = r.GetValue(outDir)!;
            if (File.Exists(dir)) return io.Usage("OutputFolderInvalid", "--out '" + dir + "' is a file, not a folder.");
            var inventoryOptions = new InventoryOptions { Parameters = overrides, Region = live.TemplateRegion(r) };
            var request = new AssessmentRequest
            {
                Paths = r.GetValue(path) ?? Array.Empty<string>(),
                InventoryOptions = inventoryOptions,
                InventorySource = r.GetValue(live.Live) ? c => Task.FromResult<IReadOnlyList<LambdaFunctionIdentity>?>(live.Read(r, inventoryOptions, c)) : null,
                ResourceMapPath = r.GetValue(resourceMap),
                RuleSetPath = r.GetValue(rules),
                HostingPlan = r.GetValue(plan),
                AzureStatePaths = statePaths,
                PreferredFiles = r.GetValue(prefer) ?? Array.Empty<string>(),
                AwsStatePaths = r.GetValue(awsState) ?? Array.Empty<string>(),
                OutputFolder = dir,
                FailOn = level,
            };
            var run = AssessmentRunner.RunAsync(request, io.Context(ct)).GetAwaiter().GetResult();
            var summary = run.Summary;
            if (summary.Files.Count == 0) return summary.ExitCode; // stopped before writing; the errors said why
            if (r.GetValue(format) == "json") io.Out.WriteLine(CliIO.SafeJson(System.Text.Json.JsonSerializer.Serialize(summary, ModelJson.Options)));
            else
            {
                io.Line($"Functions read:      {summary.Functions} ({summary.MappedFunctions} mapped)");
                io.Line($"Mapping items:       {summary.MappingItems} ({Join(summary.Strategies)})");
                io.Line(summary.ParityChecked ? $"Parity results:      {run.ParityResults.Count} ({ParityVerdict.Summary(run.ParityResults)})" : "Parity results:      not checked (no --azure-state)");
                io.Line($"Findings:            {summary.Findings}");
                io.Line($"Errors:              {summary.Errors}");
                io.Line($"Report:              {summary.Report}");
                io.Line($"Exit code:           {summary.ExitCode} ({summary.ExitReason})");
                if (CliIO.AzureDevOps(r.GetValue(devops), r.GetValue(format)))
                {
                    AzureDevOpsCommands.WriteUploadSummary(io.Out, summary.Report);
                    AzureDevOpsCommands.WriteIssues(io.Out, run.ParityResults, level == ParityFailLevel.None ? ParityFailLevel.Access : level);
                }
            }
            return summary.ExitCode;
        }
    }

    /// <summary>Every file `assess` writes into --out (the engine's list); an earlier run's copies are removed before this run writes its own.</summary>
    public static IReadOnlyList<string> Outputs => AssessmentOutputs.FileNames;

    private static string Join(IReadOnlyDictionary<string, int> counts) => string.Join(", ", counts.Select(kv => kv.Key + " " + kv.Value));
}

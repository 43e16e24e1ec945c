using System.CommandLine;
using System.Text;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Core.Translation;
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
        var outDir = new Option<string>("--out") { Description = "Folder for inventory.json, mapping.json, parity.json, parity-junit.xml, errors.json, report.md, azure-design.bicep, and aws-trust.cfn.json / aws-trust.tf.json when a dependency stays on AWS.", Required = true };
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
            if (!MapVerb.TryOptions(io, r.GetValue(rules), r.GetValue(resourceMap), out var ruleSet, out var map)) return ExitCodes.NotEnoughRead;
            var dir = r.GetValue(outDir)!;
            if (File.Exists(dir)) return io.Usage("OutputFolderInvalid", "--out '" + dir + "' is a file, not a folder.");
            Directory.CreateDirectory(dir);
            // The folder's outputs belong to this run: an earlier run's results that this run does not write again must not
            // be published as if they were this run's (parity.json without --azure-state, say).
            foreach (var name in Outputs)
            {
                var old = Path.Combine(dir, name);
                if (File.Exists(old)) { File.Delete(old); io.Verbose("removed the earlier run's " + old); }
            }
            var context = io.Context(ct);

            var inventoryOptions = new InventoryOptions { Parameters = overrides, Region = live.TemplateRegion(r) };
            var inventory = r.GetValue(live.Live) ? live.Read(io, r, inventoryOptions, ct) : new InventoryReader().Read(r.GetValue(path)!, inventoryOptions, context).ToList();
            if (inventory is null) return ExitCodes.NotEnoughRead;
            Write(Path.Combine(dir, "inventory.json"), ModelJson.Serialize(inventory));

            var options = new MappingOptions { HostingPlan = r.GetValue(plan), RuleSet = ruleSet, ResourceMap = map };
            var mappings = new AzRoleMapper(GrantDeriver.Default, options).Map(inventory, context);
            Write(Path.Combine(dir, "mapping.json"), ModelJson.Serialize(mappings));
            Write(Path.Combine(dir, "azure-design.bicep"), MappingTemplateExporter.Export(mappings, TemplateFormat.Bicep));
            if (AwsTrustTemplateExporter.HasAny(mappings))
            {
                Write(Path.Combine(dir, "aws-trust.cfn.json"), MappingTemplateExporter.Export(mappings, TemplateFormat.AwsCloudFormation));
                Write(Path.Combine(dir, "aws-trust.tf.json"), MappingTemplateExporter.Export(mappings, TemplateFormat.AwsTerraform));
            }

            IReadOnlyList<IdentityParityResult> results = Array.Empty<IdentityParityResult>();
            if (statePaths.Length > 0)
            {
                var reader = new AzureStateReader();
                foreach (var p in r.GetValue(prefer) ?? Array.Empty<string>()) reader.PreferredFiles.Add(Path.GetFullPath(p));
                var azure = reader.ReadAsync(statePaths, context).GetAwaiter().GetResult();
                var awsPaths = r.GetValue(awsState) ?? Array.Empty<string>();
                results = ParityChecker.Check(mappings, azure, new ParityOptions { AwsState = awsPaths.Length > 0 ? AwsTrustState.Read(awsPaths, context) : null }, context);
                Write(Path.Combine(dir, "parity.json"), ModelJson.Serialize(results));
                JUnitWriter.WriteFile(results, Path.Combine(dir, "parity-junit.xml"));
            }

            List<EngineError> errors;
            lock (io.Errors) errors = io.Errors.ToList();
            Write(Path.Combine(dir, "errors.json"), ModelJson.Serialize(errors));
            var reportPath = Path.Combine(dir, "report.md");
            using (var w = new StreamWriter(reportPath, false, new UTF8Encoding(false)))
                MarkdownReport.Write(w, new ReportInput { Inventory = inventory, Mappings = mappings, ParityResults = results, Errors = errors });

            var summary = new AssessmentSummary
            {
                Functions = inventory.Count,
                MappedFunctions = mappings.Select(m => m.FunctionAppName).Distinct(StringComparer.Ordinal).Count(),
                MappingItems = mappings.Count,
                Strategies = mappings.GroupBy(m => m.Strategy).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToString(), g => g.Count()),
                Parity = results.GroupBy(x => x.Status).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToString(), g => g.Count()),
                Findings = inventory.Sum(f => f.Findings.Count) + mappings.Sum(m => m.Findings.Count),
                Errors = errors.Count,
                Report = reportPath,
                OutputFolder = dir,
            };
            var (code, why) = Verdict(io, inventory.Count, statePaths.Length > 0, results, level);
            summary.ExitCode = code;
            summary.ExitReason = why;
            if (r.GetValue(format) == "json") io.Out.WriteLine(CliIO.SafeJson(System.Text.Json.JsonSerializer.Serialize(summary, ModelJson.Options)));
            else
            {
                io.Line($"Functions read:      {summary.Functions} ({summary.MappedFunctions} mapped)");
                io.Line($"Mapping items:       {summary.MappingItems} ({Join(summary.Strategies)})");
                io.Line(statePaths.Length > 0 ? $"Parity results:      {results.Count} ({ParityVerdict.Summary(results)})" : "Parity results:      not checked (no --azure-state)");
                io.Line($"Findings:            {summary.Findings}");
                io.Line($"Errors:              {summary.Errors}");
                io.Line($"Report:              {reportPath}");
                io.Line($"Exit code:           {code} ({why})");
                if (CliIO.AzureDevOps(r.GetValue(devops), r.GetValue(format)))
                {
                    AzureDevOpsCommands.WriteUploadSummary(io.Out, reportPath);
                    AzureDevOpsCommands.WriteIssues(io.Out, results, level == ParityFailLevel.None ? ParityFailLevel.Access : level);
                }
            }
            return code;
        }
    }

    /// <summary>Every file `assess` writes into --out; an earlier run's copies are removed before this run writes its own.</summary>
    public static readonly string[] Outputs = { "inventory.json", "mapping.json", "azure-design.bicep", "parity.json", "parity-junit.xml", "errors.json", "report.md", "aws-trust.cfn.json", "aws-trust.tf.json" };

    // The exit-code contract (docs/cli.md): input errors or nothing read give 2; a gate level without Azure evidence gives 2.
    private static (int Code, string Why) Verdict(CliIO io, int functions, bool stateGiven, IReadOnlyList<IdentityParityResult> results, ParityFailLevel level)
    {
        if (stateGiven) return ParityVerdict.Explain(results.ToList(), io.ErrorCount, level);
        if (io.ErrorCount > 0) return (ExitCodes.NotEnoughRead, io.ErrorCount + " input error(s): not everything could be read");
        if (functions == 0) return (ExitCodes.NotEnoughRead, "no Lambda function was read");
        if (level != ParityFailLevel.None) return (ExitCodes.NotEnoughRead, "--fail-on " + level + " needs --azure-state: a gate never passes on evidence it did not read");
        return (ExitCodes.Ok, "read, designed and reported; parity not checked");
    }

    private static string Join(IReadOnlyDictionary<string, int> counts) => string.Join(", ", counts.Select(kv => kv.Key + " " + kv.Value));

    private static void Write(string file, string text) => File.WriteAllText(file, text, new UTF8Encoding(false));

    /// <summary>What `assess --format json` prints.</summary>
    public sealed class AssessmentSummary
    {
        /// <summary>Inventory records read.</summary>
        public int Functions { get; init; }
        /// <summary>Functions with at least one mapping item.</summary>
        public int MappedFunctions { get; init; }
        /// <summary>Mapping items.</summary>
        public int MappingItems { get; init; }
        /// <summary>Mapping items per strategy.</summary>
        public IReadOnlyDictionary<string, int> Strategies { get; init; } = new Dictionary<string, int>();
        /// <summary>Parity results per status (empty when not checked).</summary>
        public IReadOnlyDictionary<string, int> Parity { get; init; } = new Dictionary<string, int>();
        /// <summary>Findings in the inventory and the mapping.</summary>
        public int Findings { get; init; }
        /// <summary>Errors of the run.</summary>
        public int Errors { get; init; }
        /// <summary>The report file.</summary>
        public string Report { get; init; } = "";
        /// <summary>The output folder.</summary>
        public string OutputFolder { get; init; } = "";
        /// <summary>The run's exit code (docs/cli.md).</summary>
        public int ExitCode { get; set; }
        /// <summary>Why the run exits with that code.</summary>
        public string ExitReason { get; set; } = "";
    }
}

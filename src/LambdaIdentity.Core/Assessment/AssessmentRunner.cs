using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Assessment;

/// <summary>What one assessment reads and where it writes. Inventory: <see cref="InventorySource"/>, else <see cref="Inventory"/>, else <see cref="Paths"/>.</summary>
public sealed class AssessmentRequest
{
    /// <summary>Templates, exports, authorization details or folders to read (file-system paths).</summary>
    public IReadOnlyList<string> Paths { get; init; } = Array.Empty<string>();
    /// <summary>Settings of reading <see cref="Paths"/> (parameter overrides, region, account).</summary>
    public InventoryOptions InventoryOptions { get; init; } = new();
    /// <summary>An inventory read already (piped records); <see cref="Paths"/> are then not read.</summary>
    public IReadOnlyList<LambdaFunctionIdentity>? Inventory { get; init; }
    /// <summary>
    /// Errors met before the run (piped copies that could not be converted back into records): they count as the run's
    /// input errors (errors.json, the exit code), so the run never passes on input it could not read.
    /// </summary>
    public IReadOnlyList<EngineError> PriorErrors { get; init; } = Array.Empty<EngineError>();
    /// <summary>
    /// Reads the inventory with the run's context (live collection), after the output folder is prepared; null when the
    /// read could not start (it reports why): the run then ends with exit code 2 and writes nothing.
    /// </summary>
    public Func<EngineContext, Task<IReadOnlyList<LambdaFunctionIdentity>?>>? InventorySource { get; init; }
    /// <summary>A JSON or CSV resource map (file-system path), or null.</summary>
    public string? ResourceMapPath { get; init; }
    /// <summary>A rule file adding to or overriding the default mapping rules, or null.</summary>
    public string? RuleSetPath { get; init; }
    /// <summary>The Azure Functions hosting plan.</summary>
    public HostingPlan HostingPlan { get; init; } = HostingPlan.FlexConsumption;
    /// <summary>az CLI exports, ARM REST bodies or ARM templates of the target; parity is not checked without any.</summary>
    public IReadOnlyList<string> AzureStatePaths { get; init; } = Array.Empty<string>();
    /// <summary>Exports to trust when two exports of the same object disagree.</summary>
    public IReadOnlyList<string> PreferredFiles { get; init; } = Array.Empty<string>();
    /// <summary>
    /// The AWS side of the trust for dependencies that stay on AWS (get-account-authorization-details or get-role outputs);
    /// without any, those items are Unverifiable (not read).
    /// </summary>
    public IReadOnlyList<string> AwsStatePaths { get; init; } = Array.Empty<string>();
    /// <summary>The output folder (created when missing); the run owns the files named in <see cref="AssessmentOutputs.All"/> there.</summary>
    public string OutputFolder { get; init; } = "";
    /// <summary>Which parity results fail the run (default None: the assessment informs).</summary>
    public ParityFailLevel FailOn { get; init; } = ParityFailLevel.None;
}

/// <summary>The outcome of a run: its summary, and the parity results for a front that reports them further (pipeline issues).</summary>
public sealed class AssessmentRun
{
    /// <summary>The summary (counts, files, exit code and reason).</summary>
    public AssessmentSummary Summary { get; init; } = new();
    /// <summary>The parity results (empty when not checked).</summary>
    public IReadOnlyList<IdentityParityResult> ParityResults { get; init; } = Array.Empty<IdentityParityResult>();
}

/// <summary>
/// The one engine entry point of an assessment (`lambda-identity assess`, Invoke-LambdaIdentityAssessment): reads the
/// AWS side, designs the Azure side, checks the target when Azure state is given, and writes every output of
/// <see cref="AssessmentOutputs"/> straight to its file. The exit code follows the one contract (docs/cli.md).
/// </summary>
public static class AssessmentRunner
{
    /// <summary>Runs the assessment. Every error goes to the context as it happens and, in order, to errors.json.</summary>
    public static async Task<AssessmentRun> RunAsync(AssessmentRequest request, EngineContext context)
    {
        if (request is null) throw new ArgumentNullException(nameof(request));
        var collected = new ErrorCollector();
        var run = new EngineContext(new Tee(collected, context), context, context, context.CancellationToken);
        var dir = request.OutputFolder;
        foreach (var e in request.PriorErrors) collected.Error(e);

        // The design's inputs first: a design without its resource map or rules would be silently different.
        MappingRuleSet? rules = null;
        var map = ResourceMap.Empty;
        try
        {
            if (request.RuleSetPath is not null) rules = RuleSetLoader.LoadAndMerge(request.RuleSetPath);
            if (request.ResourceMapPath is not null) map = ResourceMap.Load(request.ResourceMapPath);
        }
        catch (RuleSetException ex) { foreach (var e in ex.Errors) run.Error(e); }
        catch (ResourceMapException ex) { foreach (var e in ex.Errors) run.Error(e); }
        var designErrors = collected.Errors.Count - request.PriorErrors.Count;
        if (designErrors > 0) return Stopped(dir, ExitCodes.NotEnoughRead, designErrors + " input error(s): the rule set or resource map could not be read");
        if (string.IsNullOrEmpty(dir) || File.Exists(dir))
        {
            run.Error("OutputFolderInvalid", EngineErrorCategory.InvalidArgument, dir, "The output folder '" + dir + "' is a file, not a folder.");
            return Stopped(dir, ExitCodes.Usage, "the output folder is a file");
        }

        Directory.CreateDirectory(dir);
        // The folder's outputs belong to this run: an earlier run's results that this run does not write again must not
        // be published as if they were this run's (parity.json without Azure state, say).
        foreach (var name in AssessmentOutputs.FileNames)
        {
            var old = Path.Combine(dir, name);
            if (File.Exists(old)) { File.Delete(old); run.Verbose("removed the earlier run's " + old); }
        }

        var inventoryReader = new InventoryReader();
        IReadOnlyList<LambdaFunctionIdentity>? inventory = request.InventorySource is not null ? await request.InventorySource(run).ConfigureAwait(false)
            : request.Inventory ?? inventoryReader.Read(request.Paths, request.InventoryOptions, run).ToList();
        if (inventory is null) return Stopped(dir, ExitCodes.NotEnoughRead, "the inventory could not be read");
        run.CancellationToken.ThrowIfCancellationRequested();

        var options = new MappingOptions { HostingPlan = request.HostingPlan, RuleSet = rules, ResourceMap = map };
        var mappings = new AzRoleMapper(GrantDeriver.Default, options).Map(inventory, run);

        var parityChecked = request.AzureStatePaths.Count > 0;
        IReadOnlyList<IdentityParityResult> results = Array.Empty<IdentityParityResult>();
        if (parityChecked)
        {
            var reader = new AzureStateReader();
            foreach (var p in request.PreferredFiles) reader.PreferredFiles.Add(Path.GetFullPath(p));
            var azure = await reader.ReadAsync(request.AzureStatePaths, run).ConfigureAwait(false);
            results = ParityChecker.Check(mappings, azure, new ParityOptions { AwsState = request.AwsStatePaths.Count > 0 ? AwsTrustState.Read(request.AwsStatePaths, run) : null }, run);
        }
        run.CancellationToken.ThrowIfCancellationRequested();

        var errors = collected.Errors.ToList();
        var data = new AssessmentData { Inventory = inventory, Mappings = mappings, ParityChecked = parityChecked, ParityResults = results, Errors = errors, AccountFindings = inventoryReader.AccountFindings, AzureStatePaths = request.AzureStatePaths.ToList(), AwsStatePaths = request.AwsStatePaths.ToList() };
        var files = AssessmentOutputs.WriteAll(data, dir);

        var (code, why) = Verdict(inventory.Count, parityChecked, results, errors.Count, request.FailOn,
            inventoryReader.AccountFindings.FirstOrDefault(f => f.FindingId == "NoLambdaFunction")?.Message);
        var summary = new AssessmentSummary
        {
            Functions = inventory.Count,
            MappedFunctions = mappings.Select(m => m.FunctionAppName).Distinct(StringComparer.Ordinal).Count(),
            MappingItems = mappings.Count,
            Strategies = mappings.GroupBy(m => m.Strategy).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToString(), g => g.Count()),
            ParityChecked = parityChecked,
            Parity = results.GroupBy(x => x.Status).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToString(), g => g.Count()),
            Findings = inventory.Sum(f => f.Findings.Count) + mappings.Sum(m => m.Findings.Count) + inventoryReader.AccountFindings.Count,
            Errors = errors.Count,
            Report = Path.Combine(dir, AssessmentOutputs.ReportFileName),
            OutputFolder = dir,
            Files = files,
            ExitCode = code,
            ExitReason = why,
        };
        return new AssessmentRun { Summary = summary, ParityResults = results };
    }

    /// <summary>
    /// The exit-code contract (docs/cli.md): with Azure state, the parity verdict; without it, input errors or nothing read
    /// give 2, and so does a gate level (a gate never passes on evidence it did not read).
    /// </summary>
    /// <param name="functions">The number of functions read.</param>
    /// <param name="stateGiven">True when Azure state was given (parity decides).</param>
    /// <param name="results">The parity results.</param>
    /// <param name="errorCount">The number of errors reported.</param>
    /// <param name="level">The gate level.</param>
    /// <param name="nothingRead">Why no function was read when the inputs still held something (the roles of authorization details), or null.</param>
    public static (int Code, string Why) Verdict(int functions, bool stateGiven, IReadOnlyList<IdentityParityResult> results, int errorCount, ParityFailLevel level, string? nothingRead = null)
    {
        // Roles without functions are still nothing to migrate: exit 2 like any run that read no function, saying what was read.
        if (functions == 0 && nothingRead is not null && errorCount == 0) return (ExitCodes.NotEnoughRead, "no Lambda function was read: " + nothingRead);
        if (stateGiven) return ParityVerdict.Explain(results.ToList(), errorCount, level);
        if (errorCount > 0) return (ExitCodes.NotEnoughRead, errorCount + " input error(s): not everything could be read");
        if (functions == 0) return (ExitCodes.NotEnoughRead, "no Lambda function was read");
        if (level != ParityFailLevel.None) return (ExitCodes.NotEnoughRead, "--fail-on " + level + " needs --azure-state: a gate never passes on evidence it did not read");
        return (ExitCodes.Ok, "read, designed and reported; parity not checked");
    }

    private static AssessmentRun Stopped(string dir, int code, string why)
        => new() { Summary = new AssessmentSummary { OutputFolder = dir, ExitCode = code, ExitReason = why } };

    /// <summary>Passes errors to the collector (errors.json) and to the front.</summary>
    private sealed class Tee : IErrorSink
    {
        private readonly IErrorSink _a, _b;
        public Tee(IErrorSink a, IErrorSink b) { _a = a; _b = b; }
        public void Error(EngineError error) { _a.Error(error); _b.Error(error); }
    }
}

using System.CommandLine;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Model;

namespace LambdaIdentity.Cli.Verbs;

/// <summary>`lambda-identity inventory`: reads templates, exports and authorization details into function records.</summary>
public sealed class InventoryVerb : ICliVerb
{
    /// <inheritdoc />
    public Command Build(CliIO io)
    {
        var cmd = new Command("inventory", "Read SAM/CloudFormation templates, AWS CLI exports, authorization details and Terraform JSON, or the AWS account live (--live), into one identity record per Lambda function.");
        var path = new Option<string[]>("--path") { Description = "Files or folders (read recursively) to read.", AllowMultipleArgumentsPerToken = true };
        var parameter = new Option<string[]>("--parameter") { Description = "Template parameter override K=V (repeatable).", AllowMultipleArgumentsPerToken = true };
        var live = new AwsLiveCliOptions();
        var account = new Option<string?>("--account-id") { Description = "Value of AWS::AccountId in templates." };
        var format = CliIO.FormatOption();
        var verbose = new Option<bool>("--verbose") { Description = "Write diagnostics to stderr." };
        foreach (var o in new Option[] { path, parameter }.Concat(live.All).Concat(new Option[] { account, format, verbose })) cmd.Options.Add(o);
        cmd.SetAction((parseResult, ct) => Task.FromResult(Run(parseResult, ct)));
        return cmd;

        int Run(ParseResult parseResult, CancellationToken ct)
        {
            io.VerboseEnabled = parseResult.GetValue(verbose);
            var invalid = live.Validate(io, parseResult, path);
            if (invalid != 0) return invalid;
            var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in parseResult.GetValue(parameter) ?? Array.Empty<string>())
            {
                var eq = kv.IndexOf('=');
                if (eq <= 0) return io.Usage("ParameterOverrideInvalid", $"--parameter '{kv}' is not K=V.");
                overrides[kv.Substring(0, eq)] = kv.Substring(eq + 1);
            }
            var options = new InventoryOptions { Parameters = overrides, Region = live.TemplateRegion(parseResult), AccountId = parseResult.GetValue(account) };
            var reader = new InventoryReader();
            var records = parseResult.GetValue(live.Live)
                ? live.Read(io, parseResult, options, ct)
                : reader.Read(parseResult.GetValue(path)!, options, io.Context(ct)).ToList();
            if (records is null) return Core.Parity.ExitCodes.NotEnoughRead;
            if (parseResult.GetValue(format) == "json") io.WriteJson(records);
            else io.WriteTable(new[] { "FunctionName", "RoleArn", "Statements", "EventSources", "UrlAuth", "Findings", "Complete" }, records.Select(Row));
            // 2 when an input could not be read (its records are still written) or no function was found at all.
            if (records.Count == 0 && io.ErrorCount == 0)
                io.Note("error: InventoryEmpty: no Lambda function was found in the input"
                        + (reader.AccountFindings.FirstOrDefault(f => f.FindingId == "NoLambdaFunction") is { } none ? " (" + none.Message.TrimEnd('.') + ")." : ".")
                        );
            return records.Count == 0 ? Core.Parity.ExitCodes.NotEnoughRead : io.ReadExitCode();
        }
    }

    private static IReadOnlyList<string?> Row(LambdaFunctionIdentity r) => new[]
    {
        r.FunctionName, r.RoleArn,
        (r.ExecutionRole?.Policies.Sum(p => p.Statement.Count) ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture),
        r.EventSources.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        r.FunctionUrl?.AuthType ?? "-",
        r.Findings.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        r.IsComplete ? "yes" : "no",
    };
}

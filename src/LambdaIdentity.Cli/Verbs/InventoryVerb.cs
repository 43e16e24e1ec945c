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
        var cmd = new Command("inventory", "Read SAM/CloudFormation templates, AWS CLI exports, authorization details and Terraform JSON into one identity record per Lambda function.");
        var path = new Option<string[]>("--path") { Description = "Files or folders (read recursively) to read.", Required = true, AllowMultipleArgumentsPerToken = true };
        var parameter = new Option<string[]>("--parameter") { Description = "Template parameter override K=V (repeatable).", AllowMultipleArgumentsPerToken = true };
        var region = new Option<string?>("--region") { Description = "Value of AWS::Region in templates." };
        var account = new Option<string?>("--account-id") { Description = "Value of AWS::AccountId in templates." };
        var format = CliIO.FormatOption();
        var verbose = new Option<bool>("--verbose") { Description = "Write diagnostics to stderr." };
        foreach (var o in new Option[] { path, parameter, region, account, format, verbose }) cmd.Options.Add(o);
        cmd.SetAction(parseResult =>
        {
            io.VerboseEnabled = parseResult.GetValue(verbose);
            var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in parseResult.GetValue(parameter) ?? Array.Empty<string>())
            {
                var eq = kv.IndexOf('=');
                if (eq <= 0) { io.Err.WriteLine($"error: --parameter '{kv}' is not K=V."); return 2; }
                overrides[kv.Substring(0, eq)] = kv.Substring(eq + 1);
            }
            var options = new InventoryOptions { Parameters = overrides, Region = parseResult.GetValue(region), AccountId = parseResult.GetValue(account) };
            var records = new InventoryReader().Read(parseResult.GetValue(path)!, options, io.Context(CancellationToken.None)).ToList();
            if (parseResult.GetValue(format) == "json") io.WriteJson(records);
            else io.WriteTable(new[] { "FunctionName", "RoleArn", "Statements", "EventSources", "UrlAuth", "Findings", "Complete" }, records.Select(Row));
            return io.Errors.Count == 0 ? 0 : 1;
        });
        return cmd;
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

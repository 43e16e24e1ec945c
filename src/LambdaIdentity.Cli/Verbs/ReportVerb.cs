using System.CommandLine;
using System.Text;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;

namespace LambdaIdentity.Cli.Verbs;

/// <summary>`report`: writes the Markdown migration report from mapping, parity and inventory JSON.</summary>
public sealed class ReportVerb : ICliVerb
{
    /// <inheritdoc />
    public Command Build(CliIO io)
    {
        var mapping = new Option<string>("--mapping") { Description = "Mapping JSON (from `map`), or - for stdin.", Required = true };
        var parity = new Option<string?>("--parity") { Description = "Parity results JSON (from `test-parity --format json`)." };
        var inventory = new Option<string?>("--inventory") { Description = "Inventory JSON (from `inventory --format json`), for findings." };
        var output = new Option<string?>("--out") { Description = "The report file; stdout when omitted." };
        var format = new Option<string>("--format") { Description = "markdown (default) or json (the report's input as one JSON object).", DefaultValueFactory = _ => "markdown" };
        format.AcceptOnlyFromAmong("markdown", "json");
        var cmd = new Command("report", "Write the migration report (features, deviations, role assignments, parity results).")
        {
            mapping, parity, inventory, output, format,
        };
        cmd.SetAction(r =>
        {
            var input = new ReportInput
            {
                Mappings = io.ReadRecords<AzRoleMapping>(r.GetValue(mapping)!),
                ParityResults = r.GetValue(parity) is { } p ? io.ReadRecords<IdentityParityResult>(p) : Array.Empty<IdentityParityResult>(),
                Inventory = r.GetValue(inventory) is { } i ? io.ReadRecords<LambdaFunctionIdentity>(i) : Array.Empty<LambdaFunctionIdentity>(),
            };
            var text = new StringWriter();
            if (r.GetValue(format) == "json") text.WriteLine(System.Text.Json.JsonSerializer.Serialize(input, ModelJson.Options));
            else MarkdownReport.Write(text, input);
            if (r.GetValue(output) is { } path)
            {
                File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
                io.Err.WriteLine($"report written: {path}");
            }
            else io.Out.Write(text.ToString());
            return 0;
        });
        return cmd;
    }
}

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
            if (io.TryReadRecords<AzRoleMapping>("--mapping", r.GetValue(mapping)!, out var mappings) is var m1 and not 0) return m1;
            var results = new List<IdentityParityResult>();
            if (r.GetValue(parity) is { } p && io.TryReadRecords("--parity", p, out results) is var m2 and not 0) return m2;
            var functions = new List<LambdaFunctionIdentity>();
            if (r.GetValue(inventory) is { } i && io.TryReadRecords("--inventory", i, out functions) is var m3 and not 0) return m3;
            if (mappings.Count == 0) return io.Unreadable("MappingInputEmpty", r.GetValue(mapping)!, "the mapping holds no record to report.");
            var input = new ReportInput { Mappings = mappings, ParityResults = results, Inventory = functions };
            var text = new StringWriter();
            if (r.GetValue(format) == "json") text.WriteLine(System.Text.Json.JsonSerializer.Serialize(input, ModelJson.Options));
            else MarkdownReport.Write(text, input);
            if (r.GetValue(output) is { } path)
            {
                File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
                io.Note($"report written: {path}");
            }
            else io.Out.Write(text.ToString());
            return io.ReadExitCode();
        });
        return cmd;
    }
}

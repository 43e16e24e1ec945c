using System.CommandLine;
using System.Text;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;

namespace LambdaIdentity.Cli.Verbs;

/// <summary>`resource-map`: the skeleton resource map of an inventory (New-AzResourceMap).</summary>
public sealed class ResourceMapVerb : ICliVerb
{
    /// <inheritdoc />
    public Command Build(CliIO io)
    {
        var inventory = new Option<string>("--inventory") { Description = "Inventory JSON, or - for stdin.", Required = true };
        var rules = new Option<string?>("--rule-set") { Description = "Rule file adding to or overriding the default mapping rules." };
        var output = new Option<string?>("--out") { Description = "The map file to write (an existing file's filled entries are kept); stdout when omitted." };
        var format = CliIO.FormatOption();
        var cmd = new Command("resource-map", "Write the skeleton resource map: every AWS resource of the inventory that needs an Azure resource ID.")
        {
            inventory, rules, output, format,
        };
        cmd.SetAction((r, ct) =>
        {
            var outPath = r.GetValue(output);
            if (io.RequireExisting("--rule-set", new[] { r.GetValue(rules) }) is var missing and not 0) return Task.FromResult(missing);
            if (io.TryReadRecords<LambdaFunctionIdentity>("--inventory", r.GetValue(inventory)!, out var functions) is var unread and not 0) return Task.FromResult(unread);
            if (!MapVerb.TryOptions(io, r.GetValue(rules), outPath is not null && File.Exists(outPath) ? outPath : null, out var rs, out var existing)) return Task.FromResult(Core.Parity.ExitCodes.NotEnoughRead);
            var map = ResourceMapSkeleton.Build(functions, GrantDeriver.Default, rs, io.Context(ct), existing);
            if (outPath is not null)
            {
                File.WriteAllText(outPath, map.ToJson(), new UTF8Encoding(false));
                io.Note($"resource map written: {outPath} ({map.Entries.Count} resources, {map.Entries.Count(e => e.Azure.Length == 0 && !e.StayOnAws)} to fill)");
            }
            else if (r.GetValue(format) == "json") io.Out.WriteLine(map.ToJson());
            else io.WriteTable(new[] { "Aws", "Azure", "AzureResourceType", "UsedBy" },
                map.Entries.Select(e => new[] { e.Aws, e.StayOnAws ? "(stays on AWS)" : e.Azure, e.AzureResourceType, string.Join(",", e.UsedBy) }));
            return Task.FromResult(io.ReadExitCode());
        });
        return cmd;
    }
}

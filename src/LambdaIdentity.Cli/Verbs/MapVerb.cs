using System.CommandLine;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;

namespace LambdaIdentity.Cli.Verbs;

/// <summary>`map`: inventory JSON to the Azure design (ConvertTo-AzRoleMapping).</summary>
public sealed class MapVerb : ICliVerb
{
    /// <inheritdoc />
    public Command Build(CliIO io)
    {
        var inventory = new Option<string>("--inventory") { Description = "Inventory JSON (from `inventory --format json`), or - for stdin.", Required = true };
        var resourceMap = new Option<string?>("--resource-map") { Description = "JSON or CSV file mapping AWS ARNs (or patterns) to Azure resource IDs." };
        var plan = new Option<string>("--hosting-plan") { Description = "FlexConsumption (default), Premium, Dedicated or Consumption.", DefaultValueFactory = _ => "FlexConsumption" };
        plan.AcceptOnlyFromAmong(Enum.GetNames<HostingPlan>());
        var rules = new Option<string?>("--rule-set") { Description = "Rule file adding to or overriding the default mapping rules." };
        var userAssigned = new Option<bool>("--user-assigned-identity") { Description = "Use a user-assigned identity even for a role used by one function." };
        var format = CliIO.FormatOption();
        var verbose = new Option<bool>("--verbose") { Description = "Write diagnostics to stderr." };
        var cmd = new Command("map", "Map Lambda identities to Azure: managed identities, least-privileged role assignments, triggers, host, authentication and deviations.")
        {
            inventory, resourceMap, plan, rules, userAssigned, format, verbose,
        };
        cmd.SetAction((r, ct) =>
        {
            io.VerboseEnabled = r.GetValue(verbose);
            foreach (var (name, value) in new[] { ("--resource-map", r.GetValue(resourceMap)), ("--rule-set", r.GetValue(rules)) })
                if (io.RequireExisting(name, new[] { value }) is var missing and not 0) return Task.FromResult(missing);
            if (io.TryReadRecords<LambdaFunctionIdentity>("--inventory", r.GetValue(inventory)!, out var functions) is var unread and not 0) return Task.FromResult(unread);
            if (!TryOptions(io, r.GetValue(rules), r.GetValue(resourceMap), out var rs, out var map)) return Task.FromResult(Core.Parity.ExitCodes.NotEnoughRead);
            if (functions.Count == 0) return Task.FromResult(io.Unreadable("InventoryInputEmpty", r.GetValue(inventory)!, "the inventory holds no function record to map."));
            var options = new MappingOptions { HostingPlan = Enum.Parse<HostingPlan>(r.GetValue(plan)!), RuleSet = rs, ResourceMap = map, UserAssignedIdentity = r.GetValue(userAssigned) };
            io.Verbose($"Mapping {functions.Count} functions with plan {options.HostingPlan}" + (r.GetValue(rules) is { } rp ? ", rules " + rp : "") + (r.GetValue(resourceMap) is { } mp ? ", resource map " + mp + $" ({map.Entries.Count} entries)" : ""));
            var mappings = new AzRoleMapper(GrantDeriver.Default, options).Map(functions, io.Context(ct));
            if (r.GetValue(format) == "json") io.WriteJson(mappings);
            else io.WriteTable(new[] { "FunctionName", "Surface", "Strategy", "RoleDefinitionName", "Scope" },
                mappings.Select(m => new[] { m.FunctionName, m.Surface.ToString(), m.Strategy.ToString(), m.RoleDefinitionName ?? (m.Kind == MappingKind.RoleAssignment ? "" : m.Kind.ToString()), m.Scope }));
            return Task.FromResult(io.ReadExitCode());
        });
        return cmd;
    }

    /// <summary>Loads the rule set and resource map; writes their errors and returns false when either is invalid.</summary>
    internal static bool TryOptions(CliIO io, string? rulePath, string? mapPath, out MappingRuleSet? rules, out ResourceMap map)
    {
        rules = null; map = ResourceMap.Empty;
        try
        {
            if (rulePath is not null) rules = RuleSetLoader.LoadAndMerge(rulePath);
            if (mapPath is not null) map = ResourceMap.Load(mapPath);
            return true;
        }
        catch (RuleSetException ex) { foreach (var e in ex.Errors) io.Error(e); }
        catch (ResourceMapException ex) { foreach (var e in ex.Errors) io.Error(e); }
        return false;
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using LambdaIdentity.Core.Catalogs;

namespace LambdaIdentity.Core.Translation;

/// <summary>Generates docs/mapping-reference.md from a rule set: what each grant, trigger and principal becomes, with the role chosen.</summary>
public static class MappingReference
{
    /// <summary>The Markdown reference (deterministic; '\n' line ends).</summary>
    public static string Generate(MappingRuleSet rules, AzureRoleCatalog catalog)
    {
        var selector = new LeastPrivilegeSelector(catalog);
        var excluded = new HashSet<string>(rules.ExcludedRoles.Select(x => x.Role), StringComparer.OrdinalIgnoreCase);
        var threshold = rules.CustomRoleExcessThreshold ?? 10;
        var sb = new StringBuilder();
        void L(string s = "") => sb.Append(s).Append('\n');
        L("# Mapping reference");
        L();
        L("Generated from `src/LambdaIdentity.Core/Catalogs/Data/mapping-rules.json` by `MappingReference.Generate`; do not edit by hand");
        L("(a test fails when this file differs from what the rules generate). The schema is in [mapping-rules.md](mapping-rules.md).");
        L();
        L("The role column is computed, not hand-picked: among the built-in roles that cover the rule's operations (actions and");
        L("dataActions, wildcard-aware, minus notActions), the one granting the fewest operations of the Azure operations catalog,");
        L("never a role that can change access (Owner, Contributor, *Access Administrator, Microsoft.Authorization writes) and never");
        L("an excluded service role. What it grants beyond the need is weighed by risk: reads weigh 0, data-plane writes, deletes and");
        L("actions on a resource type the need already uses " + LeastPrivilegeSelector.SameTypeDataWeight.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + " each, control-plane writes, deletes and actions and any data operation on another");
        L("resource type 1 each, and an operation that changes access (keys, SAS, tokens for others, ACLs, Microsoft.Authorization)");
        L("more than any threshold. When the excess weighs more than " + threshold + ", the mapping proposes a custom role with exactly the needed");
        L("operations, deployed once at a subscription or management group (see mapping-rules.md).");
        L();
        L("## Grant rules (first match wins)");
        L();
        L("| rule | AWS actions | access levels | surface | outcome | Azure service | Azure operations | role (granted ops) |");
        L("|---|---|---|---|---|---|---|---|");
        foreach (var r in rules.GrantRules)
        {
            string role = "";
            if (r.Outcome == RuleOutcome.Role)
            {
                var c = selector.Choose(r.Actions.ToList(), r.DataActions.ToList(), r.RoleSystem, excluded);
                role = c.Role is null ? "custom (no built-in covers)"
                    : c.Risk > threshold ? "custom (" + c.Role.RoleName + " grants " + c.Excess + " more, " + (c.AccessChanging.Count > 0 ? "including " + c.AccessChanging.Count + " that change access" : "weighing " + c.Risk.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)) + ")"
                    : c.Role.RoleName + " (" + c.GrantedCount + ")" + (r.RoleSystem == RoleSystem.CosmosDbSql ? ", Cosmos DB SQL role" : "");
            }
            var ops = r.Actions.Concat(r.DataActions.Select(d => d + " (data)"));
            L("| " + r.Id + " | " + Cell(string.Join(", ", r.AwsActions)) + " | " + Cell(string.Join(", ", r.AccessLevels)) + " | " + r.Surface + " | " + r.Outcome
              + " | " + Cell(r.AzureService) + " | " + Cell(string.Join(", ", ops)) + " | " + Cell(role) + " |");
        }
        L();
        L("Grants no rule matches become a Deviation that names the actions and asks for a rule (`-RuleSet`).");
        L();
        L("### Reasons, impacts and mitigations");
        L();
        foreach (var r in rules.GrantRules)
        {
            L("- **" + r.Id + "**: " + r.Reason + (r.Impact is null ? "" : " *Impact:* " + r.Impact) + (r.Mitigation is null ? "" : " *Mitigation:* " + r.Mitigation));
        }
        L();
        L("## Trigger rules");
        L();
        L("| rule | event source types | outcome | Azure trigger | roles | connection setting |");
        L("|---|---|---|---|---|---|");
        foreach (var t in rules.TriggerRules)
        {
            var roles = t.Roles.Select(n => catalog.FindByName(n) is { } d ? d.RoleName + " (" + d.Id + ")" : n)
                .Concat(t.LeaseRoles.Select(n => (catalog.FindByName(n) is { } d ? d.RoleName + " (" + d.Id + ")" : n) + " on the lease container (default " + t.LeaseContainer + ")"));
            L("| " + t.Id + " | " + Cell(string.Join(", ", t.EventSourceTypes)) + " | " + t.Outcome + " | " + Cell(t.AzureTrigger) + " | " + Cell(string.Join(", ", roles)) + " | " + Cell(t.ConnectionSetting ?? "") + " |");
        }
        L();
        L("## Principal rules (automation and people, at the function-app scope)");
        L();
        L("| access levels | role | reason |");
        L("|---|---|---|");
        foreach (var p in rules.PrincipalRules)
            L("| " + Cell(string.Join(", ", p.AccessLevels)) + " | " + Cell(p.Role.Length == 0 ? "app role Function.Invoke" : p.Role) + " | " + Cell(p.Reason) + " |");
        L();
        L("## Scope normalizers");
        L();
        L("| service | pattern | replacement | why |");
        L("|---|---|---|---|");
        foreach (var n in rules.ScopeNormalizers)
            L("| " + n.Service + " | `" + Cell(n.Pattern) + "` | `" + Cell(n.Replacement) + "` | " + Cell(n.Description ?? "") + " |");
        L();
        L("## Poller policies");
        L();
        L("Grants only these AWS managed policies give, on a service the function polls through a trigger with roles, are NotNeeded:");
        L("the trigger's role on the source serves them.");
        L();
        foreach (var p in rules.PollerPolicies) L("- " + p);
        L();
        L("## Excluded roles");
        L();
        L("| role | reason |");
        L("|---|---|");
        foreach (var x in rules.ExcludedRoles) L("| " + Cell(x.Role) + " | " + Cell(x.Reason) + " |");
        return sb.ToString();
    }

    private static string Cell(string s) => s.Replace("|", "\\|").Replace("\n", " ");
}

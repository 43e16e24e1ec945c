using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Translation;

public sealed partial class AzRoleMapper
{
    private sealed partial class FunctionMapping
    {
        // The conditions under which the AWS role could be assumed, carried to Entra: MFA and source networks become
        // Conditional Access (or PIM activation) requirements of the group or identity that takes over.
        private static string UseConditionsNote(IReadOnlyList<PrincipalAccess> accesses)
        {
            var conditions = accesses.SelectMany(a => a.UseConditions).Distinct(StringComparer.Ordinal).ToList();
            if (conditions.Count == 0) return "";
            var notes = new List<string>();
            if (conditions.Any(c => c.IndexOf("aws:MultiFactorAuth", StringComparison.OrdinalIgnoreCase) >= 0))
                notes.Add("require MFA for it (a Conditional Access policy on the group, or MFA on PIM activation)");
            if (conditions.Any(c => c.IndexOf("aws:SourceIp", StringComparison.OrdinalIgnoreCase) >= 0 || c.IndexOf("aws:SourceVpc", StringComparison.OrdinalIgnoreCase) >= 0))
                notes.Add("limit it to the same networks (a Conditional Access named location)");
            return " Assuming the AWS role required " + string.Join("; ", conditions) + ": " + (notes.Count > 0 ? string.Join(", and ", notes) : "carry these conditions with Conditional Access where they apply") + ".";
        }

        // ---- automation and people ----
        private void Principals()
        {
            foreach (var byPrincipal in _f.Principals.GroupBy(p => p.PrincipalArn, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var accesses = byPrincipal.OrderBy(p => p.AccessLevel, StringComparer.Ordinal).ToList();
                var p0 = accesses[0];
                var people = accesses.Any(p => p.IsEmergency) || p0.PrincipalType is "User" or "Group" || p0.PrincipalArn.IndexOf("AWSReservedSSO", StringComparison.Ordinal) >= 0;
                var surface = people ? IdentitySurface.People : IdentitySurface.Automation;
                var emergency = accesses.Any(p => p.IsEmergency);
                // An IAM Identity Center permission set that can change access: standing membership becomes just-in-time.
                var privileged = accesses.Any(p => p.IsPrivileged);
                var federated = accesses.Any(p => p.IsOidcFederated);
                var principalName = (federated ? "workload identity for " : p0.PrincipalType == "User" ? "Entra user for " : "Entra group for ") + p0.PrincipalArn;
                var principalType = federated ? "ServicePrincipal" : p0.PrincipalType == "User" ? "User" : "Group";
                // The Entra object that takes over, when the resource map names it (principal:<ARN>); parity needs it (no directory read).
                var objectId = _m._options.ResourceMap.ResolvePrincipal(p0.PrincipalArn);
                // Each access level's rule; a role whose operations another chosen role of the same principal already
                // grants is folded into that one (Deploy and Admin: one Website Contributor; Read beside it: nothing more).
                var chosen = accesses.Select(p => (Access: p, Rule: Rules.PrincipalRules.FirstOrDefault(r => r.AccessLevels.Any(a => string.Equals(a, p.AccessLevel, StringComparison.OrdinalIgnoreCase))))).ToList();
                var roleNames = chosen.Where(c => c.Rule is { Role.Length: > 0 }).Select(c => c.Rule!.Role).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                string Target(string role)
                {
                    var granted = _m._catalog.Granted(_m._catalog.FindByName(role)!);
                    var cover = roleNames.Where(o => !string.Equals(o, role, StringComparison.OrdinalIgnoreCase))
                        .Select(o => (Name: o, G: _m._catalog.Granted(_m._catalog.FindByName(o)!)))
                        .Where(o => o.G.Count > granted.Count && granted.Actions.All(a => o.G.Actions.Contains(a)) && granted.DataActions.All(a => o.G.DataActions.Contains(a)))
                        .OrderBy(o => o.G.Count).Select(o => o.Name).FirstOrDefault();
                    return cover ?? role;
                }
                foreach (var group in chosen.GroupBy(c => c.Rule is null ? "(none)/" + c.Access.AccessLevel : c.Rule.Role.Length == 0 ? "(app role)" : Target(c.Rule.Role), StringComparer.OrdinalIgnoreCase)
                             .OrderBy(g => g.Key, StringComparer.Ordinal))
                {
                    var items = group.ToList();
                    var levels = string.Join("+", items.Select(i => i.Access.AccessLevel));
                    var rule = items[0].Rule;
                    var d = New("principal/" + p0.PrincipalArn + "/" + levels, rule is { Role.Length: 0 } ? MappingKind.Authentication : MappingKind.RoleAssignment, surface, MappingStrategy.BuiltIn);
                    d.AwsFeature = p0.PrincipalType + " " + p0.PrincipalArn + " (" + string.Join("; ", items.Select(i => i.Access.AccessLevel + ": " + string.Join(", ", i.Access.Actions))) + ")";
                    d.AwsActions = items.SelectMany(i => i.Access.Actions).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToArray();
                    d.AwsResources = new[] { _f.FunctionArn };
                    d.AwsSource = p0.Source ?? _f.Source;
                    d.AzureService = "Azure Functions";
                    d.PrincipalName = principalName; d.PrincipalType = principalType; d.ObjectId = objectId;
                    d.Scope = _placement.Scope; d.ScopeIsPlaceholder = _placement.IsPlaceholder;
                    d.PimEligible = emergency || privileged;
                    if (rule is null)
                    {
                        d.Strategy = MappingStrategy.Deviation;
                        d.AzureFeature = "No principal rule";
                        d.Reason = "No principal rule maps access level " + levels + ".";
                        d.Impact = "This principal's access to the function is not carried over.";
                        d.Mitigation = "Add a principalRules entry with -RuleSet or assign a role by hand at the function-app scope.";
                        Emit(d);
                        continue;
                    }
                    if (rule.Role.Length == 0)
                    {
                        d.AzureFeature = "App role Function.Invoke on the function app's Entra application";
                        d.Settings[SettingKeys.AppRole] = "Function.Invoke";
                    }
                    else
                    {
                        var role = _m._catalog.FindByName(group.Key)!;
                        d.RoleDefinitionName = role.RoleName; d.RoleDefinitionId = role.Id; d.RoleAssignmentType = role.System.ToString();
                        d.AzureFeature = role.RoleName + " at the function-app scope" + (emergency || privileged ? " (PIM-eligible)" : "");
                    }
                    var folded = items.Where(i => i.Rule is { Role.Length: > 0 } && !string.Equals(i.Rule.Role, group.Key, StringComparison.OrdinalIgnoreCase)).Select(i => i.Rule!.Role + " (" + i.Access.AccessLevel + ")").Distinct().ToList();
                    d.Reason = string.Join(" ", items.Select(i => i.Rule!.Reason).Distinct())
                        + (folded.Count > 0 ? " " + group.Key + " already grants everything " + string.Join(", ", folded) + " would, so one assignment is designed." : "")
                        + (emergency ? " Emergency (break-glass) access becomes a PIM-eligible assignment, activated with justification and approval, not a standing one." : "")
                        + (privileged && !emergency ? " The IAM Identity Center permission set can change access (IAM write actions): the Entra group's assignment is PIM-eligible, activated with justification, not standing." : "")
                        + (p0.Members.Count > 0 ? " The permission set is assigned to " + string.Join(", ", p0.Members) + ": make the Entra counterparts of those Identity Center groups and users members of this Entra group." : "")
                        + (items.Any(i => string.Equals(i.Access.AccessLevel, "Admin", StringComparison.OrdinalIgnoreCase)) ? " Admin rights on AWS may include changing access; that part is not carried (no Owner or User Access Administrator)." : "")
                        + UseConditionsNote(accesses);
                    Emit(d);
                }
                if (federated)
                {
                    var w = New("principal/" + p0.PrincipalArn + "/federation", MappingKind.Setting, IdentitySurface.Automation, MappingStrategy.BuiltIn);
                    w.AwsFeature = "OIDC-federated role " + p0.PrincipalArn;
                    w.AwsSource = p0.Source ?? _f.Source;
                    w.AzureService = "Microsoft Entra ID";
                    w.AzureFeature = "Workload identity federation (federated credential on an app registration or user-assigned identity)";
                    w.PrincipalName = principalName; w.PrincipalType = "ServicePrincipal"; w.ObjectId = objectId;
                    var issuers = accesses.SelectMany(p => p.FederatedIssuers).Distinct(StringComparer.Ordinal).OrderBy(x => x, StringComparer.Ordinal).ToList();
                    var subjects = accesses.SelectMany(p => p.FederatedSubjects).Distinct(StringComparer.Ordinal).OrderBy(x => x, StringComparer.Ordinal).ToList();
                    w.Settings[SettingKeys.FederatedCredentialIssuer] = issuers.Count > 0 ? string.Join(",", issuers) : "{the CI provider's OIDC issuer from the AWS role's trust policy}";
                    w.Settings[SettingKeys.FederatedCredentialSubject] = subjects.Count > 0 ? string.Join(",", subjects) : "{the subject (repository, branch or environment) from the trust policy's sub condition}";
                    w.Settings[SettingKeys.FederatedCredentialAudience] = FederatedCredentialCheck.DefaultAudience;
                    w.Reason = "The CI role trusted an OIDC provider (no stored secret); Entra workload identity federation keeps the pipeline secretless."
                               + (subjects.Count > 1 ? " Entra matches one subject per federated credential: create one for each of " + subjects.Count + " subjects." : "")
                               + (subjects.Count == 0 ? " The trust policy names no subject condition: any workflow of the provider could assume the role; Entra requires a subject, so choose the repository and branch." : "");
                    var patterns = subjects.Where(x => x.IndexOf('*') >= 0 || x.IndexOf('?') >= 0).ToList();
                    if (patterns.Count > 0)
                    {
                        w.Strategy = MappingStrategy.Deviation;
                        w.Impact = "The AWS trust accepted subject patterns (" + string.Join(", ", patterns) + "); an Entra federated credential matches one exact subject.";
                        w.Mitigation = "List the exact subjects (branches, environments) and create one federated credential each, or use a flexible federated identity credential with a claims-matching expression.";
                    }
                    Emit(w);
                }
            }
        }
    }
}

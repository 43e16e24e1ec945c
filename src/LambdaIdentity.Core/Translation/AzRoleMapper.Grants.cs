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
        // ---- grants ----
        private sealed class Unit
        {
            public EffectiveGrant Grant;
            public string Resource = "";
            public string Normalized = "";
            public GrantRule? Rule;
            public string Key => Grant.Action + " " + Resource;
        }

        // A statement granting every action on every resource (AdministratorAccess, "Action": "*") expands to the whole
        // action catalog: that many services granted on "*" unconditionally is one decision (what does the function really
        // call?), not a row per service. Grants on named resources are kept and mapped as usual.
        private const int AdminServiceThreshold = 25;

        private List<Unit> AdministratorAccess(List<Unit> units)
        {
            var wild = units.Where(u => u.Grant.FromWildcard && u.Resource == "*" && u.Grant.Conditions.Count == 0 && !u.Grant.IsConditionallyDenied).ToList();
            var services = wild.Select(u => u.Grant.Service).Distinct(StringComparer.OrdinalIgnoreCase).Count();
            if (services < AdminServiceThreshold) return units;
            // Under administrator access every unconditional grant on "*" is part of it, named elsewhere or not.
            wild = units.Where(u => u.Resource == "*" && u.Grant.Conditions.Count == 0 && !u.Grant.IsConditionallyDenied).ToList();
            var by = wild.SelectMany(u => u.Grant.GrantedBy).Distinct(StringComparer.Ordinal).OrderBy(x => x, StringComparer.Ordinal).ToList();
            var x = New("deviation/administrator-access", MappingKind.RoleAssignment, IdentitySurface.Workload, MappingStrategy.Deviation);
            x.AwsFeature = "every action on every resource (" + services + " services) granted by " + string.Join(", ", by);
            x.AwsActions = new[] { "*" };
            x.AwsResources = new[] { "*" };
            x.AwsGrants = wild.Select(u => u.Key).Distinct(StringComparer.Ordinal).ToList();
            x.AwsSource = _f.ExecutionRole!.Source ?? _f.Source;
            x.AzureService = "Azure RBAC";
            x.AzureFeature = "No role assignment: an administrator grant is not carried over; the function's real needs are designed instead";
            x.Settings[SettingKeys.GrantedBy] = string.Join(",", by);
            x.Reason = "The execution role holds administrator access; its one-to-one equivalent (Owner or Contributor at subscription scope) would let the function change anything, including access.";
            x.Impact = "The Azure design gives the function only the grants the template names on specific resources; whatever else it called under administrator access fails until designed.";
            x.Mitigation = "Find what the function calls (IAM Access Advisor's last-accessed services for the role, CloudTrail events of its sessions), replace the administrator policy with a least-privilege one, and map again.";
            x.Findings = new[] { new Finding { FindingId = "AdministratorExecutionRole", Severity = FindingSeverity.High, Message = "The execution role of " + _f.FunctionName + " grants every action on every resource (" + string.Join(", ", by) + ").", Recommendation = x.Mitigation, Source = x.AwsSource } };
            Emit(x);
            var taken = new HashSet<Unit>(wild);
            return units.Where(u => !taken.Contains(u)).ToList();
        }

        private const int MaxPoliciesToSplit = 20;

        // The effective grants merge a statement on "*" (a managed poller policy, an administrator policy) with the
        // template's own statement naming the queue, stream or table: the named resource disappears under "*". Each
        // policy alone keeps it; a named resource lost that way is brought back so it is mapped at its own scope.
        private List<Unit> Swallowed(List<Unit> units)
        {
            var role = _f.ExecutionRole!;
            _namedOnly.Clear();
            var wildActions = new HashSet<string>(units.Where(u => u.Resource == "*").Select(u => u.Grant.Action), StringComparer.OrdinalIgnoreCase);
            if (wildActions.Count == 0 || role.Policies.Count < 2 || role.Policies.Count > MaxPoliciesToSplit) return new List<Unit>();
            var known = new HashSet<string>(units.Select(u => u.Key), StringComparer.Ordinal);
            var found = new List<Unit>();
            for (var i = 0; i < role.Policies.Count; i++)
            {
                var alone = new ExecutionRole { RoleArn = role.RoleArn + "#policy" + i, RoleName = role.RoleName, Policies = new[] { role.Policies[i] }, PermissionsBoundary = role.PermissionsBoundary, Source = role.Source };
                IReadOnlyList<EffectiveGrant> grants;
                try { grants = _m._deriver.Derive(alone, _ctx); }
                catch (Exception ex) when (ex is not OperationCanceledException) { continue; }
                foreach (var g in grants)
                {
                    if (!wildActions.Contains(g.Action)) continue;
                    if (g.Resources.Count > 0 && g.Resources.All(r => r != "*" && r.IndexOf('*') < 0) && role.Policies[i].PolicyName is { Length: > 0 } pn)
                    {
                        if (!_namedOnly.TryGetValue(g.Action, out var set)) _namedOnly[g.Action] = set = new HashSet<string>(StringComparer.Ordinal);
                        set.Add(pn);
                    }
                    foreach (var r in g.Resources.Distinct(StringComparer.Ordinal))
                    {
                        if (r == "*" || r.IndexOf('*') >= 0) continue;
                        var u = new Unit { Grant = g, Resource = r, Normalized = Rules.Normalize(r, g.Service), Rule = Rules.Match(g) };
                        if (known.Add(u.Key)) found.Add(u);
                    }
                }
            }
            return found;
        }

        private void Grants()
        {
            if (_f.ExecutionRole is null) return;
            var grants = _m._deriver.Derive(_f.ExecutionRole, _ctx);
            var incomplete = grants.Where(g => g.IsIncomplete).Select(g => g.Action).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToList();
            if (incomplete.Count > 0)
            {
                var x = New("deviation/grants-incomplete", MappingKind.RoleAssignment, IdentitySurface.Workload, MappingStrategy.Deviation);
                x.AwsFeature = "effective grants of " + _f.ExecutionRole.RoleArn + " (" + incomplete.Count + " actions) depend on a policy that could not be read";
                x.AwsActions = incomplete;
                x.AwsSource = _f.ExecutionRole.Source ?? _f.Source;
                x.AzureFeature = "Role assignments as mapped, to be confirmed";
                x.Reason = "A managed policy or permissions boundary of the role could not be resolved; it could narrow or widen these grants.";
                x.Impact = "The mapped assignments may be broader or narrower than the role's real permissions; parity on them cannot be a proof.";
                x.Mitigation = "Export the missing policy (get-account-authorization-details) and map again.";
                Emit(x);
            }
            var pollArns = new HashSet<string>(_f.EventSources.Where(e => e.IsPoll && e.SourceArn is { Length: > 0 }).Select(e => Rules.Normalize(e.SourceArn!)), StringComparer.Ordinal);
            // Services the function polls through a trigger that gets its own roles on the source.
            var polled = new HashSet<string>(_f.EventSources.Where(e => e.IsPoll)
                .Select(e => (Type: e.Type, Service: e.SourceArn is { } a ? Arn.Service(a) : ""))
                .Where(e => Rules.MatchTrigger(e.Type) is { Outcome: RuleOutcome.Role })
                .Select(e => e.Service.Length > 0 && e.Service.IndexOf("${", StringComparison.Ordinal) < 0 ? e.Service : Rules.ServiceOfEventSourceType(e.Type)), StringComparer.OrdinalIgnoreCase);
            _polled = polled;
            var units = grants.SelectMany(g => (g.Resources.Count == 0 ? new[] { "*" } : g.Resources).Distinct(StringComparer.Ordinal)
                .Select(r => new Unit { Grant = g, Resource = r, Normalized = Rules.Normalize(r, g.Service), Rule = Rules.Match(g) })).ToList();
            var swallowed = Swallowed(units);
            units = AdministratorAccess(units);
            units.AddRange(swallowed);
            var awsStay = new List<Unit>();
            foreach (var group in units.GroupBy(u => GroupKey(u, pollArns), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var list = group.ToList();
                var first = list[0];
                var rule = first.Rule;
                if (rule is null) { NoRule(group.Key, list); continue; }
                if (group.Key.StartsWith("poller/", StringComparison.Ordinal)) { PollerGrant(group.Key, list); continue; }
                switch (rule.Outcome)
                {
                    case RuleOutcome.NotNeeded: NotNeeded(group.Key, rule, list); break;
                    case RuleOutcome.Deviation: RuleDeviation(group.Key, rule, list); break;
                    case RuleOutcome.AppRole: AppRole(group.Key, rule, list); break;
                    default:
                        var entry = rule.ScopeKey is { } sk ? _m._options.ResourceMap.Resolve(sk) : _m._options.ResourceMap.Resolve(first.Normalized) ?? _m._options.ResourceMap.Resolve(first.Resource);
                        if (entry is { StayOnAws: true }) awsStay.AddRange(list);
                        else RoleGroup(group.Key, rule, list, entry, pollArns.Contains(first.Normalized));
                        break;
                }
            }
            if (awsStay.Count > 0) FederatedAwsRole(awsStay);
        }

        private HashSet<string> _polled = new(StringComparer.OrdinalIgnoreCase);

        // A grant that only a poller policy gives, on a service the function polls: served by the trigger's connection.
        // Per action, the policies that grant it only on named resources (so their share of a merged "*" grant is not theirs).
        private readonly Dictionary<string, HashSet<string>> _namedOnly = new(StringComparer.OrdinalIgnoreCase);

        private bool ServesTrigger(Unit u)
            => u.Rule is { Outcome: RuleOutcome.Role } && _polled.Contains(u.Grant.Service) && u.Grant.GrantedBy.Count > 0
               && u.Grant.GrantedBy.Any(g => Rules.PollerPolicies.Contains(g.Split('#')[0], StringComparer.Ordinal))
               && u.Grant.GrantedBy.All(g => Rules.PollerPolicies.Contains(g.Split('#')[0], StringComparer.Ordinal)
                   || u.Resource == "*" && _namedOnly.TryGetValue(u.Grant.Action, out var named) && named.Contains(g.Split('#')[0]));

        private string GroupKey(Unit u, HashSet<string> pollArns)
        {
            var r = u.Rule;
            if (ServesTrigger(u)) return "poller/" + u.Grant.Service;
            if (r is null) return "norule/" + u.Grant.Service;
            var cond = Conditions(u.Grant);
            return r.Outcome switch
            {
                RuleOutcome.NotNeeded => "notneeded/" + r.Id,
                RuleOutcome.Deviation => "deviation/" + r.Id,
                RuleOutcome.AppRole => "approle/" + u.Normalized,
                _ => "role/" + r.AzureService + "/" + r.RoleSystem + "/" + (r.AzureResourceType ?? "") + "/" + (pollArns.Contains(u.Normalized) ? "platform" : r.Surface.ToString()) + "/" + (r.ScopeKey ?? u.Normalized) + (cond.Length > 0 ? "/if " + cond : ""),
            };
        }

        private static string Conditions(EffectiveGrant g)
        {
            var parts = g.Conditions.Select(c => c.Operator + " " + c.Key + " [" + string.Join(", ", c.Values) + "]").ToList();
            if (g.IsConditionallyDenied) parts.Add("conditional deny");
            if (g.ExcludedResources.Count > 0) parts.Add("except " + string.Join(", ", g.ExcludedResources));
            return string.Join(" AND ", parts);
        }

        private void Account(Draft d, List<Unit> list)
        {
            d.AwsActions = list.Select(u => u.Grant.Action).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToArray();
            d.AwsResources = list.Select(u => u.Resource).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToArray();
            d.AwsGrants = list.Select(u => u.Key).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToArray();
            d.AwsFeature = string.Join(", ", d.AwsActions) + " on " + string.Join(", ", d.AwsResources);
            d.AwsSource = _f.ExecutionRole?.Source ?? _f.Source;
            d.RuleId = list[0].Rule?.Id;
            d.PrincipalName = _principal; d.PrincipalType = "ServicePrincipal"; d.IdentityType = _identityType;
            var from = list.SelectMany(u => u.Grant.GrantedBy).Distinct(StringComparer.Ordinal).ToList();
            if (from.Count > 0) d.Settings[SettingKeys.GrantedBy] = string.Join(",", from);
            if (list.Any(u => u.Grant.FromWildcard)) d.Settings[SettingKeys.FromWildcard] = "true";
        }

        private void PollerGrant(string key, List<Unit> list)
        {
            var d = New("grant/" + key, MappingKind.Setting, IdentitySurface.Platform, MappingStrategy.NotNeeded);
            Account(d, list);
            var triggers = _out.Count(m => m.Kind == MappingKind.TriggerConnection);
            d.AzureService = list[0].Rule!.AzureService;
            d.AzureFeature = "Covered by the trigger's identity-based connection";
            d.Reason = "These grants come only from " + string.Join(", ", list.SelectMany(u => u.Grant.GrantedBy).Select(g => g.Split('#')[0]).Distinct()) + ", the policy Lambda's poller needs for the "
                + list[0].Grant.Service + " event source; on Azure the trigger reads the source with its own role at the source's scope (see the trigger's role assignment), so no broader assignment is designed.";
            Emit(d);
        }

        private void NoRule(string key, List<Unit> list)
        {
            var d = New("grant/" + key, MappingKind.RoleAssignment, IdentitySurface.Workload, MappingStrategy.Deviation);
            Account(d, list);
            d.AzureFeature = "No mapping rule";
            d.Reason = "No rule maps these " + list[0].Grant.Service + " actions to an Azure service.";
            d.Impact = "The function loses this access on Azure unless a rule or a manual design adds it.";
            d.Mitigation = "Add a grant rule for these actions with -RuleSet (see docs/mapping-rules.md), or keep the dependency on AWS (stayOnAws in the resource map).";
            Emit(d);
        }

        private void NotNeeded(string key, GrantRule rule, List<Unit> list)
        {
            var d = New("grant/" + key, MappingKind.Setting, rule.Surface, MappingStrategy.NotNeeded);
            Account(d, list);
            d.AzureService = rule.AzureService; d.AzureFeature = rule.AzureFeature; d.Reason = rule.Reason;
            Emit(d);
        }

        private void RuleDeviation(string key, GrantRule rule, List<Unit> list)
        {
            var d = New("grant/" + key, MappingKind.RoleAssignment, rule.Surface, MappingStrategy.Deviation);
            Account(d, list);
            d.AzureService = rule.AzureService; d.AzureFeature = rule.AzureFeature; d.Reason = rule.Reason;
            d.Impact = rule.Impact; d.Mitigation = rule.Mitigation;
            if (list.Any(u => u.Grant.AccessLevel == AccessLevel.PermissionsManagement))
                d.Findings = new[] { new Finding { FindingId = "AccessChangingGrant", Severity = FindingSeverity.High, Message = "The execution role can change access: " + string.Join(", ", d.AwsActions.Take(10)) + (d.AwsActions.Count > 10 ? ", ..." : ""), Recommendation = rule.Mitigation, Source = d.AwsSource } };
            Emit(d);
        }

        private void AppRole(string key, GrantRule rule, List<Unit> list)
        {
            var d = New("grant/" + key, MappingKind.Authentication, rule.Surface, MappingStrategy.BuiltIn);
            Account(d, list);
            var callee = list[0].Normalized;
            d.AzureService = rule.AzureService; d.AzureFeature = rule.AzureFeature; d.Reason = rule.Reason;
            d.Settings[SettingKeys.AppRole] = "Function.Invoke";
            d.Settings[SettingKeys.Callee] = callee;
            var calleeName = callee.StartsWith("arn:", StringComparison.Ordinal) ? callee.Split(':').ElementAtOrDefault(6) ?? "" : "";
            var sibling = Sibling(callee);
            if (sibling is { } s)
            {
                d.Settings[SettingKeys.CalleeFunctionAppName] = s.Name;
                d.Scope = s.Scope; d.ScopeIsPlaceholder = s.IsPlaceholder;
            }
            else if (calleeName.Length > 0 && calleeName.IndexOf('*') < 0 && calleeName.IndexOf('?') < 0 && !Arn.HasToken(calleeName))
            {
                var calleeApp = _m.Place(calleeName, AzureNaming.FunctionAppName(calleeName));
                d.Settings[SettingKeys.CalleeFunctionAppName] = calleeApp.Name;
                d.Scope = calleeApp.Scope; d.ScopeIsPlaceholder = calleeApp.IsPlaceholder;
            }
            else { d.Scope = AzureNaming.Placeholder(callee); d.ScopeIsPlaceholder = true; }
            if (callee == "*" || callee.IndexOf('*') >= 0)
            {
                d.Strategy = MappingStrategy.Deviation;
                d.Impact = "The role may invoke any function; an app role is granted per callee.";
                d.Mitigation = "List the callee functions and assign the app role on each callee's app registration.";
            }
            Emit(d);
        }

        private void RoleGroup(string key, GrantRule rule, List<Unit> list, ResourceMapEntry? entry, bool isEventSource)
        {
            // Several rules on one resource (read and write a bucket, send and receive on a stream): one role for all when
            // that is least privilege; otherwise one role per part. Split when no single built-in fits the whole but some
            // part fits one (S3 CRUD + tags: Data Contributor + a custom tags role instead of one custom role), or when
            // every part fits and the parts' roles together grant strictly less than the single role (Event Hubs Data
            // Sender + Receiver instead of Data Owner).
            var rulesInGroup = list.Select(u => u.Rule!).Distinct().ToList();
            if (rulesInGroup.Count > 1)
            {
                var threshold = Rules.CustomRoleExcessThreshold ?? 10;
                var whole = ChooseFor(list, rule.RoleSystem);
                var wholeFits = whole.Role is not null && whole.Risk <= threshold;
                var parts = list.GroupBy(u => u.Rule!).Select(g => (Rule: g.Key, Units: g.ToList(), Choice: ChooseFor(g.ToList(), rule.RoleSystem))).ToList();
                bool Fits(RoleChoice c) => c.Role is not null && c.Risk <= threshold;
                var split = !wholeFits ? parts.Any(p => Fits(p.Choice))
                    : parts.All(p => Fits(p.Choice)) && StrictlySmaller(parts.Select(p => p.Choice.Role!).Distinct().ToList(), whole.Role!);
                if (split)
                {
                    // Parts whose own choice is the same role share one assignment; parts no built-in fits share one custom role.
                    foreach (var part in parts.GroupBy(p => Fits(p.Choice) ? p.Choice.Role!.RoleName : "custom", StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
                    {
                        var units = part.SelectMany(x => x.Units).ToList();
                        var first = part.OrderBy(x => x.Rule.Id, StringComparer.Ordinal).First().Rule;
                        RoleGroupCore(key + "/" + part.Key, first, units, entry, isEventSource);
                    }
                    return;
                }
            }
            RoleGroupCore(key, rule, list, entry, isEventSource);
        }

        // What the chosen built-in grants beyond the need, weighed by risk (reads weigh nothing).
        private static string RiskText(RoleChoice c)
        {
            var parts = c.ExcessByKind.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => k.Value + " " + k.Key).ToList();
            if (c.AccessChanging.Count > 0) parts.Add(c.AccessChanging.Count + " that change access (" + string.Join(", ", c.AccessChanging.Take(3)) + (c.AccessChanging.Count > 3 ? ", ..." : "") + ")");
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            return "its excess beyond reads (" + (parts.Count == 0 ? "none" : string.Join(", ", parts)) + ") "
                + (c.AccessChanging.Count > 0 ? "includes access changes, which alone outweigh any threshold"
                    : "weighs " + c.Risk.ToString("0.##", inv) + " (control-plane writes, deletes and actions and data of another resource type 1 each, data-plane writes, deletes and actions on the resource type already used " + LeastPrivilegeSelector.SameTypeDataWeight.ToString("0.##", inv) + ")");
        }

        // A custom role is one definition per tenant: deployed once at a subscription or management group with its
        // assignable scopes (a per-resource-group deployment would overwrite the scopes of the others), by someone allowed
        // to create roles, never the function's identity or the app's deployment pipeline.
        private const string CustomRoleImpact = "A custom role is a definition to own and review: it holds exactly the needed operations, and new operations of the service are not added to it; its definition is one per tenant.";
        private const string CustomRoleMitigation = "Deploy the definition once at the subscription (or management group) with every scope that assigns it in assignableScopes (Export-AzRoleMappingTemplate -RoleDefinitions, lambda-identity export-template --role-definitions), "
                + "before the resource-group template that assigns it; it is created by a principal holding Microsoft.Authorization/roleDefinitions/write there (Owner, User Access Administrator or Role Based Access Control Administrator, through PIM), "
                + "never by the function's identity or the app's deployment pipeline, and reviewed as an access change.";

        private RoleChoice ChooseFor(List<Unit> list, RoleSystem system)
        {
            var actions = list.SelectMany(u => u.Rule!.Actions).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            var data = list.SelectMany(u => u.Rule!.DataActions).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            return _m._selector.Choose(actions, data, system, _m._excluded);
        }

        // True when the union of what the roles grant is a strict subset of what the single role grants.
        private bool StrictlySmaller(List<AzureRoleDefinition> roles, AzureRoleDefinition single)
        {
            var cat = _m._catalog;
            var one = cat.Granted(single);
            var union = new HashSet<string>(roles.SelectMany(r => cat.Granted(r).Actions.Select(a => "a:" + a).Concat(cat.Granted(r).DataActions.Select(d => "d:" + d))), StringComparer.OrdinalIgnoreCase);
            var all = new HashSet<string>(one.Actions.Select(a => "a:" + a).Concat(one.DataActions.Select(d => "d:" + d)), StringComparer.OrdinalIgnoreCase);
            return union.IsProperSubsetOf(all);
        }

        private void RoleGroupCore(string key, GrantRule rule, List<Unit> list, ResourceMapEntry? entry, bool isEventSource)
        {
            var surface = isEventSource ? IdentitySurface.Platform : rule.Surface;
            var actions = list.SelectMany(u => u.Rule!.Actions).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(a => a, StringComparer.Ordinal).ToArray();
            var dataActions = list.SelectMany(u => u.Rule!.DataActions).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(a => a, StringComparer.Ordinal).ToArray();
            var d = New("grant/" + key, MappingKind.RoleAssignment, surface, MappingStrategy.BuiltIn);
            Account(d, list);
            var features = list.Select(u => u.Rule!).Distinct().Select(r => r.AzureFeature).Distinct().ToList();
            d.AzureService = rule.AzureService;
            d.AzureFeature = string.Join("; ", features);
            d.RequiredActions = actions; d.RequiredDataActions = dataActions;
            d.RoleAssignmentType = rule.RoleSystem.ToString();
            var res = rule.ScopeKey ?? list[0].Normalized;
            if (entry is not null) { d.Scope = entry.Azure; d.ScopeIsPlaceholder = false; }
            else { d.Scope = AzureNaming.Placeholder(res); d.ScopeIsPlaceholder = true; }
            if (rule.AzureResourceType is not null) d.Settings[SettingKeys.ScopeResourceType] = rule.AzureResourceType;

            var choice = _m._selector.Choose(actions, dataActions, rule.RoleSystem, _m._excluded);
            var threshold = Rules.CustomRoleExcessThreshold ?? 10;
            var reasons = new List<string> { string.Join(" ", list.Select(u => u.Rule!.Reason).Distinct()) };
            var custom = false;
            // Custom roles are designed for Azure RBAC only; Cosmos DB's two built-in data roles cover every data action.
            if (choice.Role is null || (choice.Risk > threshold && rule.RoleSystem == RoleSystem.AzureRbac))
            {
                var name = "LambdaIdentity " + rule.AzureService + " " + AzureNaming.ShortHash(string.Join("|", actions.Concat(dataActions)));
                d.Strategy = MappingStrategy.Custom;
                d.RoleDefinitionName = name;
                d.RoleDefinitionId = AzureNaming.DeterministicGuid("custom-role", name);
                reasons.Add(choice.Role is null
                    ? "No built-in role that cannot change access covers " + string.Join(", ", actions.Concat(dataActions)) + (choice.PrivilegedExcluded.Count > 0 ? " (only " + string.Join(", ", choice.PrivilegedExcluded.Take(3).Select(r => r.RoleName)) + ", which can change access)" : "") + ": a custom role holds exactly these operations."
                    : "The smallest covering built-in role, " + choice.Role.RoleName + ", grants " + choice.GrantedCount + " operations for " + choice.NeededCount + " needed; " + RiskText(choice) + ", more than the threshold of " + threshold + ": a custom role holds exactly the needed operations.");
                custom = true;
            }
            else
            {
                d.RoleDefinitionName = choice.Role.RoleName;
                d.RoleDefinitionId = choice.Role.Id;
                var next = choice.Candidates.Skip(1).FirstOrDefault();
                reasons.Add(choice.Role.RoleName + " is the least-privileged of " + choice.Candidates.Count + " covering built-in roles (" + choice.GrantedCount + " operations granted for " + choice.NeededCount + " needed"
                    + (next is null ? "" : "; next: " + next.RoleName + " with " + _m._catalog.Granted(next).Count) + ")"
                    + (choice.Excess > 0 ? "; " + RiskText(choice) + ", within the threshold of " + threshold + ", so the built-in is preferred to a custom role" : "")
                    + (choice.PrivilegedExcluded.Count > 0 ? "; " + choice.PrivilegedExcluded.Count + " roles that can change access were excluded" : "") + ".");
            }
            if (rule.RoleSystem == RoleSystem.CosmosDbSql) reasons.Add("Assigned as a Cosmos DB SQL role assignment (Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments), not Microsoft.Authorization.");
            if (isEventSource) reasons.Add("The resource is an event source of the function: the grant serves the trigger (platform).");

            // Deviations that keep the proposed role: wildcard resources, conditions, other accounts.
            var wildcard = entry is null && rule.ScopeKey is null && (res == "*" || res.IndexOf('*') >= 0);
            var cond = Conditions(list[0].Grant);
            var fnAccount = Arn.Account(_f.FunctionArn);
            var resAccount = Arn.Account(res);
            if (wildcard)
            {
                d.Strategy = MappingStrategy.Deviation;
                d.ScopeIsPlaceholder = true;
                if (rule.RoleSystem == RoleSystem.CosmosDbSql)
                {
                    // Cosmos DB SQL role assignments live on the account, scoped to the account, a database or a container:
                    // a resource group is no scope they can have.
                    d.Scope = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.DocumentDB/databaseAccounts/{cosmosAccount}";
                    d.Settings[SettingKeys.ProposedScopeLevel] = "cosmosAccount";
                    d.Impact = "The AWS grant covers " + (res == "*" ? "every table" : "every table matching " + res) + "; assigning " + d.RoleDefinitionName + " at the account scope carries that breadth to every database and container of the account.";
                    d.Mitigation = "Name the tables the function uses in the resource map (-ResourceMap) so the role is assigned at each container's scope (/dbs/<db>/colls/<container>); otherwise keep the account scope with only the function's containers in that account.";
                }
                else
                {
                    d.Scope = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}";
                    d.Settings[SettingKeys.ProposedScopeLevel] = "resourceGroup";
                    d.Impact = "The AWS grant covers " + (res == "*" ? "every resource" : "every resource matching " + res) + "; assigning " + d.RoleDefinitionName + " at a resource group carries that breadth to every " + rule.AzureService + " resource in it.";
                    d.Mitigation = "Name the resources the function uses in the resource map (-ResourceMap) so the role is assigned at each resource's scope; otherwise keep the proposed resource-group scope with only the function's resources in that group.";
                }
            }
            else if (cond.Length > 0)
            {
                d.Strategy = MappingStrategy.Deviation;
                d.Settings[SettingKeys.AwsCondition] = cond;
                var keys = list[0].Grant.Conditions.Select(c => c.Key).ToList();
                d.Impact = "The condition (" + cond + ") is not carried by the role assignment, so the Azure grant is broader" + (list[0].Grant.ExcludedResources.Count > 0 ? " (Azure RBAC has no exclusions: the excluded resources are included)" : "") + ".";
                d.Mitigation = Rules.MitigationForConditionKeys(keys);
            }
            else if (resAccount.Length == 12 && fnAccount.Length == 12 && resAccount != fnAccount)
            {
                d.Strategy = MappingStrategy.Deviation;
                d.Impact = "The resource lives in AWS account " + resAccount + ", not the function's (" + fnAccount + "): on Azure it may be in another subscription or tenant.";
                d.Mitigation = "Map the resource to its Azure resource ID in the resource map; across tenants, use a multi-tenant app registration or keep the dependency on AWS (stayOnAws).";
            }
            if (custom)
            {
                // Who creates the role and where it lives, kept next to any deviation the grant also has.
                d.Impact = (d.Impact is null ? "" : d.Impact + " ") + CustomRoleImpact;
                d.Mitigation = (d.Mitigation is null ? "" : d.Mitigation + " ") + CustomRoleMitigation;
            }
            d.Reason = string.Join(" ", reasons.Where(r => r.Length > 0));
            Emit(d);
        }

        private void FederatedAwsRole(List<Unit> list)
        {
            var d = New("aws-federated-role", MappingKind.AwsFederatedRole, IdentitySurface.Workload, MappingStrategy.Deviation);
            Account(d, list);
            // IAM role names hold at most 64 characters: a longer one keeps its start and a hash of the whole.
            var roleName = "azure-" + _app;
            if (roleName.Length > 64) roleName = roleName.Substring(0, 55) + "-" + AzureNaming.ShortHash(roleName).Substring(0, 8);
            var account = Arn.Account(_f.FunctionArn).Length == 12 ? Arn.Account(_f.FunctionArn) : "{awsAccountId}";
            d.AzureService = "AWS IAM (OIDC federation with Microsoft Entra ID)";
            d.AzureFeature = "AWS IAM role " + roleName + " assumed with AssumeRoleWithWebIdentity using a token of " + _principal;
            d.Settings["awsRoleArn"] = "arn:aws:iam::" + account + ":role/" + roleName;
            // The function asks Entra for a token for the token-exchange audience: a v2.0 token whose issuer names the
            // tenant and whose subject is the managed identity's object id (AwsTrustDesign says where that is documented).
            var audience = AwsTrustDesign.TokenExchangeAudience;
            var issuer = AwsTrustDesign.Issuer("{tenantId}", audience);
            var provider = AwsTrustDesign.ProviderArn(account, issuer);
            d.Settings["oidcProvider"] = provider;
            d.Settings["tokenIssuer"] = issuer;
            d.Settings["tokenAudience"] = audience;
            d.Settings["tokenSubject"] = "{principalId of " + _principal + "}";
            d.Settings["trustPolicy"] = AwsTrustDesign.TrustPolicy(provider, issuer, audience, d.Settings["tokenSubject"]);
            d.Settings["permissionsPolicy"] = AwsTrustDesign.PermissionsPolicy(list.Select(u => (u.Grant, u.Resource)));
            d.Reason = "These dependencies stay on AWS (stayOnAws in the resource map): the function reaches them with an AWS role that trusts Entra ID tokens of its managed identity, holding exactly the grants it had.";
            d.Impact = "The function keeps a runtime dependency on AWS and its availability; the AWS side must trust the Entra tenant.";
            d.Mitigation = "Deploy the AWS side (Export-AzRoleMappingTemplate -Format AwsCloudFormation or AwsTerraform; assess writes aws-trust.cfn.json and aws-trust.tf.json): the IAM OIDC provider for " + issuer + " with audience " + audience + ", and the role with this trust and permissions policy. The function requests a token for " + audience + " and calls AssumeRoleWithWebIdentity; Test-IdentityParity -AwsState verifies the trust.";
            Emit(d);
        }
    }
}

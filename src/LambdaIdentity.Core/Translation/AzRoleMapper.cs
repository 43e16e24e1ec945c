using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Translation;

/// <summary>
/// Turns function identities into the Azure design: one managed identity per function (or per shared execution
/// role), one outcome for every effective grant (BuiltIn, Custom, NotNeeded or Deviation), triggers, host storage,
/// end-user authentication, automation and people, audit, and federated AWS roles for dependencies that stay on AWS.
/// </summary>
public sealed class AzRoleMapper
{
    private readonly IGrantDeriver _deriver;
    private readonly MappingOptions _options;
    private readonly MappingRuleSet _rules;
    private readonly AzureRoleCatalog _catalog;
    private readonly LeastPrivilegeSelector _selector;

    /// <summary>Creates a mapper.</summary>
    public AzRoleMapper(IGrantDeriver deriver, MappingOptions? options = null)
    {
        _deriver = deriver ?? throw new ArgumentNullException(nameof(deriver));
        _options = options ?? new MappingOptions();
        _rules = _options.RuleSet ?? RuleSetLoader.Default;
        _catalog = _options.Catalog ?? AzureRoleCatalog.Default;
        _selector = new LeastPrivilegeSelector(_catalog);
        _excluded = new HashSet<string>(_rules.ExcludedRoles.Select(x => x.Role), StringComparer.OrdinalIgnoreCase);
    }

    private readonly HashSet<string> _excluded;

    /// <summary>The rules in use.</summary>
    public MappingRuleSet Rules => _rules;

    /// <summary>Maps every function; identity sharing needs all of them at once. A function that fails is reported and skipped.</summary>
    public IReadOnlyList<AzRoleMapping> Map(IReadOnlyList<LambdaFunctionIdentity> functions, EngineContext context)
    {
        var result = new List<AzRoleMapping>();
        var appNames = AzureNaming.AppNames(functions.Select(f => (f.FunctionName, f.FunctionArn)));
        var byRole = functions.Where(f => RoleKey(f).Length > 0).GroupBy(RoleKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(f => f.FunctionName).ToList(), StringComparer.Ordinal);
        // User-assigned identity names, unique per execution role across the run (two templates may both call their role LambdaRole).
        var identityNames = new Dictionary<string, string>(StringComparer.Ordinal);
        var roleGroups = functions.Where(f => RoleKey(f).Length > 0).GroupBy(RoleKey, StringComparer.Ordinal)
            .Where(g => g.Count() > 1 || _options.UserAssignedIdentity).ToList();
        var baseNames = roleGroups.ToDictionary(g => g.Key, g => AzureNaming.UserAssignedIdentityName(RoleNameOf(g.First())), StringComparer.Ordinal);
        foreach (var g in roleGroups)
        {
            var name = baseNames[g.Key];
            identityNames[g.Key] = baseNames.Values.Count(n => n == name) > 1 ? name.Substring(0, Math.Min(name.Length, 118)).TrimEnd('-') + "-" + AzureNaming.ShortHash(g.Key) : name;
        }
        for (var i = 0; i < functions.Count; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var f = functions[i];
            context.Progress("Mapping functions to Azure", f.FunctionName, i, functions.Count);
            try
            {
                var key = RoleKey(f);
                var sharedWith = key.Length > 0 && byRole.TryGetValue(key, out var names) ? names : new List<string> { f.FunctionName };
                var fm = new FunctionMapping(this, f, appNames[f.FunctionArn + "|" + f.FunctionName], sharedWith, context, identityNames.TryGetValue(key, out var idName) ? idName : null);
                result.AddRange(fm.Build());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                context.Error("FunctionMappingFailed", EngineErrorCategory.NotSpecified, f.FunctionArn.Length > 0 ? f.FunctionArn : f.FunctionName,
                    "could not map " + f.FunctionName + ": " + ex.Message, f.Source, ex);
            }
        }
        context.Progress("Mapping functions to Azure", "done", functions.Count, functions.Count);
        return result;
    }

    private static string RoleNameOf(LambdaFunctionIdentity f)
    {
        var arn = f.ExecutionRole?.RoleArn is { Length: > 0 } a ? a : f.RoleArn;
        var name = f.ExecutionRole?.RoleName is { Length: > 0 } rn ? rn : arn.Split('/').Last();
        return name.Length > 0 ? name : f.FunctionName;
    }

    // A role ARN that is still a template token (${GetAtt:Role.Arn}) names a role only within its file.
    private static string RoleKey(LambdaFunctionIdentity f)
    {
        var arn = f.ExecutionRole?.RoleArn is { Length: > 0 } a ? a : f.RoleArn;
        return arn.Length > 0 && Arn.HasToken(arn) ? arn + "|" + (f.ExecutionRole?.Source?.File ?? f.Source?.File ?? "") : arn;
    }

    /// <summary>The mapping of one function.</summary>
    private sealed class FunctionMapping
    {
        private readonly AzRoleMapper _m;
        private readonly LambdaFunctionIdentity _f;
        private readonly string _app;
        private readonly IReadOnlyList<string> _sharedWith;
        private readonly EngineContext _ctx;
        private readonly List<AzRoleMapping> _out = new();
        private string _principal = "";
        private string _identityType = "";

        private readonly string? _identityName;

        public FunctionMapping(AzRoleMapper m, LambdaFunctionIdentity f, string app, IReadOnlyList<string> sharedWith, EngineContext ctx, string? identityName)
        { _m = m; _f = f; _app = app; _sharedWith = sharedWith; _ctx = ctx; _identityName = identityName; }

        private MappingRuleSet Rules => _m._rules;

        public List<AzRoleMapping> Build()
        {
            Identity();
            Grants();
            Triggers();
            Host();
            EndUsers();
            Principals();
            Audit();
            return _out;
        }

        private Draft New(string key, MappingKind kind, IdentitySurface surface, MappingStrategy strategy) => new()
        {
            MappingId = _f.FunctionName + "/" + kind + "/" + key,
            FunctionName = _f.FunctionName, FunctionArn = _f.FunctionArn, FunctionAppName = _app,
            Kind = kind, Surface = surface, Strategy = strategy,
        };

        private void Emit(Draft d) => _out.Add(d.Build());

        // ---- identity ----
        private void Identity()
        {
            var role = _f.ExecutionRole;
            var roleArn = role?.RoleArn is { Length: > 0 } ra ? ra : _f.RoleArn;
            var roleName = role?.RoleName is { Length: > 0 } rn ? rn : roleArn.Split('/').Last();
            var shared = _sharedWith.Count > 1;
            var user = shared || _m._options.UserAssignedIdentity;
            _identityType = user ? "UserAssigned" : "SystemAssigned";
            _principal = user ? _identityName ?? AzureNaming.UserAssignedIdentityName(roleName.Length > 0 ? roleName : _f.FunctionName) : _app;
            var d = New("identity", MappingKind.ManagedIdentity, IdentitySurface.Workload, MappingStrategy.BuiltIn);
            d.AwsFeature = "execution role " + (roleArn.Length > 0 ? roleArn : "(none)");
            d.AwsResources = roleArn.Length > 0 ? new[] { roleArn } : Array.Empty<string>();
            d.AwsSource = role?.Source ?? _f.Source;
            d.AzureService = "Managed identities";
            d.AzureFeature = user ? "User-assigned managed identity " + _principal : "System-assigned managed identity of " + _app;
            d.PrincipalName = _principal; d.PrincipalType = "ServicePrincipal"; d.IdentityType = _identityType;
            if (user)
            {
                d.Settings["AZURE_CLIENT_ID"] = "{clientId of " + _principal + "}";
                d.Settings["sharedWith"] = string.Join(",", _sharedWith);
            }
            d.Reason = shared
                ? "The execution role is shared by " + _sharedWith.Count + " functions (" + string.Join(", ", _sharedWith) + "): one user-assigned identity keeps one set of role assignments, as the role did."
                : user ? "A user-assigned identity was requested, so role assignments can exist before the app."
                : "Only this function uses the execution role: a system-assigned identity lives and dies with the app.";
            Emit(d);
            if (role is null)
            {
                var x = New("deviation/execution-role-missing", MappingKind.RoleAssignment, IdentitySurface.Workload, MappingStrategy.Deviation);
                x.AwsFeature = "execution role " + (roleArn.Length > 0 ? roleArn : "(unknown)");
                x.AwsSource = _f.Source;
                x.AzureFeature = "Role assignments of " + _principal;
                x.Reason = "The inventory holds no policies for the execution role, so its grants cannot be derived.";
                x.Impact = "The workload and platform grants of this function are unknown; parity on them is Unverifiable.";
                x.Mitigation = "Add the role's policies to the inventory (get-account-authorization-details, or the template that defines the role) and map again.";
                Emit(x);
                return;
            }
            RoleDeviations(role);
        }

        private void RoleDeviations(ExecutionRole role)
        {
            if (role.PermissionsBoundary is { } pb)
            {
                var d = New("deviation/permissions-boundary", MappingKind.RoleAssignment, IdentitySurface.Workload, MappingStrategy.Deviation);
                d.AwsFeature = "permissions boundary " + (pb.PolicyArn ?? pb.PolicyName);
                d.AwsSource = pb.Source ?? role.Source;
                d.AzureFeature = "No permissions boundaries in Azure RBAC";
                d.Reason = "A permissions boundary caps what the role's policies can grant; Azure has no per-identity cap.";
                d.Impact = "The grants mapped here are the effective ones (the boundary already applied), but nothing in Azure stops a later, broader assignment.";
                d.Mitigation = "Cap assignments with an Azure Policy or with role-assignment conditions (delegated RBAC administration) on who may assign roles to this identity.";
                Emit(d);
            }
            var denies = role.Policies.SelectMany(p => p.Statement.Select(s => (p, s))).Where(x => string.Equals(x.s.Effect, "Deny", StringComparison.OrdinalIgnoreCase)).ToList();
            if (denies.Count > 0)
            {
                var d = New("deviation/explicit-deny", MappingKind.RoleAssignment, IdentitySurface.Workload, MappingStrategy.Deviation);
                d.AwsFeature = "explicit Deny in " + string.Join(", ", denies.Select(x => x.p.PolicyName + "#" + (x.s.Sid ?? "")).Distinct());
                d.AwsActions = denies.SelectMany(x => x.s.Action.Concat(x.s.NotAction)).Distinct().OrderBy(a => a, StringComparer.Ordinal).ToArray();
                d.AwsSource = denies[0].p.Source ?? role.Source;
                d.AzureFeature = "No authorable deny assignments";
                d.Reason = "Azure deny assignments cannot be authored directly; the mapping assigns only what remains allowed after the denies.";
                d.Impact = "A later, broader role assignment would not be blocked by a deny as it was on AWS.";
                d.Mitigation = "Keep assignments at the narrowest scope, review with Test-IdentityParity (Excess), and use Azure Policy to block assignments the deny was guarding against.";
                Emit(d);
            }
            var nots = role.Policies.SelectMany(p => p.Statement.Select(s => (p, s)))
                .Where(x => string.Equals(x.s.Effect, "Allow", StringComparison.OrdinalIgnoreCase) && (x.s.NotAction.Count > 0 || x.s.NotResource.Count > 0)).ToList();
            if (nots.Count > 0)
            {
                var d = New("deviation/not-action", MappingKind.RoleAssignment, IdentitySurface.Workload, MappingStrategy.Deviation);
                d.AwsFeature = "Allow with NotAction/NotResource in " + string.Join(", ", nots.Select(x => x.p.PolicyName + "#" + (x.s.Sid ?? "")).Distinct());
                d.AwsSource = nots[0].p.Source ?? role.Source;
                d.AzureFeature = "Explicit operations per assignment";
                d.Reason = "NotAction/NotResource allow everything except a list; the grants were expanded from the action catalog and mapped one by one.";
                d.Impact = "Actions AWS adds later to the service would have been allowed on AWS; they are not on Azure.";
                d.Mitigation = "Review the expanded grants; prefer the explicit list the function actually uses.";
                Emit(d);
            }
            foreach (var p in role.Policies.Where(p => p.IsUnresolved))
            {
                var d = New("deviation/unresolved-policy/" + (p.PolicyArn ?? p.PolicyName), MappingKind.RoleAssignment, IdentitySurface.Workload, MappingStrategy.Deviation);
                d.AwsFeature = "policy " + (p.PolicyArn ?? p.PolicyName) + " could not be read in full";
                d.AwsSource = p.Source ?? role.Source;
                d.AzureFeature = "Unknown";
                d.Reason = "The policy is unresolved in the inventory (a managed policy not in the export, or a template value that could not be resolved).";
                d.Impact = "Grants from this policy are missing from the mapping; parity on them is Unverifiable.";
                d.Mitigation = "Export the policy (get-account-authorization-details) or resolve the template parameter and map again.";
                Emit(d);
            }
        }

        // ---- grants ----
        private sealed class Unit
        {
            public EffectiveGrant Grant = null!;
            public string Resource = "";
            public string Normalized = "";
            public GrantRule? Rule;
            public string Key => Grant.Action + " " + Resource;
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
            var units = grants.SelectMany(g => (g.Resources.Count == 0 ? new[] { "*" } : g.Resources).Distinct(StringComparer.Ordinal)
                .Select(r => new Unit { Grant = g, Resource = r, Normalized = Rules.Normalize(r, g.Service), Rule = Rules.Match(g) })).ToList();
            var awsStay = new List<Unit>();
            foreach (var group in units.GroupBy(u => GroupKey(u, pollArns), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var list = group.ToList();
                var first = list[0];
                var rule = first.Rule;
                if (rule is null) { NoRule(group.Key, list); continue; }
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

        private string GroupKey(Unit u, HashSet<string> pollArns)
        {
            var r = u.Rule;
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
            if (from.Count > 0) d.Settings["grantedBy"] = string.Join(",", from);
            if (list.Any(u => u.Grant.FromWildcard)) d.Settings["fromWildcard"] = "true";
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
            d.Settings["appRole"] = "Function.Invoke";
            d.Settings["callee"] = callee;
            var calleeName = callee.StartsWith("arn:", StringComparison.Ordinal) ? callee.Split(':').ElementAtOrDefault(6) ?? "" : "";
            if (calleeName.Length > 0 && calleeName != "*") d.Settings["calleeFunctionAppName"] = AzureNaming.FunctionAppName(calleeName);
            d.Scope = calleeName.Length > 0 && calleeName != "*" ? AzureNaming.AppScope(AzureNaming.FunctionAppName(calleeName)) : AzureNaming.Placeholder(callee);
            d.ScopeIsPlaceholder = true;
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
            // When no single built-in role fits the whole group (e.g. send and receive on one queue), but one fits each
            // rule's part (Data Sender, Data Receiver), assign one built-in role per part instead of a broad or custom role.
            var rulesInGroup = list.Select(u => u.Rule!).Distinct().ToList();
            if (rulesInGroup.Count > 1 && !FitsOneBuiltIn(list, rule.RoleSystem) && rulesInGroup.All(r => FitsOneBuiltIn(list.Where(u => u.Rule == r).ToList(), rule.RoleSystem)))
            {
                // Parts whose own choice is the same role share one assignment (queue properties and receive: one Data Receiver).
                var parts = list.GroupBy(u => u.Rule!)
                    .Select(g => (Rule: g.Key, Units: g.ToList(), Role: _m._selector.Choose(g.Key.Actions.ToArray(), g.Key.DataActions.ToArray(), rule.RoleSystem, _m._excluded).Role!.RoleName))
                    .GroupBy(x => x.Role, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal);
                foreach (var part in parts)
                {
                    var units = part.SelectMany(x => x.Units).ToList();
                    var first = part.OrderBy(x => x.Rule.Id, StringComparer.Ordinal).First().Rule;
                    RoleGroupCore(key + "/" + part.Key, first, units, entry, isEventSource);
                }
                return;
            }
            RoleGroupCore(key, rule, list, entry, isEventSource);
        }

        private bool FitsOneBuiltIn(List<Unit> list, RoleSystem system)
        {
            var actions = list.SelectMany(u => u.Rule!.Actions).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            var data = list.SelectMany(u => u.Rule!.DataActions).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            var c = _m._selector.Choose(actions, data, system, _m._excluded);
            return c.Role is not null && c.Excess <= (Rules.CustomRoleExcessThreshold ?? 10);
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
            if (rule.AzureResourceType is not null) d.Settings["scopeResourceType"] = rule.AzureResourceType;

            var choice = _m._selector.Choose(actions, dataActions, rule.RoleSystem, _m._excluded);
            var threshold = Rules.CustomRoleExcessThreshold ?? 10;
            var reasons = new List<string> { string.Join(" ", list.Select(u => u.Rule!.Reason).Distinct()) };
            // Custom roles are designed for Azure RBAC only; Cosmos DB's two built-in data roles cover every data action.
            if (choice.Role is null || (choice.Excess > threshold && rule.RoleSystem == RoleSystem.AzureRbac))
            {
                var name = "LambdaIdentity " + rule.AzureService + " " + AzureNaming.ShortHash(string.Join("|", actions.Concat(dataActions)));
                d.Strategy = MappingStrategy.Custom;
                d.RoleDefinitionName = name;
                d.RoleDefinitionId = AzureNaming.DeterministicGuid("custom-role", name);
                reasons.Add(choice.Role is null
                    ? "No built-in role that cannot change access covers " + string.Join(", ", actions.Concat(dataActions)) + (choice.PrivilegedExcluded.Count > 0 ? " (only " + string.Join(", ", choice.PrivilegedExcluded.Take(3).Select(r => r.RoleName)) + ", which can change access)" : "") + ": a custom role holds exactly these operations."
                    : "The smallest covering built-in role, " + choice.Role.RoleName + ", grants " + choice.GrantedCount + " operations for " + choice.NeededCount + " needed (more than " + threshold + " beyond): a custom role holds exactly the needed operations.");
            }
            else
            {
                d.RoleDefinitionName = choice.Role.RoleName;
                d.RoleDefinitionId = choice.Role.Id;
                var next = choice.Candidates.Skip(1).FirstOrDefault();
                reasons.Add(choice.Role.RoleName + " is the least-privileged of " + choice.Candidates.Count + " covering built-in roles (" + choice.GrantedCount + " operations granted for " + choice.NeededCount + " needed"
                    + (next is null ? "" : "; next: " + next.RoleName + " with " + _m._catalog.Granted(next).Count) + ")"
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
                d.Scope = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}";
                d.ScopeIsPlaceholder = true;
                d.Settings["proposedScopeLevel"] = "resourceGroup";
                d.Impact = "The AWS grant covers " + (res == "*" ? "every resource" : "every resource matching " + res) + "; assigning " + d.RoleDefinitionName + " at a resource group carries that breadth to every " + rule.AzureService + " resource in it.";
                d.Mitigation = "Name the resources the function uses in the resource map (-ResourceMap) so the role is assigned at each resource's scope; otherwise keep the proposed resource-group scope with only the function's resources in that group.";
            }
            else if (cond.Length > 0)
            {
                d.Strategy = MappingStrategy.Deviation;
                d.Settings["awsCondition"] = cond;
                var keys = list[0].Grant.Conditions.Select(c => c.Key).ToList();
                d.Impact = "The condition (" + cond + ") is not carried by the role assignment, so the Azure grant is broader" + (list[0].Grant.ExcludedResources.Count > 0 ? " (Azure RBAC has no exclusions: the excluded resources are included)" : "") + ".";
                d.Mitigation = keys.Any(k => k.StartsWith("s3:", StringComparison.OrdinalIgnoreCase))
                    ? "Add an Azure ABAC condition on the storage role assignment (e.g. @Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringStartsWith for s3:prefix)."
                    : keys.Any(k => k.Equals("aws:SourceIp", StringComparison.OrdinalIgnoreCase) || k.StartsWith("aws:SourceVpc", StringComparison.OrdinalIgnoreCase))
                    ? "Restrict the network path instead: private endpoint or firewall rules on the target resource."
                    : keys.Any(k => k.StartsWith("dynamodb:", StringComparison.OrdinalIgnoreCase))
                    ? "Split the data into containers per tenant and assign the Cosmos DB role at each container's scope, or enforce the partition key in code."
                    : "Review whether the condition can be expressed by a narrower scope or an ABAC condition; otherwise enforce it in code.";
            }
            else if (resAccount.Length == 12 && fnAccount.Length == 12 && resAccount != fnAccount)
            {
                d.Strategy = MappingStrategy.Deviation;
                d.Impact = "The resource lives in AWS account " + resAccount + ", not the function's (" + fnAccount + "): on Azure it may be in another subscription or tenant.";
                d.Mitigation = "Map the resource to its Azure resource ID in the resource map; across tenants, use a multi-tenant app registration or keep the dependency on AWS (stayOnAws).";
            }
            d.Reason = string.Join(" ", reasons.Where(r => r.Length > 0));
            Emit(d);
        }

        private void FederatedAwsRole(List<Unit> list)
        {
            var d = New("aws-federated-role", MappingKind.AwsFederatedRole, IdentitySurface.Workload, MappingStrategy.Deviation);
            Account(d, list);
            var roleName = "azure-" + _app;
            var account = Arn.Account(_f.FunctionArn).Length == 12 ? Arn.Account(_f.FunctionArn) : "{awsAccountId}";
            d.AzureService = "AWS IAM (OIDC federation with Microsoft Entra ID)";
            d.AzureFeature = "AWS IAM role " + roleName + " assumed with AssumeRoleWithWebIdentity using a token of " + _principal;
            d.Settings["awsRoleArn"] = "arn:aws:iam::" + account + ":role/" + roleName;
            d.Settings["oidcProvider"] = "arn:aws:iam::" + account + ":oidc-provider/sts.windows.net/{tenantId}/";
            d.Settings["trustPolicy"] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::" + account + ":oidc-provider/sts.windows.net/{tenantId}/\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\"sts.windows.net/{tenantId}/:sub\":\"{principalId of " + _principal + "}\",\"sts.windows.net/{tenantId}/:aud\":\"api://AzureADTokenExchange\"}}}]}";
            var statements = list.GroupBy(u => u.Resource, StringComparer.Ordinal).GroupBy(g => string.Join(",", g.Select(u => u.Grant.Action).Distinct().OrderBy(a => a, StringComparer.Ordinal)), StringComparer.Ordinal)
                .Select(g => "{\"Effect\":\"Allow\",\"Action\":[" + string.Join(",", g.Key.Split(',').Select(a => "\"" + a + "\"")) + "],\"Resource\":[" + string.Join(",", g.Select(x => "\"" + x.Key.Replace("\"", "\\\"") + "\"")) + "]}");
            d.Settings["permissionsPolicy"] = "{\"Version\":\"2012-10-17\",\"Statement\":[" + string.Join(",", statements) + "]}";
            d.Settings["tokenAudience"] = "api://AzureADTokenExchange";
            d.Reason = "These dependencies stay on AWS (stayOnAws in the resource map): the function reaches them with an AWS role that trusts Entra ID tokens of its managed identity, holding exactly the grants it had.";
            d.Impact = "The function keeps a runtime dependency on AWS and its availability; the AWS side must trust the Entra tenant.";
            d.Mitigation = "Create the OIDC provider for https://sts.windows.net/{tenantId}/ in the AWS account, the role with this trust and permissions policy, and have the function request a token for api://AzureADTokenExchange and call AssumeRoleWithWebIdentity.";
            Emit(d);
        }

        // ---- triggers ----
        private static readonly Dictionary<string, string> ServiceToType = new(StringComparer.OrdinalIgnoreCase)
        { ["sqs"] = "SQS", ["kinesis"] = "Kinesis", ["dynamodb"] = "DynamoDB", ["s3"] = "S3", ["sns"] = "SNS", ["events"] = "EventBridgeRule", ["kafka"] = "MSK", ["mq"] = "MQ" };

        private void Triggers()
        {
            var i = 0;
            foreach (var e in _f.EventSources)
            {
                var key = "trigger/" + (e.Name.Length > 0 ? e.Name : e.Type + (i)); i++;
                var rule = Rules.MatchTrigger(e.Type);
                if (rule is null && e.SourceArn is { } arn && ServiceToType.TryGetValue(Arn.Service(arn), out var t)) rule = Rules.MatchTrigger(t);
                var d = New(key, MappingKind.TriggerConnection, IdentitySurface.Platform, MappingStrategy.BuiltIn);
                d.AwsFeature = e.Type + " event source " + e.Name + (e.SourceArn is null ? "" : " (" + e.SourceArn + ")");
                d.AwsResources = e.SourceArn is null ? Array.Empty<string>() : new[] { e.SourceArn };
                d.AwsSource = e.Source ?? _f.Source;
                d.PrincipalName = _principal; d.PrincipalType = "ServicePrincipal"; d.IdentityType = _identityType;
                if (rule is null)
                {
                    d.Strategy = MappingStrategy.Deviation;
                    d.AzureFeature = "No trigger rule";
                    d.Reason = "No trigger rule maps event source type " + e.Type + ".";
                    d.Impact = "The function would not be invoked by this source on Azure.";
                    d.Mitigation = "Add a trigger rule with -RuleSet, or design the trigger by hand (Event Grid or Service Bus are the usual targets).";
                    Emit(d);
                    continue;
                }
                d.RuleId = rule.Id;
                d.AzureService = rule.AzureService;
                d.AzureFeature = rule.AzureTrigger;
                d.Settings["trigger"] = rule.AzureTrigger;
                var setting = (rule.ConnectionSetting ?? "").Replace("{name}", AzureNaming.Slug(e.Name.Length > 0 ? e.Name : e.Type, 60).Replace('-', '_'));
                if (setting.Length > 0)
                {
                    d.Settings["connectionSetting"] = setting;
                    d.Settings["credential"] = "managedidentity";
                    if (_identityType == "UserAssigned") d.Settings["clientId"] = "{clientId of " + _principal + "}";
                }
                d.Strategy = rule.Outcome switch { RuleOutcome.NotNeeded => MappingStrategy.NotNeeded, RuleOutcome.Deviation => MappingStrategy.Deviation, _ => MappingStrategy.BuiltIn };
                d.Reason = rule.Reason + (e.IsPoll ? "" : " The AWS push permission (Lambda resource policy) becomes the Azure-side subscription that delivers to the function.");
                d.Impact = rule.Impact; d.Mitigation = rule.Mitigation;
                Emit(d);
                if (rule.Outcome != RuleOutcome.Role) continue;
                var res = e.SourceArn is { Length: > 0 } a ? Rules.Normalize(a) : "event-source:" + e.Name;
                var entry = _m._options.ResourceMap.Resolve(res);
                foreach (var roleName in rule.Roles)
                {
                    var role = _m._catalog.FindByName(roleName)!;
                    var r = New(key + "/" + roleName, MappingKind.RoleAssignment, IdentitySurface.Platform, MappingStrategy.BuiltIn);
                    r.AwsFeature = d.AwsFeature; r.AwsResources = d.AwsResources; r.AwsSource = d.AwsSource; r.RuleId = rule.Id;
                    r.AzureService = rule.AzureService;
                    r.AzureFeature = rule.AzureTrigger + " identity-based connection";
                    r.RoleDefinitionName = role.RoleName; r.RoleDefinitionId = role.Id;
                    r.RoleAssignmentType = role.System.ToString();
                    r.Scope = entry is { StayOnAws: false } ? entry.Azure : AzureNaming.Placeholder(res);
                    r.ScopeIsPlaceholder = entry is not { StayOnAws: false };
                    if (rule.AzureResourceType is not null) r.Settings["scopeResourceType"] = rule.AzureResourceType;
                    r.PrincipalName = _principal; r.PrincipalType = "ServicePrincipal"; r.IdentityType = _identityType;
                    r.Reason = roleName + " is what the " + rule.AzureTrigger + " needs for an identity-based connection (Microsoft's Functions documentation).";
                    Emit(r);
                }
            }
        }

        // ---- host ----
        private void Host()
        {
            var plan = _m._options.HostingPlan;
            var entry = _m._options.ResourceMap.Resolve(ResourceMap.HostStorageKey);
            var scope = entry is { StayOnAws: false } ? entry.Azure : AzureNaming.Placeholder(ResourceMap.HostStorageKey);
            var placeholder = entry is not { StayOnAws: false };
            var d = New("host/AzureWebJobsStorage", MappingKind.Setting, IdentitySurface.Platform, MappingStrategy.BuiltIn);
            d.AwsFeature = "Lambda service-managed code storage and state";
            d.AzureService = "Storage account (host storage)";
            d.AzureFeature = "AzureWebJobsStorage with managed identity (" + plan + " plan)";
            d.Settings["AzureWebJobsStorage__accountName"] = "{hostStorageAccount}";
            d.Settings["AzureWebJobsStorage__credential"] = "managedidentity";
            if (_identityType == "UserAssigned") d.Settings["AzureWebJobsStorage__clientId"] = "{clientId of " + _principal + "}";
            d.Settings["hostingPlan"] = plan.ToString();
            d.PrincipalName = _principal; d.PrincipalType = "ServicePrincipal"; d.IdentityType = _identityType;
            d.Reason = "The Functions host keeps keys, timers and leases in its storage account; with a managed identity no account key is stored.";
            Emit(d);
            var hasBlobTrigger = _out.Any(m => m.Kind == MappingKind.TriggerConnection && m.RuleId == "s3-trigger");
            var roles = new List<(string Role, string Why)> { ("Storage Blob Data Owner", "the host needs Storage Blob Data Owner on its storage (keys, leases, checkpoints)") };
            roles.Add(("Storage Table Data Contributor", "the host writes diagnostics to tables"));
            if (hasBlobTrigger)
            {
                roles.Add(("Storage Queue Data Contributor", "a blob trigger keeps its poison queue in host storage"));
                roles.Add(("Storage Account Contributor", "a blob trigger reads the account's properties on host storage"));
            }
            foreach (var (roleName, why) in roles)
            {
                var role = _m._catalog.FindByName(roleName)!;
                var r = New("host/AzureWebJobsStorage/" + roleName, MappingKind.RoleAssignment, IdentitySurface.Platform, MappingStrategy.BuiltIn);
                r.AwsFeature = d.AwsFeature; r.AzureService = d.AzureService; r.AzureFeature = "Host storage access";
                r.RoleDefinitionName = role.RoleName; r.RoleDefinitionId = role.Id; r.RoleAssignmentType = role.System.ToString();
                r.Scope = scope; r.ScopeIsPlaceholder = placeholder;
                r.Settings["scopeResourceType"] = "Microsoft.Storage/storageAccounts";
                r.PrincipalName = _principal; r.PrincipalType = "ServicePrincipal"; r.IdentityType = _identityType;
                r.Reason = "AzureWebJobsStorage with managed identity: " + why + ".";
                Emit(r);
            }
            if (plan is HostingPlan.Consumption or HostingPlan.Premium)
            {
                var x = New("host/content-share", MappingKind.Setting, IdentitySurface.Platform, MappingStrategy.Deviation);
                x.AwsFeature = d.AwsFeature; x.AzureService = "Azure Files";
                x.AzureFeature = "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING (content share)";
                x.Reason = "The " + plan + " plan keeps the app's content on an Azure Files share.";
                x.Impact = "Azure Files for the content share does not accept a managed identity: a key-based connection string remains.";
                x.Mitigation = "Prefer the Flex Consumption plan (no Azure Files) or a Dedicated plan; otherwise keep the connection string in a Key Vault reference and rotate the key.";
                Emit(x);
            }
            if (plan == HostingPlan.FlexConsumption)
            {
                var x = New("host/deployment-storage", MappingKind.Setting, IdentitySurface.Platform, MappingStrategy.NotNeeded);
                x.AwsFeature = "Lambda deployment package"; x.AzureService = "Storage account (deployment container)";
                x.AzureFeature = "functionAppConfig.deployment.storage.authentication = " + (_identityType == "UserAssigned" ? "UserAssignedIdentity" : "SystemAssignedIdentity");
                x.Settings["deploymentStorageAuthentication"] = _identityType == "UserAssigned" ? "UserAssignedIdentity" : "SystemAssignedIdentity";
                x.PrincipalName = _principal; x.PrincipalType = "ServicePrincipal"; x.IdentityType = _identityType;
                x.Reason = "Flex Consumption reads its deployment package with the app's identity; Storage Blob Data Owner on the host storage account covers the deployment container when it lives there.";
                Emit(x);
            }
        }

        // ---- end users ----
        private void EndUsers()
        {
            ResourcePolicyCallers();
            if (_f.FunctionUrl is { } url && !_f.Callers.Any(c => c.Channel == "FunctionUrl"))
            {
                var c = new CallerAccess { Channel = "FunctionUrl", Route = "function URL", AuthType = string.Equals(url.AuthType, "AWS_IAM", StringComparison.OrdinalIgnoreCase) ? CallerAuthType.AwsIam : string.Equals(url.AuthType, "NONE", StringComparison.OrdinalIgnoreCase) ? CallerAuthType.None : CallerAuthType.Unknown, Source = url.Source };
                Caller(c, "url", url.AllowOrigins);
            }
            var groups = _f.Callers.GroupBy(c => c.AuthType + "|" + (c.AuthorizerName ?? "") + "|" + (c.Issuer ?? "") + "|" + string.Join(",", c.Audiences) + "|" + c.ApiKeyRequired, StringComparer.Ordinal);
            foreach (var g in groups.OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var first = g.First();
                var routes = g.Select(c => (c.Channel + " " + (c.Route ?? "")).Trim()).Distinct().ToList();
                var cors = g.Any(c => c.Channel == "FunctionUrl") && _f.FunctionUrl is { } u ? u.AllowOrigins : Array.Empty<string>();
                var key = g.All(c => c.Channel == "FunctionUrl") ? "url" : "api/" + first.AuthType + (first.AuthorizerName is null ? "" : "/" + first.AuthorizerName) + (first.ApiKeyRequired ? "/apikey" : "");
                Caller(first, key, cors, routes, g.SelectMany(c => c.Scopes).Distinct().ToList());
            }
        }

        // Resource-policy statements that let AWS principals (roles, accounts) invoke the function: callers that need an
        // app role on the function app's Entra application; another account is another tenant (a deviation).
        private void ResourcePolicyCallers()
        {
            if (_f.ResourcePolicy is not { } rp) return;
            var fnAccount = Arn.Account(_f.FunctionArn);
            foreach (var st in rp.Statement.Where(s => string.Equals(s.Effect, "Allow", StringComparison.OrdinalIgnoreCase) && s.Principal is not null))
            {
                if (!st.Action.Any(a => AwsPattern.Matches(a, "lambda:InvokeFunction") || AwsPattern.Matches(a, "lambda:InvokeFunctionUrl"))) continue;
                // The permission a function URL needs (condition lambda:FunctionUrlAuthType) is designed with the URL itself.
                if (st.Condition.Any(c => string.Equals(c.Key, "lambda:FunctionUrlAuthType", StringComparison.OrdinalIgnoreCase))) continue;
                var principals = st.Principal!.IsWildcard ? new[] { "*" } : st.Principal.Aws.ToArray();
                foreach (var p in principals.Distinct(StringComparer.Ordinal).OrderBy(p => p, StringComparer.Ordinal))
                {
                    var d = New("enduser/resource-policy/" + p, MappingKind.Authentication, IdentitySurface.EndUser, MappingStrategy.BuiltIn);
                    d.AwsFeature = "Lambda permission " + (st.Sid ?? "") + ": " + p + " may invoke";
                    d.AwsActions = st.Action.ToArray();
                    d.AwsResources = new[] { _f.FunctionArn };
                    d.AwsSource = rp.Source ?? _f.Source;
                    d.AzureService = "App Service authentication";
                    d.AzureFeature = "App role Function.Invoke on " + _app + "'s Entra application, assigned to the caller's workload identity";
                    d.PrincipalName = "workload identity for " + p; d.PrincipalType = "ServicePrincipal";
                    d.Settings["appRole"] = "Function.Invoke";
                    d.Reason = "An AWS principal allowed to invoke the function becomes an Entra workload identity holding the app role; App Service authentication checks the role claim.";
                    var account = p.All(char.IsDigit) ? p : Arn.Account(p);
                    if (p == "*" )
                    {
                        d.Strategy = MappingStrategy.Deviation;
                        d.Impact = "Any AWS principal may invoke the function (subject to conditions " + string.Join(", ", st.Condition.Select(c => c.Key)) + ").";
                        d.Mitigation = "Decide who the callers are; require App Service authentication and grant the app role to each, or keep the function public on purpose (authLevel anonymous) and record it.";
                        d.Findings = new[] { new Finding { FindingId = "PublicInvokePermission", Severity = FindingSeverity.High, Message = "The resource policy of " + _f.FunctionName + " lets any principal invoke it.", Recommendation = d.Mitigation, Source = d.AwsSource } };
                    }
                    else if (account.Length == 12 && fnAccount.Length == 12 && account != fnAccount)
                    {
                        d.Strategy = MappingStrategy.Deviation;
                        d.Impact = "The caller lives in AWS account " + account + ": on Azure it is another tenant's identity.";
                        d.Mitigation = "Make the function's app registration multi-tenant for that tenant's workload identity, or put API Management in front with validate-jwt for the other tenant's issuer.";
                    }
                    Emit(d);
                }
            }
        }

        private void Caller(CallerAccess c, string key, IReadOnlyList<string> cors, IReadOnlyList<string>? routes = null, IReadOnlyList<string>? scopes = null)
        {
            var d = New("enduser/" + key, MappingKind.Authentication, IdentitySurface.EndUser, MappingStrategy.BuiltIn);
            var where = routes is { Count: > 0 } ? string.Join(", ", routes) : (c.Channel + " " + (c.Route ?? "")).Trim();
            d.AwsFeature = where + ": " + c.AuthType + (c.AuthorizerName is null ? "" : " authorizer " + c.AuthorizerName) + (c.ApiKeyRequired ? " + API key" : "");
            d.AwsSource = c.Source ?? _f.Source;
            d.AzureService = "App Service authentication";
            if (cors.Count > 0) d.Settings["cors.allowedOrigins"] = string.Join(",", cors);
            void EasyAuth(string issuer, IEnumerable<string> audiences)
            {
                d.Settings["authLevel"] = "anonymous";
                d.Settings["requireAuthentication"] = "true";
                d.Settings["unauthenticatedClientAction"] = "Return401";
                d.Settings["identityProvider"] = "azureActiveDirectory";
                d.Settings["issuer"] = issuer;
                d.Settings["allowedAudiences"] = string.Join(",", audiences);
                if (scopes is { Count: > 0 }) d.Settings["requiredScopes"] = string.Join(",", scopes);
            }
            switch (c.AuthType)
            {
                case CallerAuthType.None:
                    d.AzureFeature = "HTTP trigger authLevel anonymous, no App Service authentication";
                    d.Settings["authLevel"] = "anonymous";
                    d.Settings["requireAuthentication"] = "false";
                    d.Reason = "The AWS endpoint accepts unauthenticated calls; the Azure design keeps it public so behaviour does not change.";
                    d.Findings = new[] { new Finding { FindingId = c.Channel == "FunctionUrl" ? "PublicFunctionUrl" : "PublicApiRoute", Severity = FindingSeverity.Medium, Message = where + " of " + _f.FunctionName + " accepts anonymous calls.", Recommendation = "Confirm the endpoint is meant to be public; otherwise require App Service authentication with the Entra ID provider.", Source = d.AwsSource } };
                    break;
                case CallerAuthType.AwsIam:
                    d.AzureFeature = "App Service authentication, Entra ID provider; callers need an app role assignment";
                    EasyAuth("https://login.microsoftonline.com/{tenantId}/v2.0", new[] { "api://" + _app });
                    d.Settings["appRole"] = "Function.Invoke";
                    d.Reason = "SigV4 calls authorised by IAM become Entra ID bearer tokens checked by App Service authentication; the AWS principals allowed lambda:InvokeFunction(Url) get the app role.";
                    break;
                case CallerAuthType.Cognito:
                case CallerAuthType.Jwt:
                    d.AzureFeature = "App Service authentication, Entra ID provider with the issuer and audiences carried over";
                    EasyAuth(c.Issuer ?? "{issuer}", c.Audiences);
                    d.Reason = c.AuthType == CallerAuthType.Cognito
                        ? "The Cognito user pool authorizer becomes App Service authentication; the user pool's issuer and app client ids are carried over until users move to Microsoft Entra External ID (then the issuer becomes the External ID tenant's)."
                        : "The JWT authorizer becomes App Service authentication with the same issuer and allowed audiences.";
                    if (c.Issuer is null)
                    {
                        d.Strategy = MappingStrategy.Deviation;
                        d.Impact = "The issuer could not be read from the source; authentication cannot be configured as-is.";
                        d.Mitigation = "Set the issuer (Entra tenant or the identity provider's OpenID configuration) before deploying.";
                    }
                    break;
                case CallerAuthType.Lambda:
                    d.Strategy = MappingStrategy.Deviation;
                    d.AzureFeature = "API Management policy or in-function authorization";
                    d.Settings["authLevel"] = "function";
                    d.Reason = "A Lambda authorizer is custom code that decides each call.";
                    d.Impact = "App Service authentication cannot run custom authorization code; the decision logic must move.";
                    d.Mitigation = "Put API Management in front with validate-jwt / a custom policy replicating the authorizer, or move the checks into the function (middleware), and keep authLevel function so only APIM (holding the key) reaches it.";
                    break;
                case CallerAuthType.ApiKey:
                    break;
                default:
                    d.Strategy = MappingStrategy.Deviation;
                    d.AzureFeature = "Unknown";
                    d.Reason = "The caller authentication could not be determined from the source.";
                    d.Impact = "End-user access cannot be designed; parity on it is Unverifiable.";
                    d.Mitigation = "Inspect the API's authorizer configuration and re-run with a complete inventory.";
                    break;
            }
            if (c.AuthType == CallerAuthType.ApiKey || c.ApiKeyRequired)
            {
                d.Strategy = MappingStrategy.Deviation;
                if (c.AuthType == CallerAuthType.ApiKey) d.AzureFeature = "Function keys (authLevel function) or API Management subscription keys";
                if (!d.Settings.ContainsKey("requireAuthentication")) d.Settings["authLevel"] = "function";
                d.Settings["apiKey"] = "functionKey";
                d.Reason = (d.Reason + " API keys with usage plans require a key on each call.").Trim();
                d.Impact = "Function keys carry no usage plan, quota or throttling; keys are shared secrets like API keys.";
                d.Mitigation = "Use API Management products and subscription keys for quotas and throttling, or function keys (authLevel function) stored in Key Vault.";
            }
            Emit(d);
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
                var federated = accesses.Any(p => p.IsOidcFederated);
                var principalName = (federated ? "workload identity for " : p0.PrincipalType == "User" ? "Entra user for " : "Entra group for ") + p0.PrincipalArn;
                var principalType = federated ? "ServicePrincipal" : p0.PrincipalType == "User" ? "User" : "Group";
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
                    d.PrincipalName = principalName; d.PrincipalType = principalType;
                    d.Scope = AzureNaming.AppScope(_app); d.ScopeIsPlaceholder = true;
                    d.PimEligible = emergency;
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
                        d.Settings["appRole"] = "Function.Invoke";
                    }
                    else
                    {
                        var role = _m._catalog.FindByName(group.Key)!;
                        d.RoleDefinitionName = role.RoleName; d.RoleDefinitionId = role.Id; d.RoleAssignmentType = role.System.ToString();
                        d.AzureFeature = role.RoleName + " at the function-app scope" + (emergency ? " (PIM-eligible)" : "");
                    }
                    var folded = items.Where(i => i.Rule is { Role.Length: > 0 } && !string.Equals(i.Rule.Role, group.Key, StringComparison.OrdinalIgnoreCase)).Select(i => i.Rule!.Role + " (" + i.Access.AccessLevel + ")").Distinct().ToList();
                    d.Reason = string.Join(" ", items.Select(i => i.Rule!.Reason).Distinct())
                        + (folded.Count > 0 ? " " + group.Key + " already grants everything " + string.Join(", ", folded) + " would, so one assignment is designed." : "")
                        + (emergency ? " Emergency (break-glass) access becomes a PIM-eligible assignment, activated with justification and approval, not a standing one." : "")
                        + (items.Any(i => string.Equals(i.Access.AccessLevel, "Admin", StringComparison.OrdinalIgnoreCase)) ? " Admin rights on AWS may include changing access; that part is not carried (no Owner or User Access Administrator)." : "");
                    Emit(d);
                }
                if (federated)
                {
                    var w = New("principal/" + p0.PrincipalArn + "/federation", MappingKind.Setting, IdentitySurface.Automation, MappingStrategy.BuiltIn);
                    w.AwsFeature = "OIDC-federated role " + p0.PrincipalArn;
                    w.AwsSource = p0.Source ?? _f.Source;
                    w.AzureService = "Microsoft Entra ID";
                    w.AzureFeature = "Workload identity federation (federated credential on an app registration or user-assigned identity)";
                    w.PrincipalName = principalName; w.PrincipalType = "ServicePrincipal";
                    w.Settings["federatedCredential.issuer"] = "{the CI provider's OIDC issuer from the AWS role's trust policy}";
                    w.Settings["federatedCredential.subject"] = "{the subject (repository, branch or environment) from the trust policy's sub condition}";
                    w.Settings["federatedCredential.audience"] = "api://AzureADTokenExchange";
                    w.Reason = "The CI role trusted an OIDC provider (no stored secret); Entra workload identity federation keeps the pipeline secretless.";
                    Emit(w);
                }
            }
        }

        // ---- audit ----
        private void Audit()
        {
            var a = New("audit/application-insights", MappingKind.Setting, IdentitySurface.Audit, MappingStrategy.BuiltIn);
            a.AwsFeature = "CloudWatch Logs" + (_f.TracingMode is { } tm ? " and X-Ray (" + tm + ")" : "");
            a.AzureService = "Application Insights";
            a.AzureFeature = "Application Insights for " + _app + " (APPLICATIONINSIGHTS_CONNECTION_STRING, APPLICATIONINSIGHTS_AUTHENTICATION_STRING=Authorization=AAD)";
            a.Settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "Authorization=AAD" + (_identityType == "UserAssigned" ? ";ClientId={clientId of " + _principal + "}" : "");
            a.Reason = "Function logs and traces replace CloudWatch Logs and X-Ray; with Entra authentication the identity needs Monitoring Metrics Publisher on the component.";
            Emit(a);
            var mmp = _m._catalog.FindByName("Monitoring Metrics Publisher")!;
            var r = New("audit/application-insights/Monitoring Metrics Publisher", MappingKind.RoleAssignment, IdentitySurface.Audit, MappingStrategy.BuiltIn);
            r.AwsFeature = a.AwsFeature; r.AzureService = "Application Insights"; r.AzureFeature = "Telemetry ingestion with Entra authentication";
            r.RoleDefinitionName = mmp.RoleName; r.RoleDefinitionId = mmp.Id; r.RoleAssignmentType = mmp.System.ToString();
            var entry = _m._options.ResourceMap.Resolve("application-insights");
            r.Scope = entry is { StayOnAws: false } ? entry.Azure : AzureNaming.Placeholder("application-insights");
            r.ScopeIsPlaceholder = entry is not { StayOnAws: false };
            r.Settings["scopeResourceType"] = "Microsoft.Insights/components";
            r.PrincipalName = _principal; r.PrincipalType = "ServicePrincipal"; r.IdentityType = _identityType;
            r.Reason = "Monitoring Metrics Publisher is the least-privileged role for Entra-authenticated telemetry (Microsoft.Insights/Telemetry/Write).";
            Emit(r);
            var t = New("audit/diagnostic-settings", MappingKind.Setting, IdentitySurface.Audit, MappingStrategy.BuiltIn);
            t.AwsFeature = "CloudTrail management and data events for the function";
            t.AzureService = "Azure Monitor";
            t.AzureFeature = "Activity Log (control plane) and a diagnostic setting sending FunctionAppLogs and AuditEvents of " + _app + " to a Log Analytics workspace";
            t.Settings["diagnosticSetting.categories"] = "FunctionAppLogs,AppServiceAuditLogs,AppServiceAuthenticationLogs";
            t.Reason = "CloudTrail management events become the Activity Log; data events (invocations, auth) become the app's diagnostic logs in Log Analytics.";
            Emit(t);
        }
    }

    /// <summary>A mutable draft, built once into an immutable record.</summary>
    private sealed class Draft
    {
        public string MappingId = "", FunctionName = "", FunctionArn = "", FunctionAppName = "", AwsFeature = "", AzureFeature = "", Reason = "";
        public IdentitySurface Surface; public MappingKind Kind; public MappingStrategy Strategy;
        public IReadOnlyList<string> AwsActions = Array.Empty<string>(), AwsResources = Array.Empty<string>(), AwsGrants = Array.Empty<string>(), RequiredActions = Array.Empty<string>(), RequiredDataActions = Array.Empty<string>();
        public SourceLocation? AwsSource;
        public string? AzureService, RoleDefinitionName, RoleDefinitionId, Scope, PrincipalName, PrincipalType, IdentityType, Impact, Mitigation, RoleAssignmentType, RuleId;
        public bool ScopeIsPlaceholder, PimEligible;
        public SortedDictionary<string, string> Settings = new(StringComparer.Ordinal);
        public IReadOnlyList<Finding> Findings = Array.Empty<Finding>();

        public AzRoleMapping Build() => new()
        {
            MappingId = MappingId, FunctionName = FunctionName, FunctionArn = FunctionArn, FunctionAppName = FunctionAppName,
            Surface = Surface, Kind = Kind, Strategy = Strategy, AwsFeature = AwsFeature, AwsActions = AwsActions, AwsResources = AwsResources,
            AwsSource = AwsSource, AzureFeature = AzureFeature, AzureService = AzureService, RoleDefinitionName = RoleDefinitionName,
            RoleDefinitionId = RoleDefinitionId, Scope = Scope, ScopeIsPlaceholder = ScopeIsPlaceholder, PrincipalName = PrincipalName,
            PrincipalType = PrincipalType, IdentityType = IdentityType, Settings = new Dictionary<string, string>(Settings, StringComparer.Ordinal), Reason = Reason,
            Impact = Impact, Mitigation = Mitigation, PimEligible = PimEligible, AwsGrants = AwsGrants, RoleAssignmentType = RoleAssignmentType,
            RequiredActions = RequiredActions, RequiredDataActions = RequiredDataActions, RuleId = RuleId, Findings = Findings,
        };
    }
}

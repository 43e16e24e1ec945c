using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Translation;

/// <summary>Builds the skeleton resource map of an inventory: every AWS resource that needs an Azure scope, to fill.</summary>
public static class ResourceMapSkeleton
{
    /// <summary>
    /// One entry per resource (normalised by the rules: a bucket for its objects, a table for its indexes) that a
    /// role-producing grant or a trigger uses, plus function-app:&lt;name&gt; per function (a site, or a resource group for the conventional app name), host-storage and application-insights; existing entries keep their values.
    /// </summary>
    public static ResourceMap Build(IReadOnlyList<LambdaFunctionIdentity> functions, IGrantDeriver deriver, MappingRuleSet? rules, EngineContext context, ResourceMap? existing = null)
    {
        rules ??= RuleSetLoader.Default;
        var found = new SortedDictionary<string, (string? Type, SortedSet<string> UsedBy)>(StringComparer.Ordinal);
        void Add(string arn, string? type, string fn)
        {
            if (!found.TryGetValue(arn, out var v)) found[arn] = v = (type, new SortedSet<string>(StringComparer.Ordinal));
            v.UsedBy.Add(fn);
        }
        foreach (var f in functions)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (f.ExecutionRole is { } role)
            {
                IReadOnlyList<EffectiveGrant> grants;
                try { grants = deriver.Derive(role, context); }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    context.Error("GrantDerivationFailed", EngineErrorCategory.InvalidData, role.RoleArn, "could not derive the grants of " + role.RoleArn + ": " + ex.Message, role.Source, ex);
                    continue;
                }
                foreach (var g in grants)
                {
                    var rule = rules.Match(g);
                    if (rule is null || rule.Outcome != RuleOutcome.Role) continue;
                    if (rule.ScopeKey is { } key) { Add(key, rule.AzureResourceType, f.FunctionName); continue; }
                    foreach (var r in g.Resources.Count == 0 ? new[] { "*" } : g.Resources)
                    {
                        var n = rules.Normalize(r, g.Service);
                        if (n != "*") Add(n, rule.AzureResourceType, f.FunctionName);
                    }
                }
            }
            foreach (var e in f.EventSources.Where(e => e.SourceArn is { Length: > 0 }))
            {
                var t = rules.MatchTrigger(e.Type);
                if (t is not { Outcome: RuleOutcome.Role }) continue;
                Add(rules.Normalize(e.SourceArn!), t.AzureResourceType, f.FunctionName);
                // The lease container the trigger writes (left empty: the default one in the watched container's database).
                if (t.LeaseRoles.Count > 0) Add(ResourceMap.CosmosLeasePrefix + rules.Normalize(e.SourceArn!), t.AzureResourceType, f.FunctionName);
            }
            Add(ResourceMap.FunctionAppPrefix + f.FunctionName, "Microsoft.Web/sites", f.FunctionName);
            foreach (var p in f.Principals.Where(p => p.PrincipalArn.Length > 0))
                Add(ResourceMap.PrincipalPrefix + p.PrincipalArn, "Microsoft Entra object ID (" + (p.IsOidcFederated ? "service principal" : p.PrincipalType == "User" ? "user" : "group") + ")", f.FunctionName);
            Add(ResourceMap.HostStorageKey, "Microsoft.Storage/storageAccounts", f.FunctionName);
            Add("application-insights", "Microsoft.Insights/components", f.FunctionName);
            Add(ResourceMap.LogAnalyticsKey, "Microsoft.OperationalInsights/workspaces", f.FunctionName);
        }
        var keep = new Dictionary<string, ResourceMapEntry>(StringComparer.Ordinal);
        foreach (var e in existing?.Entries ?? Array.Empty<ResourceMapEntry>()) keep[e.Aws] = e;
        var entries = found.Select(kv => keep.TryGetValue(kv.Key, out var old)
            ? new ResourceMapEntry { Aws = kv.Key, Azure = old.Azure, StayOnAws = old.StayOnAws, AzureResourceType = kv.Value.Type, UsedBy = kv.Value.UsedBy.ToList() }
            : new ResourceMapEntry { Aws = kv.Key, Azure = "", AzureResourceType = kv.Value.Type, UsedBy = kv.Value.UsedBy.ToList() }).ToList();
        // A filled entry the current inventory does not name (another stack, a pattern, a function read elsewhere) is
        // someone's work: it is kept as it was. Only unfilled skeleton entries that nothing uses any more drop out.
        var kept = 0;
        foreach (var e in existing?.Entries ?? Array.Empty<ResourceMapEntry>())
        {
            if (found.ContainsKey(e.Aws) || (string.IsNullOrEmpty(e.Azure) && !e.StayOnAws)) continue;
            entries.Add(e);
            kept++;
        }
        if (kept > 0) context.Verbose(kept + " filled resource map entries not used by this inventory were kept as they were.");
        return new ResourceMap(entries);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Policy;

/// <summary>
/// Derives a role's effective grants: every concrete action its identity policies allow (wildcards and NotAction
/// expanded through the action catalog), with the resources and conditions, after its explicit denies and within its
/// permissions boundary. AWS managed policies referenced only by ARN are resolved from the managed-policy catalog; one
/// that cannot be resolved is reported (ManagedPolicyUnresolved) and the grants are marked incomplete.
/// </summary>
public sealed class GrantDeriver : IGrantDeriver
{
    private static readonly Lazy<GrantDeriver> _default = new(() => new GrantDeriver(ActionCatalog.Default, ManagedPolicyCatalog.Default));
    private static readonly IReadOnlyList<string> Star = new[] { "*" };
    private readonly ActionCatalog _actions;
    private readonly ManagedPolicyCatalog? _managed;

    /// <summary>Creates a deriver over the given catalogs (managed may be null: nothing resolves).</summary>
    public GrantDeriver(ActionCatalog actions, ManagedPolicyCatalog? managed)
    {
        _actions = actions ?? throw new ArgumentNullException(nameof(actions));
        _managed = managed;
    }

    /// <summary>The deriver over the embedded catalogs.</summary>
    public static GrantDeriver Default => _default.Value;

    /// <summary>The action catalog in use.</summary>
    public ActionCatalog Actions => _actions;

    /// <summary>Resolves an AWS managed policy given only by ARN; returns the document unchanged when it has content or cannot be resolved.</summary>
    public PolicyDocument ResolveManaged(PolicyDocument d)
    {
        if ((d.IsUnresolved || d.Statement.Count == 0) && ManagedPolicyCatalog.IsAwsManaged(d.PolicyArn) && _managed?.Resolve(d.PolicyArn!) is { } resolved)
            return new PolicyDocument { PolicyName = d.PolicyName.Length > 0 ? d.PolicyName : resolved.PolicyName, PolicyArn = d.PolicyArn, Kind = d.Kind, Version = resolved.Version, Id = resolved.Id, Statement = resolved.Statement, Source = resolved.Source };
        return d;
    }

    /// <inheritdoc />
    public IReadOnlyList<EffectiveGrant> Derive(ExecutionRole role, EngineContext context)
    {
        var incomplete = false;
        var identity = new List<PolicyDocument>();
        foreach (var raw in role.Policies)
        {
            if (raw.Kind != PolicyKind.Inline && raw.Kind != PolicyKind.Managed) continue;
            var d = ResolveManaged(raw);
            if (d.IsUnresolved) { incomplete = true; ReportUnresolved(role, d, context); }
            identity.Add(d);
        }
        PolicyDocument? boundary = null;
        if (role.PermissionsBoundary is { } b)
        {
            boundary = ResolveManaged(b);
            if (boundary.IsUnresolved) { incomplete = true; ReportUnresolved(role, boundary, context); boundary = null; }
        }
        context.CancellationToken.ThrowIfCancellationRequested();
        return Derive(identity, boundary, incomplete, context);
    }

    private static void ReportUnresolved(ExecutionRole role, PolicyDocument d, EngineContext context)
        => context.Error(ManagedPolicyCatalog.IsAwsManaged(d.PolicyArn) ? "ManagedPolicyUnresolved" : "PolicyDocumentUnresolved", EngineErrorCategory.ObjectNotFound,
            d.PolicyArn ?? d.PolicyName,
            $"Policy '{d.PolicyArn ?? d.PolicyName}' of role '{role.RoleArn}' could not be read; the role's grants are incomplete.", d.Source ?? role.Source);

    private sealed class Part
    {
        public IReadOnlyList<string> Resources = Star;
        public IReadOnlyList<string> NotResources = Array.Empty<string>();
        public IReadOnlyList<PolicyCondition> Conditions = Array.Empty<PolicyCondition>();
        public string ConditionKey = "";
        public string Ref = "";
    }

    private sealed class Draft
    {
        public CatalogAction? Action;
        public string ActionName = "";
        public string Key = "";
        public List<string> Resources = new();
        public IReadOnlyList<string> Excluded = Array.Empty<string>();
        public IReadOnlyList<PolicyCondition> Conditions = Array.Empty<PolicyCondition>();
        public List<string> GrantedBy = new();
        public List<string>? DeniedBy;
        public bool FromWildcard;
        public bool ConditionallyDenied;
    }

    /// <summary>Derives grants from identity policies and an optional boundary (both already resolved).</summary>
    public IReadOnlyList<EffectiveGrant> Derive(IReadOnlyList<PolicyDocument> identity, PolicyDocument? boundary, bool incomplete, EngineContext context)
    {
        // 1. Allows, per concrete action, merged per (condition set, NotResource set).
        var drafts = new Dictionary<string, List<Draft>>(StringComparer.OrdinalIgnoreCase);
        foreach (var d in identity)
        {
            for (var i = 0; i < d.Statement.Count; i++)
            {
                var s = d.Statement[i];
                if (s.Effect != "Allow") continue;
                var part = new Part
                {
                    Resources = s.Resource.Count > 0 ? s.Resource : Star,
                    NotResources = s.NotResource,
                    Conditions = s.Condition,
                    ConditionKey = ConditionSignature(s.Condition) + "|" + string.Join(",", s.NotResource),
                    Ref = StatementMatcher.Ref(d, s, i),
                };
                foreach (var (name, action, wildcard) in Concrete(s, d, i, context)) Add(drafts, name, action, part, wildcard);
            }
        }
        // 2. Explicit denies of the identity policies and the boundary.
        var denies = identity.Concat(boundary is null ? Array.Empty<PolicyDocument>() : new[] { boundary })
            .SelectMany(d => d.Statement.Select((s, i) => (d, s, i))).Where(x => x.s.Effect == "Deny").ToList();
        foreach (var (d, s, i) in denies)
        {
            var denyRef = StatementMatcher.Ref(d, s, i);
            foreach (var key in drafts.Keys.ToList())
            {
                if (!StatementMatcher.MatchesAction(s, key)) continue;
                var list = drafts[key];
                foreach (var g in list.ToList())
                {
                    if (s.Condition.Count > 0) { g.ConditionallyDenied = true; (g.DeniedBy ??= new()).Add(denyRef); continue; }
                    if (ApplyDeny(g, s)) (g.DeniedBy ??= new()).Add(denyRef);
                    if (g.Resources.Count == 0) list.Remove(g);
                }
                if (list.Count == 0) drafts.Remove(key);
            }
        }
        // 3. The boundary: an action survives only where the boundary allows it too.
        if (boundary is not null)
        {
            var allows = boundary.Statement.Select((s, i) => (s, i)).Where(x => x.s.Effect == "Allow").ToList();
            foreach (var key in drafts.Keys.ToList())
            {
                var parts = allows.Where(x => StatementMatcher.MatchesAction(x.s, key)).ToList();
                if (parts.Count == 0) { drafts.Remove(key); continue; }
                var list = drafts[key];
                foreach (var g in list.ToList())
                {
                    var unconditional = parts.Where(x => x.s.Condition.Count == 0).ToList();
                    var use = unconditional.Count > 0 ? unconditional : parts.Take(1).ToList();
                    var kept = new List<string>();
                    foreach (var (s, _) in use) kept.AddRange(Intersect(g.Resources, s));
                    g.Resources = kept.Distinct(StringComparer.Ordinal).ToList();
                    if (unconditional.Count == 0) g.Conditions = g.Conditions.Concat(use[0].s.Condition).ToList();
                    foreach (var (s, i) in use) g.GrantedBy.Add(StatementMatcher.Ref(boundary, s, i));
                    if (g.Resources.Count == 0) list.Remove(g);
                }
                if (list.Count == 0) drafts.Remove(key);
            }
        }
        // 4. Records, in action order.
        var result = new List<EffectiveGrant>(drafts.Count);
        foreach (var kv in drafts.OrderBy(k => k.Value[0].ActionName, StringComparer.OrdinalIgnoreCase))
        {
            foreach (var g in kv.Value)
            {
                var name = g.ActionName;
                var colon = name.IndexOf(':');
                result.Add(new EffectiveGrant
                {
                    Service = colon > 0 ? name.Substring(0, colon) : name,
                    Action = name,
                    AccessLevel = g.Action?.AccessLevel ?? AccessLevel.Unknown,
                    Resources = g.Resources.Count == 1 && g.Resources[0] == "*" ? Star : g.Resources.ToArray(),
                    ExcludedResources = g.Excluded,
                    Conditions = g.Conditions,
                    IsConditionallyDenied = g.ConditionallyDenied,
                    GrantedBy = g.GrantedBy.ToArray(),
                    DeniedBy = g.DeniedBy?.ToArray() ?? Array.Empty<string>(),
                    FromWildcard = g.FromWildcard,
                    IsIncomplete = incomplete,
                });
            }
        }
        return result;
    }

    private IEnumerable<(string Name, CatalogAction? Action, bool Wildcard)> Concrete(PolicyStatement s, PolicyDocument d, int index, EngineContext context)
    {
        if (s.NotAction.Count > 0)
        {
            foreach (var a in _actions.ExpandNot(s.NotAction)) yield return (a.FullName, a, true);
            yield break;
        }
        foreach (var p in s.Action)
        {
            if (!Wildcard.HasWildcard(p))
            {
                // An action the catalog does not know is kept (access level Unknown), never dropped.
                var a = _actions.Find(p);
                if (a is null) context.Verbose($"{StatementMatcher.Ref(d, s, index)}: action '{p}' is not in the IAM action catalog; kept with access level Unknown.");
                yield return (a?.FullName ?? p, a, false);
                continue;
            }
            var expanded = _actions.Expand(p);
            if (expanded.Count == 0) context.Warning($"{StatementMatcher.Ref(d, s, index)}: action pattern '{p}' matches no action in the IAM action catalog.");
            foreach (var a in expanded) yield return (a.FullName, a, true);
        }
    }

    private static void Add(Dictionary<string, List<Draft>> drafts, string name, CatalogAction? action, Part part, bool fromWildcard)
    {
        if (!drafts.TryGetValue(name, out var list)) drafts[name] = list = new List<Draft>(1);
        foreach (var g in list)
        {
            if (g.Key != part.ConditionKey) continue;
            if (!g.GrantedBy.Contains(part.Ref)) g.GrantedBy.Add(part.Ref);
            g.FromWildcard &= fromWildcard;
            if (g.Resources.Count == 1 && g.Resources[0] == "*") return;
            if (part.Resources.Count == 1 && part.Resources[0] == "*") { g.Resources = new List<string>(Star); return; }
            foreach (var r in part.Resources) if (!g.Resources.Contains(r)) g.Resources.Add(r);
            return;
        }
        list.Add(new Draft
        {
            Action = action, ActionName = name, Key = part.ConditionKey, Resources = new List<string>(part.Resources), Excluded = part.NotResources,
            Conditions = part.Conditions, GrantedBy = new List<string> { part.Ref }, FromWildcard = fromWildcard,
        });
    }

    // Removes what an unconditional deny covers; returns true when the deny narrowed the grant.
    private static bool ApplyDeny(Draft g, PolicyStatement deny)
    {
        if (deny.Resource.Count == 0 && deny.NotResource.Count == 0) { g.Resources.Clear(); return true; }
        if (deny.Resource.Count > 0)
        {
            var before = g.Resources.Count;
            g.Resources.RemoveAll(r => deny.Resource.Any(d => Wildcard.CoversResource(d, r)));
            var narrower = deny.Resource.Where(d => g.Resources.Any(r => Wildcard.CoversResource(r, d) || Overlaps(r, d))).ToList();
            if (narrower.Count > 0) g.Excluded = g.Excluded.Concat(narrower).Distinct(StringComparer.Ordinal).ToList();
            return g.Resources.Count != before || narrower.Count > 0;
        }
        // Deny with NotResource: everything except those resources is denied; what is left is the intersection.
        var kept = new List<string>();
        foreach (var r in g.Resources)
        {
            if (deny.NotResource.Any(n => Wildcard.CoversResource(n, r))) kept.Add(r);
            else kept.AddRange(deny.NotResource.Where(n => Wildcard.CoversResource(r, n)));
        }
        var changed = kept.Count != g.Resources.Count || kept.Except(g.Resources).Any();
        g.Resources = kept.Distinct(StringComparer.Ordinal).ToList();
        return changed;
    }

    // Two patterns may match a common resource (conservative: a shared literal prefix before the first wildcard).
    private static bool Overlaps(string a, string b)
    {
        var n = Math.Min(Prefix(a), Prefix(b));
        return string.CompareOrdinal(a, 0, b, 0, n) == 0 && (Prefix(a) < a.Length || Prefix(b) < b.Length);
    }

    private static int Prefix(string p)
    {
        var i = p.IndexOfAny(new[] { '*', '?' });
        return i < 0 ? p.Length : i;
    }

    // The grant's resources that lie inside the boundary statement's Resource (or outside its NotResource).
    private static IEnumerable<string> Intersect(IReadOnlyList<string> grant, PolicyStatement boundary)
    {
        if (boundary.Resource.Count == 0 && boundary.NotResource.Count == 0) return grant;
        if (boundary.NotResource.Count > 0)
            return grant.Where(r => !boundary.NotResource.Any(n => Wildcard.CoversResource(n, r)));
        var kept = new List<string>();
        foreach (var r in grant)
        {
            if (boundary.Resource.Any(b => Wildcard.CoversResource(b, r))) kept.Add(r);
            else kept.AddRange(boundary.Resource.Where(b => Wildcard.CoversResource(r, b)));
        }
        return kept;
    }

    private static string ConditionSignature(IReadOnlyList<PolicyCondition> conditions)
    {
        if (conditions.Count == 0) return "";
        var sb = new StringBuilder();
        foreach (var c in conditions.OrderBy(c => c.Operator, StringComparer.Ordinal).ThenBy(c => c.Key, StringComparer.Ordinal))
            sb.Append(c.Operator).Append('\u0001').Append(c.Key).Append('\u0001').Append(string.Join("\u0002", c.Values)).Append('\u0003');
        return sb.ToString();
    }
}

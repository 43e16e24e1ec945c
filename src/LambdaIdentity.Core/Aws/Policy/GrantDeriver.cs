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
public sealed partial class GrantDeriver : IGrantDeriver
{
    private static readonly Lazy<GrantDeriver> _default = new(() => new GrantDeriver(ActionCatalog.Default, AwsManagedPolicyCatalog.Default));
    private static readonly IReadOnlyList<string> Star = new[] { "*" };
    private readonly ActionCatalog _actions;
    private readonly AwsManagedPolicyCatalog? _managed;

    /// <summary>Creates a deriver over the given catalogs (managed may be null: nothing resolves).</summary>
    public GrantDeriver(ActionCatalog actions, AwsManagedPolicyCatalog? managed)
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
        if (!(d.IsUnresolved || d.Statement.Count == 0) || !AwsManagedPolicyCatalog.IsAwsManaged(d.PolicyArn) || _managed is null) return d;
        // One resolved document per placeholder, so roles attaching the same placeholder share derived results.
        return _resolved.GetValue(d, Resolve);
    }

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<PolicyDocument, PolicyDocument> _resolved = new();

    private PolicyDocument Resolve(PolicyDocument d)
    {
        if (_managed?.Resolve(d.PolicyArn!) is { } resolved)
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
        if (identity.Count == 0) return Array.Empty<EffectiveGrant>();
        // Roles that carry the very same documents (an AWS managed policy resolved once, a customer policy read once) share
        // one immutable result; the memo is keyed weakly on the documents, so it never keeps them alive.
        var memos = _memo.GetValue(identity[0], _ => new List<Memo>());
        lock (memos)
            foreach (var m in memos)
                if (m.Boundary == boundary && m.Incomplete == incomplete && m.Docs.Length == identity.Count && m.Docs.Zip(identity, (a, b) => a == b).All(x => x))
                    return m.Result;
        var result = Derive(identity, boundary, incomplete, context);
        lock (memos) memos.Add(new Memo(identity.ToArray(), boundary, incomplete, result));
        return result;
    }

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<PolicyDocument, List<Memo>> _memo = new();

    private sealed class Memo
    {
        public Memo(PolicyDocument[] docs, PolicyDocument? boundary, bool incomplete, IReadOnlyList<EffectiveGrant> result) { Docs = docs; Boundary = boundary; Incomplete = incomplete; Result = result; }
        public PolicyDocument[] Docs { get; }
        public PolicyDocument? Boundary { get; }
        public bool Incomplete { get; }
        public IReadOnlyList<EffectiveGrant> Result { get; }
    }

    private static void ReportUnresolved(ExecutionRole role, PolicyDocument d, EngineContext context)
        => context.Error(AwsManagedPolicyCatalog.IsAwsManaged(d.PolicyArn) ? "ManagedPolicyUnresolved" : "PolicyDocumentUnresolved", EngineErrorCategory.ObjectNotFound,
            d.PolicyArn ?? d.PolicyName,
            $"Policy '{d.PolicyArn ?? d.PolicyName}' of role '{role.RoleArn}' could not be read; the role's grants are incomplete.", d.Source ?? role.Source);

    private sealed class Part
    {
        public IReadOnlyList<string> Resources = Star;
        public IReadOnlyList<string> NotResources = Array.Empty<string>();
        public IReadOnlyList<PolicyCondition> Conditions = Array.Empty<PolicyCondition>();
        public string Key = "";
        public string[] Ref = Array.Empty<string>();
    }

    // One grant in the making. Lists are shared with the statement until a merge or deny changes them (copy on write).
    private sealed class Draft
    {
        public CatalogAction? Action;
        public string Name = "";
        public string Key = "";
        public IReadOnlyList<string> Resources = Star;
        public bool ResourcesOwned;
        public IReadOnlyList<string> Excluded = Array.Empty<string>();
        public IReadOnlyList<PolicyCondition> Conditions = Array.Empty<PolicyCondition>();
        public IReadOnlyList<string> GrantedBy = Array.Empty<string>();
        public bool GrantedByOwned;
        public List<string>? DeniedBy;
        public bool FromWildcard, ConditionallyDenied, Removed;
        public int Stamp = -1;
        public int BoundaryHits; // an interned sequence of boundary statement indexes; 0: none
        public Draft? Next;

        public List<string> OwnResources()
        {
            if (!ResourcesOwned) { Resources = new List<string>(Resources); ResourcesOwned = true; }
            return (List<string>)Resources;
        }

        public void AddGrantedBy(string r)
        {
            if (GrantedBy.Contains(r)) return;
            if (!GrantedByOwned) { GrantedBy = new List<string>(GrantedBy); GrantedByOwned = true; }
            ((List<string>)GrantedBy).Add(r);
        }
    }

    private sealed class Drafts
    {
        public Dictionary<CatalogAction, Draft> Known = new();

        public void Reserve(int count)
        {
            if (Known.Count == 0 && count > 16) Known = new Dictionary<CatalogAction, Draft>(count);
        }
        public readonly Dictionary<string, Draft> Unknown = new(StringComparer.OrdinalIgnoreCase);
        public readonly List<Draft> All = new();

        public Func<string, bool>? Skip;

        public void Add(string name, CatalogAction? action, Part part, bool fromWildcard)
        {
            if (Skip is not null && Skip(name)) return;
            Draft? head;
            if (action is not null) Known.TryGetValue(action, out head); else Unknown.TryGetValue(name, out head);
            for (var g = head; g is not null; g = g.Next)
            {
                if (g.Key != part.Key) continue;
                g.AddGrantedBy(part.Ref[0]);
                g.FromWildcard &= fromWildcard;
                if (g.Resources.Count == 1 && g.Resources[0] == "*") return;
                if (part.Resources.Count == 1 && part.Resources[0] == "*") { g.Resources = Star; g.ResourcesOwned = false; return; }
                foreach (var r in part.Resources) if (!g.Resources.Contains(r)) g.OwnResources().Add(r);
                return;
            }
            var d = new Draft
            {
                Action = action, Name = name, Key = part.Key, Resources = part.Resources, Excluded = part.NotResources,
                Conditions = part.Conditions, GrantedBy = part.Ref, FromWildcard = fromWildcard, Next = head,
            };
            if (action is not null) Known[action] = d; else Unknown[name] = d;
            All.Add(d);
        }

        // The live drafts whose action the statement's Action/NotAction covers, each once per stamp.
        public IEnumerable<Draft> Matching(PolicyStatement s, ActionCatalog catalog, int stamp)
        {
            if (s.Action.Count > 0 && Known.Count > 0)
            {
                foreach (var p in s.Action)
                    foreach (var a in Wildcard.HasWildcard(p) ? catalog.Expand(p) : catalog.Find(p) is { } one ? new[] { one } : Array.Empty<CatalogAction>())
                        if (Known.TryGetValue(a, out var head))
                            for (var g = head; g is not null; g = g.Next)
                                if (!g.Removed && g.Stamp != stamp) { g.Stamp = stamp; yield return g; }
                foreach (var g in Unknown.Values)
                    for (var x = g; x is not null; x = x.Next)
                        if (!x.Removed && x.Stamp != stamp && StatementMatcher.MatchesAction(s, x.Name)) { x.Stamp = stamp; yield return x; }
                yield break;
            }
            foreach (var g in All)
                if (!g.Removed && g.Stamp != stamp && StatementMatcher.MatchesAction(s, g.Name)) { g.Stamp = stamp; yield return g; }
        }
    }

    /// <summary>Derives grants from identity policies and an optional boundary (both already resolved).</summary>
    public IReadOnlyList<EffectiveGrant> Derive(IReadOnlyList<PolicyDocument> identity, PolicyDocument? boundary, bool incomplete, EngineContext context)
    {
        // Unconditional denies on every resource remove their actions outright: those actions are never drafted.
        var absolute = (boundary is null ? identity : identity.Concat(new[] { boundary }))
            .SelectMany(d => d.Statement).Where(s => s.Effect == "Deny" && s.Condition.Count == 0 && s.NotResource.Count == 0 && (s.Resource.Count == 0 || s.Resource.Contains("*"))).ToList();
        bool Denied(string action)
        {
            foreach (var s in absolute) if (StatementMatcher.MatchesAction(s, action)) return true;
            return false;
        }
        if (boundary is null && IsSimple(identity, absolute))
        {
            // A deny of Action "*" matches every action name: nothing is drafted (the diagnostics are still given).
            var skipAll = absolute.Exists(s => s.Action.Contains("*"));
            return DeriveSimple(identity, incomplete, context, skipAll ? _ => true : absolute.Count > 0 ? Denied : null, skipAll);
        }
        // 1. Allows, per concrete action, merged per (condition set, NotResource set).
        var drafts = new Drafts { Skip = absolute.Count > 0 ? Denied : null };
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
                    Key = s.Condition.Count == 0 && s.NotResource.Count == 0 ? "" : ConditionSignature(s.Condition) + "|" + string.Join(",", s.NotResource),
                    Ref = new[] { StatementMatcher.Ref(d, s, i) },
                };
                if (s.NotAction.Count > 0)
                {
                    foreach (var a in _actions.ExpandNot(s.NotAction)) drafts.Add(a.FullName, a, part, true);
                    continue;
                }
                var looked = s.Action is ActionNames names && names.Catalog == _actions ? names.Indices : null;
                for (var k = 0; k < s.Action.Count; k++)
                {
                    var p = s.Action[k];
                    if (looked is not null ? looked[k] != ActionNames.Pattern : !Wildcard.HasWildcard(p))
                    {
                        // An action the catalog does not know is kept (access level Unknown), never dropped.
                        var a = looked is not null ? (looked[k] >= 0 ? _actions.Actions[looked[k]] : null) : _actions.Find(p);
                        if (a is null) context.Verbose($"{part.Ref[0]}: action '{p}' is not in the IAM action catalog; kept with access level Unknown.");
                        drafts.Add(a?.FullName ?? p, a, part, false);
                        continue;
                    }
                    var expanded = _actions.Expand(p);
                    if (expanded.Count == 0) context.Warning($"{part.Ref[0]}: action pattern '{p}' matches no action in the IAM action catalog.");
                    drafts.Reserve(expanded.Count);
                    for (var e = 0; e < expanded.Count; e++) drafts.Add(expanded[e].FullName, expanded[e], part, true);
                }
            }
        }
        // 2. Explicit denies of the identity policies and the boundary.
        var stamp = 0;
        foreach (var d in boundary is null ? identity : identity.Concat(new[] { boundary }))
        {
            for (var i = 0; i < d.Statement.Count; i++)
            {
                var s = d.Statement[i];
                if (s.Effect != "Deny" || absolute.Contains(s)) continue;
                var denyRef = StatementMatcher.Ref(d, s, i);
                foreach (var g in drafts.Matching(s, _actions, stamp++).ToList())
                {
                    if (s.Condition.Count > 0) { g.ConditionallyDenied = true; (g.DeniedBy ??= new()).Add(denyRef); continue; }
                    if (ApplyDeny(g, s)) (g.DeniedBy ??= new()).Add(denyRef);
                    if (g.Resources.Count == 0) g.Removed = true;
                }
            }
        }
        // 3. The boundary: an action survives only where the boundary allows it too.
        if (boundary is not null)
        {
            // The statements that allow each draft, interned: drafts allowed by the same statements share one sequence.
            var hits = new List<int[]> { Array.Empty<int>() };
            var hitNext = new Dictionary<(int, int), int>();
            for (var i = 0; i < boundary.Statement.Count; i++)
            {
                var s = boundary.Statement[i];
                if (s.Effect != "Allow") continue;
                foreach (var g in drafts.Matching(s, _actions, stamp++))
                {
                    if (!hitNext.TryGetValue((g.BoundaryHits, i), out var next))
                    {
                        var seq = hits[g.BoundaryHits];
                        var longer = new int[seq.Length + 1];
                        seq.CopyTo(longer, 0); longer[seq.Length] = i;
                        hits.Add(longer);
                        hitNext[(g.BoundaryHits, i)] = next = hits.Count - 1;
                    }
                    g.BoundaryHits = next;
                }
            }
            // What the boundary leaves of a draft depends only on its statements and its lists (shared until changed):
            // computed once per distinct (statements, resources, conditions, granted-by), the results shared.
            var within = new Dictionary<(int, IReadOnlyList<string>, IReadOnlyList<PolicyCondition>, IReadOnlyList<string>), (IReadOnlyList<string> Resources, IReadOnlyList<PolicyCondition> Conditions, IReadOnlyList<string> GrantedBy)>();
            foreach (var g in drafts.All)
            {
                if (g.Removed) continue;
                if (g.BoundaryHits == 0) { g.Removed = true; continue; }
                var key = (g.BoundaryHits, g.Resources, g.Conditions, g.GrantedBy);
                if (!within.TryGetValue(key, out var w))
                {
                    var parts = hits[g.BoundaryHits].Select(i => (s: boundary.Statement[i], i)).ToList();
                    var unconditional = parts.Where(x => x.s.Condition.Count == 0).ToList();
                    var use = unconditional.Count > 0 ? unconditional : parts.Take(1).ToList();
                    var kept = new List<string>();
                    foreach (var (s, _) in use) kept.AddRange(Intersect(g.Resources, s));
                    w.Resources = kept.Distinct(StringComparer.Ordinal).ToList();
                    w.Conditions = unconditional.Count == 0 ? g.Conditions.Concat(use[0].s.Condition).ToList() : g.Conditions;
                    var by = g.GrantedBy;
                    foreach (var (s, i) in use)
                    {
                        var r = StatementMatcher.Ref(boundary, s, i);
                        if (!by.Contains(r)) by = new List<string>(by) { r };
                    }
                    w.GrantedBy = by;
                    within[key] = w;
                }
                g.Resources = w.Resources; g.ResourcesOwned = false;
                g.Conditions = w.Conditions;
                g.GrantedBy = w.GrantedBy; g.GrantedByOwned = false;
                if (g.Resources.Count == 0) g.Removed = true;
            }
        }
        // 4. Records, in catalog order (unknown actions last, by name).
        var live = new List<Draft>(drafts.All.Count);
        var sorted = true;
        foreach (var g in drafts.All)
        {
            if (g.Removed) continue;
            if (live.Count > 0 && Order(live[live.Count - 1], g) > 0) sorted = false;
            live.Add(g);
        }
        if (!sorted) live.Sort(Order);
        var result = new EffectiveGrant[live.Count];
        // Drafts holding the very same lists (those one statement drafted and nothing changed since) share one terms object.
        var shared = new Dictionary<TermsKey, GrantTerms>();
        for (var k = 0; k < live.Count; k++)
        {
            var g = live[k];
            var key = new TermsKey(g.Resources, g.Excluded, g.Conditions, g.GrantedBy, g.DeniedBy, g.ConditionallyDenied, g.FromWildcard);
            if (!shared.TryGetValue(key, out var terms))
                shared[key] = terms = new GrantTerms
                {
                    Resources = g.Resources,
                    ExcludedResources = g.Excluded,
                    Conditions = g.Conditions,
                    IsConditionallyDenied = g.ConditionallyDenied,
                    GrantedBy = g.GrantedBy,
                    DeniedBy = (IReadOnlyList<string>?)g.DeniedBy ?? Array.Empty<string>(),
                    FromWildcard = g.FromWildcard,
                    IsIncomplete = incomplete,
                };
            result[k] = new EffectiveGrant(ActionOf(g.Action, g.Name), terms);
        }
        return result;
    }

    // The terms of a draft by the identity of its lists (equal lists held apart are not merged: they may be changed apart).
    private readonly struct TermsKey : IEquatable<TermsKey>
    {
        private readonly object _resources, _excluded, _conditions, _grantedBy;
        private readonly object? _deniedBy;
        private readonly bool _conditionallyDenied, _fromWildcard;

        public TermsKey(object resources, object excluded, object conditions, object grantedBy, object? deniedBy, bool conditionallyDenied, bool fromWildcard)
        {
            _resources = resources; _excluded = excluded; _conditions = conditions; _grantedBy = grantedBy; _deniedBy = deniedBy;
            _conditionallyDenied = conditionallyDenied; _fromWildcard = fromWildcard;
        }

        public bool Equals(TermsKey o) => ReferenceEquals(_resources, o._resources) && ReferenceEquals(_excluded, o._excluded) && ReferenceEquals(_conditions, o._conditions)
            && ReferenceEquals(_grantedBy, o._grantedBy) && ReferenceEquals(_deniedBy, o._deniedBy) && _conditionallyDenied == o._conditionallyDenied && _fromWildcard == o._fromWildcard;

        public override bool Equals(object? obj) => obj is TermsKey k && Equals(k);

        public override int GetHashCode()
        {
            static int H(object? o) => o is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(o);
            var h = H(_resources);
            h = h * 31 + H(_excluded); h = h * 31 + H(_conditions); h = h * 31 + H(_grantedBy); h = h * 31 + H(_deniedBy);
            return h * 4 + (_conditionallyDenied ? 2 : 0) + (_fromWildcard ? 1 : 0);
        }
    }

    // An action the catalog does not know keeps its name, with access level Unknown.
    private static GrantAction ActionOf(CatalogAction? a, string name) => a?.Grant ?? new GrantAction(ServiceOf(name), name, AccessLevel.Unknown);

    private static int Order(Draft a, Draft b)
    {
        var c = (a.Action?.Index ?? int.MaxValue).CompareTo(b.Action?.Index ?? int.MaxValue);
        return c != 0 ? c : string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase);
    }

    private static string ServiceOf(string action)
    {
        var colon = action.IndexOf(':');
        return colon > 0 ? action.Substring(0, colon) : action;
    }

    // Removes what an unconditional deny covers; returns true when the deny narrowed the grant.
    private static bool ApplyDeny(Draft g, PolicyStatement deny)
    {
        if ((deny.Resource.Count == 0 && deny.NotResource.Count == 0) || deny.Resource.Contains("*")) { g.Resources = Array.Empty<string>(); g.ResourcesOwned = false; return true; }
        if (deny.Resource.Count > 0)
        {
            var before = g.Resources.Count;
            if (g.Resources.Any(r => deny.Resource.Any(d => Wildcard.CoversResource(d, r))))
                g.OwnResources().RemoveAll(r => deny.Resource.Any(d => Wildcard.CoversResource(d, r)));
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
        g.Resources = kept.Distinct(StringComparer.Ordinal).ToList(); g.ResourcesOwned = true;
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

using System;
using System.Collections.Generic;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Policy;

// The fast path of the grant deriver (moved unchanged from GrantDeriver.cs): policies of Allows without Condition or
// NotResource and unconditional denies on every resource, derived with a state per catalog action instead of a draft per
// action. GrantDeriverFastPathPropertyTests checks that it agrees with the general path on generated policies.
public sealed partial class GrantDeriver
{
    // The common shape: no boundary, every Allow without Condition and NotResource (one draft per action), every Deny
    // an unconditional deny on every resource (handled by never drafting its actions).
    private static bool IsSimple(IReadOnlyList<PolicyDocument> identity, List<PolicyStatement> absolute)
    {
        foreach (var d in identity)
            foreach (var s in d.Statement)
            {
                if (s.Effect == "Allow") { if (s.Condition.Count > 0 || s.NotResource.Count > 0) return false; }
                else if (!absolute.Contains(s)) return false;
            }
        return true;
    }

    // What a grant is, apart from its action, in the simple shape: the merge of the parts (Allow statements) that drafted
    // it, in order. Actions drafted by the same parts in the same order share one state (and its lists).
    private sealed class GrantState
    {
        public IReadOnlyList<string> Resources = Star;
        public IReadOnlyList<string> Excluded = Array.Empty<string>();
        public IReadOnlyList<PolicyCondition> Conditions = Array.Empty<PolicyCondition>();
        public IReadOnlyList<string> GrantedBy = Array.Empty<string>();
        public bool FromWildcard;
        public GrantTerms? Terms; // made once, when the first record of this state is written
        // A list this state alone holds may grow in place (a state whose only action moves on hands its lists to the next
        // state, so one action granted by 10,000 statements is not 10,000 copies); a long list carries a set for lookups.
        public bool ResourcesOwned, GrantedByOwned, Dead;
        public HashSet<string>? ResourceSet, GrantedBySet;

        public GrantTerms TermsFor(bool incomplete) => Terms ??= new GrantTerms
        {
            Resources = Resources, ExcludedResources = Excluded, Conditions = Conditions, GrantedBy = GrantedBy,
            FromWildcard = FromWildcard, IsIncomplete = incomplete,
        };
    }

    // Collects runs of (consecutive catalog index, same state) in order, in scratch arrays kept per thread (a role with
    // thousands of scattered actions has thousands of runs): only the final arrays are allocated.
    private struct RunBuilder
    {
        [ThreadStatic] private static int[]? _pool;
        private int[] _buf; // per run: first, offset, term (three entries)
        private int _runs, _next, _state, _count;

        public static RunBuilder Create()
        {
            var b = new RunBuilder { _buf = _pool ?? new int[3 * 64] };
            _pool = null; // taken: a nested call cannot see it half-used
            return b;
        }

        public void Add(int index, int state)
        {
            if (_runs > 0 && index == _next && state == _state) { _next++; _count++; return; }
            Start(index, state);
            _next = index + 1;
        }

        public void AddSpan(int first, int length, int state)
        {
            if (length <= 0 || state == 0) return;
            Add(first, state);
            _next += length - 1; _count += length - 1;
        }

        public void AddSingle(int first, int state) { Start(first, state); _next = int.MinValue; }

        private void Start(int first, int state)
        {
            if (3 * _runs + 3 > _buf.Length) Array.Resize(ref _buf, _buf.Length * 2);
            _buf[3 * _runs] = first; _buf[3 * _runs + 1] = _count; _buf[3 * _runs + 2] = state;
            _runs++;
            _state = state; _count++;
        }

        public GrantList Build(GrantAction[] catalog, GrantAction[] unknown, GrantTerms[] terms)
        {
            var first = new int[_runs];
            var offset = new int[_runs + 1];
            var term = new int[_runs];
            for (var r = 0; r < _runs; r++) { first[r] = _buf[3 * r]; offset[r] = _buf[3 * r + 1]; term[r] = _buf[3 * r + 2]; }
            offset[_runs] = _count;
            return new GrantList(catalog, unknown, terms, first, offset, term);
        }

        /// <summary>Gives the scratch array back (after <see cref="Build"/>, or when the derivation failed).</summary>
        public void Release() { if (_buf is not null) _pool = _buf; _buf = null!; }
    }

    private sealed class SimplePart
    {
        public PolicyStatement Statement = null!;
        public IReadOnlyList<string> Resources = Star;
        public string[] Ref = Array.Empty<string>();
    }

    [ThreadStatic] private static int[]? _slots;
    [ThreadStatic] private static ulong[]? _dirty;

    // The index of the lowest set bit (netstandard2.0 has no BitOperations): de Bruijn multiplication.
    private static int LowestBit(ulong bits) => DeBruijn[((bits & (ulong)-(long)bits) * 0x03F79D71B4CB0A89UL) >> 58];
    private static readonly int[] DeBruijn =
    {
        0, 1, 48, 2, 57, 49, 28, 3, 61, 58, 50, 42, 38, 29, 17, 4, 62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
        63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11, 46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9, 13, 8, 7, 6,
    };

    // Equivalent to the general path (Drafts.Add, then records in catalog order) for the simple shape, without a draft
    // object per action: a state id per catalog action, states interned per (state, part, from wildcard).
    private IReadOnlyList<EffectiveGrant> DeriveSimple(IReadOnlyList<PolicyDocument> identity, bool incomplete, EngineContext context, Func<string, bool>? skip, bool skipAll)
    {
        var all = _actions.Actions;
        var n = all.Count;
        var slots = _slots is { } pooled && pooled.Length >= n ? pooled : new int[n];
        var chunks = (n + 63) >> 6;
        var dirty = _dirty is { } pooledDirty && pooledDirty.Length >= chunks ? pooledDirty : new ulong[chunks];
        _slots = null; _dirty = null; // taken: a nested or failed call cannot see them half-used
        // The drafted actions: a bit per slot that is not 0, so the slots are visited in order, 64 at a time, without a
        // scan of the whole catalog or a sort.
        var drafted = 0; // slots that are not 0
        // When not 0, every catalog action is drafted: in this state unless its slot holds another (a "*" statement
        // moves this one state instead of 22,000 slots).
        var baseState = 0;
        // State 0: not drafted (a slot of 0 takes the base state); state 1 (None): not drafted, whatever the base state is
        // (an action a NotAction statement left out while the base state moved on).
        const int None = 1;
        var states = new List<GrantState> { null!, null! };
        // Slots (and unknown actions) in each state: a state held by one action alone gives its lists to the next state.
        var refs = new List<int> { 0, 0 };
        var transitions = new Dictionary<(int, int, bool), int>();
        var parts = new List<SimplePart>();
        Dictionary<string, int>? unknownIndex = null;
        List<(string Name, int State)>? unknown = null;

        int Next(int from, int part, bool fromWildcard)
        {
            if (transitions.TryGetValue((from, part, fromWildcard), out var to) && !states[to].Dead) return to;
            var p = parts[part];
            GrantState g;
            if (from == 0 || from == None)
                g = new GrantState { Resources = p.Resources, Excluded = p.Statement.NotResource, Conditions = p.Statement.Condition, GrantedBy = p.Ref, FromWildcard = fromWildcard };
            else
            {
                var f = states[from];
                g = new GrantState
                {
                    Resources = f.Resources, Excluded = f.Excluded, Conditions = f.Conditions, GrantedBy = f.GrantedBy, FromWildcard = f.FromWildcard & fromWildcard,
                    ResourceSet = f.ResourceSet, GrantedBySet = f.GrantedBySet,
                };
                if (from != baseState && refs[from] == 1)
                {
                    // The one action in this state moves on: nothing else can see the state again, so its lists move too.
                    g.ResourcesOwned = f.ResourcesOwned; g.GrantedByOwned = f.GrantedByOwned;
                    f.Dead = true;
                }
                else { f.ResourcesOwned = false; f.GrantedByOwned = false; } // shared from now on: copied before a change
                Append(ref g.GrantedBy, ref g.GrantedByOwned, ref g.GrantedBySet, p.Ref[0]);
                if (!(g.Resources.Count == 1 && g.Resources[0] == "*"))
                {
                    if (p.Resources.Count == 1 && p.Resources[0] == "*") { g.Resources = Star; g.ResourcesOwned = false; g.ResourceSet = null; }
                    else foreach (var r in p.Resources) Append(ref g.Resources, ref g.ResourcesOwned, ref g.ResourceSet, r);
                }
            }
            states.Add(g);
            refs.Add(0);
            return transitions[(from, part, fromWildcard)] = states.Count - 1;
        }

        // A slot changes state (0: the base state, not counted).
        void Move(int index, int to)
        {
            var old = slots[index];
            if (old > None) refs[old]--;
            if (to > None) refs[to]++;
            slots[index] = to;
        }

        // The last transition taken by Add (explicit actions of one statement mostly start from the same state).
        int addPart = -1, addFrom = -1, addTo = 0;
        // One action named exactly (not from a wildcard).
        void Add(int index, int part)
        {
            if (skipAll) return;
            if (skip is not null && skip(all[index].FullName)) return;
            var from = slots[index];
            if (from == 0) { drafted++; dirty[index >> 6] |= 1UL << index; from = baseState; }
            if (part != addPart || from != addFrom || states[addTo].Dead) { addPart = part; addFrom = from; addTo = Next(from, part, false); }
            Move(index, addTo);
        }

        void AddRange(int[] indices, int part)
        {
            if (skipAll) return;
            // Runs of actions in the same state take the same transition: remember the last one.
            int lastFrom = -1, lastTo = 0;
            // Every catalog action: the base state moves, and so does each slot that overrides it.
            if (skip is null && indices.Length == n) { AddAllExcept(Array.Empty<int>(), part); return; }
            foreach (var index in indices)
            {
                if (skip is not null && skip(all[index].FullName)) continue;
                var from = slots[index];
                if (from == 0) { drafted++; dirty[index >> 6] |= 1UL << index; from = baseState; }
                if (from != lastFrom || states[lastTo].Dead) { lastFrom = from; lastTo = Next(from, part, true); }
                Move(index, lastTo);
            }
        }

        // Every catalog action but the excluded ones (sorted): a NotAction statement. The base state moves, and so does
        // each slot that overrides it unless excluded; an excluded action that took the base state keeps the old one.
        void AddAllExcept(int[] excluded, int part)
        {
            if (skipAll) return;
            var oldBase = baseState;
            int lastFrom = -1, lastTo = 0, e = 0;
            for (var c = 0; c < chunks; c++)
                for (var bits = dirty[c]; bits != 0; bits &= bits - 1)
                {
                    var index = (c << 6) + LowestBit(bits);
                    while (e < excluded.Length && excluded[e] < index) e++;
                    if (e < excluded.Length && excluded[e] == index) continue;
                    var from = slots[index];
                    if (from != lastFrom || states[lastTo].Dead) { lastFrom = from; lastTo = Next(from, part, true); }
                    Move(index, lastTo);
                }
            foreach (var index in excluded)
                if (slots[index] == 0) { Move(index, oldBase != 0 ? oldBase : None); drafted++; dirty[index >> 6] |= 1UL << index; }
            baseState = Next(oldBase, part, true);
        }

        try
        {
            foreach (var d in identity)
            {
                for (var i = 0; i < d.Statement.Count; i++)
                {
                    var s = d.Statement[i];
                    if (s.Effect != "Allow") continue;
                    var part = parts.Count;
                    var sp = new SimplePart { Statement = s, Resources = s.Resource.Count > 0 ? s.Resource : Star, Ref = new[] { StatementMatcher.Ref(d, s, i) } };
                    parts.Add(sp);
                    if (s.NotAction.Count > 0)
                    {
                        if (skip is null) AddAllExcept(_actions.ExpandIndices(s.NotAction), part);
                        else AddRange(_actions.ExpandNotIndices(s.NotAction), part);
                        continue;
                    }
                    var hint = -1;
                    // Names the policy reader already looked up in this catalog carry their index.
                    var resolved = s.Action is ActionNames looked && looked.Catalog == _actions ? looked.Indices : null;
                    var names = s.Action.Count;
                    for (var k = 0; k < names; k++)
                    {
                        // A name the reader found in the catalog is its index alone (its text is not needed).
                        if (resolved is not null && resolved[k] >= 0) { Add(resolved[k], part); continue; }
                        var p = s.Action[k];
                        var at = resolved is not null ? resolved[k] : Wildcard.HasWildcard(p) ? ActionNames.Pattern : _actions.FindNear(p, ref hint) is null ? ActionNames.Unknown : hint;
                        if (at != ActionNames.Pattern)
                        {
                            if (at == ActionNames.Unknown) context.Verbose($"{sp.Ref[0]}: action '{p}' is not in the IAM action catalog; kept with access level Unknown.");
                            else { Add(at, part); continue; }
                            if (skip is not null && skip(p)) continue;
                            unknownIndex ??= new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
                            unknown ??= new List<(string, int)>();
                            if (unknownIndex.TryGetValue(p, out var u))
                            {
                                var moved = Next(unknown[u].State, part, false);
                                refs[unknown[u].State]--; refs[moved]++;
                                unknown[u] = (unknown[u].Name, moved);
                            }
                            else { var fresh = Next(0, part, false); refs[fresh]++; unknownIndex[p] = unknown.Count; unknown.Add((p, fresh)); }
                            continue;
                        }
                        var expanded = _actions.ExpandIndices(p);
                        if (expanded.Length == 0) context.Warning($"{sp.Ref[0]}: action pattern '{p}' matches no action in the IAM action catalog.");
                        AddRange(expanded, part);
                    }
                }
            }
            // Records in catalog order, unknown actions last by name, as runs: consecutive catalog actions in one state
            // are one run (a role allowed "*" is one run of every action).
            var count = (baseState != 0 ? n : drafted) + (unknown?.Count ?? 0);
            if (count == 0) return Array.Empty<EffectiveGrant>();
            var runs = RunBuilder.Create();
            try
            {
                // An action's state is its slot, else the base state (0 when no statement covered the whole catalog: not
                // drafted): per 64 slots, the drafted ones in order and spans of the base state between them.
                for (var c = 0; c < chunks; c++)
                {
                    var prev = (c << 6) - 1;
                    var end = Math.Min(n, (c + 1) << 6);
                    for (var bits = dirty[c]; bits != 0; bits &= bits - 1)
                    {
                        var index = (c << 6) + LowestBit(bits);
                        runs.AddSpan(prev + 1, index - prev - 1, baseState);
                        if (slots[index] != None) runs.Add(index, slots[index]);
                        slots[index] = 0;
                        prev = index;
                    }
                    dirty[c] = 0;
                    runs.AddSpan(prev + 1, end - prev - 1, baseState);
                }
                drafted = 0;
                var unknownActions = Array.Empty<GrantAction>();
                if (unknown is not null)
                {
                    unknown.Sort((a, b) => string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase));
                    unknownActions = new GrantAction[unknown.Count];
                    for (var u = 0; u < unknown.Count; u++)
                    {
                        unknownActions[u] = ActionOf(null, unknown[u].Name);
                        runs.AddSingle(~u, unknown[u].State);
                    }
                }
                // Terms for every state (state 0, "not drafted", is never referenced); intermediate states are few.
                var terms = new GrantTerms[states.Count];
                for (var t = None + 1; t < terms.Length; t++) terms[t] = states[t].TermsFor(incomplete);
                return runs.Build(_actions.Grants, unknownActions, terms);
            }
            finally { runs.Release(); }
        }
        finally
        {
            // After a failure, the slots still drafted are cleared (after success, the output loop cleared them).
            if (drafted > 0)
                for (var c = 0; c < chunks; c++)
                {
                    for (var bits = dirty[c]; bits != 0; bits &= bits - 1) slots[(c << 6) + LowestBit(bits)] = 0;
                    dirty[c] = 0;
                }
            _slots = slots; _dirty = dirty;
        }
    }

    // Adds an item a list does not hold yet (in order): copied first unless this state owns it; a long list keeps a set
    // beside it, so merging many statements is not a scan of the list per item.
    private static void Append(ref IReadOnlyList<string> list, ref bool owned, ref HashSet<string>? set, string item)
    {
        if (set is not null ? set.Contains(item) : Contains(list, item)) return;
        if (!owned) { list = new List<string>(list); owned = true; set = set is null ? null : new HashSet<string>(set, StringComparer.Ordinal); }
        ((List<string>)list).Add(item);
        if (set is not null) set.Add(item);
        else if (list.Count >= 16) set = new HashSet<string>(list, StringComparer.Ordinal);
    }

    private static bool Contains(IReadOnlyList<string> list, string item)
    {
        for (var i = 0; i < list.Count; i++) if (string.Equals(list[i], item, StringComparison.Ordinal)) return true;
        return false;
    }
}

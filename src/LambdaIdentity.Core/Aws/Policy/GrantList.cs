using System;
using System.Collections;
using System.Collections.Generic;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Policy;

/// <summary>
/// A role's grants stored as columns: per grant, the index of its action (in the catalog, or among the actions the
/// catalog does not know) and the index of its terms. Each <see cref="EffectiveGrant"/> is a two-reference value made
/// on access, so a grant costs eight bytes to derive and nothing to read. Immutable.
/// </summary>
internal sealed class GrantList : IReadOnlyList<EffectiveGrant>
{
    private readonly GrantAction[] _catalog;
    private readonly GrantAction[] _unknown;
    private readonly GrantTerms[] _terms;
    private readonly int[] _action; // >= 0: catalog index; < 0: ~index into _unknown
    private readonly int[] _term;
    private readonly int _count;

    public GrantList(GrantAction[] catalog, GrantAction[] unknown, GrantTerms[] terms, int[] action, int[] term, int count)
    {
        _catalog = catalog; _unknown = unknown; _terms = terms; _action = action; _term = term; _count = count;
    }

    public int Count => _count;

    public EffectiveGrant this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
            var a = _action[index];
            return new EffectiveGrant(a >= 0 ? _catalog[a] : _unknown[~a], _terms[_term[index]]);
        }
    }

    public Enumerator GetEnumerator() => new(this);
    IEnumerator<EffectiveGrant> IEnumerable<EffectiveGrant>.GetEnumerator() => GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public struct Enumerator : IEnumerator<EffectiveGrant>
    {
        private readonly GrantList _list;
        private int _index;
        internal Enumerator(GrantList list) { _list = list; _index = -1; }
        public EffectiveGrant Current => _list[_index];
        object IEnumerator.Current => Current;
        public bool MoveNext() => ++_index < _list._count;
        public void Reset() => _index = -1;
        public void Dispose() { }
    }
}

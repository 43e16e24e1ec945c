using System;
using System.Collections;
using System.Collections.Generic;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Policy;

/// <summary>
/// A role's grants stored as runs: consecutive catalog actions granted on the same terms form one run (an administrator
/// role's 22,000 grants are one run), and each action the catalog does not know is a run of its own. Each
/// <see cref="EffectiveGrant"/> is a two-reference value made on access: nothing per grant is stored. Immutable.
/// </summary>
internal sealed class GrantList : IReadOnlyList<EffectiveGrant>
{
    private readonly GrantAction[] _catalog;
    private readonly GrantAction[] _unknown;
    private readonly GrantTerms[] _terms;
    private readonly int[] _first;  // per run: the first catalog index, or ~index into _unknown (a run of one)
    private readonly int[] _offset; // per run: the position of its first grant; one more entry holds the count
    private readonly int[] _term;   // per run: index into _terms

    /// <summary>Takes the runs (the arrays are owned from now on): <paramref name="offset"/> has runs + 1 entries.</summary>
    public GrantList(GrantAction[] catalog, GrantAction[] unknown, GrantTerms[] terms, int[] first, int[] offset, int[] term)
    {
        _catalog = catalog; _unknown = unknown; _terms = terms; _first = first; _offset = offset; _term = term;
    }

    public int Count => _offset[_offset.Length - 1];

    /// <summary>The number of runs (for tests and figures).</summary>
    public int Runs => _first.Length;

    public EffectiveGrant this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            // The last run starting at or before index.
            int lo = 0, hi = _first.Length - 1;
            while (lo < hi)
            {
                var mid = (lo + hi + 1) >> 1;
                if (_offset[mid] <= index) lo = mid; else hi = mid - 1;
            }
            return At(lo, index - _offset[lo]);
        }
    }

    private EffectiveGrant At(int run, int within)
    {
        var f = _first[run];
        return new EffectiveGrant(f >= 0 ? _catalog[f + within] : _unknown[~f], _terms[_term[run]]);
    }

    public Enumerator GetEnumerator() => new(this);
    IEnumerator<EffectiveGrant> IEnumerable<EffectiveGrant>.GetEnumerator() => GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Walks the runs in order.</summary>
    public struct Enumerator : IEnumerator<EffectiveGrant>
    {
        private readonly GrantList _list;
        private int _run, _within, _length;
        internal Enumerator(GrantList list) { _list = list; _run = -1; _within = 0; _length = 0; }

        public EffectiveGrant Current => _list.At(_run, _within);
        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (_run >= 0 && ++_within < _length) return true;
            while (++_run < _list._first.Length)
            {
                _within = 0;
                _length = _list._offset[_run + 1] - _list._offset[_run];
                if (_length > 0) return true;
            }
            _run = _list._first.Length;
            return false;
        }

        public void Reset() { _run = -1; _within = 0; _length = 0; }
        public void Dispose() { }
    }
}

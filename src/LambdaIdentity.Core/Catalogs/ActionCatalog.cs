using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Catalogs;

/// <summary>One IAM action as the service authorization reference describes it.</summary>
public sealed class CatalogAction
{
    internal CatalogAction(string service, string name, AccessLevel accessLevel, IReadOnlyList<string> resourceTypes, IReadOnlyList<string> conditionKeys)
    {
        Service = service; Name = name; AccessLevel = accessLevel; ResourceTypes = resourceTypes; ConditionKeys = conditionKeys;
        FullName = service + ":" + name;
        Grant = new GrantAction(service, FullName, accessLevel);
    }
    /// <summary>The action as grants name it (one shared instance).</summary>
    public GrantAction Grant { get; }
    /// <summary>The service prefix, e.g. s3.</summary>
    public string Service { get; }
    /// <summary>The action name in catalog casing, e.g. GetObject.</summary>
    public string Name { get; }
    /// <summary>service:Name, e.g. s3:GetObject.</summary>
    public string FullName { get; }
    /// <summary>The access level (the first one listed when the reference lists two, e.g. "Tagging, Write" is Tagging).</summary>
    public AccessLevel AccessLevel { get; }
    /// <summary>Resource types the action applies to (empty: only "*").</summary>
    public IReadOnlyList<string> ResourceTypes { get; }
    /// <summary>Condition keys the action supports.</summary>
    public IReadOnlyList<string> ConditionKeys { get; }
    /// <summary>The action's position in its catalog's sorted list (for fast ordering).</summary>
    internal int Index { get; set; } = int.MaxValue;
    /// <inheritdoc />
    public override string ToString() => FullName;
}

/// <summary>
/// The embedded catalog of IAM actions (Catalogs/Data/aws-actions.json.gz, see Catalogs/README.md): finds an action,
/// and expands action patterns (s3:Get*, *, dynamodb:*Item) and NotAction lists to concrete actions.
/// </summary>
public sealed class ActionCatalog
{
    private static readonly Lazy<ActionCatalog> _default = new(() => Load(IamCatalogResource.Open("aws-actions.json.gz")));
    private readonly Dictionary<string, CatalogAction> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, CatalogAction[]> _byService = new(StringComparer.OrdinalIgnoreCase);
    private readonly CatalogAction[] _all;
    private readonly string[] _names; // FullName of each action in _all: FindNear scans it without touching the actions
    // Keyed by the exact text (an ordinal hash is twice as fast); other casings of a pattern are cached apart, alike.
    private readonly ConcurrentDictionary<string, IReadOnlyList<CatalogAction>> _expandCache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]> _indexCache = new(StringComparer.Ordinal);
    // Catalog casing first (what policies almost always use), then any casing.
    private readonly Dictionary<string, CatalogAction> _byExactName = new(StringComparer.Ordinal);

    /// <summary>Creates a catalog from actions (tests, other data).</summary>
    public ActionCatalog(IEnumerable<CatalogAction> actions, string source = "")
    {
        Source = source;
        foreach (var a in actions) _byName[a.FullName] = a;
        foreach (var a in _byName.Values) _byExactName[a.FullName] = a;
        _all = _byName.Values.OrderBy(a => a.FullName, StringComparer.OrdinalIgnoreCase).ToArray();
        for (var i = 0; i < _all.Length; i++) _all[i].Index = i;
        Grants = _all.Select(a => a.Grant).ToArray();
        _names = _all.Select(a => a.FullName).ToArray();
        foreach (var g in _all.GroupBy(a => a.Service, StringComparer.OrdinalIgnoreCase)) _byService[g.Key] = g.ToArray();
        (_utf8, _utf8Start, _utf8Slots) = BuildUtf8Index(_names);
    }

    // Every action's full name as UTF-8 bytes (one buffer) and an open-addressing table
    // by a case-folded hash: the policy reader finds an action from the JSON bytes, without a string. A slot packs what
    // a probe needs, so a lookup touches the slot and the name's bytes only: bits 0-15 index + 1 (0: empty), 16-31 a tag
    // (other bits of the hash), 32-55 where the name's bytes start, 56-63 their length. (Null when a catalog is too large
    // for that packing: lookups then go through the names.)
    private readonly byte[] _utf8;
    private readonly ulong[]? _utf8Slots;

    private readonly int[] _utf8Start;

    private static (byte[], int[], ulong[]?) BuildUtf8Index(string[] names)
    {
        var start = new int[names.Length + 1];
        for (var i = 0; i < names.Length; i++) start[i + 1] = start[i] + System.Text.Encoding.UTF8.GetByteCount(names[i]);
        var bytes = new byte[start[names.Length]];
        for (var i = 0; i < names.Length; i++) System.Text.Encoding.UTF8.GetBytes(names[i], 0, names[i].Length, bytes, start[i]);
        if (names.Length >= 0xFFFF || bytes.Length >= 1 << 24 || names.Any(n => n.Length > 255)) return (bytes, start, null);
        var size = 16;
        while (size < names.Length + names.Length / 4) size <<= 1;
        var slots = new ulong[size];
        for (var i = 0; i < names.Length; i++)
        {
            var h = FoldedHash(new ReadOnlySpan<byte>(bytes, start[i], start[i + 1] - start[i]), out _);
            var b = (int)(h & (uint)(size - 1));
            while (slots[b] != 0) b = (b + 1) & (size - 1);
            slots[b] = (uint)(i + 1) | ((ulong)(h >> 16) << 16) | ((ulong)(uint)start[i] << 32) | ((ulong)(uint)(start[i + 1] - start[i]) << 56);
        }
        return (bytes, start, slots);
    }

    // A hash of the bytes with bit 0x20 set in each (A-Z folded to a-z; other bytes alike on both sides), eight at a time;
    // whether a byte is '*' or '?' (a pattern, not a name) is found on the way.
    private static uint FoldedHash(ReadOnlySpan<byte> s, out bool wildcard)
    {
        const ulong Fold = 0x2020202020202020UL, K = 0x9E3779B97F4A7C15UL, Ones = 0x0101010101010101UL, Highs = 0x8080808080808080UL;
        const ulong Star = 0x2A2A2A2A2A2A2A2AUL, Question = 0x3F3F3F3F3F3F3F3FUL;
        var h = (ulong)s.Length * K;
        ulong seen = 0;
        var k = 0;
        for (; k + 8 <= s.Length; k += 8)
        {
            var v = System.Runtime.InteropServices.MemoryMarshal.Read<ulong>(s.Slice(k));
            // A zero byte in v ^ pattern is a byte equal to the pattern's (the classic has-zero-byte test).
            var a = v ^ Star; var q = v ^ Question;
            seen |= ((a - Ones) & ~a & Highs) | ((q - Ones) & ~q & Highs);
            h = (h ^ (v | Fold)) * K;
            h = (h << 31) | (h >> 33);
        }
        ulong tail = 0;
        for (; k < s.Length; k++)
        {
            var c = s[k];
            if (c == (byte)'*' || c == (byte)'?') seen = 1;
            tail = (tail << 8) | (uint)(c | 0x20);
        }
        wildcard = seen != 0;
        h = (h ^ tail) * K;
        // Murmur3's finaliser: every bit of h reaches the low bits the table uses.
        h ^= h >> 33; h *= 0xff51afd7ed558ccdUL; h ^= h >> 33;
        return (uint)h;
    }

    /// <summary>The full name of the action at <paramref name="index"/> in <see cref="Actions"/>.</summary>
    internal string NameAt(int index) => _names[index];

    /// <summary>
    /// <see cref="Find(string)"/> from UTF-8 bytes (an unescaped JSON string value): the action's index in
    /// <see cref="Actions"/>, or -1; <paramref name="exactCase"/> tells whether the bytes spell the catalog's name exactly
    /// (then <see cref="CatalogAction.FullName"/> is the same text and no new string is needed).
    /// </summary>
    internal int IndexOfUtf8(ReadOnlySpan<byte> name, out bool exactCase) => IndexOfUtf8(name, -2, out exactCase, out _);

    /// <summary>
    /// <see cref="IndexOfUtf8(ReadOnlySpan{byte}, out bool)"/> for a name of a list: the entry after
    /// <paramref name="previous"/> (the list's previous hit; -2 for none) is compared first. Also tells whether the name
    /// holds '*' or '?' (a pattern: then -1 is returned without a lookup).
    /// </summary>
    internal int IndexOfUtf8(ReadOnlySpan<byte> name, int previous, out bool exactCase, out bool wildcard)
    {
        // Policies mostly list actions in catalog order: the entry after the previous hit is tried first, in memory next
        // to what that lookup read.
        var next = previous + 1;
        if ((uint)next < (uint)_names.Length)
        {
            var at = _utf8Start[next];
            if (_utf8Start[next + 1] - at == name.Length)
            {
                var candidate = new ReadOnlySpan<byte>(_utf8, at, name.Length);
                if (name.SequenceEqual(candidate)) { exactCase = true; wildcard = false; return next; }
                if (AsciiEqualsIgnoreCase(candidate, name)) { exactCase = false; wildcard = false; return next; }
            }
        }
        exactCase = false;
        var h = FoldedHash(name, out wildcard);
        if (wildcard) return -1;
        var slots = _utf8Slots;
        if (slots is null) return Find(System.Text.Encoding.UTF8.GetString(name.ToArray())) is { } found ? IndexOf(found) : -1;
        var tag = (ulong)(h >> 16) & 0xFFFF;
        var mask = slots.Length - 1;
        for (var b = (int)(h & (uint)mask); ; b = (b + 1) & mask)
        {
            var slot = slots[b];
            if (slot == 0) return -1;
            if (((slot >> 16) & 0xFFFF) != tag || (int)(slot >> 56) != name.Length) continue;
            var candidate = new ReadOnlySpan<byte>(_utf8, (int)((slot >> 32) & 0xFFFFFF), name.Length);
            var i = (int)(slot & 0xFFFF) - 1;
            if (candidate.SequenceEqual(name)) { exactCase = true; return i; }
            if (AsciiEqualsIgnoreCase(candidate, name)) return i;
        }
    }

    /// <summary>
    /// How <paramref name="name"/> (equal to the action at <paramref name="index"/> but for ASCII case) spells it: bit i set
    /// where character i is in the other case. Null when the name is longer than 64 characters.
    /// </summary>
    internal ulong? CaseMask(int index, ReadOnlySpan<byte> name)
    {
        if (name.Length > 64) return null;
        var catalogName = new ReadOnlySpan<byte>(_utf8, _utf8Start[index], name.Length);
        ulong mask = 0;
        for (var k = 0; k < name.Length; k++) if (name[k] != catalogName[k]) mask |= 1UL << k;
        return mask;
    }

    /// <summary>The name of the action at <paramref name="index"/> with the case of the characters in <paramref name="mask"/> turned.</summary>
    internal string NameAt(int index, ulong mask)
    {
        var name = _names[index];
        if (mask == 0) return name;
        var chars = name.ToCharArray();
        for (var k = 0; k < chars.Length && k < 64; k++) if ((mask & (1UL << k)) != 0) chars[k] = (char)(chars[k] ^ 0x20);
        return new string(chars);
    }

    private static bool AsciiEqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        for (var k = 0; k < a.Length; k++)
        {
            int x = a[k], y = b[k];
            if (x == y) continue;
            if ((x | 0x20) != (y | 0x20) || (uint)((x | 0x20) - 'a') > 'z' - 'a') return false;
        }
        return true;
    }

    /// <summary>The embedded catalog.</summary>
    public static ActionCatalog Default => _default.Value;

    /// <summary>True once <see cref="Default"/> has been loaded (the policy reader uses it then, and never loads it).</summary>
    internal static bool IsDefaultLoaded => _default.IsValueCreated;

    /// <summary>Where the data came from (package and version).</summary>
    public string Source { get; }

    /// <summary>Every action, sorted by full name.</summary>
    public IReadOnlyList<CatalogAction> Actions => _all;

    /// <summary>The action part of a grant of each action, aligned with <see cref="Actions"/>.</summary>
    internal GrantAction[] Grants { get; }

    /// <summary>Every service prefix.</summary>
    public IReadOnlyCollection<string> Services => _byService.Keys;

    /// <summary>Finds an action by its full name, case-insensitively (s3:getobject finds s3:GetObject); null when unknown.</summary>
    public CatalogAction? Find(string action) => _byExactName.TryGetValue(action, out var a) || _byName.TryGetValue(action, out a) ? a : null;

    /// <summary>
    /// <see cref="Find(string)"/> for a run of names: policies mostly list actions in catalog order, so the entries just
    /// after the previous hit (<paramref name="hint"/>, an index into <see cref="Actions"/>; start with -1) are tried
    /// before the hash lookup. Same result as <see cref="Find(string)"/>; the hint follows the hits.
    /// </summary>
    internal CatalogAction? FindNear(string action, ref int hint)
    {
        var names = _names;
        var end = Math.Min(names.Length, hint + 1 + NearWindow);
        for (var i = hint + 1; i < end; i++)
        {
            var name = names[i];
            if (name.Length == action.Length && string.Equals(name, action, StringComparison.OrdinalIgnoreCase)) { hint = i; return _all[i]; }
        }
        var a = Find(action);
        if (a is not null) hint = IndexOf(a);
        return a;
    }

    private const int NearWindow = 8;

    /// <summary>The access level of an action, Unknown when it is not in the catalog.</summary>
    public AccessLevel AccessLevelOf(string action) => Find(action)?.AccessLevel ?? AccessLevel.Unknown;

    /// <summary>The concrete actions one pattern matches (case-insensitive; * and ? wildcards).</summary>
    public IReadOnlyList<CatalogAction> Expand(string pattern)
        => _expandCache.TryGetValue(pattern, out var hit) ? hit : _expandCache.GetOrAdd(pattern, ExpandUncached); // (no delegate made on a hit)

    private IReadOnlyList<CatalogAction> ExpandUncached(string pattern)
    {
        if (pattern == "*") return _all;
        var colon = pattern.IndexOf(':');
        if (colon < 0) return Array.Empty<CatalogAction>();
        var svc = pattern.Substring(0, colon);
        var name = pattern.Substring(colon + 1);
        IEnumerable<CatalogAction[]> services = Wildcard.HasWildcard(svc)
            ? _byService.Where(kv => Wildcard.Match(svc, kv.Key, ignoreCase: true)).Select(kv => kv.Value)
            : _byService.TryGetValue(svc, out var one) ? new[] { one } : Array.Empty<CatalogAction[]>();
        if (name == "*") return services.SelectMany(s => s).ToArray();
        if (!Wildcard.HasWildcard(name))
            return services.Select(s => s.Length == 0 ? null : Find(s[0].Service + ":" + name)).Where(a => a is not null).Select(a => a!).ToArray();
        return services.SelectMany(s => s).Where(a => Wildcard.Match(name, a.Name, ignoreCase: true)).ToArray();
    }

    /// <summary>The concrete actions several patterns match, without duplicates.</summary>
    public IReadOnlyList<CatalogAction> Expand(IEnumerable<string> patterns)
    {
        var list = patterns.ToList();
        if (list.Count == 1) return Expand(list[0]);
        var seen = new HashSet<CatalogAction>();
        var result = new List<CatalogAction>();
        foreach (var p in list) foreach (var a in Expand(p)) if (seen.Add(a)) result.Add(a);
        return result;
    }

    /// <summary>The concrete actions a NotAction list allows or denies: every catalog action no pattern matches.</summary>
    public IReadOnlyList<CatalogAction> ExpandNot(IEnumerable<string> notPatterns)
    {
        var list = notPatterns.ToList();
        return _expandCache.GetOrAdd("\u0000not\u0000" + string.Join("\u0000", list), _ =>
        {
            var excluded = new HashSet<CatalogAction>(Expand(list));
            return _all.Where(a => !excluded.Contains(a)).ToArray();
        });
    }

    /// <summary>The position of an action in <see cref="Actions"/>, or -1 when this catalog does not hold it.</summary>
    internal int IndexOf(CatalogAction action)
    {
        var i = action.Index;
        return (uint)i < (uint)_all.Length && ReferenceEquals(_all[i], action) ? i : Array.IndexOf(_all, action);
    }

    /// <summary>The positions in <see cref="Actions"/> of what <see cref="Expand(string)"/> returns, in the same order (cached: the catalog is immutable).</summary>
    internal int[] ExpandIndices(string pattern)
        => _indexCache.TryGetValue(pattern, out var hit) ? hit : _indexCache.GetOrAdd(pattern, p => Indices(Expand(p))); // (no delegate made on a hit)

    /// <summary>The positions in <see cref="Actions"/> of what <see cref="ExpandNot"/> returns, in the same order (cached).</summary>
    internal int[] ExpandNotIndices(IReadOnlyList<string> notPatterns)
        => _indexCache.GetOrAdd("\u0000not\u0000" + string.Join("\u0000", notPatterns), _ => Indices(ExpandNot(notPatterns)));

    /// <summary>The positions in <see cref="Actions"/> of the actions any of the patterns matches, ascending (cached): what a NotAction list leaves out.</summary>
    internal int[] ExpandIndices(IReadOnlyList<string> patterns)
        => _indexCache.GetOrAdd("\u0000any\u0000" + string.Join("\u0000", patterns), _ =>
        {
            var r = Indices(Expand(patterns));
            Array.Sort(r);
            return r;
        });

    private int[] Indices(IReadOnlyList<CatalogAction> actions)
    {
        var r = new int[actions.Count];
        for (var i = 0; i < r.Length; i++) r[i] = IndexOf(actions[i]);
        return r;
    }

    /// <summary>True when an action pattern matches an action name (case-insensitive, * and ?).</summary>
    public static bool ActionMatches(string pattern, string action) => Wildcard.Match(pattern, action, ignoreCase: true);

    /// <summary>Maps the reference's access-level text ("Read", "Tagging, Write", "Permissions management") to the enum.</summary>
    public static AccessLevel ParseAccessLevel(string? text)
    {
        var first = (text ?? "").Split(',')[0].Trim();
        return first.ToLowerInvariant() switch
        {
            "list" => AccessLevel.List,
            "read" => AccessLevel.Read,
            "write" => AccessLevel.Write,
            "permissions management" => AccessLevel.PermissionsManagement,
            "tagging" => AccessLevel.Tagging,
            _ => AccessLevel.Unknown,
        };
    }

    /// <summary>Reads a catalog in the embedded schema (gzip JSON; see Catalogs/README.md).</summary>
    public static ActionCatalog Load(Stream gzipJson)
    {
        using var gz = new GZipStream(gzipJson, CompressionMode.Decompress);
        using var doc = JsonDocument.Parse(gz);
        var root = doc.RootElement;
        var actions = new List<CatalogAction>(24000);
        var strings = new Dictionary<string, string>(StringComparer.Ordinal);
        string Intern(string s) { if (!strings.TryGetValue(s, out var i)) strings[s] = i = s; return i; }
        IReadOnlyList<string> List(JsonElement e, string name)
        {
            if (!e.TryGetProperty(name, out var v) || v.GetArrayLength() == 0) return Array.Empty<string>();
            var arr = new string[v.GetArrayLength()];
            int i = 0;
            foreach (var x in v.EnumerateArray()) arr[i++] = Intern(x.GetString()!);
            return arr;
        }
        foreach (var svc in root.GetProperty("services").EnumerateArray())
        {
            var prefix = Intern(svc.GetProperty("prefix").GetString()!);
            foreach (var a in svc.GetProperty("actions").EnumerateArray())
                actions.Add(new CatalogAction(prefix, a.GetProperty("name").GetString()!, ParseAccessLevel(a.GetProperty("accessLevel").GetString()),
                    List(a, "resourceTypes"), List(a, "conditionKeys")));
        }
        return new ActionCatalog(actions, root.TryGetProperty("source", out var s) ? s.GetString() ?? "" : "");
    }
}

internal static class IamCatalogResource
{
    public static Stream Open(string fileName)
    {
        var name = "LambdaIdentity.Core.Catalogs." + fileName;
        return typeof(IamCatalogResource).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException("Embedded catalog missing: " + name);
    }
}

using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Policy;

/// <summary>
/// Reads IAM policy documents into <see cref="PolicyDocument"/> records. One grammar, read from a
/// <see cref="Utf8JsonReader"/>: a document inside a larger file (authorization details) is read in the same pass as the
/// file, without a DOM; parsed JSON and text come to the same reader.
/// </summary>
public static class PolicyParser
{
    private static readonly JsonReaderOptions TextOptions = new() { MaxDepth = 256 };

    /// <summary>Parses a document given as JSON text; when <paramref name="urlEncoded"/>, the text is RFC 3986 decoded once first.</summary>
    /// <remarks>Decode only where the source encodes (the IAM API, get-account-authorization-details): other sources keep a literal %.</remarks>
    public static PolicyDocument? ParseText(string text, PolicyKind kind, string policyName, SourceLocation? source, IErrorSink errors, bool urlEncoded = false, string? policyArn = null)
    {
        if (urlEncoded) text = Uri.UnescapeDataString(text);
        return ParseUtf8(Encoding.UTF8.GetBytes(text), kind, policyName, source, errors, policyArn);
    }

    /// <summary>Parses a document from parsed JSON. Returns null (after reporting) when it breaks the grammar.</summary>
    public static PolicyDocument? Parse(JsonElement root, PolicyKind kind, string policyName, SourceLocation? source, IErrorSink errors, string? policyArn = null)
        => root.ValueKind == JsonValueKind.String
            ? ParseText(root.GetString() ?? "", kind, policyName, source, errors, urlEncoded: false, policyArn: policyArn)
            : ParseUtf8(Encoding.UTF8.GetBytes(root.ValueKind == JsonValueKind.Undefined ? "null" : root.GetRawText()), kind, policyName, source, errors, policyArn);

    private static PolicyDocument? ParseUtf8(byte[] utf8, PolicyKind kind, string policyName, SourceLocation? source, IErrorSink errors, string? policyArn)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, TextOptions);
            if (!reader.Read()) throw new JsonException("The document is empty.", "$", 0, 0);
            var doc = Read(ref reader, kind, policyName, source, errors, policyArn);
            while (reader.Read()) { } // anything after the document is malformed JSON
            return doc;
        }
        catch (JsonException ex)
        {
            errors.Error(new EngineError
            {
                ErrorId = "PolicyDocumentMalformed", Category = EngineErrorCategory.InvalidData,
                Target = source?.File ?? policyName,
                Location = new SourceLocation { File = source?.File ?? "", Line = source?.Line ?? 0, Column = source?.Column ?? 0, Path = Combine(source?.Path, ex.Path ?? "$") },
                Message = $"Policy '{policyName}' is not valid JSON at {ex.Path ?? "$"} (line {(ex.LineNumber ?? 0) + 1} of the document, byte {(ex.BytePositionInLine ?? 0) + 1}): {ex.Message}",
            }.WithException(ex));
            return null;
        }
    }

    /// <summary>
    /// Reads the document whose first token <paramref name="reader"/> is on, and leaves the reader on its last token. A
    /// document that breaks the grammar is reported (with its JSON path under <paramref name="source"/>), skipped, and
    /// null is returned; malformed JSON throws <see cref="JsonException"/> as the reader does. A string token is a
    /// document given as text (not decoded).
    /// </summary>
    internal static PolicyDocument? Read(ref Utf8JsonReader reader, PolicyKind kind, string policyName, SourceLocation? source, IErrorSink errors, string? policyArn)
    {
        if (reader.TokenType == JsonTokenType.String)
            return ParseText(reader.GetString() ?? "", kind, policyName, source, errors, urlEncoded: false, policyArn: policyArn);
        var depth = reader.CurrentDepth;
        var isObject = reader.TokenType == JsonTokenType.StartObject;
        try
        {
            if (!isObject) throw new PolicyFormatException("$", "a policy document must be a JSON object");
            string? version = null, id = null;
            var hasStatement = false;
            var statements = new List<PolicyStatement>();
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("Statement"u8))
                {
                    if (hasStatement) throw new PolicyFormatException("$.Statement", "appears twice");
                    hasStatement = true;
                    if (Next(ref reader) == JsonTokenType.StartArray)
                    {
                        var i = 0;
                        while (Next(ref reader) != JsonTokenType.EndArray) statements.Add(ReadStatement(ref reader, i++));
                    }
                    else statements.Add(ReadStatement(ref reader, -1));
                }
                else if (reader.ValueTextEquals("Version"u8))
                {
                    version = Next(ref reader) == JsonTokenType.String ? reader.GetString() : throw new PolicyFormatException("$.Version", "must be a string");
                    if (version != "2012-10-17" && version != "2008-10-17") throw new PolicyFormatException("$.Version", $"'{version}' is not a policy language version (2012-10-17 or 2008-10-17)");
                }
                else if (reader.ValueTextEquals("Id"u8)) id = Next(ref reader) == JsonTokenType.String ? reader.GetString() : throw new PolicyFormatException("$.Id", "must be a string");
                else throw new PolicyFormatException("$." + reader.GetString(), "unknown top-level element");
            }
            if (!hasStatement) throw new PolicyFormatException("$", "Statement is required");
            return new PolicyDocument { PolicyName = policyName, PolicyArn = policyArn, Kind = kind, Version = version, Id = id, Statement = statements, Source = source };
        }
        catch (PolicyFormatException ex)
        {
            // The rest of the document is skipped: the reader ends on the document's last token, as after a good one.
            if (isObject) while (!(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth)) Next(ref reader);
            errors.Error(new EngineError
            {
                ErrorId = "PolicyDocumentMalformed", Category = EngineErrorCategory.InvalidData,
                Target = source?.File ?? policyName,
                Location = source is null ? new SourceLocation { Path = ex.JsonPath } : new SourceLocation { File = source.File, Line = source.Line, Column = source.Column, Path = Combine(source.Path, ex.JsonPath) },
                Message = $"Policy '{policyName}' breaks the policy grammar at {ex.JsonPath}: {ex.Message}",
            }.WithException(ex));
            return null;
        }
    }

    // The next token (the reader is given whole documents: running out of tokens is malformed JSON).
    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw new JsonException("The document ends early.", "$", 0, reader.BytesConsumed);
        return reader.TokenType;
    }

    private static string Combine(string? outer, string jsonPath) => string.IsNullOrEmpty(outer) ? jsonPath : outer + jsonPath.Substring(1);

    // The statement elements, as bits of a set (a statement names each at most once).
    private const int SidBit = 1, EffectBit = 2, ActionBit = 4, NotActionBit = 8, ResourceBit = 16, NotResourceBit = 32, PrincipalBit = 64, NotPrincipalBit = 128, ConditionBit = 256;

    private static int ElementBit(ref Utf8JsonReader r)
        => r.ValueTextEquals("Effect"u8) ? EffectBit : r.ValueTextEquals("Action"u8) ? ActionBit : r.ValueTextEquals("Resource"u8) ? ResourceBit
            : r.ValueTextEquals("Sid"u8) ? SidBit : r.ValueTextEquals("Condition"u8) ? ConditionBit : r.ValueTextEquals("NotAction"u8) ? NotActionBit
            : r.ValueTextEquals("NotResource"u8) ? NotResourceBit : r.ValueTextEquals("Principal"u8) ? PrincipalBit : r.ValueTextEquals("NotPrincipal"u8) ? NotPrincipalBit : 0;

    // JSON paths are built only for an error: "$.Statement[i]" (or "$.Statement" for a single statement object).
    private static string StatementPath(int index) => index < 0 ? "$.Statement" : $"$.Statement[{index}]";

    private static PolicyStatement ReadStatement(ref Utf8JsonReader r, int index)
    {
        if (r.TokenType != JsonTokenType.StartObject) throw new PolicyFormatException(StatementPath(index), "a statement must be an object");
        string? sid = null; string? effect = null;
        IReadOnlyList<string> action = Array.Empty<string>(), notAction = Array.Empty<string>(), resource = Array.Empty<string>(), notResource = Array.Empty<string>();
        PolicyPrincipal? principal = null, notPrincipal = null;
        List<PolicyCondition>? conditions = null;
        var seen = 0;
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var bit = ElementBit(ref r);
            var name = bit == 0 || (seen & bit) != 0 ? r.GetString() : null;
            if (bit == 0) { Next(ref r); throw new PolicyFormatException(StatementPath(index) + "." + name, "unknown statement element"); }
            if ((seen & bit) != 0) throw new PolicyFormatException(StatementPath(index) + "." + name, "appears twice in the statement");
            seen |= bit;
            Next(ref r);
            switch (bit)
            {
                case SidBit: sid = r.TokenType == JsonTokenType.String ? r.GetString() : throw new PolicyFormatException(ElementPath(index, bit), "must be a string"); break;
                case EffectBit:
                    effect = r.TokenType != JsonTokenType.String ? null : r.ValueTextEquals("Allow"u8) ? "Allow" : r.ValueTextEquals("Deny"u8) ? "Deny" : null;
                    if (effect is null) throw new PolicyFormatException(ElementPath(index, bit), "must be Allow or Deny");
                    break;
                case ActionBit: action = ReadActions(ref r, index, bit); break;
                case NotActionBit: notAction = ReadActions(ref r, index, bit); break;
                case ResourceBit: resource = StringOrArray(ref r, ElementPath(index, bit)); break;
                case NotResourceBit: notResource = StringOrArray(ref r, ElementPath(index, bit)); break;
                case PrincipalBit: principal = ReadPrincipal(ref r, ElementPath(index, bit)); break;
                case NotPrincipalBit: notPrincipal = ReadPrincipal(ref r, ElementPath(index, bit)); break;
                default: conditions = ReadConditions(ref r, ElementPath(index, bit)); break;
            }
        }
        if (effect is null) throw new PolicyFormatException(StatementPath(index), "Effect is required");
        if (action.Count == 0 && notAction.Count == 0) throw new PolicyFormatException(StatementPath(index), "Action or NotAction is required");
        if ((seen & (ActionBit | NotActionBit)) == (ActionBit | NotActionBit)) throw new PolicyFormatException(StatementPath(index) + ".NotAction", "Action and NotAction cannot both appear");
        if ((seen & (ResourceBit | NotResourceBit)) == (ResourceBit | NotResourceBit)) throw new PolicyFormatException(StatementPath(index) + ".NotResource", "Resource and NotResource cannot both appear");
        if ((seen & (PrincipalBit | NotPrincipalBit)) == (PrincipalBit | NotPrincipalBit)) throw new PolicyFormatException(StatementPath(index) + ".NotPrincipal", "Principal and NotPrincipal cannot both appear");
        return new PolicyStatement { Sid = sid, Effect = effect, Action = action, NotAction = notAction, Resource = resource, NotResource = notResource, Principal = principal, NotPrincipal = notPrincipal, Condition = (IReadOnlyList<PolicyCondition>?)conditions ?? Array.Empty<PolicyCondition>() };
    }

    private static string ElementPath(int index, int bit) => StatementPath(index) + "." + bit switch
    {
        SidBit => "Sid", EffectBit => "Effect", ActionBit => "Action", NotActionBit => "NotAction", ResourceBit => "Resource",
        NotResourceBit => "NotResource", PrincipalBit => "Principal", NotPrincipalBit => "NotPrincipal", _ => "Condition",
    };

    private static List<PolicyCondition> ReadConditions(ref Utf8JsonReader r, string path)
    {
        if (r.TokenType != JsonTokenType.StartObject) throw new PolicyFormatException(path, "must be an object");
        var conditions = new List<PolicyCondition>();
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var opName = r.GetString()!;
            if (!ConditionOperator.TryParse(opName, out _)) throw new PolicyFormatException(path + "." + opName, $"'{opName}' is not a condition operator");
            if (Next(ref r) != JsonTokenType.StartObject) throw new PolicyFormatException(path + "." + opName, "must map condition keys to values");
            while (Next(ref r) == JsonTokenType.PropertyName)
            {
                var keyName = r.GetString()!;
                Next(ref r);
                var values = new List<string>();
                ScalarOrArray(ref r, path + "." + opName + "." + keyName, values);
                conditions.Add(new PolicyCondition { Operator = opName, Key = keyName, Values = values });
            }
        }
        return conditions;
    }

    private static PolicyPrincipal ReadPrincipal(ref Utf8JsonReader r, string path)
    {
        if (r.TokenType == JsonTokenType.String)
        {
            if (r.ValueTextEquals("*"u8)) return new PolicyPrincipal { IsWildcard = true };
            throw new PolicyFormatException(path, "a string principal must be \"*\"");
        }
        if (r.TokenType != JsonTokenType.StartObject) throw new PolicyFormatException(path, "must be \"*\" or an object");
        IReadOnlyList<string> aws = Array.Empty<string>(), svc = Array.Empty<string>(), fed = Array.Empty<string>(), cu = Array.Empty<string>();
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var type = r.GetString()!;
            Next(ref r);
            var list = StringOrArray(ref r, path + "." + type);
            switch (type)
            {
                case "AWS": aws = list; break;
                case "Service": svc = list; break;
                case "Federated": fed = list; break;
                case "CanonicalUser": cu = list; break;
                default: throw new PolicyFormatException(path + "." + type, "unknown principal type");
            }
        }
        return new PolicyPrincipal { Aws = aws, Service = svc, Federated = fed, CanonicalUser = cu };
    }

    // "*" is one shared list: most statements name it, and no reader changes a list it was given.
    private static readonly string[] StarOnly = { "*" };

    private static IReadOnlyList<string> StringOrArray(ref Utf8JsonReader r, string path)
    {
        if (r.TokenType == JsonTokenType.String) return r.ValueTextEquals("*"u8) ? StarOnly : new[] { r.GetString()! };
        if (r.TokenType != JsonTokenType.StartArray) throw new PolicyFormatException(path, "must be a string or an array of strings");
        var list = new List<string>();
        while (Next(ref r) != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.String) throw new PolicyFormatException($"{path}[{list.Count}]", "must be a string");
            list.Add(r.GetString()!);
        }
        return list;
    }

    // Action and NotAction: each name is looked up in the action catalog from its bytes as it is read (when the catalog is
    // loaded), so the catalog's own string stands for a name spelled as the catalog spells it.
    private static IReadOnlyList<string> ReadActions(ref Utf8JsonReader r, int index, int bit)
    {
        var catalog = ActionCatalog.IsDefaultLoaded ? ActionCatalog.Default : null;
        if (r.TokenType == JsonTokenType.String)
        {
            var first = -2;
            var one = ReadAction(ref r, catalog, ref first, out var at, out var oneMask);
            if (at < 0 && !IsAction(one!)) throw new PolicyFormatException(ElementPath(index, bit), $"'{one}' is not an action (service:action or *)");
            return catalog is null ? new[] { one! } : new ActionNames(one is null ? null : new[] { one }, oneMask == 0 ? null : new[] { oneMask }, new[] { at }, catalog);
        }
        if (r.TokenType != JsonTokenType.StartArray) throw new PolicyFormatException(ElementPath(index, bit), "must be a string or an array of strings");
        // Read into scratch arrays (kept per thread), then copied to arrays of the exact length.
        var names = _names ?? new string?[16];
        var indices = _indices ?? new int[16];
        var masks = _masks ?? new ulong[indices.Length];
        if (masks.Length < indices.Length) masks = new ulong[indices.Length];
        _names = null; _indices = null; _masks = null; // taken: a nested call cannot see them half-used
        var count = 0;
        var previous = -2;
        var invalid = -1; // the first name that is not an action: reported once every element is known to be a string
        try
        {
            while (Next(ref r) != JsonTokenType.EndArray)
            {
                if (r.TokenType != JsonTokenType.String) throw new PolicyFormatException($"{ElementPath(index, bit)}[{count}]", "must be a string");
                var name = ReadAction(ref r, catalog, ref previous, out var at, out var mask);
                if (invalid < 0 && at < 0 && !IsAction(name!)) invalid = count; // a catalog action is one (and its name may be left to the catalog)
                if (count == names.Length) { Array.Resize(ref names, count * 2); Array.Resize(ref indices, count * 2); Array.Resize(ref masks, count * 2); }
                names[count] = name; indices[count] = at; masks[count] = mask;
                count++;
            }
            if (invalid >= 0) throw new PolicyFormatException($"{ElementPath(index, bit)}[{invalid}]", $"'{names[invalid]}' is not an action (service:action or *)");
            if (catalog is null)
            {
                var plain = new string[count];
                for (var i = 0; i < count; i++) plain[i] = names[i]!;
                return plain;
            }
            string?[]? spelled = null;
            for (var i = 0; i < count; i++)
                if (names[i] is not null) { spelled = new string?[count]; Array.Copy(names, spelled, count); break; }
            ulong[]? caseMasks = null;
            for (var i = 0; i < count; i++)
                if (masks[i] != 0) { caseMasks = new ulong[count]; Array.Copy(masks, caseMasks, count); break; }
            var at2 = new int[count];
            Array.Copy(indices, at2, count);
            return new ActionNames(spelled, caseMasks, at2, catalog);
        }
        finally
        {
            Array.Clear(names, 0, count);
            _names = names; _indices = indices; _masks = masks;
        }
    }

    [ThreadStatic] private static string?[]? _names;
    [ThreadStatic] private static int[]? _indices;
    [ThreadStatic] private static ulong[]? _masks;

    // The name's own text, or null when the catalog's name at index serves (then caseMask says which characters the policy
    // writes in the other case).
    private static string? ReadAction(ref Utf8JsonReader r, ActionCatalog? catalog, ref int previous, out int index, out ulong caseMask)
    {
        index = ActionNames.Pattern;
        caseMask = 0;
        if (catalog is not null && !r.ValueIsEscaped && !r.HasValueSequence)
        {
            index = catalog.IndexOfUtf8(r.ValueSpan, previous, out var exact, out var wildcard);
            if (index >= 0) previous = index;
            if (wildcard) { index = ActionNames.Pattern; return r.GetString()!; }
            if (exact) return null; // the catalog's name: read from the catalog when asked for
            if (index >= 0 && catalog.CaseMask(index, r.ValueSpan) is { } mask) { caseMask = mask; return null; }
            var text = r.GetString()!;
            if (index < 0) index = catalog.Find(text) is { } a ? catalog.IndexOf(a) : ActionNames.Unknown; // e.g. non-ASCII text a case-insensitive match still finds
            return text;
        }
        var s = r.GetString()!;
        if (catalog is not null) index = Wildcard.HasWildcard(s) ? ActionNames.Pattern : catalog.Find(s) is { } a ? catalog.IndexOf(a) : ActionNames.Unknown;
        return s;
    }

    private static bool IsAction(string a)
    {
        var colon = a.IndexOf(':');
        return a == "*" || (colon > 0 && colon < a.Length - 1);
    }

    private static void ScalarOrArray(ref Utf8JsonReader r, string path, List<string> values)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.StartArray:
                var i = 0;
                while (Next(ref r) != JsonTokenType.EndArray) ScalarOrArray(ref r, $"{path}[{i++}]", values);
                return;
            case JsonTokenType.String: values.Add(r.GetString()!); return;
            case JsonTokenType.True: values.Add("true"); return;
            case JsonTokenType.False: values.Add("false"); return;
            case JsonTokenType.Number: values.Add(Encoding.UTF8.GetString(r.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(r.ValueSequence) : r.ValueSpan.ToArray())); return;
            default: throw new PolicyFormatException(path, "condition values must be strings, numbers, booleans or arrays of them");
        }
    }
}

/// <summary>
/// Action or NotAction names as a policy spells them, with each one's index in the action catalog they were read against
/// (<see cref="Unknown"/> when it is not there, <see cref="Pattern"/> for a wildcard): the grant deriver takes the index
/// instead of looking the name up again.
/// </summary>
internal sealed class ActionNames : IReadOnlyList<string>
{
    public const int Unknown = -1, Pattern = -2;

    // spelled: each name as the policy spells it, or null where the catalog's own name at its index serves (the whole array
    // is null when it serves every name); caseMasks: for such a name spelled in other ASCII case (AWS's own policies write
    // "a4b:getDevice"), which characters are turned (null when none is).
    public ActionNames(string?[]? spelled, ulong[]? caseMasks, int[] indices, ActionCatalog catalog) { _spelled = spelled; _caseMasks = caseMasks; Indices = indices; Catalog = catalog; }

    private readonly string?[]? _spelled;
    private readonly ulong[]? _caseMasks;
    public int[] Indices { get; }
    public ActionCatalog Catalog { get; }

    public string this[int index] => _spelled?[index] ?? Catalog.NameAt(Indices[index], _caseMasks?[index] ?? 0);
    public int Count => Indices.Length;
    public IEnumerator<string> GetEnumerator() { for (var i = 0; i < Indices.Length; i++) yield return this[i]; }
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A document breaks the policy grammar at a JSON path.</summary>
public sealed class PolicyFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PolicyFormatException(string jsonPath, string message) : base(message) { JsonPath = jsonPath; }
    /// <summary>The JSON path of the fault.</summary>
    public string JsonPath { get; }
}

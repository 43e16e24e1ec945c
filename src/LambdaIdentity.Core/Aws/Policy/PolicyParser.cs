using System;
using System.Collections.Generic;
using System.Text.Json;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Policy;

/// <summary>Reads IAM policy documents into <see cref="PolicyDocument"/> records.</summary>
public static class PolicyParser
{
    /// <summary>Parses a document given as JSON text; when <paramref name="urlEncoded"/>, the text is RFC 3986 decoded once first.</summary>
    /// <remarks>Decode only where the source encodes (the IAM API, get-account-authorization-details): other sources keep a literal %.</remarks>
    public static PolicyDocument? ParseText(string text, PolicyKind kind, string policyName, SourceLocation? source, IErrorSink errors, bool urlEncoded = false, string? policyArn = null)
    {
        if (urlEncoded) text = Uri.UnescapeDataString(text);
        try
        {
            using var doc = JsonDocument.Parse(text);
            return Parse(doc.RootElement, kind, policyName, source, errors, policyArn);
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

    /// <summary>Parses a document from parsed JSON. Returns null (after reporting) when it breaks the grammar.</summary>
    public static PolicyDocument? Parse(JsonElement root, PolicyKind kind, string policyName, SourceLocation? source, IErrorSink errors, string? policyArn = null)
    {
        try
        {
            if (root.ValueKind == JsonValueKind.String)
                return ParseText(root.GetString() ?? "", kind, policyName, source, errors, urlEncoded: false, policyArn: policyArn);
            if (root.ValueKind != JsonValueKind.Object) throw new PolicyFormatException("$", "a policy document must be a JSON object");
            string? version = null, id = null;
            var hasStatement = false;
            var statements = new List<PolicyStatement>();
            foreach (var p in root.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "Version":
                        version = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : throw new PolicyFormatException("$.Version", "must be a string");
                        if (version != "2012-10-17" && version != "2008-10-17") throw new PolicyFormatException("$.Version", $"'{version}' is not a policy language version (2012-10-17 or 2008-10-17)");
                        break;
                    case "Id": id = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : throw new PolicyFormatException("$.Id", "must be a string"); break;
                    case "Statement":
                        if (hasStatement) throw new PolicyFormatException("$.Statement", "appears twice");
                        hasStatement = true;
                        if (p.Value.ValueKind == JsonValueKind.Array)
                        {
                            int i = 0;
                            statements.Capacity = p.Value.GetArrayLength();
                            foreach (var s in p.Value.EnumerateArray()) statements.Add(ParseStatement(s, i++));
                        }
                        else statements.Add(ParseStatement(p.Value, -1));
                        break;
                    default: throw new PolicyFormatException("$." + p.Name, "unknown top-level element");
                }
            }
            if (!hasStatement) throw new PolicyFormatException("$", "Statement is required");
            return new PolicyDocument { PolicyName = policyName, PolicyArn = policyArn, Kind = kind, Version = version, Id = id, Statement = statements, Source = source };
        }
        catch (PolicyFormatException ex)
        {
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

    private static string Combine(string? outer, string jsonPath) => string.IsNullOrEmpty(outer) ? jsonPath : outer + jsonPath.Substring(1);

    // The statement elements, as bits of a set (a statement names each at most once).
    private const int SidBit = 1, EffectBit = 2, ActionBit = 4, NotActionBit = 8, ResourceBit = 16, NotResourceBit = 32, PrincipalBit = 64, NotPrincipalBit = 128, ConditionBit = 256;

    private static int ElementBit(JsonProperty p)
        => p.NameEquals("Effect"u8) ? EffectBit : p.NameEquals("Action"u8) ? ActionBit : p.NameEquals("Resource"u8) ? ResourceBit
            : p.NameEquals("Sid"u8) ? SidBit : p.NameEquals("Condition"u8) ? ConditionBit : p.NameEquals("NotAction"u8) ? NotActionBit
            : p.NameEquals("NotResource"u8) ? NotResourceBit : p.NameEquals("Principal"u8) ? PrincipalBit : p.NameEquals("NotPrincipal"u8) ? NotPrincipalBit : 0;

    // JSON paths are built only for an error: "$.Statement[i]" (or "$.Statement" for a single statement object).
    private static string StatementPath(int index) => index < 0 ? "$.Statement" : $"$.Statement[{index}]";

    private static PolicyStatement ParseStatement(JsonElement s, int index)
    {
        if (s.ValueKind != JsonValueKind.Object) throw new PolicyFormatException(StatementPath(index), "a statement must be an object");
        string? sid = null; string? effect = null;
        IReadOnlyList<string> action = Array.Empty<string>(), notAction = Array.Empty<string>(), resource = Array.Empty<string>(), notResource = Array.Empty<string>();
        PolicyPrincipal? principal = null, notPrincipal = null;
        var conditions = new List<PolicyCondition>();
        var seen = 0;
        foreach (var p in s.EnumerateObject())
        {
            var bit = ElementBit(p);
            string Pp() => StatementPath(index) + "." + p.Name;
            if ((seen & bit) != 0) throw new PolicyFormatException(Pp(), "appears twice in the statement");
            seen |= bit;
            switch (bit)
            {
                case SidBit: sid = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : throw new PolicyFormatException(Pp(), "must be a string"); break;
                case EffectBit:
                    effect = p.Value.ValueKind != JsonValueKind.String ? null : p.Value.ValueEquals("Allow"u8) ? "Allow" : p.Value.ValueEquals("Deny"u8) ? "Deny" : p.Value.GetString();
                    if (effect != "Allow" && effect != "Deny") throw new PolicyFormatException(Pp(), "must be Allow or Deny");
                    break;
                case ActionBit: action = Actions(p.Value, index, p); break;
                case NotActionBit: notAction = Actions(p.Value, index, p); break;
                case ResourceBit: resource = StringOrArray(p.Value, index, p); break;
                case NotResourceBit: notResource = StringOrArray(p.Value, index, p); break;
                case PrincipalBit: principal = ParsePrincipal(p.Value, Pp()); break;
                case NotPrincipalBit: notPrincipal = ParsePrincipal(p.Value, Pp()); break;
                case ConditionBit:
                    if (p.Value.ValueKind != JsonValueKind.Object) throw new PolicyFormatException(Pp(), "must be an object");
                    foreach (var op in p.Value.EnumerateObject())
                    {
                        var opName = op.Name;
                        if (!ConditionOperator.TryParse(opName, out _)) throw new PolicyFormatException(Pp() + "." + opName, $"'{opName}' is not a condition operator");
                        if (op.Value.ValueKind != JsonValueKind.Object) throw new PolicyFormatException(Pp() + "." + opName, "must map condition keys to values");
                        foreach (var key in op.Value.EnumerateObject())
                        {
                            var keyName = key.Name;
                            conditions.Add(new PolicyCondition { Operator = opName, Key = keyName, Values = ScalarOrArray(key.Value, Pp() + "." + opName + "." + keyName) });
                        }
                    }
                    break;
                default: throw new PolicyFormatException(Pp(), "unknown statement element");
            }
        }
        if (effect is null) throw new PolicyFormatException(StatementPath(index), "Effect is required");
        if (action.Count == 0 && notAction.Count == 0) throw new PolicyFormatException(StatementPath(index), "Action or NotAction is required");
        if ((seen & (ActionBit | NotActionBit)) == (ActionBit | NotActionBit)) throw new PolicyFormatException(StatementPath(index) + ".NotAction", "Action and NotAction cannot both appear");
        if ((seen & (ResourceBit | NotResourceBit)) == (ResourceBit | NotResourceBit)) throw new PolicyFormatException(StatementPath(index) + ".NotResource", "Resource and NotResource cannot both appear");
        if ((seen & (PrincipalBit | NotPrincipalBit)) == (PrincipalBit | NotPrincipalBit)) throw new PolicyFormatException(StatementPath(index) + ".NotPrincipal", "Principal and NotPrincipal cannot both appear");
        return new PolicyStatement { Sid = sid, Effect = effect, Action = action, NotAction = notAction, Resource = resource, NotResource = notResource, Principal = principal, NotPrincipal = notPrincipal, Condition = conditions };
    }

    private static PolicyPrincipal ParsePrincipal(JsonElement v, string path)
    {
        if (v.ValueKind == JsonValueKind.String)
        {
            if (v.GetString() == "*") return new PolicyPrincipal { IsWildcard = true };
            throw new PolicyFormatException(path, "a string principal must be \"*\"");
        }
        if (v.ValueKind != JsonValueKind.Object) throw new PolicyFormatException(path, "must be \"*\" or an object");
        IReadOnlyList<string> aws = Array.Empty<string>(), svc = Array.Empty<string>(), fed = Array.Empty<string>(), cu = Array.Empty<string>();
        foreach (var p in v.EnumerateObject())
        {
            var list = StringOrArray(p.Value, path + "." + p.Name);
            switch (p.Name)
            {
                case "AWS": aws = list; break;
                case "Service": svc = list; break;
                case "Federated": fed = list; break;
                case "CanonicalUser": cu = list; break;
                default: throw new PolicyFormatException(path + "." + p.Name, "unknown principal type");
            }
        }
        return new PolicyPrincipal { Aws = aws, Service = svc, Federated = fed, CanonicalUser = cu };
    }

    private static IReadOnlyList<string> Actions(JsonElement v, int index, JsonProperty p)
    {
        var list = StringOrArray(v, index, p);
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            var colon = a.IndexOf(':');
            if (a != "*" && (colon <= 0 || colon == a.Length - 1))
            {
                var path = StatementPath(index) + "." + p.Name;
                throw new PolicyFormatException(v.ValueKind == JsonValueKind.Array ? $"{path}[{i}]" : path, $"'{a}' is not an action (service:action or *)");
            }
        }
        return list;
    }

    private static IReadOnlyList<string> StringOrArray(JsonElement v, int index, JsonProperty p)
    {
        if (v.ValueKind == JsonValueKind.String) return new[] { v.GetString()! };
        if (v.ValueKind != JsonValueKind.Array) return StringOrArray(v, StatementPath(index) + "." + p.Name);
        var list = new List<string>(v.GetArrayLength());
        foreach (var e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.String) return StringOrArray(v, StatementPath(index) + "." + p.Name); // reports the element
            list.Add(e.GetString()!);
        }
        return list;
    }

    private static IReadOnlyList<string> StringOrArray(JsonElement v, string path)
    {
        if (v.ValueKind == JsonValueKind.String) return new[] { v.GetString()! };
        if (v.ValueKind != JsonValueKind.Array) throw new PolicyFormatException(path, "must be a string or an array of strings");
        var list = new List<string>();
        int i = 0;
        foreach (var e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.String) throw new PolicyFormatException($"{path}[{i}]", "must be a string");
            list.Add(e.GetString()!); i++;
        }
        return list;
    }

    private static IReadOnlyList<string> ScalarOrArray(JsonElement v, string path)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Array:
                var list = new List<string>();
                int i = 0;
                foreach (var e in v.EnumerateArray()) list.AddRange(ScalarOrArray(e, $"{path}[{i++}]"));
                return list;
            case JsonValueKind.String: return new[] { v.GetString()! };
            case JsonValueKind.True: return new[] { "true" };
            case JsonValueKind.False: return new[] { "false" };
            case JsonValueKind.Number: return new[] { v.GetRawText() };
            default: throw new PolicyFormatException(path, "condition values must be strings, numbers, booleans or arrays of them");
        }
    }
}

/// <summary>A document breaks the policy grammar at a JSON path.</summary>
public sealed class PolicyFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PolicyFormatException(string jsonPath, string message) : base(message) { JsonPath = jsonPath; }
    /// <summary>The JSON path of the fault.</summary>
    public string JsonPath { get; }
}

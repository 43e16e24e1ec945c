using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Serialization;

/// <summary>
/// Turns what a front receives from its pipeline back into model records: a property tree (a deserialised copy
/// of a record, e.g. ConvertFrom-Json or Import-Clixml output, as dictionaries, lists and scalars) becomes the
/// record it was written from, and the key properties of a record (bound by property name) become a record
/// that says what it lacks. The fronts only adapt their own object shapes to a property tree.
/// </summary>
public static class PipelineRecords
{
    /// <summary>Why a function rebuilt from key properties is incomplete (mapping and parity then never pass it silently).</summary>
    public const string RebuiltFunctionReason =
        "Rebuilt from the piped properties FunctionName, FunctionArn and RoleArn only: the execution role's policies, event sources, callers and principals were not piped; pipe the inventory records themselves (or ConvertFrom-Json of them) for a full design.";

    // Properties the JSON contract always writes (non-null values), so a property bag holding them is a copy of that record.
    private static readonly Dictionary<Type, string[]> Markers = new()
    {
        [typeof(LambdaFunctionIdentity)] = new[] { nameof(LambdaFunctionIdentity.FunctionName), nameof(LambdaFunctionIdentity.FunctionArn), nameof(LambdaFunctionIdentity.IsComplete) },
        [typeof(AzRoleMapping)] = new[] { nameof(AzRoleMapping.MappingId), nameof(AzRoleMapping.FunctionAppName), nameof(AzRoleMapping.Kind), nameof(AzRoleMapping.Strategy) },
        [typeof(IdentityParityResult)] = new[] { nameof(IdentityParityResult.FunctionAppName), nameof(IdentityParityResult.Kind), nameof(IdentityParityResult.Status) },
    };

    /// <summary>The record types that flow between stages and can be rebuilt from a property tree.</summary>
    public static IReadOnlyCollection<Type> RecordTypes => Markers.Keys;

    /// <summary>True when an object with these property names is a copy of a <paramref name="recordType"/> record.</summary>
    public static bool IsCopyOf(Type recordType, IEnumerable<string> propertyNames)
    {
        if (!Markers.TryGetValue(recordType, out var markers)) return false;
        var names = new HashSet<string>(propertyNames, StringComparer.OrdinalIgnoreCase);
        return markers.All(names.Contains);
    }

    /// <summary>
    /// The record a property tree was written from. The tree holds dictionaries with string keys (objects),
    /// enumerables (arrays), strings, numbers, booleans, enums, dates, nulls, or model objects themselves.
    /// Throws <see cref="JsonException"/> when a value does not fit the record's property.
    /// </summary>
    public static object FromPropertyTree(Type recordType, object tree)
    {
        if (!Markers.ContainsKey(recordType)) throw new ArgumentException(recordType + " is not a pipeline record type.", nameof(recordType));
        var json = ToJson(tree);
        return JsonSerializer.Deserialize(json, recordType, ModelJson.Options) ?? throw new JsonException("The value is null.");
    }

    /// <summary>The record a property tree was written from.</summary>
    public static T FromPropertyTree<T>(object tree) where T : class => (T)FromPropertyTree(typeof(T), tree);

    /// <summary>
    /// An inventory record from the key properties a caller piped by name (Import-Csv, AWS.Tools' function
    /// list, a trimmed JSON file). It is marked incomplete, because no policy came with it.
    /// </summary>
    public static LambdaFunctionIdentity FunctionFromKeys(string functionName, string? functionArn, string? roleArn)
    {
        if (string.IsNullOrWhiteSpace(functionName)) throw new ArgumentException("A function name is required.", nameof(functionName));
        return new LambdaFunctionIdentity
        {
            FunctionName = functionName.Trim(),
            FunctionArn = functionArn?.Trim() ?? "",
            RoleArn = roleArn?.Trim() ?? "",
            IsComplete = false,
            IncompleteReasons = new[] { RebuiltFunctionReason },
        };
    }

    /// <summary>
    /// A designed role assignment from the properties Get-AzRoleAssignment (and our own mapping records) print:
    /// role (name or id), scope and principal object id. Its id is stable, so the same assignment piped twice is
    /// checked once.
    /// </summary>
    public static AzRoleMapping AssignmentFromKeys(string? roleDefinitionName, string? roleDefinitionId, string scope, string? objectId)
    {
        if (string.IsNullOrWhiteSpace(scope)) throw new ArgumentException("A scope is required.", nameof(scope));
        if (string.IsNullOrWhiteSpace(roleDefinitionName) && string.IsNullOrWhiteSpace(roleDefinitionId))
            throw new ArgumentException("A role assignment needs RoleDefinitionName or RoleDefinitionId.", nameof(roleDefinitionName));
        static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s!.Trim();
        var role = Clean(roleDefinitionId) ?? Clean(roleDefinitionName)!;
        return new AzRoleMapping
        {
            MappingId = "assignment:" + scope.Trim().ToLowerInvariant() + "|" + role.ToLowerInvariant() + "|" + (Clean(objectId) ?? "").ToLowerInvariant(),
            Surface = IdentitySurface.Workload,
            Kind = MappingKind.RoleAssignment,
            Strategy = MappingStrategy.BuiltIn,
            RoleDefinitionName = Clean(roleDefinitionName),
            RoleDefinitionId = Clean(roleDefinitionId),
            Scope = scope.Trim(),
            ObjectId = Clean(objectId),
            AzureFeature = "Role assignment of " + role + " at " + scope.Trim(),
            Reason = "Piped by property name (RoleDefinitionName, RoleDefinitionId, Scope, ObjectId).",
        };
    }

    private static string ToJson(object tree)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream)) Write(w, tree, 0);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter w, object? value, int depth)
    {
        if (depth > 64) throw new JsonException("The object is nested more than 64 levels deep.");
        switch (value)
        {
            case null: w.WriteNullValue(); return;
            case string s: w.WriteStringValue(s); return;
            case bool b: w.WriteBooleanValue(b); return;
            case Enum e: w.WriteStringValue(e.ToString()); return;
            case DateTime d: w.WriteStringValue(d.ToString("o", CultureInfo.InvariantCulture)); return;
            case DateTimeOffset d: w.WriteStringValue(d.ToString("o", CultureInfo.InvariantCulture)); return;
            case char c: w.WriteStringValue(c.ToString()); return;
            case byte or sbyte or short or ushort or int or uint or long:
                w.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); return;
            case ulong u: w.WriteNumberValue(u); return;
            case float or double: w.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture)); return;
            case decimal m: w.WriteNumberValue(m); return;
            case IDictionary dict:
                w.WriteStartObject();
                foreach (DictionaryEntry e in dict) { w.WritePropertyName(Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? ""); Write(w, e.Value, depth + 1); }
                w.WriteEndObject();
                return;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                w.WriteStartObject();
                foreach (var p in pairs) { w.WritePropertyName(p.Key); Write(w, p.Value, depth + 1); }
                w.WriteEndObject();
                return;
            case IEnumerable list when value.GetType().Namespace?.StartsWith("LambdaIdentity.", StringComparison.Ordinal) != true:
                w.WriteStartArray();
                foreach (var item in list) Write(w, item, depth + 1);
                w.WriteEndArray();
                return;
            default:
                // A model object itself (a real record nested in a property bag): the JSON contract writes it.
                JsonSerializer.Serialize(w, value, value.GetType(), ModelJson.Options);
                return;
        }
    }
}

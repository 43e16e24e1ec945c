using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using LambdaIdentity.Core.Serialization;

namespace LambdaIdentity.PowerShell;

/// <summary>
/// Registered in LambdaIdentity.Types.ps1xml for the records that flow between cmdlets, so that a deserialised
/// copy of one (ConvertFrom-Json of our JSON, Import-Clixml, a remoting result) converts back into the record
/// when it is bound to an -InputObject: the property bag becomes a property tree and the engine rebuilds the
/// record (PipelineRecords). Objects that are not such copies are left to PowerShell's other conversions.
/// </summary>
public sealed class ModelRecordConverter : PSTypeConverter
{
    [ThreadStatic] private static List<ConversionFailure>? _failures;

    /// <summary>A copy of a record that could not be converted back: what it was and what was lost.</summary>
    public sealed record ConversionFailure(object Source, Type RecordType, string Target, string Message, Exception Exception);

    /// <summary>
    /// Every property bag (PSCustomObject, a deserialised object) is claimed for the record types, so PowerShell never
    /// falls back to its own property-setting conversion, which would make a half-filled record of any bag whose
    /// property names happen to be record properties. A bag that is not a copy of the record is refused in
    /// <see cref="ConvertFrom(object, Type, IFormatProvider, bool)"/>, so binding goes on by property name.
    /// </summary>
    public override bool CanConvertFrom(object sourceValue, Type destinationType)
        => sourceValue is PSObject pso && PipelineRecords.RecordTypes.Contains(destinationType) && IsBag(pso);

    /// <inheritdoc />
    public override bool CanConvertFrom(PSObject sourceValue, Type destinationType) => CanConvertFrom((object)sourceValue, destinationType);

    /// <summary>
    /// Rebuilds the record from a copy of it. A copy that cannot be rebuilt (written too shallow, a value of the wrong
    /// kind) throws and is remembered, so the cmdlet it was piped to reports it as an error record instead of
    /// binding what is left of it by property name.
    /// </summary>
    public override object ConvertFrom(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
    {
        var pso = sourceValue as PSObject;
        if (pso is null || !PipelineRecords.IsCopyOf(destinationType, pso.Properties.Select(p => p.Name)))
            throw new PSInvalidCastException("The object is not a copy of a " + destinationType.Name + " record.");
        try { return PipelineRecords.FromPropertyTree(destinationType, ToTree(sourceValue, 0) ?? throw new ArgumentNullException(nameof(sourceValue))); }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            var target = TargetOf(pso, destinationType);
            var message = "A copy of the " + destinationType.Name + " record '" + target + "' could not be converted back, so it was not used: " + ex.Message
                + " (Export-Clixml, Start-Job and remoting keep it whole; ConvertTo-Json needs -Depth 8 or more.)";
            var failures = _failures ??= new List<ConversionFailure>();
            if (!failures.Any(f => ReferenceEquals(f.Source, pso.BaseObject) && f.RecordType == destinationType))
                failures.Add(new ConversionFailure(pso.BaseObject, destinationType, target, message, ex));
            throw new PSInvalidCastException(message, ex);
        }
    }

    /// <summary>The conversion failures since the last call on this thread (the pipeline thread binds parameters).</summary>
    public static IReadOnlyList<ConversionFailure> TakeFailures()
    {
        var f = _failures;
        _failures = null;
        return (IReadOnlyList<ConversionFailure>?)f ?? Array.Empty<ConversionFailure>();
    }

    private static string TargetOf(PSObject pso, Type recordType)
    {
        foreach (var name in new[] { "MappingId", "FunctionArn", "FunctionName", "FunctionAppName" })
            if (pso.Properties[name]?.Value is { } v && v.ToString() is { Length: > 0 } text) return text;
        return recordType.Name;
    }

    private static bool IsBag(PSObject pso) => pso.BaseObject is PSCustomObject;

    /// <inheritdoc />
    public override object ConvertFrom(PSObject sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
        => ConvertFrom((object)sourceValue, destinationType, formatProvider, ignoreCase);

    /// <inheritdoc />
    public override bool CanConvertTo(object sourceValue, Type destinationType) => false;

    /// <inheritdoc />
    public override object ConvertTo(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
        => throw new PSInvalidCastException("LambdaIdentity records convert only from their own deserialised copies.");

    /// <summary>
    /// A property bag becomes a dictionary, a collection a list, a deserialised enum its name, anything else stays as
    /// it is. A deserialised copy that was cut at its depth holds the type's name as a string where an object was:
    /// the record rebuild then fails on it (never a silent default).
    /// </summary>
    internal static object? ToTree(object? value, int depth)
    {
        if (depth > 64) throw new ArgumentException("The object is nested more than 64 levels deep.");
        if (value is PSObject pso)
        {
            if (pso.BaseObject is PSCustomObject)
            {
                if (pso.TypeNames.Contains("Deserialized.System.Enum")) return pso.ToString();
                var bag = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
                foreach (var p in pso.Properties) bag[p.Name] = ToTree(p.Value, depth + 1);
                return bag;
            }
            // A deserialised enum keeps its value and its name (Clixml, jobs): the name is what the records read.
            if (pso.TypeNames.Contains("Deserialized.System.Enum")) return pso.ToString();
            return ToTree(pso.BaseObject, depth + 1);
        }
        switch (value)
        {
            case null: return null;
            case string s: return s;
            case Enum e: return e.ToString();
            case IDictionary dict:
                var d = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
                foreach (DictionaryEntry e in dict) d[e.Key?.ToString() ?? ""] = ToTree(e.Value, depth + 1);
                return d;
            case IEnumerable list when value.GetType().Namespace?.StartsWith("LambdaIdentity.", StringComparison.Ordinal) != true:
                return list.Cast<object?>().Select(i => ToTree(i, depth + 1)).ToList();
            default: return value;
        }
    }
}

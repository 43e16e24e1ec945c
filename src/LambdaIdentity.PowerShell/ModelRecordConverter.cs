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
    /// <inheritdoc />
    public override bool CanConvertFrom(object sourceValue, Type destinationType)
        => sourceValue is PSObject pso && PipelineRecords.RecordTypes.Contains(destinationType) && PipelineRecords.IsCopyOf(destinationType, pso.Properties.Select(p => p.Name));

    /// <inheritdoc />
    public override bool CanConvertFrom(PSObject sourceValue, Type destinationType) => CanConvertFrom((object)sourceValue, destinationType);

    /// <inheritdoc />
    public override object ConvertFrom(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
    {
        try { return PipelineRecords.FromPropertyTree(destinationType, ToTree(sourceValue, 0) ?? throw new ArgumentNullException(nameof(sourceValue))); }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or ArgumentException or NotSupportedException)
        {
            throw new PSInvalidCastException("The object is not a " + destinationType.Name + " record: " + ex.Message, ex);
        }
    }

    /// <inheritdoc />
    public override object ConvertFrom(PSObject sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
        => ConvertFrom((object)sourceValue, destinationType, formatProvider, ignoreCase);

    /// <inheritdoc />
    public override bool CanConvertTo(object sourceValue, Type destinationType) => false;

    /// <inheritdoc />
    public override object ConvertTo(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
        => throw new PSInvalidCastException("LambdaIdentity records convert only from their own deserialised copies.");

    /// <summary>A property bag becomes a dictionary, a collection a list, anything else stays as it is.</summary>
    internal static object? ToTree(object? value, int depth)
    {
        if (depth > 64) throw new ArgumentException("The object is nested more than 64 levels deep.");
        if (value is PSObject pso)
        {
            var isBag = pso.BaseObject is PSCustomObject || pso.TypeNames.Any(t => t.StartsWith("Deserialized.", StringComparison.Ordinal));
            if (!isBag) return ToTree(pso.BaseObject, depth + 1);
            var bag = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            foreach (var p in pso.Properties) bag[p.Name] = ToTree(p.Value, depth + 1);
            return bag;
        }
        switch (value)
        {
            case null: return null;
            case string s: return s;
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

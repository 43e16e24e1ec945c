using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LambdaIdentity.Core.Serialization;

/// <summary>
/// The one JSON contract of both fronts: property names are the objects' property names (PascalCase),
/// enums are strings, nulls are left out.
/// </summary>
public static class ModelJson
{
    /// <summary>Options for writing and reading model records.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions
        {
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            PropertyNameCaseInsensitive = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        o.Converters.Add(new JsonStringEnumConverter());
        return o;
    }

    /// <summary>Serialises records as a JSON array.</summary>
    public static string Serialize<T>(IEnumerable<T> items) => JsonSerializer.Serialize(new List<T>(items), Options);

    /// <summary>
    /// Writes records as a JSON array straight to the stream, record by record (the same bytes as <see cref="Serialize{T}"/>
    /// in UTF-8): at most about 64 KiB is held before it is flushed, never the whole document.
    /// </summary>
    public static void Write<T>(Stream stream, IEnumerable<T> items)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = Options.WriteIndented, Encoder = Options.Encoder });
        w.WriteStartArray();
        foreach (var item in items)
        {
            JsonSerializer.Serialize(w, item, Options);
            if (w.BytesPending > FlushBytes) w.Flush();
        }
        w.WriteEndArray();
        w.Flush();
    }

    private const int FlushBytes = 1 << 16;

    /// <summary>Reads a JSON array of records (or a single record).</summary>
    public static List<T> Read<T>(string json)
    {
        var trimmed = json.TrimStart();
        if (trimmed.StartsWith("[")) return JsonSerializer.Deserialize<List<T>>(json, Options) ?? new List<T>();
        var one = JsonSerializer.Deserialize<T>(json, Options);
        return one is null ? new List<T>() : new List<T> { one };
    }
}

using System;
using System.Collections.Generic;
using System.Text.Json;

namespace LambdaIdentity.Core.Azure;

/// <summary>Small helpers for reading ARM and az CLI JSON, whose property casing varies.</summary>
internal static class Json
{
    /// <summary>
    /// The Entra object a Microsoft Graph URL names: a list's @odata.context (...#applications('&lt;id&gt;')/...) or an
    /// item's @odata.id (...Microsoft.DirectoryServices.Application('&lt;id&gt;')/...); null when it names none.
    /// </summary>
    public static string? GraphOwner(string url)
    {
        foreach (var marker in new[] { "applications('", "servicePrincipals('", "Application('", "ServicePrincipal('" })
        {
            var i = url.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (i < 0) continue;
            var start = i + marker.Length;
            var end = url.IndexOf('\'', start);
            if (end > start) return url.Substring(start, end - start);
        }
        return null;
    }

    /// <summary>A property by name, ignoring case; default when absent or when the element is not an object.</summary>
    public static JsonElement Get(this JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object) return default;
        if (e.TryGetProperty(name, out var v)) return v;
        foreach (var p in e.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return p.Value;
        return default;
    }

    /// <summary>Follows a dotted path of property names.</summary>
    public static JsonElement Path(this JsonElement e, params string[] names)
    {
        foreach (var n in names) { e = e.Get(n); if (e.ValueKind == JsonValueKind.Undefined) return e; }
        return e;
    }

    /// <summary>A string property (numbers and booleans as their text), or null.</summary>
    public static string? Str(this JsonElement e, string name)
    {
        var v = e.Get(name);
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
            _ => null,
        };
    }

    /// <summary>A boolean property (also "true"/"false" strings), or the fallback.</summary>
    public static bool Bool(this JsonElement e, string name, bool fallback = false)
    {
        var v = e.Get(name);
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String => bool.TryParse(v.GetString(), out var b) ? b : fallback,
            _ => fallback,
        };
    }

    /// <summary>A string array property (a single string counts as one), never null.</summary>
    public static List<string> Strings(this JsonElement e, string name)
    {
        var list = new List<string>();
        var v = e.Get(name);
        if (v.ValueKind == JsonValueKind.Array)
        {
            foreach (var x in v.EnumerateArray()) if (x.ValueKind == JsonValueKind.String) list.Add(x.GetString()!);
        }
        else if (v.ValueKind == JsonValueKind.String) list.Add(v.GetString()!);
        return list;
    }

    /// <summary>ARM resources nest their fields under "properties"; az CLI flattens most of them. This returns whichever holds them.</summary>
    public static JsonElement Props(this JsonElement e)
    {
        var p = e.Get("properties");
        return p.ValueKind == JsonValueKind.Object ? p : e;
    }

    /// <summary>The last segment of a resource id (a role definition GUID from its full id), lower case.</summary>
    public static string LastSegment(string? id)
    {
        if (string.IsNullOrEmpty(id)) return "";
        var s = id!.TrimEnd('/');
        var i = s.LastIndexOf('/');
        return (i >= 0 ? s.Substring(i + 1) : s).ToLowerInvariant();
    }

    /// <summary>The site name inside a Microsoft.Web/sites/... resource id, or null.</summary>
    public static string? SiteNameFromId(string? id)
    {
        if (string.IsNullOrEmpty(id)) return null;
        var parts = id!.Split('/');
        for (var i = 0; i + 2 < parts.Length; i++)
            if (parts[i].Equals("Microsoft.Web", StringComparison.OrdinalIgnoreCase) && parts[i + 1].Equals("sites", StringComparison.OrdinalIgnoreCase))
                return parts[i + 2];
        return null;
    }
}

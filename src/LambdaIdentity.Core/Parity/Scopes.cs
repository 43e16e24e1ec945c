using System;

namespace LambdaIdentity.Core.Parity;

/// <summary>How one scope relates to another.</summary>
internal enum ScopeRelation { Same, Ancestor, Descendant, Unrelated }

/// <summary>Azure scopes are resource ids, compared case-insensitively; a parent scope covers its children.</summary>
internal static class Scopes
{
    /// <summary>The normalised prefix of management group scopes.</summary>
    public const string ManagementGroups = "/providers/microsoft.management/managementgroups/";

    /// <summary>Lower case, one leading slash, no trailing slash; "/" for the root.</summary>
    public static string Normalize(string scope)
    {
        var s = scope.Trim().Replace('\\', '/').TrimEnd('/').ToLowerInvariant();
        if (s.Length == 0) return "/";
        if (s[0] != '/') s = "/" + s;
        // Cosmos DB SQL role assignments name their scopes in the data-plane form (/dbs/<db>/colls/<container>);
        // the ARM resource IDs of the same database and container (/sqlDatabases/<db>/containers/<container>) are the same scope.
        var cosmos = s.IndexOf("/providers/microsoft.documentdb/databaseaccounts/", StringComparison.Ordinal);
        if (cosmos >= 0 && s.IndexOf("/sqldatabases/", cosmos, StringComparison.Ordinal) > 0)
            s = s.Substring(0, cosmos) + s.Substring(cosmos).Replace("/sqldatabases/", "/dbs/").Replace("/containers/", "/colls/");
        return s;
    }

    /// <summary>How a (normalised) relates to b (normalised): Ancestor when a covers b.</summary>
    public static ScopeRelation Relation(string a, string b)
    {
        if (a == b) return ScopeRelation.Same;
        // The management group hierarchy is not read: a management group is assumed to cover any subscription scope.
        var aGroup = a.StartsWith(ManagementGroups, StringComparison.Ordinal);
        var bGroup = b.StartsWith(ManagementGroups, StringComparison.Ordinal);
        if (aGroup && !bGroup) return ScopeRelation.Ancestor;
        if (bGroup && !aGroup) return ScopeRelation.Descendant;
        if (a == "/" || b.StartsWith(a + "/", StringComparison.Ordinal)) return ScopeRelation.Ancestor;
        if (b == "/" || a.StartsWith(b + "/", StringComparison.Ordinal)) return ScopeRelation.Descendant;
        return ScopeRelation.Unrelated;
    }

    /// <summary>The parent scope: drops "/providers/ns/type/name" or "/type/name" pairs, then resource group, then subscription.</summary>
    public static string Parent(string normalized)
    {
        var s = normalized;
        var i = s.LastIndexOf('/');
        if (i <= 0) return "/";
        s = s.Substring(0, i); // drop name
        i = s.LastIndexOf('/');
        if (i <= 0) return "/";
        s = s.Substring(0, i); // drop type (or "subscriptions"/"resourcegroups")
        if (s.EndsWith("/providers", StringComparison.Ordinal))
        {
            // ".../providers/microsoft.web" remains when the type was top level: drop namespace and "providers"
            s = s.Substring(0, s.Length - "/providers".Length);
        }
        else if (s.IndexOf("/providers/", StringComparison.Ordinal) is var p && p >= 0 && s.Substring(p + "/providers/".Length).IndexOf('/') < 0)
        {
            // s = ".../providers/microsoft.web" : drop namespace too
            s = s.Substring(0, p);
        }
        return s.Length == 0 ? "/" : s;
    }
}

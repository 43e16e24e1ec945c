using System;
using System.Collections.Generic;
using LambdaIdentity.Core.Azure;

namespace LambdaIdentity.Core.Parity;

/// <summary>Wildcard-aware comparisons of Azure RBAC action patterns and role permission sets.</summary>
internal static class AzureActionPattern
{
    /// <summary>True when the pattern (with * wildcards; '?' is a literal in Azure operations) matches the text, ignoring case: the engine's one glob matcher.</summary>
    public static bool Matches(string pattern, string text) => Aws.Policy.Wildcard.Match(pattern, text, ignoreCase: true, questionMarkIsWildcard: false);

    /// <summary>True when allowed (minus excluded) covers every operation the action pattern names.</summary>
    public static bool Covers(IReadOnlyList<string> allowed, IReadOnlyList<string> excluded, string action)
    {
        var covered = false;
        foreach (var a in allowed) if (Matches(a, action)) { covered = true; break; }
        if (!covered) return false;
        foreach (var n in excluded)
            if (Matches(n, action) || (action.IndexOf('*') >= 0 && Matches(action, n))) return false;
        return true;
    }

    /// <summary>True when role a grants every action and data action of role b.</summary>
    public static bool IsSuperset(AzureRoleDefinition a, AzureRoleDefinition b)
    {
        foreach (var x in b.Actions) if (!Covers(a.Actions, a.NotActions, x)) return false;
        foreach (var x in b.DataActions) if (!Covers(a.DataActions, a.NotDataActions, x)) return false;
        return true;
    }

    /// <summary>Operations that reveal a function app's keys or its secrets: anyone allowed one can invoke its functions.</summary>
    public static readonly string[] InvokeEquivalentActions =
    {
        "Microsoft.Web/sites/host/listkeys/action",
        "Microsoft.Web/sites/functions/listkeys/action",
        "Microsoft.Web/sites/functions/listsecrets/action",
        "Microsoft.Web/sites/config/list/action",
    };

    /// <summary>The first invoke-equivalent action the role allows, or null.</summary>
    public static string? InvokeAction(AzureRoleDefinition role)
    {
        foreach (var x in InvokeEquivalentActions) if (Covers(role.Actions, role.NotActions, x)) return x;
        return null;
    }
}

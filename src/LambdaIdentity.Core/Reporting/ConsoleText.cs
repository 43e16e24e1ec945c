using System.Text;

namespace LambdaIdentity.Core.Reporting;

/// <summary>
/// Makes any text safe to write to a console or a log: control characters (terminal escape sequences, newlines that
/// would start a line of their own, bidi overrides) become visible \uXXXX text, and Azure Pipelines commands ("##vso[",
/// "##[") inside a value are defused, so a function, role or file name can neither drive the terminal nor issue a
/// pipeline command. Only <see cref="AzureDevOpsCommands"/> writes real commands.
/// </summary>
public static class ConsoleText
{
    /// <summary>The text with every unsafe character made visible and pipeline commands defused; null becomes "".</summary>
    public static string Sanitize(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var clean = true;
        foreach (var c in text!) if (IsUnsafe(c)) { clean = false; break; }
        if (clean && text.IndexOf("##", System.StringComparison.Ordinal) < 0) return text;
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c == '\t') sb.Append(' ');
            else if (IsUnsafe(c)) AppendEscaped(sb, c);
            else sb.Append(c);
        }
        return DefuseCommands(sb.ToString());
    }

    /// <summary>True for characters a console must not receive raw: C0 and C1 controls, DEL, line separators, bidi controls.</summary>
    public static bool IsUnsafe(char c)
        => c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == '\u2028' || c == '\u2029' || c == '\u061C' || c == '\u200E' || c == '\u200F'
           || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');

    /// <summary>Appends the character as visible text: \u001B.</summary>
    public static void AppendEscaped(StringBuilder sb, char c) => sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Breaks "##vso[" and "##[" (any case) so the Azure Pipelines agent does not read them as commands.</summary>
    public static string DefuseCommands(string text)
    {
        if (text.IndexOf("##", System.StringComparison.Ordinal) < 0) return text;
        var sb = new StringBuilder(text.Length + 4);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '#' && i + 1 < text.Length && text[i + 1] == '#'
                && (At(text, i + 2, "vso[") || At(text, i + 2, "[")))
            {
                sb.Append("# #");
                i++;
                continue;
            }
            sb.Append(text[i]);
        }
        return sb.ToString();
    }

    private static bool At(string text, int index, string what)
        => index + what.Length <= text.Length && string.Compare(text, index, what, 0, what.Length, System.StringComparison.OrdinalIgnoreCase) == 0;
}

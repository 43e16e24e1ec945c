using System.Text;

namespace LambdaIdentity.HelpGen;

/// <summary>helpgen &lt;docs/cmdlets folder&gt; &lt;output -Help.xml&gt;: compiles every page, or fails naming each problem.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: LambdaIdentity.HelpGen <docs/cmdlets folder> <output LambdaIdentity.PowerShell.dll-Help.xml>");
            return 2;
        }
        var (xml, problems) = Compile(args[0]);
        foreach (var p in problems) Console.Error.WriteLine(p);
        if (problems.Count > 0) return 1;
        WriteIfChanged(args[1], xml);
        return 0;
    }

    /// <summary>Reads every *.md page of the folder into one MAML document.</summary>
    internal static (string Xml, List<string> Problems) Compile(string folder)
    {
        var problems = new List<string>();
        if (!Directory.Exists(folder)) return ("", new List<string> { $"{folder}: error HELP002: the docs folder does not exist" });
        var pages = Directory.GetFiles(folder, "*.md").OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => MarkdownHelpReader.Read(f, File.ReadAllText(f), problems)).ToList();
        if (pages.Count == 0) problems.Add($"{folder}: error HELP002: no *.md pages");
        return (MamlWriter.Write(pages), problems);
    }

    /// <summary>Writes through a temporary file and a move, and leaves an identical file untouched (incremental builds).</summary>
    private static void WriteIfChanged(string path, string text)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        if (File.Exists(full) && File.ReadAllText(full) == text) { File.SetLastWriteTimeUtc(full, DateTime.UtcNow); return; }
        var temp = full + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, text, new UTF8Encoding(false));
        File.Move(temp, full, overwrite: true);
    }
}

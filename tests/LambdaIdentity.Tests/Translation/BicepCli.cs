using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace LambdaIdentity.Tests.Translation;

/// <summary>
/// The real Bicep compiler (the Azure.Bicep.CommandLine.linux-x64 package the test project downloads at restore).
/// Tests fail, never skip, when it is missing: a green run must mean the templates were compiled.
/// </summary>
internal static class BicepCli
{
    private static readonly Regex Diagnostic = new(@"^(?<file>.+?)\((?<line>\d+),(?<col>\d+)\) : (?<level>Error|Warning|Info) (?<code>[\w-]+): (?<text>.*)$", RegexOptions.Multiline | RegexOptions.CultureInvariant);

    /// <summary>The bicep executable of the restored package, made executable (NuGet may drop the mode bits).</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepCli").Value!;
        if (!File.Exists(path)) throw new InvalidOperationException("The Bicep CLI was not restored at " + path + " (PackageDownload Azure.Bicep.CommandLine.linux-x64 in the test project).");
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & UnixFileMode.UserExecute) == 0) File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        return path;
    }

    /// <summary>One diagnostic the compiler or linter reported.</summary>
    public sealed record Finding(string File, int Line, string Level, string Code, string Text)
    {
        public override string ToString() => System.IO.Path.GetFileName(File) + "(" + Line + ") " + Level + " " + Code + ": " + Text;
    }

    /// <summary>Runs bicep with the arguments; returns the exit code and every diagnostic line (stdout and stderr).</summary>
    public static (int ExitCode, List<Finding> Findings, string Output) Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["BICEP_TRACING_ENABLED"] = "false";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(600_000)) { p.Kill(true); throw new TimeoutException("bicep " + string.Join(" ", args) + " ran more than 10 minutes"); }
        var all = output + "\n" + err.Result;
        var findings = Diagnostic.Matches(all).Select(m => new Finding(m.Groups["file"].Value, int.Parse(m.Groups["line"].Value), m.Groups["level"].Value, m.Groups["code"].Value, m.Groups["text"].Value.Trim())).ToList();
        return (p.ExitCode, findings, all);
    }
}

using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace LambdaIdentity.Tests.Host;

/// <summary>
/// Runs PowerShell in the real host: the pwsh 7.6.10 of the repository's local tool manifest
/// (.config/dotnet-tools.json, restored by <c>dotnet tool restore</c>), started as <c>dotnet tool run pwsh</c> from the
/// repository root. Nothing here skips: when pwsh or Pester cannot start, the run fails and says why.
/// </summary>
public static class PesterHost
{
    /// <summary>Pester.psd1 of the Pester package the test project restores as a PackageDownload.</summary>
    public static string PesterManifest { get; } =
        typeof(PesterHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PesterManifest").Value!;

    /// <summary>The importable module the build assembled.</summary>
    public static string ModuleManifest => Path.Combine(TestPaths.RepoRoot, "out", "LambdaIdentity", "LambdaIdentity.psd1");

    /// <summary>The outcome of one pwsh run.</summary>
    public sealed record Run(int ExitCode, string Output, string Errors)
    {
        /// <summary>Everything the run printed, for a failing assertion's message.</summary>
        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Errors}";
    }

    /// <summary>Runs a script file with pwsh -File, from <paramref name="workingDirectory"/> (the repository root by default).</summary>
    public static Run RunFile(string scriptPath, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null)
        => Start(new[] { "-NoProfile", "-NonInteractive", "-File", scriptPath }.Concat(arguments), environment, workingDirectory, timeout);

    /// <summary>Runs a command text with pwsh -Command (passed encoded, so no quoting rules apply).</summary>
    public static Run RunCommand(string command, IDictionary<string, string>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null)
        => Start(new[] { "-NoProfile", "-NonInteractive", "-EncodedCommand", Convert.ToBase64String(Encoding.Unicode.GetBytes(command)) }, environment, workingDirectory, timeout);

    private static Run Start(IEnumerable<string> pwshArguments, IDictionary<string, string>? environment, string? workingDirectory, TimeSpan? timeout)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet)) dotnet = "dotnet";
        var psi = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            // The tool manifest is found from the working directory up; `tool run` must start at the repository.
            WorkingDirectory = TestPaths.RepoRoot,
        };
        psi.ArgumentList.Add("tool");
        psi.ArgumentList.Add("run");
        psi.ArgumentList.Add("pwsh");
        psi.ArgumentList.Add("--");
        if (workingDirectory is not null)
        {
            // pwsh has no -WorkingDirectory before -File on every version; set the location first instead.
            psi.ArgumentList.Add("-WorkingDirectory");
            psi.ArgumentList.Add(workingDirectory);
        }
        foreach (var a in pwshArguments) psi.ArgumentList.Add(a);
        psi.Environment["LAMBDAIDENTITY_SHARED_DATA"] = TestPaths.SharedData;
        psi.Environment["LAMBDAIDENTITY_PESTER"] = PesterManifest;
        psi.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["POWERSHELL_UPDATECHECK"] = "Off";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + dotnet);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pwsh did not finish in {timeout ?? TimeSpan.FromMinutes(10)}:\n{stdout.Result}\n{stderr.Result}");
        }
        process.WaitForExit();
        return new Run(process.ExitCode, stdout.Result, stderr.Result);
    }
}

using System.CommandLine;

namespace LambdaIdentity.Cli;

/// <summary>One CLI verb: one class under Verbs/, found by reflection.</summary>
public interface ICliVerb
{
    /// <summary>Builds the command; its action writes through <paramref name="io"/>.</summary>
    Command Build(CliIO io);
}

/// <summary>`lambda-identity`: the module's verbs for bash agents and containers.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error, Console.In);

    /// <summary>Runs the CLI with the given streams (tests call this directly).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin)
    {
        var io = new CliIO(stdout, stderr, stdin);
        var root = new RootCommand("LambdaIdentity: carry AWS Lambda identity and access to Azure Functions.");
        var verbs = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(ICliVerb).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .Select(t => ((ICliVerb)Activator.CreateInstance(t)!).Build(io))
            .OrderBy(c => c.Name, StringComparer.Ordinal);
        foreach (var verb in verbs) root.Subcommands.Add(verb);
        var parsed = root.Parse(args);
        // Usage errors (unknown verb, option or value, a missing required option) exit 64, never 1 ("results fail").
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) io.Note("error: UsageInvalid: " + e.Message);
            io.Note("usage: lambda-identity " + (parsed.CommandResult.Command == root ? "<verb>" : parsed.CommandResult.Command.Name) + " --help");
            return LambdaIdentity.Core.Parity.ExitCodes.Usage;
        }
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return parsed.Invoke(config);
        }
        catch (OperationCanceledException)
        {
            io.Note("error: Cancelled: the run was cancelled.");
            return LambdaIdentity.Core.Parity.ExitCodes.NotEnoughRead;
        }
        catch (Exception ex)
        {
            // No stack trace reaches a user: one line with what failed; the exit code says it is the tool's defect.
            io.Note("error: InternalError: " + ex.GetType().Name + ": " + ex.Message + " (please report this; run with --verbose for details)");
            if (io.VerboseEnabled) io.Note("verbose: " + ex);
            return LambdaIdentity.Core.Parity.ExitCodes.Internal;
        }
    }
}

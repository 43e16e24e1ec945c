using System.CommandLine;

namespace LambdaIdentity.Cli;

/// <summary>`lambda-identity`: the module's verbs for bash agents and containers.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args) => Run(args, System.Console.Out, System.Console.Error, System.Console.In);

    /// <summary>Runs the CLI with the given streams (tests call this directly).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin)
    {
        var io = new CliIO(stdout, stderr, stdin);
        var root = new RootCommand("LambdaIdentity: carry AWS Lambda identity and access to Azure Functions.");
        // One verb, one file under Verbs/; register it here.
        foreach (var verb in Verbs(io)) root.Subcommands.Add(verb);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        return root.Parse(args).Invoke(config);
    }

    private static IEnumerable<Command> Verbs(CliIO io)
    {
        yield break;
    }
}

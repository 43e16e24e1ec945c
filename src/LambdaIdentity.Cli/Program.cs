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
        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        return root.Parse(args).Invoke(config);
    }
}

using System.Diagnostics;

namespace LambdaIdentity.Benchmarks;

/// <summary>A benchmark: a name and a body that prints its own figures.</summary>
public interface IBenchmark
{
    /// <summary>The name given on the command line.</summary>
    string Name { get; }
    /// <summary>Runs and prints figures (ratios to a baseline measured in the same run).</summary>
    void Run(TextWriter output);
}

public static class Program
{
    // One benchmark, one file: every IBenchmark class is found by reflection.
    private static readonly IBenchmark[] All = typeof(Program).Assembly.GetTypes()
        .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
        .Select(t => (IBenchmark)Activator.CreateInstance(t)!).OrderBy(b => b.Name).ToArray();

    public static int Main(string[] args)
    {
        var chosen = args.Length == 0 ? All : All.Where(b => args.Contains(b.Name, StringComparer.OrdinalIgnoreCase)).ToArray();
        if (chosen.Length == 0) { Console.Error.WriteLine("benchmarks: " + string.Join(", ", All.Select(b => b.Name))); return 2; }
        foreach (var b in chosen) { Console.WriteLine("## " + b.Name); b.Run(Console.Out); }
        return 0;
    }

    /// <summary>Times an action: best of n runs, in milliseconds.</summary>
    public static double BestOf(int n, Action action)
    {
        var best = double.MaxValue;
        for (var i = 0; i < n; i++)
        {
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            var sw = Stopwatch.StartNew(); action(); sw.Stop();
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }
        return best;
    }
}

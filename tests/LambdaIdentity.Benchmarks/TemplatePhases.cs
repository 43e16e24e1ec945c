using System.Diagnostics;
using System.Text;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Aws.Sources.Templates;

namespace LambdaIdentity.Benchmarks;

/// <summary>
/// Template reading by phase, in one process: the bare YAML event parse, the load into the reader's node model, the
/// function extraction (intrinsics and parameters resolved there), and the join onto records, each with its time and
/// the bytes it allocates. Per function, so a phase whose cost grows with the template's size shows at once.
/// </summary>
internal static class TemplatePhases
{
    public sealed record Phase(string Name, double Ms, long Allocated, double GcPauseMs, int Gen2);

    /// <summary>Runs each phase over the generated template of n functions (after warm-up): the median time and the allocation of one run.</summary>
    public static List<Phase> Measure(string yamlText, string file, int runs)
    {
        var phases = new List<Phase>
        {
            Time("bare YAML parse", runs, () => { var p = new YamlDotNet.Core.Parser(new StringReader(yamlText)); while (p.MoveNext()) { } }),
            Time("load (node model)", runs, () => TemplateLoader.Load(new StringReader(yamlText))),
        };
        var root = (TMap)TemplateLoader.Load(new StringReader(yamlText));
        phases.Add(Time("extract (resolve + drafts)", runs, () => new TemplateReader(root, file, new InventoryOptions(), EngineContext.None).Read().Count()));
        phases.Add(Time("join onto records", runs, () =>
        {
            var drafts = new TemplateReader(root, file, new InventoryOptions(), EngineContext.None).Read().ToList();
            var sw = Stopwatch.StartNew();
            InventoryReader.Complete(drafts, new AccountAuthorization(), new InventoryOptions(), EngineContext.None);
            return sw.Elapsed.TotalMilliseconds;
        }, timedInside: true));
        return phases;
    }

    private static Phase Time(string name, int runs, Action action) => Time(name, runs, () => { action(); return -1; }, timedInside: false);

    private static Phase Time(string name, int runs, Func<double> action, bool timedInside)
    {
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 3 || (warm.ElapsedMilliseconds < 1000 && i < 50); i++) action();
        var times = new List<double>();
        long allocated = 0; double pause = 0; int gen2 = 0;
        for (var i = 0; i < runs; i++)
        {
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            var before = GC.GetAllocatedBytesForCurrentThread();
            var pauseBefore = GC.GetTotalPauseDuration(); var gen2Before = GC.CollectionCount(2);
            var sw = Stopwatch.StartNew();
            var inside = action();
            sw.Stop();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            pause = (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds; gen2 = GC.CollectionCount(2) - gen2Before;
            times.Add(timedInside ? inside : sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return new Phase(name, times[times.Count / 2], allocated, pause, gen2);
    }
}

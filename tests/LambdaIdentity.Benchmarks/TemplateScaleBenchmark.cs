using System.Diagnostics;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Sources;

namespace LambdaIdentity.Benchmarks;

/// <summary>
/// One template of many functions (each with a Lambda permission naming it by !Ref), generated below, read at two
/// sizes: time and peak managed heap as ratios to a bare YAML event parse of the same bytes in the same run, and the
/// time per function of the large size against the small one (1.0 is linear; the reader was quadratic: 453 s for 50,000).
/// </summary>
public sealed class TemplateScaleBenchmark : IBenchmark
{
    public string Name => "template-scale";

    public void Run(TextWriter output)
    {
        var dir = Path.Combine(Path.GetTempPath(), "li-bench-template-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            double? perFunctionSmall = null;
            foreach (var n in (Environment.GetEnvironmentVariable("LAMBDAIDENTITY_TEMPLATE_SIZES") is { Length: > 0 } s ? s : "5000,50000").Split(',').Select(int.Parse))
            {
                var file = Path.Combine(dir, $"functions-{n}.yaml");
                File.WriteAllText(file, EstateGenerator.Template(n)); // n SAM functions, each with its own policy and an S3 permission by !Ref
                var bytes = new FileInfo(file).Length;
                var (baseMs, basePeak) = Measure(() => { var p = new YamlDotNet.Core.Parser(new StringReader(File.ReadAllText(file))); while (p.MoveNext()) { } });
                int records = 0;
                var (ms, peak) = Measure(() => records = new InventoryReader().Read(new[] { file }, new InventoryOptions(), EngineContext.None).Count());
                var perFunction = ms / n;
                perFunctionSmall ??= perFunction;
                output.WriteLine($"{n} functions in one template: {bytes / 1024.0 / 1024.0:F1} MiB, {records} records");
                output.WriteLine($"  inventory {ms:F0} ms, peak managed heap {peak / 1024.0 / 1024.0:F0} MiB; bare parse {baseMs:F0} ms, {basePeak / 1024.0 / 1024.0:F0} MiB");
                output.WriteLine($"  ratio time {ms / baseMs:F1}x, ratio peak heap {(double)peak / basePeak:F1}x, peak heap / input {(double)peak / bytes:F1}x, time per function vs 5,000: {perFunction / perFunctionSmall.Value:F2}x");
                foreach (var ph in TemplatePhases.Measure(File.ReadAllText(file), file, runs: 3))
                    output.WriteLine($"  phase {ph.Name}: {ph.Ms:F0} ms ({ph.Ms * 1000 / n:F1} us/function), {ph.Allocated / 1048576.0:F1} MiB allocated ({ph.Allocated / (double)n:F0} B/function), GC pause {ph.GcPauseMs:F0} ms, {ph.Gen2} gen2");
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>One run after a warm-up on nothing: elapsed ms and the peak managed heap above the floor, sampled every 5 ms.</summary>
    private static (double Ms, long PeakBytes) Measure(Action action)
    {
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        var floor = GC.GetTotalMemory(true);
        long peak = 0;
        using var stop = new CancellationTokenSource();
        var sampler = new Thread(() => { while (!stop.IsCancellationRequested) { peak = Math.Max(peak, GC.GetTotalMemory(false) - floor); Thread.Sleep(5); } }) { IsBackground = true };
        sampler.Start();
        var sw = Stopwatch.StartNew();
        action();
        sw.Stop();
        stop.Cancel();
        sampler.Join();
        return (sw.Elapsed.TotalMilliseconds, Math.Max(peak, 1));
    }
}

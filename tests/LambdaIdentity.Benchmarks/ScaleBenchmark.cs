namespace LambdaIdentity.Benchmarks;

/// <summary>
/// The scale curve of issue 17 at 500 / 5,000 / 20,000 / 50,000 functions (sizes can be given in
/// LAMBDAIDENTITY_SCALE_SIZES, e.g. "500,5000"), all in one process, with the aims checked on the printed ratios.
/// Also the issue 13 case: grants of one role with a 10,000-statement policy.
/// </summary>
public sealed class ScaleBenchmark : IBenchmark
{
    public string Name => "scale";

    public void Run(TextWriter output)
    {
        var sizes = (Environment.GetEnvironmentVariable("LAMBDAIDENTITY_SCALE_SIZES") is { Length: > 0 } s ? s : "500,5000,20000,50000")
            .Split(',').Select(int.Parse).ToArray();
        var work = Path.Combine(Path.GetTempPath(), "li-bench-scale-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            output.WriteLine("| functions | input MiB | bare parse ms | inventory ms (x parse) | map ms | assess ms (x parse) | parse peak MiB | inventory peak (x) | assess peak (x) | template MiB | template ms (x YAML parse) | template peak (x) |");
            output.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
            var points = new List<ScaleCurve.Point>();
            foreach (var n in sizes)
            {
                var p = ScaleCurve.Measure(work, n, runs: n >= 20000 ? 3 : 5);
                points.Add(p);
                output.WriteLine($"| {n:N0} | {p.InputBytes / 1048576.0:F1} | {p.ParseMs:F0} | {p.InventoryMs:F0} ({p.InventoryRatio:F2}x) | {p.MapMs:F0} | {p.AssessMs:F0} ({p.AssessRatio:F2}x) | {p.ParsePeak / 1048576.0:F0} | {p.InventoryPeak / 1048576.0:F0} ({p.InventoryPeakRatio:F2}x) | {p.AssessPeak / 1048576.0:F0} ({p.AssessPeakRatio:F2}x) | {p.TemplateBytes / 1048576.0:F1} | {p.TemplateMs:F0} ({p.TemplateRatio:F2}x) | {p.TemplatePeak / 1048576.0:F0} ({p.TemplatePeakRatio:F2}x) |");
                output.WriteLine($"  records {p.Records}, mapping items {p.MappingItems}, template records {p.TemplateRecords}; one assess by phase: {string.Join(", ", p.AssessPhases.Select(kv => $"{kv.Key} {kv.Value:F0} ms"))}");
                output.Flush();
            }
            var first = points[0]; var last = points[^1];
            output.WriteLine($"aim inventory < 3x parse at every size: {(points.All(p => p.InventoryRatio < 3) ? "holds" : "MISSED")} ({string.Join(", ", points.Select(p => p.InventoryRatio.ToString("F2") + "x"))})");
            if (points.FirstOrDefault(p => p.Functions == 20000) is { } at20k)
                output.WriteLine($"aim assess < 5x parse at 20,000: {(at20k.AssessRatio < 5 ? "holds" : "MISSED")} ({at20k.AssessRatio:F2}x)");
            output.WriteLine($"aim peak memory < 3x parse's: inventory {(points.All(p => p.InventoryPeakRatio < 3) ? "holds" : "MISSED")}, assess {(points.All(p => p.AssessPeakRatio < 3) ? "holds" : "MISSED")}");
            output.WriteLine($"aim linear (largest ratio within 20% of smallest): inventory {last.InventoryRatio / first.InventoryRatio:F2}, assess {last.AssessRatio / first.AssessRatio:F2}, template {last.TemplateRatio / first.TemplateRatio:F2}");
            output.WriteLine($"aim template reading < 3x a bare YAML parse: {(points.All(p => p.TemplateRatio < 3) ? "holds" : "MISSED")} ({string.Join(", ", points.Select(p => p.TemplateRatio.ToString("F2") + "x"))})");
        }
        finally { Directory.Delete(work, recursive: true); }

        // A fresh role (fresh documents) per run: the deriver memoises results per document. Generated outside the timing.
        LambdaIdentity.Core.Aws.Policy.GrantDeriver.Default.Derive(EstateGenerator.BigPolicyRole(100), LambdaIdentity.Core.EngineContext.None);
        foreach (var statements in new[] { 1_000, 10_000 })
        {
            var times = new List<double>();
            long allocated = 0; var grants = 0;
            for (var run = 0; run < 3; run++)
            {
                var role = EstateGenerator.BigPolicyRole(statements);
                GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
                var before = GC.GetAllocatedBytesForCurrentThread();
                var sw = System.Diagnostics.Stopwatch.StartNew();
                grants = LambdaIdentity.Core.Aws.Policy.GrantDeriver.Default.Derive(role, LambdaIdentity.Core.EngineContext.None).Count;
                times.Add(sw.Elapsed.TotalMilliseconds);
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            times.Sort();
            output.WriteLine($"one role, {statements:N0}-statement policy: {grants} grants in {times[1]:F0} ms (median of 3), {allocated / 1048576.0:F1} MiB allocated");
        }
    }
}

using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;

namespace LambdaIdentity.Benchmarks;

/// <summary>
/// One point of the scale curve (issue 17): on a generated estate of n functions, the product's stages timed against a
/// bare System.Text.Json parse of the same export files in the same process, with the peak managed heap of each phase
/// (sampled every 2 ms above the heap left after a full collection). Every phase is run `runs` times; the figure is the
/// median.
/// </summary>
public static class ScaleCurve
{
    /// <summary>What one size measured. Times in milliseconds, peaks in bytes.</summary>
    public sealed record Point(int Functions, long InputBytes, int Records, int MappingItems,
        double ParseMs, long ParsePeak, double InventoryMs, long InventoryPeak, double MapMs, long MapPeak, double AssessMs, long AssessPeak,
        long TemplateBytes, int TemplateRecords, double TemplateParseMs, long TemplateParsePeak, double TemplateMs, long TemplatePeak)
    {
        /// <summary>One assess run's time per phase (ms).</summary>
        public IReadOnlyDictionary<string, double> AssessPhases { get; init; } = new Dictionary<string, double>();
        public double InventoryRatio => InventoryMs / ParseMs;
        public double AssessRatio => AssessMs / ParseMs;
        public double InventoryPeakRatio => (double)InventoryPeak / ParsePeak;
        public double AssessPeakRatio => (double)AssessPeak / ParsePeak;
        public double TemplateRatio => TemplateMs / TemplateParseMs;
        public double TemplatePeakRatio => (double)TemplatePeak / TemplateParsePeak;
    }

    /// <summary>Generates the estate of <paramref name="functions"/> under <paramref name="work"/> and measures it.</summary>
    public static Point Measure(string work, int functions, int runs, bool template = true)
    {
        var estate = EstateGenerator.Write(work, functions);
        try
        {
            var input = estate.AccountFiles.Sum(f => new FileInfo(f).Length);
            var (parseMs, parsePeak) = Timed(runs, () => BareJson(estate.AccountFiles));
            int records = 0, items = 0;
            var (invMs, invPeak) = Timed(runs, () => records = Inventory(estate.AccountFiles).Count);
            var inventory = Inventory(estate.AccountFiles);
            var (mapMs, mapPeak) = Timed(runs, () => items = Map(inventory).Count);
            inventory = null!;
            var outDir = Path.Combine(estate.Root, "out");
            Directory.CreateDirectory(outDir);
            var (assessMs, assessPeak) = Timed(runs, () => Assess(estate.AccountFiles, outDir));
            var phases = new Dictionary<string, double>();
            Assess(estate.AccountFiles, outDir, phases);
            long templateBytes = 0; int templateRecords = 0;
            double tParse = 0, tMs = 0; long tParsePeak = 1, tPeak = 0;
            if (template)
            {
                templateBytes = new FileInfo(estate.TemplateFile).Length;
                (tParse, tParsePeak) = Timed(runs, () => BareYaml(estate.TemplateFile));
                (tMs, tPeak) = Timed(runs, () => templateRecords = new InventoryReader().Read(new[] { estate.TemplateFile }, new InventoryOptions(), EngineContext.None).Count());
            }
            return new Point(functions, input, records, items, parseMs, parsePeak, invMs, invPeak, mapMs, mapPeak, assessMs, assessPeak,
                templateBytes, templateRecords, tParse, tParsePeak, tMs, tPeak) { AssessPhases = phases };
        }
        finally { Directory.Delete(estate.Root, recursive: true); }
    }

    /// <summary>The inventory of the export files (what `inventory --path` reads).</summary>
    public static List<LambdaFunctionIdentity> Inventory(IEnumerable<string> files) =>
        new InventoryReader().Read(files, new InventoryOptions(), EngineContext.None).ToList();

    /// <summary>The mapping of an inventory with the product's deriver and default rules.</summary>
    public static IReadOnlyList<AzRoleMapping> Map(IReadOnlyList<LambdaFunctionIdentity> inventory) =>
        new AzRoleMapper(GrantDeriver.Default, new MappingOptions()).Map(inventory, EngineContext.None);

    /// <summary>
    /// The offline assess through the engine's entry points (what `assess --path --out` does without --azure-state):
    /// inventory, mapping, inventory.json and mapping.json written as streams, the Bicep design, the Markdown report.
    /// </summary>
    public static void Assess(IEnumerable<string> files, string outDir, IDictionary<string, double>? phases = null)
    {
        var sw = Stopwatch.StartNew();
        void Phase(string name) { if (phases is not null) phases[name] = (phases.TryGetValue(name, out var t) ? t : 0) + sw.Elapsed.TotalMilliseconds; sw.Restart(); }
        var inventory = Inventory(files);
        Phase("inventory");
        var mappings = Map(inventory);
        Phase("map");
        using (var fs = File.Create(Path.Combine(outDir, "inventory.json"))) ModelJson.Write(fs, inventory);
        Phase("inventory.json");
        using (var fs = File.Create(Path.Combine(outDir, "mapping.json"))) ModelJson.Write(fs, mappings);
        Phase("mapping.json");
        File.WriteAllText(Path.Combine(outDir, "azure-design.bicep"), MappingTemplateExporter.Export(mappings, TemplateFormat.Bicep));
        Phase("bicep");
        using (var w = new StreamWriter(Path.Combine(outDir, "report.md"), false, new UTF8Encoding(false)))
            MarkdownReport.Write(w, new ReportInput { Inventory = inventory, Mappings = mappings, ParityResults = Array.Empty<IdentityParityResult>(), Errors = Array.Empty<EngineError>() });
        Phase("report.md");
    }

    /// <summary>The baseline: every file parsed into a JsonDocument (and disposed), as a bare reader of the exports would.</summary>
    public static void BareJson(IEnumerable<string> files)
    {
        foreach (var f in files)
        {
            var bytes = File.ReadAllBytes(f);
            using var d = JsonDocument.Parse(bytes);
        }
    }

    /// <summary>The template baseline: YamlDotNet's event parser over the file (no representation built).</summary>
    public static void BareYaml(string file)
    {
        var p = new YamlDotNet.Core.Parser(new StringReader(File.ReadAllText(file)));
        while (p.MoveNext()) { }
    }

    /// <summary>Median time of <paramref name="runs"/> runs after one warm-up, and the highest managed-heap peak above the post-collection floor.</summary>
    public static (double Ms, long Peak) Timed(int runs, Action action)
    {
        // Warm up until tiered JIT has settled (at least 3 calls and 1 s): a baseline timed in unoptimised code is
        // several times too slow, which makes every ratio several times too good.
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 3 || (warm.ElapsedMilliseconds < 1000 && i < 50); i++) action();
        var times = new List<double>();
        long peak = 0;
        for (int i = 0; i < runs; i++)
        {
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            var floor = GC.GetTotalMemory(true);
            long runPeak = 0;
            using var stop = new CancellationTokenSource();
            var sampler = new Thread(() => { while (!stop.IsCancellationRequested) { runPeak = Math.Max(runPeak, GC.GetTotalMemory(false) - floor); Thread.Sleep(2); } }) { IsBackground = true };
            sampler.Start();
            var sw = Stopwatch.StartNew();
            action();
            sw.Stop();
            stop.Cancel(); sampler.Join();
            runPeak = Math.Max(runPeak, GC.GetTotalMemory(false) - floor);
            times.Add(sw.Elapsed.TotalMilliseconds);
            peak = Math.Max(peak, runPeak);
        }
        times.Sort();
        return (times[times.Count / 2], Math.Max(1, peak));
    }
}

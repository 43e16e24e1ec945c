using System.Text;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Assessment;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Assessment;

/// <summary>The one engine entry point of `assess` and Invoke-LambdaIdentityAssessment, and its streaming writers.</summary>
public sealed class AssessmentRunnerTests
{
    private static string Samples => DemoWorkload.Samples;
    private static string Temp() => Path.Combine(Path.GetTempPath(), "li-runner-" + Guid.NewGuid().ToString("N"));

    private static AssessmentRequest Demo(string outDir, bool withState = true) => new()
    {
        Paths = new[] { Path.Combine(Samples, "demo-sam-template.yaml"), Path.Combine(Samples, "demo-authz-details.json") },
        ResourceMapPath = Path.Combine(Samples, "demo-resource-map.json"),
        AzureStatePaths = withState ? new[] { Path.Combine(Samples, "azure-state") } : Array.Empty<string>(),
        OutputFolder = outDir,
    };

    private static Task<AssessmentRun> Run(AssessmentRequest request, EngineContext? context = null)
        => AssessmentRunner.RunAsync(request, context ?? EngineContext.None);

    [Fact]
    public async Task TheFilesHoldTheSameBytesAsTheStagesRunOneByOne()
    {
        var outDir = Temp();
        var run = await Run(Demo(outDir));
        // The stages by hand, each written as one string (how the CLI wrote them before the engine streamed them).
        var inventory = DemoWorkload.Inventory();
        var mappings = new AzRoleMapper(GrantDeriver.Default, new MappingOptions { ResourceMap = DemoWorkload.ResourceMap() }).Map(inventory, EngineContext.None);
        var state = await new AzureStateReader().ReadAsync(new[] { Path.Combine(Samples, "azure-state") }, EngineContext.None);
        var results = ParityChecker.Check(mappings, state, new ParityOptions(), EngineContext.None);
        var report = new StringWriter();
        MarkdownReport.Write(report, new ReportInput { Inventory = inventory, Mappings = mappings, ParityResults = results });
        var expected = new Dictionary<string, string>
        {
            ["inventory.json"] = ModelJson.Serialize(inventory),
            ["mapping.json"] = ModelJson.Serialize(mappings),
            ["azure-design.bicep"] = MappingTemplateExporter.Export(mappings, TemplateFormat.Bicep),
            ["parity.json"] = ModelJson.Serialize(results),
            ["errors.json"] = ModelJson.Serialize(Array.Empty<EngineError>()),
            ["report.md"] = report.ToString(),
        };
        foreach (var (name, text) in expected)
            Assert.True(Encoding.UTF8.GetBytes(text).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(outDir, name))), name + " differs from the stage's own output");
        Assert.Equal(AssessmentOutputs.All.Select(o => Path.Combine(outDir, o.FileName)), run.Summary.Files.Take(AssessmentOutputs.All.Count));
        // then the plan, every file of it on disk
        Assert.Equal(MigrationPlanWriter.Outputs.OrderBy(n => n, StringComparer.Ordinal), run.Summary.Files.Skip(AssessmentOutputs.All.Count).Select(f => Path.GetRelativePath(outDir, f).Replace('\\', '/')).OrderBy(n => n, StringComparer.Ordinal));
        Assert.All(run.Summary.Files, f => Assert.True(File.Exists(f), f));
        Assert.Equal(inventory.Count, run.Summary.Functions);
        Assert.Equal(mappings.Count, run.Summary.MappingItems);
        Assert.Equal(results.Count, run.Summary.Parity.Values.Sum());
        Assert.Equal(results.Count, run.ParityResults.Count);
        Assert.Equal(ParityVerdict.Explain(results.ToList(), 0, ParityFailLevel.None), (run.Summary.ExitCode, run.Summary.ExitReason));
    }

    [Fact]
    public async Task APreReadInventoryGivesTheSameSummaryAsItsPaths()
    {
        var fromPaths = (await Run(Demo(Temp()))).Summary;
        var given = Demo(Temp());
        var fromRecords = (await Run(new AssessmentRequest
        {
            Inventory = DemoWorkload.Inventory(), ResourceMapPath = given.ResourceMapPath, AzureStatePaths = given.AzureStatePaths, OutputFolder = given.OutputFolder,
        })).Summary;
        foreach (var p in typeof(AssessmentSummary).GetProperties().Where(p => p.Name is not ("OutputFolder" or "Report" or "Files")))
        {
            var a = p.GetValue(fromPaths); var b = p.GetValue(fromRecords);
            if (a is IEnumerable<KeyValuePair<string, int>> da) Assert.Equal(da, (IEnumerable<KeyValuePair<string, int>>)b!);
            else Assert.Equal(a, b);
        }
        Assert.True(fromPaths.Functions > 0);
    }

    [Fact]
    public async Task AnInvalidRuleSetStopsTheRunBeforeTheFolderIsTouched()
    {
        var rules = Path.Combine(Path.GetTempPath(), "li-rules-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(rules, "{ \"rules\": [ { \"service\": ");
        var outDir = Temp();
        var errors = new ErrorCollector();
        var run = await Run(new AssessmentRequest { Paths = Demo(outDir).Paths, RuleSetPath = rules, OutputFolder = outDir }, new EngineContext(errors));
        Assert.Equal(ExitCodes.NotEnoughRead, run.Summary.ExitCode);
        Assert.Empty(run.Summary.Files);
        Assert.NotEmpty(errors.Errors);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public async Task EveryErrorReachesTheFrontAndErrorsJsonInOrder()
    {
        var state = Temp();
        Directory.CreateDirectory(state);
        File.WriteAllText(Path.Combine(state, "role-assignments.json"), "[ { \"id\": ");
        var outDir = Temp();
        var seen = new ErrorCollector();
        var demo = Demo(outDir);
        var run = await Run(new AssessmentRequest { Paths = demo.Paths, ResourceMapPath = demo.ResourceMapPath, AzureStatePaths = new[] { state }, OutputFolder = outDir }, new EngineContext(seen));
        var written = ModelJson.Read<EngineError>(File.ReadAllText(Path.Combine(outDir, "errors.json")));
        Assert.NotEmpty(written);
        Assert.Equal(seen.Errors.Select(e => e.ErrorId + "|" + e.Target), written.Select(e => e.ErrorId + "|" + e.Target));
        Assert.Equal(written.Count, run.Summary.Errors);
        Assert.Equal(ExitCodes.NotEnoughRead, run.Summary.ExitCode);
    }

    [Fact]
    public async Task AGateLevelWithoutAzureStateIsNeverOk()
    {
        var request = Demo(Temp(), withState: false);
        Assert.Equal(ExitCodes.Ok, (await Run(request)).Summary.ExitCode);
        var gate = (await Run(new AssessmentRequest { Paths = request.Paths, ResourceMapPath = request.ResourceMapPath, OutputFolder = Temp(), FailOn = ParityFailLevel.Access })).Summary;
        Assert.Equal(ExitCodes.NotEnoughRead, gate.ExitCode);
        Assert.False(gate.ParityChecked);
        Assert.DoesNotContain(gate.Files, f => Path.GetFileName(f).StartsWith("parity", StringComparison.Ordinal));
    }

    /// <summary>Records how the bytes arrive: how many writes, and the largest.</summary>
    private sealed class WriteLog : Stream
    {
        public long Total; public int Largest; public int Writes;
        public override void Write(byte[] buffer, int offset, int count) { Total += count; Largest = Math.Max(Largest, count); Writes++; }
        public override void Write(ReadOnlySpan<byte> buffer) { Total += buffer.Length; Largest = Math.Max(Largest, buffer.Length); Writes++; }
        public override bool CanRead => false; public override bool CanSeek => false; public override bool CanWrite => true;
        public override long Length => Total; public override long Position { get => Total; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Fact]
    public void ModelJsonWritesRecordsInPiecesWithTheSameBytesAndWithoutAWholeFileString()
    {
        var inventory = DemoWorkload.Inventory();
        var mappings = new AzRoleMapper(GrantDeriver.Default, new MappingOptions { ResourceMap = DemoWorkload.ResourceMap() }).Map(inventory, EngineContext.None);
        // The demo's real mapping records, 40 times over: several MiB of JSON.
        var many = Enumerable.Repeat(mappings, 40).SelectMany(m => m).ToList();
        var log = new WriteLog();
        ModelJson.Write(log, many);
        Assert.True(log.Total > 4 << 20, "expected several MiB, got " + log.Total);
        Assert.True(log.Writes > 30, "written in " + log.Writes + " piece(s)");
        Assert.True(log.Largest < 256 << 10, "the largest single write was " + log.Largest + " bytes");
        // The same bytes as the string form, and far fewer bytes allocated than the document's size.
        var stream = new MemoryStream();
        ModelJson.Write(stream, mappings);
        Assert.Equal(Encoding.UTF8.GetBytes(ModelJson.Serialize(mappings)), stream.ToArray());
        Assert.Equal("[]", Encoding.UTF8.GetString(Written(s => ModelJson.Write(s, Array.Empty<AzRoleMapping>()))));
        ModelJson.Write(Stream.Null, many); // warm
        var before = GC.GetAllocatedBytesForCurrentThread();
        ModelJson.Write(Stream.Null, many);
        var streamed = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        _ = ModelJson.Serialize(many);
        var asString = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(asString > log.Total, "the string form allocates at least the document: " + asString);
        Assert.True(streamed < log.Total / 4, $"streaming allocated {streamed} bytes for a {log.Total}-byte document");
    }

    private static byte[] Written(Action<Stream> write) { var s = new MemoryStream(); write(s); return s.ToArray(); }

    [Fact]
    public void TheBicepWriterWritesTheSameTextAsExport()
    {
        var mappings = new AzRoleMapper(GrantDeriver.Default, new MappingOptions { ResourceMap = DemoWorkload.ResourceMap() }).Map(DemoWorkload.Inventory(), EngineContext.None);
        foreach (var format in new[] { TemplateFormat.Bicep, TemplateFormat.ArmJson })
        {
            var w = new StringWriter();
            MappingTemplateExporter.Write(w, mappings, format);
            Assert.Equal(MappingTemplateExporter.Export(mappings, format), w.ToString());
            Assert.Contains("Microsoft.Authorization/roleAssignments", w.ToString());
        }
    }
}

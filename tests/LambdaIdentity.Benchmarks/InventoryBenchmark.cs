using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Sources;

namespace LambdaIdentity.Benchmarks;

/// <summary>
/// The inventory over the largest shared inputs and over a generated account of 5,000 functions and 10,000
/// roles. Each figure is a ratio to a bare parse of the same bytes measured in the same run
/// (JsonDocument.Parse for JSON, YamlDotNet's event parser for YAML), plus absolute time and the peak
/// managed heap sampled during the phase.
/// </summary>
public sealed class InventoryBenchmark : IBenchmark
{
    public string Name => "inventory";

    public void Run(TextWriter output)
    {
        var shared = FindSharedData();
        var authz = Path.Combine(shared, "authz-details", "cloudsplaining-example-2023.json");
        var templates = new[] { Path.Combine(shared, "sam"), Path.Combine(shared, "cloudformation") };
        var templateFiles = templates.SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories)).ToList();
        var account = GenerateAccount(5000, 10000);
        try
        {
            Measure(output, "largest authz-details (cloudsplaining-example-2023.json)", new[] { authz }, () => BareJson(new[] { authz }));
            Measure(output, $"all templates in shared/data ({templateFiles.Count} files)", templates, () => BareYaml(templateFiles));
            var files = Directory.GetFiles(account);
            var functionFiles = files.Where(f => Path.GetFileName(f).StartsWith("functions-")).ToArray();
            Measure(output, "generated account, list-functions only (5,000 functions)", functionFiles, () => BareJson(functionFiles));
            Measure(output, "generated account: 5,000 functions, 10,000 roles (with authorization details)", new[] { account }, () => BareJson(files));
        }
        finally { Directory.Delete(account, recursive: true); }
    }

    private static void Measure(TextWriter output, string label, string[] paths, Action baseline)
    {
        var bytes = paths.SelectMany(p => File.Exists(p) ? new[] { p } : Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories)).Sum(f => new FileInfo(f).Length);
        int records = 0;
        var (baseMs, basePeak) = Timed(baseline);
        var (ms, peak) = Timed(() => records = new InventoryReader().Read(paths, new InventoryOptions(), EngineContext.None).Count());
        output.WriteLine($"{label}: {bytes / 1024.0 / 1024.0:F1} MiB, {records} records");
        output.WriteLine($"  inventory {ms:F0} ms, peak managed heap {peak / 1024.0 / 1024.0:F0} MiB");
        output.WriteLine($"  bare parse {baseMs:F0} ms, peak managed heap {basePeak / 1024.0 / 1024.0:F0} MiB");
        output.WriteLine($"  ratio time {ms / baseMs:F1}x, ratio peak heap {(double)peak / basePeak:F1}x");
    }

    /// <summary>Best of 3 runs, with the peak managed heap sampled every 5 ms during the best run's kind.</summary>
    private static (double Ms, long PeakBytes) Timed(Action action)
    {
        action(); // warm-up (JIT, embedded catalogs)
        long peak = 0;
        var best = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            var floor = GC.GetTotalMemory(true);
            using var stop = new CancellationTokenSource();
            long runPeak = 0;
            var sampler = Task.Run(() => { while (!stop.IsCancellationRequested) { runPeak = Math.Max(runPeak, GC.GetTotalMemory(false) - floor); Thread.Sleep(5); } });
            var sw = Stopwatch.StartNew();
            action();
            sw.Stop();
            runPeak = Math.Max(runPeak, GC.GetTotalMemory(false) - floor);
            stop.Cancel(); sampler.Wait();
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
            peak = Math.Max(peak, runPeak);
        }
        return (best, Math.Max(1, peak));
    }

    private static void BareJson(IEnumerable<string> files)
    {
        foreach (var f in files)
        {
            var bytes = File.ReadAllBytes(f);
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true });
            while (reader.Read()) using (JsonDocument.ParseValue(ref reader)) { }
        }
    }

    private static void BareYaml(IEnumerable<string> files)
    {
        foreach (var f in files)
        {
            try
            {
                var parser = new YamlDotNet.Core.Parser(new StringReader(File.ReadAllText(f)));
                while (parser.MoveNext()) { }
            }
            catch (YamlDotNet.Core.YamlException) { }
        }
    }

    /// <summary>list-functions pages and authorization details: one execution role per function, the rest deployers, operators and service roles.</summary>
    private static string GenerateAccount(int functions, int roles)
    {
        var dir = Path.Combine(Path.GetTempPath(), "li-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        const string acct = "123456789012";
        for (int page = 0; page * 1000 < functions; page++)
        {
            var sb = new StringBuilder("{\"Functions\":[");
            for (int i = page * 1000; i < Math.Min(functions, (page + 1) * 1000); i++)
            {
                if (i > page * 1000) sb.Append(',');
                sb.Append($"{{\"FunctionName\":\"svc{i % 50}-fn{i}\",\"FunctionArn\":\"arn:aws:lambda:eu-west-1:{acct}:function:svc{i % 50}-fn{i}\",\"Runtime\":\"python3.12\",\"Role\":\"arn:aws:iam::{acct}:role/exec-{i}\",\"Handler\":\"app.handler\",\"Environment\":{{\"Variables\":{{\"TABLE\":\"t{i}\",\"LOG_LEVEL\":\"INFO\"}}}},\"TracingConfig\":{{\"Mode\":\"Active\"}}}}");
            }
            sb.Append("]}");
            File.WriteAllText(Path.Combine(dir, $"functions-{page}.json"), sb.ToString());
        }
        var authz = new StringBuilder("{\"RoleDetailList\":[");
        for (int r = 0; r < roles; r++)
        {
            if (r > 0) authz.Append(',');
            string name, trust, policy;
            if (r < functions)
            {
                name = $"exec-{r}";
                trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
                policy = $"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:GetItem\",\"dynamodb:PutItem\",\"dynamodb:Query\"],\"Resource\":\"arn:aws:dynamodb:eu-west-1:{acct}:table/t{r}\"}},{{\"Effect\":\"Allow\",\"Action\":[\"logs:CreateLogStream\",\"logs:PutLogEvents\"],\"Resource\":\"*\"}}]}}";
            }
            else if (r < functions + 200)
            {
                name = $"deploy-svc{r % 50}-{r}";
                trust = $"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Federated\":\"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com\"}},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}}]}}";
                policy = $"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":[\"lambda:UpdateFunctionCode\",\"lambda:UpdateFunctionConfiguration\",\"lambda:GetFunction\"],\"Resource\":\"arn:aws:lambda:eu-west-1:{acct}:function:svc{r % 50}-*\"}},{{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":\"arn:aws:iam::{acct}:role/exec-*\"}}]}}";
            }
            else
            {
                name = $"service-{r}";
                trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
                policy = $"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\"],\"Resource\":\"arn:aws:s3:::bucket-{r}/*\"}}]}}";
            }
            authz.Append($"{{\"RoleName\":\"{name}\",\"Arn\":\"arn:aws:iam::{acct}:role/{name}\",\"AssumeRolePolicyDocument\":{trust},\"RolePolicyList\":[{{\"PolicyName\":\"p\",\"PolicyDocument\":{policy}}}],\"AttachedManagedPolicies\":[]}}");
        }
        authz.Append("],\"UserDetailList\":[");
        for (int u = 0; u < 200; u++)
            authz.Append(u > 0 ? "," : "").Append($"{{\"UserName\":\"dev{u}\",\"Arn\":\"arn:aws:iam::{acct}:user/dev{u}\",\"GroupList\":[\"developers\"],\"UserPolicyList\":[],\"AttachedManagedPolicies\":[]}}");
        authz.Append($"],\"GroupDetailList\":[{{\"GroupName\":\"developers\",\"Arn\":\"arn:aws:iam::{acct}:group/developers\",\"GroupPolicyList\":[{{\"PolicyName\":\"read\",\"PolicyDocument\":{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":[\"lambda:Get*\",\"lambda:List*\",\"lambda:InvokeFunction\"],\"Resource\":\"*\"}}]}}}}],\"AttachedManagedPolicies\":[]}}],\"Policies\":[]}}");
        File.WriteAllText(Path.Combine(dir, "authz.json"), authz.ToString());
        return dir;
    }

    private static string FindSharedData()
    {
        var env = Environment.GetEnvironmentVariable("LAMBDAIDENTITY_SHARED_DATA");
        if (!string.IsNullOrEmpty(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return "/work/shared/data";
    }
}

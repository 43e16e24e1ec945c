using System.Diagnostics;
using System.Text;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Live;
using LambdaIdentity.Model;
using LambdaIdentity.Tests.Inventory.Live;

namespace LambdaIdentity.Benchmarks;

/// <summary>
/// Many accounts read live from the local AWS endpoint with latency and a rate limit injected (a token bucket of 10 per
/// endpoint: account, service, region), on an estate from <see cref="LocalAwsEstate"/>:
/// 1. 3 accounts x 2 regions x 100 functions, 250 ms, 25 calls/s: wall time against the lower bound, the Lambda calls of
///    one endpoint / the rate (endpoints are read at once);
/// 2. 2 accounts x 2 regions x 15 functions, the same latency and rate: the live reader against the AWS CLI (v1, on PATH)
///    making the same calls (GetCallerIdentity, AssumeRole per account, then every Lambda and IAM call) in a bash loop.
/// </summary>
public sealed class EstateLiveBenchmark : IBenchmark
{
    public string Name => "estate-live";
    private const double Rate = 25;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(250);

    public void Run(TextWriter output) => RunAsync(output).GetAwaiter().GetResult();

    private static async Task RunAsync(TextWriter output)
    {
        output.WriteLine($"local endpoint: {Latency.TotalMilliseconds} ms latency, {Rate} calls/s per endpoint (token bucket of 10)");
        {
            var estate = new LocalAwsEstate(LocalAwsEstate.AccountIds(3), new[] { "us-west-2", "eu-west-1" }, 100);
            await using var server = await Start(estate);
            var (seconds, records, errors) = await Ours(server, estate);
            var bound = estate.LambdaCallsPerRegion / Rate;
            output.WriteLine($"estate 3 accounts x 2 regions x 100 functions: {records} records, {errors} errors, {server.Requests.Count} requests ({server.Throttled} throttled)");
            output.WriteLine($"  live reader {seconds:0.00} s; lower bound {estate.LambdaCallsPerRegion} calls / {Rate}/s = {bound:0.00} s: {seconds / bound:0.00}x");
        }
        {
            var estate = new LocalAwsEstate(LocalAwsEstate.AccountIds(2), new[] { "us-west-2", "eu-west-1" }, 15);
            await using var server = await Start(estate);
            var (seconds, records, errors) = await Ours(server, estate);
            var ourCalls = server.Requests.Count - server.Throttled;
            server.Requests.Clear();
            var served = server.Served.Values.Sum();
            var cli = Cli(server, estate);
            var cliCalls = server.Served.Values.Sum() - served;
            output.WriteLine($"estate 2 accounts x 2 regions x 15 functions: {records} records, {errors} errors");
            output.WriteLine($"  live reader {seconds:0.00} s for {ourCalls} calls; AWS CLI loop {cli:0.00} s for {cliCalls} calls: the reader is {cli / seconds:0.0}x faster");
        }
    }

    private static async Task<LocalAwsServer> Start(LocalAwsEstate estate)
    {
        var server = await LocalAwsServer.StartAsync();
        estate.Serve(server);
        server.Latency = Latency;
        server.RateLimit = Rate;
        return server;
    }

    private sealed class Count : IErrorSink { public int N; public void Error(EngineError error) => Interlocked.Increment(ref N); }

    private static async Task<(double Seconds, int Records, int Errors)> Ours(LocalAwsServer server, LocalAwsEstate estate)
    {
        var options = new AwsLiveOptions
        {
            EndpointUrl = server.HttpUri,
            CredentialProvider = _ => Task.FromResult(new AwsCredentialValues(LocalAwsServer.AccessKeyId, LocalAwsServer.SecretAccessKey)),
            AssumeRoleName = LocalAwsEstate.RoleName,
        };
        foreach (var r in estate.Regions) options.Regions.Add(r);
        foreach (var a in estate.Accounts) options.AccountIds.Add(a);
        var errors = new Count();
        var clock = Stopwatch.StartNew();
        var records = await new AwsLiveInventoryReader(options).ReadAsync(null, new EngineContext(errors));
        return (clock.Elapsed.TotalSeconds, records.Count, errors.N);
    }

    /// <summary>The AWS CLI making the same calls one after another, as a shell loop would; returns the seconds.</summary>
    private static double Cli(LocalAwsServer server, LocalAwsEstate estate)
    {
        var script = new StringBuilder("set -u\nE=\"--endpoint-url " + server.HttpUri.AbsoluteUri + "\"\n");
        script.Append("aws sts get-caller-identity $E > /dev/null\n");
        foreach (var account in estate.Accounts)
        {
            script.Append($"read K S T <<< \"$(aws sts assume-role --role-arn arn:aws:iam::{account}:role/{LocalAwsEstate.RoleName} --role-session-name cli $E --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)\"\n");
            script.Append("for c in \\\n");
            foreach (var region in estate.Regions)
                foreach (var call in estate.CliCalls(account, region)) script.Append($"  \"{call}\" \\\n");
            script.Append("  \"iam get-account-authorization-details\"; do\n");
            script.Append("  AWS_ACCESS_KEY_ID=$K AWS_SECRET_ACCESS_KEY=$S AWS_SESSION_TOKEN=$T aws $c $E > /dev/null 2>&1 || true\ndone\n");
        }
        var dir = Directory.CreateTempSubdirectory("li-cli-loop-").FullName;
        try
        {
            var file = Path.Combine(dir, "loop.sh");
            File.WriteAllText(file, script.ToString());
            var psi = new ProcessStartInfo("bash", file) { RedirectStandardError = true, UseShellExecute = false };
            psi.Environment["AWS_ACCESS_KEY_ID"] = LocalAwsServer.AccessKeyId;
            psi.Environment["AWS_SECRET_ACCESS_KEY"] = LocalAwsServer.SecretAccessKey;
            psi.Environment["AWS_DEFAULT_REGION"] = estate.Regions[0];
            psi.Environment["AWS_CONFIG_FILE"] = Path.Combine(dir, "none");
            psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(dir, "none");
            psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
            var clock = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException("the AWS CLI loop failed: " + err);
            return clock.Elapsed.TotalSeconds;
        }
        finally { Directory.Delete(dir, true); }
    }
}

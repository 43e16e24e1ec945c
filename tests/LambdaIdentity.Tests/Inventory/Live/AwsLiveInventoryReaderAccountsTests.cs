using System.Diagnostics;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Live;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;
using Xunit;
using Xunit.Abstractions;

namespace LambdaIdentity.Tests.Inventory.Live;

/// <summary>
/// Many accounts read live (<see cref="AwsLiveOptions.AccountIds"/>, <see cref="AwsLiveOptions.OrganizationAccounts"/>):
/// a role assumed in each, regions x accounts read at once, one record set with the account in every record, and a
/// rate-limited, latency-injected local endpoint read within 1.3x of calls / rate limit (a generated estate, <see cref="LocalAwsEstate"/>).
/// </summary>
public sealed class AwsLiveInventoryReaderAccountsTests
{
    private readonly ITestOutputHelper _out;
    public AwsLiveInventoryReaderAccountsTests(ITestOutputHelper output) => _out = output;

    private sealed class Sink : IErrorSink, ILogSink
    {
        public List<EngineError> Errors { get; } = new();
        public List<string> Lines { get; } = new();
        public void Error(EngineError error) { lock (Errors) Errors.Add(error); }
        public void Verbose(string message) { lock (Lines) Lines.Add("verbose: " + message); }
        public void Warning(string message) { lock (Lines) Lines.Add("warning: " + message); }
        public EngineContext Context() => new(this, this);
        public string Everything() => string.Join("\n", Lines.Concat(Errors.Select(e => e.ErrorId + " " + e.Target + " " + e.Message)));
    }

    private static AwsLiveOptions Options(LocalAwsServer s, LocalAwsEstate estate) => new()
    {
        Regions = estate.Regions.ToList(),
        EndpointUrl = s.HttpsUri,
        HttpMessageHandler = s.TrustingHandler(),
        CredentialProvider = _ => Task.FromResult(new AwsCredentialValues(LocalAwsServer.AccessKeyId, LocalAwsServer.SecretAccessKey)),
        RetryDelay = TimeSpan.FromMilliseconds(5),
        AssumeRoleName = LocalAwsEstate.RoleName,
    };

    [Fact]
    public async Task EachAccountIsReadThroughItsAssumedRoleAndADeniedAccountIsOneErrorNamingIt()
    {
        await using var server = await LocalAwsServer.StartAsync();
        var accounts = LocalAwsEstate.AccountIds(3);
        var estate = new LocalAwsEstate(accounts, new[] { "us-west-2", "eu-west-1" }, 5);
        estate.DeniedAccounts.Add(accounts[1]);
        estate.Serve(server);
        var options = Options(server, estate);
        foreach (var a in accounts) options.AccountIds.Add(a);
        var sink = new Sink();
        var records = await new AwsLiveInventoryReader(options).ReadAsync(null, sink.Context());

        // One record per function of the readable accounts, each saying its account; the same name in two accounts or regions stays apart.
        var readable = new[] { accounts[0], accounts[2] };
        Assert.Equal(readable.Length * 2 * 5, records.Count);
        Assert.Equal(readable, records.Select(r => r.AccountId).Distinct().OrderBy(a => a));
        Assert.All(records, r =>
        {
            Assert.Equal(r.FunctionArn.Split(':')[4], r.AccountId);
            Assert.StartsWith($"aws-live/{r.AccountId}/{r.FunctionArn.Split(':')[3]}/lambda/list-functions.1.json", r.Source!.File);
            Assert.True(r.IsComplete, string.Join("; ", r.IncompleteReasons));
            Assert.Equal($"arn:aws:iam::{r.AccountId}:role/privesc-high-priv-service-role", r.RoleArn);
            Assert.NotEmpty(r.ExecutionRole!.Policies); // each account's own IAM joined
        });
        Assert.Equal(readable.Length * 2, records.Count(r => r.FunctionName == LocalAwsEstate.FunctionName(0)));
        Assert.All(records.Where(r => r.FunctionName == LocalAwsEstate.FunctionName(3)), r => Assert.Contains(r.AccountId!, r.ResourcePolicy!.Statement.Single().Resource.Single()));

        // The denied account: one error naming it, and nothing of it was asked for with credentials it does not have.
        var e = Assert.Single(sink.Errors);
        Assert.Equal("AwsAssumeRoleFailed", e.ErrorId);
        Assert.Equal(EngineErrorCategory.PermissionDenied, e.Category);
        Assert.Equal(accounts[1], e.Target);
        Assert.Contains($"Account {accounts[1]}: the role arn:aws:iam::{accounts[1]}:role/{LocalAwsEstate.RoleName} could not be assumed", e.Message);
        Assert.Equal($"aws-live/{accounts[1]}/sts/assume-role.json", e.Location!.File);

        // The caller's keys only for STS; every Lambda and IAM call signed with the assumed role's keys of its account.
        Assert.All(server.Requests, r => Assert.True(r.SignatureValid, r.Target));
        Assert.All(server.Requests.Where(r => r.Service is "lambda" or "iam"), r => Assert.Matches("^AWS4-HMAC-SHA256 Credential=ASIA(100000000001|100000000003)EXMP/", r.Authorization));
        Assert.All(server.Requests.Where(r => r.Service == "sts"), r => Assert.StartsWith("AWS4-HMAC-SHA256 Credential=" + LocalAwsServer.AccessKeyId + "/", r.Authorization));
        Assert.Equal(3, server.Requests.Count(r => r.Action == "AssumeRole"));
        Assert.Equal(2, server.Requests.Count(r => r.Action == "GetAccountAuthorizationDetails"));
        // Credentials never reach a log line or a record: neither the caller's nor the assumed roles' secrets and tokens.
        var seen = sink.Everything() + ModelJson.Serialize(records);
        Assert.DoesNotContain(LocalAwsServer.SecretAccessKey, seen);
        Assert.DoesNotContain("secret-of-", seen);
        Assert.DoesNotContain("AQoDYXdzEPT", seen);
        Assert.Contains(sink.Lines, l => l.Contains($"Account {accounts[0]}: assumed arn:aws:iam::{accounts[0]}:role/{LocalAwsEstate.RoleName}"));
    }

    [Fact]
    public async Task TheOrganizationListNamesTheAccounts()
    {
        await using var server = await LocalAwsServer.StartAsync();
        var accounts = LocalAwsEstate.AccountIds(4);
        var estate = new LocalAwsEstate(accounts, new[] { "us-west-2" }, 2);
        estate.Serve(server);
        var options = Options(server, estate);
        options.OrganizationAccounts = true;
        var sink = new Sink();
        var records = await new AwsLiveInventoryReader(options).ReadAsync(null, sink.Context());
        Assert.Empty(sink.Errors);
        Assert.Equal(accounts, records.Select(r => r.AccountId).Distinct().OrderBy(a => a));
        Assert.Equal(4 * 2, records.Count);
        Assert.Single(server.Requests, r => r.Action == "ListAccounts" && r.Service == "organizations");

        // Given accounts narrow the organization's list; one that is not in it is a warning and is not read.
        server.Requests.Clear();
        options.AccountIds.Add(accounts[2]);
        options.AccountIds.Add("999999999999");
        sink = new Sink();
        records = await new AwsLiveInventoryReader(options).ReadAsync(null, sink.Context());
        Assert.Equal(new[] { accounts[2] }, records.Select(r => r.AccountId).Distinct());
        Assert.Contains(sink.Lines, l => l.StartsWith("warning: Account 999999999999 is not an ACTIVE account", StringComparison.Ordinal));
        Assert.Single(server.Requests, r => r.Action == "AssumeRole");
    }

    [Fact]
    public async Task SeveralAccountsNeedARoleToAssume()
    {
        var options = new AwsLiveOptions { Regions = { "us-west-2" }, AccountIds = { "100000000001" }, CredentialProvider = _ => throw new InvalidOperationException("not reached") };
        var ex = await Assert.ThrowsAsync<AwsLiveSetupException>(() => new AwsLiveInventoryReader(options).ReadAsync(null, null));
        Assert.Contains("role to assume", ex.Message);
        options.AssumeRoleName = "Read Only";
        ex = await Assert.ThrowsAsync<AwsLiveSetupException>(() => new AwsLiveInventoryReader(options).ReadAsync(null, null));
        Assert.Contains("is not an IAM role name", ex.Message);
        options.AssumeRoleName = "ReadOnly";
        options.AccountIds.Add("12345");
        ex = await Assert.ThrowsAsync<AwsLiveSetupException>(() => new AwsLiveInventoryReader(options).ReadAsync(null, null));
        Assert.Contains("'12345' is not an AWS account id", ex.Message);
    }

    /// <summary>
    /// 2 accounts x 2 regions x 75 functions behind 250 ms of latency and 25 calls a second per endpoint (a token bucket
    /// of 10): the lower bound is the Lambda calls of one endpoint / 25 (227 / 25 = 9.1 s), endpoints being read at once.
    /// Reaching the rate needs more than 6 calls in flight (25/s x 0.25 s), so the former fixed 4 would be latency-bound
    /// (16 calls a second, 1.56x at best); the aim is 1.3x, and this test allows 1.45x for a loaded 2-core machine.
    /// </summary>
    [Fact]
    public async Task ARateLimitedEstateIsReadNearCallsOverTheRateLimit()
    {
        // Wall time on a shared machine is noisy: the better of at most two reads is judged (every read's records are checked).
        var best = double.MaxValue;
        for (var attempt = 0; attempt < 2 && best > 1.45; attempt++) best = Math.Min(best, await ReadTheRateLimitedEstate());
        Assert.True(best <= 1.45, $"{best:0.00}x the lower bound");
    }

    private async Task<double> ReadTheRateLimitedEstate()
    {
        await using var server = await LocalAwsServer.StartAsync();
        var estate = new LocalAwsEstate(LocalAwsEstate.AccountIds(2), new[] { "us-west-2", "eu-west-1" }, 75);
        estate.Serve(server);
        server.Latency = TimeSpan.FromMilliseconds(250);
        const double rate = 25;
        server.RateLimit = rate;
        var options = Options(server, estate);
        foreach (var a in estate.Accounts) options.AccountIds.Add(a);
        var sink = new Sink();
        var clock = Stopwatch.StartNew();
        var records = await new AwsLiveInventoryReader(options).ReadAsync(null, sink.Context());
        clock.Stop();

        var bound = estate.LambdaCallsPerRegion / rate;
        var ratio = clock.Elapsed.TotalSeconds / bound;
        _out.WriteLine($"{server.Requests.Count} requests, {server.Throttled} throttled; {clock.Elapsed.TotalSeconds:0.00} s against a bound of {bound:0.00} s: {ratio:0.00}x");
        foreach (var l in sink.Lines.Where(l => l.Contains("calls in flight"))) _out.WriteLine(l);
        Assert.Empty(sink.Errors);
        Assert.Equal(2 * 2 * 75, records.Count);
        Assert.All(records, r => Assert.True(r.IsComplete));
        // Every endpoint served exactly the calls a read needs: throttled calls were asked again, none was lost or doubled.
        foreach (var a in estate.Accounts)
            foreach (var region in estate.Regions)
                Assert.Equal(estate.LambdaCallsPerRegion, server.Served[a + " lambda " + region]);
        // Concurrency rose above the former 4 while latency-bound.
        Assert.Contains(sink.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, "lambda us-west-2: at most ([7-9]|[1-9][0-9]) calls in flight"));
        return ratio;
    }
}

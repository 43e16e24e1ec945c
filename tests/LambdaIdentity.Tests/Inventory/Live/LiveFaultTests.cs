using System.Diagnostics;
using LambdaIdentity.Cli;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Live;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Model;
using Xunit;
using static LambdaIdentity.Tests.Inventory.Live.AwsLiveFixtures;

namespace LambdaIdentity.Tests.Inventory.Live;

/// <summary>Responses that are not the API's, marker loops and a black-holed endpoint: an error each, the function incomplete, the run goes on.</summary>
public sealed class LiveFaultTests
{
    private static AwsLiveOptions Options(LocalAwsServer s) => new()
    {
        Regions = { Region },
        EndpointUrl = s.HttpsUri,
        HttpMessageHandler = s.TrustingHandler(),
        CredentialProvider = _ => Task.FromResult(new AwsCredentialValues(LocalAwsServer.AccessKeyId, LocalAwsServer.SecretAccessKey)),
        RetryDelay = TimeSpan.FromMilliseconds(5),
        MaxRetries = 2,
    };

    private static async Task<(IReadOnlyList<LambdaFunctionIdentity> Records, List<EngineError> Errors)> ReadAsync(LocalAwsServer server, AwsLiveOptions? options = null)
    {
        var errors = new ErrorCollector();
        var records = await new AwsLiveInventoryReader(options ?? Options(server)).ReadAsync(new InventoryOptions(), new EngineContext(errors));
        return (records, errors.Errors.ToList());
    }

    private static LambdaFunctionIdentity Record(IReadOnlyList<LambdaFunctionIdentity> records, string name) => records.Single(r => r.FunctionName == name);

    [Theory]
    [InlineData("truncated", "{\"Policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Sid\\\":\\\"a\\\"", "is not JSON")]
    [InlineData("html", "<html><body>502 Bad Gateway</body></html>", "is not JSON")]
    [InlineData("other-shape", "{\"Functions\":[]}", "has no Policy")]
    public async Task AGetPolicyAnswerThatIsNotTheApisShapeMakesTheFunctionIncomplete(string _, string body, string reason)
    {
        await using var server = await LocalAwsServer.StartAsync();
        var s = Build();
        Serve(server, s);
        server.Map("/2015-03-31/functions/my-function/policy", body, body.StartsWith("<", StringComparison.Ordinal) ? "text/html" : "application/json");

        var (records, errors) = await ReadAsync(server);

        Assert.Equal(FunctionNames(s).Count, records.Count);
        var f = Record(records, "my-function");
        Assert.False(f.IsComplete);
        Assert.Contains(f.IncompleteReasons, r => r.Contains("lambda:GetPolicy: malformed response", StringComparison.Ordinal));
        var e = Assert.Single(errors, x => x.ErrorId == "AwsResponseMalformed");
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.EndsWith(":function:my-function", e.Target, StringComparison.Ordinal);
        Assert.DoesNotContain("Bad Gateway", string.Join("\n", errors.Select(x => x.Message))); // a body is never echoed
    }

    [Fact]
    public async Task ABare404FromAProxyIsAnErrorNotNoResourcePolicy()
    {
        await using var server = await LocalAwsServer.StartAsync();
        var s = Build();
        Serve(server, s);
        server.Map("/2015-03-31/functions/my-function/policy", (ctx, _) => LocalAwsServer.Send(ctx, 404, "<html>Not Found</html>", "text/html"));

        var (records, errors) = await ReadAsync(server);

        var f = Record(records, "my-function");
        Assert.False(f.IsComplete);
        Assert.Contains(f.IncompleteReasons, r => r.Contains("lambda:GetPolicy: HTTP404", StringComparison.Ordinal));
        // The service's own "not found" (ResourceNotFoundException in x-amzn-ErrorType) still means "no policy": the other functions have no error.
        var e = Assert.Single(errors, x => x.Target.Contains(":function:", StringComparison.Ordinal));
        Assert.EndsWith(":function:my-function", e.Target, StringComparison.Ordinal);
        Assert.Equal("AwsRequestFailed", e.ErrorId);
    }

    [Fact]
    public async Task AListAliasesMarkerLoopAndARunawayMarkerEndWithAnError()
    {
        await using var server = await LocalAwsServer.StartAsync();
        var s = Build();
        Serve(server, s);
        var names = FunctionNames(s);
        var looping = names[0];
        var runaway = names[1];
        server.Map($"/2015-03-31/functions/{looping}/aliases", (ctx, _) =>
            LocalAwsServer.Send(ctx, 200, "{\"Aliases\":[{\"Name\":\"live\",\"AliasArn\":\"x\"}],\"NextMarker\":\"same\"}"));
        server.Map($"/2015-03-31/functions/{runaway}/aliases", (ctx, hit) =>
            LocalAwsServer.Send(ctx, 200, "{\"Aliases\":[],\"NextMarker\":\"m" + hit + "\"}"));

        var (records, errors) = await ReadAsync(server);

        Assert.Equal(names.Count, records.Count);
        Assert.Contains(Record(records, looping).IncompleteReasons, r => r.Contains("lambda:ListAliases: PagingLoop", StringComparison.Ordinal));
        Assert.Contains(Record(records, runaway).IncompleteReasons, r => r.Contains("lambda:ListAliases: PagingLimit", StringComparison.Ordinal));
        Assert.Equal(2, errors.Count(x => x.ErrorId == "AwsListPagingLoop"));
        Assert.Equal(2, server.Hits($"/2015-03-31/functions/{looping}/aliases"));
        Assert.Equal(100, server.Hits($"/2015-03-31/functions/{runaway}/aliases"));
    }

    [Fact]
    public async Task ABlackHoledEndpointWaitsOnlyTheGivenTimeoutAndRetries()
    {
        await using var server = await LocalAwsServer.StartAsync();
        var s = Build();
        Serve(server, s);
        server.Map("/2015-03-31/functions/my-function/policy", async (ctx, _) => await Task.Delay(TimeSpan.FromSeconds(30), ctx.RequestAborted));
        var options = Options(server);
        options.RequestTimeout = TimeSpan.FromMilliseconds(300);
        options.MaxRetries = 1;

        var clock = Stopwatch.StartNew();
        var (records, errors) = await ReadAsync(server, options);
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Equal(2, server.Hits("/2015-03-31/functions/my-function/policy")); // one try and one retry
        Assert.False(Record(records, "my-function").IsComplete);
        var e = Assert.Single(errors, x => x.Target.EndsWith(":function:my-function", StringComparison.Ordinal));
        Assert.Contains("RequestTimeout", e.Message, StringComparison.Ordinal);
        Assert.Contains("0.3 s", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--timeout", "0", "ArgumentInvalid")]
    [InlineData("--max-retries", "-1", "ArgumentInvalid")]
    [InlineData("--max-retries", "21", "ArgumentInvalid")]
    public void TimeoutAndMaxRetriesAreValidatedByTheCli(string option, string value, string error)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = Program.Run(new[] { "inventory", "--live", "--region", Region, option, value }, stdout, stderr, new StringReader(""));
        Assert.NotEqual(0, code);
        Assert.Contains(error, stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal("", stdout.ToString());
    }

    [Fact]
    public void TimeoutWithoutLiveIsAConflict()
    {
        var stderr = new StringWriter();
        var code = Program.Run(new[] { "inventory", "--path", ".", "--timeout", "5" }, new StringWriter(), stderr, new StringReader(""));
        Assert.NotEqual(0, code);
        Assert.Contains("--timeout and --max-retries apply to --live only", stderr.ToString(), StringComparison.Ordinal);
    }
}

using System.Text.Json.Nodes;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Live;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;
using Xunit;
using static LambdaIdentity.Tests.Inventory.Live.AwsLiveFixtures;

namespace LambdaIdentity.Tests.Inventory.Live;

/// <summary>The live AWS reader against a local endpoint serving Lambda and IAM responses built from real samples.</summary>
public class AwsLiveInventoryReaderTests
{
    /// <summary>Collects everything a front would show: errors, verbose and warning lines, progress.</summary>
    private sealed class Sink : IErrorSink, ILogSink, IProgressSink
    {
        public List<EngineError> Errors { get; } = new();
        public List<string> Lines { get; } = new();
        public List<(string Status, long Done, long Total)> Progresses { get; } = new();
        public void Error(EngineError error) { lock (Errors) Errors.Add(error); }
        public void Verbose(string message) { lock (Lines) Lines.Add("verbose: " + message); }
        public void Warning(string message) { lock (Lines) Lines.Add("warning: " + message); }
        public void Progress(string activity, string status, long done, long total) { lock (Progresses) Progresses.Add((status, done, total)); }
        public EngineContext Context(CancellationToken ct = default) => new(this, this, this, ct);
        public string Everything() => string.Join("\n", Errors.Select(e => e.ToString() + " " + e.Target + " " + e.GetException()?.ToString()).Concat(Lines).Concat(Progresses.Select(p => p.Status)));
    }

    private static AwsLiveOptions Options(LocalAwsServer s, bool sessionToken = false) => new()
    {
        Regions = { Region },
        EndpointUrl = s.HttpsUri,
        HttpMessageHandler = s.TrustingHandler(),
        CredentialProvider = _ => Task.FromResult(new AwsCredentialValues(LocalAwsServer.AccessKeyId, LocalAwsServer.SecretAccessKey, sessionToken ? LocalAwsServer.SessionToken : null)),
        RetryDelay = TimeSpan.FromMilliseconds(5),
        MaxRetries = 3,
    };

    /// <summary>The documents the scenario serves, in the live reader's order, written as the AWS CLI exports them.</summary>
    private static List<string> WriteExports(Scenario s, string dir, IEnumerable<string> functionNames)
    {
        var files = new List<string>();
        void Write(string name, string json)
        {
            var path = Path.Combine(dir, name.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, json);
            files.Add(path);
        }
        Write($"aws-live/{Region}/lambda/list-functions.1.json", s.FunctionsPage1.ToJsonString(Relaxed));
        Write($"aws-live/{Region}/lambda/list-functions.2.json", s.FunctionsPage2.ToJsonString(Relaxed));
        foreach (var fn in functionNames)
        {
            if (s.Policies.TryGetValue(fn, out var p)) Write($"aws-live/{Region}/lambda/get-policy/{fn}.json", p);
            if (s.Urls.TryGetValue(fn, out var u)) Write($"aws-live/{Region}/lambda/get-function-url-config/{fn}.json", u);
        }
        Write($"aws-live/{Region}/lambda/list-event-source-mappings.1.json", s.MappingsPage1.ToJsonString(Relaxed));
        Write($"aws-live/{Region}/lambda/list-event-source-mappings.2.json", s.MappingsPage2.ToJsonString(Relaxed));
        Write("aws-live/iam/get-account-authorization-details.1.json", s.IamPage1.ToJsonString(Relaxed));
        Write("aws-live/iam/get-account-authorization-details.2.json", s.IamPage2.ToJsonString(Relaxed));
        return files;
    }

    [Fact]
    public async Task LiveInventoryEqualsTheOfflineInventoryOfTheSameDocuments()
    {
        var scenario = Build();
        await using var server = await LocalAwsServer.StartAsync();
        Serve(server, scenario);
        var sink = new Sink();
        var live = await new AwsLiveInventoryReader(Options(server)).ReadAsync(new InventoryOptions(), sink.Context());

        Assert.Empty(sink.Errors);
        var names = FunctionNames(scenario);
        Assert.Equal(4, names.Count);
        Assert.Equal(names.OrderBy(n => n, StringComparer.Ordinal), live.Select(r => r.FunctionName));

        var dir = Path.Combine(Path.GetTempPath(), "li-live-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = WriteExports(scenario, dir, names);
            var offlineErrors = new ErrorCollector();
            var offline = new InventoryReader().Read(files, new InventoryOptions(), new EngineContext(offlineErrors)).ToList();
            Assert.Empty(offlineErrors.Errors);
            var offlineJson = ModelJson.Serialize(offline).Replace(JsonEscaped(dir + Path.DirectorySeparatorChar), "");
            Assert.Equal(offlineJson, ModelJson.Serialize(live));
        }
        finally { Directory.Delete(dir, recursive: true); }

        // What the records hold: paging (both pages), policies, the URL, both mapping pages, the roles of the second IAM page.
        var my = live.Single(r => r.FunctionName == "my-function");
        Assert.Equal("iotevents.amazonaws.com", Assert.Single(my.ResourcePolicy!.Statement).Principal!.Service.Single());
        Assert.Equal("NONE", my.FunctionUrl!.AuthType);
        Assert.Equal(2, my.EventSources.Count(e => e.Type == "SQS"));
        Assert.Contains("DB_PASSWORD", my.EnvironmentVariableNames);
        Assert.Contains(my.Findings, f => f.FindingId == "SecretInEnvironment");
        Assert.NotNull(live.Single(r => r.FunctionName == "invpclambda").ResourcePolicy);
        Assert.Null(live.Single(r => r.FunctionName == "my-python-function").ResourcePolicy);
        Assert.Equal($"aws-live/{Region}/lambda/list-functions.2.json", live.Single(r => r.FunctionName == "invpclambda").Source!.File);

        // Throttling: IAM (400 Throttling) and the second mappings page (429) were each asked again and then read.
        Assert.Equal(3, server.Hits("GetAccountAuthorizationDetails"));
        Assert.Equal(3, server.Hits("/2015-03-31/event-source-mappings"));
        Assert.Contains(sink.Lines, l => l.Contains("iam:GetAccountAuthorizationDetails") && l.Contains("Throttling; retry 1"));
        Assert.Contains(sink.Lines, l => l.Contains("lambda:ListEventSourceMappings") && l.Contains("TooManyRequestsException; retry 1"));

        // Every request was signed with SigV4 for the right service and region, and the signature checks out on the wire.
        Assert.All(server.Requests, r =>
        {
            Assert.Matches("^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETESTONLY1/[0-9]{8}/us-west-2/(lambda|iam|sts)/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$", r.Authorization);
            Assert.True(r.SignatureValid, r.Target);
        });
        Assert.Contains(server.Requests, r => r.Service == "iam");
        Assert.Contains(server.Requests, r => r.Target.Contains("Marker=eyJtIjoiMiJ9%2B%2F%3Dpage%202", StringComparison.Ordinal));
        Assert.InRange(server.MaxInFlight, 1, new AwsLiveOptions().MaxConcurrency); // per-function calls overlap, bounded

        // Progress ends; the caller identity was read; no secret anywhere a person could see.
        Assert.Equal(("done", 1L, 1L), sink.Progresses[^1]);
        Assert.Contains(sink.Lines, l => l.Contains("AWS account 123456789012"));
        AssertNoSecret(sink.Everything() + ModelJson.Serialize(live));
    }

    [Fact]
    public async Task AliasPoliciesAndUrlsAreReadAndTheirCallersKept()
    {
        // botocore's ListAliases example (BLUE, GREEN) and its qualified GetPolicy example, moved to this account and region:
        // a partner account may invoke the GREEN alias. BLUE has no policy; helloworld's aliases cannot be listed.
        await using var server = await LocalAwsServer.StartAsync();
        var s = Build();
        Serve(server, s);
        var fixtures = Path.Combine(TestPaths.Fixtures, "inventory", "live");
        server.Map("/2015-03-31/functions/my-function/aliases", File.ReadAllText(Path.Combine(fixtures, "botocore-lambda-list-aliases.json")));
        var green = JsonNode.Parse(File.ReadAllText(Path.Combine(fixtures, "botocore-lambda-get-policy-qualified.json")))!.AsObject();
        green["Policy"] = ((string)green["Policy"]!).Replace("us-east-2", Region).Replace(":function:my-function:1", ":function:my-function:GREEN").Replace("arn:aws:iam::123456789012:root", "arn:aws:iam::444455556666:root");
        var unqualified = s.Policies["my-function"];
        server.Map("/2015-03-31/functions/my-function/policy", (ctx, _) => ctx.Request.Query["Qualifier"].ToString() switch
        {
            "" => LocalAwsServer.Send(ctx, 200, unqualified),
            "GREEN" => LocalAwsServer.Send(ctx, 200, green.ToJsonString()),
            _ => LocalAwsServer.LambdaError(ctx, 404, "ResourceNotFoundException", "The resource you requested does not exist."),
        });
        server.Map("/2015-03-31/functions/helloworld/aliases", (ctx, _) => LocalAwsServer.LambdaError(ctx, 403, "AccessDeniedException", "User is not authorized to perform: lambda:ListAliases"));
        var sink = new Sink();
        var live = await new AwsLiveInventoryReader(Options(server)).ReadAsync(null, sink.Context());

        var my = live.Single(r => r.FunctionName == "my-function");
        Assert.Equal(2, my.ResourcePolicy!.Statement.Count);
        Assert.Contains(my.ResourcePolicy.Statement, st => st.Sid == "xaccount");
        var partner = Assert.Single(my.Callers, c => c.Route == "arn:aws:iam::444455556666:root");
        Assert.Equal($"aws-live/{Region}/lambda/get-policy/my-function:GREEN.json", partner.Source!.File);
        Assert.DoesNotContain(my.IncompleteReasons, r => r.Contains("alias"));
        // Each alias's policy and URL were asked for, by qualifier.
        foreach (var alias in new[] { "BLUE", "GREEN" })
        {
            Assert.Contains(server.Requests, r => r.Target == "/2015-03-31/functions/my-function/policy?Qualifier=" + alias && r.SignatureValid);
            Assert.Contains(server.Requests, r => r.Target == "/2021-10-31/functions/my-function/url?Qualifier=" + alias && r.SignatureValid);
        }
        // Aliases that cannot be listed: one error naming the function, and the record says what is unknown.
        var e = Assert.Single(sink.Errors);
        Assert.Contains("helloworld", e.Target);
        Assert.Contains("ListAliases", e.Message);
        var hello = live.Single(r => r.FunctionName == "helloworld");
        Assert.False(hello.IsComplete);
        Assert.Contains(hello.IncompleteReasons, r => r.Contains("callers granted on an alias"));
    }

    [Fact]
    public async Task OneAtATimeGivesTheSameRecordsAndErrorsAsConcurrentCalls()
    {
        async Task<(string Records, string Errors, int MaxInFlight)> RunWith(int concurrency)
        {
            await using var server = await LocalAwsServer.StartAsync();
            Serve(server, Build());
            server.Map("/2015-03-31/functions/helloworld/policy", (ctx, _) => LocalAwsServer.LambdaError(ctx, 403, "AccessDeniedException", "denied"));
            server.Map("/2021-10-31/functions/invpclambda/url", (ctx, _) => LocalAwsServer.LambdaError(ctx, 403, "AccessDeniedException", "denied"));
            var options = Options(server);
            options.MaxConcurrency = concurrency;
            var sink = new Sink();
            var live = await new AwsLiveInventoryReader(options).ReadAsync(null, sink.Context());
            return (ModelJson.Serialize(live), string.Join("\n", sink.Errors.Select(e => e.ErrorId + " " + e.Target + " " + e.Location)), server.MaxInFlight);
        }
        var one = await RunWith(1);
        var many = await RunWith(8);
        Assert.Equal(1, one.MaxInFlight);
        Assert.Equal(one.Records, many.Records);
        Assert.Equal(one.Errors, many.Errors);
        Assert.Equal(2, one.Errors.Split('\n').Length);
    }

    [Fact]
    public async Task SeveralRegionsAreReadEachOnItsOwnAndIamOnce()
    {
        await using var server = await LocalAwsServer.StartAsync();
        Serve(server, Build());
        var options = Options(server);
        options.Regions.Add("eu-west-1");
        var sink = new Sink();
        var live = await new AwsLiveInventoryReader(options).ReadAsync(null, sink.Context());
        Assert.Empty(sink.Errors);
        // The endpoint serves the same functions for both regions: the same names stay two records, one per region.
        Assert.Equal(8, live.Count);
        Assert.Equal(2, live.Count(r => r.FunctionName == "my-function"));
        Assert.Contains(live, r => r.Source!.File == "aws-live/eu-west-1/lambda/list-functions.1.json");
        Assert.Contains(server.Requests, r => r.Service == "lambda" && r.Region == "eu-west-1");
        Assert.Contains(server.Requests, r => r.Service == "lambda" && r.Region == "us-west-2");
        Assert.Equal(3, server.Hits("GetAccountAuthorizationDetails")); // once per page (+1 throttled), not per region
        Assert.Single(server.Requests, r => r.Action == "GetCallerIdentity");
        Assert.Contains(sink.Lines, l => l == "verbose: AWS regions (given): us-west-2, eu-west-1.");
    }

    [Fact]
    public async Task DeniedGetPolicyIsAnErrorNamingTheFunctionAndAnExplicitUnknown()
    {
        var scenario = Build();
        await using var server = await LocalAwsServer.StartAsync();
        Serve(server, scenario);
        server.Map("/2015-03-31/functions/helloworld/policy", (ctx, _) => LocalAwsServer.LambdaError(ctx, 403, "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/Alice is not authorized to perform: lambda:GetPolicy on resource: arn:aws:lambda:us-west-2:123456789012:function:helloworld because no identity-based policy allows the lambda:GetPolicy action"));
        var sink = new Sink();
        var live = await new AwsLiveInventoryReader(Options(server, sessionToken: true)).ReadAsync(null, sink.Context());

        var e = Assert.Single(sink.Errors);
        Assert.Equal("AwsReadForbidden", e.ErrorId);
        Assert.Equal(EngineErrorCategory.PermissionDenied, e.Category);
        Assert.Equal("arn:aws:lambda:us-west-2:123456789012:function:helloworld", e.Target);
        Assert.Contains("lambda:GetPolicy", e.Message);
        Assert.Contains("'helloworld'", e.Message);
        Assert.Equal($"aws-live/{Region}/lambda/get-policy/helloworld.json", e.Location!.File);
        Assert.IsType<AwsApiException>(e.GetException());

        var hello = live.Single(r => r.FunctionName == "helloworld");
        Assert.False(hello.IsComplete);
        Assert.Null(hello.ResourcePolicy);
        Assert.Contains(hello.IncompleteReasons, r => r.StartsWith("The resource policy could not be read (lambda:GetPolicy: AccessDeniedException)", StringComparison.Ordinal) && r.Contains("unknown, not absent"));
        // The run went on: the next functions were read, and a function without a policy (404) is not an error.
        Assert.NotNull(live.Single(r => r.FunctionName == "my-function").ResourcePolicy);
        Assert.DoesNotContain(live.Single(r => r.FunctionName == "my-python-function").IncompleteReasons, r => r.Contains("resource policy"));
        // The session token went as X-Amz-Security-Token, signed, and appears nowhere else.
        Assert.All(server.Requests, r => { Assert.Equal(LocalAwsServer.SessionToken, r.SecurityToken); Assert.Contains("SignedHeaders=host;x-amz-date;x-amz-security-token,", r.Authorization); Assert.True(r.SignatureValid); });
        AssertNoSecret(sink.Everything() + ModelJson.Serialize(live));
        Assert.DoesNotContain(LocalAwsServer.SessionToken, sink.Everything());
    }

    [Fact]
    public async Task DeniedAuthorizationDetailsMarkDeployersAndPeopleUnknownOnEveryFunction()
    {
        var scenario = Build();
        await using var server = await LocalAwsServer.StartAsync();
        Serve(server, scenario);
        server.Map("GetAccountAuthorizationDetails", (ctx, _) => LocalAwsServer.QueryError(ctx, 403, "AccessDenied",
            "User: arn:aws:iam::123456789012:user/Alice is not authorized to perform: iam:GetAccountAuthorizationDetails on resource: *"));
        var sink = new Sink();
        var live = await new AwsLiveInventoryReader(Options(server)).ReadAsync(null, sink.Context());

        var e = Assert.Single(sink.Errors);
        Assert.Equal("AwsReadForbidden", e.ErrorId);
        Assert.Equal("iam:GetAccountAuthorizationDetails", e.Target);
        Assert.Contains("AccessDenied", e.Message);
        Assert.Equal(1, server.Hits("GetAccountAuthorizationDetails")); // denial is not retried
        Assert.Equal(4, live.Count);
        Assert.All(live, r =>
        {
            Assert.False(r.IsComplete);
            Assert.Contains(r.IncompleteReasons, x => x.Contains("iam:GetAccountAuthorizationDetails: AccessDenied") && x.Contains("automation and people surfaces) are unknown"));
            Assert.Empty(r.Principals);
        });
    }

    [Fact]
    public async Task PersistentThrottlingIsReportedAfterBoundedRetriesAndMarksTheMappingsUnknown()
    {
        var scenario = Build();
        await using var server = await LocalAwsServer.StartAsync();
        Serve(server, scenario);
        server.Map("/2015-03-31/event-source-mappings", (ctx, _) => LocalAwsServer.LambdaError(ctx, 429, "TooManyRequestsException", "Rate exceeded"));
        var sink = new Sink();
        var options = Options(server);
        options.MaxRetries = 2;
        var live = await new AwsLiveInventoryReader(options).ReadAsync(null, sink.Context());
        Assert.Equal(3, server.Hits("/2015-03-31/event-source-mappings"));
        var e = Assert.Single(sink.Errors);
        Assert.Equal("AwsReadThrottled", e.ErrorId);
        Assert.Equal(EngineErrorCategory.LimitsExceeded, e.Category);
        Assert.All(live, r => Assert.Contains(r.IncompleteReasons, x => x.StartsWith("The event source mappings of us-west-2 could not be read", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AFailedListPageKeepsTheEarlierPagesAndAMalformedPageIsReported()
    {
        var scenario = Build();
        await using var server = await LocalAwsServer.StartAsync();
        Serve(server, scenario);
        server.Map("/2015-03-31/functions", (ctx, _) => ctx.Request.Query["Marker"].ToString().Length == 0
            ? LocalAwsServer.Send(ctx, 200, scenario.FunctionsPage1.ToJsonString(Relaxed))
            : LocalAwsServer.Send(ctx, 503, "<html><body>Service Unavailable</body></html>", "text/html"));
        server.Map("/2015-03-31/event-source-mappings", "<html>not json</html>", "text/html");
        var sink = new Sink();
        var options = Options(server);
        options.MaxRetries = 1;
        var live = await new AwsLiveInventoryReader(options).ReadAsync(null, sink.Context());

        Assert.Equal(new[] { "helloworld", "my-function", "my-python-function" }, live.Select(r => r.FunctionName));
        var list = Assert.Single(sink.Errors, e => e.Target == "lambda:ListFunctions us-west-2");
        Assert.Equal("AwsRequestFailed", list.ErrorId);
        Assert.Contains("(page 2; earlier pages were read)", list.Message);
        Assert.Contains("HTTP 503", list.Message);
        Assert.DoesNotContain("<html>", list.Message); // a body that is not the service's error is never echoed
        var esm = Assert.Single(sink.Errors, e => e.ErrorId == "AwsResponseMalformed");
        Assert.Equal("lambda:ListEventSourceMappings us-west-2", esm.Target);
        Assert.All(live, r => Assert.Contains(r.IncompleteReasons, x => x.Contains("event source mappings of us-west-2 could not be read")));
        Assert.Equal(2, sink.Errors.Count);
    }

    [Fact]
    public async Task RetryAfterIsHonoured()
    {
        var scenario = Build();
        await using var server = await LocalAwsServer.StartAsync();
        Serve(server, scenario);
        server.Map("GetCallerIdentity", (ctx, hit) =>
        {
            if (hit == 1) { ctx.Response.Headers.RetryAfter = "1"; return LocalAwsServer.QueryError(ctx, 400, "Throttling", "Rate exceeded"); }
            return LocalAwsServer.Send(ctx, 200, CallerIdentityXml(), "text/xml");
        });
        var options = Options(server);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var api = new HttpAwsApi(options, options.CredentialProvider!);
        var xml = await api.GetCallerIdentityAsync(Region, CancellationToken.None);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(900), watch.Elapsed.ToString());
        Assert.Contains("<Account>123456789012</Account>", xml);
        Assert.Equal(2, server.Hits("GetCallerIdentity"));
    }

    [Fact]
    public async Task RefusedCredentialsAreASetupFailure()
    {
        await using var server = await LocalAwsServer.StartAsync();
        server.Map("GetCallerIdentity", (ctx, _) => LocalAwsServer.QueryError(ctx, 403, "InvalidClientTokenId", "The security token included in the request is invalid."));
        var ex = await Assert.ThrowsAsync<AwsLiveSetupException>(() => new AwsLiveInventoryReader(Options(server)).ReadAsync(null, EngineContext.None));
        Assert.Contains("InvalidClientTokenId", ex.Message);
        Assert.DoesNotContain(LocalAwsServer.SecretAccessKey, ex.ToString());
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task NoRegionIsASetupFailure()
    {
        var options = new AwsLiveOptions { ProfileName = "lambda-identity-test-no-such-profile", CredentialProvider = _ => throw new InvalidOperationException("not asked") };
        if (Environment.GetEnvironmentVariable("AWS_REGION") is null && Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") is null)
            await Assert.ThrowsAsync<AwsLiveSetupException>(() => new AwsLiveInventoryReader(options).ReadAsync(null, EngineContext.None));
        options.Regions.Add("not a region");
        await Assert.ThrowsAsync<AwsLiveSetupException>(() => new AwsLiveInventoryReader(options).ReadAsync(null, EngineContext.None));
    }

    [Fact]
    public async Task CancellationStopsTheRun()
    {
        var scenario = Build();
        await using var server = await LocalAwsServer.StartAsync();
        Serve(server, scenario);
        using var cts = new CancellationTokenSource();
        server.Map("/2015-03-31/functions/helloworld/policy", async (ctx, _) => { cts.Cancel(); await Task.Delay(500, ctx.RequestAborted).ContinueWith(_ => { }); });
        var sink = new Sink();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new AwsLiveInventoryReader(Options(server)).ReadAsync(null, sink.Context(cts.Token)));
        // IAM is read alongside the regions, so it may have started; once cancelled, no call is started any more.
        var sent = server.Requests.Count;
        await Task.Delay(400);
        Assert.Equal(sent, server.Requests.Count);
        Assert.Equal(("done", 1L, 1L), sink.Progresses[^1]);
    }

    private static string JsonEscaped(string s) => System.Text.Json.JsonSerializer.Serialize(s, ModelJson.Options).Trim('"');

    private static void AssertNoSecret(string text)
    {
        Assert.DoesNotContain(LocalAwsServer.SecretAccessKey, text);
        Assert.DoesNotContain(EnvSecret, text);
        Assert.DoesNotContain("Signature=", text);
    }
}

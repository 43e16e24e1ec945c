using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using LambdaIdentity.Core.Aws.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LambdaIdentity.Tests.Inventory.Live;

/// <summary>
/// A local AWS endpoint (Kestrel; HTTPS with an in-process self-signed certificate, and plain HTTP as LocalStack
/// serves): Lambda REST paths (GET) and IAM/STS Query actions (POST form). Every request's SigV4 signature is
/// recomputed from what arrived on the wire with the test secret.
/// </summary>
internal sealed class LocalAwsServer : IAsyncDisposable
{
    public const string AccessKeyId = "AKIDEXAMPLETESTONLY1";
    public const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYTESTONLYKEY";
    public const string SessionToken = "FQoGZXIvYXdzEXAMPLE-test-session-token//////////";

    public delegate Task Route(HttpContext context, int hit);
    public sealed record Request(string Method, string Target, string Action, string? Authorization, string? SecurityToken, bool SignatureValid, string? Region, string? Service);

    /// <summary>Access keys the server accepts: key id to secret and the account it belongs to (assumed roles add theirs).</summary>
    public ConcurrentDictionary<string, (string Secret, string Account)> Keys { get; } = new(StringComparer.Ordinal);
    /// <summary>Injected latency of every response.</summary>
    public TimeSpan Latency { get; set; }
    /// <summary>Injected rate limit: calls a second per endpoint (account, service, region), a token bucket holding <see cref="Burst"/>; null for none.</summary>
    public double? RateLimit { get; set; }
    public double Burst { get; set; } = 10;
    /// <summary>Throttled responses sent.</summary>
    public int Throttled => _throttled;
    /// <summary>Calls served (not throttled) per endpoint: account, service, region.</summary>
    public ConcurrentDictionary<string, int> Served { get; } = new(StringComparer.Ordinal);
    private int _throttled;
    private readonly Dictionary<string, (double Tokens, double At)> _buckets = new(StringComparer.Ordinal);
    private static readonly System.Diagnostics.Stopwatch Clock = System.Diagnostics.Stopwatch.StartNew();

    private readonly WebApplication _app;
    private readonly Dictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);

    public X509Certificate2 Certificate { get; }
    public Uri HttpsUri { get; private set; } = null!;
    public Uri HttpUri { get; private set; } = null!;
    public ConcurrentQueue<Request> Requests { get; } = new();
    /// <summary>The most requests in flight at once.</summary>
    public int MaxInFlight => _maxInFlight;
    private int _inFlight, _maxInFlight;

    private LocalAwsServer()
    {
        Keys[AccessKeyId] = (SecretAccessKey, "123456789012");
        Certificate = LocalTls.CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(Certificate));
            k.Listen(IPAddress.Loopback, 0);
        });
        _app = builder.Build();
        _app.Run(Handle);
    }

    public static async Task<LocalAwsServer> StartAsync()
    {
        var s = new LocalAwsServer();
        await s._app.StartAsync();
        var addresses = s._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        s.HttpsUri = new Uri(addresses.First(a => a.StartsWith("https:", StringComparison.Ordinal)) + "/");
        s.HttpUri = new Uri(addresses.First(a => a.StartsWith("http:", StringComparison.Ordinal)) + "/");
        return s;
    }

    /// <summary>Maps a Lambda path (GET) or a Query action (POST, by Action=).</summary>
    public void Map(string pathOrAction, Route route) => _routes[pathOrAction] = route;
    public void Map(string pathOrAction, string body, string contentType = "application/json") => _routes[pathOrAction] = (ctx, _) => Send(ctx, 200, body, contentType);
    public int Hits(string pathOrAction) => _hits.TryGetValue(pathOrAction, out var n) ? n : 0;

    public static Task Send(HttpContext ctx, int status, string body, string contentType = "application/json")
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType;
        ctx.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        return ctx.Response.WriteAsync(body);
    }

    /// <summary>A Lambda error as the service sends it: x-amzn-ErrorType and a JSON body.</summary>
    public static Task LambdaError(HttpContext ctx, int status, string code, string message)
    {
        ctx.Response.Headers["x-amzn-ErrorType"] = code + ":http://internal.amazon.com/coral/com.amazonaws.awslambda/";
        return Send(ctx, status, "{\"Type\":\"User\",\"message\":\"" + message + "\"}");
    }

    /// <summary>A Query API error (IAM, STS).</summary>
    public static Task QueryError(HttpContext ctx, int status, string code, string message) => Send(ctx, status,
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + WebUtility.HtmlEncode(message)
        + "</Message></Error><RequestId>9a2c1f3e-0000-4000-8000-000000000000</RequestId></ErrorResponse>", "text/xml");

    private async Task Handle(HttpContext ctx)
    {
        var now = Interlocked.Increment(ref _inFlight);
        for (var max = _maxInFlight; now > max; max = _maxInFlight) Interlocked.CompareExchange(ref _maxInFlight, now, max);
        try { await HandleOne(ctx); }
        finally { Interlocked.Decrement(ref _inFlight); }
    }

    private async Task HandleOne(HttpContext ctx)
    {
        var target = ctx.Features.Get<IHttpRequestFeature>()!.RawTarget;
        using var ms = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(ms);
        var body = ms.ToArray();
        var key = ctx.Request.Path.Value ?? "";
        if (key.Length > 1) key = key.TrimEnd('/'); // the AWS CLI asks for /2015-03-31/functions/
        var action = "";
        var amzTarget = ctx.Request.Headers["X-Amz-Target"].ToString();
        if (amzTarget.Length > 0) action = key = amzTarget.Substring(amzTarget.LastIndexOf('.') + 1); // JSON protocol (Organizations)
        else if (HttpMethods.IsPost(ctx.Request.Method))
        {
            var form = ParsePairs(Encoding.UTF8.GetString(body));
            action = form.FirstOrDefault(kv => kv.Key == "Action").Value ?? "";
            ctx.Items["form"] = form.GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value);
            key = action;
        }
        var authorization = ctx.Request.Headers.Authorization.ToString();
        var (valid, region, service, account) = Verify(ctx, target, body, authorization, Keys);
        Requests.Enqueue(new Request(ctx.Request.Method, target, action, authorization, ctx.Request.Headers["X-Amz-Security-Token"].ToString(), valid, region, service));
        if (Latency > TimeSpan.Zero) await Task.Delay(Latency);
        if (!valid) { await QueryError(ctx, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."); return; }
        ctx.Items["account"] = account;
        ctx.Items["region"] = region;
        var endpoint = account + " " + service + " " + region;
        if (RateLimit is double rate && !Take(endpoint, rate))
        {
            Interlocked.Increment(ref _throttled);
            if (service == "lambda") await LambdaError(ctx, 429, "TooManyRequestsException", "Rate exceeded");
            else if (amzTarget.Length > 0) { ctx.Response.StatusCode = 400; ctx.Response.ContentType = "application/x-amz-json-1.1"; await ctx.Response.WriteAsync("{\"__type\":\"TooManyRequestsException\",\"Message\":\"Rate exceeded\"}"); }
            else await QueryError(ctx, 400, "Throttling", "Rate exceeded");
            return;
        }
        Served.AddOrUpdate(endpoint, 1, (_, n) => n + 1);
        var hit = _hits.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (_routes.TryGetValue(key, out var route)) await route(ctx, hit);
        else if (action.Length > 0) await QueryError(ctx, 400, "InvalidAction", "Could not find operation " + action);
        else await LambdaError(ctx, 404, "ResourceNotFoundException", "Function not found: " + key);
    }

    private static readonly Regex AuthPattern = new("^AWS4-HMAC-SHA256 Credential=(?<key>[A-Z0-9]+)/(?<date>[0-9]{8})/(?<region>[a-z0-9-]+)/(?<service>[a-z0-9]+)/aws4_request, SignedHeaders=(?<headers>[a-z0-9;-]+), Signature=(?<sig>[0-9a-f]{64})$");

    /// <summary>Recomputes the signature from the raw target, the headers named and the body, as AWS does.</summary>
    /// <summary>A token bucket per endpoint: <see cref="Burst"/> calls at once, refilled at <paramref name="rate"/> a second.</summary>
    private bool Take(string endpoint, double rate)
    {
        lock (_buckets)
        {
            var now = Clock.Elapsed.TotalSeconds;
            var (tokens, at) = _buckets.TryGetValue(endpoint, out var b) ? b : (Burst, now);
            tokens = Math.Min(Burst, tokens + (now - at) * rate);
            var ok = tokens >= 1;
            _buckets[endpoint] = (ok ? tokens - 1 : tokens, now);
            return ok;
        }
    }

    private static (bool, string?, string?, string?) Verify(HttpContext ctx, string target, byte[] body, string authorization, ConcurrentDictionary<string, (string Secret, string Account)> keys)
    {
        var m = AuthPattern.Match(authorization);
        if (!m.Success || !keys.TryGetValue(m.Groups["key"].Value, out var key)) return (false, null, null, null);
        var amzDate = ctx.Request.Headers["X-Amz-Date"].ToString();
        if (!amzDate.StartsWith(m.Groups["date"].Value, StringComparison.Ordinal)) return (false, null, null, null);
        var q = target.IndexOf('?');
        var path = q < 0 ? target : target.Substring(0, q);
        var query = q < 0 ? new List<KeyValuePair<string, string>>() : ParsePairs(target.Substring(q + 1));
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        var headers = m.Groups["headers"].Value.Split(';').Select(h => new KeyValuePair<string, string>(h, h == "host" ? ctx.Request.Host.Value! : ctx.Request.Headers[h].ToString())).ToList();
        var signedAt = DateTime.ParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
        var token = ctx.Request.Headers["X-Amz-Security-Token"].ToString();
        var expected = SigV4Signer.Authorization(ctx.Request.Method, segments, true, query, headers, body, m.Groups["key"].Value, key.Secret, token.Length == 0 ? null : token,
            m.Groups["region"].Value, m.Groups["service"].Value, signedAt);
        return (expected == authorization, m.Groups["region"].Value, m.Groups["service"].Value, key.Account);
    }

    private static List<KeyValuePair<string, string>> ParsePairs(string text) => text.Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => { var eq = p.IndexOf('='); return new KeyValuePair<string, string>(Uri.UnescapeDataString(eq < 0 ? p : p.Substring(0, eq)), eq < 0 ? "" : Uri.UnescapeDataString(p.Substring(eq + 1))); })
        .ToList();

    /// <summary>A client handler that trusts only this server's certificate.</summary>
    public HttpMessageHandler TrustingHandler() => LocalTls.TrustingHandler(Certificate);


    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace LambdaIdentity.Core.Aws.Live;

/// <summary>
/// <see cref="IAwsApi"/> over plain HttpClient, signed with SigV4. Throttling (Lambda 429
/// TooManyRequestsException, IAM 400 Throttling) and transient failures (5xx, network) are retried with
/// exponential backoff and jitter, honouring Retry-After, at most <see cref="AwsLiveOptions.MaxRetries"/> times.
/// Nothing it logs or throws holds a header (Authorization, X-Amz-Security-Token) or a response body.
/// </summary>
public sealed class HttpAwsApi : IAwsApi, IAwsAccountsApi, IDisposable
{
    private const string UserAgent = "LambdaIdentity/0.1 live-inventory";
    private readonly HttpClient _http;
    private readonly AwsLiveOptions _options;
    private readonly Func<CancellationToken, Task<AwsCredentialValues>> _credentials;
    private readonly ILogSink? _log;
    private readonly Random _random = new();

    /// <summary>Creates the client; <paramref name="credentials"/> is asked before every request (temporary credentials refresh).</summary>
    public HttpAwsApi(AwsLiveOptions options, Func<CancellationToken, Task<AwsCredentialValues>> credentials, ILogSink? log = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        _log = log;
        _http = options.HttpMessageHandler is null ? new HttpClient() : new HttpClient(options.HttpMessageHandler, disposeHandler: false);
        _http.Timeout = System.Threading.Timeout.InfiniteTimeSpan; // per request, below
        Governors = new EndpointGovernors(options.MaxConcurrency);
    }

    /// <summary>The adaptive admission of each endpoint (service and region) these credentials call.</summary>
    internal EndpointGovernors Governors { get; }

    /// <summary>The clock used for x-amz-date (tests).</summary>
    internal Func<DateTime> UtcNow { get; set; } = () => DateTime.UtcNow;

    /// <inheritdoc />
    public Task<string> GetCallerIdentityAsync(string region, CancellationToken cancellationToken) =>
        SendQueryAsync("sts:GetCallerIdentity", "sts", region, ServiceEndpoint("sts", region),
            new[] { Kv("Action", "GetCallerIdentity"), Kv("Version", "2011-06-15") }, cancellationToken);

    /// <inheritdoc />
    public Task<string> ListFunctionsAsync(string region, string? marker, CancellationToken cancellationToken) =>
        SendLambdaAsync("lambda:ListFunctions", region, new[] { "2015-03-31", "functions" }, Marker(marker), cancellationToken);

    /// <inheritdoc />
    public Task<string> GetPolicyAsync(string region, string functionName, string? qualifier, CancellationToken cancellationToken) =>
        SendLambdaAsync("lambda:GetPolicy", region, new[] { "2015-03-31", "functions", functionName, "policy" }, Qualifier(qualifier), cancellationToken);

    /// <inheritdoc />
    public Task<string> GetFunctionUrlConfigAsync(string region, string functionName, string? qualifier, CancellationToken cancellationToken) =>
        SendLambdaAsync("lambda:GetFunctionUrlConfig", region, new[] { "2021-10-31", "functions", functionName, "url" }, Qualifier(qualifier), cancellationToken);

    /// <inheritdoc />
    public Task<string> ListAliasesAsync(string region, string functionName, string? marker, CancellationToken cancellationToken) =>
        SendLambdaAsync("lambda:ListAliases", region, new[] { "2015-03-31", "functions", functionName, "aliases" }, Marker(marker), cancellationToken);

    /// <inheritdoc />
    public Task<string> AssumeRoleAsync(string region, string roleArn, string sessionName, CancellationToken cancellationToken) =>
        SendQueryAsync("sts:AssumeRole", "sts", region, ServiceEndpoint("sts", region),
            new[] { Kv("Action", "AssumeRole"), Kv("Version", "2011-06-15"), Kv("RoleArn", roleArn), Kv("RoleSessionName", sessionName) }, cancellationToken);

    /// <inheritdoc />
    public Task<string> ListAccountsAsync(string region, string? nextToken, CancellationToken cancellationToken)
    {
        var (endpoint, signingRegion) = OrganizationsEndpoint(region);
        var body = nextToken is null ? "{}" : JsonSerializer.Serialize(new Dictionary<string, string> { ["NextToken"] = nextToken });
        return SendAsync("organizations:ListAccounts", "organizations", signingRegion, endpoint, HttpMethod.Post, Array.Empty<string>(), Array.Empty<KeyValuePair<string, string>>(),
            Encoding.UTF8.GetBytes(body), false, cancellationToken, "AWSOrganizationsV20161128.ListAccounts");
    }

    /// <summary>Organizations is global per partition, like IAM.</summary>
    private (Uri, string) OrganizationsEndpoint(string region)
    {
        if (_options.EndpointUrl is not null) return (_options.EndpointUrl, region);
        if (region.StartsWith("cn-", StringComparison.Ordinal)) return (new Uri("https://organizations.cn-northwest-1.amazonaws.com.cn/"), "cn-northwest-1");
        if (region.StartsWith("us-gov-", StringComparison.Ordinal)) return (new Uri("https://organizations.us-gov-west-1.amazonaws.com/"), "us-gov-west-1");
        return (new Uri("https://organizations.us-east-1.amazonaws.com/"), "us-east-1");
    }

    private static KeyValuePair<string, string>[] Qualifier(string? qualifier)
        => string.IsNullOrEmpty(qualifier) ? Array.Empty<KeyValuePair<string, string>>() : new[] { Kv("Qualifier", qualifier!) };

    /// <inheritdoc />
    public Task<string> ListEventSourceMappingsAsync(string region, string? marker, CancellationToken cancellationToken) =>
        SendLambdaAsync("lambda:ListEventSourceMappings", region, new[] { "2015-03-31", "event-source-mappings" }, Marker(marker), cancellationToken);

    /// <inheritdoc />
    public Task<string> GetAccountAuthorizationDetailsAsync(string region, string? marker, CancellationToken cancellationToken)
    {
        var (endpoint, signingRegion) = IamEndpoint(region);
        var form = new List<KeyValuePair<string, string>> { Kv("Action", "GetAccountAuthorizationDetails"), Kv("Version", "2010-05-08") };
        form.AddRange(Marker(marker));
        return SendQueryAsync("iam:GetAccountAuthorizationDetails", "iam", signingRegion, endpoint, form, cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static KeyValuePair<string, string> Kv(string k, string v) => new(k, v);
    private static KeyValuePair<string, string>[] Marker(string? marker) => marker is null ? Array.Empty<KeyValuePair<string, string>>() : new[] { Kv("Marker", marker) };

    private static string DnsSuffix(string region) => region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";

    private Uri ServiceEndpoint(string service, string region) => _options.EndpointUrl ?? new Uri("https://" + service + "." + region + "." + DnsSuffix(region) + "/");

    /// <summary>IAM is global per partition: its endpoint and signing region follow the partition of <paramref name="region"/>.</summary>
    private (Uri, string) IamEndpoint(string region)
    {
        if (_options.EndpointUrl is not null) return (_options.EndpointUrl, region); // as the AWS CLI signs with --endpoint-url
        if (region.StartsWith("cn-", StringComparison.Ordinal)) return (new Uri("https://iam.cn-north-1.amazonaws.com.cn/"), "cn-north-1");
        if (region.StartsWith("us-gov-", StringComparison.Ordinal)) return (new Uri("https://iam.us-gov.amazonaws.com/"), "us-gov-west-1");
        return (new Uri("https://iam.amazonaws.com/"), "us-east-1");
    }

    private Task<string> SendLambdaAsync(string operation, string region, IReadOnlyList<string> segments, IReadOnlyList<KeyValuePair<string, string>> query, CancellationToken ct) =>
        SendAsync(operation, "lambda", region, ServiceEndpoint("lambda", region), HttpMethod.Get, segments, query, null, false, ct);

    private Task<string> SendQueryAsync(string operation, string service, string region, Uri endpoint, IReadOnlyList<KeyValuePair<string, string>> form, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(string.Join("&", form.Select(kv => SigV4Signer.Encode(kv.Key) + "=" + SigV4Signer.Encode(kv.Value))));
        return SendAsync(operation, service, region, endpoint, HttpMethod.Post, Array.Empty<string>(), Array.Empty<KeyValuePair<string, string>>(), body, true, ct);
    }

    private async Task<string> SendAsync(string operation, string service, string region, Uri endpoint, HttpMethod method, IReadOnlyList<string> segments,
        IReadOnlyList<KeyValuePair<string, string>> query, byte[]? body, bool xmlErrors, CancellationToken ct, string? target = null)
    {
        var governor = Governors.For(service, region);
        for (int attempt = 0; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            AwsApiException failure;
            TimeSpan? retryAfter = null;
            var started = await governor.AcquireAsync(ct).ConfigureAwait(false);
            var outcome = GovernedOutcome.Neutral;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(_options.RequestTimeout);
                try
                {
                    using var request = await BuildAsync(service, region, endpoint, method, segments, query, body, ct, target).ConfigureAwait(false);
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                    var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    var status = (int)response.StatusCode;
                    _log?.Verbose($"{operation} ({region}): HTTP {status}" + (attempt > 0 ? $" (attempt {attempt + 1})" : ""));
                    if (status >= 200 && status < 300) { outcome = GovernedOutcome.Served; return text; }
                    failure = xmlErrors ? XmlError(operation, status, text, response) : JsonError(operation, status, text, response);
                    retryAfter = RetryAfter(response);
                    outcome = failure.IsThrottled ? GovernedOutcome.Throttled : status >= 500 ? GovernedOutcome.Neutral : GovernedOutcome.Served;
                }
                catch (HttpRequestException ex)
                {
                    failure = new AwsApiException(operation, 0, "RequestFailed", ex.Message, null, ex);
                }
                catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
                {
                    failure = new AwsApiException(operation, 0, "RequestTimeout", "no response within " + _options.RequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s", null, ex);
                }
            }
            finally { governor.Release(started, outcome); }
            if (!IsRetryable(failure) || attempt >= _options.MaxRetries) throw failure;
            var delay = Delay(attempt, retryAfter);
            _log?.Verbose($"{operation} ({region}): {failure.ErrorCode}; retry {attempt + 1} of {_options.MaxRetries} in {delay.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms.");
            await Task.Delay(delay, ct).ConfigureAwait(false);
        }
    }

    private async Task<HttpRequestMessage> BuildAsync(string service, string region, Uri endpoint, HttpMethod method, IReadOnlyList<string> segments,
        IReadOnlyList<KeyValuePair<string, string>> query, byte[]? body, CancellationToken ct, string? target)
    {
        var credentials = await _credentials(ct).ConfigureAwait(false);
        var basePath = endpoint.AbsolutePath.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString);
        var allSegments = basePath.Concat(segments).ToList();
        var path = "/" + string.Join("/", allSegments.Select(SigV4Signer.Encode));
        var queryText = string.Join("&", query.Select(kv => SigV4Signer.Encode(kv.Key) + "=" + SigV4Signer.Encode(kv.Value)));
        var uri = new Uri(endpoint.GetLeftPart(UriPartial.Authority) + path + (queryText.Length > 0 ? "?" + queryText : ""));
        var now = UtcNow();
        var amzDate = now.ToString(SigV4Signer.DateFormat, CultureInfo.InvariantCulture);
        var signed = new List<KeyValuePair<string, string>> { Kv("host", uri.Authority), Kv("x-amz-date", amzDate) };
        if (credentials.SessionToken is not null) signed.Add(Kv("x-amz-security-token", credentials.SessionToken));
        if (target is not null) signed.Add(Kv("x-amz-target", target));
        var payload = body ?? Array.Empty<byte>();
        var authorization = SigV4Signer.Authorization(method.Method, allSegments, true, query, signed, payload,
            credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken, region, service, now);
        var request = new HttpRequestMessage(method, uri);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (credentials.SessionToken is not null) request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.SessionToken);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        if (target is not null) request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("Accept", body is null || target is not null ? "application/json" : "text/xml");
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", target is not null ? "application/x-amz-json-1.1" : "application/x-www-form-urlencoded; charset=utf-8");
        }
        return request;
    }

    private static bool IsRetryable(AwsApiException e) =>
        e.IsThrottled || e.StatusCode is 500 or 502 or 503 or 504 || (e.StatusCode == 0 && e.ErrorCode is "RequestFailed" or "RequestTimeout");

    private TimeSpan Delay(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is TimeSpan ra) return ra < TimeSpan.Zero ? TimeSpan.Zero : ra > _options.MaxRetryDelay ? _options.MaxRetryDelay : ra;
        var ceiling = Math.Min(_options.MaxRetryDelay.TotalMilliseconds, _options.RetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
        double jitter;
        lock (_random) jitter = _random.NextDouble();
        return TimeSpan.FromMilliseconds(ceiling / 2 + jitter * ceiling / 2); // exponential backoff, "equal jitter"
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var ra = response.Headers.RetryAfter;
        if (ra?.Delta is TimeSpan d) return d;
        if (ra?.Date is DateTimeOffset at) return at - DateTimeOffset.UtcNow;
        return null;
    }

    private static string? RequestId(HttpResponseMessage r) =>
        r.Headers.TryGetValues("x-amzn-RequestId", out var v) || r.Headers.TryGetValues("x-amz-request-id", out v) ? v.FirstOrDefault() : null;

    private static string Clip(string? s) => s is null ? "" : s.Length > 500 ? s.Substring(0, 500) + "..." : s;

    /// <summary>Lambda's errors: the code in x-amzn-ErrorType (Code:namespace) or __type, the message in message/Message.</summary>
    private static AwsApiException JsonError(string operation, int status, string text, HttpResponseMessage response)
    {
        string? code = null, message = null;
        if (response.Headers.TryGetValues("x-amzn-ErrorType", out var types)) code = types.FirstOrDefault()?.Split(':')[0];
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (string.IsNullOrEmpty(code) && root.TryGetProperty("__type", out var t) && t.ValueKind == JsonValueKind.String) code = t.GetString()!.Split('#').Last();
                if (string.IsNullOrEmpty(code) && root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String) code = c.GetString();
                if ((root.TryGetProperty("message", out var m) || root.TryGetProperty("Message", out m)) && m.ValueKind == JsonValueKind.String) message = m.GetString();
            }
        }
        catch (JsonException) { } // not JSON (a proxy's page): the status says enough; the body is never echoed
        return new AwsApiException(operation, status, string.IsNullOrEmpty(code) ? DefaultCode(status) : code!, Clip(message), RequestId(response));
    }

    /// <summary>Query API errors: ErrorResponse/Error/Code and Message.</summary>
    private static AwsApiException XmlError(string operation, int status, string text, HttpResponseMessage response)
    {
        var (code, message, requestId) = IamQueryXml.ParseError(text);
        return new AwsApiException(operation, status, string.IsNullOrEmpty(code) ? DefaultCode(status) : code!, Clip(message), requestId ?? RequestId(response));
    }

    private static string DefaultCode(int status) => status switch
    {
        401 or 403 => "AccessDenied",
        429 => "TooManyRequestsException",
        _ => "HTTP" + status.ToString(CultureInfo.InvariantCulture),
    };
}

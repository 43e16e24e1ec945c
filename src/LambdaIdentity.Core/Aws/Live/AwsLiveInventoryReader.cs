using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Live;

/// <summary>
/// Reads the AWS side live: for each region Lambda ListFunctions (paged), GetPolicy and GetFunctionUrlConfig per
/// function, ListEventSourceMappings (paged), then IAM GetAccountAuthorizationDetails (paged). Each response is the
/// document the AWS CLI exports for that call and goes through the offline parsers (<see cref="InventoryReader"/>),
/// so the live and the file inventories of the same documents are the same records. What cannot be read is an
/// error record and an explicit incomplete reason on the functions it concerns; the run goes on.
/// </summary>
public sealed class AwsLiveInventoryReader
{
    /// <summary>Activity name used for progress.</summary>
    public const string ProgressActivity = "Reading Lambda inventory (live)";
    private const int MaxPages = 10000;
    private const int MaxAliasPages = 100; // 50 aliases a page
    /// <summary>Error codes the reader gives a response it refused (not the service's).</summary>
    private static bool IsRefusedResponse(AwsApiException e) => e.StatusCode == 0 && e.ErrorCode is "MalformedResponse" or "PagingLoop" or "PagingLimit";
    private readonly AwsLiveOptions _options;
    private readonly IAwsApi? _api;

    /// <summary>Creates the reader; <paramref name="api"/> replaces the signed HTTP client (tests, SDK clients).</summary>
    public AwsLiveInventoryReader(AwsLiveOptions options, IAwsApi? api = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _api = api;
    }

    /// <summary>
    /// Reads every region and returns the function records, sorted as the file inventory sorts them. Throws
    /// <see cref="AwsLiveSetupException"/> when no region or no credentials can be found, or the credentials are refused.
    /// </summary>
    public async Task<IReadOnlyList<LambdaFunctionIdentity>> ReadAsync(InventoryOptions? options, EngineContext? context)
    {
        options ??= new InventoryOptions();
        context ??= EngineContext.None;
        var regions = ResolveRegions(context);
        HttpAwsApi? owned = null;
        var api = _api;
        if (api is null)
        {
            var credentials = _options.CredentialProvider ?? AwsCredentialResolver.Create(_options.ProfileName, context);
            if (_options.CredentialProvider is not null) context.Verbose("AWS credentials: supplied by the caller.");
            api = owned = new HttpAwsApi(_options, credentials, new SynchronizedLog(context));
        }
        if (_options.EndpointUrl is not null)
        {
            context.Verbose("AWS endpoint: every call goes to " + _options.EndpointUrl.GetLeftPart(UriPartial.Path) + ".");
            if (_options.EndpointUrl.Scheme == Uri.UriSchemeHttp && !_options.EndpointUrl.IsLoopback)
                context.Warning("The AWS endpoint " + _options.EndpointUrl.Authority + " is plain HTTP: requests, a session token included, travel unencrypted.");
        }
        try
        {
            await CallerIdentityAsync(api, regions[0], context).ConfigureAwait(false);
            var account = new AccountAuthorization();
            var perRegion = new List<(string Region, List<FunctionDraft> Drafts, List<(string Name, string Arn)> Functions)>();
            foreach (var region in regions)
            {
                var drafts = new List<FunctionDraft>();
                var functions = await ReadRegionAsync(api, region, _options.MaxConcurrency, options, context, drafts).ConfigureAwait(false);
                perRegion.Add((region, drafts, functions));
            }
            var iamProblem = await ReadAuthorizationDetailsAsync(api, regions[0], options, context, account).ConfigureAwait(false);
            if (iamProblem is not null)
                foreach (var (_, drafts, functions) in perRegion)
                    foreach (var f in functions) MarkIncomplete(drafts, f, iamProblem);
            var records = new List<LambdaFunctionIdentity>();
            // Each region completes on its own: the same function name in two regions is two functions.
            foreach (var (_, drafts, _) in perRegion) records.AddRange(InventoryReader.Complete(drafts, account, options, context));
            return InventoryReader.Sort(records);
        }
        finally
        {
            owned?.Dispose();
            context.Progress(ProgressActivity, "done", 1, 1);
        }
    }

    /// <summary>The name a response is known by in source locations: the AWS CLI command and the page or function.</summary>
    internal static string DocumentName(string? region, string service, string command, string part) =>
        "aws-live/" + (region is null ? "" : region + "/") + service + "/" + command + (part.Length == 0 ? "" : (command.EndsWith("/", StringComparison.Ordinal) ? "" : ".") + part) + ".json";

    private List<string> ResolveRegions(EngineContext context)
    {
        var regions = _options.Regions.Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => r.Trim()).Distinct(StringComparer.Ordinal).ToList();
        var from = "given";
        if (regions.Count == 0)
        {
            var env = Environment.GetEnvironmentVariable("AWS_REGION");
            from = "AWS_REGION";
            if (string.IsNullOrEmpty(env)) { env = Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION"); from = "AWS_DEFAULT_REGION"; }
            if (string.IsNullOrEmpty(env)) { env = AwsCredentialResolver.ProfileRegion(_options.ProfileName); from = "the profile"; }
            if (!string.IsNullOrEmpty(env)) regions.Add(env!);
        }
        if (regions.Count == 0)
            throw new AwsLiveSetupException("No AWS region was given: pass one or more regions, or set AWS_REGION, AWS_DEFAULT_REGION or the profile's region.");
        foreach (var r in regions)
            if (!System.Text.RegularExpressions.Regex.IsMatch(r, "^[a-z]{2}(-[a-z]+)+-[0-9]+$"))
                throw new AwsLiveSetupException($"'{r}' is not an AWS region name (e.g. eu-west-1).");
        context.Verbose($"AWS regions ({from}): {string.Join(", ", regions)}.");
        return regions;
    }

    private static async Task CallerIdentityAsync(IAwsApi api, string region, EngineContext context)
    {
        try
        {
            var xml = await api.GetCallerIdentityAsync(region, context.CancellationToken).ConfigureAwait(false);
            var (account, arn, _) = IamQueryXml.CallerIdentity(xml);
            context.Verbose($"AWS account {account} as {arn}.");
        }
        catch (AwsApiException ex) when (ex.IsCredentialFailure)
        {
            throw new AwsLiveSetupException("The AWS credentials were refused: " + ex.Message, ex);
        }
        catch (AwsApiException ex)
        {
            Report(context, ex, "sts:GetCallerIdentity", "The caller identity", DocumentName(region, "sts", "get-caller-identity", ""));
        }
        catch (FormatException ex)
        {
            context.Error("AwsResponseMalformed", EngineErrorCategory.InvalidData, "sts:GetCallerIdentity", "The caller identity could not be read: " + ex.Message, null, ex);
        }
    }

    private static async Task<List<(string Name, string Arn)>> ReadRegionAsync(IAwsApi api, string region, int maxConcurrency, InventoryOptions options, EngineContext context, List<FunctionDraft> drafts)
    {
        var ct = context.CancellationToken;
        var functions = new List<(string Name, string Arn)>();
        await PagesAsync(context, region, "list-functions", "lambda:ListFunctions", "The function list of " + region,
            marker => api.ListFunctionsAsync(region, marker, ct),
            (name, json, root) =>
            {
                if (root.TryGetProperty("Functions", out var list) && list.ValueKind == JsonValueKind.Array)
                    foreach (var f in list.EnumerateArray())
                        if (AwsJsonSources.Str(f, "FunctionName") is string fn) functions.Add((fn, AwsJsonSources.Str(f, "FunctionArn") ?? ""));
                InventoryReader.ReadDocument(name, json, options, context, drafts, new AccountAuthorization());
            }).ConfigureAwait(false);
        context.Verbose($"{region}: {functions.Count} functions.");

        // Per-function calls run maxConcurrency functions ahead; their outcomes are handled in list order, so errors,
        // progress and the documents fed to the parsers come in the same order whatever the timing.
        var window = new Queue<Task<FunctionOutcome>>();
        int started = 0;
        void Fill()
        {
            while (started < functions.Count && window.Count < Math.Max(1, maxConcurrency))
            {
                var name = functions[started++].Name;
                window.Enqueue(FetchFunctionAsync(api, region, name, ct));
            }
        }
        Fill();
        for (int i = 0; i < functions.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var outcome = await window.Dequeue().ConfigureAwait(false);
            Fill();
            var f = functions[i];
            context.Progress(ProgressActivity, $"{region}: {f.Name} ({i + 1} of {functions.Count})", i, functions.Count);
            Handle(context, drafts, f, region, "get-policy", "lambda:GetPolicy", "The resource policy",
                "callers the resource policy allows (services, accounts, API Gateway) are unknown, not absent", outcome.Policy, options, null);
            Handle(context, drafts, f, region, "get-function-url-config", "lambda:GetFunctionUrlConfig", "The function URL configuration",
                "whether the function has a URL, and its AuthType, is unknown", outcome.Url, options, null);
            // Callers are often granted on an alias (API Gateway invoking function:live): each alias's policy and URL too.
            if (outcome.AliasError is { } aliasError && !(aliasError.IsNotFound && !aliasError.IsAccessDenied))
            {
                Report(context, aliasError, string.IsNullOrEmpty(f.Arn) ? f.Name : f.Arn, $"The aliases of function '{f.Name}' ({region})", DocumentName(region, "lambda", "list-aliases/", f.Name));
                MarkIncomplete(drafts, f, $"The aliases could not be listed (lambda:ListAliases: {aliasError.ErrorCode}): callers granted on an alias, and alias function URLs, are unknown.");
            }
            foreach (var (alias, aliasPolicy, aliasUrl) in outcome.Aliases)
            {
                Handle(context, drafts, f, region, "get-policy", "lambda:GetPolicy", "The resource policy of alias " + alias,
                    "callers the alias's resource policy allows are unknown, not absent", aliasPolicy, options, alias);
                Handle(context, drafts, f, region, "get-function-url-config", "lambda:GetFunctionUrlConfig", "The function URL configuration of alias " + alias,
                    "whether the alias has a function URL, and its AuthType, is unknown", aliasUrl, options, alias);
            }
        }
        context.Progress(ProgressActivity, $"{region}: event source mappings", functions.Count, functions.Count);

        var esmProblem = await PagesAsync(context, region, "list-event-source-mappings", "lambda:ListEventSourceMappings", "The event source mappings of " + region,
            marker => api.ListEventSourceMappingsAsync(region, marker, ct),
            (name, json, _) => InventoryReader.ReadDocument(name, json, options, context, drafts, new AccountAuthorization())).ConfigureAwait(false);
        if (esmProblem is not null)
            foreach (var f in functions) MarkIncomplete(drafts, f, $"The event source mappings of {region} could not be read ({esmProblem}): pull event sources (SQS, Kinesis, DynamoDB, MSK, MQ) are unknown.");
        return functions;
    }

    /// <summary>The result of one call: the document, or the service's refusal.</summary>
    private readonly struct Outcome
    {
        public Outcome(string? json, AwsApiException? error) { Json = json; Error = error; }
        public string? Json { get; }
        public AwsApiException? Error { get; }
    }

    /// <summary>What the per-function calls returned: the function's policy and URL, and each alias's.</summary>
    private sealed class FunctionOutcome
    {
        public Outcome Policy, Url;
        public AwsApiException? AliasError;
        public List<(string Alias, Outcome Policy, Outcome Url)> Aliases = new();
    }

    private static async Task<FunctionOutcome> FetchFunctionAsync(IAwsApi api, string region, string name, System.Threading.CancellationToken ct)
    {
        var r = new FunctionOutcome
        {
            Policy = await FetchAsync(() => api.GetPolicyAsync(region, name, null, ct)).ConfigureAwait(false),
            Url = await FetchAsync(() => api.GetFunctionUrlConfigAsync(region, name, null, ct)).ConfigureAwait(false),
        };
        var aliases = new List<string>();
        try
        {
            string? marker = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var page = 1; ; page++)
            {
                using var doc = JsonDocument.Parse(await api.ListAliasesAsync(region, name, marker, ct).ConfigureAwait(false));
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("Aliases", out var list) || list.ValueKind != JsonValueKind.Array)
                    throw new AwsApiException("lambda:ListAliases", 0, "MalformedResponse", $"page {page} is not ListAliases' shape (an object with an Aliases list)");
                foreach (var a in list.EnumerateArray())
                    if (AwsJsonSources.Str(a, "Name") is { Length: > 0 } alias) aliases.Add(alias);
                marker = AwsJsonSources.Str(doc.RootElement, "NextMarker");
                if (string.IsNullOrEmpty(marker)) break;
                if (!seen.Add(marker!)) throw new AwsApiException("lambda:ListAliases", 0, "PagingLoop", $"page {page}'s NextMarker repeats an earlier page's");
                if (page >= MaxAliasPages) throw new AwsApiException("lambda:ListAliases", 0, "PagingLimit", $"still more pages after {MaxAliasPages} (a function has at most a few hundred aliases)");
            }
        }
        catch (AwsApiException ex) { r.AliasError = ex; }
        catch (JsonException ex) { r.AliasError = new AwsApiException("lambda:ListAliases", 0, "MalformedResponse", "the response is not JSON: " + ex.Message, null, ex); }
        foreach (var alias in aliases)
            r.Aliases.Add((alias,
                await FetchAsync(() => api.GetPolicyAsync(region, name, alias, ct)).ConfigureAwait(false),
                await FetchAsync(() => api.GetFunctionUrlConfigAsync(region, name, alias, ct)).ConfigureAwait(false)));
        return r;
    }

    private static async Task<Outcome> FetchAsync(Func<Task<string>> call)
    {
        try { return new Outcome(await call().ConfigureAwait(false), null); }
        catch (AwsApiException ex) { return new Outcome(null, ex); }
    }

    /// <summary>A per-function call whose ResourceNotFoundException means "none"; any other failure is an error and an incomplete reason.</summary>
    private static void Handle(EngineContext context, List<FunctionDraft> drafts, (string Name, string Arn) f, string region, string command, string operation,
        string what, string consequence, Outcome outcome, InventoryOptions options, string? qualifier)
    {
        var name = DocumentName(region, "lambda", command + "/", qualifier is null ? f.Name : f.Name + ":" + qualifier);
        if (outcome.Json is not null)
        {
            if (ShapeProblem(operation, outcome.Json) is string problem)
            {
                context.Error("AwsResponseMalformed", EngineErrorCategory.InvalidData, string.IsNullOrEmpty(f.Arn) ? f.Name : f.Arn,
                    $"{what} of function '{f.Name}' ({region}) could not be read: the response of {operation} {problem}.", new SourceLocation { File = name });
                MarkIncomplete(drafts, f, $"{what} could not be read ({operation}: malformed response): {consequence}.");
                return;
            }
            InventoryReader.ReadDocument(name, Encoding.UTF8.GetBytes(outcome.Json), options, context, drafts, new AccountAuthorization());
            return;
        }
        var ex = outcome.Error!;
        if (ex.IsNotFound && !ex.IsAccessDenied) return; // ResourceNotFoundException: the function has none (no resource policy, no URL)
        Report(context, ex, string.IsNullOrEmpty(f.Arn) ? f.Name : f.Arn, $"{what} of function '{f.Name}' ({region})", name);
        MarkIncomplete(drafts, f, $"{what} could not be read ({operation}: {ex.ErrorCode}): {consequence}.");
    }

    /// <summary>
    /// Why a 200 response is not the modelled output of the call (GetPolicy: an object whose Policy is a JSON policy document;
    /// GetFunctionUrlConfig: an object with FunctionUrl and AuthType strings), or null when it is. A truncated body or a
    /// proxy's HTML page is refused, so the function is marked incomplete rather than read as having no callers.
    /// </summary>
    internal static string? ShapeProblem(string operation, string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return "is JSON but not an object";
            if (operation == "lambda:GetPolicy")
            {
                if (AwsJsonSources.Str(root, "Policy") is not string policy) return "has no Policy string";
                try
                {
                    using var p = JsonDocument.Parse(policy);
                    if (p.RootElement.ValueKind != JsonValueKind.Object || !p.RootElement.TryGetProperty("Statement", out _)) return "holds a Policy that is not a policy document (no Statement)";
                }
                catch (JsonException ex) { return "holds a Policy that is not valid JSON (" + ex.Message + ")"; }
            }
            else if (operation == "lambda:GetFunctionUrlConfig" && (AwsJsonSources.Str(root, "FunctionUrl") is null || AwsJsonSources.Str(root, "AuthType") is null))
                return "has no FunctionUrl and AuthType";
            return null;
        }
        catch (JsonException ex) { return "is not JSON (truncated, or a proxy's page): " + ex.Message; }
    }

    /// <summary>Reads every page of a Marker/NextMarker list; returns null when all were read, else what went wrong (already reported).</summary>
    private static async Task<string?> PagesAsync(EngineContext context, string region, string command, string operation, string what,
        Func<string?, Task<string>> call, Action<string, byte[], JsonElement> each)
    {
        string? marker = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int page = 1; ; page++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            context.Progress(ProgressActivity, $"{region}: {operation} page {page}", 0, 0);
            var name = DocumentName(region, "lambda", command, page.ToString(System.Globalization.CultureInfo.InvariantCulture));
            string text;
            try { text = await call(marker).ConfigureAwait(false); }
            catch (AwsApiException ex)
            {
                Report(context, ex, operation + " " + region, what + (page > 1 ? $" (page {page}; earlier pages were read)" : ""), name);
                return operation + ": " + ex.ErrorCode;
            }
            var bytes = Encoding.UTF8.GetBytes(text);
            string? next;
            try
            {
                using var doc = JsonDocument.Parse(bytes);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("the response is not a JSON object");
                each(name, bytes, doc.RootElement);
                next = AwsJsonSources.Str(doc.RootElement, "NextMarker");
            }
            catch (JsonException ex)
            {
                context.Error("AwsResponseMalformed", EngineErrorCategory.InvalidData, operation + " " + region, $"{what} could not be read: page {page} is not valid JSON ({ex.Message}).", new SourceLocation { File = name }, ex);
                return operation + ": malformed response";
            }
            if (string.IsNullOrEmpty(next)) return null;
            if (!seen.Add(next!) || page >= MaxPages)
            {
                context.Error("AwsListPagingLoop", EngineErrorCategory.InvalidData, operation + " " + region, page >= MaxPages ? $"{what} could not be read in full: still more pages after {MaxPages}." : $"{what} could not be read in full: page {page}'s NextMarker repeats an earlier page's.", new SourceLocation { File = name });
                return operation + ": paging loop";
            }
            marker = next;
        }
    }

    /// <summary>Reads every page of authorization details into the account; returns null when all were read, else the incomplete reason.</summary>
    private static async Task<string?> ReadAuthorizationDetailsAsync(IAwsApi api, string region, InventoryOptions options, EngineContext context, AccountAuthorization account)
    {
        const string operation = "iam:GetAccountAuthorizationDetails";
        const string consequence = "the execution role's policies and who can deploy, administer, invoke or read the function (the automation and people surfaces) are unknown";
        string? marker = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ignored = new List<FunctionDraft>();
        for (int page = 1; ; page++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            context.Progress(ProgressActivity, $"IAM authorization details page {page}", 0, 0);
            var name = DocumentName(null, "iam", "get-account-authorization-details", page.ToString(System.Globalization.CultureInfo.InvariantCulture));
            string xml;
            try { xml = await api.GetAccountAuthorizationDetailsAsync(region, marker, context.CancellationToken).ConfigureAwait(false); }
            catch (AwsApiException ex)
            {
                Report(context, ex, operation, "The IAM authorization details" + (page > 1 ? $" (page {page}; earlier pages were read)" : ""), name);
                return $"Authorization details could not be read{(page > 1 ? " in full" : "")} ({operation}: {ex.ErrorCode}): {consequence}.";
            }
            byte[] json; bool truncated; string? next;
            try { (json, truncated, next) = IamQueryXml.AuthorizationDetails(xml); }
            catch (FormatException ex)
            {
                context.Error("AwsResponseMalformed", EngineErrorCategory.InvalidData, operation, $"The IAM authorization details could not be read: page {page}: {ex.Message}", new SourceLocation { File = name }, ex);
                return $"Authorization details could not be read ({operation}: malformed response): {consequence}.";
            }
            InventoryReader.ReadDocument(name, json, options, context, ignored, account);
            if (!truncated) return null;
            if (string.IsNullOrEmpty(next) || !seen.Add(next!) || page >= MaxPages)
            {
                context.Error("AwsListPagingLoop", EngineErrorCategory.InvalidData, operation, "The IAM authorization details could not be read in full: IsTruncated without a new Marker.", new SourceLocation { File = name });
                return $"Authorization details could not be read in full ({operation}: paging loop): {consequence}.";
            }
            marker = next;
        }
    }

    /// <summary>Serialises log lines of concurrent calls (fronts' writers need not be thread-safe).</summary>
    private sealed class SynchronizedLog : ILogSink
    {
        private readonly ILogSink _inner;
        public SynchronizedLog(ILogSink inner) => _inner = inner;
        public void Verbose(string message) { lock (this) _inner.Verbose(message); }
        public void Warning(string message) { lock (this) _inner.Warning(message); }
    }

    private static void MarkIncomplete(List<FunctionDraft> drafts, (string Name, string Arn) f, string reason) =>
        drafts.Add(new FunctionDraft { FunctionName = f.Name, FunctionArn = f.Arn, IncompleteReasons = { reason } });

    /// <summary>One error record per failed call; the category follows the status (403 PermissionDenied, 429 LimitsExceeded, ...).</summary>
    private static void Report(EngineContext context, AwsApiException ex, string target, string what, string document)
    {
        var (id, category) = IsRefusedResponse(ex) ? (ex.ErrorCode == "MalformedResponse" ? "AwsResponseMalformed" : "AwsListPagingLoop", EngineErrorCategory.InvalidData)
            : ex.IsAccessDenied ? ("AwsReadForbidden", EngineErrorCategory.PermissionDenied)
            : ex.IsThrottled ? ("AwsReadThrottled", EngineErrorCategory.LimitsExceeded)
            : ex.IsNotFound ? ("AwsResourceNotFound", EngineErrorCategory.ObjectNotFound)
            : ex.IsCredentialFailure ? ("AwsCredentialRefused", EngineErrorCategory.PermissionDenied)
            : ("AwsRequestFailed", EngineErrorCategory.ConnectionError);
        context.Error(id, category, target, $"{what} could not be read: {ex.Message}" + (ex.IsThrottled ? " (still throttled after the retries)" : ""), new SourceLocation { File = document }, ex);
    }
}

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
    /// Reads every region (of every account, when <see cref="AwsLiveOptions.AccountIds"/> or
    /// <see cref="AwsLiveOptions.OrganizationAccounts"/> is set) and returns the function records, sorted as the file
    /// inventory sorts them. Regions of an account, and up to <see cref="AwsLiveOptions.MaxParallelAccounts"/> accounts,
    /// are read at once; each endpoint's calls are admitted adaptively (<see cref="EndpointGovernor"/>). Errors and
    /// diagnostics come out in account and region order whatever the timing. Throws <see cref="AwsLiveSetupException"/>
    /// when no region or no credentials can be found, or the credentials are refused.
    /// </summary>
    public async Task<IReadOnlyList<LambdaFunctionIdentity>> ReadAsync(InventoryOptions? options, EngineContext? context)
    {
        options ??= new InventoryOptions();
        var outer = Serialized(context ?? EngineContext.None);
        var regions = ResolveRegions(outer);
        var given = ResolveAccountIds();
        var several = given.Count > 0 || _options.OrganizationAccounts;
        HttpAwsApi? owned = null;
        var api = _api;
        if (api is null)
        {
            var credentials = _options.CredentialProvider ?? AwsCredentialResolver.Create(_options.ProfileName, outer);
            if (_options.CredentialProvider is not null) outer.Verbose("AWS credentials: supplied by the caller.");
            api = owned = new HttpAwsApi(_options, credentials, new SynchronizedLog(outer));
        }
        else if (several) throw new AwsLiveSetupException("Reading several accounts needs the signed HTTP client (it makes one per assumed role); an injected IAwsApi reads one account.");
        if (_options.EndpointUrl is not null)
        {
            outer.Verbose("AWS endpoint: every call goes to " + _options.EndpointUrl.GetLeftPart(UriPartial.Path) + ".");
            if (_options.EndpointUrl.Scheme == Uri.UriSchemeHttp && !_options.EndpointUrl.IsLoopback)
                outer.Warning("The AWS endpoint " + _options.EndpointUrl.Authority + " is plain HTTP: requests, a session token included, travel unencrypted.");
        }
        try
        {
            await CallerIdentityAsync(api, regions[0], outer).ConfigureAwait(false);
            if (!several) return InventoryReader.Sort(await ReadAccountAsync(api, "aws-live/", regions, options, outer).ConfigureAwait(false));
            var accounts = _options.OrganizationAccounts ? await OrganizationAccountsAsync(owned!, regions[0], given, outer).ConfigureAwait(false) : given;
            outer.Verbose($"AWS accounts ({accounts.Count}): {string.Join(", ", accounts)}; role {_options.AssumeRoleName}.");
            return InventoryReader.Sort(await ReadAccountsAsync(owned!, accounts, regions, options, outer).ConfigureAwait(false));
        }
        finally
        {
            owned?.Dispose();
            outer.Progress(ProgressActivity, "done", 1, 1);
        }
    }

    /// <summary>The name a response is known by in source locations: the AWS CLI command and the page or function.</summary>
    internal static string DocumentName(string prefix, string? region, string service, string command, string part) =>
        prefix + (region is null ? "" : region + "/") + service + "/" + command + (part.Length == 0 ? "" : (command.EndsWith("/", StringComparison.Ordinal) ? "" : ".") + part) + ".json";

    private static readonly System.Text.RegularExpressions.Regex AccountIdPattern = new("^[0-9]{12}$");
    private static readonly System.Text.RegularExpressions.Regex RoleNamePattern = new(@"^(/?[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$");

    /// <summary>The accounts given, checked: 12 digits each, and a role to assume when any (or the organization) is read.</summary>
    private List<string> ResolveAccountIds()
    {
        var ids = _options.AccountIds.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim()).Distinct(StringComparer.Ordinal).ToList();
        foreach (var a in ids)
            if (!AccountIdPattern.IsMatch(a)) throw new AwsLiveSetupException($"'{a}' is not an AWS account id (12 digits).");
        if ((ids.Count > 0 || _options.OrganizationAccounts) && (string.IsNullOrWhiteSpace(_options.AssumeRoleName) || !RoleNamePattern.IsMatch(_options.AssumeRoleName!.Trim())))
            throw new AwsLiveSetupException(string.IsNullOrWhiteSpace(_options.AssumeRoleName)
                ? "Reading several accounts needs the name of the role to assume in each (e.g. LambdaIdentityReadOnly)."
                : $"'{_options.AssumeRoleName}' is not an IAM role name (letters, digits and +=,.@_-, at most 64; a path may precede it).");
        return ids;
    }

    /// <summary>Every ACTIVE account of the organization (Organizations ListAccounts, paged), restricted to <paramref name="given"/> when some are given.</summary>
    private static async Task<List<string>> OrganizationAccountsAsync(IAwsAccountsApi api, string region, List<string> given, EngineContext context)
    {
        var accounts = new List<string>();
        string? token = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var page = 1; ; page++)
        {
            string json;
            try { json = await api.ListAccountsAsync(region, token, context.CancellationToken).ConfigureAwait(false); }
            catch (AwsApiException ex)
            {
                throw new AwsLiveSetupException($"The accounts of the organization could not be listed (page {page}): {ex.Message}. Run from the management account or a delegated administrator with organizations:ListAccounts, or name the accounts.", ex);
            }
            try
            {
                using var doc = JsonDocument.Parse(json);
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("Accounts", out var list) || list.ValueKind != JsonValueKind.Array)
                    throw new JsonException("not ListAccounts' shape (an object with an Accounts list)");
                foreach (var a in list.EnumerateArray())
                {
                    var id = AwsJsonSources.Str(a, "Id");
                    var status = AwsJsonSources.Str(a, "Status");
                    if (id is null || !AccountIdPattern.IsMatch(id)) throw new JsonException("an account without a 12-digit Id");
                    if (given.Count > 0 && !given.Contains(id)) continue;
                    if (status is "ACTIVE") accounts.Add(id);
                    else context.Warning($"Account {id} ({AwsJsonSources.Str(a, "Name")}) is {status ?? "of unknown status"} in the organization: not read.");
                }
                token = AwsJsonSources.Str(doc.RootElement, "NextToken");
            }
            catch (JsonException ex)
            {
                throw new AwsLiveSetupException($"The accounts of the organization could not be read: page {page} of organizations:ListAccounts: {ex.Message}.", ex);
            }
            if (string.IsNullOrEmpty(token)) break;
            if (!seen.Add(token!) || page >= MaxPages) throw new AwsLiveSetupException("The accounts of the organization could not be listed in full: organizations:ListAccounts repeats a NextToken.");
        }
        foreach (var g in given)
            if (!accounts.Contains(g)) context.Warning($"Account {g} is not an ACTIVE account of the organization: not read.");
        if (accounts.Count == 0) throw new AwsLiveSetupException("The organization lists no ACTIVE account to read.");
        return accounts;
    }

    /// <summary>Reads accounts at once (at most MaxParallelAccounts); each one's errors and diagnostics are written in account order as soon as the accounts before it are done.</summary>
    private async Task<List<LambdaFunctionIdentity>> ReadAccountsAsync(HttpAwsApi callerApi, List<string> accounts, List<string> regions, InventoryOptions options, EngineContext outer)
    {
        var ct = outer.CancellationToken;
        var results = new List<LambdaFunctionIdentity>?[accounts.Count];
        var buffers = new BufferedSink?[accounts.Count];
        var flushed = 0;
        using var gate = new System.Threading.SemaphoreSlim(Math.Max(1, _options.MaxParallelAccounts));
        async Task One(int i)
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            var buffer = new BufferedSink(outer);
            try { results[i] = await ReadAssumedAccountAsync(callerApi, accounts[i], regions, options, buffer.Context()).ConfigureAwait(false); }
            finally { gate.Release(); }
            lock (buffers)
            {
                buffers[i] = buffer;
                while (flushed < accounts.Count && buffers[flushed] is { } done) { done.FlushTo(outer); buffers[flushed] = null; flushed++; }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, accounts.Count).Select(One)).ConfigureAwait(false);
        var all = new List<LambdaFunctionIdentity>();
        foreach (var r in results) if (r is not null) all.AddRange(r);
        return all;
    }

    private const string SessionName = "lambda-identity-inventory";

    /// <summary>
    /// Assumes the role in the account with the caller's credentials (again shortly before the temporary credentials
    /// expire) and reads the account with them. A role that cannot be assumed is one error naming the account; the run goes on.
    /// </summary>
    private async Task<List<LambdaFunctionIdentity>> ReadAssumedAccountAsync(HttpAwsApi callerApi, string accountId, List<string> regions, InventoryOptions options, EngineContext context)
    {
        var ct = context.CancellationToken;
        var roleArn = "arn:" + Partition(regions[0]) + ":iam::" + accountId + ":role/" + _options.AssumeRoleName!.Trim().TrimStart('/');
        var prefix = "aws-live/" + accountId + "/";
        var stsDocument = DocumentName(prefix, null, "sts", "assume-role", "");
        async Task<(AwsCredentialValues, DateTimeOffset?)> Assume()
        {
            var xml = await callerApi.AssumeRoleAsync(regions[0], roleArn, SessionName, ct).ConfigureAwait(false);
            return IamQueryXml.AssumedRole(xml);
        }
        AwsCredentialValues credentials;
        DateTimeOffset? expires;
        try { (credentials, expires) = await Assume().ConfigureAwait(false); }
        catch (AwsApiException ex)
        {
            var category = ex.IsAccessDenied || ex.IsCredentialFailure ? EngineErrorCategory.PermissionDenied : ex.IsThrottled ? EngineErrorCategory.LimitsExceeded : EngineErrorCategory.ConnectionError;
            context.Error("AwsAssumeRoleFailed", category, accountId,
                $"Account {accountId}: the role {roleArn} could not be assumed ({ex.Message}); none of its functions were read.", new SourceLocation { File = stsDocument }, ex);
            return new List<LambdaFunctionIdentity>();
        }
        catch (FormatException ex)
        {
            context.Error("AwsResponseMalformed", EngineErrorCategory.InvalidData, accountId,
                $"Account {accountId}: the response of sts:AssumeRole for {roleArn} could not be read ({ex.Message}); none of its functions were read.", new SourceLocation { File = stsDocument }, ex);
            return new List<LambdaFunctionIdentity>();
        }
        context.Verbose($"Account {accountId}: assumed {roleArn} ({credentials}{(expires is { } e ? ", until " + e.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "")}).");
        var refresh = new System.Threading.SemaphoreSlim(1, 1);
        async Task<AwsCredentialValues> Provider(System.Threading.CancellationToken token)
        {
            if (expires is not { } at || at - DateTimeOffset.UtcNow > TimeSpan.FromMinutes(5)) return credentials;
            await refresh.WaitAsync(token).ConfigureAwait(false);
            try
            {
                if (expires is { } again && again - DateTimeOffset.UtcNow <= TimeSpan.FromMinutes(5))
                {
                    try { (credentials, expires) = await Assume().ConfigureAwait(false); }
                    catch (Exception ex) when (ex is AwsApiException or FormatException)
                    {
                        throw new AwsApiException("sts:AssumeRole", (ex as AwsApiException)?.StatusCode ?? 0, (ex as AwsApiException)?.ErrorCode ?? "MalformedResponse",
                            $"the credentials of {roleArn} expired and could not be renewed: {ex.Message}", null, ex);
                    }
                }
                return credentials;
            }
            finally { refresh.Release(); }
        }
        using var api = new HttpAwsApi(_options, Provider, new SynchronizedLog(context));
        var records = await ReadAccountAsync(api, prefix, regions, options, context).ConfigureAwait(false);
        foreach (var g in api.Governors.All)
            context.Verbose($"Account {accountId}, {g.Name}: at most {g.PeakConcurrency} calls in flight, {g.Throttles} throttled" + (double.IsPositiveInfinity(g.Rate) ? "." : $", rate settled at {g.Rate.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)}/s."));
        return records;
    }

    private static string Partition(string region) => region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn" : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : "aws";

    /// <summary>
    /// Reads one account: its regions at once and IAM alongside (one after another when MaxConcurrency is 1), each
    /// region's errors and diagnostics written in region order, then IAM's; returns the completed records.
    /// </summary>
    private async Task<List<LambdaFunctionIdentity>> ReadAccountAsync(IAwsApi api, string prefix, List<string> regions, InventoryOptions options, EngineContext context)
    {
        var account = new AccountAuthorization();
        var units = regions.Select(_ => new BufferedSink(context)).ToList();
        var iamUnit = new BufferedSink(context);
        var drafts = regions.Select(_ => new List<FunctionDraft>()).ToList();
        var functions = new List<(string Name, string Arn)>[regions.Count];
        string? iamProblem;
        if (_options.MaxConcurrency <= 1)
        {
            for (var i = 0; i < regions.Count; i++) functions[i] = await ReadRegionAsync(api, prefix, regions[i], options, units[i].Context(), drafts[i]).ConfigureAwait(false);
            iamProblem = await ReadAuthorizationDetailsAsync(api, prefix, regions[0], options, iamUnit.Context(), account).ConfigureAwait(false);
        }
        else
        {
            var regionTasks = regions.Select((r, i) => ReadRegionAsync(api, prefix, r, options, units[i].Context(), drafts[i])).ToList();
            var iamTask = ReadAuthorizationDetailsAsync(api, prefix, regions[0], options, iamUnit.Context(), account);
            await Task.WhenAll(regionTasks.Cast<Task>().Append(iamTask)).ConfigureAwait(false);
            for (var i = 0; i < regions.Count; i++) functions[i] = await regionTasks[i].ConfigureAwait(false);
            iamProblem = await iamTask.ConfigureAwait(false);
        }
        foreach (var u in units) u.FlushTo(context);
        iamUnit.FlushTo(context);
        if (iamProblem is not null)
            for (var i = 0; i < regions.Count; i++)
                foreach (var f in functions[i]) MarkIncomplete(drafts[i], f, iamProblem);
        var records = new List<LambdaFunctionIdentity>();
        // Each region completes on its own: the same function name in two regions is two functions.
        foreach (var d in drafts) records.AddRange(InventoryReader.Complete(d, account, options, context));
        return records;
    }

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
            Report(context, ex, "sts:GetCallerIdentity", "The caller identity", DocumentName("aws-live/", region, "sts", "get-caller-identity", ""));
        }
        catch (FormatException ex)
        {
            context.Error("AwsResponseMalformed", EngineErrorCategory.InvalidData, "sts:GetCallerIdentity", "The caller identity could not be read: " + ex.Message, null, ex);
        }
    }

    /// <summary>
    /// One region: ListFunctions page by page, the per-function calls of up to MaxConcurrency functions started as soon as
    /// a page names them, and ListEventSourceMappings alongside. Documents reach the parsers in a fixed order (the list
    /// pages, each function in list order, the mapping pages), so records and errors do not depend on timing.
    /// </summary>
    private async Task<List<(string Name, string Arn)>> ReadRegionAsync(IAwsApi api, string prefix, string region, InventoryOptions options, EngineContext context, List<FunctionDraft> drafts)
    {
        var ct = context.CancellationToken;
        var label = prefix.Length > "aws-live/".Length ? prefix.Substring("aws-live/".Length) + region : region;
        var functions = new List<(string Name, string Arn)>();
        var pageSignal = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listTask = PagesAsync(context, prefix, region, "list-functions", "lambda:ListFunctions", "The function list of " + region,
            marker => api.ListFunctionsAsync(region, marker, ct),
            (name, json, root) =>
            {
                var found = new List<(string, string)>();
                if (root.TryGetProperty("Functions", out var list) && list.ValueKind == JsonValueKind.Array)
                    foreach (var f in list.EnumerateArray())
                        if (AwsJsonSources.Str(f, "FunctionName") is string fn) found.Add((fn, AwsJsonSources.Str(f, "FunctionArn") ?? ""));
                InventoryReader.ReadDocument(name, json, options, context, drafts, new AccountAuthorization());
                lock (functions) functions.AddRange(found);
                System.Threading.Interlocked.Exchange(ref pageSignal, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(true);
            });
        // Event source mappings do not depend on the function list: read alongside, parsed after the functions.
        var mappingDocs = new List<(string Name, byte[] Json)>();
        var mappingUnit = new BufferedSink(context);
        var mappingTask = PagesAsync(mappingUnit.Context(), prefix, region, "list-event-source-mappings", "lambda:ListEventSourceMappings", "The event source mappings of " + region,
            marker => api.ListEventSourceMappingsAsync(region, marker, ct), (name, json, _) => mappingDocs.Add((name, json)));

        // Per-function calls run up to MaxConcurrency functions ahead (each call admitted by the endpoint's governor);
        // their outcomes are handled in list order once the list is complete.
        var window = new Queue<Task<FunctionOutcome>>();
        var windowSize = Math.Max(1, _options.MaxConcurrency);
        int started = 0;
        void Fill()
        {
            lock (functions)
                while (started < functions.Count && window.Count < windowSize)
                    window.Enqueue(FetchFunctionAsync(api, region, functions[started++].Name, ct));
        }
        while (true)
        {
            var signal = System.Threading.Volatile.Read(ref pageSignal);
            Fill();
            if (listTask.IsCompleted || window.Count >= windowSize) break;
            await Task.WhenAny(listTask, signal.Task).ConfigureAwait(false);
        }
        await listTask.ConfigureAwait(false);
        Fill();
        context.Verbose($"{label}: {functions.Count} functions.");
        for (int i = 0; i < functions.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var outcome = await window.Dequeue().ConfigureAwait(false);
            Fill();
            var f = functions[i];
            context.Progress(ProgressActivity, $"{label}: {f.Name} ({i + 1} of {functions.Count})", i, functions.Count);
            Handle(context, drafts, f, prefix, region, "get-policy", "lambda:GetPolicy", "The resource policy",
                "callers the resource policy allows (services, accounts, API Gateway) are unknown, not absent", outcome.Policy, options, null);
            Handle(context, drafts, f, prefix, region, "get-function-url-config", "lambda:GetFunctionUrlConfig", "The function URL configuration",
                "whether the function has a URL, and its AuthType, is unknown", outcome.Url, options, null);
            // Callers are often granted on an alias (API Gateway invoking function:live): each alias's policy and URL too.
            if (outcome.AliasError is { } aliasError && !(aliasError.IsNotFound && !aliasError.IsAccessDenied))
            {
                Report(context, aliasError, string.IsNullOrEmpty(f.Arn) ? f.Name : f.Arn, $"The aliases of function '{f.Name}' ({region})", DocumentName(prefix, region, "lambda", "list-aliases/", f.Name));
                MarkIncomplete(drafts, f, $"The aliases could not be listed (lambda:ListAliases: {aliasError.ErrorCode}): callers granted on an alias, and alias function URLs, are unknown.");
            }
            foreach (var (alias, aliasPolicy, aliasUrl) in outcome.Aliases)
            {
                Handle(context, drafts, f, prefix, region, "get-policy", "lambda:GetPolicy", "The resource policy of alias " + alias,
                    "callers the alias's resource policy allows are unknown, not absent", aliasPolicy, options, alias);
                Handle(context, drafts, f, prefix, region, "get-function-url-config", "lambda:GetFunctionUrlConfig", "The function URL configuration of alias " + alias,
                    "whether the alias has a function URL, and its AuthType, is unknown", aliasUrl, options, alias);
            }
        }
        context.Progress(ProgressActivity, $"{label}: event source mappings", functions.Count, functions.Count);

        var esmProblem = await mappingTask.ConfigureAwait(false);
        mappingUnit.FlushTo(context);
        foreach (var (name, json) in mappingDocs) InventoryReader.ReadDocument(name, json, options, context, drafts, new AccountAuthorization());
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
        // The three calls of a function do not depend on each other: in flight together (each admitted by the endpoint's governor).
        var policy = FetchAsync(() => api.GetPolicyAsync(region, name, null, ct));
        var url = FetchAsync(() => api.GetFunctionUrlConfigAsync(region, name, null, ct));
        var r = new FunctionOutcome();
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
        finally
        {
            r.Policy = await policy.ConfigureAwait(false);
            r.Url = await url.ConfigureAwait(false);
        }
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
    private static void Handle(EngineContext context, List<FunctionDraft> drafts, (string Name, string Arn) f, string prefix, string region, string command, string operation,
        string what, string consequence, Outcome outcome, InventoryOptions options, string? qualifier)
    {
        var name = DocumentName(prefix, region, "lambda", command + "/", qualifier is null ? f.Name : f.Name + ":" + qualifier);
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
    private static async Task<string?> PagesAsync(EngineContext context, string prefix, string region, string command, string operation, string what,
        Func<string?, Task<string>> call, Action<string, byte[], JsonElement> each)
    {
        string? marker = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int page = 1; ; page++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            context.Progress(ProgressActivity, $"{region}: {operation} page {page}", 0, 0);
            var name = DocumentName(prefix, region, "lambda", command, page.ToString(System.Globalization.CultureInfo.InvariantCulture));
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
    private static async Task<string?> ReadAuthorizationDetailsAsync(IAwsApi api, string prefix, string region, InventoryOptions options, EngineContext context, AccountAuthorization account)
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
            var name = DocumentName(prefix, null, "iam", "get-account-authorization-details", page.ToString(System.Globalization.CultureInfo.InvariantCulture));
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

    /// <summary>The front's context with every stream behind one lock: regions and accounts are read at once, and fronts' writers need not be thread-safe.</summary>
    private static EngineContext Serialized(EngineContext context)
    {
        var locked = new LockedSinks(context);
        return new EngineContext(locked, locked, locked, context.CancellationToken);
    }

    private sealed class LockedSinks : IErrorSink, ILogSink, IProgressSink
    {
        private readonly EngineContext _inner;
        public LockedSinks(EngineContext inner) => _inner = inner;
        public void Error(EngineError error) { lock (this) _inner.Error(error); }
        public void Verbose(string message) { lock (this) _inner.Verbose(message); }
        public void Warning(string message) { lock (this) _inner.Warning(message); }
        public void Progress(string activity, string status, long done, long total) { lock (this) _inner.Progress(activity, status, done, total); }
    }

    /// <summary>Holds the errors and diagnostics of one part read at the same time as others (a region, an account), to write them in order; progress passes straight on.</summary>
    private sealed class BufferedSink : IErrorSink, ILogSink, IProgressSink
    {
        private readonly EngineContext _parent;
        private readonly List<Action<EngineContext>> _entries = new();
        public BufferedSink(EngineContext parent) => _parent = parent;
        public EngineContext Context() => new(this, this, this, _parent.CancellationToken);
        public void Error(EngineError error) { lock (_entries) _entries.Add(c => c.Error(error)); }
        public void Verbose(string message) { lock (_entries) _entries.Add(c => c.Verbose(message)); }
        public void Warning(string message) { lock (_entries) _entries.Add(c => c.Warning(message)); }
        public void Progress(string activity, string status, long done, long total) => _parent.Progress(activity, status, done, total);
        public void FlushTo(EngineContext target)
        {
            List<Action<EngineContext>> entries;
            lock (_entries) { entries = new List<Action<EngineContext>>(_entries); _entries.Clear(); }
            foreach (var e in entries) e(target);
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

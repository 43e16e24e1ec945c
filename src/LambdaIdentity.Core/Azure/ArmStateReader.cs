using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Azure;

/// <summary>A source of the Azure state (the live reader; tests and other fronts may supply their own).</summary>
public interface IAzureStateSource
{
    /// <summary>Reads a snapshot; what cannot be read is reported and marked unreadable.</summary>
    Task<AzureState> ReadAsync(EngineContext context);
}

/// <summary>An ARM access token handed in by a front (e.g. from the Az.Accounts context). Never printed.</summary>
public sealed class ArmAccessToken
{
    /// <summary>The bearer token.</summary>
    public string Token { get; set; } = "";
    /// <summary>When it expires.</summary>
    public DateTimeOffset ExpiresOn { get; set; }
}

/// <summary>Options of the live ARM reader.</summary>
public sealed class ArmStateReaderOptions
{
    /// <summary>The subscription to read.</summary>
    public string SubscriptionId { get; set; } = "";
    /// <summary>The tenant for Azure.Identity's default credential chain.</summary>
    public string? TenantId { get; set; }
    /// <summary>The ARM endpoint (https://management.azure.com/ by default; sovereign clouds and tests change it: <see cref="AzureClouds"/>).</summary>
    public Uri Endpoint { get; set; } = new("https://management.azure.com/");
    /// <summary>The Entra authority host for Azure.Identity's default credential chain (its default, the global cloud's, when null).</summary>
    public Uri? AuthorityHost { get; set; }
    /// <summary>
    /// The time limit of each ARM call, retries and token included; a call that takes longer is an error record
    /// (AzureRequestTimedOut) and its area unreadable. No limit when null (Azure.Core's 100 s per try).
    /// </summary>
    public TimeSpan? RequestTimeout { get; set; }
    /// <summary>Supplies tokens (the Az.Accounts context); when null, Azure.Identity's DefaultAzureCredential is used.</summary>
    public Func<string[], CancellationToken, Task<ArmAccessToken>>? AccessTokenProvider { get; set; }
    /// <summary>The HTTP handler to send through (proxies, tests); the default handler when null.</summary>
    public HttpMessageHandler? HttpMessageHandler { get; set; }
    /// <summary>Retries of throttled (429, honouring Retry-After) and transient failures.</summary>
    public int MaxRetries { get; set; } = 5;
    /// <summary>Base delay between retries when the server gives no Retry-After.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>When set, only these function apps' settings, functions and authentication are read.</summary>
    public ICollection<string>? FunctionAppNames { get; set; }
}

/// <summary>
/// Reads the Azure side live through ARM REST (Azure.Core's HttpPipeline with retries; 429 Retry-After is
/// honoured): role definitions, role assignments of the subscription (inherited scopes included), sites
/// with their identities, authsettingsV2 and functions, user-assigned identities, Cosmos DB SQL role
/// assignments. Needs no Microsoft Graph permission. App settings are not read live: listing them needs
/// Microsoft.Web/sites/config/list/action, which reveals secret values; give an export of names instead.
/// </summary>
public sealed class ArmStateReader : IAzureStateSource
{
    private const string AuthzApi = "2022-04-01";
    private const string PimApi = "2020-10-01";
    private const string WebApi = "2023-12-01";
    private const string MsiApi = "2023-01-31";
    private const string CosmosApi = "2024-05-15";
    private const string DiagnosticsApi = "2021-05-01-preview";
    private readonly ArmStateReaderOptions _options;

    /// <summary>Creates the reader.</summary>
    public ArmStateReader(ArmStateReaderOptions options) => _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <inheritdoc />
    public async Task<AzureState> ReadAsync(EngineContext context)
    {
        var state = new AzureState();
        var pipeline = BuildPipeline(context);
        var sub = "/subscriptions/" + _options.SubscriptionId;
        var steps = 0; const int total = 7;
        void Step(string s) => context.Progress("Reading Azure state", s, steps++, total);

        Step("role definitions");
        await ListAsync(pipeline, sub + "/providers/Microsoft.Authorization/roleDefinitions", AuthzApi, AzureStateArea.RoleDefinitions, null, state, context).ConfigureAwait(false);
        Step("role assignments");
        await ListAsync(pipeline, sub + "/providers/Microsoft.Authorization/roleAssignments", AuthzApi, AzureStateArea.RoleAssignments, null, state, context).ConfigureAwait(false);
        Step("PIM eligibility schedules");
        await ListAsync(pipeline, sub + "/providers/Microsoft.Authorization/roleEligibilitySchedules", PimApi, AzureStateArea.RoleEligibilitySchedules, null, state, context).ConfigureAwait(false);
        Step("user-assigned identities");
        await ListAsync(pipeline, sub + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities", MsiApi, AzureStateArea.UserAssignedIdentities, null, state, context).ConfigureAwait(false);
        // Workload identity federation: each user-assigned identity's federated credentials (none listed: it has none).
        foreach (var identity in state.UserAssignedIdentities.Values.ToList())
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (string.IsNullOrEmpty(identity.Id)) continue;
            if (await ListAsync(pipeline, identity.Id + "/federatedIdentityCredentials", MsiApi, AzureStateArea.FederatedCredentials, null, state, context).ConfigureAwait(false))
                state.FederatedCredentialOwnersRead.Add(identity.Id.ToLowerInvariant());
        }
        Step("function apps");
        var sites = await ListAsync(pipeline, sub + "/providers/Microsoft.Web/sites", WebApi, AzureStateArea.Sites, null, state, context).ConfigureAwait(false);
        Step("authentication and functions");
        var wanted = _options.FunctionAppNames is null ? null : new HashSet<string>(_options.FunctionAppNames, StringComparer.OrdinalIgnoreCase);
        foreach (var site in state.Sites.Values.ToList())
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (wanted is not null && !wanted.Contains(site.Name)) continue;
            if (string.IsNullOrEmpty(site.Id)) continue;
            await GetAsync(pipeline, site.Id + "/config/authsettingsV2", WebApi, AzureStateArea.AuthSettings, site.Name, state, context).ConfigureAwait(false);
            await ListAsync(pipeline, site.Id + "/functions", WebApi, AzureStateArea.Functions, site.Name, state, context).ConfigureAwait(false);
            site.Functions ??= new List<AzureFunction>();
            // The audit trail: which log categories the app's diagnostic settings send (an empty list: none).
            if (await ListAsync(pipeline, site.Id + "/providers/Microsoft.Insights/diagnosticSettings", DiagnosticsApi, AzureStateArea.DiagnosticSettings, site.Name, state, context).ConfigureAwait(false))
            {
                site.DiagnosticLogCategories ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                state.AreasRead.Add(AzureStateArea.DiagnosticSettings);
            }
            state.MarkUnreadable(AzureStateArea.AppSettings, site.Name, site.Id,
                "app settings are not read live (listing them needs Microsoft.Web/sites/config/list/action, which reveals secret values); pass an export of setting names");
        }
        if (!sites) foreach (var a in new[] { AzureStateArea.AuthSettings, AzureStateArea.Functions, AzureStateArea.AppSettings, AzureStateArea.DiagnosticSettings }) state.MarkUnreadable(a, null, sub, "function apps could not be listed");
        Step("Cosmos DB SQL role assignments");
        var accounts = new List<string>();
        var listed = await ListAsync(pipeline, sub + "/providers/Microsoft.DocumentDB/databaseAccounts", CosmosApi, AzureStateArea.CosmosSqlRoleAssignments, null, state, context,
            item => { if (item.Str("id") is string id) accounts.Add(id); return true; }).ConfigureAwait(false);
        if (listed)
        {
            state.AreasRead.Add(AzureStateArea.CosmosSqlRoleAssignments);
            foreach (var account in accounts)
                await ListAsync(pipeline, account + "/sqlRoleAssignments", CosmosApi, AzureStateArea.CosmosSqlRoleAssignments, null, state, context).ConfigureAwait(false);
        }
        context.Progress("Reading Azure state", "done", total, total);
        return state;
    }

    private HttpPipeline BuildPipeline(EngineContext context)
    {
        var options = new ArmClientOptions();
        options.Retry.MaxRetries = _options.MaxRetries;
        options.Retry.Delay = _options.RetryDelay;
        options.Retry.MaxDelay = TimeSpan.FromSeconds(60);
        options.Retry.Mode = RetryMode.Exponential;
        options.Diagnostics.IsLoggingEnabled = false;
        options.Diagnostics.IsDistributedTracingEnabled = false;
        options.Diagnostics.ApplicationId = "LambdaIdentity";
        if (_options.HttpMessageHandler is not null) options.Transport = new HttpClientTransport(_options.HttpMessageHandler);
        TokenCredential credential;
        if (_options.AccessTokenProvider is not null)
        {
            credential = new DelegateCredential(_options.AccessTokenProvider);
            context.Verbose("ARM credentials: the token the caller supplied (Az.Accounts context).");
        }
        else
        {
            var credentialOptions = new DefaultAzureCredentialOptions { TenantId = _options.TenantId };
            if (_options.AuthorityHost is not null) credentialOptions.AuthorityHost = _options.AuthorityHost;
            credential = new DefaultAzureCredential(credentialOptions);
            context.Verbose("ARM credentials: Azure.Identity's default credential chain" + (_options.TenantId is null ? "" : " for tenant " + _options.TenantId)
                + ", sign-in at " + (_options.AuthorityHost ?? credentialOptions.AuthorityHost).Host + ".");
        }
        context.Verbose("ARM endpoint: " + _options.Endpoint.AbsoluteUri + (_options.RequestTimeout is { } limit ? "; each call limited to " + limit.TotalSeconds + " s." : "."));
        var scope = new Uri(_options.Endpoint, "/.default").ToString();
        return HttpPipelineBuilder.Build(options, new BearerTokenAuthenticationPolicy(credential, scope));
    }

    /// <summary>GETs every page of a list; returns false when it could not be read (already reported and marked).</summary>
    private async Task<bool> ListAsync(HttpPipeline pipeline, string path, string apiVersion, AzureStateArea area, string? siteName, AzureState state, EngineContext context,
        Func<JsonElement, bool>? each = null)
    {
        Uri url = new(_options.Endpoint, path + "?api-version=" + apiVersion);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            if (!seen.Add(url.AbsoluteUri) || seen.Count > 10000)
            {
                Fail(context, state, area, siteName, url, EngineErrorCategory.InvalidData, "AzureListPagingLoop", "the nextLink repeats a page", null);
                return false;
            }
            using var doc = await SendAsync(pipeline, url, area, siteName, state, context).ConfigureAwait(false);
            if (doc is null) return false;
            var value = doc.RootElement.Get("value");
            if (value.ValueKind != JsonValueKind.Array)
            {
                Fail(context, state, area, siteName, url, EngineErrorCategory.InvalidData, "AzureResponseShapeUnknown", "the response has no value list", null);
                return false;
            }
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                var src = new SourceLocation { File = url.AbsoluteUri, Path = "$.value[" + i++ + "]" };
                if (each is not null) each(item);
                else AzureResourceParser.Apply(item, state, src, siteName);
            }
            var next = doc.RootElement.Str("nextLink");
            if (string.IsNullOrEmpty(next)) break;
            // The bearer token goes with every request: follow only links to the same ARM endpoint.
            if (!Uri.TryCreate(next, UriKind.Absolute, out var nextUri) || nextUri.Scheme != Uri.UriSchemeHttps
                || !string.Equals(nextUri.Authority, _options.Endpoint.Authority, StringComparison.OrdinalIgnoreCase))
            {
                Fail(context, state, area, siteName, url, EngineErrorCategory.InvalidData, "AzureListNextLinkRejected",
                    "the nextLink does not point to the ARM endpoint " + _options.Endpoint.Authority + "; later pages were not read", null);
                return false;
            }
            url = nextUri;
        }
        state.AreasRead.Add(area);
        return true;
    }

    private async Task GetAsync(HttpPipeline pipeline, string path, string apiVersion, AzureStateArea area, string siteName, AzureState state, EngineContext context)
    {
        var url = new Uri(_options.Endpoint, path + "?api-version=" + apiVersion);
        using var doc = await SendAsync(pipeline, url, area, siteName, state, context).ConfigureAwait(false);
        if (doc is null) return;
        if (!AzureResourceParser.Apply(doc.RootElement, state, new SourceLocation { File = url.AbsoluteUri, Path = "$" }, siteName))
            Fail(context, state, area, siteName, url, EngineErrorCategory.InvalidData, "AzureResponseShapeUnknown", "the response is not a recognised " + area + " body", null);
    }

    private async Task<JsonDocument?> SendAsync(HttpPipeline pipeline, Uri url, AzureStateArea area, string? siteName, AzureState state, EngineContext context)
    {
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(url);
        message.Request.Headers.Add("Accept", "application/json");
        // The time limit covers the whole call: the token, every retry and the response body (Azure.Core buffers it).
        using var limit = _options.RequestTimeout.HasValue ? CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken) : null;
        if (limit is not null) limit.CancelAfter(_options.RequestTimeout!.Value);
        try
        {
            await pipeline.SendAsync(message, limit?.Token ?? context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (limit is { IsCancellationRequested: true } && !context.CancellationToken.IsCancellationRequested
            && ex is OperationCanceledException or RequestFailedException or AuthenticationFailedException or HttpRequestException or AggregateException)
        {
            Fail(context, state, area, siteName, url, EngineErrorCategory.OperationTimeout, "AzureRequestTimedOut",
                "no answer within " + _options.RequestTimeout!.Value.TotalSeconds + " s (the time limit of each call)", ex);
            return null;
        }
        catch (Exception ex) when (ex is RequestFailedException or AuthenticationFailedException or CredentialUnavailableException or HttpRequestException or AggregateException)
        {
            var id = ex is AuthenticationFailedException or CredentialUnavailableException ? "AzureCredentialUnavailable" : "AzureRequestFailed";
            Fail(context, state, area, siteName, url, EngineErrorCategory.ConnectionError, id, ex.Message, ex);
            return null;
        }
        var response = message.Response;
        context.Verbose("GET " + url.AbsolutePath + " -> " + response.Status);
        if (response.Status >= 200 && response.Status < 300)
        {
            try { return JsonDocument.Parse(response.Content.ToMemory()); }
            catch (JsonException ex)
            {
                Fail(context, state, area, siteName, url, EngineErrorCategory.InvalidData, "AzureResponseMalformed", "malformed JSON: " + ex.Message, ex);
                return null;
            }
        }
        var (category, errorId) = response.Status switch
        {
            401 or 403 => (EngineErrorCategory.PermissionDenied, "AzureReadForbidden"),
            404 => (EngineErrorCategory.ObjectNotFound, "AzureResourceNotFound"),
            429 => (EngineErrorCategory.LimitsExceeded, "AzureReadThrottled"),
            _ => (EngineErrorCategory.ConnectionError, "AzureRequestFailed"),
        };
        var code = "";
        try { using var err = JsonDocument.Parse(response.Content.ToMemory()); code = err.RootElement.Get("error").Str("code") ?? ""; } catch (JsonException) { }
        Fail(context, state, area, siteName, url, category, errorId, "HTTP " + response.Status + (code.Length > 0 ? " " + code : "") + (response.Status == 429 ? " after " + _options.MaxRetries + " retries" : ""),
            new RequestFailedException(response));
        return null;
    }

    private static void Fail(EngineContext context, AzureState state, AzureStateArea area, string? siteName, Uri url, EngineErrorCategory category, string errorId, string message, Exception? ex)
    {
        var target = url.GetLeftPart(UriPartial.Path);
        context.Error(errorId, category, target, area + " could not be read: " + message, new SourceLocation { File = target }, ex);
        state.MarkUnreadable(area, siteName, target, message);
    }

    private sealed class ArmClientOptions : ClientOptions { }

    private sealed class DelegateCredential : TokenCredential
    {
        private readonly Func<string[], CancellationToken, Task<ArmAccessToken>> _provider;
        public DelegateCredential(Func<string[], CancellationToken, Task<ArmAccessToken>> provider) => _provider = provider;
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => throw new NotSupportedException("The token provider is asynchronous only.");
        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var t = await _provider(requestContext.Scopes, cancellationToken).ConfigureAwait(false);
            return new AccessToken(t.Token, t.ExpiresOn);
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;

namespace LambdaIdentity.PowerShell.Commands;

/// <summary>Test-IdentityParity: checks designed mappings against the Azure state (exports, templates, or live ARM).</summary>
[Cmdlet(VerbsDiagnostic.Test, "IdentityParity", DefaultParameterSetName = OfflineSet)]
[OutputType(typeof(IdentityParityResult), typeof(bool))]
public sealed class TestIdentityParityCommand : AsyncPSCmdlet
{
    private const string OfflineSet = "Offline";
    private const string LiveSet = "Live";
    private const string OfflinePropertySet = "OfflinePropertyName";
    private const string LivePropertySet = "LivePropertyName";
    private readonly List<AzRoleMapping> _mappings = new();

    /// <summary>The designed mappings (from ConvertTo-AzRoleMapping, or deserialised copies of them).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = OfflineSet)]
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = LiveSet)]
    [Parameter(ValueFromPipeline = true, ParameterSetName = OfflinePropertySet)]
    [Parameter(ValueFromPipeline = true, ParameterSetName = LivePropertySet)]
    [ValidateNotNull]
    public AzRoleMapping[]? InputObject { get; set; }

    /// <summary>The designed role's name, bound by property name (Get-AzRoleAssignment output, a CSV of assignments).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = OfflinePropertySet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LivePropertySet)]
    [ArgumentCompleter(typeof(AzureRoleNameCompleter))]
    public string? RoleDefinitionName { get; set; }

    /// <summary>The designed role's definition id (GUID or resource id), bound by property name.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = OfflinePropertySet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LivePropertySet)]
    public string? RoleDefinitionId { get; set; }

    /// <summary>The designed assignment scope, bound by property name.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = OfflinePropertySet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LivePropertySet)]
    public string? Scope { get; set; }

    /// <summary>The designed principal's object id, bound by property name (alias PrincipalId).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = OfflinePropertySet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LivePropertySet)]
    [Alias("PrincipalId")]
    public string? ObjectId { get; set; }

    /// <summary>Offline Azure state: az CLI exports, ARM REST bodies, ARM templates (files or folders).</summary>
    [Parameter(Mandatory = true, ParameterSetName = OfflineSet, Position = 0)]
    [Parameter(Mandatory = true, ParameterSetName = OfflinePropertySet, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] AzureState { get; set; } = null!;

    /// <summary>
    /// The resource group ARM templates in -AzureState deploy to (/subscriptions/ID/resourceGroups/NAME): resolves
    /// resourceGroup(), subscription() and relative scopes, as lambda-identity test-parity --template-scope does.
    /// </summary>
    [Parameter(ParameterSetName = OfflineSet)]
    [Parameter(ParameterSetName = OfflinePropertySet)]
    [ValidatePattern(@"^/?subscriptions/[^/]+/resourceGroups/[^/]+/?$", Options = System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    public string? TemplateScope { get; set; }

    /// <summary>Reads the live state of this subscription through ARM.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiveSet)]
    [Parameter(Mandatory = true, ParameterSetName = LivePropertySet)]
    [ValidateNotNullOrEmpty]
    public string SubscriptionId { get; set; } = null!;

    /// <summary>The tenant of the subscription, for the credential.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [Parameter(ParameterSetName = LivePropertySet)]
    [ValidateNotNullOrEmpty]
    public string? TenantId { get; set; }

    /// <summary>
    /// The Azure cloud to read: AzureCloud, AzureChinaCloud, AzureUSGovernment (ARM endpoint and sign-in authority).
    /// Without it: the cloud of the current Az context when Az.Accounts is loaded, else AzureCloud.
    /// </summary>
    [Parameter(ParameterSetName = LiveSet)]
    [Parameter(ParameterSetName = LivePropertySet)]
    public AzureCloudName Environment { get; set; }

    /// <summary>The time limit of each ARM call in seconds (retries included); a call that takes longer is an error and its evidence unread.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [Parameter(ParameterSetName = LivePropertySet)]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; }

    /// <summary>
    /// The AWS side of the trust for dependencies that stay on AWS: aws iam get-account-authorization-details or get-role
    /// outputs (files or folders). Without it those items are Unverifiable (not read).
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? AwsState { get; set; }

    /// <summary>Which results make -Quiet return $false: Any (default), Access, Excess, None.</summary>
    [Parameter]
    public ParityFailLevel FailOn { get; set; } = ParityFailLevel.Any;

    /// <summary>Returns $true when no result fails at -FailOn, else $false, instead of the results.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <inheritdoc />
    protected override Task ProcessRecordAsync(EngineContext context)
    {
        // Given on the command line, -InputObject is the same array in every call: taken once.
        if (TakeOnce(nameof(InputObject), InputObject) is { } given) foreach (var m in given) if (m is not null) _mappings.Add(m);
        var recordPiped = InputObject != null && !IsBoundOnCommandLine(nameof(InputObject));
        if (!recordPiped && !CurrentRecordUnconvertible && ParameterSetName is OfflinePropertySet or LivePropertySet && (Scope ?? RoleDefinitionName ?? RoleDefinitionId ?? ObjectId) is not null)
        {
            // Only an assignment's key properties came (Get-AzRoleAssignment, Import-Csv): check that assignment.
            var target = Scope ?? RoleDefinitionName ?? RoleDefinitionId ?? ObjectId ?? "";
            if (string.IsNullOrWhiteSpace(Scope) || (string.IsNullOrWhiteSpace(RoleDefinitionName) && string.IsNullOrWhiteSpace(RoleDefinitionId)))
                WriteErrorAsync(new EngineError { ErrorId = "RoleAssignmentIncomplete", Category = EngineErrorCategory.InvalidArgument, Target = target, Message = "The piped object needs a Scope and a RoleDefinitionName or RoleDefinitionId to be checked as a role assignment." });
            else _mappings.Add(PipelineRecords.AssignmentFromKeys(RoleDefinitionName, RoleDefinitionId, Scope!, ObjectId));
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override async Task EndProcessingAsync(EngineContext context)
    {
        // Errors still go to the host as they happen; counting them lets -Quiet fail closed on input that could not be read.
        var errors = new CountingErrorSink(context);
        var counted = new EngineContext(errors, context, context, context.CancellationToken);
        context = counted;
        AzureState state;
        if (ParameterSetName is LiveSet or LivePropertySet)
        {
            var ct = context.CancellationToken;
            var azLoaded = await AzAccountsContext.OnPipelineThread(Post, () => AzAccountsContext.IsLoaded(this), ct).ConfigureAwait(false);
            AzureCloudChoice cloud;
            try { cloud = await CloudAsync(azLoaded, ct).ConfigureAwait(false); }
            catch (System.ArgumentException ex)
            {
                // No guess where the token would go: nothing is read, nothing passes.
                context.Error(new EngineError { ErrorId = "AzureEnvironmentUnknown", Category = EngineErrorCategory.InvalidArgument, Target = SubscriptionId, Message = ex.Message }.WithException(ex));
                if (Quiet) WriteObjectAsync(false);
                return;
            }
            context.Verbose(cloud.Describe());
            var options = new ArmStateReaderOptions
            {
                SubscriptionId = SubscriptionId, TenantId = TenantId, FunctionAppNames = _mappings.Select(m => m.FunctionAppName).ToList(),
                Endpoint = cloud.ArmEndpoint, AuthorityHost = cloud.AuthorityHost,
                RequestTimeout = IsBoundOnCommandLine(nameof(TimeoutSec)) ? System.TimeSpan.FromSeconds(TimeoutSec) : null,
            };
            if (azLoaded)
                options.AccessTokenProvider = (_, c) => AzAccountsContext.OnPipelineThread(Post, () => AzAccountsContext.GetToken(this, options.Endpoint.AbsoluteUri, TenantId), c);
            state = await new ArmStateReader(options).ReadAsync(context).ConfigureAwait(false);
        }
        else
        {
            // PowerShell paths with wildcards; each one that matches nothing is a PathNotFound error. With none left
            // there is no evidence to judge: nothing passes (-Quiet says $false).
            var paths = await OnPipelineThread(() => ResolveInputPaths(AzureState, literal: false)).ConfigureAwait(false);
            if (paths.Count == 0)
            {
                if (Quiet) WriteObjectAsync(false);
                return;
            }
            var reader = new AzureStateReader();
            if (TemplateScope is not null)
            {
                var parts = TemplateScope.Trim('/').Split('/');
                reader.TemplateSubscriptionId = parts[1];
                reader.TemplateResourceGroupName = parts[3];
            }
            state = await reader.ReadAsync(paths, context).ConfigureAwait(false);
        }
        var azureUnresolved = ParameterSetName is LiveSet or LivePropertySet ? 0 : UnresolvedInputPaths;
        var awsPaths = AwsState is null ? null : await OnPipelineThread(() => ResolveInputPaths(AwsState, literal: false)).ConfigureAwait(false);
        var awsUnresolved = AwsState is null ? 0 : UnresolvedInputPaths;
        var aws = awsPaths is null ? null : AwsTrustState.Read(awsPaths, context);
        // A path that matched nothing is unread evidence: the AWS-side items are Unverifiable, never judged on the rest.
        if (aws is not null && awsUnresolved > 0) aws.Unreadable.Add(awsUnresolved + " path(s) given to -AwsState resolved to nothing");
        var results = ParityChecker.Check(_mappings, state, new ParityOptions { AwsState = aws }, counted);
        var unresolvedPaths = azureUnresolved + awsUnresolved;
        if (Quiet)
        {
            // The CLI's exit-code contract: $true only when everything was read, something was verified, and nothing fails.
            var (code, why) = ParityVerdict.Explain(results.ToList(), errors.Count + unresolvedPaths, FailOn);
            context.Verbose("Test-IdentityParity -Quiet: " + (code == ExitCodes.Ok ? "$true" : "$false") + " (exit code " + code + ": " + why + ")");
            WriteObjectAsync(code == ExitCodes.Ok);
            return;
        }
        foreach (var r in results) WriteObjectAsync(r);
    }

    /// <summary>-Environment; else the Az context's cloud (read on the pipeline thread); else AzureCloud.</summary>
    private async Task<AzureCloudChoice> CloudAsync(bool azLoaded, System.Threading.CancellationToken ct)
    {
        if (IsBoundOnCommandLine(nameof(Environment))) return AzureClouds.Known(Environment, "-Environment");
        if (!azLoaded) return AzureClouds.Known(AzureCloudName.AzureCloud, "the default (Az.Accounts is not loaded; give -Environment for another cloud)");
        var (name, url) = await AzAccountsContext.OnPipelineThread(Post, () => AzAccountsContext.GetEnvironment(this), ct).ConfigureAwait(false);
        if (name is null && url is null) return AzureClouds.Known(AzureCloudName.AzureCloud, "the default (Az.Accounts has no context; give -Environment for another cloud)");
        return AzureClouds.FromAzContext(name, url, "the Az context (environment " + name + ")");
    }
}

/// <summary>Passes errors on and counts them.</summary>
internal sealed class CountingErrorSink : IErrorSink
{
    private readonly IErrorSink _inner;
    private int _count;
    public CountingErrorSink(IErrorSink inner) { _inner = inner; }
    /// <summary>Errors so far.</summary>
    public int Count => System.Threading.Volatile.Read(ref _count);
    /// <inheritdoc />
    public void Error(EngineError error) { System.Threading.Interlocked.Increment(ref _count); _inner.Error(error); }
}

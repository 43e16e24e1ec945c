using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Model;

namespace LambdaIdentity.PowerShell.Commands;

/// <summary>Test-IdentityParity: checks designed mappings against the Azure state (exports, templates, or live ARM).</summary>
[Cmdlet(VerbsDiagnostic.Test, "IdentityParity", DefaultParameterSetName = OfflineSet)]
[OutputType(typeof(IdentityParityResult), typeof(bool))]
public sealed class TestIdentityParityCommand : AsyncPSCmdlet
{
    private const string OfflineSet = "Offline";
    private const string LiveSet = "Live";
    private readonly List<AzRoleMapping> _mappings = new();

    /// <summary>The designed mappings (from ConvertTo-AzRoleMapping).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public AzRoleMapping[] InputObject { get; set; } = null!;

    /// <summary>Offline Azure state: az CLI exports, ARM REST bodies, ARM templates (files or folders).</summary>
    [Parameter(Mandatory = true, ParameterSetName = OfflineSet, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] AzureState { get; set; } = null!;

    /// <summary>Reads the live state of this subscription through ARM.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiveSet)]
    [ValidateNotNullOrEmpty]
    public string SubscriptionId { get; set; } = null!;

    /// <summary>The tenant of the subscription, for the credential.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [ValidateNotNullOrEmpty]
    public string? TenantId { get; set; }

    /// <summary>Which results make -Quiet return $false: Any (default), Access, Excess, None.</summary>
    [Parameter]
    public ParityFailLevel FailOn { get; set; } = ParityFailLevel.Any;

    /// <summary>Returns $true when no result fails at -FailOn, else $false, instead of the results.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <inheritdoc />
    protected override Task ProcessRecordAsync(EngineContext context)
    {
        foreach (var m in InputObject) if (m is not null) _mappings.Add(m);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override async Task EndProcessingAsync(EngineContext context)
    {
        AzureState state;
        if (ParameterSetName == LiveSet)
        {
            var options = new ArmStateReaderOptions { SubscriptionId = SubscriptionId, TenantId = TenantId, FunctionAppNames = _mappings.Select(m => m.FunctionAppName).ToList() };
            var ct = context.CancellationToken;
            if (await AzAccountsContext.OnPipelineThread(Post, () => AzAccountsContext.IsLoaded(this), ct).ConfigureAwait(false))
                options.AccessTokenProvider = (_, c) => AzAccountsContext.OnPipelineThread(Post, () => AzAccountsContext.GetToken(this, options.Endpoint.AbsoluteUri, TenantId), c);
            state = await new ArmStateReader(options).ReadAsync(context).ConfigureAwait(false);
        }
        else
        {
            var paths = AzureState.Select(GetUnresolvedProviderPathFromPSPath).ToList();
            state = await new AzureStateReader().ReadAsync(paths, context).ConfigureAwait(false);
        }
        var results = ParityChecker.Check(_mappings, state, new ParityOptions(), context);
        if (Quiet) { WriteObjectAsync(!ParityVerdict.AnyFails(results, FailOn)); return; }
        foreach (var r in results) WriteObjectAsync(r);
    }
}

using System.Collections.Generic;
using System.Management.Automation;
using System.Threading.Tasks;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Model;

namespace LambdaIdentity.PowerShell.Commands;

/// <summary>Test-IdentityParity: checks designed mappings against the Azure state.</summary>
[Cmdlet(VerbsDiagnostic.Test, "IdentityParity", DefaultParameterSetName = OfflineSet)]
[OutputType(typeof(IdentityParityResult))]
[OutputType(typeof(bool), ParameterSetName = new[] { OfflineSet })]
public sealed class TestIdentityParityCommand : AsyncPSCmdlet
{
    private const string OfflineSet = "Offline";
    private readonly List<AzRoleMapping> _mappings = new();

    /// <summary>The designed mappings (from ConvertTo-AzRoleMapping).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public AzRoleMapping[] InputObject { get; set; } = null!;

    /// <summary>Offline Azure state: az CLI exports, ARM REST bodies, ARM templates (files or folders).</summary>
    [Parameter(Mandatory = true, ParameterSetName = OfflineSet, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] AzureState { get; set; } = null!;

    /// <summary>Which results make -Quiet return $false.</summary>
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
        var paths = new List<string>();
        foreach (var p in AzureState) paths.Add(GetUnresolvedProviderPathFromPSPath(p));
        var state = await new AzureStateReader().ReadAsync(paths, context).ConfigureAwait(false);
        var results = ParityChecker.Check(_mappings, state, new ParityOptions(), context);
        if (Quiet) { WriteObjectAsync(!ParityVerdict.AnyFails(results, FailOn)); return; }
        foreach (var r in results) WriteObjectAsync(r);
    }
}

using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Threading.Tasks;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;

namespace LambdaIdentity.PowerShell.Commands;

/// <summary>Writes the skeleton resource map of an inventory: every AWS resource that needs an Azure resource ID.</summary>
[Cmdlet(VerbsCommon.New, "AzResourceMap", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class NewAzResourceMapCommand : AsyncPSCmdlet
{
    private readonly List<LambdaFunctionIdentity> _functions = new();

    /// <summary>Function identities from Get-LambdaIdentityInventory.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public LambdaFunctionIdentity[] InputObject { get; set; } = new LambdaFunctionIdentity[0];

    /// <summary>The JSON file to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>A rule file that adds to or overrides the default mapping rules.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RuleSet { get; set; }

    /// <summary>Overwrite an existing file, keeping the Azure IDs already filled in.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override Task ProcessRecordAsync(EngineContext context)
    {
        if (TakeOnce(nameof(InputObject), InputObject) is { } given) _functions.AddRange(given);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task EndProcessingAsync(EngineContext context)
    {
        var full = GetUnresolvedProviderPathFromPSPath(Path);
        var rulePath = RuleSet is null ? null : GetUnresolvedProviderPathFromPSPath(RuleSet);
        MappingRuleSet? rules;
        ResourceMap? existing;
        try
        {
            rules = rulePath is null ? null : RuleSetLoader.LoadAndMerge(rulePath);
            existing = File.Exists(full) && Force ? ResourceMap.Load(full) : null;
        }
        catch (RuleSetException ex) { Post(() => ThrowTerminatingError(new ErrorRecord(ex, "RuleSetInvalid", ErrorCategory.InvalidData, rulePath))); return Task.CompletedTask; }
        catch (ResourceMapException ex) { Post(() => ThrowTerminatingError(new ErrorRecord(ex, "ResourceMapInvalid", ErrorCategory.InvalidData, full))); return Task.CompletedTask; }
        var map = ResourceMapSkeleton.Build(_functions, GrantDeriver.Default, rules, context, existing);
        Post(() =>
        {
            if (File.Exists(full) && !Force)
            {
                WriteError(new ErrorRecord(new IOException($"'{full}' exists; use -Force to update it (filled entries are kept)."), "ResourceMapFileExists", ErrorCategory.ResourceExists, full));
                return;
            }
            if (!ShouldProcess(full, "Write resource map with " + map.Entries.Count + " resources")) return;
            File.WriteAllText(full, map.ToJson(), new UTF8Encoding(false));
            WriteObject(new FileInfo(full));
        });
        return Task.CompletedTask;
    }
}

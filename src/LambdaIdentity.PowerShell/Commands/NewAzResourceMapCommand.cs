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
[Cmdlet(VerbsCommon.New, "AzResourceMap", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(FileInfo))]
public sealed class NewAzResourceMapCommand : AsyncPSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private readonly List<LambdaFunctionIdentity> _functions = new();

    /// <summary>Function identities from Get-LambdaIdentityInventory.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public LambdaFunctionIdentity[] InputObject { get; set; } = new LambdaFunctionIdentity[0];

    /// <summary>The JSON file to write (PowerShell paths; a wildcard must match one existing file).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The JSON file to write, taken as typed (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>A rule file that adds to or overrides the default mapping rules.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RuleSet { get; set; }

    /// <summary>Update an existing file: its filled entries are kept (also those the inventory no longer names).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override Task ProcessRecordAsync(EngineContext context)
    {
        if (TakeOnce(nameof(InputObject), InputObject) is { } given) _functions.AddRange(given);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override async Task EndProcessingAsync(EngineContext context)
    {
        var typed = ParameterSetName == LiteralPathSet ? LiteralPath : Path;
        var (full, rulePath) = await OnPipelineThread(() =>
        {
            if (_functions.Count == 0)
            {
                // An empty upstream (a failed read, a filter that matched nothing) never wipes a map.
                WriteError(new ErrorRecord(new InvalidDataException("No inventory record came in: the resource map was not written."), "ResourceMapInputEmpty", ErrorCategory.InvalidData, typed));
                return (null, null);
            }
            var f = ResolveOutputPath(typed, ParameterSetName == LiteralPathSet);
            var r = RuleSet is null ? null : ResolveInputFile(RuleSet);
            return (f, RuleSet is null ? "" : r); // null: an error was written
        }).ConfigureAwait(false);
        if (full is null || rulePath is null) return;
        if (File.Exists(full) && !Force)
        {
            Post(() => WriteError(new ErrorRecord(new IOException($"'{full}' exists; use -Force to update it (filled entries are kept)."), "ResourceMapFileExists", ErrorCategory.ResourceExists, full)));
            return;
        }
        MappingRuleSet? rules;
        ResourceMap? existing;
        try
        {
            rules = rulePath.Length == 0 ? null : RuleSetLoader.LoadAndMerge(rulePath);
            existing = File.Exists(full) ? ResourceMap.Load(full) : null;
        }
        catch (RuleSetException ex) { Post(() => ThrowTerminatingError(new ErrorRecord(ex, "RuleSetInvalid", ErrorCategory.InvalidData, rulePath))); return; }
        catch (ResourceMapException ex) { Post(() => ThrowTerminatingError(new ErrorRecord(ex, "ResourceMapInvalid", ErrorCategory.InvalidData, full))); return; }
        var map = ResourceMapSkeleton.Build(_functions, GrantDeriver.Default, rules, context, existing);
        Post(() =>
        {
            if (!ShouldProcess(full, "Write resource map with " + map.Entries.Count + " resources")) return;
            if (TryWriteFile(full, "ResourceMapFileUnwritable", f => File.WriteAllText(f, map.ToJson(), new UTF8Encoding(false)))) WriteObject(new FileInfo(full));
        });
    }
}

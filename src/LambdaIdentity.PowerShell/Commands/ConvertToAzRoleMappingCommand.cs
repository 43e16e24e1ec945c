using System.Collections.Generic;
using System.Management.Automation;
using System.Threading.Tasks;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;

namespace LambdaIdentity.PowerShell.Commands;

/// <summary>Turns inventory records into the Azure design: identities, role assignments, triggers, host, authentication, deviations.</summary>
[Cmdlet(VerbsData.ConvertTo, "AzRoleMapping", DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(AzRoleMapping))]
public sealed class ConvertToAzRoleMappingCommand : AsyncPSCmdlet
{
    private const string InputObjectSet = "InputObject";
    private const string PropertyNameSet = "PropertyName";
    private readonly List<LambdaFunctionIdentity> _functions = new();
    private MappingOptions? _options;

    /// <summary>Function identities from Get-LambdaIdentityInventory (or deserialised copies of them).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [Parameter(ValueFromPipeline = true, ParameterSetName = PropertyNameSet)]
    [ValidateNotNull]
    public LambdaFunctionIdentity[]? InputObject { get; set; }

    /// <summary>The function's name, bound by property name; used when no record binds to -InputObject.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PropertyNameSet)]
    [ValidateNotNullOrEmpty]
    public string? FunctionName { get; set; }

    /// <summary>The function's ARN, bound by property name (alias Arn).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PropertyNameSet)]
    [Alias("Arn")]
    public string? FunctionArn { get; set; }

    /// <summary>The execution role's ARN, bound by property name (alias Role, as AWS.Tools prints it).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = PropertyNameSet)]
    [Alias("Role")]
    public string? RoleArn { get; set; }

    /// <summary>A JSON or CSV file mapping AWS ARNs (or patterns) to Azure resource IDs (see New-AzResourceMap).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ResourceMap { get; set; }

    /// <summary>The Azure Functions hosting plan; decides what host storage needs.</summary>
    [Parameter]
    public HostingPlan HostingPlan { get; set; } = HostingPlan.FlexConsumption;

    /// <summary>A rule file that adds to or overrides the default mapping rules.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RuleSet { get; set; }

    /// <summary>Use a user-assigned identity even for an execution role used by one function.</summary>
    [Parameter]
    public SwitchParameter UserAssignedIdentity { get; set; }

    /// <inheritdoc />
    protected override async Task BeginProcessingAsync(EngineContext context)
    {
        // PowerShell paths (drives, ~, a wildcard naming one file); one that cannot be used is an error naming it,
        // and then nothing is mapped (a design without its resource map or rules would be silently different).
        var (rulePath, mapPath, ok) = await OnPipelineThread(() =>
        {
            var r = RuleSet is null ? null : ResolveInputFile(RuleSet);
            var m = ResourceMap is null ? null : ResolveInputFile(ResourceMap);
            return (r, m, (RuleSet is null || r is not null) && (ResourceMap is null || m is not null));
        }).ConfigureAwait(false);
        if (!ok) return;
        try
        {
            _options = new MappingOptions
            {
                HostingPlan = HostingPlan,
                RuleSet = rulePath is null ? null : RuleSetLoader.LoadAndMerge(rulePath),
                ResourceMap = mapPath is null ? Core.Translation.ResourceMap.Empty : Core.Translation.ResourceMap.Load(mapPath),
                UserAssignedIdentity = UserAssignedIdentity,
            };
        }
        catch (RuleSetException ex) { Post(() => ThrowTerminatingError(new ErrorRecord(ex, "RuleSetInvalid", ErrorCategory.InvalidData, rulePath))); }
        catch (ResourceMapException ex) { Post(() => ThrowTerminatingError(new ErrorRecord(ex, "ResourceMapInvalid", ErrorCategory.InvalidData, mapPath))); }
        if (_options != null) context.Verbose("Mapping with plan " + HostingPlan + (rulePath is null ? "" : ", rules " + rulePath) + (mapPath is null ? "" : ", resource map " + mapPath));
    }

    /// <inheritdoc />
    protected override Task ProcessRecordAsync(EngineContext context)
    {
        if (InputObject != null) { if (TakeOnce(nameof(InputObject), InputObject) is { } given) _functions.AddRange(given); }
        else if (FunctionName != null && !CurrentRecordUnconvertible)
        {
            // Only key properties came (Import-Csv, AWS.Tools, a trimmed file): the record says what it lacks.
            context.Verbose("Rebuilt " + FunctionName + " from its piped properties; it has no policies, so its design is incomplete.");
            _functions.Add(PipelineRecords.FunctionFromKeys(FunctionName, FunctionArn, RoleArn));
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task EndProcessingAsync(EngineContext context)
    {
        if (_options is null) return Task.CompletedTask;
        foreach (var m in new AzRoleMapper(GrantDeriver.Default, _options).Map(_functions, context)) WriteObjectAsync(m);
        return Task.CompletedTask;
    }
}

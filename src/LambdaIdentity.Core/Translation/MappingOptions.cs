using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Translation;

/// <summary>Settings of one mapping run.</summary>
public sealed class MappingOptions
{
    /// <summary>The hosting plan (default Flex Consumption).</summary>
    public HostingPlan HostingPlan { get; init; } = HostingPlan.FlexConsumption;
    /// <summary>AWS ARNs to Azure resource IDs; unmapped resources get placeholder scopes.</summary>
    public ResourceMap ResourceMap { get; init; } = ResourceMap.Empty;
    /// <summary>The rules (default: the embedded rule set).</summary>
    public MappingRuleSet? RuleSet { get; init; }
    /// <summary>The role catalog (default: the embedded catalog).</summary>
    public AzureRoleCatalog? Catalog { get; init; }
    /// <summary>Use a user-assigned identity even for a role used by one function (needed when roles must exist before the app).</summary>
    public bool UserAssignedIdentity { get; init; }
}

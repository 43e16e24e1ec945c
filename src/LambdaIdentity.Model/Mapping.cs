using System;
using System.Collections.Generic;

namespace LambdaIdentity.Model;

/// <summary>The identity surfaces of the migration specification.</summary>
public enum IdentitySurface
{
    /// <summary>End users who call the function.</summary>
    EndUser,
    /// <summary>Automation that deploys and operates it.</summary>
    Automation,
    /// <summary>People with routine, ad-hoc and emergency access.</summary>
    People,
    /// <summary>Identities the platform uses for its own dependencies.</summary>
    Platform,
    /// <summary>Identities the code uses for its functional dependencies.</summary>
    Workload,
    /// <summary>The audit trail.</summary>
    Audit,
}

/// <summary>What a mapping record designs.</summary>
public enum MappingKind
{
    /// <summary>A managed identity to create.</summary>
    ManagedIdentity,
    /// <summary>An Azure RBAC role assignment (or a Cosmos DB SQL role assignment).</summary>
    RoleAssignment,
    /// <summary>App Service authentication / HTTP authLevel.</summary>
    Authentication,
    /// <summary>A trigger or binding connection.</summary>
    TriggerConnection,
    /// <summary>A platform setting (host storage, VNet integration, diagnostics).</summary>
    Setting,
    /// <summary>An AWS-side role for a dependency that stays on AWS.</summary>
    AwsFederatedRole,
}

/// <summary>How an AWS fact carries over.</summary>
public enum MappingStrategy
{
    /// <summary>A built-in Azure role or setting.</summary>
    BuiltIn,
    /// <summary>A custom role definition with exactly the actions needed.</summary>
    Custom,
    /// <summary>Nothing to assign; the reason says why.</summary>
    NotNeeded,
    /// <summary>No one-to-one mapping; see Impact and Mitigation.</summary>
    Deviation,
}

/// <summary>
/// One designed Azure item for one function. Role-assignment records carry the property names
/// Get-AzRoleAssignment prints (RoleDefinitionName, RoleDefinitionId, Scope, ObjectId), so a reviewed
/// mapping can be piped to New-AzRoleAssignment.
/// </summary>
public sealed class AzRoleMapping
{
    /// <summary>Stable id of this item: function, kind and a key; used by parity and reports.</summary>
    public string MappingId { get; init; } = "";
    /// <summary>The AWS function this item belongs to.</summary>
    public string FunctionName { get; init; } = "";
    /// <summary>The AWS function's ARN.</summary>
    public string FunctionArn { get; init; } = "";
    /// <summary>The Azure function app that replaces it.</summary>
    public string FunctionAppName { get; init; } = "";
    /// <summary>The surface.</summary>
    public IdentitySurface Surface { get; init; }
    /// <summary>What is designed.</summary>
    public MappingKind Kind { get; init; }
    /// <summary>How it carries over.</summary>
    public MappingStrategy Strategy { get; init; }
    /// <summary>The AWS feature, e.g. "s3:GetObject on arn:aws:s3:::orders/*".</summary>
    public string AwsFeature { get; init; } = "";
    /// <summary>The AWS actions this item covers.</summary>
    public IReadOnlyList<string> AwsActions { get; init; } = Array.Empty<string>();
    /// <summary>The AWS resources this item covers.</summary>
    public IReadOnlyList<string> AwsResources { get; init; } = Array.Empty<string>();
    /// <summary>Where the AWS fact was read.</summary>
    public SourceLocation? AwsSource { get; init; }
    /// <summary>The Azure implementation in words.</summary>
    public string AzureFeature { get; init; } = "";
    /// <summary>The Azure service, e.g. Blob Storage.</summary>
    public string? AzureService { get; init; }
    /// <summary>Built-in or custom role name.</summary>
    public string? RoleDefinitionName { get; init; }
    /// <summary>The role definition GUID.</summary>
    public string? RoleDefinitionId { get; init; }
    /// <summary>The assignment scope (an Azure resource ID, or a placeholder naming the AWS ARN).</summary>
    public string? Scope { get; init; }
    /// <summary>True when Scope is a placeholder to fill from a resource map.</summary>
    public bool ScopeIsPlaceholder { get; init; }
    /// <summary>The principal's object id, once known.</summary>
    public string? ObjectId { get; init; }
    /// <summary>The principal in words: the managed identity's name, or the AWS principal that maps to an Entra group.</summary>
    public string? PrincipalName { get; init; }
    /// <summary>ServicePrincipal (managed identity), Group, User.</summary>
    public string? PrincipalType { get; init; }
    /// <summary>SystemAssigned or UserAssigned, for identity records and for assignments to them.</summary>
    public string? IdentityType { get; init; }
    /// <summary>Expected settings (authLevel, issuer, allowed audiences, connection setting names). Never secret values.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
    /// <summary>Why this design was chosen.</summary>
    public string Reason { get; init; } = "";
    /// <summary>For deviations: what is lost or changed.</summary>
    public string? Impact { get; init; }
    /// <summary>For deviations: what to do about it.</summary>
    public string? Mitigation { get; init; }
    /// <summary>True when the assignment should be PIM-eligible rather than active.</summary>
    public bool PimEligible { get; init; }
    /// <summary>Each effective grant this item accounts for, as "action resource" (every grant of the execution role appears in exactly one item).</summary>
    public IReadOnlyList<string> AwsGrants { get; init; } = Array.Empty<string>();
    /// <summary>AzureRbac (Microsoft.Authorization/roleAssignments) or CosmosDbSql (Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments), for role assignments.</summary>
    public string? RoleAssignmentType { get; init; }
    /// <summary>The Azure control-plane operations the AWS grants need (a custom role holds exactly these).</summary>
    public IReadOnlyList<string> RequiredActions { get; init; } = Array.Empty<string>();
    /// <summary>The Azure data-plane operations the AWS grants need.</summary>
    public IReadOnlyList<string> RequiredDataActions { get; init; } = Array.Empty<string>();
    /// <summary>The id of the mapping rule that produced the item, when any.</summary>
    public string? RuleId { get; init; }
    /// <summary>Findings for reviewers raised by this item (a public endpoint, a grant that can change access).</summary>
    public IReadOnlyList<Finding> Findings { get; init; } = Array.Empty<Finding>();
}

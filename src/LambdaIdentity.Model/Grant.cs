using System;
using System.Collections.Generic;

namespace LambdaIdentity.Model;

/// <summary>IAM access levels as the service authorization reference names them.</summary>
public enum AccessLevel
{
    /// <summary>List.</summary>
    List,
    /// <summary>Read.</summary>
    Read,
    /// <summary>Write.</summary>
    Write,
    /// <summary>Permissions management.</summary>
    PermissionsManagement,
    /// <summary>Tagging.</summary>
    Tagging,
    /// <summary>Not in the catalog.</summary>
    Unknown,
}

/// <summary>One concrete action a role is allowed after denies and boundaries, with where and when.</summary>
public sealed class EffectiveGrant
{
    /// <summary>The service prefix, e.g. s3.</summary>
    public string Service { get; init; } = "";
    /// <summary>The concrete action, e.g. s3:GetObject (catalog casing).</summary>
    public string Action { get; init; } = "";
    /// <summary>Its access level.</summary>
    public AccessLevel AccessLevel { get; init; }
    /// <summary>Resource patterns the action is allowed on.</summary>
    public IReadOnlyList<string> Resources { get; init; } = Array.Empty<string>();
    /// <summary>Resource patterns excluded (from NotResource or resource-scoped denies).</summary>
    public IReadOnlyList<string> ExcludedResources { get; init; } = Array.Empty<string>();
    /// <summary>Conditions under which it is allowed.</summary>
    public IReadOnlyList<PolicyCondition> Conditions { get; init; } = Array.Empty<PolicyCondition>();
    /// <summary>True when a deny or boundary removes it only under some conditions.</summary>
    public bool IsConditionallyDenied { get; init; }
    /// <summary>The statements that granted it: "PolicyName#Sid-or-index".</summary>
    public IReadOnlyList<string> GrantedBy { get; init; } = Array.Empty<string>();
    /// <summary>True when the action came from a wildcard or NotAction expansion.</summary>
    public bool FromWildcard { get; init; }
    /// <summary>The deny statements ("PolicyName#Sid-or-index") that narrowed it: excluded resources or a conditional deny.</summary>
    public IReadOnlyList<string> DeniedBy { get; init; } = Array.Empty<string>();
    /// <summary>True when a policy that could narrow or widen it could not be read (an unresolved managed policy or boundary).</summary>
    public bool IsIncomplete { get; init; }
}

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

/// <summary>A concrete action as a grant names it: service, action and access level (one instance per catalog action).</summary>
public sealed class GrantAction
{
    /// <summary>Creates an action.</summary>
    public GrantAction(string service, string action, AccessLevel accessLevel)
    {
        Service = service ?? ""; Action = action ?? ""; AccessLevel = accessLevel;
    }
    /// <summary>The service prefix, e.g. s3.</summary>
    public string Service { get; }
    /// <summary>The concrete action, e.g. s3:GetObject (catalog casing).</summary>
    public string Action { get; }
    /// <summary>Its access level.</summary>
    public AccessLevel AccessLevel { get; }
    /// <summary>No action (a default grant).</summary>
    public static GrantAction None { get; } = new("", "", AccessLevel.Unknown);
    /// <inheritdoc />
    public override string ToString() => Action;
}

/// <summary>
/// What a grant is apart from its action: where, when, by which statements. Every action that the same statements
/// allow in the same way shares one instance (a role allowed "*" has 20,000 grants and one set of terms).
/// </summary>
public sealed record GrantTerms
{
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
    /// <summary>No resources, no conditions, nothing granted it (a default grant).</summary>
    public static GrantTerms None { get; } = new();
}

/// <summary>
/// One concrete action a role is allowed after denies and boundaries, with where and when. A value of two references
/// (the action and its shared <see cref="GrantTerms"/>): deriving the grants of an administrator role makes one array,
/// not 20,000 objects. Built by the engine from shared parts, or with an object initializer like any record.
/// </summary>
public readonly struct EffectiveGrant
{
    private readonly GrantAction? _action;
    private readonly GrantTerms? _terms;

    /// <summary>A grant of an action on the given terms.</summary>
    public EffectiveGrant(GrantAction action, GrantTerms terms)
    {
        _action = action ?? throw new ArgumentNullException(nameof(action));
        _terms = terms ?? throw new ArgumentNullException(nameof(terms));
    }

    /// <summary>The action part (shared with every grant of the same action).</summary>
    public GrantAction ActionPart => _action ?? GrantAction.None;
    /// <summary>The terms part (shared with every grant the same statements made in the same way).</summary>
    public GrantTerms Terms => _terms ?? GrantTerms.None;

    /// <summary>The service prefix, e.g. s3.</summary>
    public string Service { get => ActionPart.Service; init => _action = new GrantAction(value, Action, AccessLevel); }
    /// <summary>The concrete action, e.g. s3:GetObject (catalog casing).</summary>
    public string Action { get => ActionPart.Action; init => _action = new GrantAction(Service, value, AccessLevel); }
    /// <summary>Its access level.</summary>
    public AccessLevel AccessLevel { get => ActionPart.AccessLevel; init => _action = new GrantAction(Service, Action, value); }
    /// <summary>Resource patterns the action is allowed on.</summary>
    public IReadOnlyList<string> Resources { get => Terms.Resources; init => _terms = Terms with { Resources = value }; }
    /// <summary>Resource patterns excluded (from NotResource or resource-scoped denies).</summary>
    public IReadOnlyList<string> ExcludedResources { get => Terms.ExcludedResources; init => _terms = Terms with { ExcludedResources = value }; }
    /// <summary>Conditions under which it is allowed.</summary>
    public IReadOnlyList<PolicyCondition> Conditions { get => Terms.Conditions; init => _terms = Terms with { Conditions = value }; }
    /// <summary>True when a deny or boundary removes it only under some conditions.</summary>
    public bool IsConditionallyDenied { get => Terms.IsConditionallyDenied; init => _terms = Terms with { IsConditionallyDenied = value }; }
    /// <summary>The statements that granted it: "PolicyName#Sid-or-index".</summary>
    public IReadOnlyList<string> GrantedBy { get => Terms.GrantedBy; init => _terms = Terms with { GrantedBy = value }; }
    /// <summary>True when the action came from a wildcard or NotAction expansion.</summary>
    public bool FromWildcard { get => Terms.FromWildcard; init => _terms = Terms with { FromWildcard = value }; }
    /// <summary>The deny statements ("PolicyName#Sid-or-index") that narrowed it: excluded resources or a conditional deny.</summary>
    public IReadOnlyList<string> DeniedBy { get => Terms.DeniedBy; init => _terms = Terms with { DeniedBy = value }; }
    /// <summary>True when a policy that could narrow or widen it could not be read (an unresolved managed policy or boundary).</summary>
    public bool IsIncomplete { get => Terms.IsIncomplete; init => _terms = Terms with { IsIncomplete = value }; }

    /// <inheritdoc />
    public override string ToString() => Action;
}

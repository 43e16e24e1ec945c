using System;
using System.Collections.Generic;

namespace LambdaIdentity.Model;

/// <summary>The outcome of AWS policy evaluation for one request.</summary>
public enum Decision
{
    /// <summary>An Allow applies and nothing denies.</summary>
    Allow,
    /// <summary>A Deny statement applies; nothing can override it.</summary>
    ExplicitDeny,
    /// <summary>No Allow applies where one is needed (the default).</summary>
    ImplicitDeny,
}

/// <summary>One statement that took part in a decision.</summary>
public sealed class DecidingStatement
{
    /// <summary>The policy's name.</summary>
    public string PolicyName { get; init; } = "";
    /// <summary>The managed policy's ARN, when it has one.</summary>
    public string? PolicyArn { get; init; }
    /// <summary>How the policy is attached (Inline, Managed, PermissionsBoundary, Resource, ServiceControl).</summary>
    public PolicyKind Kind { get; init; }
    /// <summary>The statement's Sid, when it has one.</summary>
    public string? Sid { get; init; }
    /// <summary>The statement's 0-based index in its document.</summary>
    public int Index { get; init; }
    /// <summary>Allow or Deny.</summary>
    public string Effect { get; init; } = "";
    /// <summary>"PolicyName#Sid-or-index", the form grants use.</summary>
    public string Ref { get; init; } = "";
}

/// <summary>The decision for one request (principal, action, resource, context), with the statements that decided it.</summary>
public sealed class AccessDecision
{
    /// <summary>Allow, ExplicitDeny or ImplicitDeny.</summary>
    public Decision Decision { get; init; }
    /// <summary>The action asked about.</summary>
    public string Action { get; init; } = "";
    /// <summary>The resource asked about.</summary>
    public string Resource { get; init; } = "";
    /// <summary>The principal asked about, when given.</summary>
    public string? PrincipalArn { get; init; }
    /// <summary>True when the principal's and the resource's accounts differ.</summary>
    public bool IsCrossAccount { get; init; }
    /// <summary>The statements that decided: the denies for ExplicitDeny, the allows for Allow, none for ImplicitDeny.</summary>
    public IReadOnlyList<DecidingStatement> DecidingStatements { get; init; } = Array.Empty<DecidingStatement>();
    /// <summary>Why, for people: which policy type allowed, denied or failed to allow.</summary>
    public string Reason { get; init; } = "";
    /// <summary>True when a policy could not be read, so the decision may differ from AWS's.</summary>
    public bool IsIncomplete { get; init; }
    /// <summary>Names or ARNs of the policies that could not be read.</summary>
    public IReadOnlyList<string> UnresolvedPolicies { get; init; } = Array.Empty<string>();
}

using System;
using System.Collections.Generic;

namespace LambdaIdentity.Model;

/// <summary>What a policy is to the principal or resource that carries it.</summary>
public enum PolicyKind
{
    /// <summary>An inline policy of a role, user or group.</summary>
    Inline,
    /// <summary>A customer or AWS managed policy attached to the principal.</summary>
    Managed,
    /// <summary>A permissions boundary.</summary>
    PermissionsBoundary,
    /// <summary>A role's trust (assume-role) policy.</summary>
    Trust,
    /// <summary>A resource-based policy (Lambda permission, bucket policy, ...).</summary>
    Resource,
    /// <summary>A service control policy.</summary>
    ServiceControl,
    /// <summary>A resource control policy (AWS Organizations): limits what principals may do with the account's resources.</summary>
    ResourceControl,
    /// <summary>A session policy passed when the role was assumed (AssumeRole's Policy or PolicyArns).</summary>
    Session,
    /// <summary>A VPC endpoint policy: limits what requests through the endpoint may do.</summary>
    VpcEndpoint,
}

/// <summary>One condition clause: operator, key and the values it is compared with.</summary>
public sealed class PolicyCondition
{
    /// <summary>The operator as written, including qualifiers and suffix, e.g. ForAnyValue:StringLikeIfExists.</summary>
    public string Operator { get; init; } = "";
    /// <summary>The condition key, e.g. aws:SourceArn.</summary>
    public string Key { get; init; } = "";
    /// <summary>The values, as strings (booleans and numbers keep their JSON text).</summary>
    public IReadOnlyList<string> Values { get; init; } = Array.Empty<string>();
}

/// <summary>A principal element: "*" or a map of AWS / Service / Federated / CanonicalUser to values.</summary>
public sealed class PolicyPrincipal
{
    /// <summary>True for "Principal": "*".</summary>
    public bool IsWildcard { get; init; }
    /// <summary>AWS principals (account ids, ARNs, "*").</summary>
    public IReadOnlyList<string> Aws { get; init; } = Array.Empty<string>();
    /// <summary>Service principals such as s3.amazonaws.com.</summary>
    public IReadOnlyList<string> Service { get; init; } = Array.Empty<string>();
    /// <summary>Federated principals (OIDC providers, SAML providers, cognito-identity.amazonaws.com).</summary>
    public IReadOnlyList<string> Federated { get; init; } = Array.Empty<string>();
    /// <summary>Canonical user ids.</summary>
    public IReadOnlyList<string> CanonicalUser { get; init; } = Array.Empty<string>();
}

/// <summary>One statement of an IAM policy document, in the grammar's own terms.</summary>
public sealed class PolicyStatement
{
    /// <summary>The statement id, when present.</summary>
    public string? Sid { get; init; }
    /// <summary>Allow or Deny.</summary>
    public string Effect { get; init; } = "Allow";
    /// <summary>Action patterns (empty when NotAction is used).</summary>
    public IReadOnlyList<string> Action { get; init; } = Array.Empty<string>();
    /// <summary>NotAction patterns.</summary>
    public IReadOnlyList<string> NotAction { get; init; } = Array.Empty<string>();
    /// <summary>Resource patterns (empty when NotResource is used, or in trust policies).</summary>
    public IReadOnlyList<string> Resource { get; init; } = Array.Empty<string>();
    /// <summary>NotResource patterns.</summary>
    public IReadOnlyList<string> NotResource { get; init; } = Array.Empty<string>();
    /// <summary>Principal, for resource and trust policies.</summary>
    public PolicyPrincipal? Principal { get; init; }
    /// <summary>NotPrincipal, rare.</summary>
    public PolicyPrincipal? NotPrincipal { get; init; }
    /// <summary>Conditions; all must hold.</summary>
    public IReadOnlyList<PolicyCondition> Condition { get; init; } = Array.Empty<PolicyCondition>();
}

/// <summary>A policy document as attached to a principal or a resource, with its provenance.</summary>
public sealed class PolicyDocument
{
    /// <summary>The policy's name (inline name, managed policy name, or a generated name for template statements).</summary>
    public string PolicyName { get; init; } = "";
    /// <summary>The managed policy's ARN, when it has one.</summary>
    public string? PolicyArn { get; init; }
    /// <summary>How the policy is attached.</summary>
    public PolicyKind Kind { get; init; }
    /// <summary>The Version element, or null when absent.</summary>
    public string? Version { get; init; }
    /// <summary>The document's Id element, when present.</summary>
    public string? Id { get; init; }
    /// <summary>The statements, in document order.</summary>
    public IReadOnlyList<PolicyStatement> Statement { get; init; } = Array.Empty<PolicyStatement>();
    /// <summary>True when the document could not be read in full (an unresolved managed policy, an unresolvable template value).</summary>
    public bool IsUnresolved { get; init; }
    /// <summary>Where the document was read.</summary>
    public SourceLocation? Source { get; init; }
}

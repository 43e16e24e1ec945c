using System;
using System.Collections.Generic;

namespace LambdaIdentity.Model;

/// <summary>The execution role of a function, with every policy that decides what the code may do.</summary>
public sealed class ExecutionRole
{
    /// <summary>The role's ARN (or an unresolved-token string such as ${GetAtt:MyRole.Arn} when a template does not say).</summary>
    public string RoleArn { get; init; } = "";
    /// <summary>The role's name.</summary>
    public string RoleName { get; init; } = "";
    /// <summary>The trust policy.</summary>
    public PolicyDocument? AssumeRolePolicy { get; init; }
    /// <summary>Inline and managed identity policies (group policies do not apply to roles).</summary>
    public IReadOnlyList<PolicyDocument> Policies { get; init; } = Array.Empty<PolicyDocument>();
    /// <summary>The permissions boundary, when set.</summary>
    public PolicyDocument? PermissionsBoundary { get; init; }
    /// <summary>Where the role was defined.</summary>
    public SourceLocation? Source { get; init; }
}

/// <summary>A function URL's configuration.</summary>
public sealed class FunctionUrlConfig
{
    /// <summary>NONE or AWS_IAM.</summary>
    public string AuthType { get; init; } = "";
    /// <summary>CORS allowed origins.</summary>
    public IReadOnlyList<string> AllowOrigins { get; init; } = Array.Empty<string>();
    /// <summary>Where the URL was configured.</summary>
    public SourceLocation? Source { get; init; }
}

/// <summary>How callers of an API route or URL authenticate.</summary>
public enum CallerAuthType
{
    /// <summary>No authentication.</summary>
    None,
    /// <summary>SigV4-signed requests authorised by IAM.</summary>
    AwsIam,
    /// <summary>A Cognito user pool authorizer.</summary>
    Cognito,
    /// <summary>A JWT authorizer (HTTP API).</summary>
    Jwt,
    /// <summary>A Lambda TOKEN or REQUEST authorizer (custom code).</summary>
    Lambda,
    /// <summary>API keys with usage plans.</summary>
    ApiKey,
    /// <summary>Could not be determined.</summary>
    Unknown,
}

/// <summary>One way end users reach a function: a URL, an API route, with its authorizer.</summary>
public sealed class CallerAccess
{
    /// <summary>FunctionUrl, RestApi, HttpApi, WebSocketApi, ApiGateway (REST or HTTP not known: read from a resource policy), ResourcePolicy (an account or role the resource policy names; Route holds it).</summary>
    public string Channel { get; init; } = "";
    /// <summary>The route, e.g. GET /orders, or the URL.</summary>
    public string? Route { get; init; }
    /// <summary>How the caller authenticates.</summary>
    public CallerAuthType AuthType { get; init; }
    /// <summary>The authorizer's name, when any.</summary>
    public string? AuthorizerName { get; init; }
    /// <summary>JWT/Cognito issuer (for Cognito: https://cognito-idp.{region}.amazonaws.com/{poolId}).</summary>
    public string? Issuer { get; init; }
    /// <summary>JWT audiences / Cognito app client ids.</summary>
    public IReadOnlyList<string> Audiences { get; init; } = Array.Empty<string>();
    /// <summary>OAuth scopes required on the route.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = Array.Empty<string>();
    /// <summary>True when an API key is also required.</summary>
    public bool ApiKeyRequired { get; init; }
    /// <summary>Where it was read.</summary>
    public SourceLocation? Source { get; init; }
}

/// <summary>A source of events that invokes the function (pull: event source mapping; push: a service with a resource policy).</summary>
public sealed class EventSource
{
    /// <summary>The SAM event type or the service: Api, HttpApi, S3, SQS, SNS, Kinesis, DynamoDB, Schedule, EventBridgeRule, CloudWatchEvent, MSK, MQ, ...</summary>
    public string Type { get; init; } = "";
    /// <summary>The logical name (SAM event name or resource id).</summary>
    public string Name { get; init; } = "";
    /// <summary>The ARN of the source (queue, stream, table stream, bucket, topic, rule), possibly an unresolved token.</summary>
    public string? SourceArn { get; init; }
    /// <summary>True for pull sources read through an event source mapping (the execution role needs read rights on the source).</summary>
    public bool IsPoll { get; init; }
    /// <summary>Other settings worth carrying (batch size, filter, schedule expression, bucket events). Never secrets.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
    /// <summary>Where it was read.</summary>
    public SourceLocation? Source { get; init; }
}

/// <summary>
/// A role an AWS service assumes for the function: the credentials of an API Gateway integration that invokes it, the role
/// of another action of an IoT topic rule that invokes it, or the role of an EventBridge Scheduler schedule that targets it.
/// </summary>
public sealed class ServiceRoleUse
{
    /// <summary>ApiGateway, IoTRule or Scheduler.</summary>
    public string Service { get; init; } = "";
    /// <summary>The integration, rule action or schedule (logical id or name).</summary>
    public string Name { get; init; } = "";
    /// <summary>The role's ARN (or an unresolved token).</summary>
    public string RoleArn { get; init; } = "";
    /// <summary>The role with its policies when the source defines it; policies empty when only the ARN is known.</summary>
    public ExecutionRole? Role { get; init; }
    /// <summary>Where it was read.</summary>
    public SourceLocation? Source { get; init; }
}

/// <summary>A principal (person, pipeline, role) that can act on the function itself.</summary>
public sealed class PrincipalAccess
{
    /// <summary>The principal's ARN.</summary>
    public string PrincipalArn { get; init; } = "";
    /// <summary>User, Group, Role.</summary>
    public string PrincipalType { get; init; } = "";
    /// <summary>Deploy (create/update code or configuration, pass the role), Invoke, Read, Admin.</summary>
    public string AccessLevel { get; init; } = "";
    /// <summary>The actions that gave the access.</summary>
    public IReadOnlyList<string> Actions { get; init; } = Array.Empty<string>();
    /// <summary>True when the role trusts an OIDC provider (a CI pipeline).</summary>
    public bool IsOidcFederated { get; init; }
    /// <summary>The OIDC issuers the role's trust policy accepts (https://&lt;provider host&gt;), when federated.</summary>
    public IReadOnlyList<string> FederatedIssuers { get; init; } = Array.Empty<string>();
    /// <summary>The token subjects (the provider's :sub condition values, patterns kept as written) the trust policy accepts.</summary>
    public IReadOnlyList<string> FederatedSubjects { get; init; } = Array.Empty<string>();
    /// <summary>True when the principal looks like emergency (break-glass) access.</summary>
    public bool IsEmergency { get; init; }
    /// <summary>
    /// Conditions under which the principal could be used: the role's trust policy conditions (e.g.
    /// "Bool aws:MultiFactorAuthPresent true", "IpAddress aws:SourceIp 203.0.113.0/24"), as operator, key and values.
    /// </summary>
    public IReadOnlyList<string> UseConditions { get; init; } = Array.Empty<string>();
    /// <summary>True when the principal (an IAM Identity Center permission set) can change access: its Entra group is designed PIM-eligible.</summary>
    public bool IsPrivileged { get; init; }
    /// <summary>Who holds the access, for a permission set: "GROUP id in account A", "USER id in account A" (Identity Store ids).</summary>
    public IReadOnlyList<string> Members { get; init; } = Array.Empty<string>();
    /// <summary>Where it was read.</summary>
    public SourceLocation? Source { get; init; }
}

/// <summary>How serious a finding is.</summary>
public enum FindingSeverity
{
    /// <summary>For information.</summary>
    Info,
    /// <summary>Worth a look.</summary>
    Low,
    /// <summary>Should be fixed in the migration.</summary>
    Medium,
    /// <summary>Must be fixed.</summary>
    High,
}

/// <summary>Something a reviewer should see: a public URL, a wildcard grant, a secret-looking environment value.</summary>
public sealed class Finding
{
    /// <summary>Stable PascalCase id, e.g. PublicFunctionUrl, SecretInEnvironment, WildcardAdminGrant.</summary>
    public string FindingId { get; init; } = "";
    /// <summary>Severity.</summary>
    public FindingSeverity Severity { get; init; }
    /// <summary>What was found (never a secret value).</summary>
    public string Message { get; init; } = "";
    /// <summary>What to do.</summary>
    public string? Recommendation { get; init; }
    /// <summary>Where it was found.</summary>
    public SourceLocation? Source { get; init; }
}

/// <summary>The inventory record: one Lambda function and every identity fact about it.</summary>
public sealed class LambdaFunctionIdentity
{
    /// <summary>The function's name (or the template's logical id when the name is generated).</summary>
    public string FunctionName { get; init; } = "";
    /// <summary>The function's ARN; for templates, built from the name with the account and region left as tokens.</summary>
    public string FunctionArn { get; init; } = "";
    /// <summary>
    /// The account the function lives in: the account field of <see cref="FunctionArn"/> (12 digits), so a set of
    /// records read from many accounts says which each came from; null when the ARN holds a token (templates).
    /// </summary>
    public string? AccountId
    {
        get
        {
            var parts = FunctionArn.Split(':');
            return parts.Length > 4 && parts[4].Length == 12 && IsDigits(parts[4]) ? parts[4] : null;
        }
    }

    private static bool IsDigits(string s)
    {
        foreach (var c in s) if (c < '0' || c > '9') return false;
        return true;
    }
    /// <summary>The template logical id, when read from a template.</summary>
    public string? LogicalId { get; init; }
    /// <summary>The execution role's ARN (the property name AWS.Tools prints).</summary>
    public string RoleArn { get; init; } = "";
    /// <summary>The execution role and its policies.</summary>
    public ExecutionRole? ExecutionRole { get; init; }
    /// <summary>Runtime, e.g. python3.12.</summary>
    public string? Runtime { get; init; }
    /// <summary>The function's resource-based policy (Lambda permissions).</summary>
    public PolicyDocument? ResourcePolicy { get; init; }
    /// <summary>The function URL, when it has one.</summary>
    public FunctionUrlConfig? FunctionUrl { get; init; }
    /// <summary>How end users reach the function.</summary>
    public IReadOnlyList<CallerAccess> Callers { get; init; } = Array.Empty<CallerAccess>();
    /// <summary>Event sources.</summary>
    public IReadOnlyList<EventSource> EventSources { get; init; } = Array.Empty<EventSource>();
    /// <summary>Roles AWS services assume to invoke the function or to act next to it (API Gateway integration credentials, IoT topic rule actions, EventBridge Scheduler targets).</summary>
    public IReadOnlyList<ServiceRoleUse> ServiceRoles { get; init; } = Array.Empty<ServiceRoleUse>();
    /// <summary>People and automation that can act on the function.</summary>
    public IReadOnlyList<PrincipalAccess> Principals { get; init; } = Array.Empty<PrincipalAccess>();
    /// <summary>The Cognito user pools that authenticate its callers, when their exports were read (the Entra External ID side is designed from them).</summary>
    public IReadOnlyList<CognitoUserPool> UserPools { get; init; } = Array.Empty<CognitoUserPool>();
    /// <summary>Environment variable names; values are never kept.</summary>
    public IReadOnlyList<string> EnvironmentVariableNames { get; init; } = Array.Empty<string>();
    /// <summary>True when the function is attached to a VPC.</summary>
    public bool VpcAttached { get; init; }
    /// <summary>KMS key for environment variables, when set.</summary>
    public string? KmsKeyArn { get; init; }
    /// <summary>Layers used.</summary>
    public IReadOnlyList<string> Layers { get; init; } = Array.Empty<string>();
    /// <summary>Dead-letter / on-failure destinations.</summary>
    public IReadOnlyList<string> Destinations { get; init; } = Array.Empty<string>();
    /// <summary>Tracing mode (Active / PassThrough).</summary>
    public string? TracingMode { get; init; }
    /// <summary>Findings for reviewers.</summary>
    public IReadOnlyList<Finding> Findings { get; init; } = Array.Empty<Finding>();
    /// <summary>False when some fact could not be read; parity on an incomplete function is Unverifiable.</summary>
    public bool IsComplete { get; init; } = true;
    /// <summary>Why the record is incomplete.</summary>
    public IReadOnlyList<string> IncompleteReasons { get; init; } = Array.Empty<string>();
    /// <summary>Where the function was defined.</summary>
    public SourceLocation? Source { get; init; }
    /// <summary>Every source that contributed a fact (several when records were merged).</summary>
    public IReadOnlyList<SourceLocation> Sources { get; init; } = Array.Empty<SourceLocation>();
}

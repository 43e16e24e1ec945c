using System;
using System.Collections.Generic;

namespace LambdaIdentity.Model;

/// <summary>A Cognito user pool that authenticates a function's callers (aws cognito-idp describe-user-pool and its clients and groups).</summary>
public sealed class CognitoUserPool
{
    /// <summary>The pool id (region_id).</summary>
    public string Id { get; init; } = "";
    /// <summary>The pool's name.</summary>
    public string Name { get; init; } = "";
    /// <summary>Custom attributes (custom:NAME) of the schema.</summary>
    public IReadOnlyList<string> CustomAttributes { get; init; } = Array.Empty<string>();
    /// <summary>Lambda triggers by trigger name (PreSignUp, PreTokenGeneration, ...): the function ARN each calls.</summary>
    public IReadOnlyDictionary<string, string> Triggers { get; init; } = new Dictionary<string, string>();
    /// <summary>The hosted UI's Cognito domain prefix, when any.</summary>
    public string? Domain { get; init; }
    /// <summary>The hosted UI's custom domain, when any.</summary>
    public string? CustomDomain { get; init; }
    /// <summary>OFF, ON or OPTIONAL.</summary>
    public string? MfaConfiguration { get; init; }
    /// <summary>The app clients (list-user-pool-clients, describe-user-pool-client). Client secrets are never read.</summary>
    public IReadOnlyList<CognitoUserPoolClient> Clients { get; init; } = Array.Empty<CognitoUserPoolClient>();
    /// <summary>The pool's groups (list-groups).</summary>
    public IReadOnlyList<CognitoGroup> Groups { get; init; } = Array.Empty<CognitoGroup>();
    /// <summary>How the pool was joined to the function (the caller's issuer names its id, or it is the only pool read).</summary>
    public string MatchedBy { get; init; } = "";
    /// <summary>Where it was read.</summary>
    public SourceLocation? Source { get; init; }
}

/// <summary>A Cognito app client.</summary>
public sealed class CognitoUserPoolClient
{
    /// <summary>The client id.</summary>
    public string ClientId { get; init; } = "";
    /// <summary>The client's name.</summary>
    public string ClientName { get; init; } = "";
    /// <summary>True when the client has a secret (its value is never read or kept).</summary>
    public bool HasClientSecret { get; init; }
    /// <summary>Redirect URIs.</summary>
    public IReadOnlyList<string> CallbackUrls { get; init; } = Array.Empty<string>();
    /// <summary>code, implicit, client_credentials.</summary>
    public IReadOnlyList<string> AllowedOAuthFlows { get; init; } = Array.Empty<string>();
    /// <summary>OAuth scopes the client may request.</summary>
    public IReadOnlyList<string> AllowedOAuthScopes { get; init; } = Array.Empty<string>();
    /// <summary>Identity providers (COGNITO, Google, SAML names...).</summary>
    public IReadOnlyList<string> SupportedIdentityProviders { get; init; } = Array.Empty<string>();
    /// <summary>False when only list-user-pool-clients named it (its settings are unknown).</summary>
    public bool Described { get; init; }
    /// <summary>Where it was read.</summary>
    public SourceLocation? Source { get; init; }
}

/// <summary>A Cognito user pool group.</summary>
public sealed class CognitoGroup
{
    /// <summary>The group's name.</summary>
    public string GroupName { get; init; } = "";
    /// <summary>The IAM role its members get through an identity pool, when any.</summary>
    public string? RoleArn { get; init; }
    /// <summary>Where it was read.</summary>
    public SourceLocation? Source { get; init; }
}

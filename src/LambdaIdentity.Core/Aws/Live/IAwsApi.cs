using System;
using System.Threading;
using System.Threading.Tasks;

namespace LambdaIdentity.Core.Aws.Live;

/// <summary>
/// The AWS calls the live inventory makes, each returning the raw document the service sent (Lambda: JSON, as
/// the AWS CLI prints it; IAM and STS: the Query API's XML). One implementation signs plain HTTP requests
/// (<see cref="HttpAwsApi"/>); the SDK's service clients can replace it by serialising their responses.
/// Failures throw <see cref="AwsApiException"/>; implementations retry throttling themselves.
/// </summary>
public interface IAwsApi
{
    /// <summary>STS GetCallerIdentity (XML).</summary>
    Task<string> GetCallerIdentityAsync(string region, CancellationToken cancellationToken);
    /// <summary>Lambda ListFunctions, one page (JSON with Functions and NextMarker).</summary>
    Task<string> ListFunctionsAsync(string region, string? marker, CancellationToken cancellationToken);
    /// <summary>Lambda GetPolicy of the function, or of one alias or version when <paramref name="qualifier"/> is given (JSON with Policy as a string); ResourceNotFoundException when it has none.</summary>
    Task<string> GetPolicyAsync(string region, string functionName, string? qualifier, CancellationToken cancellationToken);
    /// <summary>Lambda GetFunctionUrlConfig of the function, or of one alias when <paramref name="qualifier"/> is given (JSON); ResourceNotFoundException when it has no URL.</summary>
    Task<string> GetFunctionUrlConfigAsync(string region, string functionName, string? qualifier, CancellationToken cancellationToken);
    /// <summary>Lambda ListAliases of one function, one page (JSON with Aliases and NextMarker).</summary>
    Task<string> ListAliasesAsync(string region, string functionName, string? marker, CancellationToken cancellationToken);
    /// <summary>Lambda ListEventSourceMappings, one page (JSON with EventSourceMappings and NextMarker).</summary>
    Task<string> ListEventSourceMappingsAsync(string region, string? marker, CancellationToken cancellationToken);
    /// <summary>IAM GetAccountAuthorizationDetails, one page (XML; policy documents URL-encoded; IsTruncated and Marker), from the IAM endpoint of <paramref name="region"/>'s partition.</summary>
    Task<string> GetAccountAuthorizationDetailsAsync(string region, string? marker, CancellationToken cancellationToken);
}

/// <summary>
/// The calls that reach other accounts: STS AssumeRole (a role in each account to read) and Organizations ListAccounts
/// (the accounts of the organization). Implemented by <see cref="HttpAwsApi"/>.
/// </summary>
public interface IAwsAccountsApi
{
    /// <summary>STS AssumeRole (XML with Credentials); AccessDenied when the caller may not assume the role or it does not trust the caller.</summary>
    Task<string> AssumeRoleAsync(string region, string roleArn, string sessionName, CancellationToken cancellationToken);
    /// <summary>Organizations ListAccounts, one page (JSON with Accounts and NextToken), from the endpoint of <paramref name="region"/>'s partition.</summary>
    Task<string> ListAccountsAsync(string region, string? nextToken, CancellationToken cancellationToken);
}

/// <summary>An AWS call that failed: the service's error code and message, never a request header or body.</summary>
public sealed class AwsApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AwsApiException(string operation, int statusCode, string errorCode, string message, string? requestId = null, Exception? inner = null)
        : base(operation + ": " + (statusCode > 0 ? "HTTP " + statusCode + " " : "") + errorCode + (string.IsNullOrEmpty(message) ? "" : ": " + message), inner)
    {
        Operation = operation; StatusCode = statusCode; ErrorCode = errorCode; ServiceMessage = message; RequestId = requestId;
    }

    /// <summary>The call, e.g. lambda:GetPolicy.</summary>
    public string Operation { get; }
    /// <summary>The HTTP status; 0 when no response came (network, timeout).</summary>
    public int StatusCode { get; }
    /// <summary>The service's error code, e.g. AccessDeniedException, ResourceNotFoundException, Throttling.</summary>
    public string ErrorCode { get; }
    /// <summary>The service's message.</summary>
    public string ServiceMessage { get; }
    /// <summary>The request id, for AWS support.</summary>
    public string? RequestId { get; }
    /// <summary>
    /// True when the service said the resource does not exist: its error code (x-amzn-ErrorType, __type, the Query error Code)
    /// is ResourceNotFoundException or NoSuchEntity. A bare 404 (a proxy, a wrong endpoint) is not: it says nothing about the resource.
    /// </summary>
    public bool IsNotFound => ErrorCode is "ResourceNotFoundException" or "NoSuchEntity";
    /// <summary>True when the caller may not make the call.</summary>
    public bool IsAccessDenied => StatusCode is 401 or 403 || ErrorCode is "AccessDenied" or "AccessDeniedException" or "UnauthorizedOperation" or "UnauthorizedAccess";
    /// <summary>True when the call was throttled (after the retries).</summary>
    public bool IsThrottled => StatusCode == 429 || ErrorCode is "Throttling" or "ThrottlingException" or "TooManyRequestsException" or "RequestLimitExceeded" or "RequestThrottled";
    /// <summary>True when the credentials themselves were refused (wrong, expired or unsigned): a setup failure.</summary>
    public bool IsCredentialFailure => ErrorCode is "InvalidClientTokenId" or "SignatureDoesNotMatch" or "ExpiredToken" or "ExpiredTokenException"
        or "UnrecognizedClientException" or "InvalidSignatureException" or "IncompleteSignature" or "MissingAuthenticationToken" or "AuthFailure";
}

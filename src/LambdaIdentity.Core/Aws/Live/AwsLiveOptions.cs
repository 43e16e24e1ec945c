using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace LambdaIdentity.Core.Aws.Live;

/// <summary>Options of the live AWS inventory (regions, credentials, endpoint, retries).</summary>
public sealed class AwsLiveOptions
{
    /// <summary>The regions whose functions are read; when empty, AWS_REGION, AWS_DEFAULT_REGION or the profile's region.</summary>
    public IList<string> Regions { get; set; } = new List<string>();
    /// <summary>A named profile of the shared config and credentials files; when null, AWSSDK.Core's default chain.</summary>
    public string? ProfileName { get; set; }
    /// <summary>Sends every call (Lambda, IAM, STS) to this URL instead of the AWS endpoints: LocalStack, tests, VPC endpoints.</summary>
    public Uri? EndpointUrl { get; set; }
    /// <summary>Supplies credentials (embedding, tests); when null they come from the profile or AWSSDK.Core's default chain.</summary>
    public Func<CancellationToken, Task<AwsCredentialValues>>? CredentialProvider { get; set; }
    /// <summary>The HTTP handler to send through (proxies, tests); the default handler when null.</summary>
    public HttpMessageHandler? HttpMessageHandler { get; set; }
    /// <summary>Retries of a throttled or transient failure before it is reported. Default 5.</summary>
    public int MaxRetries { get; set; } = 5;
    /// <summary>Base of the exponential backoff (full jitter) when the service gives no Retry-After. Default 200 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
    /// <summary>The longest single wait, Retry-After included. Default 20 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(20);
    /// <summary>
    /// The most calls in flight at once to one endpoint (a service in a region of an account). Admission is adaptive below
    /// it: 4 at first, one more per answered call while calls wait (latency-bound), and a learnt request rate after a
    /// throttle. Default 64; 1 reads one call at a time (regions, then IAM, one after another).
    /// </summary>
    public int MaxConcurrency { get; set; } = 64;
    /// <summary>
    /// The accounts to read (12 digits), each through the role <see cref="AssumeRoleName"/> assumed with the caller's
    /// credentials; empty (and <see cref="OrganizationAccounts"/> false): only the caller's own account.
    /// </summary>
    public IList<string> AccountIds { get; set; } = new List<string>();
    /// <summary>With several accounts: the role to assume in each, arn:{partition}:iam::{account}:role/{name} (a path may precede the name).</summary>
    public string? AssumeRoleName { get; set; }
    /// <summary>Read every ACTIVE account of the organization (Organizations ListAccounts, from the management or a delegated administrator account).</summary>
    public bool OrganizationAccounts { get; set; }
    /// <summary>Accounts read at once (each with all its regions at once). Default 8.</summary>
    public int MaxParallelAccounts { get; set; } = 8;
    /// <summary>Timeout of one HTTP request. Default 100 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);
}

/// <summary>AWS credentials handed in by a front or resolved by the SDK. <see cref="ToString"/> never shows the secret.</summary>
public sealed class AwsCredentialValues
{
    /// <summary>Creates the values.</summary>
    public AwsCredentialValues(string accessKeyId, string secretAccessKey, string? sessionToken = null)
    {
        AccessKeyId = accessKeyId ?? throw new ArgumentNullException(nameof(accessKeyId));
        SecretAccessKey = secretAccessKey ?? throw new ArgumentNullException(nameof(secretAccessKey));
        SessionToken = string.IsNullOrEmpty(sessionToken) ? null : sessionToken;
    }
    /// <summary>The access key id (not secret; printed only shortened).</summary>
    public string AccessKeyId { get; }
    /// <summary>The secret access key.</summary>
    public string SecretAccessKey { get; }
    /// <summary>The session token of temporary credentials.</summary>
    public string? SessionToken { get; }
    /// <inheritdoc />
    public override string ToString() => "AccessKeyId=" + (AccessKeyId.Length > 8 ? AccessKeyId.Substring(0, 4) + "..." + AccessKeyId.Substring(AccessKeyId.Length - 4) : "***")
        + (SessionToken is null ? "" : " (temporary)");
}

/// <summary>A setup failure of the live reader (no credentials, no region): the fronts terminate on it.</summary>
public sealed class AwsLiveSetupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AwsLiveSetupException(string message, Exception? inner = null) : base(message, inner) { }
}

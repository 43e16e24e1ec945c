using System;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;

namespace LambdaIdentity.Core.Aws.Live;

/// <summary>
/// Credentials and region from AWSSDK.Core, as the AWS CLI and AWS Tools for PowerShell find them: a named profile
/// (static keys, assume-role, SSO, credential_process) or the default chain (environment variables, the default or
/// AWS_PROFILE profile, web identity, container and instance metadata). Only the kind of credentials is logged.
/// </summary>
internal static class AwsCredentialResolver
{
    public static Func<CancellationToken, Task<AwsCredentialValues>> Create(string? profileName, ILogSink log)
    {
        AWSCredentials credentials;
        if (!string.IsNullOrEmpty(profileName))
        {
            var chain = ProfileStore();
            if (!chain.TryGetAWSCredentials(profileName, out credentials))
                throw new AwsLiveSetupException($"The AWS profile '{profileName}' was not found (or holds no credentials) in the shared config and credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, ~/.aws).");
            log.Verbose($"AWS credentials: profile '{profileName}' ({credentials.GetType().Name}).");
        }
        else
        {
            try { credentials = DefaultAWSCredentialsIdentityResolver.GetCredentials(); }
            catch (AmazonClientException ex)
            {
                throw new AwsLiveSetupException("No AWS credentials were found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, a default profile, web identity, or run where container or instance credentials exist; or pass a profile name. " + ex.Message, ex);
            }
            log.Verbose($"AWS credentials: AWSSDK.Core's default chain ({credentials.GetType().Name}).");
        }
        return async ct =>
        {
            ct.ThrowIfCancellationRequested();
            ImmutableCredentials c;
            try { c = await credentials.GetCredentialsAsync().ConfigureAwait(false); }
            catch (AmazonClientException ex) { throw new AwsLiveSetupException("The AWS credentials could not be obtained: " + ex.Message, ex); }
            return new AwsCredentialValues(c.AccessKey, c.SecretKey, c.UseToken ? c.Token : null);
        };
    }

    /// <summary>
    /// The shared files, AWS_SHARED_CREDENTIALS_FILE read now: the SDK remembers the default location from its first
    /// use in the process, and a PowerShell session may change the variable after that.
    /// </summary>
    private static CredentialProfileStoreChain ProfileStore()
    {
        var file = Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE");
        return string.IsNullOrEmpty(file) ? new CredentialProfileStoreChain() : new CredentialProfileStoreChain(file);
    }

    /// <summary>The region of the profile (named, AWS_PROFILE or default), or null.</summary>
    public static string? ProfileRegion(string? profileName)
    {
        var name = !string.IsNullOrEmpty(profileName) ? profileName : Environment.GetEnvironmentVariable("AWS_PROFILE");
        if (string.IsNullOrEmpty(name)) name = "default";
        try
        {
            return ProfileStore().TryGetProfile(name, out var profile) ? profile.Region?.SystemName : null;
        }
        catch (Exception ex) when (ex is AmazonClientException or System.IO.IOException or UnauthorizedAccessException) { return null; }
    }
}

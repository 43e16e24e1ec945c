using System.Text.Json.Nodes;
using LambdaIdentity.Cli;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;
using Xunit;
using static LambdaIdentity.Tests.Inventory.Live.AwsLiveFixtures;

namespace LambdaIdentity.Tests.Inventory.Live;

/// <summary>
/// `inventory --live` and `assess --live` against the local endpoint over plain HTTP (as LocalStack serves), with
/// credentials found by AWSSDK.Core itself: environment variables, then a named profile of a credentials file.
/// Only this class sets AWS_* variables, and it restores them.
/// </summary>
public sealed class InventoryVerbLiveTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr, new StringReader(""));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task InventoryAndAssessReadLiveWithTheSdkCredentialChain()
    {
        await using var server = await LocalAwsServer.StartAsync();
        Serve(server, Build());
        server.Map("/2015-03-31/functions/helloworld/policy", (ctx, _) => LocalAwsServer.LambdaError(ctx, 403, "AccessDeniedException", "User is not authorized to perform: lambda:GetPolicy"));
        var dir = Path.Combine(Path.GetTempPath(), "li-cli-live-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var credentialsFile = Path.Combine(dir, "credentials");
        File.WriteAllText(credentialsFile, $"[li-live-test]\naws_access_key_id = {LocalAwsServer.AccessKeyId}\naws_secret_access_key = {LocalAwsServer.SecretAccessKey}\n");
        var names = new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_EC2_METADATA_DISABLED" };
        var saved = names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true"); // the chain must never reach for instance metadata here
            Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", credentialsFile);
            Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", Path.Combine(dir, "config-absent"));
            Environment.SetEnvironmentVariable("AWS_PROFILE", null);
            Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", null);
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", LocalAwsServer.AccessKeyId);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", LocalAwsServer.SecretAccessKey);

            // inventory: environment credentials through the SDK's default chain.
            var (code, stdout, stderr) = Run("inventory", "--live", "--region", Region, "--endpoint-url", server.HttpUri.AbsoluteUri, "--format", "json", "--verbose");
            Assert.Equal(2, code); // one error, the denied GetPolicy: not everything could be read
            var records = ModelJson.Read<LambdaFunctionIdentity>(stdout);
            Assert.Equal(4, records.Count);
            Assert.False(records.Single(r => r.FunctionName == "helloworld").IsComplete);
            Assert.Contains("error: AwsReadForbidden: The resource policy of function 'helloworld' (us-west-2) could not be read: lambda:GetPolicy: HTTP 403 AccessDeniedException", stderr);
            Assert.Contains("verbose: AWS credentials: AWSSDK.Core's default chain", stderr);
            Assert.All(server.Requests, r => Assert.True(r.SignatureValid, r.Target));
            AssertNoSecret(stdout + stderr);

            // assess: a named profile of the credentials file; every stage runs on the live inventory.
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", null);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", null);
            var before = server.Requests.Count;
            var outDir = Path.Combine(dir, "out");
            (code, stdout, stderr) = Run("assess", "--live", "--region", Region, "--profile", "li-live-test", "--endpoint-url", server.HttpUri.AbsoluteUri, "--out", outDir, "--verbose");
            Assert.True(code == 2, stderr); // the denied GetPolicy: not everything could be read
            Assert.Contains("Functions read:      4", stdout);
            Assert.Contains("verbose: AWS credentials: profile 'li-live-test'", stderr);
            Assert.True(server.Requests.Count > before);
            Assert.Contains("AwsReadForbidden", File.ReadAllText(Path.Combine(outDir, "errors.json")));
            Assert.True(File.Exists(Path.Combine(outDir, "report.md")));
            AssertNoSecret(stdout + stderr + string.Concat(Directory.GetFiles(outDir).Select(File.ReadAllText)));

            // Arguments: --live and --path exclude each other; one of them is needed; an unknown profile is a setup failure.
            Assert.Equal(64, Run("inventory", "--live", "--path", dir).Code);
            Assert.Equal(64, Run("inventory").Code);
            (code, _, stderr) = Run("inventory", "--live", "--region", Region, "--profile", "li-no-such-profile", "--endpoint-url", server.HttpUri.AbsoluteUri);
            Assert.Equal(2, code);
            Assert.Contains("error: AwsLiveSetupFailed: The AWS profile 'li-no-such-profile' was not found", stderr);
        }
        finally
        {
            foreach (var (n, v) in saved) Environment.SetEnvironmentVariable(n, v);
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { } // best effort: the SDK may still watch the credentials file
        }
    }

    private static void AssertNoSecret(string text)
    {
        Assert.DoesNotContain(LocalAwsServer.SecretAccessKey, text);
        Assert.DoesNotContain(EnvSecret, text);
        Assert.DoesNotContain("Signature=", text);
    }
}

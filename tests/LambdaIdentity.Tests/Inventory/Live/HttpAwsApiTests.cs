using System.Net;
using System.Text.RegularExpressions;
using LambdaIdentity.Core.Aws.Live;
using Xunit;

namespace LambdaIdentity.Tests.Inventory.Live;

/// <summary>Endpoints, signing scopes and requests of the HTTP client, captured by a handler (no network).</summary>
public class HttpAwsApiTests
{
    private sealed class Capture : HttpMessageHandler
    {
        public List<(HttpMethod Method, Uri Uri, string Authorization, string Body)> Requests { get; } = new();
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add((request.Method, request.RequestUri!, (request.Headers.TryGetValues("Authorization", out var a) ? string.Join(",", a) : ""), body));
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") };
        }
    }

    private static (HttpAwsApi, Capture) Api()
    {
        var capture = new Capture();
        var options = new AwsLiveOptions { HttpMessageHandler = capture };
        return (new HttpAwsApi(options, _ => Task.FromResult(new AwsCredentialValues("AKIDEXAMPLE", "secret"))), capture);
    }

    [Theory]
    [InlineData("eu-west-1", "lambda.eu-west-1.amazonaws.com", "sts.eu-west-1.amazonaws.com", "iam.amazonaws.com", "us-east-1")]
    [InlineData("cn-north-1", "lambda.cn-north-1.amazonaws.com.cn", "sts.cn-north-1.amazonaws.com.cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1")]
    [InlineData("us-gov-west-1", "lambda.us-gov-west-1.amazonaws.com", "sts.us-gov-west-1.amazonaws.com", "iam.us-gov.amazonaws.com", "us-gov-west-1")]
    public async Task CallsGoToThePartitionsEndpointsSignedForTheirScope(string region, string lambda, string sts, string iam, string iamRegion)
    {
        var (api, capture) = Api();
        using (api)
        {
            await api.ListFunctionsAsync(region, null, CancellationToken.None);
            await api.ListFunctionsAsync(region, "next/+=", CancellationToken.None);
            await api.GetPolicyAsync(region, "orders-api", null, CancellationToken.None);
            await api.GetFunctionUrlConfigAsync(region, "orders-api", null, CancellationToken.None);
            await api.ListEventSourceMappingsAsync(region, null, CancellationToken.None);
            await api.GetCallerIdentityAsync(region, CancellationToken.None);
            await api.GetAccountAuthorizationDetailsAsync(region, "m1", CancellationToken.None);
        }
        var r = capture.Requests;
        Assert.Equal($"https://{lambda}/2015-03-31/functions", r[0].Uri.AbsoluteUri);
        Assert.Equal($"https://{lambda}/2015-03-31/functions?Marker=next%2F%2B%3D", r[1].Uri.AbsoluteUri);
        Assert.Equal($"https://{lambda}/2015-03-31/functions/orders-api/policy", r[2].Uri.AbsoluteUri);
        Assert.Equal($"https://{lambda}/2021-10-31/functions/orders-api/url", r[3].Uri.AbsoluteUri);
        Assert.Equal($"https://{lambda}/2015-03-31/event-source-mappings", r[4].Uri.AbsoluteUri);
        Assert.All(r.Take(5), x => Assert.Equal(HttpMethod.Get, x.Method));
        Assert.All(r.Take(5), x => Assert.Contains($"/{region}/lambda/aws4_request", x.Authorization));
        Assert.Equal($"https://{sts}/", r[5].Uri.AbsoluteUri);
        Assert.Equal("Action=GetCallerIdentity&Version=2011-06-15", r[5].Body);
        Assert.Contains($"/{region}/sts/aws4_request", r[5].Authorization);
        Assert.Equal($"https://{iam}/", r[6].Uri.AbsoluteUri);
        Assert.Equal(HttpMethod.Post, r[6].Method);
        Assert.Equal("Action=GetAccountAuthorizationDetails&Version=2010-05-08&Marker=m1", r[6].Body);
        Assert.Contains($"/{iamRegion}/iam/aws4_request", r[6].Authorization);
        Assert.All(r, x => Assert.Matches(new Regex("^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/[0-9]{8}/[a-z0-9-]+/[a-z]+/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$"), x.Authorization));
    }

    /// <summary>The signatures botocore 1.43 (SigV4Auth, the AWS CLI's signer) computes for the same requests at the same time.</summary>
    [Fact]
    public async Task SignaturesEqualBotocores()
    {
        var capture = new Capture();
        using var api = new HttpAwsApi(new AwsLiveOptions { HttpMessageHandler = capture },
            _ => Task.FromResult(new AwsCredentialValues("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session/token+value==")))
        { UtcNow = () => new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc) };
        await api.ListFunctionsAsync("us-west-2", "eyJtIjoiMiJ9+/=page 2", CancellationToken.None);
        await api.GetPolicyAsync("us-west-2", "my-function", null, CancellationToken.None);
        await api.GetAccountAuthorizationDetailsAsync("us-west-2", "m+1", CancellationToken.None);
        const string Prefix = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/";
        const string Signed = "/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=";
        Assert.Equal(Prefix + "us-west-2/lambda" + Signed + "698c6ab75fee3ffbc055c123eb1b0f7cc1fdfc4e4e544bd292aefb8324d6ba00", capture.Requests[0].Authorization);
        Assert.Equal(Prefix + "us-west-2/lambda" + Signed + "a19ef38b70ca7e0fd377f9569a3698d6c5ee7bb07a69de914112bf2b3aad8ea9", capture.Requests[1].Authorization);
        Assert.Equal(Prefix + "us-east-1/iam" + Signed + "7c280d7211568dc55aad03f6b98d5f118a3619b5c2945d941ab51c8f14cb5407", capture.Requests[2].Authorization);
    }

    [Fact]
    public void CredentialValuesNeverPrintTheSecret()
    {
        var c = new AwsCredentialValues("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "token-value");
        Assert.Equal("AccessKeyId=AKIA...MPLE (temporary)", c.ToString());
    }
}

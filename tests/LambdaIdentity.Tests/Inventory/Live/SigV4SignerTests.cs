using System.Globalization;
using LambdaIdentity.Core.Aws.Live;
using Xunit;

namespace LambdaIdentity.Tests.Inventory.Live;

/// <summary>The signer against AWS's SigV4 test suite (shared/data/sigv4, as published with mhart/aws4).</summary>
public class SigV4SignerTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    public static TheoryData<string> Cases() => new()
    {
        "get-vanilla", "get-vanilla-query", "get-vanilla-empty-query-key", "get-vanilla-query-order-key", "get-vanilla-query-order-key-case",
        "get-vanilla-query-order-value", "get-vanilla-query-unreserved", "get-vanilla-utf8-query", "get-header-value-trim", "get-header-key-duplicate",
        "get-header-value-order", "get-unreserved", "post-vanilla", "post-vanilla-query", "post-vanilla-empty-query-value", "post-header-key-case",
        "post-header-key-sort", "post-header-value-case", "post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheAwsTestSuite(string name)
    {
        var dir = TestPaths.Shared("sigv4", "aws-sig-v4-test-suite", name);
        var req = File.ReadAllText(Path.Combine(dir, name + ".req")).Replace("\r\n", "\n");
        var head = req.Split("\n\n", 2);
        var lines = head[0].Split('\n');
        var first = lines[0].Split(' ');
        var (method, target) = (first[0], first[1]);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            if (line.StartsWith(' ') || line.StartsWith('\t')) { var last = headers[^1]; headers[^1] = new(last.Key, last.Value + "," + line.Trim()); continue; }
            var colon = line.IndexOf(':');
            headers.Add(new(line.Substring(0, colon), line.Substring(colon + 1)));
        }
        var body = head.Length > 1 ? System.Text.Encoding.UTF8.GetBytes(head[1]) : Array.Empty<byte>();
        var q = target.IndexOf('?');
        var path = q < 0 ? target : target.Substring(0, q);
        var query = q < 0 ? new List<KeyValuePair<string, string>>() : target.Substring(q + 1).Split('&')
            .Select(p => { var eq = p.IndexOf('='); return new KeyValuePair<string, string>(Uri.UnescapeDataString(eq < 0 ? p : p[..eq]), eq < 0 ? "" : Uri.UnescapeDataString(p[(eq + 1)..])); }).ToList();
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        var date = headers.First(h => h.Key.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase)).Value;
        var signedAt = DateTime.ParseExact(date, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        var token = headers.FirstOrDefault(h => h.Key.Equals("X-Amz-Security-Token", StringComparison.OrdinalIgnoreCase)).Value;

        var creq = SigV4Signer.CanonicalRequest(method, segments, false, query, headers, body, out _);
        Assert.Equal(File.ReadAllText(Path.Combine(dir, name + ".creq")).Replace("\r\n", "\n"), creq);
        var authz = SigV4Signer.Authorization(method, segments, false, query, headers, body, "AKIDEXAMPLE", Secret, token, "us-east-1", "service", signedAt);
        Assert.Equal(File.ReadAllText(Path.Combine(dir, name + ".authz")).Trim(), authz);
    }

    [Fact]
    public void ServicePathsAreEncodedTwiceAndQueryValuesOnce()
    {
        var creq = SigV4Signer.CanonicalRequest("GET", new[] { "2015-03-31", "functions", "my:fn" }, true,
            new[] { new KeyValuePair<string, string>("Marker", "a+b/c= d") }, new[] { new KeyValuePair<string, string>("Host", "lambda.eu-west-1.amazonaws.com") }, Array.Empty<byte>(), out var signed);
        Assert.StartsWith("GET\n/2015-03-31/functions/my%253Afn\nMarker=a%2Bb%2Fc%3D%20d\nhost:lambda.eu-west-1.amazonaws.com\n", creq);
        Assert.Equal("host", signed);
    }
}

using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using LambdaIdentity.Core.Aws.Live;

namespace LambdaIdentity.Tests.Inventory.Live;

/// <summary>
/// AWS responses built from the real samples in shared/data (AWS CLI documentation outputs, cloudmapper's recorded
/// account, LocalStack's snapshot recorded against AWS, the authorization-details exports) and served as the
/// services send them: Lambda JSON; IAM and STS Query XML with URL-encoded policy documents.
/// </summary>
internal static class AwsLiveFixtures
{
    public const string Region = "us-west-2";
    public const string Account = "123456789012";
    /// <summary>An environment value that must never leave the parser.</summary>
    public const string EnvSecret = "pa55w0rd-Env-Value-7f3c9e2a";
    /// <summary>A marker with characters that need encoding in the query string and in the canonical request.</summary>
    public const string FunctionsMarker = "eyJtIjoiMiJ9+/=page 2";

    public static JsonSerializerOptions Relaxed { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The first JSON value after "Output::" in an AWS CLI documentation example.</summary>
    public static JsonNode CliExample(string service, string command)
    {
        var text = File.ReadAllText(TestPaths.Shared("aws-api-responses", "aws-cli-examples", service, command + ".rst"));
        var at = text.IndexOf('{', text.IndexOf("Output::", StringComparison.Ordinal));
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text.Substring(at)), new JsonReaderOptions { AllowMultipleValues = true });
        return JsonNode.Parse(ref reader)!;
    }

    public static JsonNode Shared(params string[] parts) => JsonNode.Parse(File.ReadAllText(TestPaths.Shared(parts)))!;

    /// <summary>Every document of the scenario, by the name the live reader gives it, in the order it feeds them.</summary>
    public sealed class Scenario
    {
        public List<(string Name, string Json)> Documents { get; } = new();
        public JsonObject FunctionsPage1 { get; set; } = null!;
        public JsonObject FunctionsPage2 { get; set; } = null!;
        public Dictionary<string, string> Policies { get; } = new();
        public Dictionary<string, string> Urls { get; } = new();
        public JsonObject MappingsPage1 { get; set; } = null!;
        public JsonObject MappingsPage2 { get; set; } = null!;
        public JsonObject IamPage1 { get; set; } = null!;
        public JsonObject IamPage2 { get; set; } = null!;
    }

    public static Scenario Build()
    {
        // ListFunctions, two pages: the AWS CLI documentation's three functions (one given environment variables), then cloudmapper's.
        var page1 = CliExample("lambda", "list-functions").AsObject();
        page1["NextMarker"] = FunctionsMarker;
        var myFunction = page1["Functions"]!.AsArray().Single(f => (string?)f!["FunctionName"] == "my-function")!.AsObject();
        myFunction["Environment"] = new JsonObject { ["Variables"] = new JsonObject { ["DB_PASSWORD"] = EnvSecret, ["TABLE_NAME"] = "orders" } };
        var page2 = Shared("aws-api-responses", "cloudmapper-demo", "lambda-list-functions.json").AsObject();
        // GetPolicy: the service sends Policy as a JSON string (cloudmapper recorded it so; the CLI docs print it decoded).
        var docPolicy = CliExample("lambda", "get-policy").AsObject();
        docPolicy["Policy"] = docPolicy["Policy"]!.ToJsonString();
        var s = new Scenario
        {
            FunctionsPage1 = page1, FunctionsPage2 = page2,
            MappingsPage1 = CliExample("lambda", "list-event-source-mappings").AsObject(),
            MappingsPage2 = new JsonObject { ["EventSourceMappings"] = new JsonArray(CliExample("lambda", "create-event-source-mapping")) },
        };
        // The documentation reuses one UUID for both examples: the second mapping gets its own.
        s.MappingsPage2["EventSourceMappings"]![0]!["UUID"] = "a1b2c3d4-5678-90ab-cdef-22222EXAMPLE";
        s.MappingsPage1["NextMarker"] = "esm-page-2";
        s.Policies["my-function"] = docPolicy.ToJsonString(Relaxed);
        s.Policies["invpclambda"] = File.ReadAllText(TestPaths.Shared("aws-api-responses", "cloudmapper-demo", "lambda-get-policy", "invpclambda.json"));
        // GetFunctionUrlConfig: LocalStack's snapshot (recorded against AWS) of a created URL, its placeholders filled.
        var url = Shared("aws-api-responses", "localstack-snapshots", "lambda___test_lambda_api.snapshot.json")
            ["tests/aws/services/lambda_/test_lambda_api.py::TestLambdaUrl::test_url_config_lifecycle"]!["recorded-content"]!["url_creation"]!.AsObject();
        url.Remove("ResponseMetadata");
        url["FunctionArn"] = $"arn:aws:lambda:{Region}:{Account}:function:my-function";
        url["FunctionUrl"] = "https://abcdefghijklmnopqrstuvwxyz0123.lambda-url.us-west-2.on.aws/";
        url["CreationTime"] = "2025-10-01T16:50:00.000000Z";
        s.Urls["my-function"] = url.ToJsonString(Relaxed);
        // Authorization details: the AWS CLI documentation's export, split in two pages.
        var authz = Shared("authz-details", "aws-cli-docs-get-account-authorization-details.json").AsObject();
        var iam1 = new JsonObject { ["UserDetailList"] = authz["UserDetailList"]!.DeepClone(), ["GroupDetailList"] = authz["GroupDetailList"]!.DeepClone(), ["IsTruncated"] = true, ["Marker"] = "EXAMPLEkakv9BCuUNFDtxWSyfzetYwEx2ADc8dnzfvERF5S6YMvXKx41t6gCl/eeaCX3Jo94/bKqezEAg8TEVS99EKFLxm3jtbpl25FDWEXAMPLE" };
        var iam2 = new JsonObject { ["RoleDetailList"] = authz["RoleDetailList"]!.DeepClone(), ["Policies"] = authz["Policies"]!.DeepClone(), ["IsTruncated"] = false };
        s.IamPage1 = iam1;
        s.IamPage2 = iam2;
        return s;
    }

    /// <summary>The functions of both pages, in list order.</summary>
    public static List<string> FunctionNames(Scenario s) => new[] { s.FunctionsPage1, s.FunctionsPage2 }
        .SelectMany(p => p["Functions"]!.AsArray()).Select(f => (string)f!["FunctionName"]!).ToList();

    /// <summary>Serves the scenario: the IAM first page and the second mappings page are throttled once.</summary>
    public static void Serve(LocalAwsServer server, Scenario s)
    {
        server.Map("GetCallerIdentity", CallerIdentityXml(), "text/xml");
        server.Map("/2015-03-31/functions", (ctx, _) =>
        {
            var marker = ctx.Request.Query["Marker"].ToString();
            return LocalAwsServer.Send(ctx, 200, (marker.Length == 0 ? s.FunctionsPage1 : marker == FunctionsMarker ? s.FunctionsPage2 : throw new InvalidOperationException("marker " + marker)).ToJsonString(Relaxed));
        });
        foreach (var kv in s.Policies) server.Map($"/2015-03-31/functions/{kv.Key}/policy", kv.Value);
        foreach (var kv in s.Urls) server.Map($"/2021-10-31/functions/{kv.Key}/url", kv.Value);
        server.Map("/2015-03-31/event-source-mappings", (ctx, hit) =>
        {
            var marker = ctx.Request.Query["Marker"].ToString();
            if (marker.Length == 0) return LocalAwsServer.Send(ctx, 200, s.MappingsPage1.ToJsonString(Relaxed));
            if (hit == 2)
            {
                ctx.Response.Headers.RetryAfter = "0";
                return LocalAwsServer.LambdaError(ctx, 429, "TooManyRequestsException", "Rate exceeded");
            }
            return LocalAwsServer.Send(ctx, 200, s.MappingsPage2.ToJsonString(Relaxed));
        });
        server.Map("GetAccountAuthorizationDetails", async (ctx, hit) =>
        {
            if (hit == 1) { await LocalAwsServer.QueryError(ctx, 400, "Throttling", "Rate exceeded"); return; }
            var marker = ((Dictionary<string, string>)ctx.Items["form"]!).GetValueOrDefault("Marker");
            await LocalAwsServer.Send(ctx, 200, AuthorizationDetailsXml(marker is null ? s.IamPage1 : s.IamPage2), "text/xml");
        });
    }

    public static string CallerIdentityXml()
    {
        var e = Shared("aws-api-responses", "aws-sdk-js-examples", "sts-2011-06-15.examples.json")["examples"]!["GetCallerIdentity"]![0]!["output"]!;
        return "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>" + (string?)e["Arn"] + "</Arn><UserId>" + (string?)e["UserId"]
            + "</UserId><Account>" + (string?)e["Account"] + "</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata></GetCallerIdentityResponse>";
    }

    /// <summary>A page of authorization details as IAM's Query API sends it: members, typed text, policy documents URL-encoded (RFC 3986).</summary>
    public static string AuthorizationDetailsXml(JsonObject page)
    {
        var sb = new StringBuilder("<GetAccountAuthorizationDetailsResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetAccountAuthorizationDetailsResult>");
        foreach (var (name, value) in page) Element(sb, name, value);
        sb.Append("</GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>4c5d6e7f-0000-4000-8000-000000000001</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>");
        return sb.ToString();
    }

    private static void Element(StringBuilder sb, string name, JsonNode? value)
    {
        if (value is null) return; // IAM omits absent members
        sb.Append('<').Append(name).Append('>');
        if (IamQueryXml.PolicyDocuments.Contains(name))
        {
            var text = value is JsonValue v && v.TryGetValue<string>(out var str) ? str : value!.ToJsonString(Relaxed);
            sb.Append(WebUtility.HtmlEncode(text.TrimStart().StartsWith('%') ? text : Uri.EscapeDataString(text)));
        }
        else if (value is JsonArray a)
            foreach (var item in a)
            {
                sb.Append("<member>");
                if (item is JsonObject o) foreach (var (n, v2) in o) Element(sb, n, v2);
                else sb.Append(WebUtility.HtmlEncode(Scalar(item)));
                sb.Append("</member>");
            }
        else if (value is JsonObject obj) foreach (var (n, v2) in obj) Element(sb, n, v2);
        else sb.Append(WebUtility.HtmlEncode(Scalar(value)));
        sb.Append("</").Append(name).Append('>');
    }

    private static string Scalar(JsonNode? n) => n is null ? "" : n.GetValueKind() switch
    {
        JsonValueKind.String => n.GetValue<string>(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => n.ToJsonString(),
    };
}

using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace LambdaIdentity.Tests.Inventory.Live;

/// <summary>
/// A generated estate served by <see cref="LocalAwsServer"/>: an organization (the caller's account is its management
/// account) of member accounts, each with <see cref="FunctionsPerRegion"/> functions in every region. Documents are the
/// real samples moved into each account: the AWS CLI documentation's list-functions entry and get-policy output,
/// cloudsplaining's Lambda execution role (privesc-high-priv-service-role) and its customer managed policy, STS's
/// AssumeRole example and botocore's ListAccounts example. Every third function has a resource policy; none has a URL
/// or aliases. Roles in <see cref="DeniedAccounts"/> refuse AssumeRole (AccessDenied).
/// </summary>
internal sealed class LocalAwsEstate
{
    public const string RoleName = "LambdaIdentityReadOnly";
    private const string SampleAccount = "200611803367";

    public LocalAwsEstate(IReadOnlyList<string> accounts, IReadOnlyList<string> regions, int functionsPerRegion)
    {
        Accounts = accounts; Regions = regions; FunctionsPerRegion = functionsPerRegion;
    }

    public IReadOnlyList<string> Accounts { get; }
    public IReadOnlyList<string> Regions { get; }
    public int FunctionsPerRegion { get; }
    public HashSet<string> DeniedAccounts { get; } = new(StringComparer.Ordinal);

    /// <summary>Generated accounts: 12 digits each, 100000000001, 100000000002, ...</summary>
    public static List<string> AccountIds(int n) => Enumerable.Range(1, n).Select(i => (100000000000L + i).ToString(CultureInfo.InvariantCulture)).ToList();

    public static string FunctionName(int i) => "estate-fn-" + i.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>The Lambda calls one region of one account takes: ListFunctions (one page), ListEventSourceMappings, and GetPolicy, GetFunctionUrlConfig and ListAliases per function.</summary>
    public int LambdaCallsPerRegion => 2 + 3 * FunctionsPerRegion;

    /// <summary>The AWS CLI commands that make the same calls as a live read of the estate, one command per call (after one AssumeRole per account).</summary>
    public IEnumerable<string> CliCalls(string account, string region)
    {
        yield return $"lambda list-functions --region {region}";
        for (var i = 0; i < FunctionsPerRegion; i++)
        {
            yield return $"lambda get-policy --function-name {FunctionName(i)} --region {region}";
            yield return $"lambda get-function-url-config --function-name {FunctionName(i)} --region {region}";
            yield return $"lambda list-aliases --function-name {FunctionName(i)} --region {region}";
        }
        yield return $"lambda list-event-source-mappings --region {region}";
    }

    public void Serve(LocalAwsServer server)
    {
        var function = AwsLiveFixtures.CliExample("lambda", "list-functions")["Functions"]![0]!.AsObject();
        var policy = AwsLiveFixtures.CliExample("lambda", "get-policy").AsObject();
        var authz = AwsLiveFixtures.Shared("authz-details", "cloudsplaining-example-2023.json").AsObject();
        var role = authz["RoleDetailList"]!.AsArray().Single(r => (string?)r!["RoleName"] == "privesc-high-priv-service-role")!.DeepClone().AsObject();
        var managed = role["AttachedManagedPolicies"]!.AsArray().Select(p => (string)p!["PolicyArn"]!).ToHashSet();
        var policies = authz["Policies"]!.AsArray().Where(p => managed.Contains((string)p!["Arn"]!)).Select(p => p!.DeepClone()).ToList();
        var assumed = AwsLiveFixtures.Shared("aws-api-responses", "aws-sdk-js-examples", "sts-2011-06-15.examples.json")["examples"]!["AssumeRole"]![0]!["output"]!;
        var organization = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Fixtures, "inventory", "live", "botocore-organizations-list-accounts.json")))!.AsObject();
        var template = organization["Accounts"]!.AsArray()[1]!.AsObject();

        server.Map("GetCallerIdentity", AwsLiveFixtures.CallerIdentityXml(), "text/xml");
        server.Map("ListAccounts", (ctx, _) =>
        {
            var list = new JsonArray();
            foreach (var a in Accounts)
            {
                var o = template.DeepClone().AsObject();
                o["Id"] = a;
                o["Arn"] = "arn:aws:organizations::123456789012:account/o-exampleorgid/" + a;
                o["Name"] = "Account " + a;
                list.Add(o);
            }
            return LocalAwsServer.Send(ctx, 200, new JsonObject { ["Accounts"] = list }.ToJsonString(), "application/x-amz-json-1.1");
        });
        server.Map("AssumeRole", (ctx, _) =>
        {
            var roleArn = ((Dictionary<string, string>)ctx.Items["form"]!)["RoleArn"];
            var account = roleArn.Split(':')[4];
            if (DeniedAccounts.Contains(account) || !Accounts.Contains(account) || roleArn != $"arn:aws:iam::{account}:role/{RoleName}")
                return LocalAwsServer.QueryError(ctx, 403, "AccessDenied", $"User: arn:aws:iam::123456789012:user/Bob is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
            var key = "ASIA" + account + "EXMP";
            var secret = "secret-of-" + account + "-TESTONLY";
            server.Keys[key] = (secret, account);
            var c = assumed["Credentials"]!;
            return LocalAwsServer.Send(ctx, 200, "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials>"
                + $"<AccessKeyId>{key}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{WebUtility.HtmlEncode((string)c["SessionToken"]!)}</SessionToken>"
                + $"<Expiration>{DateTime.UtcNow.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::{account}:assumed-role/{RoleName}/lambda-identity-inventory</Arn>"
                + $"<AssumedRoleId>{(string)assumed["AssumedRoleUser"]!["AssumedRoleId"]!}</AssumedRoleId></AssumedRoleUser><PackedPolicySize>{(int)assumed["PackedPolicySize"]!}</PackedPolicySize></AssumeRoleResult>"
                + "<ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></AssumeRoleResponse>", "text/xml");
        });
        server.Map("/2015-03-31/functions", (ctx, _) =>
        {
            var (account, region) = Where(ctx);
            var list = new JsonArray();
            for (var i = 0; i < FunctionsPerRegion; i++)
            {
                var f = function.DeepClone().AsObject();
                f["FunctionName"] = FunctionName(i);
                f["FunctionArn"] = $"arn:aws:lambda:{region}:{account}:function:{FunctionName(i)}";
                f["Role"] = $"arn:aws:iam::{account}:role/privesc-high-priv-service-role";
                list.Add(f);
            }
            return LocalAwsServer.Send(ctx, 200, new JsonObject { ["Functions"] = list }.ToJsonString(AwsLiveFixtures.Relaxed));
        });
        for (var i = 0; i < FunctionsPerRegion; i++)
        {
            var name = FunctionName(i);
            var hasPolicy = i % 3 == 0;
            server.Map($"/2015-03-31/functions/{name}/policy", (ctx, _) =>
            {
                if (!hasPolicy) return LocalAwsServer.LambdaError(ctx, 404, "ResourceNotFoundException", "The resource you requested does not exist.");
                var (account, region) = Where(ctx);
                var doc = policy["Policy"]!.ToJsonString().Replace("arn:aws:lambda:us-west-2:123456789012:function:my-function", $"arn:aws:lambda:{region}:{account}:function:{name}")
                    .Replace("123456789012", account);
                return LocalAwsServer.Send(ctx, 200, new JsonObject { ["Policy"] = doc, ["RevisionId"] = policy["RevisionId"]!.DeepClone() }.ToJsonString(AwsLiveFixtures.Relaxed));
            });
            server.Map($"/2021-10-31/functions/{name}/url", (ctx, _) => LocalAwsServer.LambdaError(ctx, 404, "ResourceNotFoundException", "The resource you requested does not exist."));
            server.Map($"/2015-03-31/functions/{name}/aliases", "{\"Aliases\":[]}");
        }
        server.Map("/2015-03-31/event-source-mappings", "{\"EventSourceMappings\":[]}");
        server.Map("GetAccountAuthorizationDetails", (ctx, _) =>
        {
            var (account, _) = Where(ctx);
            var page = new JsonObject
            {
                ["UserDetailList"] = new JsonArray(), ["GroupDetailList"] = new JsonArray(),
                ["RoleDetailList"] = new JsonArray(JsonNode.Parse(role.ToJsonString().Replace(SampleAccount, account))),
                ["Policies"] = new JsonArray(policies.Select(p => JsonNode.Parse(p!.ToJsonString().Replace(SampleAccount, account))).ToArray()),
                ["IsTruncated"] = false,
            };
            return LocalAwsServer.Send(ctx, 200, AwsLiveFixtures.AuthorizationDetailsXml(page), "text/xml");
        });
    }

    private static (string Account, string Region) Where(HttpContext ctx) => ((string)ctx.Items["account"]!, (string)ctx.Items["region"]!);
}

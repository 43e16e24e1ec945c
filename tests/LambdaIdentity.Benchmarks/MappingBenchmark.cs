using System.Diagnostics;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;

namespace LambdaIdentity.Benchmarks;

/// <summary>
/// ConvertTo-AzRoleMapping over synthetic inventories (each function: 12 grants over S3, DynamoDB, SQS, KMS, logs, a
/// poll trigger, a caller, a deployer; every tenth role shared by two functions). Baselines, measured in the same run:
/// serialising the inventory to JSON, and serialising the mapping records produced (the CLI's own output cost). Also: first-call cost of the role catalog (load + least-privilege sizes).
/// </summary>
public sealed class MappingBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "mapping";

    private sealed class Deriver : IGrantDeriver
    {
        public IReadOnlyList<EffectiveGrant> Derive(ExecutionRole role, EngineContext context)
        {
            var n = role.RoleName;
            EffectiveGrant G(string a, AccessLevel l, string r) => new() { Service = a.Split(':')[0], Action = a, AccessLevel = l, Resources = new[] { r } };
            return new[]
            {
                G("s3:GetObject", AccessLevel.Read, "arn:aws:s3:::bucket-" + n + "/*"), G("s3:ListBucket", AccessLevel.List, "arn:aws:s3:::bucket-" + n),
                G("s3:PutObject", AccessLevel.Write, "arn:aws:s3:::out-" + n + "/*"),
                G("dynamodb:GetItem", AccessLevel.Read, "arn:aws:dynamodb:eu-west-1:123456789012:table/T" + n), G("dynamodb:PutItem", AccessLevel.Write, "arn:aws:dynamodb:eu-west-1:123456789012:table/T" + n),
                G("dynamodb:Query", AccessLevel.Read, "arn:aws:dynamodb:eu-west-1:123456789012:table/T" + n + "/index/i"),
                G("sqs:ReceiveMessage", AccessLevel.Read, "arn:aws:sqs:eu-west-1:123456789012:q" + n), G("sqs:DeleteMessage", AccessLevel.Write, "arn:aws:sqs:eu-west-1:123456789012:q" + n),
                G("kms:Decrypt", AccessLevel.Write, "arn:aws:kms:eu-west-1:123456789012:key/k" + n),
                G("logs:CreateLogGroup", AccessLevel.Write, "*"), G("logs:PutLogEvents", AccessLevel.Write, "*"), G("xray:PutTraceSegments", AccessLevel.Write, "*"),
            };
        }
    }

    private static List<LambdaFunctionIdentity> Inventory(int n) => Enumerable.Range(0, n).Select(i =>
    {
        var role = "role" + (i % 10 == 1 ? i - 1 : i);
        return new LambdaFunctionIdentity
        {
            FunctionName = "fn" + i, FunctionArn = "arn:aws:lambda:eu-west-1:123456789012:function:fn" + i,
            RoleArn = "arn:aws:iam::123456789012:role/" + role,
            ExecutionRole = new ExecutionRole { RoleArn = "arn:aws:iam::123456789012:role/" + role, RoleName = role },
            EventSources = new[] { new EventSource { Type = "SQS", Name = "Queue", SourceArn = "arn:aws:sqs:eu-west-1:123456789012:q" + role, IsPoll = true } },
            Callers = new[] { new CallerAccess { Channel = "HttpApi", Route = "GET /", AuthType = CallerAuthType.Jwt, Issuer = "https://issuer", Audiences = new[] { "a" } } },
            Principals = new[] { new PrincipalAccess { PrincipalArn = "arn:aws:iam::123456789012:role/deploy", PrincipalType = "Role", AccessLevel = "Deploy" } },
        };
    }).ToList();

    /// <inheritdoc />
    public void Run(TextWriter output)
    {
        var sw = Stopwatch.StartNew();
        var catalog = AzureRoleCatalog.Default;
        _ = RuleSetLoader.Default;
        var load = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        foreach (var r in catalog.Roles) catalog.Granted(r);
        var sizes = sw.Elapsed.TotalMilliseconds;
        output.WriteLine($"catalog load + rule validation: {load:F0} ms; sizing all {catalog.Roles.Count} roles over {catalog.Actions.Count + catalog.DataActions.Count} operations: {sizes:F0} ms (once per process)");

        var mapper = new AzRoleMapper(new Deriver());
        foreach (var n in new[] { 500, 2000 })
        {
            var inv = Inventory(n);
            var before = GC.GetTotalAllocatedBytes(true);
            List<AzRoleMapping> result = new();
            var map = Program.BestOf(3, () => result = mapper.Map(inv, EngineContext.None).ToList());
            var allocated = (GC.GetTotalAllocatedBytes(true) - before) / 3.0 / (1024 * 1024);
            var baseline = Program.BestOf(3, () => ModelJson.Serialize(inv));
            var writeOut = Program.BestOf(3, () => ModelJson.Serialize(result));
            output.WriteLine($"{n} functions -> {result.Count} records: map {map:F0} ms ({map / n:F2} ms/function); ratio to serialising the inventory {map / baseline:F1}x, to serialising the mapping it produced {map / writeOut:F2}x; ~{allocated:F0} MB allocated per run");
        }
        output.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MB");
    }
}

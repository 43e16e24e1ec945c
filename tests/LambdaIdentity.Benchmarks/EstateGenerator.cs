using System.Text;

namespace LambdaIdentity.Benchmarks;

/// <summary>
/// Generates an AWS estate of n functions for the scale benchmark and its smoke test: list-functions pages (1,000
/// functions a page, the shape `aws lambda list-functions` writes), one authorization-details export with 2n roles (one
/// execution role per function, deployers with OIDC trust, service roles), 200 users in a group, and one SAM template of
/// n functions (each with a policy template and an AWS::Lambda::Permission naming it by !Ref). Deterministic: the same n
/// gives the same bytes.
/// </summary>
public static class EstateGenerator
{
    private const string Account = "123456789012";

    /// <summary>The files of one generated estate.</summary>
    public sealed record Estate(string Root, string[] AccountFiles, string TemplateFile);

    /// <summary>Writes the estate under a new folder in <paramref name="parent"/>.</summary>
    public static Estate Write(string parent, int functions)
    {
        var dir = Path.Combine(parent, "estate-" + functions);
        var account = Path.Combine(dir, "account");
        var template = Path.Combine(dir, "template");
        Directory.CreateDirectory(account);
        Directory.CreateDirectory(template);
        var files = new List<string>();
        for (int page = 0; page * 1000 < functions; page++)
        {
            var f = Path.Combine(account, $"list-functions-{page:D3}.json");
            File.WriteAllText(f, FunctionsPage(page * 1000, Math.Min(functions, (page + 1) * 1000)));
            files.Add(f);
        }
        var authz = Path.Combine(account, "authorization-details.json");
        File.WriteAllText(authz, AuthorizationDetails(functions, 2 * functions));
        files.Add(authz);
        var yaml = Path.Combine(template, "template.yaml");
        File.WriteAllText(yaml, Template(functions));
        return new Estate(dir, files.ToArray(), yaml);
    }

    /// <summary>One list-functions page of functions [from, to).</summary>
    public static string FunctionsPage(int from, int to)
    {
        var sb = new StringBuilder("{\n  \"Functions\": [");
        for (int i = from; i < to; i++)
        {
            if (i > from) sb.Append(',');
            var name = $"svc{i % 50}-fn{i}";
            sb.Append($"\n    {{\"FunctionName\": \"{name}\", \"FunctionArn\": \"arn:aws:lambda:eu-west-1:{Account}:function:{name}\", \"Runtime\": \"python3.12\", ")
              .Append($"\"Role\": \"arn:aws:iam::{Account}:role/exec-{i}\", \"Handler\": \"app.handler\", \"CodeSize\": {1000 + i}, \"Description\": \"\", \"Timeout\": 30, \"MemorySize\": 256, ")
              .Append($"\"LastModified\": \"2026-01-01T00:00:00.000+0000\", \"CodeSha256\": \"zMzFRBMk3rAcbSk1vd2m/gMTP5lK+a0sTb9ZnxQ5jo4=\", \"Version\": \"$LATEST\", ")
              .Append($"\"Environment\": {{\"Variables\": {{\"TABLE\": \"t{i}\", \"LOG_LEVEL\": \"INFO\", \"BUCKET\": \"bucket-{i}\"}}}}, \"TracingConfig\": {{\"Mode\": \"Active\"}}, ")
              .Append($"\"PackageType\": \"Zip\", \"Architectures\": [\"arm64\"], \"EphemeralStorage\": {{\"Size\": 512}}}}");
        }
        return sb.Append("\n  ]\n}\n").ToString();
    }

    /// <summary>get-account-authorization-details: an execution role per function, then deployers and service roles up to <paramref name="roles"/>.</summary>
    public static string AuthorizationDetails(int functions, int roles)
    {
        var authz = new StringBuilder("{\"RoleDetailList\":[");
        for (int r = 0; r < roles; r++)
        {
            if (r > 0) authz.Append(',');
            string name, trust, policy;
            if (r < functions)
            {
                name = $"exec-{r}";
                trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
                policy = $"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:GetItem\",\"dynamodb:PutItem\",\"dynamodb:Query\"],\"Resource\":\"arn:aws:dynamodb:eu-west-1:{Account}:table/t{r}\"}},"
                    + $"{{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"arn:aws:s3:::bucket-{r}/*\"}},"
                    + "{\"Effect\":\"Allow\",\"Action\":[\"logs:CreateLogStream\",\"logs:PutLogEvents\"],\"Resource\":\"*\"}]}";
            }
            else if (r < functions + Math.Max(1, functions / 25))
            {
                name = $"deploy-svc{r % 50}-{r}";
                trust = $"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Federated\":\"arn:aws:iam::{Account}:oidc-provider/token.actions.githubusercontent.com\"}},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}}]}}";
                policy = $"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":[\"lambda:UpdateFunctionCode\",\"lambda:UpdateFunctionConfiguration\",\"lambda:GetFunction\"],\"Resource\":\"arn:aws:lambda:eu-west-1:{Account}:function:svc{r % 50}-fn{r - functions}\"}},{{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":\"arn:aws:iam::{Account}:role/exec-{r - functions}\"}}]}}";
            }
            else
            {
                name = $"service-{r}";
                trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
                policy = $"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\"],\"Resource\":\"arn:aws:s3:::bucket-{r}/*\"}}]}}";
            }
            authz.Append($"{{\"Path\":\"/\",\"RoleName\":\"{name}\",\"RoleId\":\"AROA{r:D16}\",\"Arn\":\"arn:aws:iam::{Account}:role/{name}\",\"CreateDate\":\"2026-01-01T00:00:00Z\",\"AssumeRolePolicyDocument\":{trust},\"InstanceProfileList\":[],\"RolePolicyList\":[{{\"PolicyName\":\"p\",\"PolicyDocument\":{policy}}}],\"AttachedManagedPolicies\":[],\"Tags\":[]}}");
        }
        authz.Append("],\"UserDetailList\":[");
        for (int u = 0; u < 200; u++)
            authz.Append(u > 0 ? "," : "").Append($"{{\"UserName\":\"dev{u}\",\"Arn\":\"arn:aws:iam::{Account}:user/dev{u}\",\"GroupList\":[\"developers\"],\"UserPolicyList\":[],\"AttachedManagedPolicies\":[]}}");
        authz.Append($"],\"GroupDetailList\":[{{\"GroupName\":\"developers\",\"Arn\":\"arn:aws:iam::{Account}:group/developers\",\"GroupPolicyList\":[{{\"PolicyName\":\"read\",\"PolicyDocument\":{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":[\"lambda:Get*\",\"lambda:List*\",\"lambda:InvokeFunction\"],\"Resource\":\"*\"}}]}}}}],\"AttachedManagedPolicies\":[]}}],\"Policies\":[]}}");
        return authz.ToString();
    }

    /// <summary>One SAM template of n functions, each with a policy template and a Lambda permission for S3 by !Ref.</summary>
    public static string Template(int n)
    {
        var sb = new StringBuilder("AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n");
        for (int i = 0; i < n; i++)
        {
            sb.Append($"  Fn{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n      FunctionName: fn-{i}\n")
              .Append($"      Policies:\n        - S3ReadPolicy:\n            BucketName: bucket-{i}\n")
              .Append($"  Fn{i}Permission:\n    Type: AWS::Lambda::Permission\n    Properties:\n      Action: lambda:InvokeFunction\n      FunctionName: !Ref Fn{i}\n      Principal: s3.amazonaws.com\n      SourceArn: arn:aws:s3:::bucket-{i}\n");
        }
        return sb.ToString();
    }

    /// <summary>One role whose inline policy has <paramref name="statements"/> statements over overlapping resources (the issue 13 case).</summary>
    /// <param name="statements">How many statements.</param>
    /// <param name="extra">A statement (JSON) appended after them, or null.</param>
    public static LambdaIdentity.Model.ExecutionRole BigPolicyRole(int statements, string? extra = null)
    {
        var sb = new StringBuilder("{\"Version\":\"2012-10-17\",\"Statement\":[");
        string[] actions = { "s3:GetObject", "s3:PutObject", "dynamodb:GetItem", "dynamodb:Query", "sqs:SendMessage", "kms:Decrypt", "sns:Publish", "secretsmanager:GetSecretValue" };
        for (int s = 0; s < statements; s++)
        {
            if (s > 0) sb.Append(',');
            var a = actions[s % actions.Length];
            var service = a.Substring(0, a.IndexOf(':'));
            var resource = service switch
            {
                "s3" => $"arn:aws:s3:::bucket-{s}/*",
                "dynamodb" => $"arn:aws:dynamodb:eu-west-1:{Account}:table/t{s % 700}",
                "sqs" => $"arn:aws:sqs:eu-west-1:{Account}:q{s % 300}",
                "kms" => $"arn:aws:kms:eu-west-1:{Account}:key/k{s % 100}",
                "sns" => $"arn:aws:sns:eu-west-1:{Account}:topic{s}",
                _ => $"arn:aws:secretsmanager:eu-west-1:{Account}:secret:s{s}-*",
            };
            var second = service == "s3" ? $"arn:aws:s3:::bucket-{s}" : resource.Replace("eu-west-1", "us-east-1");
            // every statement also grants s3:GetObject on its own bucket: one action granted by every statement
            sb.Append($"{{\"Sid\":\"S{s}\",\"Effect\":\"Allow\",\"Action\":[\"{a}\",\"s3:GetObject\"],\"Resource\":[\"{resource}\",\"{second}\"]}}");
        }
        if (extra is not null) sb.Append(',').Append(extra);
        sb.Append("]}");
        var errors = new LambdaIdentity.Core.ErrorCollector();
        var document = LambdaIdentity.Core.Aws.Policy.PolicyParser.ParseText(sb.ToString(), LambdaIdentity.Model.PolicyKind.Inline, "big", null, errors)
            ?? throw new InvalidOperationException("the generated policy did not parse: " + string.Join("; ", errors.Errors.Select(e => e.Message)));
        return new LambdaIdentity.Model.ExecutionRole { RoleArn = $"arn:aws:iam::{Account}:role/big", RoleName = "big", Policies = new[] { document } };
    }
}

using System.Text.Json;
using LambdaIdentity.Cli;
using Xunit;

namespace LambdaIdentity.Tests.Policy;

public sealed class SimulateVerbTests
{
    private static string F(string name) => Path.Combine(TestPaths.Fixtures, "policy", name);
    private const string Role = "arn:aws:iam::111122223333:role/app";

    private static (int Code, JsonElement Decision, string Err) Run(params string[] args)
    {
        var o = new StringWriter(); var e = new StringWriter();
        var code = Program.Run(new[] { "simulate" }.Concat(args).Concat(new[] { "--format", "json" }).ToArray(), o, e, new StringReader(""));
        using var doc = JsonDocument.Parse(o.ToString());
        return (code, doc.RootElement[0].Clone(), e.ToString());
    }

    [Fact]
    public void AllowsAndNamesTheDecidingStatement()
    {
        var (code, d, _) = Run("--policy", F("iam-get-role-policy-s3-read.json"), "--principal", Role, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::data/report.csv");
        Assert.Equal(0, code);
        Assert.Equal("Allow", d.GetProperty("Decision").GetString());
        Assert.Equal("iam-get-role-policy-s3-read#ReadData", d.GetProperty("DecidingStatements")[0].GetProperty("Ref").GetString());
    }

    [Fact]
    public void ExplicitDenyAndBoundaryAndMultiValuedContext()
    {
        Assert.Equal("ExplicitDeny", Run("--policy", F("iam-get-role-policy-s3-read.json"), "--principal", Role, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::data/secret/k").Decision.GetProperty("Decision").GetString());
        var tagged = new[] { "--policy", F("iam-get-role-policy-s3-read.json"), "--principal", Role, "--action", "s3:PutObject", "--resource", "arn:aws:s3:::data/k" };
        Assert.Equal("Allow", Run(tagged.Concat(new[] { "--context", "aws:TagKeys=team", "--context", "aws:TagKeys=env" }).ToArray()).Decision.GetProperty("Decision").GetString());
        Assert.Equal("ImplicitDeny", Run(tagged.Concat(new[] { "--context", "aws:TagKeys=team", "--context", "aws:TagKeys=owner" }).ToArray()).Decision.GetProperty("Decision").GetString());
        // The read-only boundary stops the write the identity policy allows.
        var bounded = Run(tagged.Concat(new[] { "--boundary", F("iam-boundary-read-only.json"), "--context", "aws:TagKeys=team" }).ToArray()).Decision;
        Assert.Equal("ImplicitDeny", bounded.GetProperty("Decision").GetString());
        Assert.Contains("boundary", bounded.GetProperty("Reason").GetString());
    }

    [Fact]
    public void CrossAccountTakesAccountsFromPrincipalAndResource()
    {
        var args = new[] { "--policy", "arn:aws:iam::aws:policy/ReadOnlyAccess", "--resource-policy", F("s3-get-bucket-policy-partner.json"), "--action", "s3:GetObject", "--resource", "arn:aws:s3:::data/k" };
        // An S3 ARN holds no account: aws:ResourceAccount says whose bucket it is.
        var partner = Run(args.Concat(new[] { "--principal", "arn:aws:iam::444455556666:role/reader", "--context", "aws:SecureTransport=true", "--context", "aws:ResourceAccount=111122223333" }).ToArray()).Decision;
        Assert.Equal("Allow", partner.GetProperty("Decision").GetString());
        Assert.True(partner.GetProperty("IsCrossAccount").GetBoolean());
        Assert.Contains(partner.GetProperty("DecidingStatements").EnumerateArray(), s => s.GetProperty("Ref").GetString() == "s3-get-bucket-policy-partner#Partner");
        var stranger = Run(args.Concat(new[] { "--principal", "arn:aws:iam::777788889999:role/reader", "--context", "aws:SecureTransport=true", "--context", "aws:ResourceAccount=111122223333" }).ToArray()).Decision;
        Assert.Equal("ImplicitDeny", stranger.GetProperty("Decision").GetString());
        var other = Run(args.Concat(new[] { "--principal", "arn:aws:iam::777788889999:role/reader", "--context", "aws:SecureTransport=false" }).ToArray()).Decision;
        Assert.Equal("ExplicitDeny", other.GetProperty("Decision").GetString());
        var q = new[] { "--policy", F("iam-boundary-read-only.json"), "--action", "s3:GetObject", "--resource", "arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/k" };
        var cross = Run(q.Concat(new[] { "--principal", "arn:aws:iam::444455556666:role/reader" }).ToArray()).Decision;
        Assert.True(cross.GetProperty("IsCrossAccount").GetBoolean());
        Assert.Equal("ImplicitDeny", cross.GetProperty("Decision").GetString());
        Assert.Contains("resource-based policy", cross.GetProperty("Reason").GetString());
    }

    [Fact]
    public void ReadsARealLambdaGetPolicyResponse()
    {
        var policy = TestPaths.Shared("aws-api-responses", "cloudmapper-demo", "lambda-get-policy", "invpclambda.json");
        var args = new[] { "--resource-policy", policy, "--principal", "apigateway.amazonaws.com", "--action", "lambda:InvokeFunction", "--resource", "arn:aws:lambda:us-east-1:653711331788:function:invpclambda" };
        var ok = Run(args.Concat(new[] { "--context", "aws:SourceArn=arn:aws:execute-api:us-east-1:653711331788:2rfismmoo8/prod/GET/invpclambda" }).ToArray()).Decision;
        Assert.Equal("Allow", ok.GetProperty("Decision").GetString());
        Assert.Equal("lambda-5aeac81b-9422-42b5-9d58-22a0eba87078", ok.GetProperty("DecidingStatements")[0].GetProperty("Sid").GetString());
        Assert.Equal("ImplicitDeny", Run(args.Concat(new[] { "--context", "aws:SourceArn=arn:aws:execute-api:us-east-1:653711331788:other/prod/GET/invpclambda" }).ToArray()).Decision.GetProperty("Decision").GetString());
    }

    [Fact]
    public void AnUnreadablePolicyIsReportedAndMakesTheDecisionIncomplete()
    {
        var (code, d, err) = Run("--policy", F("iam-get-role-policy-malformed.json"), "--principal", Role, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k");
        Assert.Equal(2, code); // an input that could not be read (docs/cli.md, exit codes)
        Assert.True(d.GetProperty("IsIncomplete").GetBoolean());
        Assert.Equal(1, d.GetProperty("UnresolvedPolicies").GetArrayLength());
        Assert.Contains("PolicyDocumentMalformed", err);
        Assert.Contains("$.Statement[1].Condition.StringEqualz", err);
    }

    [Fact]
    public void AMissingPolicyFileIsAUsageError()
    {
        var stdout = new StringWriter(); var stderr = new StringWriter();
        var code = LambdaIdentity.Cli.Program.Run(new[] { "simulate", "--policy", F("does-not-exist.json"), "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k" }, stdout, stderr, new StringReader(""));
        Assert.Equal(64, code);
        Assert.Contains("InputNotFound", stderr.ToString());
    }

    [Fact]
    public void OrganizationLevelsSessionAndEndpointPoliciesFromTheCommandLine()
    {
        var dir = Directory.CreateTempSubdirectory("simulate-org").FullName;
        try
        {
            string W(string name, string json) { var f = Path.Combine(dir, name); File.WriteAllText(f, json.Replace('\'', '"')); return f; }
            var full = W("full.json", "{'Version':'2012-10-17','Statement':{'Sid':'FullAWSAccess','Effect':'Allow','Action':'*','Resource':'*'}}");
            var ou = W("ou.json", "{'Version':'2012-10-17','Statement':{'Sid':'OnlyS3','Effect':'Allow','Action':'s3:*','Resource':'*'}}");
            var session = W("session.json", "{'Version':'2012-10-17','Statement':{'Sid':'ReadOnly','Effect':'Allow','Action':['s3:GetObject','ec2:Describe*'],'Resource':'*'}}");
            var vpce = W("vpce.json", "{'Version':'2012-10-17','Statement':{'Sid':'DataBucket','Effect':'Allow','Principal':'*','Action':'s3:*','Resource':'arn:aws:s3:::data/*'}}");
            var session1 = "arn:aws:sts::111122223333:assumed-role/app/s1";
            string[] Args(string action, string resource) => new[]
            {
                "--policy", "arn:aws:iam::aws:policy/AdministratorAccess", "--principal", session1, "--action", action, "--resource", resource,
                "--scp-level", full, "--scp-level", ou, "--session-policy", session, "--vpce-policy", vpce,
            };
            Assert.Equal("Allow", Run(Args("s3:GetObject", "arn:aws:s3:::data/k")).Decision.GetProperty("Decision").GetString());
            // The OU's SCPs allow S3 only; the session policy allows reads only; the endpoint serves the data bucket only.
            Assert.Contains("level 2 of 2", Run(Args("ec2:DescribeInstances", "*")).Decision.GetProperty("Reason").GetString());
            Assert.Contains("no session policy does", Run(Args("s3:PutObject", "arn:aws:s3:::data/k")).Decision.GetProperty("Reason").GetString());
            Assert.Contains("VPC endpoint", Run(Args("s3:GetObject", "arn:aws:s3:::other/k")).Decision.GetProperty("Reason").GetString());
            // Files of one level are comma-separated: with FullAWSAccess beside the OU's SCP, EC2 passes the SCPs (the endpoint still stops it).
            var oneLevel = Args("ec2:DescribeInstances", "*").Select(a => a == ou ? ou + "," + full : a).ToArray();
            Assert.Contains("VPC endpoint", Run(oneLevel).Decision.GetProperty("Reason").GetString());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TheManagementAccountIsGivenOnTheCommandLine()
    {
        var dir = Directory.CreateTempSubdirectory("simulate-mgmt").FullName;
        try
        {
            var ou = Path.Combine(dir, "ou.json");
            File.WriteAllText(ou, "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"OnlyS3\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}");
            string[] Args(string principal, params string[] more) => new[] { "--policy", "arn:aws:iam::aws:policy/AdministratorAccess", "--principal", principal, "--action", "ec2:RunInstances", "--resource", "*", "--scp-level", ou }.Concat(more).ToArray();
            const string Admin = "arn:aws:iam::999999999999:role/OrganizationAdmin";
            Assert.Equal("ImplicitDeny", Run(Args(Admin)).Decision.GetProperty("Decision").GetString());
            var mgmt = Run(Args(Admin, "--management-account", "999999999999")).Decision;
            Assert.Equal("Allow", mgmt.GetProperty("Decision").GetString());
            Assert.Contains("management account", mgmt.GetProperty("Reason").GetString());
            Assert.Equal("Allow", Run(Args("arn:aws:iam::111122223333:role/aws-service-role/ec2.amazonaws.com/AWSServiceRoleForEC2")).Decision.GetProperty("Decision").GetString());
        }
        finally { Directory.Delete(dir, true); }
    }
}

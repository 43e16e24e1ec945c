using Xunit;
using static LambdaIdentity.Tests.Inventory.BadInput.BadInputDir;

namespace LambdaIdentity.Tests.Inventory.BadInput;

/// <summary>A group whose managed policy the export does not hold is an error, not a group that silently has no access.</summary>
public sealed class UnresolvedGroupPolicyTests
{
    private const string Functions = "{ \"Functions\": [ { \"FunctionName\": \"orders\", \"FunctionArn\": \"arn:aws:lambda:eu-west-1:123456789012:function:orders\", \"Role\": \"arn:aws:iam::123456789012:role/orders-role\" } ] }";

    private static string Authz(string groupPolicyArn) => @"{
  ""UserDetailList"": [],
  ""GroupDetailList"": [
    { ""GroupName"": ""deployers"", ""GroupId"": ""AGPAEXAMPLE0000000001"", ""Arn"": ""arn:aws:iam::123456789012:group/deployers"", ""Path"": ""/"",
      ""GroupPolicyList"": [], ""AttachedManagedPolicies"": [ { ""PolicyName"": ""LambdaDeploy"", ""PolicyArn"": """ + groupPolicyArn + @""" } ] }
  ],
  ""RoleDetailList"": [],
  ""Policies"": [
    { ""PolicyName"": ""Held"", ""PolicyId"": ""ANPAEXAMPLE0000000001"", ""Arn"": ""arn:aws:iam::123456789012:policy/Held"", ""Path"": ""/"", ""DefaultVersionId"": ""v1"",
      ""AttachmentCount"": 1, ""IsAttachable"": true,
      ""PolicyVersionList"": [ { ""Document"": { ""Version"": ""2012-10-17"", ""Statement"": [ { ""Effect"": ""Allow"", ""Action"": ""lambda:UpdateFunctionCode"", ""Resource"": ""*"" } ] }, ""VersionId"": ""v1"", ""IsDefaultVersion"": true } ] }
  ]
}";

    [Fact]
    public void AGroupWhoseManagedPolicyIsMissingIsAnErrorNamingGroupAndPolicy()
    {
        using var dir = new BadInputDir();
        var fn = dir.File("functions.json", Functions);
        var authz = dir.File("authz.json", Authz("arn:aws:iam::123456789012:policy/LambdaDeploy"));

        var (records, errors) = Read(fn, authz);

        Assert.Equal("orders", Assert.Single(records).FunctionName);
        var e = Assert.Single(errors);
        Assert.Equal("IamManagedPolicyUnresolved", e.ErrorId);
        Assert.Equal("arn:aws:iam::123456789012:group/deployers", e.Target);
        Assert.Contains("arn:aws:iam::123456789012:policy/LambdaDeploy", e.Message, StringComparison.Ordinal);
        Assert.Equal(authz, e.Location!.File);

        var (code, cli, err) = RunCli(fn, authz);
        Assert.NotEqual(0, code);
        Assert.Single(cli);
        Assert.Contains("IamManagedPolicyUnresolved", err, StringComparison.Ordinal);
    }

    [Fact]
    public void AGroupWhoseManagedPolicyIsHeldIsNoErrorAndItsAccessIsListed()
    {
        using var dir = new BadInputDir();
        var (records, errors) = Read(dir.File("functions.json", Functions), dir.File("authz.json", Authz("arn:aws:iam::123456789012:policy/Held")));

        Assert.Empty(errors);
        Assert.Contains(Assert.Single(records).Principals, p => p.PrincipalArn == "arn:aws:iam::123456789012:group/deployers");
    }
}

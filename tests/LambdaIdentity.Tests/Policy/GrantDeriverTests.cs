using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;
using Xunit;
using static LambdaIdentity.Tests.Policy.P;

namespace LambdaIdentity.Tests.Policy;

public sealed class GrantDeriverTests
{
    private static ExecutionRole Role(PolicyDocument? boundary, params PolicyDocument[] policies)
        => new() { RoleArn = "arn:aws:iam::111122223333:role/fn", RoleName = "fn", Policies = policies, PermissionsBoundary = boundary };

    [Fact]
    public void ExpandsWildcardsToConcreteActionsWithAccessLevels()
    {
        var p = Doc("{'Version':'2012-10-17','Statement':[{'Sid':'Read','Effect':'Allow','Action':['s3:Get*','s3:ListBucket'],'Resource':['arn:aws:s3:::data','arn:aws:s3:::data/*']}]}", name: "s3");
        var grants = GrantDeriver.Default.Derive(Role(null, p), EngineContext.None);
        var get = Assert.Single(grants, g => g.Action == "s3:GetObject");
        Assert.Equal(AccessLevel.Read, get.AccessLevel);
        Assert.Equal("s3", get.Service);
        Assert.True(get.FromWildcard);
        Assert.Equal(new[] { "arn:aws:s3:::data", "arn:aws:s3:::data/*" }, get.Resources);
        Assert.Equal(new[] { "s3#Read" }, get.GrantedBy);
        var list = Assert.Single(grants, g => g.Action == "s3:ListBucket");
        Assert.False(list.FromWildcard);
        Assert.Equal(AccessLevel.List, list.AccessLevel);
        Assert.DoesNotContain(grants, g => g.Action == "s3:PutObject");
    }

    [Fact]
    public void NotActionGrantsEverythingElseAndLeavesWhatItExcludesAsItWas()
    {
        // An explicit grant before and after a NotAction statement, and an action only the NotAction excludes.
        var p = Doc("{'Version':'2012-10-17','Statement':["
            + "{'Sid':'A','Effect':'Allow','Action':'s3:GetObject','Resource':'arn:aws:s3:::a/*'},"
            + "{'Sid':'All','Effect':'Allow','NotAction':['s3:*','iam:*'],'Resource':'*'},"
            + "{'Sid':'B','Effect':'Allow','Action':['s3:GetObject','iam:PassRole'],'Resource':'arn:aws:s3:::b/*'}]}", name: "p");
        var grants = GrantDeriver.Default.Derive(Role(null, p), EngineContext.None);
        var get = Assert.Single(grants, g => g.Action == "s3:GetObject");
        Assert.Equal(new[] { "arn:aws:s3:::a/*", "arn:aws:s3:::b/*" }, get.Resources);
        Assert.Equal(new[] { "p#A", "p#B" }, get.GrantedBy);
        var pass = Assert.Single(grants, g => g.Action == "iam:PassRole");
        Assert.Equal(new[] { "arn:aws:s3:::b/*" }, pass.Resources);
        Assert.Equal(new[] { "p#B" }, pass.GrantedBy);
        Assert.DoesNotContain(grants, g => g.Action == "s3:PutObject" || g.Action == "iam:CreateRole");
        var ec2 = Assert.Single(grants, g => g.Action == "ec2:RunInstances");
        Assert.Equal(new[] { "*" }, ec2.Resources);
        Assert.Equal(new[] { "p#All" }, ec2.GrantedBy);
        Assert.Equal(ActionCatalog.Default.Actions.Count(a => a.Service != "s3" && a.Service != "iam") + 2, grants.Count);

        // After "*": the excluded actions keep the grant "*" gave them (and only that one).
        var q = Doc("{'Version':'2012-10-17','Statement':["
            + "{'Sid':'Star','Effect':'Allow','Action':'*','Resource':'*'},"
            + "{'Sid':'NotIam','Effect':'Allow','NotAction':'iam:*','Resource':'arn:aws:s3:::x'}]}", name: "q");
        var all = GrantDeriver.Default.Derive(Role(null, q), EngineContext.None);
        Assert.Equal(ActionCatalog.Default.Actions.Count, all.Count);
        Assert.Equal(new[] { "q#Star" }, Assert.Single(all, g => g.Action == "iam:CreateRole").GrantedBy);
        Assert.Equal(new[] { "q#Star", "q#NotIam" }, Assert.Single(all, g => g.Action == "s3:PutObject").GrantedBy);
    }

    [Fact]
    public void UnknownActionsAreKeptNotDropped()
    {
        var p = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Action':'newsvc:DoThing','Resource':'*'}}");
        var g = Assert.Single(GrantDeriver.Default.Derive(Role(null, p), EngineContext.None));
        Assert.Equal("newsvc:DoThing", g.Action);
        Assert.Equal(AccessLevel.Unknown, g.AccessLevel);
    }

    [Fact]
    public void DenyRemovesActionsAndExcludesResources()
    {
        var p = Doc(@"{'Version':'2012-10-17','Statement':[
            {'Effect':'Allow','Action':['s3:GetObject','s3:PutObject','s3:DeleteObject'],'Resource':'arn:aws:s3:::data/*'},
            {'Sid':'NoDelete','Effect':'Deny','Action':'s3:DeleteObject','Resource':'*'},
            {'Sid':'NoSecrets','Effect':'Deny','Action':'s3:GetObject','Resource':'arn:aws:s3:::data/secret/*'},
            {'Sid':'OnlyTls','Effect':'Deny','Action':'s3:PutObject','Resource':'*','Condition':{'Bool':{'aws:SecureTransport':'false'}}}]}", name: "p");
        var grants = GrantDeriver.Default.Derive(Role(null, p), EngineContext.None);
        Assert.DoesNotContain(grants, g => g.Action == "s3:DeleteObject");
        var get = Assert.Single(grants, g => g.Action == "s3:GetObject");
        Assert.Equal(new[] { "arn:aws:s3:::data/secret/*" }, get.ExcludedResources);
        Assert.Equal(new[] { "p#NoSecrets" }, get.DeniedBy);
        var put = Assert.Single(grants, g => g.Action == "s3:PutObject");
        Assert.True(put.IsConditionallyDenied);
        Assert.Equal(new[] { "p#OnlyTls" }, put.DeniedBy);
    }

    [Fact]
    public void BoundaryLimitsActionsAndResources()
    {
        var admin = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Action':['s3:*','sqs:SendMessage'],'Resource':'*'}}", PolicyKind.Managed, "wide");
        var boundary = Doc("{'Version':'2012-10-17','Statement':{'Sid':'B','Effect':'Allow','Action':'s3:GetObject','Resource':'arn:aws:s3:::data/*'}}", PolicyKind.PermissionsBoundary, "boundary");
        var grants = GrantDeriver.Default.Derive(Role(boundary, admin), EngineContext.None);
        var g = Assert.Single(grants);
        Assert.Equal("s3:GetObject", g.Action);
        Assert.Equal(new[] { "arn:aws:s3:::data/*" }, g.Resources);
        Assert.Contains("boundary#B", g.GrantedBy);
    }

    [Fact]
    public void RolesWithTheSameDocumentsShareOneResultButABoundaryStillApplies()
    {
        var p = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Action':['s3:*','sqs:*'],'Resource':'*'}}", PolicyKind.Managed, "shared");
        var boundary = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Action':'sqs:*','Resource':'*'}}", PolicyKind.PermissionsBoundary, "b");
        var a = GrantDeriver.Default.Derive(Role(null, p), EngineContext.None);
        var b = GrantDeriver.Default.Derive(Role(null, p), EngineContext.None);
        var bounded = GrantDeriver.Default.Derive(Role(boundary, p), EngineContext.None);
        Assert.Same(a, b);
        Assert.Contains(a, g => g.Service == "s3");
        Assert.DoesNotContain(bounded, g => g.Service == "s3");
        Assert.Equal(a.Count(g => g.Service == "sqs"), bounded.Count);
    }

    [Fact]
    public void NotActionAllowGrantsEveryOtherCatalogAction()
    {
        var p = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','NotAction':['iam:*','sts:*'],'Resource':'*'}}");
        var grants = GrantDeriver.Default.Derive(Role(null, p), EngineContext.None);
        Assert.DoesNotContain(grants, g => g.Service is "iam" or "sts");
        Assert.Contains(grants, g => g.Action == "lambda:InvokeFunction" && g.FromWildcard);
    }

    [Fact]
    public void ResolvesAwsManagedPoliciesAndReportsUnresolvedOnes()
    {
        var readOnly = new PolicyDocument { PolicyName = "ReadOnlyAccess", PolicyArn = "arn:aws:iam::aws:policy/ReadOnlyAccess", Kind = PolicyKind.Managed, IsUnresolved = true };
        var missing = new PolicyDocument { PolicyName = "AWSLambdaNoSuchPolicy", PolicyArn = "arn:aws:iam::aws:policy/AWSLambdaNoSuchPolicy", Kind = PolicyKind.Managed, IsUnresolved = true };
        var errors = new ErrorCollector();
        var grants = GrantDeriver.Default.Derive(Role(null, readOnly, missing), new EngineContext(errors));
        Assert.Contains(grants, g => g.Action == "s3:GetObject" && g.GrantedBy.Any(r => r.StartsWith("ReadOnlyAccess#")));
        Assert.All(grants, g => Assert.True(g.IsIncomplete));
        var e = Assert.Single(errors.Errors);
        Assert.Equal("ManagedPolicyUnresolved", e.ErrorId);
        Assert.Equal("arn:aws:iam::aws:policy/AWSLambdaNoSuchPolicy", e.Target);
    }

    [Fact]
    public void ActionsLookedUpWhenReadGiveTheSameGrantsAsPlainNames()
    {
        // The reader hands the deriver each action's catalog index; the same statements with plain name lists (looked up
        // by the deriver) must give the same grants, for every role of every authorization-details file.
        _ = LambdaIdentity.Core.Catalogs.ActionCatalog.Default;
        static PolicyDocument Plain(PolicyDocument d) => new()
        {
            PolicyName = d.PolicyName, PolicyArn = d.PolicyArn, Kind = d.Kind, Version = d.Version, IsUnresolved = d.IsUnresolved, Source = d.Source,
            Statement = d.Statement.Select(s => new PolicyStatement
            {
                Sid = s.Sid, Effect = s.Effect, Action = s.Action.ToList(), NotAction = s.NotAction.ToList(), Resource = s.Resource, NotResource = s.NotResource,
                Principal = s.Principal, NotPrincipal = s.NotPrincipal, Condition = s.Condition,
            }).ToList(),
        };
        var looked = 0;
        foreach (var file in Directory.GetFiles(TestPaths.Shared("authz-details"), "*.json"))
            foreach (var role in AuthzRoles.Read(file))
            {
                looked += role.Policies.SelectMany(p => p.Statement).Count(s => s.Action is LambdaIdentity.Core.Aws.Policy.ActionNames);
                var plain = new ExecutionRole
                {
                    RoleArn = role.RoleArn, RoleName = role.RoleName, Source = role.Source, AssumeRolePolicy = role.AssumeRolePolicy,
                    Policies = role.Policies.Select(Plain).ToList(), PermissionsBoundary = role.PermissionsBoundary is { } b ? Plain(b) : null,
                };
                Assert.Equal(GrantPinTests.Describe(GrantDeriver.Default.Derive(role, EngineContext.None)), GrantPinTests.Describe(GrantDeriver.Default.Derive(plain, EngineContext.None)));
            }
        Assert.True(looked > 100, $"{looked} statements read with looked-up actions");
    }

    [Fact]
    public void GrantsOfEveryRoleInRealAuthorizationDetailsAgreeWithTheEvaluator()
    {
        var evaluator = new PolicyEvaluator();
        var checkedGrants = 0;
        foreach (var file in Directory.GetFiles(TestPaths.Shared("authz-details"), "*.json"))
        {
            foreach (var role in AuthzRoles.Read(file))
            {
                var errors = new ErrorCollector();
                var grants = GrantDeriver.Default.Derive(role, new EngineContext(errors));
                Assert.True(errors.Errors.All(e => e.ErrorId == "ManagedPolicyUnresolved"), string.Join("; ", errors.Errors));
                Assert.All(grants, g => Assert.NotEmpty(g.Resources));
                var set = new PolicySet
                {
                    IdentityPolicies = role.Policies.Select(GrantDeriver.Default.ResolveManaged).ToList(),
                    PermissionsBoundary = role.PermissionsBoundary is { } b ? GrantDeriver.Default.ResolveManaged(b) : null,
                };
                var account = PolicyEvaluator.AccountOf(role.RoleArn)!;
                // Every unconditional grant is allowed by the evaluator on a resource it names.
                var plain = grants.Where(g => g.Conditions.Count == 0 && !g.IsConditionallyDenied && g.ExcludedResources.Count == 0 && !g.Resources[0].Contains("${")).ToList();
                foreach (var g in plain.Where((_, i) => i % Math.Max(1, plain.Count / 300) == 0))
                {
                    var resource = Concretize(g.Resources[0], account);
                    var d = evaluator.Evaluate(new AccessRequest { PrincipalArn = role.RoleArn, Action = g.Action, Resource = resource }, set);
                    Assert.True(d.Decision == Decision.Allow, $"{role.RoleArn} {g.Action} on {resource}: {d.Decision} ({d.Reason})");
                    checkedGrants++;
                }
                // Every allowed action without a grant is one the evaluator does not allow.
                var granted = grants.Select(g => g.Action).ToHashSet(StringComparer.OrdinalIgnoreCase);
                foreach (var s in set.IdentityPolicies.SelectMany(p => p.Statement).Where(s => s.Effect == "Allow" && s.Condition.Count == 0 && s.Resource.Count == 1 && s.Resource[0] == "*"))
                    foreach (var a in s.Action.Where(a => !Wildcard.HasWildcard(a) && !granted.Contains(a)))
                        Assert.NotEqual(Decision.Allow, evaluator.Evaluate(new AccessRequest { PrincipalArn = role.RoleArn, Action = a, Resource = "arn:aws:s3:::x" }, set).Decision);
            }
        }
        Assert.True(checkedGrants > 1000, checkedGrants.ToString());
    }

    private static string Concretize(string pattern, string account)
    {
        if (pattern == "*") return "arn:aws:s3:::any-bucket/any-key";
        var parts = pattern.Split(':', 6);
        if (parts.Length == 6 && Wildcard.HasWildcard(parts[4])) parts[4] = account;
        return string.Join(":", parts).Replace('*', 'x').Replace('?', 'x');
    }

    [Fact]
    public void GrantsReadTheSameByIndexAndByEnumerationAndShareTheirParts()
    {
        // An administrator policy plus actions the catalog does not know: the columnar list gives every grant the
        // catalog's action part (one instance per action), unknown actions last by name, one terms part per statement shape.
        var doc = new PolicyDocument
        {
            PolicyName = "admin", Kind = PolicyKind.Inline, Version = "2012-10-17",
            Statement = new[]
            {
                new PolicyStatement { Sid = "All", Effect = "Allow", Action = new[] { "*" }, Resource = new[] { "*" } },
                new PolicyStatement { Sid = "New", Effect = "Allow", Action = new[] { "zz:Brand", "aa:New" }, Resource = new[] { "arn:aws:zz:::x" } },
            },
        };
        var grants = new GrantDeriver(ActionCatalog.Default, null).Derive(new ExecutionRole { RoleArn = "arn:aws:iam::123456789012:role/r", RoleName = "r", Policies = new[] { doc } }, EngineContext.None);
        Assert.Equal(ActionCatalog.Default.Actions.Count + 2, grants.Count);
        var listed = grants.ToList();
        for (var i = 0; i < grants.Count; i += 997) Assert.Equal(grants[i].Action, listed[i].Action);
        Assert.Same(ActionCatalog.Default.Find("s3:GetObject")!.Grant, grants.First(g => g.Action == "s3:GetObject").ActionPart);
        Assert.Equal(new[] { "aa:New", "zz:Brand" }, listed.Skip(grants.Count - 2).Select(g => g.Action));
        Assert.All(listed.Skip(grants.Count - 2), g => Assert.Equal(AccessLevel.Unknown, g.AccessLevel));
        Assert.Equal("zz", listed[^1].Service);
        Assert.Single(listed.Take(grants.Count - 2).Select(g => g.Terms).Distinct());
        Assert.Throws<ArgumentOutOfRangeException>(() => grants[grants.Count]);
        Assert.Throws<ArgumentOutOfRangeException>(() => grants[-1]);
        // Stored as runs: every catalog action on one terms part is one run, each unknown action one more.
        Assert.Equal(3, Assert.IsType<GrantList>(grants).Runs);
        for (var i = 0; i < grants.Count; i++) Assert.Equal(listed[i].Action, grants[i].Action);
    }

    [Fact]
    public void AGrantBuiltWithAnInitializerNeverChangesTermsAnotherGrantShares()
    {
        var a = new EffectiveGrant { Service = "s3", Action = "s3:GetObject", AccessLevel = AccessLevel.Read, Resources = new[] { "arn:aws:s3:::b/*" } };
        var b = new EffectiveGrant(a.ActionPart, a.Terms);
        var c = new EffectiveGrant { Action = "s3:PutObject", Resources = new[] { "arn:aws:s3:::c/*" }, IsIncomplete = true };
        Assert.Equal("arn:aws:s3:::b/*", Assert.Single(b.Resources));
        Assert.Equal("arn:aws:s3:::c/*", Assert.Single(c.Resources));
        Assert.True(c.IsIncomplete);
        Assert.False(a.IsIncomplete);
        Assert.Equal(("s3", AccessLevel.Read), (a.Service, a.AccessLevel));
        Assert.Equal("", default(EffectiveGrant).Action);
        Assert.Empty(default(EffectiveGrant).Resources);
    }
}

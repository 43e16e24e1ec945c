using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;
using Xunit;
using static LambdaIdentity.Tests.Policy.P;

namespace LambdaIdentity.Tests.Policy;

/// <summary>Vectors from AWS's "Policy evaluation logic" documentation.</summary>
public sealed class PolicyEvaluatorTests
{
    private const string Role = "arn:aws:iam::111122223333:role/app";
    private const string OtherRole = "arn:aws:iam::444455556666:role/partner";
    private static readonly PolicyEvaluator E = new();

    private static AccessDecision Eval(string action, string resource, PolicySet set, string principal = Role, RequestContext? ctx = null)
        => E.Evaluate(new AccessRequest { PrincipalArn = principal, Action = action, Resource = resource, Context = ctx ?? new RequestContext() }, set);

    private static readonly PolicyDocument S3Read = Doc("{'Version':'2012-10-17','Statement':[{'Sid':'Read','Effect':'Allow','Action':['s3:GetObject','s3:ListBucket'],'Resource':['arn:aws:s3:::data','arn:aws:s3:::data/*']}]}", name: "s3read");

    [Fact]
    public void NothingAllowsIsImplicitDeny()
    {
        var d = Eval("s3:GetObject", "arn:aws:s3:::data/a", new PolicySet());
        Assert.Equal(Decision.ImplicitDeny, d.Decision);
        Assert.Empty(d.DecidingStatements);
    }

    [Fact]
    public void IdentityAllowWithinAccountAllowsAndNamesTheStatement()
    {
        var d = Eval("s3:getobject", "arn:aws:s3:::data/x/y.txt", new PolicySet { IdentityPolicies = new[] { S3Read } });
        Assert.Equal(Decision.Allow, d.Decision);
        Assert.Equal("s3read#Read", Assert.Single(d.DecidingStatements).Ref);
        Assert.Equal(Decision.ImplicitDeny, Eval("s3:PutObject", "arn:aws:s3:::data/x", new PolicySet { IdentityPolicies = new[] { S3Read } }).Decision);
        // Resources match case-sensitively.
        Assert.Equal(Decision.ImplicitDeny, Eval("s3:GetObject", "arn:aws:s3:::DATA/x", new PolicySet { IdentityPolicies = new[] { S3Read } }).Decision);
    }

    [Fact]
    public void ExplicitDenyWinsOverEveryAllow()
    {
        var deny = Doc("{'Version':'2012-10-17','Statement':{'Sid':'NoSecrets','Effect':'Deny','Action':'s3:*','Resource':'arn:aws:s3:::data/secret/*'}}", name: "guard");
        var resource = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Principal':{'AWS':'" + Role + "'},'Action':'s3:GetObject','Resource':'arn:aws:s3:::data/*'}}", PolicyKind.Resource, "bucket");
        var d = Eval("s3:GetObject", "arn:aws:s3:::data/secret/k", new PolicySet { IdentityPolicies = new[] { S3Read, deny }, ResourcePolicy = resource });
        Assert.Equal(Decision.ExplicitDeny, d.Decision);
        Assert.Equal("guard#NoSecrets", Assert.Single(d.DecidingStatements).Ref);
        Assert.Equal(Decision.Allow, Eval("s3:GetObject", "arn:aws:s3:::data/public/k", new PolicySet { IdentityPolicies = new[] { S3Read, deny } }).Decision);
    }

    [Fact]
    public void PermissionsBoundaryIntersectsWithIdentityPolicy()
    {
        var admin = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Action':'*','Resource':'*'}}", PolicyKind.Managed, "AdministratorAccess");
        var boundary = Doc("{'Version':'2012-10-17','Statement':{'Sid':'OnlyS3','Effect':'Allow','Action':'s3:*','Resource':'*'}}", PolicyKind.PermissionsBoundary, "boundary");
        var set = new PolicySet { IdentityPolicies = new[] { admin }, PermissionsBoundary = boundary };
        var ok = Eval("s3:PutObject", "arn:aws:s3:::data/k", set);
        Assert.Equal(Decision.Allow, ok.Decision);
        Assert.Contains(ok.DecidingStatements, s => s.Ref == "boundary#OnlyS3");
        var no = Eval("iam:CreateUser", "arn:aws:iam::111122223333:user/x", set);
        Assert.Equal(Decision.ImplicitDeny, no.Decision);
        Assert.Contains("boundary", no.Reason);
        // The boundary alone grants nothing.
        Assert.Equal(Decision.ImplicitDeny, Eval("s3:PutObject", "arn:aws:s3:::data/k", new PolicySet { PermissionsBoundary = boundary }).Decision);
    }

    [Fact]
    public void NotActionWithAllowAllowsEverythingElse()
    {
        var p = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','NotAction':'iam:*','Resource':'*'}}");
        var set = new PolicySet { IdentityPolicies = new[] { p } };
        Assert.Equal(Decision.Allow, Eval("s3:GetObject", "arn:aws:s3:::b/k", set).Decision);
        Assert.Equal(Decision.ImplicitDeny, Eval("iam:CreateUser", "arn:aws:iam::111122223333:user/x", set).Decision);
    }

    [Fact]
    public void CrossAccountNeedsBothIdentityAndResourcePolicy()
    {
        var identity = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Action':'sqs:SendMessage','Resource':'arn:aws:sqs:us-east-1:111122223333:jobs'}}", name: "partner-send");
        var queue = Doc("{'Version':'2012-10-17','Statement':{'Sid':'Partner','Effect':'Allow','Principal':{'AWS':'arn:aws:iam::444455556666:root'},'Action':'sqs:SendMessage','Resource':'arn:aws:sqs:us-east-1:111122223333:jobs'}}", PolicyKind.Resource, "queue");
        const string q = "arn:aws:sqs:us-east-1:111122223333:jobs";
        var both = Eval("sqs:SendMessage", q, new PolicySet { IdentityPolicies = new[] { identity }, ResourcePolicy = queue }, OtherRole);
        Assert.Equal(Decision.Allow, both.Decision);
        Assert.True(both.IsCrossAccount);
        Assert.Contains(both.DecidingStatements, s => s.Ref == "queue#Partner");
        Assert.Equal(Decision.ImplicitDeny, Eval("sqs:SendMessage", q, new PolicySet { IdentityPolicies = new[] { identity } }, OtherRole).Decision);
        Assert.Equal(Decision.ImplicitDeny, Eval("sqs:SendMessage", q, new PolicySet { ResourcePolicy = queue }, OtherRole).Decision);
    }

    [Fact]
    public void SameAccountResourcePolicyNamingThePrincipalSufficesButAccountRootDoesNot()
    {
        var named = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Principal':{'AWS':'" + Role + "'},'Action':'lambda:InvokeFunction','Resource':'*'}}", PolicyKind.Resource, "fn");
        var root = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Principal':{'AWS':'111122223333'},'Action':'lambda:InvokeFunction','Resource':'*'}}", PolicyKind.Resource, "fn");
        const string fn = "arn:aws:lambda:us-east-1:111122223333:function:f";
        Assert.Equal(Decision.Allow, Eval("lambda:InvokeFunction", fn, new PolicySet { ResourcePolicy = named }).Decision);
        Assert.Equal(Decision.ImplicitDeny, Eval("lambda:InvokeFunction", fn, new PolicySet { ResourcePolicy = root }).Decision);
        // A role session matches a policy naming its role.
        Assert.Equal(Decision.Allow, Eval("lambda:InvokeFunction", fn, new PolicySet { ResourcePolicy = named }, "arn:aws:sts::111122223333:assumed-role/app/s1").Decision);
    }

    [Fact]
    public void ServiceControlPoliciesMustAllow()
    {
        var scp = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Action':['s3:*'],'Resource':'*'}}", PolicyKind.ServiceControl, "scp");
        var admin = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Action':'*','Resource':'*'}}");
        var set = new PolicySet { IdentityPolicies = new[] { admin }, ServiceControlPolicies = new[] { scp } };
        Assert.Equal(Decision.Allow, Eval("s3:GetObject", "arn:aws:s3:::b/k", set).Decision);
        Assert.Equal(Decision.ImplicitDeny, Eval("ec2:RunInstances", "*", set).Decision);
    }

    [Fact]
    public void ConditionsWithMissingKeysIfExistsAndSetOperators()
    {
        var p = Doc(@"{'Version':'2012-10-17','Statement':[
            {'Sid':'Ip','Effect':'Allow','Action':'s3:GetObject','Resource':'*','Condition':{'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}}},
            {'Sid':'TagsIfExists','Effect':'Allow','Action':'s3:PutObject','Resource':'*','Condition':{'StringEqualsIfExists':{'aws:RequestTag/team':'blue'}}},
            {'Sid':'AllTags','Effect':'Allow','Action':'s3:PutObjectTagging','Resource':'*','Condition':{'ForAllValues:StringEquals':{'aws:TagKeys':['team','env']}}},
            {'Sid':'AnyTag','Effect':'Allow','Action':'s3:DeleteObjectTagging','Resource':'*','Condition':{'ForAnyValue:StringEquals':{'aws:TagKeys':['team','env']}}}]}");
        var set = new PolicySet { IdentityPolicies = new[] { p } };
        // A condition on a key absent from the request is false.
        Assert.Equal(Decision.ImplicitDeny, Eval("s3:GetObject", "arn:aws:s3:::b/k", set).Decision);
        Assert.Equal(Decision.Allow, Eval("s3:GetObject", "arn:aws:s3:::b/k", set, ctx: new RequestContext().Set("aws:SourceIp", "203.0.113.9")).Decision);
        Assert.Equal(Decision.ImplicitDeny, Eval("s3:GetObject", "arn:aws:s3:::b/k", set, ctx: new RequestContext().Set("aws:SourceIp", "198.51.100.1")).Decision);
        // IfExists: absent key passes, present key must match.
        Assert.Equal(Decision.Allow, Eval("s3:PutObject", "arn:aws:s3:::b/k", set).Decision);
        Assert.Equal(Decision.ImplicitDeny, Eval("s3:PutObject", "arn:aws:s3:::b/k", set, ctx: new RequestContext().Set("aws:RequestTag/team", "red")).Decision);
        // ForAllValues: every value must be in the set; an absent key is true.
        Assert.Equal(Decision.Allow, Eval("s3:PutObjectTagging", "*", set, ctx: new RequestContext().Set("aws:TagKeys", "team", "env")).Decision);
        Assert.Equal(Decision.ImplicitDeny, Eval("s3:PutObjectTagging", "*", set, ctx: new RequestContext().Set("aws:TagKeys", "team", "owner")).Decision);
        Assert.Equal(Decision.Allow, Eval("s3:PutObjectTagging", "*", set).Decision);
        // ForAnyValue: one value suffices; an absent key is false.
        Assert.Equal(Decision.Allow, Eval("s3:DeleteObjectTagging", "*", set, ctx: new RequestContext().Set("aws:TagKeys", "owner", "env")).Decision);
        Assert.Equal(Decision.ImplicitDeny, Eval("s3:DeleteObjectTagging", "*", set).Decision);
    }

    [Fact]
    public void DenyWithNegatedConditionAppliesWhenKeyIsMissing()
    {
        var p = Doc(@"{'Version':'2012-10-17','Statement':[
            {'Effect':'Allow','Action':'s3:*','Resource':'*'},
            {'Sid':'OnlyFromVpce','Effect':'Deny','Action':'s3:*','Resource':'*','Condition':{'StringNotEquals':{'aws:SourceVpce':'vpce-1a2b'}}}]}");
        var set = new PolicySet { IdentityPolicies = new[] { p } };
        Assert.Equal(Decision.ExplicitDeny, Eval("s3:GetObject", "arn:aws:s3:::b/k", set).Decision);
        Assert.Equal(Decision.Allow, Eval("s3:GetObject", "arn:aws:s3:::b/k", set, ctx: new RequestContext().Set("aws:SourceVpce", "vpce-1a2b")).Decision);
    }

    [Fact]
    public void PolicyVariablesResolveFromTheRequest()
    {
        var p = Doc(@"{'Version':'2012-10-17','Statement':[
            {'Effect':'Allow','Action':'s3:GetObject','Resource':'arn:aws:s3:::home/${aws:username}/*'},
            {'Effect':'Allow','Action':'s3:PutObject','Resource':'arn:aws:s3:::teams/${aws:PrincipalTag/team}/*'},
            {'Effect':'Allow','Action':'s3:DeleteObject','Resource':'arn:aws:s3:::literal/${*}'}]}");
        var set = new PolicySet { IdentityPolicies = new[] { p } };
        const string user = "arn:aws:iam::111122223333:user/alice";
        Assert.Equal(Decision.Allow, Eval("s3:GetObject", "arn:aws:s3:::home/alice/notes", set, user).Decision);
        Assert.Equal(Decision.ImplicitDeny, Eval("s3:GetObject", "arn:aws:s3:::home/bob/notes", set, user).Decision);
        Assert.Equal(Decision.Allow, Eval("s3:PutObject", "arn:aws:s3:::teams/blue/x", set, ctx: new RequestContext().Set("aws:PrincipalTag/team", "blue")).Decision);
        Assert.Equal(Decision.ImplicitDeny, Eval("s3:PutObject", "arn:aws:s3:::teams/blue/x", set).Decision);
        // ${*} is a literal asterisk, not a wildcard.
        Assert.Equal(Decision.Allow, Eval("s3:DeleteObject", "arn:aws:s3:::literal/*", set).Decision);
        Assert.Equal(Decision.ImplicitDeny, Eval("s3:DeleteObject", "arn:aws:s3:::literal/abc", set).Decision);
        // Version 2008-10-17 does not substitute: the variable is literal text.
        var old = Doc("{'Version':'2008-10-17','Statement':{'Effect':'Allow','Action':'s3:GetObject','Resource':'arn:aws:s3:::home/${aws:username}/*'}}");
        Assert.Equal(Decision.ImplicitDeny, Eval("s3:GetObject", "arn:aws:s3:::home/alice/notes", new PolicySet { IdentityPolicies = new[] { old } }, user).Decision);
    }

    [Fact]
    public void UnresolvedPolicyMakesTheDecisionIncomplete()
    {
        var unresolved = new PolicyDocument { PolicyName = "Missing", PolicyArn = "arn:aws:iam::aws:policy/Missing", Kind = PolicyKind.Managed, IsUnresolved = true };
        var d = Eval("s3:GetObject", "arn:aws:s3:::data/k", new PolicySet { IdentityPolicies = new[] { S3Read, unresolved } });
        Assert.True(d.IsIncomplete);
        Assert.Equal("arn:aws:iam::aws:policy/Missing", Assert.Single(d.UnresolvedPolicies));
    }

    [Fact]
    public void AwsManagedPoliciesGivenByArnAreResolvedAndARoleIsSimulatedWithItsOwnPolicies()
    {
        var readOnly = new PolicyDocument { PolicyName = "ReadOnlyAccess", PolicyArn = "arn:aws:iam::aws:policy/ReadOnlyAccess", Kind = PolicyKind.Managed, IsUnresolved = true };
        var role = new ExecutionRole { RoleArn = Role, RoleName = "app", Policies = new[] { readOnly } };
        var d = AccessSimulator.Simulate(new AccessSimulation { Role = role, Action = "s3:GetObject", Resource = "arn:aws:s3:::data/k" }, LambdaIdentity.Core.EngineContext.None);
        Assert.Equal(Decision.Allow, d.Decision);
        Assert.False(d.IsIncomplete);
        Assert.Equal(Role, d.PrincipalArn);
        Assert.StartsWith("ReadOnlyAccess#", d.DecidingStatements[0].Ref);
        Assert.Equal(Decision.ImplicitDeny, AccessSimulator.Simulate(new AccessSimulation { Role = role, Action = "s3:PutObject", Resource = "arn:aws:s3:::data/k" }, LambdaIdentity.Core.EngineContext.None).Decision);
    }

    private static readonly PolicyDocument FullAccess = Doc("{'Version':'2012-10-17','Statement':{'Sid':'FullAWSAccess','Effect':'Allow','Action':'*','Resource':'*'}}", PolicyKind.ServiceControl, "FullAWSAccess");
    private static readonly PolicyDocument Admin = Doc("{'Version':'2012-10-17','Statement':{'Sid':'All','Effect':'Allow','Action':'*','Resource':'*'}}", PolicyKind.Managed, "AdministratorAccess");

    [Fact]
    public void EveryLevelOfServiceControlPoliciesMustAllow()
    {
        // Root and account keep FullAWSAccess; the OU in between allows only S3 and Lambda (an allow list).
        var ou = Doc("{'Version':'2012-10-17','Statement':{'Sid':'OnlyS3Lambda','Effect':'Allow','Action':['s3:*','lambda:*'],'Resource':'*'}}", PolicyKind.ServiceControl, "ou-workloads");
        var set = new PolicySet { IdentityPolicies = new[] { Admin }, ServiceControlPolicyLevels = new[] { new[] { FullAccess }, new[] { ou }, new[] { FullAccess } } };
        var ok = Eval("s3:GetObject", "arn:aws:s3:::data/k", set);
        Assert.Equal(Decision.Allow, ok.Decision);
        Assert.Contains(ok.DecidingStatements, d => d.Ref == "ou-workloads#OnlyS3Lambda");
        var no = Eval("ec2:RunInstances", "*", set);
        Assert.Equal(Decision.ImplicitDeny, no.Decision);
        Assert.Contains("level 2 of 3", no.Reason);
        // The flat list is one more level: FullAWSAccess at the account does not widen what the OU allows.
        var flat = new PolicySet { IdentityPolicies = new[] { Admin }, ServiceControlPolicyLevels = new[] { new[] { ou } }, ServiceControlPolicies = new[] { FullAccess } };
        Assert.Equal(Decision.ImplicitDeny, Eval("ec2:RunInstances", "*", flat).Decision);
        // Within one level, any SCP may allow.
        var oneLevel = new PolicySet { IdentityPolicies = new[] { Admin }, ServiceControlPolicies = new[] { ou, FullAccess } };
        Assert.Equal(Decision.Allow, Eval("ec2:RunInstances", "*", oneLevel).Decision);
    }

    [Fact]
    public void GuardrailsDoNotReachServiceLinkedRolesOrTheManagementAccount()
    {
        // An OU that denies EC2 (an explicit Deny, and no Allow for it): members' roles are stopped, not the ones AWS exempts.
        var denyEc2 = Doc("{'Version':'2012-10-17','Statement':[{'Sid':'All','Effect':'Allow','Action':'*','Resource':'*'},{'Sid':'NoEc2','Effect':'Deny','Action':'ec2:*','Resource':'*'}]}", PolicyKind.ServiceControl, "ou-deny-ec2");
        var set = new PolicySet { IdentityPolicies = new[] { Admin }, ServiceControlPolicyLevels = new[] { new[] { FullAccess }, new[] { denyEc2 } }, ManagementAccountId = "999999999999" };
        Assert.Equal(Decision.ExplicitDeny, Eval("ec2:RunInstances", "*", set).Decision);
        // SCPs do not affect service-linked roles (path /aws-service-role/), nor their sessions.
        const string Slr = "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
        var slr = Eval("ec2:RunInstances", "*", set, Slr);
        Assert.Equal(Decision.Allow, slr.Decision);
        Assert.Contains("service control policies do not apply: the principal is a service-linked role", slr.Reason);
        Assert.Equal(Decision.Allow, Eval("ec2:RunInstances", "*", set, "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling").Decision);
        // A role merely named like one, outside the service-role path, is limited.
        Assert.Equal(Decision.ExplicitDeny, Eval("ec2:RunInstances", "*", set, "arn:aws:iam::111122223333:role/AWSServiceRoleForAutoScaling").Decision);
        // Nor the management account's users and roles.
        var mgmt = Eval("ec2:RunInstances", "*", set, "arn:aws:iam::999999999999:role/admin");
        Assert.Equal(Decision.Allow, mgmt.Decision);
        Assert.Contains("the principal is in the management account", mgmt.Reason);
        // RCPs do not affect the management account's resources; a member's resources stay limited.
        var rcpDeny = Doc("{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':'*','Action':'*','Resource':'*'},{'Sid':'NoDelete','Effect':'Deny','Principal':'*','Action':'s3:DeleteObject','Resource':'*'}]}", PolicyKind.ResourceControl, "rcp");
        var rcps = new PolicySet { IdentityPolicies = new[] { Admin }, ResourceControlPolicyLevels = new[] { new[] { rcpDeny } }, ManagementAccountId = "999999999999" };
        Assert.Equal(Decision.ExplicitDeny, E.Evaluate(new AccessRequest { PrincipalArn = Role, Action = "s3:DeleteObject", Resource = "arn:aws:s3:::data/k", ResourceAccount = "111122223333" }, rcps).Decision);
        var own = E.Evaluate(new AccessRequest { PrincipalArn = "arn:aws:iam::999999999999:role/admin", Action = "s3:DeleteObject", Resource = "arn:aws:s3:::mgmt/k", ResourceAccount = "999999999999" }, rcps);
        Assert.Equal(Decision.Allow, own.Decision);
        Assert.Contains("resource control policies do not apply: the resource is in the management account", own.Reason);
    }

    [Fact]
    public void ResourceControlPoliciesLimitWhoMayUseTheAccountsResources()
    {
        // AWS's data-perimeter RCP: deny S3 to principals outside the organization; RCPFullAWSAccess allows the rest.
        var rcpFull = Doc("{'Version':'2012-10-17','Statement':{'Sid':'RCPFullAWSAccess','Effect':'Allow','Principal':'*','Action':'*','Resource':'*'}}", PolicyKind.ResourceControl, "RCPFullAWSAccess");
        var perimeter = Doc("{'Version':'2012-10-17','Statement':{'Sid':'EnforceOrgIdentities','Effect':'Deny','Principal':'*','Action':'s3:*','Resource':'*','Condition':{'StringNotEqualsIfExists':{'aws:PrincipalOrgID':'o-abc123'},'BoolIfExists':{'aws:PrincipalIsAWSService':'false'}}}}", PolicyKind.ResourceControl, "perimeter");
        var bucket = Doc("{'Version':'2012-10-17','Statement':{'Sid':'Partner','Effect':'Allow','Principal':{'AWS':'" + OtherRole + "'},'Action':'s3:GetObject','Resource':'arn:aws:s3:::data/*'}}", PolicyKind.Resource, "bucket");
        var partnerRead = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Action':'s3:GetObject','Resource':'*'}}", name: "partner-read");
        var set = new PolicySet { IdentityPolicies = new[] { partnerRead }, ResourcePolicy = bucket, ResourceControlPolicyLevels = new[] { new[] { rcpFull, perimeter } } };
        var request = new AccessRequest { PrincipalArn = OtherRole, Action = "s3:GetObject", Resource = "arn:aws:s3:::data/k", ResourceAccount = "111122223333", Context = new RequestContext().Set("aws:PrincipalOrgID", "o-other") };
        var outside = E.Evaluate(request, set);
        Assert.Equal(Decision.ExplicitDeny, outside.Decision);
        Assert.Equal("perimeter#EnforceOrgIdentities", Assert.Single(outside.DecidingStatements).Ref);
        var inside = E.Evaluate(new AccessRequest { PrincipalArn = OtherRole, Action = "s3:GetObject", Resource = "arn:aws:s3:::data/k", ResourceAccount = "111122223333", Context = new RequestContext().Set("aws:PrincipalOrgID", "o-abc123") }, set);
        Assert.Equal(Decision.Allow, inside.Decision);
        // An RCP level that allows nothing for the action denies implicitly, whatever the bucket policy says.
        var onlySqs = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Principal':'*','Action':'sqs:*','Resource':'*'}}", PolicyKind.ResourceControl, "only-sqs");
        var narrow = new PolicySet { IdentityPolicies = new[] { S3Read }, ResourceControlPolicyLevels = new[] { new[] { rcpFull }, new[] { onlySqs } } };
        var d = Eval("s3:GetObject", "arn:aws:s3:::data/k", narrow);
        Assert.Equal(Decision.ImplicitDeny, d.Decision);
        Assert.Contains("resource control policy at level 2 of 2", d.Reason);
    }

    [Fact]
    public void SessionPoliciesIntersectUnlessTheResourcePolicyNamesTheSession()
    {
        const string Session = "arn:aws:sts::111122223333:assumed-role/app/deploy-42";
        var session = Doc("{'Version':'2012-10-17','Statement':{'Sid':'ReadOnly','Effect':'Allow','Action':'s3:GetObject','Resource':'*'}}", PolicyKind.Session, "session");
        var set = new PolicySet { IdentityPolicies = new[] { Admin }, SessionPolicies = new[] { session } };
        var read = Eval("s3:GetObject", "arn:aws:s3:::data/k", set, Session);
        Assert.Equal(Decision.Allow, read.Decision);
        Assert.Contains("session policy", read.Reason);
        var write = Eval("s3:PutObject", "arn:aws:s3:::data/k", set, Session);
        Assert.Equal(Decision.ImplicitDeny, write.Decision);
        Assert.Contains("no session policy does", write.Reason);
        // A bucket policy naming the session ARN grants past the session policy; naming the role ARN does not.
        var toSession = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Principal':{'AWS':'" + Session + "'},'Action':'s3:PutObject','Resource':'arn:aws:s3:::data/*'}}", PolicyKind.Resource, "bucket");
        var toRole = Doc("{'Version':'2012-10-17','Statement':{'Effect':'Allow','Principal':{'AWS':'" + Role + "'},'Action':'s3:PutObject','Resource':'arn:aws:s3:::data/*'}}", PolicyKind.Resource, "bucket");
        Assert.Equal(Decision.Allow, Eval("s3:PutObject", "arn:aws:s3:::data/k", new PolicySet { SessionPolicies = new[] { session }, ResourcePolicy = toSession }, Session).Decision);
        Assert.Equal(Decision.ImplicitDeny, Eval("s3:PutObject", "arn:aws:s3:::data/k", new PolicySet { SessionPolicies = new[] { session }, ResourcePolicy = toRole }, Session).Decision);
        // A Deny in a session policy wins like any other.
        var denyDelete = Doc("{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Action':'*','Resource':'*'},{'Sid':'NoDelete','Effect':'Deny','Action':'s3:DeleteObject','Resource':'*'}]}", PolicyKind.Session, "guard");
        Assert.Equal(Decision.ExplicitDeny, Eval("s3:DeleteObject", "arn:aws:s3:::data/k", new PolicySet { IdentityPolicies = new[] { Admin }, SessionPolicies = new[] { denyDelete } }, Session).Decision);
    }

    [Fact]
    public void AVpcEndpointPolicyMustAllowTheRequestToo()
    {
        var endpoint = Doc("{'Version':'2012-10-17','Statement':[{'Sid':'OnlyDataReads','Effect':'Allow','Principal':'*','Action':'s3:GetObject','Resource':'arn:aws:s3:::data/*'},{'Sid':'NoSecrets','Effect':'Deny','Principal':'*','Action':'s3:*','Resource':'arn:aws:s3:::data/secret/*'}]}", PolicyKind.VpcEndpoint, "vpce");
        var set = new PolicySet { IdentityPolicies = new[] { Admin }, VpcEndpointPolicy = endpoint };
        var read = Eval("s3:GetObject", "arn:aws:s3:::data/k", set);
        Assert.Equal(Decision.Allow, read.Decision);
        Assert.Contains(read.DecidingStatements, d => d.Ref == "vpce#OnlyDataReads");
        var write = Eval("s3:PutObject", "arn:aws:s3:::data/k", set);
        Assert.Equal(Decision.ImplicitDeny, write.Decision);
        Assert.Contains("VPC endpoint policy", write.Reason);
        Assert.Equal(Decision.ExplicitDeny, Eval("s3:GetObject", "arn:aws:s3:::data/secret/k", set).Decision);
        Assert.Equal(Decision.Allow, Eval("s3:PutObject", "arn:aws:s3:::data/k", new PolicySet { IdentityPolicies = new[] { Admin } }).Decision);
        // A guardrail statement written without Principal still applies to everyone: its Deny never lapses.
        var noPrincipal = Doc("{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Action':'*','Resource':'*'},{'Sid':'NoDeletes','Effect':'Deny','Action':'s3:DeleteObject','Resource':'*'}]}", PolicyKind.VpcEndpoint, "vpce-loose");
        Assert.Equal(Decision.ExplicitDeny, Eval("s3:DeleteObject", "arn:aws:s3:::data/k", new PolicySet { IdentityPolicies = new[] { Admin }, VpcEndpointPolicy = noPrincipal }).Decision);
        Assert.Equal(Decision.ExplicitDeny, Eval("s3:DeleteObject", "arn:aws:s3:::data/k", new PolicySet { IdentityPolicies = new[] { Admin }, ResourceControlPolicyLevels = new[] { new[] { noPrincipal } } }).Decision);
    }
}

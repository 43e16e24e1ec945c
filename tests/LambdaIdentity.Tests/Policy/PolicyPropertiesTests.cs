using FsCheck;
using FsCheck.Fluent;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Policy;

/// <summary>FsCheck properties of the policy engine over generated policy sets and patterns.</summary>
public sealed class PolicyPropertiesTests
{
    private const string Principal = "arn:aws:iam::111122223333:role/app";
    private static readonly string[] Actions = { "s3:GetObject", "s3:PutObject", "s3:ListBucket", "sqs:SendMessage", "dynamodb:GetItem", "dynamodb:PutItem" };
    private static readonly string[] ActionPatterns = Actions.Concat(new[] { "s3:*", "s3:Get*", "*", "dynamodb:*Item", "sqs:*", "S3:getobject" }).ToArray();
    private static readonly string[] Resources = { "arn:aws:s3:::data/a", "arn:aws:s3:::data/b/c", "arn:aws:sqs:us-east-1:111122223333:q", "arn:aws:dynamodb:us-east-1:111122223333:table/t" };
    private static readonly string[] ResourcePatterns = Resources.Concat(new[] { "*", "arn:aws:s3:::data/*", "arn:aws:s3:::data/?", "arn:aws:sqs:*:111122223333:*", "arn:aws:dynamodb:*:*:table/t" }).ToArray();
    private static readonly PolicyEvaluator Evaluator = new();

    private static Gen<PolicyStatement> Statement(string effect, bool withPrincipal) =>
        from actions in Gen.NonEmptyListOf(Gen.Elements(ActionPatterns))
        from notAction in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        from resources in Gen.NonEmptyListOf(Gen.Elements(ResourcePatterns))
        from conditioned in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new PolicyStatement
        {
            Effect = effect,
            Action = notAction ? Array.Empty<string>() : actions.Take(3).ToArray(),
            NotAction = notAction ? actions.Take(2).ToArray() : Array.Empty<string>(),
            Resource = resources.Take(3).ToArray(),
            Principal = withPrincipal ? new PolicyPrincipal { Aws = new[] { Principal } } : null,
            Condition = conditioned ? new[] { new PolicyCondition { Operator = "StringEquals", Key = "aws:RequestTag/team", Values = new[] { "blue" } } } : Array.Empty<PolicyCondition>(),
        };

    private static Gen<PolicyDocument> Document(PolicyKind kind, string name) =>
        from statements in Gen.NonEmptyListOf(Gen.Frequency((3, Statement("Allow", NamesPrincipals(kind))), (1, Statement("Deny", NamesPrincipals(kind)))))
        select new PolicyDocument { PolicyName = name, Kind = kind, Version = "2012-10-17", Statement = statements.Take(4).ToArray() };

    private static bool NamesPrincipals(PolicyKind kind) => kind is PolicyKind.Resource or PolicyKind.VpcEndpoint or PolicyKind.ResourceControl;

    private sealed record Case(PolicySet Set, AccessRequest Request);

    private static readonly Gen<Case> Cases =
        from identity in Gen.ListOf(Document(PolicyKind.Inline, "id"))
        from hasBoundary in Gen.Elements(true, false)
        from boundary in Document(PolicyKind.PermissionsBoundary, "boundary")
        from hasScp in Gen.Elements(true, false)
        from scp in Document(PolicyKind.ServiceControl, "scp")
        from hasResource in Gen.Elements(true, false)
        from resourcePolicy in Document(PolicyKind.Resource, "resource")
        from hasSession in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from session in Document(PolicyKind.Session, "session")
        from hasEndpoint in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from endpoint in Document(PolicyKind.VpcEndpoint, "vpce")
        from hasRcp in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from rcp in Document(PolicyKind.ResourceControl, "rcp")
        from action in Gen.Elements(Actions)
        from resource in Gen.Elements(Resources)
        from tagged in Gen.Elements(true, false)
        select new Case(
            new PolicySet
            {
                IdentityPolicies = identity.Take(3).ToArray(),
                PermissionsBoundary = hasBoundary ? boundary : null,
                ServiceControlPolicies = hasScp ? new[] { scp } : Array.Empty<PolicyDocument>(),
                ResourcePolicy = hasResource ? resourcePolicy : null,
                SessionPolicies = hasSession ? new[] { session } : Array.Empty<PolicyDocument>(),
                VpcEndpointPolicy = hasEndpoint ? endpoint : null,
                ResourceControlPolicyLevels = hasRcp ? new[] { new[] { rcp } } : Array.Empty<IReadOnlyList<PolicyDocument>>(),
            },
            new AccessRequest { PrincipalArn = Principal, Action = action, Resource = resource, Context = tagged ? new RequestContext().Set("aws:RequestTag/team", "blue") : new RequestContext() });

    private static Config Config => Config.QuickThrowOnFailure.WithMaxTest(500);

    private static PolicySet With(PolicySet s, int target, PolicyStatement extra)
    {
        PolicyDocument Add(PolicyDocument d) => new() { PolicyName = d.PolicyName, Kind = d.Kind, Version = d.Version, Statement = d.Statement.Concat(new[] { extra }).ToArray() };
        return new PolicySet
        {
            IdentityPolicies = target != 0 ? s.IdentityPolicies
                : s.IdentityPolicies.Count == 0 ? new[] { new PolicyDocument { PolicyName = "added", Version = "2012-10-17", Statement = new[] { extra } } }
                : new[] { Add(s.IdentityPolicies[0]) }.Concat(s.IdentityPolicies.Skip(1)).ToArray(),
            PermissionsBoundary = target == 1 && s.PermissionsBoundary is not null ? Add(s.PermissionsBoundary) : s.PermissionsBoundary,
            ServiceControlPolicies = target == 2 && s.ServiceControlPolicies.Count > 0 ? new[] { Add(s.ServiceControlPolicies[0]) } : s.ServiceControlPolicies,
            ResourcePolicy = target == 3 && s.ResourcePolicy is not null ? Add(s.ResourcePolicy) : s.ResourcePolicy,
            SessionPolicies = target == 4 && s.SessionPolicies.Count > 0 ? new[] { Add(s.SessionPolicies[0]) } : s.SessionPolicies,
            VpcEndpointPolicy = target == 5 && s.VpcEndpointPolicy is not null ? Add(s.VpcEndpointPolicy) : s.VpcEndpointPolicy,
            ResourceControlPolicyLevels = target == 6 && s.ResourceControlPolicyLevels.Count > 0 ? new[] { new[] { Add(s.ResourceControlPolicyLevels[0][0]) } } : s.ResourceControlPolicyLevels,
        };
    }

    // Whether With put the statement into a policy the set has.
    private static bool Applied(PolicySet set, int target) => target switch
    {
        0 => true,
        1 => set.PermissionsBoundary is not null,
        2 => set.ServiceControlPolicies.Count > 0,
        3 => set.ResourcePolicy is not null,
        4 => set.SessionPolicies.Count > 0,
        5 => set.VpcEndpointPolicy is not null,
        _ => set.ResourceControlPolicyLevels.Count > 0,
    };

    [Fact]
    public void AnApplicableDenyInAnyPolicyAlwaysWins()
    {
        var gen = from c in Cases from target in Gen.Choose(0, 6) from wildcard in Gen.Elements(true, false) select (c, target, wildcard);
        Check.One(Config, Prop.ForAll(gen.ToArbitrary(), x =>
        {
            var (c, target, wildcard) = x;
            var deny = new PolicyStatement
            {
                Effect = "Deny", Action = new[] { wildcard ? c.Request.Action.Split(':')[0] + ":*" : c.Request.Action.ToUpperInvariant() },
                Resource = new[] { wildcard ? "*" : c.Request.Resource }, Principal = target is 3 or 5 or 6 ? new PolicyPrincipal { IsWildcard = true } : null,
            };
            var set = With(c.Set, target, deny);
            return !Applied(set, target) || Evaluator.Evaluate(c.Request, set).Decision == Decision.ExplicitDeny;
        }));
    }

    [Fact]
    public void AddingAnAllowNeverTurnsAllowIntoDeny()
    {
        var gen = from c in Cases from target in Gen.Choose(0, 6) from extra in Statement("Allow", true) select (c, target, extra);
        Check.One(Config, Prop.ForAll(gen.ToArbitrary(), x =>
        {
            var (c, target, extra) = x;
            if (Evaluator.Evaluate(c.Request, c.Set).Decision != Decision.Allow) return true;
            var s = target is 3 or 5 or 6 ? extra : new PolicyStatement { Effect = "Allow", Action = extra.Action, NotAction = extra.NotAction, Resource = extra.Resource, Condition = extra.Condition };
            return Evaluator.Evaluate(c.Request, With(c.Set, target, s)).Decision == Decision.Allow;
        }));
    }

    [Trait("Category", "Slow")] // tens of seconds: skipped by the everyday run (--filter "Category!=Slow"), run by CI
    [Fact]
    public void TheGrantDeriverDropsEveryActionAnUnconditionalDenyCovers()
    {
        var gen = from d in Document(PolicyKind.Inline, "p") from pattern in Gen.Elements(ActionPatterns) select (d, pattern);
        Check.One(Config.WithMaxTest(200), Prop.ForAll(gen.ToArbitrary(), x =>
        {
            var (d, pattern) = x;
            var deny = new PolicyDocument { PolicyName = "deny", Version = "2012-10-17", Statement = new[] { new PolicyStatement { Effect = "Deny", Action = new[] { pattern }, Resource = new[] { "*" } } } };
            var grants = GrantDeriver.Default.Derive(new ExecutionRole { RoleArn = Principal, Policies = new[] { d, deny } }, EngineContext.None);
            return grants.All(g => !ActionCatalog.ActionMatches(pattern, g.Action));
        }));
    }

    [Fact]
    public void ParseWriteParseGivesTheSameDocument()
    {
        var gen = from kind in Gen.Elements(PolicyKind.Inline, PolicyKind.Resource) from d in Document(kind, "gen") from sid in Gen.Elements(null, "S1", "with space") select (d, sid);
        Check.One(Config, Prop.ForAll(gen.ToArbitrary(), x =>
        {
            var (d, sid) = x;
            var withSid = new PolicyDocument { PolicyName = d.PolicyName, Kind = d.Kind, Version = d.Version, Statement = d.Statement.Select(s => new PolicyStatement { Sid = sid, Effect = s.Effect, Action = s.Action, NotAction = s.NotAction, Resource = s.Resource, Principal = s.Principal, Condition = s.Condition }).ToArray() };
            var text = PolicyWriter.Write(withSid);
            var errors = new ErrorCollector();
            var again = PolicyParser.ParseText(text, d.Kind, d.PolicyName, null, errors);
            return again is not null && errors.Errors.Count == 0 && PolicyWriter.Write(again) == text
                && LambdaIdentity.Core.Serialization.ModelJson.Serialize(again.Statement) == LambdaIdentity.Core.Serialization.ModelJson.Serialize(withSid.Statement);
        }));
    }

    private static readonly CatalogAction[] All = ActionCatalog.Default.Actions.ToArray();

    // A pattern made from a real action: a prefix with *, a ? in place of a letter, a * in the middle, or the service wildcard.
    private static readonly Gen<string> Patterns =
        from a in Gen.Elements(All)
        from kind in Gen.Choose(0, 4)
        from cut in Gen.Choose(0, Math.Max(0, a.Name.Length - 1))
        select kind switch
        {
            0 => a.Service + ":" + a.Name.Substring(0, cut) + "*",
            1 => a.Service + ":" + a.Name.Substring(0, cut) + "?" + a.Name.Substring(cut + 1),
            2 => a.Service + ":*" + a.Name.Substring(cut),
            3 => a.Service + ":*",
            _ => a.Service.Substring(0, Math.Min(2, a.Service.Length)) + "*:" + a.Name.ToLowerInvariant(),
        };

    [Fact]
    public void ExpansionOfAWildcardIsASupersetOfEveryConcreteActionItMatches()
    {
        Check.One(Config.WithMaxTest(300), Prop.ForAll(Patterns.ToArbitrary(), pattern =>
        {
            var expanded = ActionCatalog.Default.Expand(pattern).ToHashSet();
            var matched = All.Where(a => ActionCatalog.ActionMatches(pattern, a.FullName)).ToList();
            return matched.Count > 0 && matched.All(expanded.Contains) && expanded.All(a => ActionCatalog.ActionMatches(pattern, a.FullName));
        }));
    }
}

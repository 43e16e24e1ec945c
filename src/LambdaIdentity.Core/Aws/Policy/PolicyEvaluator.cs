using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Policy;

/// <summary>One request to decide: who, what action, on which resource, with which context keys.</summary>
public sealed class AccessRequest
{
    /// <summary>The calling principal: a role, user, assumed-role session or root ARN, or a service principal (s3.amazonaws.com).</summary>
    public string? PrincipalArn { get; init; }
    /// <summary>The action, e.g. s3:GetObject.</summary>
    public string Action { get; init; } = "";
    /// <summary>The resource ARN (or "*").</summary>
    public string Resource { get; init; } = "*";
    /// <summary>Condition keys of the request. aws:PrincipalArn, aws:PrincipalAccount, aws:username and aws:ResourceAccount are filled from the ARNs when absent.</summary>
    public RequestContext Context { get; init; } = new();
    /// <summary>The resource's account when its ARN holds none (S3 buckets); defaults to the principal's account.</summary>
    public string? ResourceAccount { get; init; }
}

/// <summary>The policies that apply to one request.</summary>
public sealed class PolicySet
{
    /// <summary>Identity-based policies of the principal: managed, inline and those of its groups.</summary>
    public IReadOnlyList<PolicyDocument> IdentityPolicies { get; init; } = Array.Empty<PolicyDocument>();
    /// <summary>The principal's permissions boundary, when it has one.</summary>
    public PolicyDocument? PermissionsBoundary { get; init; }
    /// <summary>Service control policies of the principal's account (one level: at least one must allow). Empty: no SCPs apply.</summary>
    public IReadOnlyList<PolicyDocument> ServiceControlPolicies { get; init; } = Array.Empty<PolicyDocument>();
    /// <summary>
    /// SCPs by level of the organization (root, each OU down to the account): at every level at least one SCP must allow.
    /// <see cref="ServiceControlPolicies"/>, when given, is one more level.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<PolicyDocument>> ServiceControlPolicyLevels { get; init; } = Array.Empty<IReadOnlyList<PolicyDocument>>();
    /// <summary>Resource control policies of the resource's account, by level like SCPs: at every level at least one must allow. Empty: none apply.</summary>
    public IReadOnlyList<IReadOnlyList<PolicyDocument>> ResourceControlPolicyLevels { get; init; } = Array.Empty<IReadOnlyList<PolicyDocument>>();
    /// <summary>Session policies of an assumed-role session (inline and managed): when given, one must allow too. Empty: no session policy.</summary>
    public IReadOnlyList<PolicyDocument> SessionPolicies { get; init; } = Array.Empty<PolicyDocument>();
    /// <summary>The policy of the VPC endpoint the request goes through, when it does: it must allow too.</summary>
    public PolicyDocument? VpcEndpointPolicy { get; init; }
    /// <summary>The resource-based policy of the resource, when it has one.</summary>
    public PolicyDocument? ResourcePolicy { get; init; }
    /// <summary>
    /// The organization's management account, when known: SCPs do not apply to its users and roles, nor RCPs to its
    /// resources (AWS Organizations). Null: the accounts given are taken to be member accounts.
    /// </summary>
    public string? ManagementAccountId { get; init; }
}

/// <summary>
/// Decides a request as AWS's documented policy evaluation logic does: an explicit Deny in any policy wins; SCPs and a
/// permissions boundary must allow; within one account an identity or resource policy Allow suffices; across accounts
/// both the principal's identity policies and the resource policy must allow.
/// </summary>
public sealed class PolicyEvaluator
{
    private readonly Catalogs.AwsManagedPolicyCatalog? _managed;

    /// <summary>Creates an evaluator that resolves AWS managed policies given only by ARN from the embedded catalog.</summary>
    public PolicyEvaluator() : this(Catalogs.AwsManagedPolicyCatalog.Default) { }

    /// <summary>Creates an evaluator resolving AWS managed policies from the given catalog (null: none resolve).</summary>
    public PolicyEvaluator(Catalogs.AwsManagedPolicyCatalog? managed) { _managed = managed; }

    private PolicyDocument? Resolve(PolicyDocument? d)
    {
        if (d is null || !d.IsUnresolved || _managed is null || !Catalogs.AwsManagedPolicyCatalog.IsAwsManaged(d.PolicyArn) || _managed.Resolve(d.PolicyArn!) is not { } r) return d;
        return new PolicyDocument { PolicyName = d.PolicyName.Length > 0 ? d.PolicyName : r.PolicyName, PolicyArn = d.PolicyArn, Kind = d.Kind, Version = r.Version, Id = r.Id, Statement = r.Statement, Source = r.Source };
    }

    /// <summary>Decides one request. AWS managed policies given only by ARN (IsUnresolved) are resolved from the catalog first.</summary>
    public AccessDecision Evaluate(AccessRequest request, PolicySet policies)
    {
        policies = new PolicySet
        {
            IdentityPolicies = policies.IdentityPolicies.Select(d => Resolve(d)!).ToList(),
            PermissionsBoundary = Resolve(policies.PermissionsBoundary),
            ServiceControlPolicies = policies.ServiceControlPolicies,
            ServiceControlPolicyLevels = policies.ServiceControlPolicyLevels,
            ResourceControlPolicyLevels = policies.ResourceControlPolicyLevels,
            SessionPolicies = policies.SessionPolicies.Select(d => Resolve(d)!).ToList(),
            VpcEndpointPolicy = policies.VpcEndpointPolicy,
            ResourcePolicy = policies.ResourcePolicy,
            ManagementAccountId = policies.ManagementAccountId,
        };
        // One SCP level per list given; an empty level would deny everything, so it is not a level.
        var scpLevels = policies.ServiceControlPolicyLevels.Where(l => l.Count > 0).ToList();
        if (policies.ServiceControlPolicies.Count > 0) scpLevels.Add(policies.ServiceControlPolicies);
        var rcpLevels = policies.ResourceControlPolicyLevels.Where(l => l.Count > 0).ToList();
        var ctx = Prepare(request, out var principalAccount, out var resourceAccount);
        // Who the organization's guardrails do not reach (AWS Organizations): SCPs never limit service-linked roles nor the
        // management account's users and roles; RCPs never limit the management account's resources. Said in the reason.
        var exempt = new List<string>();
        if (scpLevels.Count > 0)
        {
            var principalArn = request.PrincipalArn ?? (ctx.TryGet("aws:PrincipalArn", out var pa) && pa.Count > 0 ? pa[0] : null);
            var why = IsServiceLinkedRole(principalArn) ? "the principal is a service-linked role"
                : principalAccount is not null && principalAccount == policies.ManagementAccountId ? "the principal is in the management account" : null;
            if (why is not null) { scpLevels.Clear(); exempt.Add("service control policies do not apply: " + why); }
        }
        if (rcpLevels.Count > 0 && resourceAccount is not null && resourceAccount == policies.ManagementAccountId)
        {
            rcpLevels.Clear();
            exempt.Add("resource control policies do not apply: the resource is in the management account");
        }
        // Resources AWS owns (arn:aws:iam::aws:policy/...) carry no resource policy: identity policies decide, as within an account.
        var crossAccount = principalAccount is not null && resourceAccount is not null && principalAccount != resourceAccount && resourceAccount != "aws";
        var unresolved = new List<string>();
        void NoteUnresolved(PolicyDocument? d) { if (d is { IsUnresolved: true }) unresolved.Add(d.PolicyArn ?? d.PolicyName); }
        foreach (var d in policies.IdentityPolicies) NoteUnresolved(d);
        NoteUnresolved(policies.PermissionsBoundary); NoteUnresolved(policies.ResourcePolicy);
        foreach (var d in scpLevels.SelectMany(l => l).Concat(rcpLevels.SelectMany(l => l)).Concat(policies.SessionPolicies)) NoteUnresolved(d);
        NoteUnresolved(policies.VpcEndpointPolicy);

        var identity = Matching(policies.IdentityPolicies, request, ctx, false);
        var boundary = policies.PermissionsBoundary is null ? null : Matching(new[] { policies.PermissionsBoundary }, request, ctx, false);
        var scps = scpLevels.Select(l => Matching(l, request, ctx, false)).ToList();
        // RCPs and endpoint policies name principals like resource policies do (usually "*").
        // (a statement there without Principal applies to every principal: never let a malformed guardrail's Deny lapse)
        var rcps = rcpLevels.Select(l => Matching(l, request, ctx, true, missingPrincipalIsEveryone: true)).ToList();
        var sessionHits = policies.SessionPolicies.Count == 0 ? null : Matching(policies.SessionPolicies, request, ctx, false);
        var endpoint = policies.VpcEndpointPolicy is null ? null : Matching(new[] { policies.VpcEndpointPolicy }, request, ctx, true, missingPrincipalIsEveryone: true);
        var resource = policies.ResourcePolicy is null ? new List<Hit>() : Matching(new[] { policies.ResourcePolicy }, request, ctx, true);

        AccessDecision Result(Decision d, IEnumerable<Hit> hits, string reason) => new()
        {
            Decision = d, Action = request.Action, Resource = request.Resource, PrincipalArn = request.PrincipalArn,
            IsCrossAccount = crossAccount, DecidingStatements = hits.Select(h => h.Statement).ToList(),
            Reason = exempt.Count == 0 ? reason : reason + " (" + string.Join("; ", exempt) + ")",
            IsIncomplete = unresolved.Count > 0, UnresolvedPolicies = unresolved,
        };

        var denies = identity.Concat(boundary ?? new List<Hit>()).Concat(scps.SelectMany(l => l)).Concat(rcps.SelectMany(l => l))
            .Concat(sessionHits ?? new List<Hit>()).Concat(endpoint ?? new List<Hit>()).Concat(resource).Where(h => h.IsDeny).ToList();
        if (denies.Count > 0) return Result(Decision.ExplicitDeny, denies, "an explicit Deny applies: " + string.Join(", ", denies.Select(h => h.Statement.Kind + " " + h.Statement.Ref)));

        // Organization guardrails: at every level some SCP (for the principal) and some RCP (for the resource) must allow.
        var scpAllows = new List<Hit>();
        // The first level with no Allow, as a reason; null when every level allows (their Allows collected).
        string? LevelWithoutAllow(List<List<Hit>> levels, string kind)
        {
            for (var level = 0; level < levels.Count; level++)
            {
                var allows = levels[level].Where(h => !h.IsDeny).ToList();
                if (allows.Count == 0) return levels.Count == 1 ? $"no {kind} allows the action" : $"no {kind} at level {level + 1} of {levels.Count} allows the action";
                scpAllows.AddRange(allows);
            }
            return null;
        }
        if ((LevelWithoutAllow(scps, "service control policy") ?? LevelWithoutAllow(rcps, "resource control policy")) is { } guardrail)
            return Result(Decision.ImplicitDeny, Array.Empty<Hit>(), guardrail);
        // A request through a VPC endpoint must also be allowed by the endpoint's policy.
        if (endpoint is not null)
        {
            var allows = endpoint.Where(h => !h.IsDeny).ToList();
            if (allows.Count == 0) return Result(Decision.ImplicitDeny, Array.Empty<Hit>(), "the VPC endpoint policy does not allow the request");
            scpAllows.AddRange(allows);
        }

        var identityAllows = identity.Where(h => !h.IsDeny).ToList();
        var boundaryAllows = boundary?.Where(h => !h.IsDeny).ToList();
        var sessionAllows = sessionHits?.Where(h => !h.IsDeny).ToList();
        var boundaryOk = boundaryAllows is null || boundaryAllows.Count > 0;
        // Session policies limit like a boundary: the session's permissions are the intersection.
        var sessionOk = sessionAllows is null || sessionAllows.Count > 0;
        var limits = (boundaryAllows ?? new List<Hit>()).Concat(sessionAllows ?? new List<Hit>()).ToList();
        var limitNames = (boundaryAllows is null ? "" : " and the permissions boundary") + (sessionAllows is null ? "" : " and a session policy");
        var limitFails = !boundaryOk ? "the permissions boundary does not" : "no session policy does";
        var resourceAllows = resource.Where(h => !h.IsDeny).ToList();

        if (!crossAccount)
        {
            // A resource policy that names the session itself grants within the account, whatever the boundary and the
            // session policies say; one that names the role ARN is limited by both (a boundary does not limit a user).
            var direct = resourceAllows.Where(h => h.Principal == PrincipalMatch.Direct).ToList();
            var session = resourceAllows.Where(h => h.Principal == PrincipalMatch.Session).ToList();
            if (session.Count > 0 || (direct.Count > 0 && (boundaryOk || IsUser(request.PrincipalArn)) && sessionOk))
                return Result(Decision.Allow, session.Concat(direct).Concat(scpAllows), "the resource-based policy allows the principal");
            if (identityAllows.Count > 0 && boundaryOk && sessionOk)
                return Result(Decision.Allow, identityAllows.Concat(limits).Concat(scpAllows), limitNames.Length == 0 ? "an identity-based policy allows" : "an identity-based policy" + limitNames + " allow");
            if (identityAllows.Count > 0)
                return Result(Decision.ImplicitDeny, Array.Empty<Hit>(), "an identity-based policy allows, but " + limitFails);
            if (direct.Count > 0)
                return Result(Decision.ImplicitDeny, Array.Empty<Hit>(), "the resource-based policy allows the role, but " + limitFails);
            return Result(Decision.ImplicitDeny, Array.Empty<Hit>(), "no policy allows the action");
        }

        var resourceSide = resourceAllows.Where(h => h.Principal != PrincipalMatch.None).ToList();
        var identitySide = identityAllows.Count > 0 && boundaryOk && sessionOk;
        if (identitySide && resourceSide.Count > 0)
            return Result(Decision.Allow, identityAllows.Concat(limits).Concat(scpAllows).Concat(resourceSide), "cross-account: the principal's identity-based policy and the resource-based policy both allow");
        if (!identitySide && resourceSide.Count > 0)
            return Result(Decision.ImplicitDeny, Array.Empty<Hit>(), "cross-account: the resource-based policy allows, but no identity-based policy of the principal's account does" + (identityAllows.Count > 0 ? (!boundaryOk ? " within its permissions boundary" : " within its session policies") : ""));
        if (identitySide)
            return Result(Decision.ImplicitDeny, Array.Empty<Hit>(), policies.ResourcePolicy is null ? "cross-account: there is no resource-based policy to allow the principal" : "cross-account: the resource-based policy does not allow the principal");
        return Result(Decision.ImplicitDeny, Array.Empty<Hit>(), "cross-account: no policy allows the action");
    }

    private static bool IsUser(string? arn) => arn is not null && arn.StartsWith("arn:", StringComparison.Ordinal) && arn.Contains(":user/");

    /// <summary>The account id in an ARN (its fifth part), or null.</summary>
    public static string? AccountOf(string? arn)
    {
        if (arn is null || !arn.StartsWith("arn:", StringComparison.Ordinal)) return null;
        var parts = arn.Split(new[] { ':' }, 6);
        return parts.Length >= 5 && parts[4].Length > 0 ? parts[4] : null;
    }

    /// <summary>
    /// True for a service-linked role (its path is /aws-service-role/) or a session of one (AWS names them
    /// AWSServiceRoleFor...; a session ARN carries no path).
    /// </summary>
    internal static bool IsServiceLinkedRole(string? arn)
    {
        if (arn is null) return false;
        var parts = arn.Split(new[] { ':' }, 6);
        if (parts.Length < 6) return false;
        if (parts[2] == "iam") return parts[5].StartsWith("role/aws-service-role/", StringComparison.Ordinal);
        return parts[2] == "sts" && parts[5].StartsWith("assumed-role/AWSServiceRoleFor", StringComparison.Ordinal);
    }

    private static RequestContext Prepare(AccessRequest r, out string? principalAccount, out string? resourceAccount)
    {
        var ctx = new RequestContext(r.Context.Keys);
        if (r.PrincipalArn is { } p && !ctx.TryGet("aws:PrincipalArn", out _) && p.StartsWith("arn:", StringComparison.Ordinal)) ctx.Set("aws:PrincipalArn", p);
        ctx.TryGet("aws:PrincipalArn", out var pa);
        principalAccount = AccountOf(r.PrincipalArn) ?? (pa.Count > 0 ? AccountOf(pa[0]) : null);
        if (ctx.TryGet("aws:PrincipalAccount", out var acct) && acct.Count > 0) principalAccount ??= acct[0];
        else if (principalAccount is not null) ctx.Set("aws:PrincipalAccount", principalAccount);
        if (IsUser(r.PrincipalArn) && !ctx.TryGet("aws:username", out _)) ctx.Set("aws:username", r.PrincipalArn!.Substring(r.PrincipalArn.LastIndexOf('/') + 1));
        resourceAccount = AccountOf(r.Resource) ?? r.ResourceAccount;
        if (resourceAccount is null && ctx.TryGet("aws:ResourceAccount", out var ra) && ra.Count > 0) resourceAccount = ra[0];
        resourceAccount ??= principalAccount;
        if (resourceAccount is not null && !ctx.TryGet("aws:ResourceAccount", out _)) ctx.Set("aws:ResourceAccount", resourceAccount);
        return ctx;
    }

    private enum PrincipalMatch { None, Account, Direct, Session }

    private sealed class Hit
    {
        public Hit(DecidingStatement s, bool deny, PrincipalMatch p) { Statement = s; IsDeny = deny; Principal = p; }
        public DecidingStatement Statement { get; }
        public bool IsDeny { get; }
        public PrincipalMatch Principal { get; }
    }

    private static List<Hit> Matching(IEnumerable<PolicyDocument> docs, AccessRequest r, RequestContext ctx, bool resourcePolicy, bool missingPrincipalIsEveryone = false)
    {
        var hits = new List<Hit>();
        foreach (var d in docs)
        {
            var vars = d.Version == "2012-10-17";
            for (var i = 0; i < d.Statement.Count; i++)
            {
                var s = d.Statement[i];
                if (!StatementMatcher.MatchesAction(s, r.Action) || !StatementMatcher.MatchesResource(s, r.Resource, ctx, vars)) continue;
                var pm = PrincipalMatch.Direct;
                if (resourcePolicy)
                {
                    pm = s.Principal is not null ? MatchPrincipal(s.Principal, r.PrincipalArn)
                        : s.NotPrincipal is not null ? (MatchPrincipal(s.NotPrincipal, r.PrincipalArn) == PrincipalMatch.None ? PrincipalMatch.Direct : PrincipalMatch.None)
                        : missingPrincipalIsEveryone ? PrincipalMatch.Direct : PrincipalMatch.None;
                    if (pm == PrincipalMatch.None) continue;
                }
                if (!ConditionEvaluator.All(s.Condition, ctx, vars)) continue;
                hits.Add(new Hit(StatementMatcher.Describe(d, s, i), s.Effect == "Deny", pm));
            }
        }
        return hits;
    }

    private static PrincipalMatch MatchPrincipal(PolicyPrincipal p, string? principal)
    {
        if (p.IsWildcard) return PrincipalMatch.Direct;
        if (principal is null) return PrincipalMatch.None;
        foreach (var s in p.Service) if (string.Equals(s, principal, StringComparison.OrdinalIgnoreCase)) return PrincipalMatch.Direct;
        foreach (var f in p.Federated) if (string.Equals(f, principal, StringComparison.Ordinal)) return PrincipalMatch.Direct;
        var best = PrincipalMatch.None;
        var account = AccountOf(principal);
        var roleArn = SessionToRoleName(principal, out var roleName);
        foreach (var a in p.Aws)
        {
            if (a == "*") return PrincipalMatch.Direct;
            if (a == principal) return principal.Contains(":assumed-role/") ? PrincipalMatch.Session : PrincipalMatch.Direct;
            if (roleArn && a.StartsWith("arn:", StringComparison.Ordinal) && AccountOf(a) == account && a.Contains(":role/") && a.EndsWith("/" + roleName, StringComparison.Ordinal))
                best = PrincipalMatch.Direct;
            if (account is not null && (a == account || a == "arn:aws:iam::" + account + ":root" || (a.EndsWith(":root", StringComparison.Ordinal) && AccountOf(a) == account)))
                if (best == PrincipalMatch.None) best = PrincipalMatch.Account;
        }
        return best;
    }

    // arn:aws:sts::111122223333:assumed-role/RoleName/session -> RoleName; a role ARN -> its name.
    private static bool SessionToRoleName(string principal, out string roleName)
    {
        roleName = "";
        var i = principal.IndexOf(":assumed-role/", StringComparison.Ordinal);
        if (i >= 0)
        {
            var rest = principal.Substring(i + 14);
            var slash = rest.IndexOf('/');
            roleName = slash < 0 ? rest : rest.Substring(0, slash);
            return true;
        }
        i = principal.IndexOf(":role/", StringComparison.Ordinal);
        if (i < 0) return false;
        roleName = principal.Substring(principal.LastIndexOf('/') + 1);
        return true;
    }
}

/// <summary>Statement-level matching shared by the evaluator and the grant deriver.</summary>
public static class StatementMatcher
{
    /// <summary>True when the statement's Action (or NotAction) covers the action, case-insensitively.</summary>
    public static bool MatchesAction(PolicyStatement s, string action)
    {
        // Indexed loops: the lists are read-only lists (arrays, or names looked up in the catalog), walked per drafted action.
        var actions = s.Action;
        if (actions.Count > 0)
        {
            for (var i = 0; i < actions.Count; i++) if (Wildcard.Match(actions[i], action, ignoreCase: true)) return true;
            return false;
        }
        var not = s.NotAction;
        for (var i = 0; i < not.Count; i++) if (Wildcard.Match(not[i], action, ignoreCase: true)) return false;
        return not.Count > 0;
    }

    /// <summary>True when the statement's Resource (or NotResource) covers the resource; a statement with neither (trust, resource policies) covers any.</summary>
    public static bool MatchesResource(PolicyStatement s, string resource, RequestContext ctx, bool substituteVariables)
    {
        if (s.Resource.Count > 0)
        {
            foreach (var p in s.Resource) if (Pattern(p, ctx, substituteVariables) is { } q && Wildcard.MatchResource(q, resource)) return true;
            return false;
        }
        foreach (var p in s.NotResource) if (Pattern(p, ctx, substituteVariables) is { } q && Wildcard.MatchResource(q, resource)) return false;
        return true;
    }

    private static string? Pattern(string p, RequestContext ctx, bool vars) => vars ? PolicyVariables.Substitute(p, ctx, asPattern: true) : p;

    /// <summary>"PolicyName#Sid", or "PolicyName#index" when the statement has no Sid.</summary>
    public static string Ref(PolicyDocument d, PolicyStatement s, int index)
        => d.PolicyName + "#" + (string.IsNullOrEmpty(s.Sid) ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : s.Sid);

    /// <summary>The statement as a decision record names it.</summary>
    public static DecidingStatement Describe(PolicyDocument d, PolicyStatement s, int index) => new()
    {
        PolicyName = d.PolicyName, PolicyArn = d.PolicyArn, Kind = d.Kind, Sid = s.Sid, Index = index, Effect = s.Effect, Ref = Ref(d, s, index),
    };
}

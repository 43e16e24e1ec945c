using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources;

/// <summary>An IAM principal from authorization details, with every policy that applies to it.</summary>
internal sealed class IamPrincipal
{
    public string Arn = "";
    public string Name = "";
    public string Type = ""; // User, Group, Role
    public List<PolicyDocument> Policies = new();
    public List<string> AttachedManagedArns = new();
    public List<string> Groups = new();
    public PolicyDocument? Trust;
    /// <summary>True when the source held only the trust (aws iam get-role), not the role's permission policies.</summary>
    public bool PoliciesUnread;
    public string? BoundaryArn;
    public SourceLocation? Source;
    /// <summary>The aws:cloudformation:logical-id tag: the template resource that created the role.</summary>
    public string? LogicalIdTag;
    /// <summary>True for an IAM Identity Center permission set (an Entra group takes it over).</summary>
    public bool IsPermissionSet;
    /// <summary>The accounts a permission set is assigned in (its access reaches functions of those accounts only); null: its ARN's.</summary>
    public HashSet<string>? Accounts;
    /// <summary>Who holds a permission set: "GROUP id in account A", "USER id in account A".</summary>
    public List<string> Members = new();
}

/// <summary>
/// Decides which of the given actions a principal's policies allow on a resource. The inventory uses it to
/// list deployers, people and callers; the policy helper's evaluator will replace the simple one.
/// </summary>
internal interface IPrincipalAccessEvaluator
{
    /// <summary>The actions (from <paramref name="actions"/>) allowed on <paramref name="resourceArn"/>.</summary>
    IReadOnlyList<string> AllowedActions(IReadOnlyList<PolicyDocument> policies, IReadOnlyList<string> actions, string resourceArn);
}

/// <summary>
/// Case-insensitive wildcard matching of Action/NotAction and Resource/NotResource; unconditional explicit
/// denies subtract. Conditions are not evaluated: a conditional allow counts as an allow. This is deliberate and
/// differs from the request evaluator in Aws/Policy (which needs the request's context keys: without them an
/// MFA-conditioned break-glass role would look powerless and its access would silently not carry over); the
/// inventory lists who CAN deploy, change, invoke or read under some request, and permissions boundaries limit it
/// (see <see cref="AccountAuthorization"/>).
/// </summary>
internal sealed class SimpleWildcardAccessEvaluator : IPrincipalAccessEvaluator
{
    // Action matching does not depend on the resource: it is computed once per (policies, actions) pair.
    private readonly Dictionary<(IReadOnlyList<PolicyDocument>, IReadOnlyList<string>), List<(PolicyStatement Statement, bool[] Matches)>> _cache = new(new RefPairComparer());

    public IReadOnlyList<string> AllowedActions(IReadOnlyList<PolicyDocument> policies, IReadOnlyList<string> actions, string resourceArn)
    {
        if (!_cache.TryGetValue((policies, actions), out var relevant))
        {
            relevant = new List<(PolicyStatement, bool[])>();
            foreach (var p in policies)
                foreach (var s in p.Statement)
                {
                    var m = actions.Select(a => ActionMatches(s, a)).ToArray();
                    if (m.Any(x => x)) relevant.Add((s, m));
                }
            _cache[(policies, actions)] = relevant;
        }
        if (relevant.Count == 0) return Array.Empty<string>();
        var allow = new bool[actions.Count];
        var deny = new bool[actions.Count];
        foreach (var (s, m) in relevant)
        {
            if (!ResourceMatches(s, resourceArn)) continue;
            for (int i = 0; i < m.Length; i++)
            {
                if (!m[i]) continue;
                if (s.Effect == "Deny") { if (s.Condition.Count == 0) deny[i] = true; }
                else allow[i] = true;
            }
        }
        var allowed = new List<string>();
        for (int i = 0; i < actions.Count; i++) if (allow[i] && !deny[i]) allowed.Add(actions[i]);
        return allowed;
    }

    private static bool ActionMatches(PolicyStatement s, string action) =>
        s.Action.Count > 0 ? s.Action.Any(a => Policy.Wildcard.Match(a, action, ignoreCase: true)) : !s.NotAction.Any(a => Policy.Wildcard.Match(a, action, ignoreCase: true));

    private static bool ResourceMatches(PolicyStatement s, string arn)
    {
        if (s.Resource.Count > 0) return s.Resource.Any(r => TokenArn.Match(r, arn));
        if (s.NotResource.Count > 0) return !s.NotResource.Any(r => TokenArn.Match(r, arn));
        return true;
    }

    private sealed class RefPairComparer : IEqualityComparer<(IReadOnlyList<PolicyDocument>, IReadOnlyList<string>)>
    {
        public bool Equals((IReadOnlyList<PolicyDocument>, IReadOnlyList<string>) x, (IReadOnlyList<PolicyDocument>, IReadOnlyList<string>) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);
        public int GetHashCode((IReadOnlyList<PolicyDocument>, IReadOnlyList<string>) obj) =>
            System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1) * 31 + System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2);
    }
}

/// <summary>Resource matching that knows template tokens; glob matching itself is Aws/Policy/Wildcard's.</summary>
internal static class TokenArn
{
    /// <summary>
    /// Matches a resource pattern against an ARN whose segments may hold template tokens (${...}); a segment
    /// with a token matches any pattern segment (the value is unknown, so access is possible).
    /// </summary>
    public static bool Match(string pattern, string arn)
    {
        if (pattern == "*") return true;
        if (!arn.Contains("${")) return Policy.Wildcard.MatchResource(pattern, arn);
        var xs = Tokenize(arn).Split(new[] { ':' }, 6);
        var ps = pattern.Split(new[] { ':' }, 6);
        for (int i = 0; i < xs.Length; i++)
        {
            if (i >= ps.Length) return false;
            if (i == ps.Length - 1 && ps.Length < xs.Length)
            {
                // The pattern ends early: its last segment (e.g. "*" in arn:aws:lambda:*) must absorb the rest.
                if (!ps[i].EndsWith("*", StringComparison.Ordinal)) return false;
                var rest = string.Join(":", xs, i, xs.Length - i);
                var literal = rest.IndexOf(Token) < 0 ? rest : rest.Substring(0, rest.IndexOf(Token));
                return Policy.Wildcard.Match(ps[i], literal) || Policy.Wildcard.Match(ps[i], literal + "x") || rest.IndexOf(Token) == 0;
            }
            if (xs[i].IndexOf(Token) >= 0) continue;
            if (!Policy.Wildcard.Match(ps[i], xs[i])) return false;
        }
        return ps.Length == xs.Length;
    }

    private const char Token = '\u0001';

    private static string Tokenize(string arn)
    {
        var sb = new System.Text.StringBuilder(arn.Length);
        int i = 0;
        while (i < arn.Length)
        {
            var start = arn.IndexOf("${", i, StringComparison.Ordinal);
            if (start < 0) { sb.Append(arn, i, arn.Length - i); break; }
            var end = arn.IndexOf('}', start);
            if (end < 0) { sb.Append(arn, i, arn.Length - i); break; }
            sb.Append(arn, i, start - i).Append(Token);
            i = end + 1;
        }
        return sb.ToString();
    }
}

internal sealed class NullErrors : IErrorSink
{
    public static readonly NullErrors Instance = new();
    public void Error(EngineError error) { }
}

/// <summary>What authorization details say about the account: roles, users, groups, managed policies.</summary>
internal sealed class AccountAuthorization
{
    public Dictionary<string, IamPrincipal> Roles { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, IamPrincipal> Users { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, IamPrincipal> Groups { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, PolicyDocument> ManagedPolicies { get; } = new(StringComparer.Ordinal);
    public bool IsEmpty => Roles.Count == 0 && Users.Count == 0 && Groups.Count == 0;
    /// <summary>IAM Identity Center exports read alongside (permission sets, assignments, their policies).</summary>
    public IdentityCenterExports IdentityCenter { get; } = new();
    /// <summary>Cognito user pool exports read alongside (pools, app clients, groups).</summary>
    public CognitoExports Cognito { get; } = new();

    /// <summary>Adds what this holds to <paramref name="account"/> (an entry of the same ARN is replaced, as a later read does).</summary>
    public void MergeInto(AccountAuthorization account)
    {
        foreach (var kv in ManagedPolicies) account.ManagedPolicies[kv.Key] = kv.Value;
        foreach (var kv in Groups) account.Groups[kv.Key] = kv.Value;
        foreach (var kv in Users) account.Users[kv.Key] = kv.Value;
        foreach (var kv in Roles) account.Roles[kv.Key] = kv.Value;
    }

    internal IPrincipalAccessEvaluator Evaluator { get; set; } = new SimpleWildcardAccessEvaluator();

    private static readonly string[] DeployActions = { "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:PublishVersion", "lambda:UpdateAlias" };
    private static readonly string[] InvokeActions = { "lambda:InvokeFunction", "lambda:InvokeFunctionUrl" };
    private static readonly string[] AdminActions = { "lambda:AddPermission", "lambda:RemovePermission", "lambda:CreateFunctionUrlConfig", "lambda:UpdateFunctionUrlConfig", "lambda:PutFunctionConcurrency" };
    private static readonly string[] PassRoleActions = { "iam:PassRole" };
    // Actions that change access: a permission set allowing any of them is privileged (its Entra group is PIM-eligible).
    private static readonly string[] AccessChangeActions = { "iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:CreateUser", "iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:CreateAccessKey", "iam:CreatePolicyVersion" };
    private static readonly string[] ReadActions = { "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:GetPolicy" };

    private List<(IamPrincipal, IReadOnlyList<PolicyDocument>)>? _relevant;
    private readonly Dictionary<IamPrincipal, IReadOnlyList<PolicyDocument>?> _boundaries = new();

    /// <summary>
    /// The principal's permissions boundary as a one-document list, or null when it has none or it cannot be read
    /// (an unresolved boundary does not limit the listing: access that may exist is listed, not dropped).
    /// </summary>
    private IReadOnlyList<PolicyDocument>? Boundary(IamPrincipal p)
    {
        if (_boundaries.TryGetValue(p, out var b)) return b;
        PolicyDocument? doc = null;
        if (p.BoundaryArn is { Length: > 0 } arn)
            doc = ManagedPolicies.TryGetValue(arn, out var mp) ? mp
                : Catalogs.AwsManagedPolicyCatalog.IsAwsManaged(arn) ? Catalogs.AwsManagedPolicyCatalog.Default.Resolve(arn) : null;
        return _boundaries[p] = doc is null ? null : new[] { doc };
    }

    /// <summary>The actions an identity's policies allow, within its permissions boundary.</summary>
    private IReadOnlyList<string> Allowed(IamPrincipal p, IReadOnlyList<PolicyDocument> policies, IReadOnlyList<string> actions, string resource)
    {
        var allowed = Evaluator.AllowedActions(policies, actions, resource);
        if (allowed.Count == 0 || Boundary(p) is not { } boundary) return allowed;
        var within = new HashSet<string>(Evaluator.AllowedActions(boundary, actions, resource), StringComparer.Ordinal);
        return allowed.Where(within.Contains).ToList();
    }

    // The candidate index: which relevant principals have an Allow whose resource pattern could match an ARN. A glob
    // matches only strings that start with its literal prefix (up to the first '*', '?' or policy variable), so a
    // function's candidates are the principals filed under one of its ARN's prefixes, plus those filed under "".
    private Dictionary<string, List<int>>? _byPrefix;
    private int[]? _prefixLengths;
    private string?[]? _accounts;

    private IEnumerable<int> Candidates(string functionArn)
    {
        var relevant = Relevant();
        if (functionArn.IndexOf("${", StringComparison.Ordinal) >= 0) return Enumerable.Range(0, relevant.Count);
        var found = new SortedSet<int>();
        // Only the lengths some prefix has are looked up (a handful), not every prefix of the ARN.
        foreach (var k in _prefixLengths!)
        {
            if (k > functionArn.Length) break;
            if (_byPrefix!.TryGetValue(k == functionArn.Length ? functionArn : functionArn.Substring(0, k), out var list)) found.UnionWith(list);
        }
        return found;
    }

    internal static string LiteralPrefix(string pattern)
    {
        var end = pattern.IndexOfAny(new[] { '*', '?', '$' });
        return end < 0 ? pattern : pattern.Substring(0, end);
    }

    private void IndexCandidates()
    {
        _byPrefix = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        _accounts = new string?[_relevant!.Count];
        for (var i = 0; i < _relevant.Count; i++)
        {
            var (p, policies) = _relevant[i];
            _accounts[i] = AccountOf(p.Arn);
            var prefixes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in policies.SelectMany(doc => doc.Statement).Where(s => s.Effect == "Allow"))
            {
                if (s.Resource.Count == 0) prefixes.Add("");
                else foreach (var r in s.Resource) prefixes.Add(LiteralPrefix(r));
            }
            foreach (var prefix in prefixes)
            {
                if (!_byPrefix.TryGetValue(prefix, out var list)) _byPrefix[prefix] = list = new List<int>();
                list.Add(i);
            }
        }
        _prefixLengths = _byPrefix.Keys.Select(k => k.Length).Distinct().OrderBy(k => k).ToArray();
    }

    /// <summary>Principals with at least one statement that can concern Lambda or iam:PassRole, computed once.</summary>
    private List<(IamPrincipal, IReadOnlyList<PolicyDocument>)> Relevant()
    {
        if (_relevant != null) return _relevant;
        _relevant = new();
        foreach (var p in Users.Values.Concat(Groups.Values).Concat(Roles.Values).OrderBy(x => x.Arn, StringComparer.Ordinal))
        {
            var policies = EffectivePolicies(p);
            if (policies.Any(doc => doc.Statement.Any(s => s.Effect == "Allow" && (s.NotAction.Count > 0 || s.Action.Any(a =>
                    a.StartsWith("*", StringComparison.Ordinal) || a.StartsWith("lambda:", StringComparison.OrdinalIgnoreCase) || a.StartsWith("iam:", StringComparison.OrdinalIgnoreCase)
                    || a.StartsWith("l", StringComparison.OrdinalIgnoreCase) && a.IndexOf('*') >= 0 || a.StartsWith("i", StringComparison.OrdinalIgnoreCase) && a.IndexOf('*') >= 0)))))
                _relevant.Add((p, policies));
        }
        IndexCandidates();
        return _relevant;
    }

    /// <summary>
    /// The policies that decide a principal's access. Access granted through a group is reported once, on the
    /// group (it maps to an Entra group); a user carries its own grants plus the denies of its groups.
    /// </summary>
    private IReadOnlyList<PolicyDocument> EffectivePolicies(IamPrincipal p)
    {
        var list = new List<PolicyDocument>(p.Policies);
        foreach (var arn in p.AttachedManagedArns) if (Managed(arn) is PolicyDocument mp) list.Add(mp);
        foreach (var g in p.Groups)
        {
            var group = Groups.Values.FirstOrDefault(x => x.Name == g && !x.IsPermissionSet);
            if (group is null) continue;
            var groupPolicies = group.Policies.Concat(group.AttachedManagedArns.Select(Managed).OfType<PolicyDocument>());
            foreach (var gp in groupPolicies)
            {
                var denies = gp.Statement.Where(s => s.Effect == "Deny").ToList();
                if (denies.Count > 0) list.Add(new PolicyDocument { PolicyName = gp.PolicyName, PolicyArn = gp.PolicyArn, Kind = gp.Kind, Version = gp.Version, Statement = denies, Source = gp.Source });
            }
        }
        return list;
    }

    /// <summary>A managed policy by ARN: from the export, else the embedded catalog of AWS managed policies, else null.</summary>
    private PolicyDocument? Managed(string arn) =>
        ManagedPolicies.TryGetValue(arn, out var mp) ? mp : Catalogs.ManagedPolicyCatalog.Find(arn, new SourceLocation(), NullErrors.Instance);

    /// <summary>
    /// One error per user or group whose attached managed policy neither the export nor the catalog holds: the access it
    /// grants (who can deploy, invoke or read a function) is unknown, and the principal would otherwise drop out unseen.
    /// </summary>
    public void ReportUnresolved(EngineContext context)
    {
        foreach (var p in Users.Values.Concat(Groups.Values).OrderBy(x => x.Arn, StringComparer.Ordinal))
            foreach (var arn in p.AttachedManagedArns)
                if (Managed(arn) is null)
                    context.Error("IamManagedPolicyUnresolved", EngineErrorCategory.ObjectNotFound, p.Arn,
                        $"{p.Type} '{p.Name}' has the managed policy {arn} attached, but the authorization details do not hold it: the access it grants (to deploy, invoke or read functions) is unknown. Export without a --filter, or add the policy.",
                        p.Source, null);
    }

    /// <summary>The execution role as authorization details hold it (inline, managed, boundary, trust), or null.</summary>
    public ExecutionRole? RoleFor(string roleArn, string? roleName)
    {
        IamPrincipal? r = null;
        if (!string.IsNullOrEmpty(roleArn) && !roleArn.Contains("${")) Roles.TryGetValue(roleArn, out r);
        if (r is null && !string.IsNullOrEmpty(roleName) && !roleName!.Contains("${")) r = Roles.Values.FirstOrDefault(x => x.Name == roleName);
        if (r is null && roleArn.StartsWith("${GetAtt:", StringComparison.Ordinal) && roleArn.EndsWith(".Arn}", StringComparison.Ordinal))
        {
            // A role CloudFormation named for the stack: join on its aws:cloudformation:logical-id tag, when only one role carries it.
            var logicalId = roleArn.Substring(9, roleArn.Length - 9 - 5);
            var tagged = Roles.Values.Where(x => x.LogicalIdTag == logicalId).Take(2).ToList();
            if (tagged.Count == 1) r = tagged[0];
        }
        if (r is null) return null;
        var policies = new List<PolicyDocument>(r.Policies);
        foreach (var arn in r.AttachedManagedArns)
            policies.Add(ManagedPolicies.TryGetValue(arn, out var mp) ? mp
                // AWS managed policies are often filtered out of the export: the embedded catalog knows the Lambda ones.
                : Catalogs.ManagedPolicyCatalog.Find(arn, r.Source ?? new SourceLocation(), NullErrors.Instance)
                  ?? new PolicyDocument { PolicyName = arn.Substring(arn.LastIndexOf('/') + 1), PolicyArn = arn, Kind = PolicyKind.Managed, IsUnresolved = true, Source = r.Source });
        PolicyDocument? boundary = null;
        if (r.BoundaryArn != null)
        {
            boundary = ManagedPolicies.TryGetValue(r.BoundaryArn, out var b)
                ? new PolicyDocument { PolicyName = b.PolicyName, PolicyArn = b.PolicyArn, Kind = PolicyKind.PermissionsBoundary, Version = b.Version, Statement = b.Statement, Source = b.Source }
                : new PolicyDocument { PolicyName = r.BoundaryArn.Substring(r.BoundaryArn.LastIndexOf('/') + 1), PolicyArn = r.BoundaryArn, Kind = PolicyKind.PermissionsBoundary, IsUnresolved = true, Source = r.Source };
        }
        return new ExecutionRole { RoleArn = r.Arn, RoleName = r.Name, AssumeRolePolicy = r.Trust, Policies = policies, PermissionsBoundary = boundary, Source = r.Source };
    }

    /// <summary>Fills the execution role's policies and the principals that can deploy, change, invoke or read the function.</summary>
    public void Enrich(FunctionDraft d, EngineContext context)
    {
        var role = RoleFor(d.RoleArn, d.ExecutionRole?.RoleName);
        if (role != null)
        {
            d.ExecutionRole = role;
            if (d.RoleArn.Contains("${") || string.IsNullOrEmpty(d.RoleArn)) d.RoleArn = role.RoleArn;
            d.IncompleteReasons.RemoveAll(r => r.StartsWith("The execution role", StringComparison.Ordinal));
            if (role.Source != null) d.Sources.Add(role.Source);
        }
        var functionArn = d.FunctionArn;
        var functionAccount = AccountOf(functionArn);
        var relevant = Relevant();
        foreach (var i in Candidates(functionArn))
        {
            var (p, policies) = relevant[i];
            context.CancellationToken.ThrowIfCancellationRequested();
            // Identity policies grant only within their own account; other accounts reach the function through its
            // resource policy, which the callers list. A function whose account is a template token matches any account.
            if (functionAccount != null && _accounts![i] is string principalAccount && principalAccount != functionAccount) continue;
            if (functionAccount != null && p.Accounts is { Count: > 0 } assignedIn && !assignedIn.Contains(functionAccount)) continue;
            var deploy = Allowed(p, policies, DeployActions, functionArn).ToList();
            if (!string.IsNullOrEmpty(d.RoleArn) && !d.RoleArn.Contains("${"))
                deploy.AddRange(Allowed(p, policies, PassRoleActions, d.RoleArn));
            var canChangeCode = deploy.Any(a => a != "iam:PassRole");
            var privileged = p.IsPermissionSet && Allowed(p, policies, AccessChangeActions, "arn:aws:iam::" + (functionAccount ?? "123456789012") + ":role/any").Count > 0;
            Add(d, p, "Deploy", canChangeCode ? deploy : new List<string>(), privileged);
            Add(d, p, "Admin", Allowed(p, policies, AdminActions, functionArn), privileged);
            Add(d, p, "Invoke", Allowed(p, policies, InvokeActions, functionArn), privileged);
            Add(d, p, "Read", Allowed(p, policies, ReadActions, functionArn), privileged);
        }
    }

    private static string? AccountOf(string arn)
    {
        var parts = arn.Split(':');
        return parts.Length > 4 && parts[4].Length == 12 && parts[4].All(char.IsDigit) ? parts[4] : null;
    }

    private static void Add(FunctionDraft d, IamPrincipal p, string level, IReadOnlyList<string> actions, bool privileged)
    {
        if (actions.Count == 0) return;
        var federated = p.Trust?.Statement.Any(s => s.Effect == "Allow" && (s.Action.Any(a => a.Equals("sts:AssumeRoleWithWebIdentity", StringComparison.OrdinalIgnoreCase))
            || (s.Principal?.Federated.Any(f => f.IndexOf("oidc-provider", StringComparison.OrdinalIgnoreCase) >= 0) ?? false))) ?? false;
        var emergency = p.Name.IndexOf("breakglass", StringComparison.OrdinalIgnoreCase) >= 0 || p.Name.IndexOf("break-glass", StringComparison.OrdinalIgnoreCase) >= 0
            || p.Name.IndexOf("break_glass", StringComparison.OrdinalIgnoreCase) >= 0 || p.Name.IndexOf("emergency", StringComparison.OrdinalIgnoreCase) >= 0;
        // The OIDC providers trusted (arn:aws:iam::<account>:oidc-provider/<host>) and the subjects their :sub conditions allow.
        var issuers = new SortedSet<string>(StringComparer.Ordinal);
        var subjects = new SortedSet<string>(StringComparer.Ordinal);
        if (federated)
            foreach (var s in p.Trust!.Statement.Where(s => s.Effect == "Allow"))
                foreach (var provider in s.Principal?.Federated ?? Array.Empty<string>())
                {
                    var at = provider.IndexOf(":oidc-provider/", StringComparison.OrdinalIgnoreCase);
                    if (at < 0) continue;
                    var host = provider.Substring(at + ":oidc-provider/".Length);
                    issuers.Add("https://" + host);
                    foreach (var c in s.Condition.Where(c => string.Equals(c.Key, host + ":sub", StringComparison.OrdinalIgnoreCase)))
                        foreach (var v in c.Values) subjects.Add(v);
                }
        // How the role may be assumed by people (MFA, source networks): the conditions of its trust policy's allows,
        // except the OIDC claims already carried as the federated issuer and subjects.
        var useConditions = new SortedSet<string>(StringComparer.Ordinal);
        if (p.Trust is not null)
            foreach (var s in p.Trust.Statement.Where(s => s.Effect == "Allow"))
                foreach (var c in s.Condition.Where(c => !c.Key.EndsWith(":sub", StringComparison.OrdinalIgnoreCase) && !c.Key.EndsWith(":aud", StringComparison.OrdinalIgnoreCase)))
                    useConditions.Add(c.Operator + " " + c.Key + " " + string.Join(",", c.Values));
        d.Principals.Add(new PrincipalAccess
        {
            UseConditions = useConditions.ToList(),
            PrincipalArn = p.Arn, PrincipalType = p.Type, AccessLevel = level, Actions = actions.Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToList(),
            IsOidcFederated = federated, FederatedIssuers = issuers.ToList(), FederatedSubjects = subjects.ToList(), IsEmergency = emergency, Source = p.Source,
            IsPrivileged = privileged, Members = p.Members.ToList(),
        });
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources;

/// <summary>
/// Findings about the account rather than one function, from the authorization details: an export that holds roles but
/// no Lambda function (nothing to migrate, said so), roles anyone may assume, and execution roles no function read uses.
/// </summary>
internal static class AccountFindingRules
{
    /// <summary>Finding id: authorization details were read, no Lambda function was.</summary>
    public const string NoLambdaFunction = "NoLambdaFunction";
    /// <summary>Finding id: a role's trust policy lets any principal assume it without a restricting condition.</summary>
    public const string RoleAssumableByAnyone = "RoleAssumableByAnyone";
    /// <summary>Finding id: a role trusting lambda.amazonaws.com that no function read uses.</summary>
    public const string UnusedExecutionRole = "UnusedExecutionRole";

    // Condition keys that narrow who may assume a role trusted to "*" (to an organisation, account or principal).
    private static readonly HashSet<string> RestrictingKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalIsAWSService",
        "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:userid", "aws:username",
    };

    private static readonly string[] AssumeActions = { "sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity" };

    /// <summary>The account findings of one read: <paramref name="functions"/> are the records the read produced.</summary>
    public static List<Finding> For(AccountAuthorization account, IReadOnlyList<LambdaFunctionIdentity> functions)
    {
        var findings = new List<Finding>();
        if (account.Roles.Count == 0 && account.Users.Count == 0 && account.Groups.Count == 0 && account.ManagedPolicies.Count == 0) return findings;
        var roles = account.Roles.Values.Where(r => !r.IsPermissionSet).OrderBy(r => r.Arn, StringComparer.Ordinal).ToList();
        var files = account.Roles.Values.Concat(account.Users.Values).Concat(account.Groups.Values)
            .Select(p => p.Source?.File).Concat(account.ManagedPolicies.Values.Select(p => p.Source?.File)).Where(f => !string.IsNullOrEmpty(f)).Distinct(StringComparer.Ordinal).OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (functions.Count == 0)
            findings.Add(new Finding
            {
                FindingId = NoLambdaFunction, Severity = FindingSeverity.Info,
                Source = new SourceLocation { File = files.FirstOrDefault() ?? "" },
                Message = string.Format(CultureInfo.InvariantCulture,
                    "{0} roles read ({1} users, {2} groups, {3} managed policies) from {4}; no Lambda function found: nothing to migrate.",
                    roles.Count, account.Users.Count, account.Groups.Count, account.ManagedPolicies.Count, files.Count == 0 ? "authorization details" : string.Join(", ", files)),
                Recommendation = "Add the functions' sources (SAM/CloudFormation templates, aws lambda list-functions output) or read the account with --live; authorization details list roles and policies, not functions.",
            });

        foreach (var r in roles)
        {
            if (r.Trust is null) continue;
            foreach (var s in r.Trust.Statement)
            {
                if (!string.Equals(s.Effect, "Allow", StringComparison.OrdinalIgnoreCase) || !AllowsAssume(s)) continue;
                var anyone = s.Principal is { } p ? p.IsWildcard || p.Aws.Contains("*") : s.NotPrincipal is not null;
                if (!anyone || s.Condition.Any(c => RestrictingKeys.Contains(c.Key))) continue;
                var other = s.Condition.Select(c => c.Operator + " " + c.Key).Distinct(StringComparer.Ordinal).ToList();
                findings.Add(new Finding
                {
                    FindingId = RoleAssumableByAnyone, Severity = FindingSeverity.High, Source = r.Source,
                    Message = "Role '" + r.Name + "' (" + r.Arn + ") may be assumed by any AWS principal: its trust statement" + (s.Sid is { Length: > 0 } sid ? " '" + sid + "'" : "")
                              + (s.Principal is null ? " allows everyone but its NotPrincipal" : " names Principal \"*\"")
                              + (other.Count == 0 ? " with no condition." : " with only " + string.Join(", ", other) + ", which does not restrict who (no organisation, account or principal key)."),
                    Recommendation = "Name the trusted accounts or principals, or add aws:PrincipalOrgID / aws:PrincipalAccount; do not carry this trust to Azure (a federated credential names one issuer and subject).",
                });
            }
        }

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in functions)
        {
            if (f.ExecutionRole?.RoleArn is { Length: > 0 } a) used.Add(a);
            if (f.RoleArn.Length > 0) used.Add(f.RoleArn);
        }
        var unresolved = functions.Count(f => f.ExecutionRole?.RoleArn is not { Length: > 0 } && f.RoleArn.Contains("${"));
        var unused = roles.Where(r => TrustsLambda(r) && !used.Contains(r.Arn)).ToList();
        if (unused.Count > 0)
            findings.Add(new Finding
            {
                FindingId = UnusedExecutionRole, Severity = FindingSeverity.Medium, Source = unused[0].Source,
                Message = unused.Count + " role(s) trust lambda.amazonaws.com but no function read uses them: " + string.Join(", ", unused.Select(r => r.Name))
                          + (functions.Count == 0 ? " (no function was read)." : " (" + functions.Count + " functions read" + (unresolved > 0 ? "; " + unresolved + " name their role by a template reference not matched to a role" : "") + ")."),
                Recommendation = "Delete unused execution roles, or check which functions outside these inputs use them: anyone allowed iam:PassRole and lambda:CreateFunction can run code with their permissions. They need no Azure identity.",
            });
        return findings;
    }

    private static bool AllowsAssume(PolicyStatement s)
    {
        if (s.NotAction.Count > 0) return !s.NotAction.Any(n => AssumeActions.Any(a => Wildcard(n, a)));
        return s.Action.Any(p => AssumeActions.Any(a => Wildcard(p, a)));
    }

    private static bool TrustsLambda(IamPrincipal r)
        => r.Trust is { } t && t.Statement.Any(s => string.Equals(s.Effect, "Allow", StringComparison.OrdinalIgnoreCase) && s.Principal is { } p
                                                    && p.Service.Any(x => string.Equals(x, "lambda.amazonaws.com", StringComparison.OrdinalIgnoreCase)));

    private static bool Wildcard(string pattern, string value) => Policy.Wildcard.Match(pattern, value, ignoreCase: true);
}

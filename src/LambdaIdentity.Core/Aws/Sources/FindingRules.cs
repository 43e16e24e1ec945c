using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources;

/// <summary>Findings a reviewer should see, computed once a function's facts are merged.</summary>
internal static class FindingRules
{
    private static readonly Regex AccountId = new("^[0-9]{12}$|^arn:aws[a-z-]*:(iam|sts)::([0-9]{12}):", RegexOptions.CultureInvariant);
    private static readonly string[] ScopingKeys = { "aws:sourcearn", "aws:sourceaccount", "aws:principalorgid", "aws:sourceowner", "lambda:functionurlauthtype", "lambda:eventsourcetoken" };

    public static void Apply(FunctionDraft d, InventoryOptions options)
    {
        // Resource-policy statements built before the ARN was known carry ${FunctionArn}.
        if (!string.IsNullOrEmpty(d.FunctionArn))
            for (int i = 0; i < d.ResourceStatements.Count; i++)
            {
                var s = d.ResourceStatements[i];
                if (s.Resource.Any(r => r == "${FunctionArn}"))
                    d.ResourceStatements[i] = new PolicyStatement { Sid = s.Sid, Effect = s.Effect, Action = s.Action, NotAction = s.NotAction, Resource = s.Resource.Select(r => r == "${FunctionArn}" ? d.FunctionArn : r).ToList(), NotResource = s.NotResource, Principal = s.Principal, NotPrincipal = s.NotPrincipal, Condition = s.Condition };
            }
        if (string.IsNullOrEmpty(d.FunctionArn) && !d.FromTemplate && !string.IsNullOrEmpty(d.FunctionName) && options.Region != null && options.AccountId != null)
            d.FunctionArn = $"arn:{options.Partition ?? "aws"}:lambda:{options.Region}:{options.AccountId}:function:{d.FunctionName}";
        if (!d.FromTemplate && d.Runtime is null && string.IsNullOrEmpty(d.RoleArn))
            d.IncompleteReasons.Add("The function's configuration (role, runtime, environment) is not in the inputs; add lambda list-functions or get-function output.");

        if (d.FunctionUrl?.AuthType == "NONE")
            d.Findings.Add(new Finding
            {
                FindingId = "PublicFunctionUrl", Severity = FindingSeverity.High, Source = d.FunctionUrl.Source,
                Message = "The function URL has AuthType NONE: anyone on the internet can invoke it." + (d.FunctionUrl.AllowOrigins.Contains("*") ? " CORS allows every origin." : ""),
                Recommendation = "Decide whether it must stay public; on Azure use App Service authentication (Entra ID) or an HTTP trigger with authLevel function and a key held by the caller.",
            });

        foreach (var s in AllResourceStatements(d))
        {
            if (s.Effect != "Allow" || s.Principal is null) continue;
            var scoped = s.Condition.Any(c => ScopingKeys.Contains(c.Key.ToLowerInvariant()));
            if ((s.Principal.IsWildcard || s.Principal.Aws.Contains("*")) && !scoped)
                d.Findings.Add(new Finding
                {
                    FindingId = "PublicResourcePolicy", Severity = FindingSeverity.High, Source = d.Source,
                    Message = $"Resource-policy statement '{s.Sid}' lets any principal call {string.Join(", ", s.Action)} without a source condition.",
                    Recommendation = "Restrict it to the calling account, organisation or source ARN before migrating; on Azure, grant an app role to the named callers only.",
                });
            foreach (var aws in s.Principal.Aws)
            {
                var m = AccountId.Match(aws);
                if (!m.Success) continue;
                var acct = m.Groups[2].Success && m.Groups[2].Value.Length > 0 ? m.Groups[2].Value : aws;
                var own = options.AccountId ?? AccountOf(d.FunctionArn);
                if (own != null && own == acct) continue;
                d.Findings.Add(new Finding
                {
                    FindingId = "CrossAccountCaller", Severity = FindingSeverity.Medium, Source = d.Source,
                    Message = own is null ? $"Account {acct} may invoke the function (statement '{s.Sid}'); the function's own account is not known, so this may be cross-account."
                                          : $"Account {acct}, not the function's account {own}, may invoke the function (statement '{s.Sid}').",
                    Recommendation = "Cross-account callers become cross-tenant callers on Azure: register them as client applications of the function's Entra app (or keep an API gateway), and record the deviation.",
                });
            }
        }

        if (d.ExecutionRole != null)
        {
            foreach (var p in d.ExecutionRole.Policies)
            {
                if (p.IsUnresolved)
                    d.IncompleteReasons.Add($"Policy {p.PolicyArn ?? p.PolicyName} of the execution role could not be read; add authorization details that hold it.");
                foreach (var s in p.Statement.Where(s => s.Effect == "Allow"))
                {
                    var allResources = s.Resource.Contains("*") || (s.Resource.Count == 0 && s.NotResource.Count > 0);
                    if (s.Action.Any(a => a == "*" || a == "*:*") || (s.NotAction.Count > 0 && allResources))
                        d.Findings.Add(new Finding
                        {
                            FindingId = "WildcardAdminGrant", Severity = FindingSeverity.High, Source = p.Source,
                            Message = $"Policy '{p.PolicyName}' of the execution role allows {(s.NotAction.Count > 0 ? "everything except " + string.Join(", ", s.NotAction) : "every action")}{(allResources ? " on every resource" : "")}.",
                            Recommendation = "Replace it with the actions the code uses; on Azure assign data-plane roles at the narrowest scope, never Owner or Contributor.",
                        });
                    else
                        foreach (var a in s.Action.Where(a => a.EndsWith(":*", StringComparison.Ordinal) && allResources))
                            d.Findings.Add(new Finding
                            {
                                FindingId = "WildcardServiceGrant", Severity = FindingSeverity.Medium, Source = p.Source,
                                Message = $"Policy '{p.PolicyName}' of the execution role allows {a} on every resource.",
                                Recommendation = "Narrow it to the actions and resources the code uses so the Azure role assignment can be least-privileged.",
                            });
                }
            }
            if (d.ExecutionRole.PermissionsBoundary?.IsUnresolved == true)
                d.IncompleteReasons.Add($"The permissions boundary {d.ExecutionRole.PermissionsBoundary.PolicyArn} could not be read.");
        }
        foreach (var p in d.Principals.Where(p => p.AccessLevel == "Deploy" && p.Actions.Any(a => a.IndexOf('*') < 0)))
        {
            if (!p.IsEmergency) continue;
            d.Findings.Add(new Finding { FindingId = "EmergencyAccess", Severity = FindingSeverity.Info, Source = p.Source, Message = $"{p.PrincipalArn} looks like break-glass access and can change the function.", Recommendation = "Map it to a PIM-eligible assignment on Azure." });
        }
    }

    private static IEnumerable<PolicyStatement> AllResourceStatements(FunctionDraft d) => d.ResourcePolicies.SelectMany(p => p.Statement).Concat(d.ResourceStatements);

    private static string? AccountOf(string arn)
    {
        var parts = arn.Split(':');
        return parts.Length > 4 && parts[4].Length == 12 && parts[4].All(char.IsDigit) ? parts[4] : null;
    }
}

using System.CommandLine;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;

namespace LambdaIdentity.Cli.Verbs;

/// <summary>`simulate`: decides one request against IAM policies as AWS's policy evaluation logic does.</summary>
public sealed class SimulateVerb : ICliVerb
{
    /// <inheritdoc />
    public Command Build(CliIO io)
    {
        var policy = new Option<string[]>("--policy") { Description = "Identity-based policy file (JSON or URL-encoded) or AWS managed policy ARN; repeat for several.", AllowMultipleArgumentsPerToken = true };
        var boundary = new Option<string?>("--boundary") { Description = "Permissions boundary policy file or AWS managed policy ARN." };
        var resourcePolicy = new Option<string?>("--resource-policy") { Description = "Resource-based policy file (bucket policy, aws lambda get-policy output, ...)." };
        var scp = new Option<string[]>("--scp") { Description = "Service control policy file; repeat for several (one level: any may allow).", AllowMultipleArgumentsPerToken = true };
        var scpLevel = new Option<string[]>("--scp-level") { Description = "One organization level of SCPs (root, an OU, the account) as comma-separated files; repeat per level: every level must allow." };
        var rcpLevel = new Option<string[]>("--rcp-level") { Description = "One level of resource control policies of the resource's account, as comma-separated files; repeat per level: every level must allow." };
        var sessionPolicy = new Option<string[]>("--session-policy") { Description = "Session policy file or AWS managed policy ARN of an assumed-role session; repeat for several (the intersection applies)." };
        var vpcePolicy = new Option<string?>("--vpce-policy") { Description = "The policy file of the VPC endpoint the request goes through." };
        var managementAccount = new Option<string?>("--management-account") { Description = "The organization's management account ID: SCPs do not limit its users and roles, nor RCPs its resources." };
        var principal = new Option<string?>("--principal") { Description = "The calling principal's ARN (its account decides same- or cross-account)." };
        var action = new Option<string>("--action") { Description = "The action, e.g. s3:GetObject.", Required = true };
        var resource = new Option<string>("--resource") { Description = "The resource ARN.", Required = true };
        var context = new Option<string[]>("--context") { Description = "A context key: key=value; repeat a key for a multi-valued key.", AllowMultipleArgumentsPerToken = false };
        var format = CliIO.FormatOption();
        var cmd = new Command("simulate", "Decide a request (principal, action, resource, context) against identity, boundary, session, SCP, RCP, VPC endpoint and resource policies.")
        {
            policy, boundary, resourcePolicy, scp, scpLevel, rcpLevel, sessionPolicy, vpcePolicy, managementAccount, principal, action, resource, context, format,
        };
        cmd.SetAction(r =>
        {
            var pairs = new List<KeyValuePair<string, string>>();
            foreach (var c in r.GetValue(context) ?? Array.Empty<string>())
            {
                var eq = c.IndexOf('=');
                if (eq <= 0) return io.Usage("ContextInvalid", $"--context '{c}' is not key=value.");
                pairs.Add(new KeyValuePair<string, string>(c.Substring(0, eq), c.Substring(eq + 1)));
            }
            string?[] Files(IEnumerable<string?> values) => values.SelectMany(v => (v ?? "").Split(',')).Select(v => v.Trim()).Where(v => v.Length > 0 && !v.StartsWith("arn:", StringComparison.OrdinalIgnoreCase)).ToArray();
            var named = Files((r.GetValue(policy) ?? Array.Empty<string>()).Concat(r.GetValue(scp) ?? Array.Empty<string>()).Concat(r.GetValue(sessionPolicy) ?? Array.Empty<string>())
                .Concat(r.GetValue(scpLevel) ?? Array.Empty<string>()).Concat(r.GetValue(rcpLevel) ?? Array.Empty<string>())
                .Concat(new[] { r.GetValue(boundary), r.GetValue(resourcePolicy), r.GetValue(vpcePolicy) }));
            if (io.RequireExisting("policy", named) is var missing and not 0) return missing;
            var decision = AccessSimulator.Simulate(new AccessSimulation
            {
                PolicyPaths = r.GetValue(policy) ?? Array.Empty<string>(), BoundaryPath = r.GetValue(boundary), ResourcePolicyPath = r.GetValue(resourcePolicy),
                ServiceControlPolicyPaths = r.GetValue(scp) ?? Array.Empty<string>(), PrincipalArn = r.GetValue(principal),
                ServiceControlPolicyLevels = AccessSimulation.Levels(r.GetValue(scpLevel)), ResourceControlPolicyLevels = AccessSimulation.Levels(r.GetValue(rcpLevel)),
                SessionPolicyPaths = r.GetValue(sessionPolicy) ?? Array.Empty<string>(), VpcEndpointPolicyPath = r.GetValue(vpcePolicy),
                ManagementAccountId = r.GetValue(managementAccount),
                Action = r.GetValue(action)!, Resource = r.GetValue(resource)!, Context = pairs,
            }, io.Context(CancellationToken.None));
            if (r.GetValue(format) == "json") io.WriteJson(new[] { decision });
            else io.WriteTable(new[] { "Decision", "Action", "Resource", "DecidingStatements", "Reason" },
                new[] { new[] { decision.Decision.ToString() + (decision.IsIncomplete ? " (incomplete)" : ""), decision.Action, decision.Resource, string.Join(", ", decision.DecidingStatements.Select(s => s.Ref)), decision.Reason } });
            // A policy that could not be read was reported on stderr and makes the decision incomplete: exit 2.
            return io.ReadExitCode();
        });
        return cmd;
    }

}

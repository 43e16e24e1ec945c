using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;

namespace LambdaIdentity.PowerShell.Commands;

/// <summary>Decides one request against IAM policies as AWS's policy evaluation logic does.</summary>
[Cmdlet(VerbsDiagnostic.Test, "LambdaIdentityAccess", DefaultParameterSetName = "Path")]
[OutputType(typeof(AccessDecision), typeof(bool))]
public sealed class TestLambdaIdentityAccessCommand : AsyncPSCmdlet
{
    /// <summary>A role from the inventory (ExecutionRole): its identity policies and boundary are decided on.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "Role")]
    [ValidateNotNull]
    public ExecutionRole? InputObject { get; set; }

    /// <summary>Identity-based policy files, or AWS managed policy ARNs (none for a service principal allowed by a resource policy).</summary>
    [Parameter(Position = 0, ParameterSetName = "Path")]
    [Parameter(ParameterSetName = "Role")]
    [ValidateNotNullOrEmpty]
    public string[] PolicyPath { get; set; } = new string[0];

    /// <summary>The action, e.g. s3:GetObject.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Action { get; set; } = "";

    /// <summary>The resource ARN.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Resource { get; set; } = "";

    /// <summary>The calling principal's ARN.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("RoleArn", "Principal")]
    [ValidateNotNullOrEmpty]
    public string? PrincipalArn { get; set; }

    /// <summary>The permissions boundary file or AWS managed policy ARN.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BoundaryPath { get; set; }

    /// <summary>The resource-based policy file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ResourcePolicyPath { get; set; }

    /// <summary>Service control policy files.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ServiceControlPolicyPath { get; set; }

    /// <summary>SCPs by organization level (root, OUs, account): each element one level, its files separated by commas.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ServiceControlPolicyLevel { get; set; }

    /// <summary>Resource control policies of the resource's account by level: each element one level, its files separated by commas.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ResourceControlPolicyLevel { get; set; }

    /// <summary>Session policy files or AWS managed policy ARNs of an assumed-role session.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? SessionPolicyPath { get; set; }

    /// <summary>The policy file of the VPC endpoint the request goes through.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? VpcEndpointPolicyPath { get; set; }

    /// <summary>The organization's management account ID: SCPs do not limit its users and roles, nor RCPs its resources.</summary>
    [Parameter]
    [ValidatePattern(@"^\d{12}$")]
    public string? ManagementAccountId { get; set; }

    /// <summary>Context keys: key = value, or key = @(values) for a multi-valued key.</summary>
    [Parameter]
    public Hashtable? Context { get; set; }

    /// <summary>Return $true when allowed, $false otherwise, instead of the decision.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <inheritdoc />
    protected override Task ProcessRecordAsync(EngineContext context)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (DictionaryEntry e in Context ?? new Hashtable())
        {
            var values = e.Value is IEnumerable list && e.Value is not string ? list.Cast<object>() : new[] { e.Value };
            foreach (var v in values) pairs.Add(new KeyValuePair<string, string>(e.Key.ToString() ?? "", v?.ToString() ?? ""));
        }
        string Resolve(string p) => p.StartsWith("arn:") ? p : GetUnresolvedProviderPathFromPSPath(p);
        var decision = AccessSimulator.Simulate(new AccessSimulation
        {
            Role = InputObject, PolicyPaths = PolicyPath.Select(Resolve).ToList(), BoundaryPath = BoundaryPath is null ? null : Resolve(BoundaryPath),
            ResourcePolicyPath = ResourcePolicyPath is null ? null : Resolve(ResourcePolicyPath),
            ServiceControlPolicyPaths = (ServiceControlPolicyPath ?? new string[0]).Select(Resolve).ToList(),
            ServiceControlPolicyLevels = AccessSimulation.Levels(ServiceControlPolicyLevel, Resolve), ResourceControlPolicyLevels = AccessSimulation.Levels(ResourceControlPolicyLevel, Resolve),
            SessionPolicyPaths = (SessionPolicyPath ?? new string[0]).Select(Resolve).ToList(),
            VpcEndpointPolicyPath = VpcEndpointPolicyPath is null ? null : Resolve(VpcEndpointPolicyPath),
            ManagementAccountId = ManagementAccountId, PrincipalArn = PrincipalArn, Action = Action, Resource = Resource, Context = pairs,
        }, context);
        if (Quiet) WriteObjectAsync(decision.Decision == Decision.Allow);
        else WriteObjectAsync(decision);
        return Task.CompletedTask;
    }
}

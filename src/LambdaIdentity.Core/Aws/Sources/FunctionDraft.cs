using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources;

/// <summary>A function record under construction; readers fill it, the reader merges and freezes it.</summary>
internal sealed class FunctionDraft
{
    public string FunctionName = "";
    public string FunctionArn = "";
    public string? LogicalId;
    public string RoleArn = "";
    public ExecutionRole? ExecutionRole;
    public string? Runtime;
    public List<PolicyStatement> ResourceStatements = new();
    public List<PolicyDocument> ResourcePolicies = new();
    public FunctionUrlConfig? FunctionUrl;
    public List<CallerAccess> Callers = new();
    public List<EventSource> EventSources = new();
    public List<PrincipalAccess> Principals = new();
    public List<CognitoUserPool> UserPools = new();
    public List<string> EnvironmentVariableNames = new();
    public bool VpcAttached;
    public string? KmsKeyArn;
    public List<string> Layers = new();
    public List<string> Destinations = new();
    public string? TracingMode;
    /// <summary>IoT custom authorizers (ARN or template token) that invoke this function: the iot.amazonaws.com permission for them is not an IoT rule.</summary>
    public List<string> IoTAuthorizerArns = new();
    /// <summary>Roles AWS services assume for the function (integration credentials, topic rule actions, schedules).</summary>
    public List<ServiceRoleUse> ServiceRoles = new();
    public List<Finding> Findings = new();
    public List<string> IncompleteReasons = new();
    public SourceLocation? Source;
    public List<SourceLocation> Sources = new();
    /// <summary>True for records read from a template (their names may be logical ids and do not identify a deployed function).</summary>
    public bool FromTemplate;
    /// <summary>True when a template names the function (FunctionName) rather than leaving CloudFormation to generate it.</summary>
    public bool HasExplicitName;

    /// <summary>The merge key: the function's ARN or name for account data; file + logical id for templates.</summary>
    public string MergeKey => FromTemplate ? "template:" + (Source?.File ?? "") + "#" + LogicalId : "function:" + FunctionName;

    /// <summary>Adds another source's facts about the same function; first non-empty scalar wins, lists are unioned.</summary>
    public void MergeFrom(FunctionDraft o)
    {
        Disagree("Runtime", Runtime, o.Runtime, o);
        if (!RoleArn.Contains("${") && !o.RoleArn.Contains("${")) Disagree("Role", RoleArn, o.RoleArn, o);
        if (string.IsNullOrEmpty(FunctionArn) || FunctionArn.Contains("${")) FunctionArn = string.IsNullOrEmpty(o.FunctionArn) ? FunctionArn : o.FunctionArn;
        LogicalId ??= o.LogicalId;
        if (string.IsNullOrEmpty(RoleArn) || (RoleArn.Contains("${") && !string.IsNullOrEmpty(o.RoleArn) && !o.RoleArn.Contains("${"))) RoleArn = o.RoleArn;
        if (ExecutionRole is null || (ExecutionRole.Policies.Count == 0 && o.ExecutionRole?.Policies.Count > 0)) ExecutionRole = o.ExecutionRole ?? ExecutionRole;
        Runtime ??= o.Runtime;
        ResourceStatements.AddRange(o.ResourceStatements);
        ResourcePolicies.AddRange(o.ResourcePolicies);
        FunctionUrl ??= o.FunctionUrl;
        Callers.AddRange(o.Callers);
        foreach (var a in o.IoTAuthorizerArns) if (!IoTAuthorizerArns.Contains(a)) IoTAuthorizerArns.Add(a);
        ServiceRoles.AddRange(o.ServiceRoles);
        EventSources.AddRange(o.EventSources);
        Principals.AddRange(o.Principals);
        foreach (var p in o.UserPools) if (!UserPools.Any(x => x.Id == p.Id)) UserPools.Add(p);
        EnvironmentVariableNames.AddRange(o.EnvironmentVariableNames);
        VpcAttached |= o.VpcAttached;
        KmsKeyArn ??= o.KmsKeyArn;
        Layers.AddRange(o.Layers);
        Destinations.AddRange(o.Destinations);
        TracingMode ??= o.TracingMode;
        Findings.AddRange(o.Findings);
        IncompleteReasons.AddRange(o.IncompleteReasons);
        Source ??= o.Source;
        Sources.AddRange(o.Sources);
        if (o.Source != null) Sources.Add(o.Source);
    }

    private void Disagree(string what, string? mine, string? theirs, FunctionDraft o)
    {
        if (string.IsNullOrEmpty(mine) || string.IsNullOrEmpty(theirs) || mine == theirs) return;
        Findings.Add(new Finding
        {
            FindingId = "SourcesDisagree", Severity = FindingSeverity.Low, Source = o.Source,
            Message = $"{what} is '{mine}' in {Source} but '{theirs}' in {o.Source}; the first is kept.",
            Recommendation = "Use exports taken at the same time, or check which source is current.",
        });
    }

    /// <summary>Freezes the draft into the model record, with stable ordering of every list.</summary>
    public LambdaFunctionIdentity ToRecord()
    {
        var statements = new List<PolicyStatement>();
        SourceLocation? rpSource = null;
        foreach (var p in ResourcePolicies) { statements.AddRange(p.Statement); rpSource ??= p.Source; }
        statements.AddRange(ResourceStatements);
        var sources = new List<SourceLocation>();
        if (Source != null) sources.Add(Source);
        foreach (var s in Sources) if (!sources.Any(x => x.ToString() == s.ToString())) sources.Add(s);
        return new LambdaFunctionIdentity
        {
            FunctionName = FunctionName,
            FunctionArn = FunctionArn,
            LogicalId = LogicalId,
            RoleArn = RoleArn,
            ExecutionRole = ExecutionRole,
            Runtime = Runtime,
            ResourcePolicy = statements.Count == 0 ? null : new PolicyDocument
            {
                PolicyName = "FunctionPolicy", Kind = PolicyKind.Resource, Version = "2012-10-17",
                Statement = statements, Source = rpSource ?? Source,
            },
            FunctionUrl = FunctionUrl,
            Callers = Callers.GroupBy(c => c.Channel + "|" + c.Route + "|" + c.AuthType + "|" + c.AuthorizerName).Select(g => g.First())
                .OrderBy(c => c.Channel, StringComparer.Ordinal).ThenBy(c => c.Route, StringComparer.Ordinal).ThenBy(c => c.AuthorizerName, StringComparer.Ordinal).ToList(),
            EventSources = EventSources.GroupBy(e => e.Type + "|" + e.Name + "|" + e.SourceArn).Select(g => g.First())
                .OrderBy(e => e.Type, StringComparer.Ordinal).ThenBy(e => e.Name, StringComparer.Ordinal).ThenBy(e => e.SourceArn, StringComparer.Ordinal).ToList(),
            ServiceRoles = ServiceRoles.GroupBy(r => r.Service + "|" + r.Name + "|" + r.RoleArn).Select(g => g.First())
                .OrderBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal).ToList(),
            Principals = Principals.GroupBy(p => p.PrincipalArn + "|" + p.AccessLevel).Select(g => g.First())
                .OrderBy(p => p.PrincipalArn, StringComparer.Ordinal).ThenBy(p => p.AccessLevel, StringComparer.Ordinal).ToList(),
            UserPools = UserPools.OrderBy(p => p.Id, StringComparer.Ordinal).ToList(),
            EnvironmentVariableNames = EnvironmentVariableNames.Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList(),
            VpcAttached = VpcAttached,
            KmsKeyArn = KmsKeyArn,
            Layers = Layers.Distinct(StringComparer.Ordinal).ToList(),
            Destinations = Destinations.Distinct(StringComparer.Ordinal).OrderBy(d => d, StringComparer.Ordinal).ToList(),
            TracingMode = TracingMode,
            Findings = Findings.GroupBy(f => f.FindingId + "|" + f.Message).Select(g => g.First())
                .OrderByDescending(f => f.Severity).ThenBy(f => f.FindingId, StringComparer.Ordinal).ThenBy(f => f.Message, StringComparer.Ordinal).ToList(),
            IsComplete = IncompleteReasons.Count == 0,
            IncompleteReasons = IncompleteReasons.Distinct(StringComparer.Ordinal).ToList(),
            Source = Source,
            Sources = sources,
        };
    }
}

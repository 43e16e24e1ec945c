using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Policy;

/// <summary>What to simulate: policy files (or AWS managed policy ARNs), the request and its context keys.</summary>
public sealed class AccessSimulation
{
    /// <summary>A role (from the inventory) whose identity policies and permissions boundary are used besides any files.</summary>
    public ExecutionRole? Role { get; init; }
    /// <summary>Identity-based policies: files, or AWS managed policy ARNs (arn:aws:iam::aws:policy/...).</summary>
    public IReadOnlyList<string> PolicyPaths { get; init; } = Array.Empty<string>();
    /// <summary>The permissions boundary (file or AWS managed policy ARN), when any.</summary>
    public string? BoundaryPath { get; init; }
    /// <summary>The resource-based policy file, when any.</summary>
    public string? ResourcePolicyPath { get; init; }
    /// <summary>Service control policy files, when any: one level of the organization (at least one must allow).</summary>
    public IReadOnlyList<string> ServiceControlPolicyPaths { get; init; } = Array.Empty<string>();
    /// <summary>SCP files by organization level (root, OUs, account): at every level at least one must allow.</summary>
    public IReadOnlyList<IReadOnlyList<string>> ServiceControlPolicyLevels { get; init; } = Array.Empty<IReadOnlyList<string>>();
    /// <summary>Resource control policy files of the resource's account, by level: at every level at least one must allow.</summary>
    public IReadOnlyList<IReadOnlyList<string>> ResourceControlPolicyLevels { get; init; } = Array.Empty<IReadOnlyList<string>>();
    /// <summary>Session policy files or AWS managed policy ARNs of an assumed-role session (the intersection applies).</summary>
    public IReadOnlyList<string> SessionPolicyPaths { get; init; } = Array.Empty<string>();
    /// <summary>The policy file of the VPC endpoint the request goes through, when it does.</summary>
    public string? VpcEndpointPolicyPath { get; init; }

    /// <summary>
    /// Organization levels as the fronts take them: one text per level, its files separated by commas (a file name
    /// holding a comma cannot be given this way); each path through <paramref name="resolve"/> when given. Empty levels drop.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Levels(IEnumerable<string>? levels, Func<string, string>? resolve = null)
        => (levels ?? Array.Empty<string>())
            .Select(l => (IReadOnlyList<string>)l.Split(',').Select(p => p.Trim()).Where(p => p.Length > 0).Select(p => resolve is null ? p : resolve(p)).ToList())
            .Where(l => l.Count > 0).ToList();
    /// <summary>The organization's management account, when known (SCPs do not limit its principals, nor RCPs its resources).</summary>
    public string? ManagementAccountId { get; init; }
    /// <summary>The calling principal's ARN; aws:PrincipalArn in the context is used when absent.</summary>
    public string? PrincipalArn { get; init; }
    /// <summary>The action, e.g. s3:GetObject.</summary>
    public string Action { get; init; } = "";
    /// <summary>The resource ARN.</summary>
    public string Resource { get; init; } = "*";
    /// <summary>Context keys; a key given several times is multi-valued.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Context { get; init; } = Array.Empty<KeyValuePair<string, string>>();
}

/// <summary>The simulator behind Test-LambdaIdentityAccess and `lambda-identity simulate`.</summary>
public static class AccessSimulator
{
    /// <summary>
    /// Reads the policies and decides the request. A policy that cannot be read is reported (PolicyFileUnreadable,
    /// PolicyDocumentMalformed, ManagedPolicyUnresolved) and makes the decision incomplete, never silently absent.
    /// </summary>
    public static AccessDecision Simulate(AccessSimulation s, EngineContext context)
    {
        var ctx = new RequestContext();
        foreach (var kv in s.Context) ctx.Add(kv.Key, kv.Value);
        var principal = s.PrincipalArn ?? (ctx.TryGet("aws:PrincipalArn", out var pa) && pa.Count > 0 ? pa[0] : null) ?? (s.Role?.RoleArn is { Length: > 0 } r ? r : null);
        var rolePolicies = s.Role?.Policies.Where(p => p.Kind == PolicyKind.Inline || p.Kind == PolicyKind.Managed) ?? Enumerable.Empty<PolicyDocument>();
        var set = new PolicySet
        {
            IdentityPolicies = rolePolicies.Concat(s.PolicyPaths.Select(p => Load(p, PolicyKind.Inline, context))).ToList(),
            PermissionsBoundary = s.BoundaryPath is null ? s.Role?.PermissionsBoundary : Load(s.BoundaryPath, PolicyKind.PermissionsBoundary, context),
            ResourcePolicy = s.ResourcePolicyPath is null ? null : Load(s.ResourcePolicyPath, PolicyKind.Resource, context),
            ServiceControlPolicies = s.ServiceControlPolicyPaths.Select(p => Load(p, PolicyKind.ServiceControl, context)).ToList(),
            ServiceControlPolicyLevels = s.ServiceControlPolicyLevels.Select(l => (IReadOnlyList<PolicyDocument>)l.Select(p => Load(p, PolicyKind.ServiceControl, context)).ToList()).ToList(),
            ResourceControlPolicyLevels = s.ResourceControlPolicyLevels.Select(l => (IReadOnlyList<PolicyDocument>)l.Select(p => Load(p, PolicyKind.ResourceControl, context)).ToList()).ToList(),
            SessionPolicies = s.SessionPolicyPaths.Select(p => Load(p, PolicyKind.Session, context)).ToList(),
            VpcEndpointPolicy = s.VpcEndpointPolicyPath is null ? null : Load(s.VpcEndpointPolicyPath, PolicyKind.VpcEndpoint, context),
            ManagementAccountId = s.ManagementAccountId,
        };
        context.CancellationToken.ThrowIfCancellationRequested();
        return new PolicyEvaluator().Evaluate(new AccessRequest { PrincipalArn = principal, Action = s.Action, Resource = s.Resource, Context = ctx }, set);
    }

    /// <summary>
    /// Reads one policy: an AWS managed policy ARN, or a file holding a policy document (JSON, or URL-encoded JSON), or the
    /// output of aws lambda get-policy / aws iam get-role-policy / get-policy-version around one.
    /// </summary>
    public static PolicyDocument Load(string pathOrArn, PolicyKind kind, EngineContext context)
    {
        if (pathOrArn.StartsWith("arn:", StringComparison.Ordinal))
        {
            if (AwsManagedPolicyCatalog.Default.Resolve(pathOrArn) is { } managed)
                return new PolicyDocument { PolicyName = managed.PolicyName, PolicyArn = pathOrArn, Kind = kind == PolicyKind.Inline ? PolicyKind.Managed : kind, Version = managed.Version, Id = managed.Id, Statement = managed.Statement, Source = managed.Source };
            context.Error("ManagedPolicyUnresolved", EngineErrorCategory.ObjectNotFound, pathOrArn, $"The managed policy '{pathOrArn}' is not in the embedded catalog; give its document as a file.");
            return Unresolved(pathOrArn, kind, pathOrArn);
        }
        var name = Path.GetFileNameWithoutExtension(pathOrArn);
        string text;
        try { text = File.ReadAllText(pathOrArn); }
        catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
        {
            context.Error("PolicyFileUnreadable", ex is FileNotFoundException || ex is DirectoryNotFoundException ? EngineErrorCategory.ObjectNotFound : EngineErrorCategory.PermissionDenied,
                pathOrArn, $"Cannot read policy file '{pathOrArn}': {ex.Message}", new SourceLocation { File = pathOrArn }, ex);
            return Unresolved(name, kind, null, pathOrArn);
        }
        var src = new SourceLocation { File = pathOrArn };
        var trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        PolicyDocument? doc;
        if (trimmed.StartsWith("%", StringComparison.Ordinal)) doc = PolicyParser.ParseText(trimmed.Trim(), kind, name, src, context, urlEncoded: true);
        else
        {
            try
            {
                using var json = JsonDocument.Parse(trimmed);
                var (element, path) = Unwrap(json.RootElement);
                doc = PolicyParser.Parse(element, kind, name, new SourceLocation { File = pathOrArn, Path = path }, context);
            }
            catch (JsonException ex)
            {
                context.Error("PolicyDocumentMalformed", EngineErrorCategory.InvalidData, pathOrArn, $"Policy file '{pathOrArn}' is not valid JSON: {ex.Message}",
                    new SourceLocation { File = pathOrArn, Line = (int)(ex.LineNumber ?? -1) + 1, Column = (int)(ex.BytePositionInLine ?? -1) + 1 }, ex);
                doc = null;
            }
        }
        return doc ?? Unresolved(name, kind, null, pathOrArn);
    }

    private static (JsonElement, string) Unwrap(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("Statement", out _)) return (root, "$");
        if (root.TryGetProperty("Policy", out var p) && p.ValueKind == JsonValueKind.String) return (p, "$.Policy");
        if (root.TryGetProperty("PolicyDocument", out var d)) return (d, "$.PolicyDocument");
        if (root.TryGetProperty("PolicyVersion", out var v) && v.ValueKind == JsonValueKind.Object && v.TryGetProperty("Document", out var vd)) return (vd, "$.PolicyVersion.Document");
        return (root, "$");
    }

    private static PolicyDocument Unresolved(string name, PolicyKind kind, string? arn, string? file = null)
        => new() { PolicyName = name, PolicyArn = arn, Kind = kind, IsUnresolved = true, Source = file is null ? null : new SourceLocation { File = file } };
}

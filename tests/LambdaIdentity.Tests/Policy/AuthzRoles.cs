using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Model;

namespace LambdaIdentity.Tests.Policy;

/// <summary>
/// The roles of a get-account-authorization-details file as the product reads them (the streaming reader in
/// Aws/Sources), each with its inline, managed and boundary policies. An AWS managed policy the file does not hold stays
/// unresolved, for the grant deriver to resolve from its catalog of AWS managed policies (the pinned grants were recorded so).
/// </summary>
public static class AuthzRoles
{
    public static List<ExecutionRole> Read(string file, IErrorSink? errors = null) => Read(File.ReadAllBytes(file), file, errors);

    public static List<ExecutionRole> Read(byte[] json, string file, IErrorSink? errors = null)
    {
        var account = AuthorizationDetailsReader.Read(json, file, "$", new EngineContext(errors ?? new ErrorCollector())) ?? new AccountAuthorization();
        var roles = new List<ExecutionRole>(account.Roles.Count);
        foreach (var r in account.Roles.Values)
        {
            var policies = new List<PolicyDocument>(r.Policies);
            foreach (var arn in r.AttachedManagedArns) policies.Add(account.ManagedPolicies.TryGetValue(arn, out var m) ? m : Unresolved(arn, PolicyKind.Managed, file));
            var boundary = r.BoundaryArn is not { } b ? null
                : account.ManagedPolicies.TryGetValue(b, out var bd) ? new PolicyDocument { PolicyName = bd.PolicyName, PolicyArn = bd.PolicyArn, Kind = PolicyKind.PermissionsBoundary, Version = bd.Version, Statement = bd.Statement, Source = bd.Source }
                : Unresolved(b, PolicyKind.PermissionsBoundary, file);
            roles.Add(new ExecutionRole { RoleArn = r.Arn, RoleName = r.Name, AssumeRolePolicy = r.Trust, Policies = policies, PermissionsBoundary = boundary, Source = r.Source });
        }
        return roles;
    }

    private static PolicyDocument Unresolved(string arn, PolicyKind kind, string file)
        => new() { PolicyName = arn.Substring(arn.LastIndexOf('/') + 1), PolicyArn = arn, Kind = kind, IsUnresolved = true, Source = new SourceLocation { File = file } };
}

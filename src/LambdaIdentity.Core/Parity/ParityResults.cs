using System.Linq;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Parity;

/// <summary>How every surface shapes a result: for a designed item, for a function app's configuration, for unexpected access.</summary>
internal static class ParityResults
{
    /// <summary>The designed item in words (the Expected column).</summary>
    public static string Describe(AzRoleMapping m) => m.Kind switch
    {
        MappingKind.ManagedIdentity => (m.IdentityType ?? "SystemAssigned") + " identity" + (string.IsNullOrEmpty(m.PrincipalName) ? "" : " " + m.PrincipalName) + " on " + m.FunctionAppName,
        MappingKind.Authentication => string.Join("; ", m.Settings.Select(kv => kv.Key + "=" + kv.Value)),
        _ when !string.IsNullOrEmpty(m.RoleDefinitionName) || !string.IsNullOrEmpty(m.RoleDefinitionId)
            => (m.RoleDefinitionName ?? m.RoleDefinitionId) + " at " + m.Scope + " for " + (m.PrincipalName ?? m.ObjectId ?? "?"),
        _ => string.IsNullOrEmpty(m.AzureFeature) ? string.Join("; ", m.Settings.Select(kv => kv.Key + "=" + kv.Value)) : m.AzureFeature,
    };

    public static IdentityParityResult Result(AzRoleMapping m, ParityStatus status, string expected, string actual, string reason, AzureRoleAssignment? a = null, bool unread = false) => new()
    {
        EvidenceUnread = unread && status == ParityStatus.Unverifiable,
        MappingId = m.MappingId,
        FunctionName = m.FunctionName,
        FunctionAppName = m.FunctionAppName,
        Surface = m.Surface,
        Kind = m.Kind,
        Status = status,
        Expected = expected,
        Actual = actual,
        Reason = reason,
        RoleDefinitionName = m.RoleDefinitionName,
        Scope = m.Scope,
        ObjectId = a?.PrincipalId ?? m.ObjectId,
        PrincipalName = m.PrincipalName,
        ActualId = a?.Id,
        ActualSource = a?.Source,
    };

    public static IdentityParityResult SiteResult(AzRoleMapping m, ParityStatus status, string expected, string actual, string reason, AzureSite? site, bool unread = false, SourceLocation? source = null) => new()
    {
        EvidenceUnread = unread && status == ParityStatus.Unverifiable,
        MappingId = m.MappingId,
        FunctionName = m.FunctionName,
        FunctionAppName = m.FunctionAppName,
        Surface = m.Surface,
        Kind = m.Kind,
        Status = status,
        Expected = expected,
        Actual = actual,
        Reason = reason,
        ObjectId = site?.PrincipalId ?? m.ObjectId,
        PrincipalName = m.PrincipalName,
        ActualId = site?.Id,
        ActualSource = source ?? (m.Kind == MappingKind.Authentication ? site?.Auth?.Source ?? site?.Source : site?.Source),
    };

    /// <summary>Access (or unread evidence) no mapping accounts for, reported against the app's first mapping.</summary>
    public static IdentityParityResult Unexpected(AzureStateIndex index, AzRoleMapping first, ParityStatus status, MappingKind kind, string expected, string actual, string reason, string? actualId,
        SourceLocation? source = null, string? principal = null, AzureRoleAssignment? a = null, IdentitySurface Surface = IdentitySurface.Workload, bool unread = false) => new()
    {
        EvidenceUnread = unread && status == ParityStatus.Unverifiable,
        MappingId = null,
        FunctionName = first.FunctionName,
        FunctionAppName = first.FunctionAppName,
        Surface = Surface,
        Kind = kind,
        Status = status,
        Expected = expected,
        Actual = actual,
        Reason = reason,
        RoleDefinitionName = a is null ? null : index.RoleName(a),
        Scope = a?.Scope,
        ObjectId = a?.PrincipalId,
        PrincipalName = principal,
        ActualId = actualId,
        ActualSource = source,
    };
}

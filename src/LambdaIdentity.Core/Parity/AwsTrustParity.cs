using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Parity;

/// <summary>
/// The AWS side of the trust as read for parity: the roles of `aws iam get-account-authorization-details` exports
/// (RoleDetailList[].AssumeRolePolicyDocument and the role's policies) or `aws iam get-role` outputs.
/// </summary>
public sealed class AwsTrustState
{
    internal AccountAuthorization Account { get; } = new();
    /// <summary>The files read.</summary>
    public List<string> FilesRead { get; } = new();
    /// <summary>Files that could not be read, with why: every AWS-side result is then Unverifiable on unread evidence.</summary>
    public List<string> Unreadable { get; } = new();
    /// <summary>The number of roles read.</summary>
    public int RoleCount => Account.Roles.Count;
    /// <summary>IAM OIDC providers read (aws iam get-open-id-connect-provider): their name (URL without https://) and client id list.</summary>
    public Dictionary<string, IReadOnlyList<string>> OidcProviders { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Reads files and folders (every *.json below a folder). A file that is not JSON, or holds neither authorization
    /// details nor a get-role output, is an error record naming the file and the state is marked unreadable.
    /// </summary>
    public static AwsTrustState Read(IEnumerable<string> paths, EngineContext context)
    {
        var state = new AwsTrustState();
        foreach (var path in paths)
        {
            var files = Directory.Exists(path) ? Directory.GetFiles(path, "*.json", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToArray() : new[] { path };
            if (files.Length == 0) { state.Fail(context, path, "AwsStateEmpty", EngineErrorCategory.ObjectNotFound, "the folder holds no *.json export", null); continue; }
            foreach (var file in files) state.ReadFile(file, context);
        }
        return state;
    }

    private void Fail(EngineContext context, string file, string id, EngineErrorCategory category, string why, SourceLocation? at, Exception? ex = null)
    {
        Unreadable.Add(file + ": " + why);
        context.Error(id, category, file, "AWS side of the trust: " + file + ": " + why, at ?? new SourceLocation { File = file }, ex);
    }

    private void ReadFile(string file, EngineContext context)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(file); }
        catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
        {
            Fail(context, file, "AwsStateUnreadable", ex is FileNotFoundException || ex is DirectoryNotFoundException ? EngineErrorCategory.ObjectNotFound : EngineErrorCategory.PermissionDenied, ex.Message, null, ex);
            return;
        }
        var start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        var memory = new ReadOnlyMemory<byte>(bytes, start, bytes.Length - start);
        try
        {
            var peek = new Utf8JsonReader(memory.Span, AuthorizationDetailsReader.Options);
            if (peek.Read() && AuthorizationDetailsReader.Starts(peek))
            {
                var read = AuthorizationDetailsReader.Read(memory, file, "$", context);
                if (read is null) { Unreadable.Add(file + ": the export was cut"); return; }
                read.MergeInto(Account);
                FilesRead.Add(file);
                return;
            }
            using var doc = JsonDocument.Parse(memory, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            // aws iam get-open-id-connect-provider: {"Url": "host/path", "ClientIDList": [...], ...} (the provider's ARN is not in it).
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("Url", out var url) && url.ValueKind == JsonValueKind.String
                && doc.RootElement.TryGetProperty("ClientIDList", out var ids) && ids.ValueKind == JsonValueKind.Array)
            {
                OidcProviders[AwsTrustDesign.ProviderName(url.GetString()!).TrimEnd()] = ids.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!).ToList();
                FilesRead.Add(file);
                return;
            }
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("Role", out var role) && role.ValueKind == JsonValueKind.Object)
            {
                if (ReadGetRole(role, file, context)) FilesRead.Add(file);
                return;
            }
            Fail(context, file, "AwsStateShapeUnknown", EngineErrorCategory.InvalidData, "neither authorization details (aws iam get-account-authorization-details), a role (aws iam get-role) nor an OIDC provider (aws iam get-open-id-connect-provider)", new SourceLocation { File = file, Path = "$" });
        }
        catch (JsonException ex)
        {
            Fail(context, file, "AwsStateMalformed", EngineErrorCategory.InvalidData, "not valid JSON: " + ex.Message,
                new SourceLocation { File = file, Line = (int)(ex.LineNumber ?? -1) + 1, Column = (int)(ex.BytePositionInLine ?? -1) + 1 }, ex);
        }
    }

    // aws iam get-role: {"Role": {"RoleName", "Arn", "AssumeRolePolicyDocument" (object, or URL-encoded text from the raw API)}}.
    // It holds no permission policies: a role read only this way has its trust checked, its permissions unread.
    private bool ReadGetRole(JsonElement role, string file, EngineContext context)
    {
        var arn = role.TryGetProperty("Arn", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "";
        var name = role.TryGetProperty("RoleName", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : arn.Substring(arn.LastIndexOf('/') + 1);
        if (arn.Length == 0 || !role.TryGetProperty("AssumeRolePolicyDocument", out var trust))
        {
            Fail(context, file, "AwsStateShapeUnknown", EngineErrorCategory.InvalidData, "the role names no Arn or AssumeRolePolicyDocument", new SourceLocation { File = file, Path = "$.Role" });
            return false;
        }
        var at = new SourceLocation { File = file, Path = "$.Role.AssumeRolePolicyDocument" };
        var doc = trust.ValueKind == JsonValueKind.String
            ? PolicyParser.ParseText(trust.GetString()!, PolicyKind.Resource, name + " trust", at, context, urlEncoded: trust.GetString()!.TrimStart().StartsWith("%", StringComparison.Ordinal))
            : PolicyParser.Parse(trust, PolicyKind.Resource, name + " trust", at, context);
        if (doc is null) { Unreadable.Add(file + ": the trust policy is malformed"); return false; }
        Account.Roles[arn] = new IamPrincipal { Arn = arn, Name = name, Type = "Role", Trust = doc, Source = new SourceLocation { File = file, Path = "$.Role" }, PoliciesUnread = true };
        return true;
    }
}

/// <summary>
/// Two-sided parity for a dependency that stays on AWS: simulates <c>sts:AssumeRoleWithWebIdentity</c> with the claims of
/// the token the function's managed identity gets (issuer of its tenant, the designed audience, its object id as subject)
/// against the role's trust read from the AWS side, with the policy engine. The designed identity must be allowed;
/// another object id, another audience and another tenant must be denied. The role's permissions must allow every
/// designed grant. AWS side not read: Unverifiable on unread evidence (fails every level but None).
/// </summary>
public static class AwsTrustParity
{
    /// <summary>An object id, audience and tenant no design names, for the denials.</summary>
    internal const string OtherObjectId = "00000000-0000-4000-8000-00000000dead", OtherAudience = "api://lambdaidentity-other-audience", OtherTenant = "00000000-0000-4000-8000-0000000beef0";

    /// <summary>What the Azure side says about the function's identity.</summary>
    public sealed class Identity
    {
        /// <summary>The managed identity's object (principal) id, when read.</summary>
        public string? ObjectId { get; init; }
        /// <summary>Its Entra tenant, when read.</summary>
        public string? TenantId { get; init; }
        /// <summary>Why the identity is not known, when it is not.</summary>
        public string? Problem { get; init; }
        /// <summary>True when the problem is Azure evidence that could not be read.</summary>
        public bool Unread { get; init; }
    }

    /// <summary>Judges one AwsFederatedRole item (the one entry point; ParityChecker calls it for that kind).</summary>
    public static IdentityParityResult Check(AzRoleMapping m, AwsTrustState? aws, Identity identity)
    {
        var roleArn = Setting(m, "awsRoleArn") ?? "";
        var roleName = roleArn.Substring(roleArn.LastIndexOf('/') + 1);
        var audience = Setting(m, "tokenAudience") ?? AwsTrustDesign.TokenExchangeAudience;
        var expected = "AWS role " + roleName + " trusting only " + (m.PrincipalName ?? m.FunctionAppName) + " (aud " + audience + ")";
        if (aws is null)
            return Result(m, ParityStatus.Unverifiable, expected, "AWS side not read", "The AWS side of the trust was not read: give the account's authorization details (aws iam get-account-authorization-details, or aws iam get-role) and aws iam get-open-id-connect-provider output with -AwsState / --aws-state.", unread: true);
        if (aws.Unreadable.Count > 0)
            return Result(m, ParityStatus.Unverifiable, expected, "AWS side unreadable", "The AWS side could not be read: " + string.Join("; ", aws.Unreadable.Take(3)), unread: true);
        var role = aws.Account.RoleFor(roleArn.Contains("{") ? "" : roleArn, roleName);
        if (role is null)
            return Result(m, ParityStatus.Missing, expected, "no role " + roleName + " among the " + aws.RoleCount + " roles read", "The AWS side has no role " + roleName + ": the function cannot reach the dependencies that stay on AWS.", actualId: null);
        var principal = aws.Account.Roles.Values.First(r => r.Arn == role.RoleArn);
        if (role.AssumeRolePolicy is null)
            return Result(m, ParityStatus.Unverifiable, expected, "trust not read", "The export holds no trust policy for " + role.RoleArn + ".", actualId: role.RoleArn, unread: true);
        if (identity.ObjectId is null || identity.TenantId is null)
            return Result(m, ParityStatus.Unverifiable, expected, "identity unknown", "The trust of " + role.RoleArn + " cannot be tried without the managed identity's object id and tenant: " + (identity.Problem ?? "the Azure state names no tenant for it (identity.tenantId of az functionapp show / az identity list)."), actualId: role.RoleArn, unread: identity.Unread || identity.Problem is null);

        var account = Arn.Account(role.RoleArn);
        var v2 = Setting(m, "tokenIssuer") is { } designedIssuer ? designedIssuer.EndsWith("/v2.0", StringComparison.OrdinalIgnoreCase) : AwsTrustDesign.IsTokenExchange(audience);
        var issuerNow = v2 ? "https://login.microsoftonline.com/" + identity.TenantId + "/v2.0" : "https://sts.windows.net/" + identity.TenantId + "/";
        var designed = Try(role, account, v2, identity.TenantId, audience, identity.ObjectId);
        var actual = "AWS role " + role.RoleArn;
        if (designed.Decision != Decision.Allow)
            return Result(m, ParityStatus.Missing, expected, actual + " denies the designed token (" + designed.Decision + ")",
                "sts:AssumeRoleWithWebIdentity with iss " + issuerNow + ", aud " + audience + ", sub " + identity.ObjectId + " is " + designed.Decision + " by the role's trust: the function cannot reach AWS.", role.RoleArn);
        var wider = new List<string>();
        if (Try(role, account, v2, identity.TenantId, audience, OtherObjectId).Decision == Decision.Allow) wider.Add("another object id (any identity of the tenant)");
        if (Try(role, account, v2, identity.TenantId, OtherAudience, identity.ObjectId).Decision == Decision.Allow) wider.Add("another audience");
        if (Try(role, account, v2, OtherTenant, audience, identity.ObjectId).Decision == Decision.Allow) wider.Add("another tenant");
        if (wider.Count > 0)
            return Result(m, ParityStatus.Broader, expected, actual + " also admits " + string.Join(", ", wider),
                "The trust admits tokens the design does not: " + string.Join(", ", wider) + ". Pin " + AwsTrustDesign.ProviderName(issuerNow) + ":aud and :sub with StringEquals.", role.RoleArn);

        // STS also needs the account's IAM OIDC provider for the issuer, with the token's audience among its client ids.
        var providerName = AwsTrustDesign.ProviderName(issuerNow);
        if (!aws.OidcProviders.TryGetValue(providerName, out var clientIds) && !aws.OidcProviders.TryGetValue(providerName.TrimEnd('/'), out clientIds))
            return aws.OidcProviders.Count == 0
                ? Result(m, ParityStatus.Unverifiable, expected, actual + " trusts exactly the designed identity; the OIDC provider was not read",
                    "The trust admits the designed identity and denies another object id, audience and tenant; the IAM OIDC provider for " + issuerNow + " was not read (give aws iam get-open-id-connect-provider output with the AWS side): without it, or without " + audience + " among its client ids, STS refuses the token.", role.RoleArn, unread: true)
                : Result(m, ParityStatus.Missing, expected, "no IAM OIDC provider for " + issuerNow + " among the " + aws.OidcProviders.Count + " read",
                    "The role's trust is right, but the account has no OIDC provider for the issuer: STS refuses the token.", role.RoleArn);
        if (!clientIds.Contains(audience, StringComparer.Ordinal))
            return Result(m, ParityStatus.Missing, expected, "the OIDC provider for " + issuerNow + " lists " + (clientIds.Count == 0 ? "no client id" : string.Join(", ", clientIds)),
                "The provider's client id list lacks the token's audience " + audience + ": STS refuses the token.", role.RoleArn);

        // The role's permissions: every designed grant must be allowed by its identity policies.
        if (principal.PoliciesUnread)
            return Result(m, ParityStatus.Unverifiable, expected, actual + " trusts exactly the designed identity; its permissions were not read",
                "The trust admits the designed identity and denies another object id, audience and tenant; the role's permission policies were not read (aws iam get-role holds none: give authorization details).", role.RoleArn, unread: true);
        var missing = new List<string>();
        foreach (var g in m.AwsGrants)
        {
            var sp = g.IndexOf(' ');
            if (sp <= 0) continue;
            var action = g.Substring(0, sp);
            var designedResource = g.Substring(sp + 1);
            var allowed = Regions(m, role).Any(region =>
                new PolicyEvaluator().Evaluate(new AccessRequest { PrincipalArn = role.RoleArn, Action = action, Resource = Concrete(designedResource, account, region) },
                    new PolicySet { IdentityPolicies = role.Policies, PermissionsBoundary = role.PermissionsBoundary }).Decision == Decision.Allow);
            if (!allowed) missing.Add(action + " on " + designedResource);
        }
        if (missing.Count > 0)
            return Result(m, ParityStatus.Missing, expected, actual + " lacks " + string.Join(", ", missing.Take(5)),
                "The trust admits exactly the designed identity, but the role's policies do not allow " + missing.Count + " of the " + m.AwsGrants.Count + " designed grants.", role.RoleArn);
        return Result(m, ParityStatus.Pass, expected, actual + " admits " + identity.ObjectId + " (aud " + audience + ", tenant " + identity.TenantId + ") only",
            "Simulated sts:AssumeRoleWithWebIdentity against the role's trust: the designed identity is allowed; another object id, another audience and another tenant are denied; the OIDC provider for " + issuerNow + " accepts " + audience + "; the role allows all " + m.AwsGrants.Count + " designed grants.", role.RoleArn);
    }

    private static AccessDecision Try(ExecutionRole role, string account, bool v2, string tenant, string audience, string subject)
    {
        // The issuer is the tenant's, in the token version the designed audience gets (a token for another audience is
        // tried from the same issuer: only its aud differs).
        var issuer = v2 ? "https://login.microsoftonline.com/" + tenant + "/v2.0" : "https://sts.windows.net/" + tenant + "/";
        var provider = AwsTrustDesign.ProviderArn(account, issuer);
        var name = AwsTrustDesign.ProviderName(issuer);
        var ctx = new RequestContext().Set(name + ":aud", audience).Set(name + ":sub", subject);
        return new PolicyEvaluator().Evaluate(new AccessRequest { PrincipalArn = provider, Action = "sts:AssumeRoleWithWebIdentity", Resource = role.RoleArn, Context = ctx },
            new PolicySet { ResourcePolicy = role.AssumeRolePolicy });
    }

    // A designed grant still carries the source template's pseudo parameters; the role's account stands for AccountId and
    // any region for Region ('*' matches it in a policy only as a pattern, so a concrete value is used).
    private static string Concrete(string resource, string account, string region)
        => resource.Replace("${AWS::AccountId}", account).Replace("${AWS::Partition}", "aws").Replace("${AWS::Region}", region).Replace("${AWS::URLSuffix}", "amazonaws.com");

    // The region a designed grant's ${AWS::Region} stands for: the function's, when its ARN names one; else each region the
    // deployed role's policies name (the template was deployed in one of them).
    private static IEnumerable<string> Regions(AzRoleMapping m, ExecutionRole role)
    {
        var fn = Arn.Region(m.FunctionArn);
        if (fn.Length > 0 && !fn.Contains("$")) return new[] { fn };
        var named = role.Policies.SelectMany(p => p.Statement).SelectMany(s => s.Resource).Select(r => Arn.Region(r))
            .Where(r => r.Length > 0 && r.IndexOfAny(new[] { '*', '?', '$' }) < 0).Distinct(StringComparer.Ordinal).ToList();
        return named.Count > 0 ? named : new[] { "us-east-1" };
    }

    private static string? Setting(AzRoleMapping m, string key) => m.Settings.TryGetValue(key, out var v) && !string.IsNullOrEmpty(v) ? v : null;

    private static IdentityParityResult Result(AzRoleMapping m, ParityStatus status, string expected, string actual, string reason, string? actualId = null, bool unread = false) => new()
    {
        MappingId = m.MappingId, FunctionName = m.FunctionName, FunctionAppName = m.FunctionAppName, Surface = m.Surface, Kind = m.Kind,
        Status = status, Expected = expected, Actual = actual, Reason = reason, PrincipalName = m.PrincipalName, ObjectId = m.ObjectId,
        Scope = actualId, ActualId = actualId, EvidenceUnread = unread && status == ParityStatus.Unverifiable,
    };
}

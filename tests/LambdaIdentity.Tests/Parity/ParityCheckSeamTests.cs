using Xunit;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;

namespace LambdaIdentity.Tests.Parity;

/// <summary>The typed contract between the mapper and parity (ParityCheck), read from the demo's real mappings.</summary>
public class ParityCheckSeamTests
{
    private static List<AzRoleMapping> DemoMappings()
        => new AzRoleMapper(LambdaIdentity.Core.Aws.Policy.GrantDeriver.Default, new MappingOptions { ResourceMap = DemoWorkload.ResourceMap() })
            .Map(DemoWorkload.Inventory(), EngineContext.None).ToList();

    [Fact]
    public void EveryDemoMappingAsksForTheCheckItsKindDesignsAndTheJsonCopyAsksForTheSame()
    {
        var ms = DemoMappings();
        Assert.NotEmpty(ms);
        var copies = ModelJson.Read<AzRoleMapping>(ModelJson.Serialize(ms));
        Assert.Equal(ms.Count, copies.Count);
        for (var i = 0; i < ms.Count; i++)
        {
            var check = ParityCheck.Of(ms[i]);
            var copy = ParityCheck.Of(copies[i]);
            Assert.Equal(check.Kind, copy.Kind);
            Assert.Equal(check.Authentication?.NotVerifiable ?? Array.Empty<string>(), copy.Authentication?.NotVerifiable ?? Array.Empty<string>());
            Assert.Equal(check.Federation?.Subjects ?? Array.Empty<string>(), copy.Federation?.Subjects ?? Array.Empty<string>());
            Assert.Equal(check.AppSettingNames, copy.AppSettingNames);
            // The discriminator agrees with what the record is.
            switch (check.Kind)
            {
                case ParityCheckKind.RoleAssignment: Assert.False(string.IsNullOrEmpty(ms[i].RoleDefinitionName ?? ms[i].RoleDefinitionId)); break;
                case ParityCheckKind.ManagedIdentity: Assert.Equal(MappingKind.ManagedIdentity, ms[i].Kind); break;
                case ParityCheckKind.Authentication: Assert.NotNull(check.Authentication); Assert.Equal(MappingKind.Authentication, ms[i].Kind); break;
                case ParityCheckKind.AppRoleGrant: Assert.False(string.IsNullOrEmpty(check.AppRole!.Role)); break;
                case ParityCheckKind.FederatedCredential: Assert.NotEmpty(check.Federation!.Subjects); break;
            }
        }
        // The demo designs each surface parity knows (its CI role is OIDC-federated, its API authenticates callers).
        var kinds = ms.Select(m => ParityCheck.Of(m).Kind).ToHashSet();
        foreach (var k in new[] { ParityCheckKind.RoleAssignment, ParityCheckKind.ManagedIdentity, ParityCheckKind.Authentication, ParityCheckKind.FederatedCredential })
            Assert.Contains(k, kinds);
    }

    [Fact]
    public void TheFederatedCiRoleOfTheDemoIsReadAsTypedIssuersSubjectsAndAudience()
    {
        var fed = DemoMappings().Select(ParityCheck.Of).Where(c => c.Kind == ParityCheckKind.FederatedCredential).Select(c => c.Federation!).ToList();
        Assert.NotEmpty(fed);
        Assert.All(fed, f =>
        {
            Assert.NotEmpty(f.Issuers);
            Assert.All(f.Subjects, s => Assert.Equal(s.Trim(), s));
            Assert.Equal(FederatedCredentialCheck.DefaultAudience, f.Audience);
        });
    }

    [Fact]
    public void AuthenticationSettingsAreTypedAndUnknownKeysAreNeverPassedSilently()
    {
        var m = new AzRoleMapping
        {
            MappingId = "fn/auth", FunctionName = "fn", FunctionAppName = "func-fn", Kind = MappingKind.Authentication, Strategy = MappingStrategy.BuiltIn,
            Settings = new Dictionary<string, string>
            {
                ["AUTHLEVEL"] = "anonymous", [SettingKeys.RequireAuthentication] = "true", [SettingKeys.AppRoleAssignmentRequired] = "true",
                [SettingKeys.CorsAllowedOrigins] = "https://a.example", [SettingKeys.RequiredScopes] = "orders.read", [SettingKeys.GrantedBy] = "policy",
            },
        };
        var c = ParityCheck.Of(m);
        Assert.Equal(ParityCheckKind.Authentication, c.Kind);
        var a = c.Authentication!;
        Assert.Equal("anonymous", a.AuthLevel); // keys on authentication items are read case-insensitively, as before
        Assert.True(a.ChecksAppAuthentication);
        Assert.True(a.AppRoleAssignmentRequired);
        Assert.Equal("https://a.example", a.CorsAllowedOrigins);
        Assert.Equal(new[] { SettingKeys.RequiredScopes }, a.NotVerifiable);
    }

    [Fact]
    public void AnAppRoleHeldByACallerIsAnAppRoleGrantOnTheCalleesApp()
    {
        var m = new AzRoleMapping
        {
            MappingId = "a/calls/b", FunctionName = "a", FunctionAppName = "func-a", Kind = MappingKind.Authentication, Strategy = MappingStrategy.BuiltIn,
            IdentityType = "SystemAssigned",
            Settings = new Dictionary<string, string> { [SettingKeys.AppRole] = "Function.Invoke", [SettingKeys.CalleeFunctionAppName] = "func-b" },
        };
        var c = ParityCheck.Of(m);
        Assert.Equal(ParityCheckKind.AppRoleGrant, c.Kind);
        Assert.Equal("Function.Invoke", c.AppRole!.Role);
        Assert.Equal("func-b", c.AppRole.CalleeFunctionAppName);
        // The app's own item that names the role and requires authentication is an authentication check, not a grant.
        var own = new AzRoleMapping
        {
            MappingId = "b/auth", FunctionName = "b", FunctionAppName = "func-b", Kind = MappingKind.Authentication, Strategy = MappingStrategy.BuiltIn, IdentityType = "SystemAssigned",
            Settings = new Dictionary<string, string> { [SettingKeys.AppRole] = "Function.Invoke", [SettingKeys.RequireAuthentication] = "true" },
        };
        Assert.Equal(ParityCheckKind.Authentication, ParityCheck.Of(own).Kind);
    }

    [Theory]
    [InlineData("diagnosticSetting.categories", "FunctionAppLogs, AppServiceAuditLogs", ParityCheckKind.DiagnosticSettings)]
    [InlineData("deploymentStorageAuthentication", "SystemAssignedIdentity", ParityCheckKind.DeploymentStorage)]
    [InlineData("AzureWebJobsStorage__accountName", "st", ParityCheckKind.AppSettings)]
    [InlineData("grantedBy", "policy", ParityCheckKind.NotCheckable)]
    public void PlatformSettingsAreDiscriminatedByWhatTheStateCanShow(string key, string value, ParityCheckKind kind)
    {
        var m = new AzRoleMapping { MappingId = "x", FunctionAppName = "func-x", Kind = MappingKind.Setting, Strategy = MappingStrategy.BuiltIn, Settings = new Dictionary<string, string> { [key] = value } };
        var c = ParityCheck.Of(m);
        Assert.Equal(kind, c.Kind);
        if (kind == ParityCheckKind.DiagnosticSettings) Assert.Equal(new[] { "FunctionAppLogs", "AppServiceAuditLogs" }, c.DiagnosticCategories);
        if (kind == ParityCheckKind.AppSettings) Assert.Equal(new[] { key }, c.AppSettingNames);
        // Nothing designed and nothing but provenance: NotApplicable, never a check.
        Assert.Equal(ParityCheckKind.NothingDesigned, ParityCheck.Of(new AzRoleMapping { MappingId = "y", FunctionAppName = "func-x", Kind = MappingKind.Setting, Strategy = MappingStrategy.NotNeeded, Settings = new Dictionary<string, string> { [SettingKeys.GrantedBy] = "p" } }).Kind);
    }
}

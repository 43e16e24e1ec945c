using System.Text.Json;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

/// <summary>
/// Every role of the real get-account-authorization-details exports in shared/data/authz-details, used as an execution
/// role and mapped through the real grant deriver: every effective grant has exactly one outcome, no proposed role can
/// change access, every deviation says its impact and mitigation.
/// </summary>
public class AzRoleMapperAuthzDetailsTests
{
    // The files that hold roles (one cloudsplaining fixture holds only users and groups).
    public static IEnumerable<object[]> Files() => Directory.GetFiles(TestPaths.Shared("authz-details"), "*.json").OrderBy(f => f)
        .Where(f => { using var d = JsonDocument.Parse(File.ReadAllText(f)); return d.RootElement.TryGetProperty("RoleDetailList", out var r) && r.GetArrayLength() > 0; })
        .Select(f => new object[] { Path.GetFileName(f) });

    [Fact]
    public void TheRealExportsHoldRolesWithGrants()
    {
        Assert.True(Files().Count() >= 4);
        var grants = Files().SelectMany(f => Roles((string)f[0])).Sum(r => GrantDeriver.Default.Derive(r, EngineContext.None).Count);
        Assert.True(grants > 1000, grants + " grants");
    }

    private static List<ExecutionRole> Roles(string file)
    {
        var path = TestPaths.Shared("authz-details", file);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var errors = new ErrorCollector();
        var managed = new Dictionary<string, PolicyDocument>(StringComparer.Ordinal);
        if (root.TryGetProperty("Policies", out var policies))
            foreach (var p in policies.EnumerateArray())
            {
                var arn = p.GetProperty("Arn").GetString()!;
                var version = p.TryGetProperty("DefaultVersionId", out var v) ? v.GetString() : null;
                foreach (var pv in p.GetProperty("PolicyVersionList").EnumerateArray())
                    if (pv.TryGetProperty("IsDefaultVersion", out var d) && d.GetBoolean() || pv.GetProperty("VersionId").GetString() == version)
                    {
                        var doc2 = PolicyParser.Parse(pv.GetProperty("Document"), PolicyKind.Managed, p.GetProperty("PolicyName").GetString()!, new SourceLocation { File = path }, errors, arn);
                        if (doc2 is not null) managed[arn] = doc2;
                        break;
                    }
            }
        var roles = new List<ExecutionRole>();
        foreach (var r in root.GetProperty("RoleDetailList").EnumerateArray())
        {
            var docs = new List<PolicyDocument>();
            foreach (var ip in r.GetProperty("RolePolicyList").EnumerateArray())
                if (PolicyParser.Parse(ip.GetProperty("PolicyDocument"), PolicyKind.Inline, ip.GetProperty("PolicyName").GetString()!, new SourceLocation { File = path }, errors) is { } d) docs.Add(d);
            foreach (var mp in r.GetProperty("AttachedManagedPolicies").EnumerateArray())
            {
                var arn = mp.GetProperty("PolicyArn").GetString()!;
                docs.Add(managed.TryGetValue(arn, out var d) ? d : new PolicyDocument { PolicyName = mp.GetProperty("PolicyName").GetString()!, PolicyArn = arn, Kind = PolicyKind.Managed, IsUnresolved = true });
            }
            roles.Add(new ExecutionRole { RoleArn = r.GetProperty("Arn").GetString()!, RoleName = r.GetProperty("RoleName").GetString()!, Policies = docs, Source = new SourceLocation { File = path } });
        }
        return roles;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryGrantOfEveryRealRoleHasExactlyOneOutcome(string file)
    {
        var roles = Roles(file);
        Assert.NotEmpty(roles);
        var catalog = AzureRoleCatalog.Default;
        var mapper = new AzRoleMapper(GrantDeriver.Default);
        foreach (var role in roles)
        {
            var fn = new LambdaFunctionIdentity { FunctionName = role.RoleName + "-fn", FunctionArn = "arn:aws:lambda:us-east-1:" + Arn.Account(role.RoleArn) + ":function:" + role.RoleName + "-fn", RoleArn = role.RoleArn, ExecutionRole = role };
            var errors = new ErrorCollector();
            var ms = mapper.Map(new[] { fn }, new EngineContext(errors));
            Assert.DoesNotContain(errors.Errors, e => e.ErrorId == "FunctionMappingFailed");
            Assert.Equal(ms.Count, ms.Select(m => m.MappingId).Distinct(StringComparer.Ordinal).Count());
            var grants = GrantDeriver.Default.Derive(role, EngineContext.None);
            T.AssertEveryGrantAccountedOnce(grants, ms, file + " " + role.RoleName);
            foreach (var m in ms.Where(m => m.RoleDefinitionName is not null && !m.RoleDefinitionName.StartsWith("LambdaIdentity ", StringComparison.Ordinal)))
                Assert.False(catalog.IsPrivileged(catalog.FindByName(m.RoleDefinitionName!)!), m.RoleDefinitionName + " for " + role.RoleName);
            Assert.All(ms.Where(m => m.Strategy == MappingStrategy.Deviation), m => Assert.False(string.IsNullOrEmpty(m.Impact) || string.IsNullOrEmpty(m.Mitigation), m.MappingId));
        }
    }

    [Fact]
    public void AdministratorAccessBecomesDeviationsNeverOwner()
    {
        // The aws-cli documentation example attaches AWS managed policies; any role with Action "*" expands to every action.
        var roles = Directory.GetFiles(TestPaths.Shared("authz-details"), "*.json").SelectMany(f => Roles(Path.GetFileName(f)))
            .Where(r => r.Policies.Any(p => p.Statement.Any(s => s.Effect == "Allow" && s.Action.Contains("*") && s.Resource.Contains("*")))).ToList();
        Assert.NotEmpty(roles);
        var role = roles[0];
        var fn = new LambdaFunctionIdentity { FunctionName = "admin-fn", FunctionArn = "arn:aws:lambda:us-east-1:123456789012:function:admin-fn", RoleArn = role.RoleArn, ExecutionRole = role };
        var ms = new AzRoleMapper(GrantDeriver.Default).Map(new[] { fn }, EngineContext.None);
        Assert.DoesNotContain(ms, m => m.RoleDefinitionName is "Owner" or "Contributor" or "User Access Administrator");
        // One deviation with a recommendation, not a row per service (issue 16).
        var admin = Assert.Single(ms, m => m.MappingId.EndsWith("/deviation/administrator-access", StringComparison.Ordinal));
        Assert.Contains(admin.Findings, f => f.FindingId == "AdministratorExecutionRole");
        Assert.DoesNotContain(ms, m => m.RuleId == "access-changing-grants" && m.AwsResources.SequenceEqual(new[] { "*" }));
    }
}

using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Inventory;

/// <summary>People from IAM Identity Center: permission sets and their account assignments become Entra groups with role assignments.</summary>
public class IdentityCenterTests
{
    private static string Dir => Path.Combine(TestPaths.Fixtures, "identity-center");
    private const string Set = "arn:aws:sso:::permissionSet/ssoins-1111222233334444/";
    private const string Developer = Set + "ps-1a2b3c4d5e6f7a8b", Administrator = Set + "ps-2b3c4d5e6f7a8b9c", ReadOnly = Set + "ps-3c4d5e6f7a8b9c0d";

    private static (List<LambdaFunctionIdentity> Inventory, List<AzRoleMapping> Mappings, List<EngineError> Errors) Read(params string[] files)
    {
        var errors = new ErrorCollector();
        var context = new EngineContext(errors);
        var inventory = new InventoryReader().Read(files, new InventoryOptions(), context).ToList();
        var mappings = new AzRoleMapper(GrantDeriver.Default, new MappingOptions()).Map(inventory, context).ToList();
        return (inventory, mappings, errors.Errors.ToList());
    }

    private static string[] All => Directory.GetFiles(Dir, "*.json").OrderBy(f => f, StringComparer.Ordinal).ToArray();

    [Fact]
    public void EachAssignedPermissionSetBecomesAnEntraGroupWithTheAccessItGave()
    {
        var (inventory, mappings, errors) = Read(All);
        Assert.Empty(errors);
        var orders = Assert.Single(inventory, f => f.FunctionName == "orders-api");
        var developer = orders.Principals.Where(p => p.PrincipalArn == Developer).ToList();
        Assert.Contains(developer, p => p.AccessLevel == "Deploy" && p.Actions.Contains("lambda:UpdateFunctionCode"));
        Assert.All(developer, p => { Assert.Equal("Group", p.PrincipalType); Assert.False(p.IsPrivileged); });
        Assert.Equal(new[] { "GROUP 906767f4-a0c1-7036-0e4a-1d2b3c4d5e6f in account 111122223333" }, developer[0].Members);

        var deploy = Assert.Single(mappings, m => m.FunctionName == "orders-api" && m.PrincipalName == "Entra group for " + Developer && m.RoleDefinitionName == "Website Contributor");
        Assert.Equal(IdentitySurface.People, deploy.Surface);
        Assert.Equal("Group", deploy.PrincipalType);
        Assert.False(deploy.PimEligible);
        Assert.Contains("GROUP 906767f4-a0c1-7036-0e4a-1d2b3c4d5e6f in account 111122223333", deploy.Reason);
    }

    [Fact]
    public void APermissionSetThatCanChangeAccessIsPimEligible()
    {
        var (_, mappings, _) = Read(All);
        var admin = mappings.Where(m => m.PrincipalName == "Entra group for " + Administrator).ToList();
        Assert.Contains(admin, m => m.RoleDefinitionName == "Website Contributor");
        Assert.All(admin, m => Assert.True(m.PimEligible));
        Assert.Contains(admin, m => m.Reason.Contains("can change access (IAM write actions)"));
        Assert.Contains("USER c4a8b4e8-1011-7021-9a3b-4c5d6e7f8091 in account 111122223333", admin[0].Reason);
    }

    [Fact]
    public void APermissionSetReachesOnlyTheAccountsItIsAssignedIn()
    {
        var (inventory, _, _) = Read(All);
        var billing = Assert.Single(inventory, f => f.FunctionName == "billing-report");
        Assert.Equal(new[] { ReadOnly }, billing.Principals.Select(p => p.PrincipalArn).Distinct());
        Assert.All(billing.Principals, p => Assert.Equal("Read", p.AccessLevel));
        Assert.DoesNotContain(Assert.Single(inventory, f => f.FunctionName == "orders-api").Principals, p => p.PrincipalArn == ReadOnly);
    }

    [Fact]
    public void AnAssignmentOrPolicyOfAnUndescribedPermissionSetIsAnErrorNamingTheFile()
    {
        // Without the describe-permission-set exports nothing can be joined: each assignment and policy file is reported.
        var files = All.Where(f => !Path.GetFileName(f).StartsWith("sso-admin-describe-permission-set", StringComparison.Ordinal)).ToArray();
        var (inventory, _, errors) = Read(files);
        Assert.All(errors, e => Assert.Equal("PermissionSetUnresolved", e.ErrorId));
        Assert.Contains(errors, e => e.Target.EndsWith("sso-admin-list-account-assignments-111122223333.json") && e.Message.Contains(Developer));
        Assert.Contains(errors, e => e.Target.EndsWith("OrdersDeveloper.sso-admin-get-inline-policy-for-permission-set.json"));
        Assert.Contains(errors, e => e.Target == Set + "ps-4d5e6f7a8b9c0d1e"); // listed, never described
        Assert.DoesNotContain(inventory.SelectMany(f => f.Principals), p => p.PrincipalArn.StartsWith(Set, StringComparison.Ordinal));
    }

    [Fact]
    public void AnAssignedPermissionSetWhosePoliciesWereNotReadIsReported()
    {
        var files = All.Where(f => !Path.GetFileName(f).StartsWith("AdministratorAccess.", StringComparison.Ordinal)).ToArray();
        var (_, _, errors) = Read(files);
        var e = Assert.Single(errors);
        Assert.Equal("PermissionSetPoliciesUnread", e.ErrorId);
        Assert.Equal(Administrator, e.Target);
    }
}

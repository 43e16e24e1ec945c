using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Inventory;

/// <summary>The demo's Cognito user pool, read from cognito-idp exports, designs the Entra External ID side with its deviations.</summary>
public class CognitoUserPoolTests
{
    private static string Dir => Path.Combine(TestPaths.Fixtures, "cognito");
    private const string Pool = "eu-west-1_Ab12Cd34E", Secret = "FIXTURE-CLIENT-SECRET-1b9e6c2f7a4d";

    private static (List<LambdaFunctionIdentity> Inventory, List<AzRoleMapping> Mappings, List<EngineError> Errors) Read(IEnumerable<string> cognitoFiles)
    {
        var errors = new ErrorCollector();
        var context = new EngineContext(errors);
        var files = new[] { Path.Combine(DemoWorkload.Samples, "demo-sam-template.yaml"), Path.Combine(DemoWorkload.Samples, "demo-authz-details.json") }.Concat(cognitoFiles);
        var inventory = new InventoryReader().Read(files, new InventoryOptions(), context).ToList();
        var mappings = new AzRoleMapper(GrantDeriver.Default, new MappingOptions { ResourceMap = DemoWorkload.ResourceMap() }).Map(inventory, context).ToList();
        return (inventory, mappings, errors.Errors.ToList());
    }

    private static string[] All => Directory.GetFiles(Dir, "*.json").OrderBy(f => f, StringComparer.Ordinal).ToArray();

    [Fact]
    public void ThePoolBehindTheApiIsJoinedAndDesignedWithItsDeviations()
    {
        var (inventory, mappings, errors) = Read(All);
        Assert.Empty(errors);
        var api = Assert.Single(inventory, f => f.FunctionName == "dev-orders-api");
        var pool = Assert.Single(api.UserPools);
        Assert.Equal(Pool, pool.Id);
        Assert.Contains("only user pool read", pool.MatchedBy);
        Assert.All(inventory.Where(f => f.FunctionName != "dev-orders-api"), f => Assert.Empty(f.UserPools));

        var items = mappings.Where(m => m.MappingId.StartsWith("dev-orders-api/Setting/cognito/" + Pool + "/", StringComparison.Ordinal)).ToDictionary(m => m.MappingId.Substring(m.MappingId.IndexOf("/cognito/", StringComparison.Ordinal) + 9 + Pool.Length + 1));
        Assert.Equal(new[] { "client/5mexampleclient0web0000001", "client/6nexampleclient0partner002", "custom-attributes", "directory", "group/admins", "group/customers", "hosted-ui", "trigger/PreSignUp", "trigger/PreTokenGeneration", "trigger/UserMigration" },
            items.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.All(items.Values, m => { Assert.Equal(IdentitySurface.EndUser, m.Surface); Assert.Equal("Microsoft Entra External ID", m.AzureService); });

        Assert.Equal(MappingStrategy.Deviation, items["directory"].Strategy);
        Assert.Contains("MFA", items["directory"].AzureFeature);
        var web = items["client/5mexampleclient0web0000001"];
        Assert.Equal(MappingStrategy.BuiltIn, web.Strategy);
        Assert.Contains("https://orders.example.com/callback", web.AzureFeature);
        Assert.Contains("authorization code with PKCE", web.AzureFeature);
        Assert.Contains("has a secret", web.Reason);
        Assert.Contains("Google", web.Reason);
        Assert.Equal(MappingStrategy.Deviation, items["client/6nexampleclient0partner002"].Strategy); // listed, not described
        Assert.Equal(MappingStrategy.Deviation, items["group/admins"].Strategy); // an IAM role through an identity pool
        Assert.Equal(MappingStrategy.BuiltIn, items["group/customers"].Strategy);
        Assert.Contains("custom:tenant_id", items["custom-attributes"].AwsFeature);
        Assert.Contains("OnAttributeCollectionSubmit", items["trigger/PreSignUp"].AzureFeature);
        Assert.Contains("OnTokenIssuanceStart", items["trigger/PreTokenGeneration"].AzureFeature);
        Assert.Equal("No equivalent extension point", items["trigger/UserMigration"].AzureFeature);
        Assert.Contains("orders-auth", items["hosted-ui"].AwsFeature);
        Assert.All(items.Values.Where(m => m.Strategy == MappingStrategy.Deviation), m => { Assert.False(string.IsNullOrEmpty(m.Impact)); Assert.False(string.IsNullOrEmpty(m.Mitigation)); });
    }

    [Fact]
    public void AClientSecretIsNeverKept()
    {
        Assert.Contains(Secret, File.ReadAllText(Path.Combine(Dir, "cognito-idp-describe-user-pool-client-orders-web.json")));
        var (inventory, mappings, _) = Read(All);
        Assert.True(Assert.Single(Assert.Single(inventory, f => f.FunctionName == "dev-orders-api").UserPools).Clients.Single(c => c.ClientName == "orders-web").HasClientSecret);
        Assert.DoesNotContain(Secret, ModelJson.Serialize(inventory));
        Assert.DoesNotContain(Secret, ModelJson.Serialize(mappings));
    }

    [Fact]
    public void WithTwoPoolsAndATokenIssuerNothingIsGuessed()
    {
        var dir = Path.Combine(Path.GetTempPath(), "li-cognito-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var other = Path.Combine(dir, "cognito-idp-describe-user-pool-other.json");
        File.WriteAllText(other, File.ReadAllText(Path.Combine(Dir, "cognito-idp-describe-user-pool-orders.json")).Replace(Pool, "eu-west-1_Zz98Yy76X"));
        var (inventory, _, _) = Read(All.Append(other));
        Assert.All(inventory, f => Assert.Empty(f.UserPools));
    }

    [Fact]
    public void ClientsAndGroupsOfAPoolNotDescribedAreErrorsNamingTheFile()
    {
        var (inventory, _, errors) = Read(All.Where(f => !f.EndsWith("describe-user-pool-orders.json", StringComparison.Ordinal)));
        Assert.All(errors, e => Assert.Equal("UserPoolUnresolved", e.ErrorId));
        Assert.Contains(errors, e => e.Target.EndsWith("cognito-idp-describe-user-pool-client-orders-web.json") && e.Message.Contains(Pool));
        Assert.Contains(errors, e => e.Target.EndsWith("cognito-idp-list-groups-orders.json") && e.Message.Contains("admins"));
        Assert.Equal(4, errors.Count); // two clients, two groups
        Assert.All(inventory, f => Assert.Empty(f.UserPools));
    }
}

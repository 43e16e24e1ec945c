using System.Text.Json;
using LambdaIdentity.Core.Catalogs;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

public class AzureRoleCatalogTests
{
    private static readonly AzureRoleCatalog Catalog = AzureRoleCatalog.Default;

    [Fact]
    public void EmbeddedCatalogEqualsSharedData()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Shared("catalogs", "azure-builtin-role-definitions.json")));
        var shared = doc.RootElement.EnumerateArray().ToList();
        var rbac = Catalog.Roles.Where(r => r.System == RoleSystem.AzureRbac).ToList();
        Assert.Equal(shared.Count, rbac.Count);
        Assert.Equal(928, rbac.Count);
        foreach (var s in shared)
        {
            var name = s.GetProperty("roleName").GetString()!;
            var role = Catalog.FindByName(name);
            Assert.True(role is not null, name + " is missing from the embedded catalog");
            Assert.Equal(s.GetProperty("name").GetString(), role!.Id);
            var perms = s.GetProperty("permissions").EnumerateArray().ToList();
            Assert.Equal(perms.Count, role.Permissions.Count);
            for (var i = 0; i < perms.Count; i++)
            {
                static string[] Arr(JsonElement e, string n) => e.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetString()!).ToArray() : Array.Empty<string>();
                Assert.Equal(Arr(perms[i], "actions"), role.Permissions[i].Actions);
                Assert.Equal(Arr(perms[i], "notActions"), role.Permissions[i].NotActions);
                Assert.Equal(Arr(perms[i], "dataActions"), role.Permissions[i].DataActions);
                Assert.Equal(Arr(perms[i], "notDataActions"), role.Permissions[i].NotDataActions);
            }
        }
    }

    // Every role DESIGN.md names, with the GUID the shared catalog gives it (Cosmos DB's from DESIGN.md itself).
    public static TheoryData<string, string> DesignRoles => new()
    {
        { "Storage Blob Data Reader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1" },
        { "Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe" },
        { "Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b" },
        { "Storage Queue Data Contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88" },
        { "Storage Queue Data Reader", "19e7f393-937e-4f77-808e-94535e297925" },
        { "Storage Queue Data Message Processor", "8a0f0c08-91a1-4084-bc3d-661d67233fed" },
        { "Storage Queue Data Message Sender", "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a" },
        { "Storage Table Data Reader", "76199698-9eea-4c19-bc75-cec21354c6b6" },
        { "Storage Table Data Contributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3" },
        { "Storage Account Contributor", "17d1049b-9a84-46fb-8f53-869881c3d3ab" },
        { "Azure Service Bus Data Sender", "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39" },
        { "Azure Service Bus Data Receiver", "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0" },
        { "Azure Event Hubs Data Sender", "2b629674-e913-4c01-ae53-ef4638d8f975" },
        { "Azure Event Hubs Data Receiver", "a638d3c7-ab3a-418d-83e6-5f17a39d4fde" },
        { "EventGrid Data Sender", "d5a91429-5739-47e2-a06b-3470a27159e7" },
        { "EventGrid EventSubscription Contributor", "428e0ff0-5e57-4d9c-a221-2c70d0e0a443" },
        { "Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6" },
        { "Key Vault Crypto User", "12338af0-0e69-4776-bea7-57ae8d297424" },
        { "App Configuration Data Reader", "516239f1-63e1-4d78-a4de-a74fb236a071" },
        { "Monitoring Metrics Publisher", "3913510d-42f4-4e42-8a64-420c390055eb" },
        { "Website Contributor", "de139f84-1756-47ae-9be6-808fbbe84772" },
        { "Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7" },
        { "Cosmos DB Built-in Data Reader", "00000000-0000-0000-0000-000000000001" },
        { "Cosmos DB Built-in Data Contributor", "00000000-0000-0000-0000-000000000002" },
    };

    [Theory]
    [MemberData(nameof(DesignRoles))]
    public void DesignTableRolesExistWithTheirGuids(string roleName, string guid)
    {
        var design = File.ReadAllText(Path.Combine(TestPaths.SharedData, "..", "DESIGN.md"));
        Assert.Contains(roleName, design);
        var role = Catalog.FindByName(roleName);
        Assert.NotNull(role);
        Assert.Equal(guid, role!.Id);
        Assert.False(Catalog.IsPrivileged(role), roleName + " must not count as able to change access");
    }

    [Theory]
    [InlineData("Owner")]
    [InlineData("Contributor")]
    [InlineData("User Access Administrator")]
    [InlineData("Role Based Access Control Administrator")]
    [InlineData("Key Vault Data Access Administrator")]
    public void RolesThatCanChangeAccessArePrivileged(string roleName)
        => Assert.True(Catalog.IsPrivileged(Catalog.FindByName(roleName)!));

    [Theory]
    [InlineData("Microsoft.ServiceBus/*/send/action", "Microsoft.ServiceBus/namespaces/messages/send/action", true)]
    [InlineData("*/read", "Microsoft.Web/sites/read", true)]
    [InlineData("*/read", "Microsoft.Web/sites/write", false)]
    [InlineData("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*", "microsoft.storage/storageaccounts/blobservices/containers/blobs/read", true)]
    [InlineData("Microsoft.Web/sites/*", "Microsoft.Web/serverFarms/read", false)]
    public void OperationPatternsMatchCaseInsensitivelyWithStarAcrossSegments(string pattern, string op, bool expected)
        => Assert.Equal(expected, AzureOperationPattern.Matches(pattern, op));

    [Fact]
    public void NotActionsAreSubtracted()
    {
        var contributor = Catalog.FindByName("Contributor")!;
        Assert.True(contributor.Allows("Microsoft.Web/sites/write", false));
        Assert.False(contributor.Allows("Microsoft.Authorization/roleAssignments/write", false));
        Assert.DoesNotContain("Microsoft.Authorization/roleAssignments/write", Catalog.Granted(contributor).Actions);
    }
}

using LambdaIdentity.Core.Translation;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

public class ResourceMapTests
{
    private static string Fixture(string name) => Path.Combine(TestPaths.Fixtures, "translation", name);

    [Fact]
    public void CsvWithPatternsStayOnAwsAndHostStorage()
    {
        var map = ResourceMap.Load(Fixture("resourcemap-load-valid.csv"));
        Assert.Equal(3, map.Entries.Count);
        Assert.EndsWith("/containers/orders", map.Resolve("arn:aws:s3:::orders")!.Azure);
        Assert.True(map.Resolve("arn:aws:dynamodb:eu-west-1:123456789012:table/LegacyOrders")!.StayOnAws);
        Assert.Null(map.Resolve("arn:aws:dynamodb:eu-west-1:123456789012:table/Orders"));
        Assert.EndsWith("sthost", map.Resolve(ResourceMap.HostStorageKey)!.Azure);
    }

    [Fact]
    public void FlatJsonObjectMapsArnToId()
    {
        var map = ResourceMap.Load(Fixture("resourcemap-load-flat.json"));
        Assert.EndsWith("/queues/orders", map.Resolve("arn:aws:sqs:eu-west-1:123456789012:orders")!.Azure);
    }

    [Fact]
    public void InvalidMapListsEveryProblem()
    {
        var ex = Assert.Throws<ResourceMapException>(() => ResourceMap.Load(Fixture("resourcemap-load-invalid.json")));
        Assert.Contains(ex.Errors, e => e.Message.Contains("'storageaccount-a'") && e.Message.Contains("not an Azure resource ID"));
        Assert.Contains(ex.Errors, e => e.Message.Contains("resources[1].aws is required"));
        Assert.Contains(ex.Errors, e => e.Message.Contains("appears 2 times"));
        Assert.All(ex.Errors, e => Assert.Equal("ResourceMapInvalid", e.ErrorId));
    }

    [Fact]
    public void ExactArnWinsOverPatternAndLongerPatternWinsOverShorter()
    {
        var map = new ResourceMap(new[]
        {
            new ResourceMapEntry { Aws = "arn:aws:s3:::*", Azure = "/a" },
            new ResourceMapEntry { Aws = "arn:aws:s3:::logs-*", Azure = "/b" },
            new ResourceMapEntry { Aws = "arn:aws:s3:::logs-2024", Azure = "/c" },
        });
        Assert.Equal("/c", map.Resolve("arn:aws:s3:::logs-2024")!.Azure);
        Assert.Equal("/b", map.Resolve("arn:aws:s3:::logs-2025")!.Azure);
        Assert.Equal("/a", map.Resolve("arn:aws:s3:::other")!.Azure);
    }

    [Fact]
    public void SkeletonRoundTripsAndUnfilledEntriesStayUnmapped()
    {
        var skeleton = new ResourceMap(new[] { new ResourceMapEntry { Aws = "arn:aws:s3:::orders", Azure = "", AzureResourceType = "Microsoft.Storage/storageAccounts/blobServices/containers", UsedBy = new[] { "fn" } } });
        var back = ResourceMap.ParseJson(skeleton.ToJson(), "skeleton.json");
        Assert.Equal("arn:aws:s3:::orders", Assert.Single(back.Entries).Aws);
        Assert.Null(back.Resolve("arn:aws:s3:::orders"));
    }

    [Fact]
    public void FunctionAppKeysPlaceAppsInASiteOrAResourceGroup()
    {
        var map = ResourceMap.ParseJson("""
            { "resources": [
              { "aws": "function-app:*", "azure": "/subscriptions/s/resourceGroups/rg-apps" },
              { "aws": "function-app:legacy-*", "azure": "/subscriptions/s/resourceGroups/rg-legacy/providers/Microsoft.Web/sites/legacy-host/" }
            ] }
            """, "map.json");
        Assert.Equal(("func-orders", "/subscriptions/s/resourceGroups/rg-apps/providers/Microsoft.Web/sites/func-orders"), map.ResolveFunctionApp("orders", "func-orders"));
        Assert.Equal(("legacy-host", "/subscriptions/s/resourceGroups/rg-legacy/providers/Microsoft.Web/sites/legacy-host"), map.ResolveFunctionApp("legacy-a", "func-legacy-a"));
        Assert.Null(ResourceMap.Empty.ResolveFunctionApp("orders", "func-orders"));
    }

    [Fact]
    public void FunctionAppKeyMustNameASiteOrAResourceGroup()
    {
        var ex = Assert.Throws<ResourceMapException>(() => ResourceMap.ParseJson("""
            { "resources": [
              { "aws": "function-app:orders", "azure": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st" },
              { "aws": "function-app:billing", "stayOnAws": true }
            ] }
            """, "map.json"));
        Assert.Contains(ex.Errors, e => e.Message.Contains("must be a function app"));
        Assert.Contains(ex.Errors, e => e.Message.Contains("cannot stay on AWS"));
    }

    [Fact]
    public void PrincipalKeysNameEntraObjectIdsAndNothingElse()
    {
        var map = ResourceMap.ParseJson("""
            { "resources": [ { "aws": "principal:arn:aws:iam::111122223333:role/deploy", "azure": "3c1a9e52-7f0b-4d6e-9a21-5b8c4f0d2e17" } ] }
            """, "map.json");
        Assert.Equal("3c1a9e52-7f0b-4d6e-9a21-5b8c4f0d2e17", map.ResolvePrincipal("arn:aws:iam::111122223333:role/deploy"));
        Assert.Null(map.ResolvePrincipal("arn:aws:iam::111122223333:role/other"));
        var ex = Assert.Throws<ResourceMapException>(() => ResourceMap.ParseJson("""
            { "resources": [ { "aws": "principal:arn:aws:iam::111122223333:group/devs", "azure": "/subscriptions/s" } ] }
            """, "map.json"));
        Assert.Contains(ex.Errors, e => e.Message.Contains("not an Entra object ID"));
    }
}

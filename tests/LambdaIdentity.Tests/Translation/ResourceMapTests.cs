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
}

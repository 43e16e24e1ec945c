using System.Text.Json;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Contract;

/// <summary>
/// What the cmdlets do with piped objects that are not the records themselves: deserialised copies convert
/// back into the records; key properties bound by name rebuild a record that says what it lacks.
/// </summary>
public sealed class PipelineRecordsTests
{
    private static readonly string[] Demo =
    {
        Path.Combine(TestPaths.RepoRoot, "module", "samples", "demo-sam-template.yaml"),
        Path.Combine(TestPaths.RepoRoot, "module", "samples", "demo-authz-details.json"),
    };

    private static List<LambdaFunctionIdentity> Inventory() => new InventoryReader().Read(Demo, new InventoryOptions(), EngineContext.None).ToList();

    private static List<AzRoleMapping> Map(IEnumerable<LambdaFunctionIdentity> functions)
        => new AzRoleMapper(GrantDeriver.Default, new MappingOptions()).Map(functions.ToList(), EngineContext.None).ToList();

    /// <summary>What ConvertFrom-Json makes of JSON: property bags, object arrays, Int64/Double, strings, booleans, nulls.</summary>
    private static object? LikeConvertFromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => LikeConvertFromJson(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().Select(LikeConvertFromJson).ToArray(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static List<Dictionary<string, object?>> Copies<T>(IEnumerable<T> records)
    {
        using var doc = JsonDocument.Parse(ModelJson.Serialize(records));
        return doc.RootElement.EnumerateArray().Select(e => (Dictionary<string, object?>)LikeConvertFromJson(e)!).ToList();
    }

    [Fact]
    public void ADeserialisedInventoryConvertsBackIntoTheSameRecordsAndTheSameDesign()
    {
        var inventory = Inventory();
        Assert.Equal(5, inventory.Count);
        var copies = Copies(inventory);
        Assert.All(copies, c => Assert.True(PipelineRecords.IsCopyOf(typeof(LambdaFunctionIdentity), c.Keys)));
        var rebuilt = copies.Select(PipelineRecords.FromPropertyTree<LambdaFunctionIdentity>).ToList();
        Assert.Equal(ModelJson.Serialize(inventory), ModelJson.Serialize(rebuilt));
        Assert.Equal(ModelJson.Serialize(Map(inventory)), ModelJson.Serialize(Map(rebuilt)));
    }

    [Fact]
    public void DeserialisedMappingsAndParityResultsConvertBack()
    {
        var mappings = Map(Inventory());
        Assert.Contains(mappings, m => m.Settings.Count > 0);
        var rebuilt = Copies(mappings).Select(PipelineRecords.FromPropertyTree<AzRoleMapping>).ToList();
        Assert.Equal(ModelJson.Serialize(mappings), ModelJson.Serialize(rebuilt));
        var results = new[] { new IdentityParityResult { FunctionName = "f", FunctionAppName = "f-app", Status = ParityStatus.Excess, Kind = MappingKind.RoleAssignment, Scope = "/subscriptions/x" } };
        var back = Copies(results).Select(PipelineRecords.FromPropertyTree<IdentityParityResult>).Single();
        Assert.Equal(ParityStatus.Excess, back.Status);
        Assert.Equal(ModelJson.Serialize(results), ModelJson.Serialize(new[] { back }));
    }

    [Fact]
    public void OnlyCopiesOfARecordAreTakenForOne()
    {
        // An Import-Csv row or an AWS.Tools FunctionConfiguration names a function but is not a copy of the record.
        Assert.False(PipelineRecords.IsCopyOf(typeof(LambdaFunctionIdentity), new[] { "FunctionName", "FunctionArn", "Role" }));
        Assert.False(PipelineRecords.IsCopyOf(typeof(AzRoleMapping), new[] { "RoleDefinitionName", "RoleDefinitionId", "Scope", "ObjectId", "DisplayName" }));
        Assert.False(PipelineRecords.IsCopyOf(typeof(string), new[] { "Length" }));
        Assert.Throws<ArgumentException>(() => PipelineRecords.FromPropertyTree(typeof(string), new Dictionary<string, object?>()));
        // A value that does not fit the record's property is an error, not a silent default.
        var bad = new Dictionary<string, object?> { ["FunctionName"] = "f", ["FunctionArn"] = "a", ["IsComplete"] = "maybe" };
        Assert.ThrowsAny<JsonException>(() => PipelineRecords.FromPropertyTree<LambdaFunctionIdentity>(bad));
    }

    [Fact]
    public void AFunctionRebuiltFromItsKeysIsMarkedIncomplete()
    {
        var f = PipelineRecords.FunctionFromKeys(" orders-api ", "arn:aws:lambda:eu-west-1:123456789012:function:orders-api", "arn:aws:iam::123456789012:role/orders");
        Assert.Equal("orders-api", f.FunctionName);
        Assert.Equal("arn:aws:iam::123456789012:role/orders", f.RoleArn);
        Assert.False(f.IsComplete);
        Assert.Equal(PipelineRecords.RebuiltFunctionReason, Assert.Single(f.IncompleteReasons));
        Assert.Equal("", PipelineRecords.FunctionFromKeys("x", null, null).FunctionArn);
        // Mapped, every rebuilt function still gets its design (identity, host), and nothing pretends to be complete.
        var rebuilt = Inventory().Select(i => PipelineRecords.FunctionFromKeys(i.FunctionName, i.FunctionArn, i.RoleArn)).ToList();
        var mapped = Map(rebuilt);
        Assert.Equal(rebuilt.Select(r => r.FunctionName).OrderBy(n => n), mapped.Select(m => m.FunctionName).Distinct().OrderBy(n => n));
        Assert.Throws<ArgumentException>(() => PipelineRecords.FunctionFromKeys(" ", null, null));
    }

    [Fact]
    public async Task AnAssignmentPipedByPropertyNameIsCheckedAgainstTheState()
    {
        var state = await new AzureStateReader().ReadAsync(new[] { Path.Combine(TestPaths.Fixtures, "parity", "azure-state") }, EngineContext.None);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Fixtures, "parity", "azure-state", "az-role-assignment-list-all.json")));
        var a = doc.RootElement[0];
        string S(string p) => a.GetProperty(p).GetString()!;
        // As Get-AzRoleAssignment prints them: RoleDefinitionName, RoleDefinitionId (a GUID), Scope, ObjectId.
        var present = PipelineRecords.AssignmentFromKeys(S("roleDefinitionName"), S("roleDefinitionId").Split('/').Last(), S("scope"), S("principalId"));
        var elsewhere = PipelineRecords.AssignmentFromKeys(S("roleDefinitionName"), null, S("scope") + "/blobServices/default/containers/other", S("principalId"));
        var results = ParityChecker.Check(new[] { present, elsewhere }, state, new ParityOptions(), EngineContext.None);
        Assert.Equal(ParityStatus.Pass, results.Single(r => r.MappingId == present.MappingId).Status);
        Assert.NotEqual(ParityStatus.Pass, results.Single(r => r.MappingId == elsewhere.MappingId).Status);
        Assert.Equal(present.MappingId, PipelineRecords.AssignmentFromKeys(S("roleDefinitionName"), S("roleDefinitionId").Split('/').Last(), S("scope").ToUpperInvariant(), S("principalId")).MappingId.ToLowerInvariant());
        Assert.Throws<ArgumentException>(() => PipelineRecords.AssignmentFromKeys(null, " ", S("scope"), null));
        Assert.Throws<ArgumentException>(() => PipelineRecords.AssignmentFromKeys("Reader", null, "", null));
    }
}

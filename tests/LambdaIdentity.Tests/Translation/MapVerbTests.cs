using System.Text.Json;
using LambdaIdentity.Cli;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

public class MapVerbTests
{
    private static (int Code, string Out, string Err) Run(string stdin, params string[] args)
    {
        var o = new StringWriter(); var e = new StringWriter();
        var code = Program.Run(args, o, e, new StringReader(stdin));
        return (code, o.ToString(), e.ToString());
    }

    private static string InventoryJson(string template)
    {
        var (code, json, err) = Run("", "inventory", "--path", TestPaths.Shared("sam", "serverless-patterns", template, "template.yaml"), "--format", "json");
        Assert.True(code == 0, err);
        return json;
    }

    [Fact]
    public void MapReadsInventoryFromStdinAndWritesMappingJson()
    {
        var (code, json, err) = Run(InventoryJson("apigw-lambda-dynamodb"), "map", "--inventory", "-", "--format", "json");
        Assert.True(code == 0, err);
        var ms = ModelJson.Read<AzRoleMapping>(json);
        Assert.Contains(ms, m => m.RoleDefinitionName == "Cosmos DB Built-in Data Contributor" && m.RoleAssignmentType == "CosmosDbSql");
        Assert.Contains(ms, m => m.Kind == MappingKind.ManagedIdentity && m.IdentityType == "SystemAssigned");
    }

    [Fact]
    public void MapTableShowsTheDocumentedColumns()
    {
        var inv = Path.GetTempFileName();
        File.WriteAllText(inv, InventoryJson("lambda-s3-download"));
        var (code, table, err) = Run("", "map", "--inventory", inv, "--hosting-plan", "Premium");
        Assert.True(code == 0, err);
        var header = table.Split('\n')[0];
        Assert.Equal(new[] { "FunctionName", "Surface", "Strategy", "RoleDefinitionName", "Scope" }, header.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Storage Blob Data Contributor", table);
        Assert.Contains("Deviation", table);     // Premium: key-based content share
        File.Delete(inv);
    }

    [Fact]
    public void InvalidRuleFileExitsTwoWithOneErrorPerProblem()
    {
        var (code, _, err) = Run(InventoryJson("apigw-lambda-dynamodb"), "map", "--inventory", "-", "--rule-set", Path.Combine(TestPaths.Fixtures, "translation", "rules-load-invalid-rules.json"));
        Assert.Equal(2, code);
        Assert.True(err.Split('\n').Count(l => l.StartsWith("error: RuleSetInvalid")) >= 10, err);
    }

    [Fact]
    public void ResourceMapSkeletonThenFilledMapGivesRealScopesAndExportTemplateDeploysThem()
    {
        var dir = Directory.CreateTempSubdirectory("li-map-").FullName;
        var inv = Path.Combine(dir, "inventory.json");
        File.WriteAllText(inv, InventoryJson("apigw-lambda-dynamodb"));
        var mapFile = Path.Combine(dir, "resource-map.json");
        var (code, _, err) = Run("", "resource-map", "--inventory", inv, "--out", mapFile);
        Assert.True(code == 0, err);
        using (var doc = JsonDocument.Parse(File.ReadAllText(mapFile)))
        {
            var entries = doc.RootElement.GetProperty("resources").EnumerateArray().ToList();
            var table = Assert.Single(entries, e => e.GetProperty("aws").GetString()!.Contains(":table/"));
            Assert.Equal("", table.GetProperty("azure").GetString());
            Assert.Equal("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers", table.GetProperty("azureResourceType").GetString());
            Assert.Contains(entries, e => e.GetProperty("aws").GetString() == "host-storage");
            // The keys that place each app, name the audit workspace, and (with authorization details) name principals.
            var functions = ModelJson.Read<LambdaFunctionIdentity>(File.ReadAllText(inv));
            foreach (var f in functions)
                Assert.Contains(entries, e => e.GetProperty("aws").GetString() == "function-app:" + f.FunctionName && e.GetProperty("azureResourceType").GetString() == "Microsoft.Web/sites");
            Assert.Contains(entries, e => e.GetProperty("aws").GetString() == "log-analytics");
        }
        // Fill the table's entry, as a user would.
        var text = File.ReadAllText(mapFile);
        var cosmosId = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/acc/sqlDatabases/db/containers/weather";
        var filled = System.Text.RegularExpressions.Regex.Replace(text, "(\"aws\": \"[^\"]*:table/[^\"]*\",\\s*\"azure\": )\"\"", "$1\"" + cosmosId + "\"");
        Assert.NotEqual(text, filled);
        File.WriteAllText(mapFile, filled);
        var (code2, json, err2) = Run("", "map", "--inventory", inv, "--resource-map", mapFile, "--format", "json");
        Assert.True(code2 == 0, err2);
        var cosmos = Assert.Single(ModelJson.Read<AzRoleMapping>(json), m => m.RoleAssignmentType == "CosmosDbSql" && m.Surface == IdentitySurface.Workload);
        Assert.Equal(cosmosId, cosmos.Scope);
        Assert.False(cosmos.ScopeIsPlaceholder);
        var (code3, arm, err3) = Run(json, "export-template", "--mapping", "-", "--format", "armjson");
        Assert.True(code3 == 0, err3);
        Assert.Contains("/databaseAccounts/acc/dbs/db/colls/weather", arm);
        var (code4, bicep, _) = Run(json, "export-template", "--mapping", "-");
        Assert.Equal(0, code4);
        Assert.Contains("sqlRoleAssignments@", bicep);
        Directory.Delete(dir, true);
    }
}

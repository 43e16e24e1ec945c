using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Json.Schema;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

/// <summary>The published mapping-rules.schema.json: the shipped rules follow it, and it names exactly what the loader reads.</summary>
public class MappingRulesSchemaTests
{
    private static string DataDir => Path.Combine(TestPaths.RepoRoot, "src", "LambdaIdentity.Core", "Catalogs", "Data");
    private static string SchemaText => File.ReadAllText(Path.Combine(DataDir, "mapping-rules.schema.json"));
    private static string RulesText => File.ReadAllText(Path.Combine(DataDir, "mapping-rules.json"));

    // Built once: the schema registers its $id globally.
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(SchemaText));

    private static EvaluationResults Evaluate(string json)
    {
        var schema = Schema.Value;
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return schema.Evaluate(doc.RootElement.Clone(), new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Problems(EvaluationResults r)
        => string.Join("\n", (r.Details ?? new List<EvaluationResults>()).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => d.InstanceLocation + ": " + e.Key + " " + e.Value)));

    [Fact]
    public void ShippedRulesFollowThePublishedSchema()
    {
        var r = Evaluate(RulesText);
        Assert.True(r.IsValid, "mapping-rules.json does not follow mapping-rules.schema.json:\n" + Problems(r));
    }

    [Theory]
    [InlineData("grantRules", 0, "awsAction", "[\"s3:GetObject\"]")]          // a typo the loader also rejects
    [InlineData("grantRules", 0, "outcome", "\"Maybe\"")]
    [InlineData("triggerRules", 0, "usesHostStorage", "\"yes\"")]
    [InlineData("hostStorageRoles", 0, "role", "7")]
    [InlineData("conditionMitigations", 0, "conditionKeys", "[]")]
    [InlineData("eventSourceServices", 0, "service", "\"arn:aws:sqs\"")]
    public void SchemaRejectsWhatTheLoaderRejects(string list, int index, string property, string value)
    {
        var root = JsonNode.Parse(RulesText)!.AsObject();
        root[list]![index]!.AsObject()[property] = JsonNode.Parse(value);
        var text = root.ToJsonString();
        Assert.False(Evaluate(text).IsValid, list + "[" + index + "]." + property + " = " + value + " passed the schema");
        Assert.Throws<RuleSetException>(() => RuleSetLoader.Parse(text, "edited.json", AzureRoleCatalog.Default));
    }

    [Fact]
    public void FixtureWithAnUnknownPropertyFailsTheSchemaAsItFailsTheLoader()
    {
        var text = File.ReadAllText(Path.Combine(TestPaths.Fixtures, "translation", "rules-load-unknown-property.json"));
        Assert.False(Evaluate(text).IsValid);
    }

    // Every object of the schema against the type the loader reads it into: same property names, same enum values.
    public static IEnumerable<object[]> SchemaObjects() => new[]
    {
        new object[] { "", typeof(MappingRuleSet) },
        new object[] { "/$defs/grantRule", typeof(GrantRule) },
        new object[] { "/$defs/triggerRule", typeof(TriggerRule) },
        new object[] { "/properties/principalRules/items", typeof(PrincipalRule) },
        new object[] { "/properties/excludedRoles/items", typeof(ExcludedRole) },
        new object[] { "/properties/scopeNormalizers/items", typeof(ScopeNormalizer) },
        new object[] { "/properties/hostStorageRoles/items", typeof(HostStorageRole) },
        new object[] { "/properties/conditionMitigations/items", typeof(ConditionMitigation) },
        new object[] { "/properties/eventSourceServices/items", typeof(EventSourceService) },
    };

    [Theory]
    [MemberData(nameof(SchemaObjects))]
    public void SchemaAndModelNameTheSameProperties(string pointer, Type type)
    {
        var node = Resolve(pointer);
        Assert.Equal(false, node["additionalProperties"]?.GetValue<bool>());
        var inSchema = node["properties"]!.AsObject().Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var inModel = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        Assert.True(inSchema.SequenceEqual(inModel),
            "mapping-rules.schema.json" + (pointer.Length == 0 ? "" : "#" + pointer) + " drifted from " + type.Name + ": schema [" + string.Join(", ", inSchema) + "], model [" + string.Join(", ", inModel) + "]");
    }

    [Theory]
    [InlineData("/$defs/grantRule/properties/outcome", typeof(RuleOutcome))]
    [InlineData("/$defs/grantRule/properties/roleSystem", typeof(RoleSystem))]
    [InlineData("/$defs/grantRule/properties/accessLevels/items", typeof(AccessLevel))]
    public void SchemaEnumsAreTheModelsEnums(string pointer, Type enumType)
    {
        var inSchema = Resolve(pointer)["enum"]!.AsArray().Select(v => v!.GetValue<string>()).OrderBy(v => v, StringComparer.Ordinal);
        Assert.Equal(Enum.GetNames(enumType).OrderBy(v => v, StringComparer.Ordinal), inSchema);
    }

    private static JsonObject Resolve(string pointer)
    {
        JsonNode node = JsonNode.Parse(SchemaText)!;
        foreach (var part in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries)) node = node[part]!;
        return node.AsObject();
    }
}

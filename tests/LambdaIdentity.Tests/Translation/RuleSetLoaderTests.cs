using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

public class RuleSetLoaderTests
{
    private static string Fixture(string name) => Path.Combine(TestPaths.Fixtures, "translation", name);

    [Fact]
    public void DefaultRulesAreValid()
    {
        var rules = RuleSetLoader.Default;
        Assert.Empty(RuleSetLoader.Validate(rules, "default", AzureRoleCatalog.Default));
        Assert.True(rules.GrantRules.Count > 20);
        Assert.Contains(rules.TriggerRules, t => t.Id == "sqs-trigger");
    }

    [Fact]
    public void MalformedJsonNamesTheFileAndLine()
    {
        var ex = Assert.Throws<RuleSetException>(() => RuleSetLoader.LoadAndMerge(Fixture("rules-load-malformed.json")));
        var e = Assert.Single(ex.Errors);
        Assert.Equal("RuleSetInvalid", e.ErrorId);
        Assert.EndsWith("rules-load-malformed.json", e.Target);
        Assert.True(e.Location!.Line >= 5, "line " + e.Location.Line);
    }

    [Fact]
    public void UnknownPropertyIsRejectedWithItsName()
    {
        var ex = Assert.Throws<RuleSetException>(() => RuleSetLoader.LoadAndMerge(Fixture("rules-load-unknown-property.json")));
        Assert.Contains("azureServce", ex.Message);
    }

    [Fact]
    public void UnknownOutcomeIsRejected()
    {
        var ex = Assert.Throws<RuleSetException>(() => RuleSetLoader.LoadAndMerge(Fixture("rules-load-bad-outcome.json")));
        Assert.Contains("outcome", ex.Errors[0].Location!.Path);
    }

    [Fact]
    public void EveryInvalidRuleIsReportedWithItsPath()
    {
        var ex = Assert.Throws<RuleSetException>(() => RuleSetLoader.LoadAndMerge(Fixture("rules-load-invalid-rules.json")));
        var byPath = ex.Errors.Select(e => e.Location!.Path + " " + e.Message).ToList();
        void Has(string path, string text) => Assert.Contains(byPath, m => m.StartsWith(path) && m.Contains(text));
        Has("$.schemaVersion", "must be 1");
        Has("$.scopeNormalizers[0].pattern", "regular expression");
        Has("$.grantRules[0]", "needs actions or dataActions");
        Has("$.grantRules[1].dataActions", "blobs/reed");
        Has("$.grantRules[2].mitigation", "required");
        Has("$.grantRules[3].awsActions", "'GetObject' is not an IAM action pattern");
        Has("$.grantRules[4].id", "duplicate rule id 'dup'");
        Has("$.grantRules[4].reason", "required");
        Has("$.triggerRules[0].roles", "'Owner' can change access");
        Has("$.triggerRules[0].roles", "'Service Bus Data Wizard' is not a built-in role");
        Assert.All(ex.Errors, e => Assert.Equal(EngineErrorCategory.InvalidData, e.Category));
    }

    [Fact]
    public void MissingFileIsObjectNotFound()
    {
        var ex = Assert.Throws<RuleSetException>(() => RuleSetLoader.LoadAndMerge(Fixture("does-not-exist.json")));
        Assert.Equal(EngineErrorCategory.ObjectNotFound, ex.Errors[0].Category);
    }

    [Fact]
    public void UserRulesOverrideByIdAndNewRulesTakePriority()
    {
        var rules = RuleSetLoader.LoadAndMerge(Fixture("rules-override-valid.json"));
        Assert.Equal(RuleSetLoader.Default.GrantRules.Count + 1, rules.GrantRules.Count);
        Assert.Equal("ses-not-needed", rules.GrantRules[0].Id);
        Assert.Equal("Event Grid", rules.GrantRules.Single(r => r.Id == "sns-publish").AzureService);
        var ses = rules.Match(new EffectiveGrant { Service = "ses", Action = "ses:SendEmail", AccessLevel = AccessLevel.Write });
        Assert.Equal("ses-not-needed", ses!.Id);
        var f = T.Function("fn", "r");
        var ms = new AzRoleMapper(new FixedGrantDeriver(f.RoleArn, T.Grant("sns:Publish", AccessLevel.Write, "arn:aws:sns:eu-west-1:123456789012:t")), new MappingOptions { RuleSet = rules })
            .Map(new[] { f }, LambdaIdentity.Core.EngineContext.None);
        Assert.Equal("EventGrid Data Sender", Assert.Single(ms, m => m.RuleId == "sns-publish").RoleDefinitionName);
    }
}

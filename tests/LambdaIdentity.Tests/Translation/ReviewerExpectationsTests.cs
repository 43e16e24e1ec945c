using System.Text.Json;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

/// <summary>The reviewer-labelled expectations of tests/fixtures/translation/reviewer-expectations.json, on real templates.</summary>
public class ReviewerExpectationsTests
{
    private static readonly string File_ = Path.Combine(TestPaths.Fixtures, "translation", "reviewer-expectations.json");

    public static IEnumerable<object[]> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(File_));
        var i = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            yield return new object[] { i++ + ": " + c.GetProperty("template").GetString() + " " + c.GetProperty("function").GetString() };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MappingIsWhatTheReviewerSigns(string label)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(File_));
        var c = doc.RootElement.GetProperty("cases")[int.Parse(label.Substring(0, label.IndexOf(':')))];
        string? S(string name) => c.TryGetProperty(name, out var v) ? v.GetString() : null;
        var ctx = new EngineContext(new ErrorCollector());
        // Real templates of shared/data; "fixtures/..." where no real sample exists (adapted or written to the AWS schema, see the fixture's header).
        var template = S("template")!;
        var path = template.StartsWith("fixtures/", StringComparison.Ordinal)
            ? Path.Combine(new[] { TestPaths.Fixtures }.Concat(template.Substring("fixtures/".Length).Split('/')).ToArray())
            : TestPaths.Shared(template.Split('/'));
        Assert.True(File.Exists(path), path + " does not exist");
        var inv = new InventoryReader().Read(new[] { path }, new InventoryOptions(), ctx).ToList();
        Assert.Contains(inv, f => f.FunctionName == S("function"));
        var ms = new AzRoleMapper(GrantDeriver.Default).Map(inv, ctx).ToList();
        var m = Assert.Single(ms, m => m.FunctionName == S("function") && m.Kind.ToString() == S("kind") && m.Surface.ToString() == S("surface")
                                       && (S("mappingIdContains") is not { } frag || m.MappingId.Contains(frag, StringComparison.Ordinal)));
        var why = S("why");
        Assert.True(m.Strategy.ToString() == S("strategy"), m.MappingId + ": " + m.Strategy + ", the reviewer signs " + S("strategy") + " (" + why + ")");
        Assert.NotEqual("Unknown", m.AzureFeature);
        if (c.TryGetProperty("settings", out var settings))
            foreach (var kv in settings.EnumerateObject())
                Assert.True(m.Settings.TryGetValue(kv.Name, out var v) && v == kv.Value.GetString(), m.MappingId + ": " + kv.Name + " = " + (v ?? "(none)") + ", the reviewer signs " + kv.Value.GetString() + " (" + why + ")");
        if (c.TryGetProperty("notSettings", out var not))
            foreach (var kv in not.EnumerateObject())
                Assert.False(m.Settings.TryGetValue(kv.Name, out var v) && v == kv.Value.GetString(), m.MappingId + ": " + kv.Name + " must not be " + kv.Value.GetString() + " (" + why + ")");
        if (c.TryGetProperty("findings", out var findings))
            foreach (var f in findings.EnumerateArray())
                Assert.Contains(m.Findings, x => x.FindingId == f.GetString());
        if (S("azureFeatureContains") is { } feature) Assert.Contains(feature, m.AzureFeature, StringComparison.Ordinal);
        if (S("role") is { } role) Assert.True(m.RoleDefinitionName == role, m.MappingId + ": role " + m.RoleDefinitionName + ", the reviewer signs " + role + " (" + why + ")");
        if (S("scopeContains") is { } scope) Assert.True(m.Scope?.Contains(scope, StringComparison.Ordinal) == true, m.MappingId + ": scope " + m.Scope + ", the reviewer signs one containing " + scope + " (" + why + ")");
        if (S("mitigationContains") is { } mitigation) Assert.Contains(mitigation, m.Mitigation ?? "", StringComparison.Ordinal);
        if (m.Strategy == MappingStrategy.Deviation)
            Assert.True(!string.IsNullOrEmpty(m.Impact) && !string.IsNullOrEmpty(m.Mitigation), m.MappingId + ": a deviation needs impact and mitigation");
    }
}

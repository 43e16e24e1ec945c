using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Core.Translation;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

public class MappingReferenceTests
{
    private static string DocPath => Path.Combine(TestPaths.RepoRoot, "docs", "mapping-reference.md");

    [Fact]
    public void CommittedReferenceEqualsWhatTheRulesGenerate()
    {
        var generated = MappingReference.Generate(RuleSetLoader.Default, AzureRoleCatalog.Default);
        if (Environment.GetEnvironmentVariable("LAMBDAIDENTITY_REGENERATE_DOCS") == "1") File.WriteAllText(DocPath, generated);
        Assert.True(File.Exists(DocPath), "docs/mapping-reference.md is missing; run the tests with LAMBDAIDENTITY_REGENERATE_DOCS=1");
        Assert.True(File.ReadAllText(DocPath).Replace("\r\n", "\n") == generated,
            "docs/mapping-reference.md differs from what mapping-rules.json generates; run the tests with LAMBDAIDENTITY_REGENERATE_DOCS=1 and commit");
    }

    [Fact]
    public void ReferenceNamesTheComputedRoles()
    {
        var generated = MappingReference.Generate(RuleSetLoader.Default, AzureRoleCatalog.Default);
        Assert.Contains("| s3-object-read |", generated);
        Assert.Contains("Storage Blob Data Reader (", generated);
        Assert.Contains("Cosmos DB Built-in Data Contributor (10), Cosmos DB SQL role", generated);
        Assert.Contains("custom (Storage Account Contributor grants", generated);
    }
}

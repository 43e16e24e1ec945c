using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using LambdaIdentity.Model;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace LambdaIdentity.Tests.Parity;

/// <summary>The Azure DevOps step template and the format view call real types and publish JUnit.</summary>
public class PipelineTemplateTests
{
    private static string TemplatePath => Path.Combine(TestPaths.RepoRoot, "module", "azure-pipelines", "identity-parity.yml");

    [Fact]
    public void TemplateInstallsRunsAndPublishesJUnitEvenOnFailure()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(TemplatePath)));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var parameters = ((YamlSequenceNode)root["parameters"]).Cast<YamlMappingNode>().Select(p => ((YamlScalarNode)p["name"]).Value).ToList();
        Assert.Equal(new[] { "mappingPath", "azureStatePath", "subscriptionId", "azureSubscription", "failOn", "moduleVersion", "resultsFile" }, parameters);
        var failOn = ((YamlSequenceNode)root["parameters"]).Cast<YamlMappingNode>().Single(p => ((YamlScalarNode)p["name"]).Value == "failOn");
        Assert.Equal(Enum.GetNames<ParityFailLevel>().OrderBy(x => x), ((YamlSequenceNode)failOn["values"]).Select(v => ((YamlScalarNode)v).Value!).OrderBy(x => x));
        var steps = ((YamlSequenceNode)root["steps"]).Cast<YamlMappingNode>().ToList();
        Assert.Contains("Install-Module", ((YamlScalarNode)steps[0]["pwsh"]).Value);
        var publish = steps.Last();
        Assert.Equal("PublishTestResults@2", ((YamlScalarNode)publish["task"]).Value);
        Assert.Equal("succeededOrFailed()", ((YamlScalarNode)publish["condition"]).Value);
        Assert.Equal("JUnit", ((YamlScalarNode)((YamlMappingNode)publish["inputs"])["testResultsFormat"]).Value);
    }

    [Fact]
    public void FormatViewShowsPropertiesTheResultHas()
    {
        var x = XDocument.Load(Path.Combine(TestPaths.RepoRoot, "module", "LambdaIdentity.Format.ps1xml"));
        var view = x.Descendants("View").Single(v => v.Descendants("TypeName").Single().Value == typeof(IdentityParityResult).FullName);
        foreach (var p in view.Descendants("PropertyName").Select(e => e.Value))
            Assert.NotNull(typeof(IdentityParityResult).GetProperty(p));
    }
}

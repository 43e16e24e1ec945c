using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Reflection;
using LambdaIdentity.Model;
using LambdaIdentity.PowerShell.Commands;
using Xunit;

namespace LambdaIdentity.Tests.Parity;

/// <summary>
/// The cmdlet's surface, by reflection (no PowerShell on this machine). PowerShellStandard.Library is a
/// stub whose attribute properties return defaults, so the attributes' recorded data is read instead.
/// </summary>
public class TestIdentityParityCommandTests
{
    private static readonly Type T = typeof(TestIdentityParityCommand);

    private static Dictionary<string, object?> Named(CustomAttributeData a) => a.NamedArguments.ToDictionary(n => n.MemberName, n => n.TypedValue.Value);

    private static List<Dictionary<string, object?>> Parameter(string name)
        => T.GetProperty(name)!.CustomAttributes.Where(a => a.AttributeType == typeof(ParameterAttribute)).Select(Named).ToList();

    [Fact]
    public void SurfaceMatchesTheDesign()
    {
        Assert.True(T.IsSealed);
        var cmdlet = T.CustomAttributes.Single(a => a.AttributeType == typeof(CmdletAttribute));
        Assert.Equal(new object?[] { "Test", "IdentityParity" }, cmdlet.ConstructorArguments.Select(a => a.Value));
        Assert.DoesNotContain(cmdlet.NamedArguments, a => a.MemberName == "SupportsShouldProcess");
        var outputs = T.CustomAttributes.Where(a => a.AttributeType == typeof(OutputTypeAttribute))
            .SelectMany(a => a.ConstructorArguments).SelectMany(a => a.Value is ReadOnlyCollection<CustomAttributeTypedArgument> c ? c.Select(x => x.Value) : new[] { a.Value }).ToList();
        Assert.Contains(typeof(IdentityParityResult), outputs);
        Assert.Contains(typeof(bool), outputs);
        var input = Parameter("InputObject");
        Assert.All(input, a => Assert.Equal(true, a["ValueFromPipeline"]));
        // Mandatory where records are the only input; optional where assignments bind by property name.
        Assert.Equal(new[] { "Live", "Offline" }, input.Where(a => a.ContainsKey("Mandatory")).Select(a => (string)a["ParameterSetName"]!).OrderBy(s => s));
        Assert.Equal(typeof(AzRoleMapping[]), T.GetProperty("InputObject")!.PropertyType);
        Assert.Equal(new[] { "Offline", "OfflinePropertyName" }, Parameter("AzureState").Select(a => (string)a["ParameterSetName"]!).OrderBy(s => s));
        Assert.Equal(new[] { "Live", "LivePropertyName" }, Parameter("SubscriptionId").Select(a => (string)a["ParameterSetName"]!).OrderBy(s => s));
        Assert.Equal(typeof(ParityFailLevel), T.GetProperty("FailOn")!.PropertyType);
        Assert.False(Assert.Single(Parameter("Quiet")).ContainsKey("ValueFromPipelineByPropertyName"));
    }

    [Fact]
    public void EveryParameterIsDocumentedAndExported()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "cmdlets", "Test-IdentityParity.md")).Replace("\r\n", "\n");
        var parameters = T.GetProperties().Where(p => p.CustomAttributes.Any(a => a.AttributeType == typeof(ParameterAttribute))).ToList();
        Assert.Equal(14, parameters.Count);
        foreach (var p in parameters) Assert.Contains("### -" + p.Name + "\n", doc);
        Assert.Contains("'Test-IdentityParity'", File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "LambdaIdentity.psd1")));
    }
}

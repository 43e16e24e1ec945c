using System.Management.Automation;
using System.Reflection;
using LambdaIdentity.Model;
using LambdaIdentity.PowerShell.Commands;
using Xunit;

namespace LambdaIdentity.Tests.Inventory;

/// <summary>
/// Contract by reflection over attribute metadata (PowerShellStandard.Library's attributes are stubs whose
/// properties read back empty, so the declared constructor and named arguments are inspected instead).
/// </summary>
public sealed class GetLambdaIdentityInventoryCommandTests
{
    private static readonly Type Cmd = typeof(GetLambdaIdentityInventoryCommand);

    private static CustomAttributeData Attr<T>(MemberInfo m) => m.GetCustomAttributesData().Single(a => a.AttributeType == typeof(T));
    private static object? Named(CustomAttributeData a, string name) => a.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value).FirstOrDefault();

    [Fact]
    public void TheCmdletDeclaresItsVerbNounAndOutputType()
    {
        var cmdlet = Attr<CmdletAttribute>(Cmd);
        Assert.Equal(new object[] { "Get", "LambdaIdentityInventory" }, cmdlet.ConstructorArguments.Select(a => a.Value!));
        Assert.Null(Named(cmdlet, "SupportsShouldProcess"));
        var output = Attr<OutputTypeAttribute>(Cmd);
        var types = ((IEnumerable<CustomAttributeTypedArgument>)output.ConstructorArguments[0].Value!).Select(a => a.Value);
        Assert.Contains(typeof(LambdaFunctionIdentity), types);
        Assert.True(Cmd.IsSealed);
    }

    [Fact]
    public void PathBindsFromGetChildItemThroughFullName()
    {
        var path = Cmd.GetProperty(nameof(GetLambdaIdentityInventoryCommand.Path))!;
        var p = Attr<ParameterAttribute>(path);
        Assert.Equal(true, Named(p, "Mandatory"));
        Assert.Equal(true, Named(p, "ValueFromPipelineByPropertyName"));
        var aliases = ((IEnumerable<CustomAttributeTypedArgument>)Attr<AliasAttribute>(path).ConstructorArguments[0].Value!).Select(a => a.Value);
        Assert.Contains("FullName", aliases);
        Assert.Single(path.GetCustomAttributesData(), a => a.AttributeType == typeof(ValidateNotNullOrEmptyAttribute));
        // Options never bind from the pipeline.
        foreach (var name in new[] { "Parameter", "Region", "AccountId", "Live", "ProfileName", "EndpointUrl", "LiteralPath", "TimeoutSec", "MaxRetries", "AssumeRoleName", "OrganizationAccounts" })
            foreach (var a in Cmd.GetProperty(name)!.GetCustomAttributesData().Where(a => a.AttributeType == typeof(ParameterAttribute)))
                Assert.Null(Named(a, "ValueFromPipelineByPropertyName"));
    }

    [Fact]
    public void EveryParameterIsDocumentedAndTheManifestExportsTheCmdlet()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "cmdlets", "Get-LambdaIdentityInventory.md"));
        var parameters = Cmd.GetProperties().Where(p => p.GetCustomAttributesData().Any(a => a.AttributeType == typeof(ParameterAttribute))).ToList();
        Assert.Equal(12, parameters.Count);
        foreach (var p in parameters) Assert.Contains("### -" + p.Name + "\n", doc);
        Assert.Contains("'Get-LambdaIdentityInventory'", File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "LambdaIdentity.psd1")));
    }

    [Fact]
    public void LiveSetReadsTheAccountWithAwsToolsVocabulary()
    {
        // -Live selects the set; -ProfileName carries AWS.Tools' alias; -Region takes several regions only there.
        var live = Attr<ParameterAttribute>(Cmd.GetProperty("Live")!);
        Assert.Equal("Live", Named(live, "ParameterSetName"));
        Assert.Equal(true, Named(live, "Mandatory"));
        Assert.Equal(typeof(System.Management.Automation.SwitchParameter), Cmd.GetProperty("Live")!.PropertyType);
        var profile = Cmd.GetProperty("ProfileName")!;
        Assert.Equal("Live", Named(Attr<ParameterAttribute>(profile), "ParameterSetName"));
        Assert.Contains(profile.GetCustomAttributesData(), a => a.AttributeType == typeof(AliasAttribute) && a.ConstructorArguments.SelectMany(c => (IEnumerable<System.Reflection.CustomAttributeTypedArgument>)c.Value!).Any(v => (string)v.Value! == "AWSProfileName"));
        Assert.Equal(typeof(string[]), Cmd.GetProperty("Region")!.PropertyType);
        // -AccountId: one account for templates, the accounts to read live (with -AssumeRoleName or -OrganizationAccounts, Live only).
        var account = Cmd.GetProperty("AccountId")!;
        Assert.Equal(typeof(string[]), account.PropertyType);
        Assert.Null(Named(Attr<ParameterAttribute>(account), "ParameterSetName"));
        foreach (var name in new[] { "AssumeRoleName", "OrganizationAccounts" })
            Assert.Equal("Live", Named(Attr<ParameterAttribute>(Cmd.GetProperty(name)!), "ParameterSetName"));
    }
}

using LambdaIdentity.Core.Azure;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Parity;

/// <summary>Which ARM endpoint and sign-in authority each cloud, and each Az context, leads to.</summary>
public class AzureCloudsTests
{
    [Theory]
    [InlineData(AzureCloudName.AzureCloud, "https://management.azure.com/", "https://login.microsoftonline.com/")]
    [InlineData(AzureCloudName.AzureChinaCloud, "https://management.chinacloudapi.cn/", "https://login.chinacloudapi.cn/")]
    [InlineData(AzureCloudName.AzureUSGovernment, "https://management.usgovcloudapi.net/", "https://login.microsoftonline.us/")]
    public void EachCloudHasItsArmEndpointAndAuthority(AzureCloudName cloud, string arm, string authority)
    {
        var choice = AzureClouds.Known(cloud, "-Environment");
        Assert.Equal(arm, choice.ArmEndpoint.AbsoluteUri);
        Assert.Equal(authority, choice.AuthorityHost!.AbsoluteUri);
        Assert.Equal("Azure cloud: " + cloud + " (ARM " + arm + ", sign-in " + new Uri(authority).Host + "), from -Environment.", choice.Describe());
    }

    [Fact]
    public void EveryCloudNameHasItsOwnEndpoints()
    {
        var clouds = Enum.GetValues<AzureCloudName>();
        Assert.Equal(3, clouds.Length);
        Assert.Equal(clouds.Length, clouds.Select(c => AzureClouds.ArmEndpoint(c).Host).Distinct().Count());
        Assert.Equal(clouds.Length, clouds.Select(c => AzureClouds.AuthorityHost(c).Host).Distinct().Count());
    }

    [Theory]
    // What Get-AzContext's Environment holds for the built-in Az environments (ResourceManagerUrl as Az.Accounts stores it).
    [InlineData("AzureCloud", "https://management.azure.com/", AzureCloudName.AzureCloud)]
    [InlineData("AzureChinaCloud", "https://management.chinacloudapi.cn/", AzureCloudName.AzureChinaCloud)]
    [InlineData("AzureUSGovernment", "https://management.usgovcloudapi.net/", AzureCloudName.AzureUSGovernment)]
    // The URL decides (it is where Az itself sends requests), whatever the name; without a URL, the name.
    [InlineData("MyChinaCopy", "https://management.chinacloudapi.cn", AzureCloudName.AzureChinaCloud)]
    [InlineData("azureusgovernment", null, AzureCloudName.AzureUSGovernment)]
    public void TheAzContextsEnvironmentChoosesTheCloud(string name, string? url, AzureCloudName expected)
    {
        var choice = AzureClouds.FromAzContext(name, url, "the Az context");
        Assert.Equal(expected, choice.Cloud);
        Assert.Equal(AzureClouds.ArmEndpoint(expected), choice.ArmEndpoint);
        Assert.Equal(AzureClouds.AuthorityHost(expected), choice.AuthorityHost);
        Assert.EndsWith("from the Az context.", choice.Describe());
    }

    [Fact]
    public void ACustomEnvironmentIsReadWhereItsContextPoints()
    {
        // Azure Stack Hub: Add-AzEnvironment -ARMEndpoint https://management.local.azurestack.external
        var choice = AzureClouds.FromAzContext("AzureStackUser", "https://management.local.azurestack.external", "the Az context");
        Assert.Null(choice.Cloud);
        Assert.Equal("https://management.local.azurestack.external/", choice.ArmEndpoint.AbsoluteUri);
        Assert.Null(choice.AuthorityHost);
        Assert.Equal("Azure cloud: AzureStackUser (ARM https://management.local.azurestack.external/), from the Az context (a custom environment).", choice.Describe());
    }

    [Theory]
    [InlineData("Odd", "http://management.azure.com/")]
    [InlineData("Odd", "not a url")]
    [InlineData("Odd", null)]
    [InlineData(null, null)]
    public void AnEnvironmentThatNamesNoHttpsEndpointIsRefused(string? name, string? url)
    {
        var e = Assert.Throws<ArgumentException>(() => AzureClouds.FromAzContext(name, url, "the Az context"));
        Assert.Contains("-Environment", e.Message);
    }
}

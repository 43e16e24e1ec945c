using System;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Azure;

/// <summary>Which cloud live ARM reads go to, and why (for the Verbose line).</summary>
public sealed class AzureCloudChoice
{
    /// <summary>The known cloud; null for a custom environment of the Az context (e.g. Azure Stack Hub).</summary>
    public AzureCloudName? Cloud { get; init; }
    /// <summary>The cloud's name as the user knows it (a known cloud's name, or the Az environment's name).</summary>
    public string Name { get; init; } = "";
    /// <summary>The ARM endpoint (ends with a slash).</summary>
    public Uri ArmEndpoint { get; init; } = null!;
    /// <summary>The Entra authority host for Azure.Identity (null: Azure.Identity's default).</summary>
    public Uri? AuthorityHost { get; init; }
    /// <summary>Where the choice came from, e.g. "-Environment", "the Az context", "the default".</summary>
    public string Source { get; init; } = "";

    /// <summary>One line for Verbose output; names no credential.</summary>
    public string Describe() => "Azure cloud: " + Name + " (ARM " + ArmEndpoint.AbsoluteUri
        + (AuthorityHost is null ? "" : ", sign-in " + AuthorityHost.Host) + "), from " + Source + ".";
}

/// <summary>The Azure clouds: ARM endpoints and Entra authority hosts, and the choice among them.</summary>
public static class AzureClouds
{
    /// <summary>The ARM endpoint of a cloud.</summary>
    public static Uri ArmEndpoint(AzureCloudName cloud) => cloud switch
    {
        AzureCloudName.AzureChinaCloud => new Uri("https://management.chinacloudapi.cn/"),
        AzureCloudName.AzureUSGovernment => new Uri("https://management.usgovcloudapi.net/"),
        _ => new Uri("https://management.azure.com/"),
    };

    /// <summary>The Entra ID authority host of a cloud (Azure.Identity's AuthorityHost).</summary>
    public static Uri AuthorityHost(AzureCloudName cloud) => cloud switch
    {
        AzureCloudName.AzureChinaCloud => new Uri("https://login.chinacloudapi.cn/"),
        AzureCloudName.AzureUSGovernment => new Uri("https://login.microsoftonline.us/"),
        _ => new Uri("https://login.microsoftonline.com/"),
    };

    /// <summary>A known cloud, chosen explicitly (-Environment, --environment) or by default.</summary>
    public static AzureCloudChoice Known(AzureCloudName cloud, string source) => new()
    {
        Cloud = cloud, Name = cloud.ToString(), ArmEndpoint = ArmEndpoint(cloud), AuthorityHost = AuthorityHost(cloud), Source = source,
    };

    /// <summary>
    /// The cloud of an Az.Accounts context from its Environment's Name and ResourceManagerUrl. A known cloud is
    /// recognised by its ARM host (the URL is what Az itself calls), else by name; another https ResourceManagerUrl is
    /// a custom environment (Azure Stack Hub), used as it is. Anything else is refused: no guessing where tokens go.
    /// </summary>
    public static AzureCloudChoice FromAzContext(string? environmentName, string? resourceManagerUrl, string source)
    {
        if (!string.IsNullOrWhiteSpace(resourceManagerUrl))
        {
            if (!Uri.TryCreate(resourceManagerUrl!.Trim(), UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
                throw new ArgumentException("The Az context's environment '" + environmentName + "' has a ResourceManagerUrl that is not an https URL: " + resourceManagerUrl + ". Give -Environment.");
            foreach (var cloud in (AzureCloudName[])Enum.GetValues(typeof(AzureCloudName)))
                if (string.Equals(ArmEndpoint(cloud).Host, url.Host, StringComparison.OrdinalIgnoreCase)) return Known(cloud, source);
            var endpoint = new Uri(url.GetLeftPart(UriPartial.Authority) + "/" + url.AbsolutePath.Trim('/') + (url.AbsolutePath.Trim('/').Length > 0 ? "/" : ""));
            return new AzureCloudChoice { Name = string.IsNullOrWhiteSpace(environmentName) ? url.Host : environmentName!, ArmEndpoint = endpoint, Source = source + " (a custom environment)" };
        }
        var named = ((AzureCloudName[])Enum.GetValues(typeof(AzureCloudName))).Where(c => string.Equals(c.ToString(), environmentName?.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
        if (named.Count == 1) return Known(named[0], source);
        throw new ArgumentException("The Az context's environment '" + environmentName + "' names no ResourceManagerUrl and is not a known cloud (" + string.Join(", ", Enum.GetNames(typeof(AzureCloudName))) + "). Give -Environment.");
    }
}

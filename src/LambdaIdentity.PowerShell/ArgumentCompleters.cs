using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using LambdaIdentity.Core.Catalogs;

namespace LambdaIdentity.PowerShell;

/// <summary>Shared matching for the module's completers: case-insensitive prefix, quoted when the value has spaces.</summary>
internal static class Completions
{
    public static IEnumerable<CompletionResult> From(IEnumerable<string> values, string wordToComplete, Func<string, string>? tooltip = null)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        foreach (var v in values.Where(v => v.StartsWith(word, StringComparison.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(v => v, StringComparer.OrdinalIgnoreCase))
        {
            var text = v.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', '(', ')', ',', ';', '&', '{', '}', '@', '#' }) >= 0 ? "'" + v.Replace("'", "''") + "'" : v;
            yield return new CompletionResult(text, v, CompletionResultType.ParameterValue, tooltip?.Invoke(v) ?? v);
        }
    }
}

/// <summary>Completes Azure role names from the embedded built-in role catalog (and Cosmos DB's data-plane roles).</summary>
public sealed class AzureRoleNameCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => Completions.From(AzureRoleCatalog.Default.Roles.Select(r => r.RoleName), wordToComplete);
}

/// <summary>Completes AWS Region codes (commercial, GovCloud and China partitions).</summary>
public sealed class AwsRegionCompleter : IArgumentCompleter
{
    /// <summary>The Region codes offered.</summary>
    public static readonly IReadOnlyList<string> Regions = new[]
    {
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
        "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ca-central-1", "ca-west-1",
        "cn-north-1", "cn-northwest-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2",
        "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1",
        "us-gov-west-1", "us-west-1", "us-west-2",
    };

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => Completions.From(Regions, wordToComplete);
}

/// <summary>
/// Completes AWS profile names from the shared config and credentials files (AWS_CONFIG_FILE,
/// AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials). Only section names are read out; no value
/// of either file is kept or shown.
/// </summary>
public sealed class AwsProfileCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => Completions.From(ProfileNames(), wordToComplete);

    /// <summary>The profile names the shared files declare.</summary>
    public static IReadOnlyList<string> ProfileNames()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var config = Environment.GetEnvironmentVariable("AWS_CONFIG_FILE") is { Length: > 0 } c ? c : Path.Combine(home, ".aws", "config");
        var credentials = Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE") is { Length: > 0 } s ? s : Path.Combine(home, ".aws", "credentials");
        var names = new List<string>();
        foreach (var (file, isConfig) in new[] { (config, true), (credentials, false) })
        {
            string[] lines;
            try { lines = File.Exists(file) ? File.ReadAllLines(file) : Array.Empty<string>(); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { continue; }
            foreach (var raw in lines)
            {
                var line = raw.Trim();
                if (line.Length < 3 || line[0] != '[' || line[line.Length - 1] != ']') continue;
                var section = line.Substring(1, line.Length - 2).Trim();
                if (isConfig)
                {
                    if (section == "default") names.Add(section);
                    else if (section.StartsWith("profile ", StringComparison.Ordinal)) names.Add(section.Substring(8).Trim());
                }
                else names.Add(section);
            }
        }
        return names.Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
    }
}

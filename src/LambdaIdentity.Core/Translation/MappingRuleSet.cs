using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Translation;

/// <summary>What a grant rule produces.</summary>
public enum RuleOutcome
{
    /// <summary>An Azure role chosen by least privilege over the rule's operations (BuiltIn, or Custom when every built-in is much broader).</summary>
    Role,
    /// <summary>Nothing to assign; the reason says why.</summary>
    NotNeeded,
    /// <summary>No one-to-one mapping; impact and mitigation required.</summary>
    Deviation,
    /// <summary>An app role on another function app's Entra application (function-to-function calls).</summary>
    AppRole,
}

/// <summary>Rewrites an AWS resource ARN to the resource that becomes one Azure scope (a bucket for its objects).</summary>
public sealed class ScopeNormalizer
{
    /// <summary>The AWS service prefix it applies to.</summary>
    public string Service { get; init; } = "";
    /// <summary>A .NET regular expression over the ARN.</summary>
    public string Pattern { get; init; } = "";
    /// <summary>The replacement (e.g. $1).</summary>
    public string Replacement { get; init; } = "";
    /// <summary>Why.</summary>
    public string? Description { get; init; }
    [JsonIgnore] internal Regex? Compiled { get; set; }
}

/// <summary>One rule from AWS grants to an Azure outcome.</summary>
public sealed class GrantRule
{
    /// <summary>Stable id; a user rule with the same id replaces the default rule.</summary>
    public string Id { get; init; } = "";
    /// <summary>IAM action patterns (service:Action, '*' and '?' wildcards, case-insensitive).</summary>
    public IReadOnlyList<string> AwsActions { get; init; } = Array.Empty<string>();
    /// <summary>When set, the rule applies only to grants with one of these access levels.</summary>
    public IReadOnlyList<AccessLevel> AccessLevels { get; init; } = Array.Empty<AccessLevel>();
    /// <summary>Workload or Platform.</summary>
    public IdentitySurface Surface { get; init; } = IdentitySurface.Workload;
    /// <summary>What the rule produces.</summary>
    public RuleOutcome Outcome { get; init; }
    /// <summary>AzureRbac (default) or CosmosDbSql: which roles may be chosen.</summary>
    public Catalogs.RoleSystem RoleSystem { get; init; } = Catalogs.RoleSystem.AzureRbac;
    /// <summary>The Azure service, e.g. Blob Storage. Grants of one service on one resource share one assignment.</summary>
    public string AzureService { get; init; } = "";
    /// <summary>The Azure resource type of the scope, e.g. Microsoft.Storage/storageAccounts/blobServices/containers.</summary>
    public string? AzureResourceType { get; init; }
    /// <summary>The Azure feature in words.</summary>
    public string AzureFeature { get; init; } = "";
    /// <summary>
    /// A resource-map key that is the scope whatever the AWS resource (e.g. application-insights for metrics, whose
    /// AWS action accepts only Resource "*"); the grant's resource then neither scopes nor counts as a wildcard.
    /// </summary>
    public string? ScopeKey { get; init; }
    /// <summary>Control-plane operations the grant needs.</summary>
    public IReadOnlyList<string> Actions { get; init; } = Array.Empty<string>();
    /// <summary>Data-plane operations the grant needs.</summary>
    public IReadOnlyList<string> DataActions { get; init; } = Array.Empty<string>();
    /// <summary>Why this design.</summary>
    public string Reason { get; init; } = "";
    /// <summary>For deviations: what is lost.</summary>
    public string? Impact { get; init; }
    /// <summary>For deviations: what to do.</summary>
    public string? Mitigation { get; init; }

    /// <summary>True when the rule applies to the grant.</summary>
    public bool AppliesTo(EffectiveGrant grant)
        => AwsActions.Any(p => AwsPattern.Matches(p, grant.Action)) && (AccessLevels.Count == 0 || AccessLevels.Contains(grant.AccessLevel));
}

/// <summary>One rule from an event source to an Azure trigger and the roles its identity-based connection needs.</summary>
public sealed class TriggerRule
{
    /// <summary>Stable id.</summary>
    public string Id { get; init; } = "";
    /// <summary>EventSource.Type values it applies to (case-insensitive).</summary>
    public IReadOnlyList<string> EventSourceTypes { get; init; } = Array.Empty<string>();
    /// <summary>Role, NotNeeded or Deviation.</summary>
    public RuleOutcome Outcome { get; init; }
    /// <summary>The Azure trigger.</summary>
    public string AzureTrigger { get; init; } = "";
    /// <summary>The Azure service.</summary>
    public string AzureService { get; init; } = "";
    /// <summary>The Azure resource type of the role scope.</summary>
    public string? AzureResourceType { get; init; }
    /// <summary>Built-in roles the trigger needs (from Microsoft's Functions docs).</summary>
    public IReadOnlyList<string> Roles { get; init; } = Array.Empty<string>();
    /// <summary>The identity-based connection setting; {name} is the event source's name.</summary>
    public string? ConnectionSetting { get; init; }
    /// <summary>
    /// True when the Azure trigger keeps state in the host storage account (a blob trigger's poison queue and
    /// receipts): host storage then also gets the <see cref="MappingRuleSet.HostStorageRoles"/> marked
    /// <see cref="HostStorageRole.WhenTriggerUsesHostStorage"/>.
    /// </summary>
    public bool UsesHostStorage { get; init; }
    /// <summary>
    /// Built-in roles the trigger needs on a second resource it writes: the Cosmos DB trigger's lease container (its
    /// checkpoints), while <see cref="Roles"/> then only reads the watched resource. Empty for other triggers.
    /// </summary>
    public IReadOnlyList<string> LeaseRoles { get; init; } = Array.Empty<string>();
    /// <summary>The lease container's default name (in the watched container's database) when the resource map names none.</summary>
    public string? LeaseContainer { get; init; }
    /// <summary>Why.</summary>
    public string Reason { get; init; } = "";
    /// <summary>For deviations.</summary>
    public string? Impact { get; init; }
    /// <summary>For deviations.</summary>
    public string? Mitigation { get; init; }
}

/// <summary>One rule from a principal's access level on the function to an Azure role at the function-app scope.</summary>
public sealed class PrincipalRule
{
    /// <summary>PrincipalAccess.AccessLevel values (Deploy, Admin, Read, Invoke).</summary>
    public IReadOnlyList<string> AccessLevels { get; init; } = Array.Empty<string>();
    /// <summary>The built-in role, or empty for an app role (Invoke).</summary>
    public string Role { get; init; } = "";
    /// <summary>Why.</summary>
    public string Reason { get; init; } = "";
}

/// <summary>A built-in role the Functions host needs on its storage account (AzureWebJobsStorage with a managed identity).</summary>
public sealed class HostStorageRole
{
    /// <summary>The built-in role's name.</summary>
    public string Role { get; init; } = "";
    /// <summary>Why the host needs it (the assignment's reason).</summary>
    public string Reason { get; init; } = "";
    /// <summary>Only when one of the function's triggers matches a trigger rule with <see cref="TriggerRule.UsesHostStorage"/>.</summary>
    public bool WhenTriggerUsesHostStorage { get; init; }
}

/// <summary>The mitigation of a conditional grant, chosen by the condition keys the grant carries.</summary>
public sealed class ConditionMitigation
{
    /// <summary>Condition key patterns ('*' and '?' wildcards, case-insensitive); the entry applies when any key of the grant matches one.</summary>
    public IReadOnlyList<string> ConditionKeys { get; init; } = Array.Empty<string>();
    /// <summary>What to do instead of the condition on Azure.</summary>
    public string Mitigation { get; init; } = "";
}

/// <summary>The AWS service of an event source type (the poll source's service, and the type an ARN's service falls back to).</summary>
public sealed class EventSourceService
{
    /// <summary>The AWS service prefix of the source's ARN, e.g. sqs.</summary>
    public string Service { get; init; } = "";
    /// <summary>EventSource.Type values of that service; the first is the type tried for a source ARN of the service when no trigger rule matches the source's own type.</summary>
    public IReadOnlyList<string> EventSourceTypes { get; init; } = Array.Empty<string>();
}

/// <summary>A built-in role never proposed, with the reason (service roles meant for one first-party service).</summary>
public sealed class ExcludedRole
{
    /// <summary>The role's name, or a pattern with '*' (case-insensitive).</summary>
    public string Role { get; init; } = "";
    /// <summary>Why it is excluded.</summary>
    public string Reason { get; init; } = "";
}

/// <summary>The rule set: embedded defaults (Catalogs/Data/mapping-rules.json) merged with a user's -RuleSet file.</summary>
public sealed class MappingRuleSet
{
    /// <summary>Always 1.</summary>
    public int SchemaVersion { get; init; }
    /// <summary>What the file is.</summary>
    public string? Description { get; init; }
    /// <summary>
    /// A custom role is proposed when the least-privileged built-in grants more than this many operations beyond those
    /// needed, counted on the planes the need uses: extra data actions when data actions are needed, extra non-read
    /// control actions when control actions are needed.
    /// </summary>
    public int? CustomRoleExcessThreshold { get; init; }
    /// <summary>Built-in roles never proposed (service roles for one first-party service), besides those that can change access.</summary>
    public IReadOnlyList<ExcludedRole> ExcludedRoles { get; init; } = Array.Empty<ExcludedRole>();
    /// <summary>
    /// AWS managed policies Lambda attaches for its pollers (AWSLambdaSQSQueueExecutionRole...). Their grants on a service
    /// the function polls are served by the trigger's identity-based connection, designed on the event source itself.
    /// </summary>
    public IReadOnlyList<string> PollerPolicies { get; init; } = Array.Empty<string>();
    /// <summary>ARN rewrites to the resource that becomes one scope.</summary>
    public IReadOnlyList<ScopeNormalizer> ScopeNormalizers { get; init; } = Array.Empty<ScopeNormalizer>();
    /// <summary>Grant rules, first match wins.</summary>
    public IReadOnlyList<GrantRule> GrantRules { get; init; } = Array.Empty<GrantRule>();
    /// <summary>Trigger rules.</summary>
    public IReadOnlyList<TriggerRule> TriggerRules { get; init; } = Array.Empty<TriggerRule>();
    /// <summary>Principal rules (automation and people).</summary>
    public IReadOnlyList<PrincipalRule> PrincipalRules { get; init; } = Array.Empty<PrincipalRule>();
    /// <summary>Roles of the function app's identity on the host storage account, in order.</summary>
    public IReadOnlyList<HostStorageRole> HostStorageRoles { get; init; } = Array.Empty<HostStorageRole>();
    /// <summary>Mitigations of conditional grants by condition key, first match wins (the last entry, '*', is the default).</summary>
    public IReadOnlyList<ConditionMitigation> ConditionMitigations { get; init; } = Array.Empty<ConditionMitigation>();
    /// <summary>Event source types by AWS service (both directions: a poll source's service, an ARN's trigger type).</summary>
    public IReadOnlyList<EventSourceService> EventSourceServices { get; init; } = Array.Empty<EventSourceService>();

    /// <summary>The first grant rule that applies, or null.</summary>
    public GrantRule? Match(EffectiveGrant grant) => GrantRules.FirstOrDefault(r => r.AppliesTo(grant));

    /// <summary>The mitigation for a grant carrying these condition keys (first entry with a matching key), or null.</summary>
    public string? MitigationForConditionKeys(IEnumerable<string> keys)
    {
        var list = keys as IReadOnlyCollection<string> ?? keys.ToList();
        return ConditionMitigations.FirstOrDefault(m => list.Any(k => m.ConditionKeys.Any(p => AwsPattern.Matches(p, k))))?.Mitigation;
    }

    /// <summary>The AWS service of an event source type (its lower case when no entry names the type).</summary>
    public string ServiceOfEventSourceType(string type)
        => EventSourceServices.FirstOrDefault(s => s.EventSourceTypes.Any(t => string.Equals(t, type, StringComparison.OrdinalIgnoreCase)))?.Service ?? type.ToLowerInvariant();

    /// <summary>The event source type of an AWS service (for a source whose own type no trigger rule matches), or null.</summary>
    public string? EventSourceTypeOfService(string service)
        => EventSourceServices.FirstOrDefault(s => string.Equals(s.Service, service, StringComparison.OrdinalIgnoreCase) && s.EventSourceTypes.Count > 0)?.EventSourceTypes[0];

    /// <summary>The trigger rule for an event source type, or null.</summary>
    public TriggerRule? MatchTrigger(string type) => TriggerRules.FirstOrDefault(r => r.EventSourceTypes.Any(t => string.Equals(t, type, StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// Rewrites an ARN with the first normalizer of its service that matches. The service is the ARN's, or
    /// <paramref name="serviceHint"/> (the grant's service) when the resource is a template token such as
    /// ${GetAtt:Bucket.Arn}/*. Tokens are shown to the patterns as ${tN} (no ':' or '/').
    /// </summary>
    public string Normalize(string arn, string? serviceHint = null)
    {
        var service = Arn.Service(arn);
        if (service.Length == 0 || service.IndexOf("${", StringComparison.Ordinal) >= 0) service = serviceHint ?? service;
        var tokens = new List<string>();
        var masked = Arn.Tokens.Replace(arn, m => { tokens.Add(m.Value); return "${t" + (tokens.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + "}"; });
        foreach (var n in ScopeNormalizers)
        {
            if (!string.Equals(n.Service, service, StringComparison.OrdinalIgnoreCase)) continue;
            var rx = n.Compiled ??= new Regex(n.Pattern, RegexOptions.CultureInvariant);
            if (!rx.IsMatch(masked)) continue;
            var result = rx.Replace(masked, n.Replacement);
            return Regex.Replace(result, @"\$\{t(\d+)\}", m => tokens[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]);
        }
        return arn;
    }
}

/// <summary>IAM action and resource patterns: case-insensitive for actions, '*' any run, '?' one character.</summary>
public static class AwsPattern
{
    /// <summary>True when the pattern matches the value (the engine's one glob matcher, <see cref="Aws.Policy.Wildcard.Match(string, string, bool, bool)"/>).</summary>
    public static bool Matches(string pattern, string value, bool ignoreCase = true) => Aws.Policy.Wildcard.Match(pattern, value, ignoreCase);
}

/// <summary>ARN parts.</summary>
public static class Arn
{
    /// <summary>The service of an ARN (arn:partition:service:region:account:resource), or "" when it is not one.</summary>
    public static string Service(string arn) => Part(arn, 2);
    /// <summary>The account id of an ARN, or "".</summary>
    public static string Account(string arn) => Part(arn, 4);
    /// <summary>The region of an ARN, or "" (none, or a template token).</summary>
    public static string Region(string arn) => Part(arn, 3);

    /// <summary>Template tokens: ${AWS::Region}, ${MyBucket}, ${GetAtt:Queue.Arn}.</summary>
    public static readonly Regex Tokens = new(@"\$\{[^}]*\}", RegexOptions.CultureInvariant);

    /// <summary>True when the text still holds an unresolved template token.</summary>
    public static bool HasToken(string s) => s.IndexOf("${", StringComparison.Ordinal) >= 0;

    private static string Part(string arn, int index)
    {
        if (!arn.StartsWith("arn:", StringComparison.Ordinal)) return "";
        var parts = Tokens.Replace(arn, "\u0001").Split(new[] { ':' }, 6);
        if (parts.Length > index && parts[index].IndexOf('\u0001') >= 0) return index == 2 ? parts[index] : "";
        return parts.Length > index ? parts[index] : "";
    }
}

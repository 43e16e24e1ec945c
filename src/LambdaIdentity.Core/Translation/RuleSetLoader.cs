using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Translation;

/// <summary>A rule file that cannot be used; every problem is listed with its file and JSON path.</summary>
public sealed class RuleSetException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RuleSetException(string file, IReadOnlyList<EngineError> errors, Exception? inner = null)
        : base("The rule set " + file + " is invalid: " + string.Join("; ", errors.Select(e => e.Message + (e.Location?.Path is { } p ? " (at " + p + ")" : ""))), inner)
    { File = file; Errors = errors; }
    /// <summary>The file.</summary>
    public string File { get; }
    /// <summary>One error per problem (ErrorId RuleSetInvalid).</summary>
    public IReadOnlyList<EngineError> Errors { get; }
}

/// <summary>Loads, validates and merges mapping rule sets.</summary>
public static class RuleSetLoader
{
    /// <summary>The embedded resource name of the default rules.</summary>
    public const string DefaultResourceName = "LambdaIdentity.Core.Catalogs.mapping-rules.json";
    private static readonly Lazy<MappingRuleSet> _default = new(() =>
    {
        using var s = typeof(RuleSetLoader).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new InvalidOperationException("The default mapping rules are missing from LambdaIdentity.Core.");
        using var r = new StreamReader(s);
        return Parse(r.ReadToEnd(), "mapping-rules.json (embedded)", AzureRoleCatalog.Default);
    });

    private static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            PropertyNameCaseInsensitive = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        o.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
        return o;
    }

    /// <summary>The embedded default rule set (validated once).</summary>
    public static MappingRuleSet Default => _default.Value;

    /// <summary>Loads a user's rule file and merges it over the defaults: same id replaces, new ids take priority.</summary>
    public static MappingRuleSet LoadAndMerge(string path, AzureRoleCatalog? catalog = null)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RuleSetException(path, new[] { Err(path, "$", "cannot read the rule file: " + ex.Message, ex is FileNotFoundException or DirectoryNotFoundException ? EngineErrorCategory.ObjectNotFound : EngineErrorCategory.PermissionDenied) }, ex);
        }
        return Merge(Default, Parse(text, path, catalog ?? AzureRoleCatalog.Default));
    }

    /// <summary>Parses and validates one rule file; throws <see cref="RuleSetException"/> listing every problem.</summary>
    public static MappingRuleSet Parse(string json, string file, AzureRoleCatalog catalog)
    {
        MappingRuleSet? set;
        try { set = JsonSerializer.Deserialize<MappingRuleSet>(json, Options); }
        catch (JsonException ex)
        {
            var loc = new SourceLocation { File = file, Line = (int)(ex.LineNumber ?? -1) + 1, Column = (int)(ex.BytePositionInLine ?? -1) + 1, Path = ex.Path };
            throw new RuleSetException(file, new[] { new EngineError { ErrorId = "RuleSetInvalid", Category = EngineErrorCategory.InvalidData, Target = file, Location = loc, Message = "malformed rule file: " + FirstLine(ex.Message) }.WithException(ex) }, ex);
        }
        if (set is null) throw new RuleSetException(file, new[] { Err(file, "$", "the rule file is empty (null)") });
        var errors = Validate(set, file, catalog);
        if (errors.Count > 0) throw new RuleSetException(file, errors);
        return set;
    }

    /// <summary>Every problem of a rule set, with JSON paths.</summary>
    public static List<EngineError> Validate(MappingRuleSet set, string file, AzureRoleCatalog catalog)
    {
        var errors = new List<EngineError>();
        void Add(string path, string message) => errors.Add(Err(file, path, message));
        if (set.SchemaVersion != 1) Add("$.schemaVersion", "schemaVersion must be 1 (found " + set.SchemaVersion + ")");
        if (set.CustomRoleExcessThreshold is < 0) Add("$.customRoleExcessThreshold", "customRoleExcessThreshold must be 0 or more");
        for (var i = 0; i < set.ScopeNormalizers.Count; i++)
        {
            var n = set.ScopeNormalizers[i]; var at = "$.scopeNormalizers[" + i + "]";
            if (string.IsNullOrWhiteSpace(n.Service)) Add(at + ".service", "service is required");
            try { n.Compiled = new Regex(n.Pattern, RegexOptions.CultureInvariant); }
            catch (ArgumentException ex) { Add(at + ".pattern", "pattern is not a valid regular expression: " + ex.Message); }
        }
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < set.GrantRules.Count; i++)
        {
            var r = set.GrantRules[i]; var at = "$.grantRules[" + i + "]";
            if (string.IsNullOrWhiteSpace(r.Id)) Add(at + ".id", "id is required");
            else if (!ids.Add(r.Id)) Add(at + ".id", "duplicate rule id '" + r.Id + "'");
            if (r.AwsActions.Count == 0) Add(at + ".awsActions", "awsActions needs at least one IAM action pattern");
            foreach (var a in r.AwsActions)
                if (a != "*" && (a.IndexOf(':') <= 0 || a.IndexOf(':') == a.Length - 1)) Add(at + ".awsActions", "'" + a + "' is not an IAM action pattern (service:Action)");
            if (string.IsNullOrWhiteSpace(r.Reason)) Add(at + ".reason", "reason is required: say why the design is right");
            if (r.Surface is not (IdentitySurface.Workload or IdentitySurface.Platform)) Add(at + ".surface", "surface must be Workload or Platform");
            switch (r.Outcome)
            {
                case RuleOutcome.Role:
                    if (string.IsNullOrWhiteSpace(r.AzureService)) Add(at + ".azureService", "azureService is required for outcome Role");
                    if (r.Actions.Count + r.DataActions.Count == 0) Add(at, "outcome Role needs actions or dataActions (the Azure operations the grant needs)");
                    foreach (var op in r.Actions) if (!catalog.IsKnownOperation(op, false)) Add(at + ".actions", "'" + op + "' is not a control-plane operation in the Azure operations catalog");
                    foreach (var op in r.DataActions) if (!catalog.IsKnownOperation(op, true)) Add(at + ".dataActions", "'" + op + "' is not a data-plane operation in the Azure operations catalog");
                    break;
                case RuleOutcome.Deviation:
                    if (string.IsNullOrWhiteSpace(r.Impact)) Add(at + ".impact", "impact is required for outcome Deviation");
                    if (string.IsNullOrWhiteSpace(r.Mitigation)) Add(at + ".mitigation", "mitigation is required for outcome Deviation");
                    break;
            }
            if (r.Outcome != RuleOutcome.Role && r.Actions.Count + r.DataActions.Count > 0) Add(at, "actions and dataActions are only used with outcome Role");
        }
        for (var i = 0; i < set.TriggerRules.Count; i++)
        {
            var r = set.TriggerRules[i]; var at = "$.triggerRules[" + i + "]";
            if (string.IsNullOrWhiteSpace(r.Id)) Add(at + ".id", "id is required");
            if (r.EventSourceTypes.Count == 0) Add(at + ".eventSourceTypes", "eventSourceTypes needs at least one event source type");
            if (r.Outcome == RuleOutcome.Role && r.Roles.Count == 0) Add(at + ".roles", "outcome Role needs at least one role");
            if (r.Outcome == RuleOutcome.Deviation && (string.IsNullOrWhiteSpace(r.Impact) || string.IsNullOrWhiteSpace(r.Mitigation))) Add(at, "outcome Deviation needs impact and mitigation");
            if (r.Outcome == RuleOutcome.AppRole) Add(at + ".outcome", "AppRole is not a trigger outcome");
            foreach (var role in r.Roles) CheckRole(role, at + ".roles");
            foreach (var role in r.LeaseRoles) CheckRole(role, at + ".leaseRoles");
            if (r.LeaseRoles.Count > 0 && string.IsNullOrWhiteSpace(r.LeaseContainer)) Add(at + ".leaseContainer", "leaseRoles need the lease container's default name");
            if (r.LeaseRoles.Count > 0 && r.Outcome != RuleOutcome.Role) Add(at + ".leaseRoles", "leaseRoles are only used with outcome Role");
        }
        for (var i = 0; i < set.ExcludedRoles.Count; i++)
        {
            var x = set.ExcludedRoles[i]; var at = "$.excludedRoles[" + i + "]";
            if (!catalog.Roles.Any(r => AzureOperationPattern.Matches(x.Role, r.RoleName))) Add(at + ".role", "'" + x.Role + "' matches no built-in role in the role catalog");
            if (string.IsNullOrWhiteSpace(x.Reason)) Add(at + ".reason", "reason is required");
        }
        for (var i = 0; i < set.PrincipalRules.Count; i++)
        {
            var r = set.PrincipalRules[i]; var at = "$.principalRules[" + i + "]";
            if (r.AccessLevels.Count == 0) Add(at + ".accessLevels", "accessLevels needs at least one access level");
            if (r.Role.Length > 0) CheckRole(r.Role, at + ".role");
        }
        for (var i = 0; i < set.HostStorageRoles.Count; i++)
        {
            var h = set.HostStorageRoles[i]; var at = "$.hostStorageRoles[" + i + "]";
            if (catalog.FindByName(h.Role) is null) Add(at + ".role", "'" + h.Role + "' is not a built-in role in the role catalog");
            if (string.IsNullOrWhiteSpace(h.Reason)) Add(at + ".reason", "reason is required");
        }
        for (var i = 0; i < set.ConditionMitigations.Count; i++)
        {
            var m = set.ConditionMitigations[i]; var at = "$.conditionMitigations[" + i + "]";
            if (m.ConditionKeys.Count == 0 || m.ConditionKeys.Any(string.IsNullOrWhiteSpace)) Add(at + ".conditionKeys", "conditionKeys needs at least one condition key pattern (e.g. s3:*)");
            if (string.IsNullOrWhiteSpace(m.Mitigation)) Add(at + ".mitigation", "mitigation is required");
        }
        for (var i = 0; i < set.EventSourceServices.Count; i++)
        {
            var e = set.EventSourceServices[i]; var at = "$.eventSourceServices[" + i + "]";
            if (string.IsNullOrWhiteSpace(e.Service) || e.Service.IndexOf(':') >= 0) Add(at + ".service", "service is required: an AWS service prefix such as sqs");
            if (e.EventSourceTypes.Count == 0) Add(at + ".eventSourceTypes", "eventSourceTypes needs at least one event source type");
        }
        return errors;

        void CheckRole(string role, string at)
        {
            var def = catalog.FindByName(role);
            if (def is null) Add(at, "'" + role + "' is not a built-in role in the role catalog");
            else if (catalog.IsPrivileged(def)) Add(at, "'" + role + "' can change access (Owner, Contributor, *Access Administrator or Microsoft.Authorization writes) and is never proposed");
        }
    }

    /// <summary>Merges a user's rules over a base set: same id replaces in place, new ids come first (they take priority).</summary>
    public static MappingRuleSet Merge(MappingRuleSet baseSet, MappingRuleSet user)
    {
        var userIds = new HashSet<string>(user.GrantRules.Select(r => r.Id), StringComparer.OrdinalIgnoreCase);
        var baseIds = new HashSet<string>(baseSet.GrantRules.Select(r => r.Id), StringComparer.OrdinalIgnoreCase);
        var byId = user.GrantRules.ToDictionary(r => r.Id, StringComparer.OrdinalIgnoreCase);
        var grants = user.GrantRules.Where(r => !baseIds.Contains(r.Id))
            .Concat(baseSet.GrantRules.Select(r => byId.TryGetValue(r.Id, out var u) ? u : r)).ToList();
        var tById = user.TriggerRules.ToDictionary(r => r.Id, StringComparer.OrdinalIgnoreCase);
        var tBase = new HashSet<string>(baseSet.TriggerRules.Select(r => r.Id), StringComparer.OrdinalIgnoreCase);
        var triggers = user.TriggerRules.Where(r => !tBase.Contains(r.Id))
            .Concat(baseSet.TriggerRules.Select(r => tById.TryGetValue(r.Id, out var u) ? u : r)).ToList();
        return new MappingRuleSet
        {
            SchemaVersion = 1,
            Description = user.Description ?? baseSet.Description,
            CustomRoleExcessThreshold = user.CustomRoleExcessThreshold ?? baseSet.CustomRoleExcessThreshold,
            ScopeNormalizers = user.ScopeNormalizers.Concat(baseSet.ScopeNormalizers).ToList(),
            ExcludedRoles = user.ExcludedRoles.Concat(baseSet.ExcludedRoles).ToList(),
            PollerPolicies = user.PollerPolicies.Concat(baseSet.PollerPolicies).Distinct(StringComparer.Ordinal).ToList(),
            GrantRules = grants,
            TriggerRules = triggers,
            PrincipalRules = user.PrincipalRules.Concat(baseSet.PrincipalRules).ToList(),
            HostStorageRoles = user.HostStorageRoles.Concat(baseSet.HostStorageRoles.Where(b => !user.HostStorageRoles.Any(u => string.Equals(u.Role, b.Role, StringComparison.OrdinalIgnoreCase)))).ToList(),
            ConditionMitigations = user.ConditionMitigations.Concat(baseSet.ConditionMitigations).ToList(),
            EventSourceServices = user.EventSourceServices.Concat(baseSet.EventSourceServices).ToList(),
        };
    }

    private static EngineError Err(string file, string path, string message, EngineErrorCategory category = EngineErrorCategory.InvalidData)
        => new() { ErrorId = "RuleSetInvalid", Category = category, Target = file, Location = new SourceLocation { File = file, Path = path }, Message = message };

    private static string FirstLine(string s) { var i = s.IndexOf('\n'); return i < 0 ? s : s.Substring(0, i).TrimEnd(); }
}

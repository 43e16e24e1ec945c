using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Translation;

/// <summary>
/// Turns function identities into the Azure design: one managed identity per function (or per shared execution
/// role), one outcome for every effective grant (BuiltIn, Custom, NotNeeded or Deviation), triggers, host storage,
/// end-user authentication, automation and people, audit, and federated AWS roles for dependencies that stay on AWS.
/// </summary>
public sealed partial class AzRoleMapper
{
    private readonly IGrantDeriver _deriver;
    private readonly MappingOptions _options;
    private readonly MappingRuleSet _rules;
    private readonly AzureRoleCatalog _catalog;
    private readonly LeastPrivilegeSelector _selector;

    /// <summary>Creates a mapper.</summary>
    public AzRoleMapper(IGrantDeriver deriver, MappingOptions? options = null)
    {
        _deriver = deriver ?? throw new ArgumentNullException(nameof(deriver));
        _options = options ?? new MappingOptions();
        _rules = _options.RuleSet ?? RuleSetLoader.Default;
        _catalog = _options.Catalog ?? AzureRoleCatalog.Default;
        _selector = new LeastPrivilegeSelector(_catalog);
        _excluded = new HashSet<string>(_rules.ExcludedRoles.Select(x => x.Role), StringComparer.OrdinalIgnoreCase);
    }

    private readonly HashSet<string> _excluded;

    /// <summary>The rules in use.</summary>
    public MappingRuleSet Rules => _rules;

    /// <summary>Maps every function; identity sharing needs all of them at once. A function that fails is reported and skipped.</summary>
    public IReadOnlyList<AzRoleMapping> Map(IReadOnlyList<LambdaFunctionIdentity> functions, EngineContext context)
    {
        var result = new List<AzRoleMapping>();
        // Each function's key, app (placed once, by the resource map or the naming convention) and mapping-id prefix.
        var keys = functions.Select(FunctionKey).ToArray();
        var appNames = AzureNaming.AppNames(functions.Select((f, i) => (f.FunctionName, keys[i])));
        var apps = functions.Select((f, i) => Place(f.FunctionName, appNames[keys[i]])).ToArray();
        // Mapping ids start with the function's name; a name several functions of the run share (MyFunction in two
        // templates) gets a short hash of the function's key, so every id stays unique and stable.
        var sharedNames = new HashSet<string>(functions.Select((f, i) => (f.FunctionName, Key: keys[i])).GroupBy(x => x.FunctionName, StringComparer.Ordinal)
            .Where(g => g.Select(x => x.Key).Distinct(StringComparer.Ordinal).Count() > 1).Select(g => g.Key), StringComparer.Ordinal);
        string FunctionId(int i) => sharedNames.Contains(functions[i].FunctionName) ? functions[i].FunctionName + "@" + AzureNaming.ShortHash(keys[i]) : functions[i].FunctionName;
        var byRole = functions.Where(f => RoleKey(f).Length > 0).GroupBy(RoleKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(f => f.FunctionName).ToList(), StringComparer.Ordinal);
        // User-assigned identity names, unique per execution role across the run (two templates may both call their role LambdaRole).
        var identityNames = new Dictionary<string, string>(StringComparer.Ordinal);
        var roleGroups = functions.Where(f => RoleKey(f).Length > 0).GroupBy(RoleKey, StringComparer.Ordinal)
            .Where(g => g.Count() > 1 || _options.UserAssignedIdentity).ToList();
        var baseNames = roleGroups.ToDictionary(g => g.Key, g => AzureNaming.UserAssignedIdentityName(RoleNameOf(g.First())), StringComparer.Ordinal);
        foreach (var g in roleGroups)
        {
            var name = baseNames[g.Key];
            identityNames[g.Key] = baseNames.Values.Count(n => n == name) > 1 ? name.Substring(0, Math.Min(name.Length, 118)).TrimEnd('-') + "-" + AzureNaming.ShortHash(g.Key) : name;
        }
        // Functions of one template call each other through tokens (${GetAtt:Other.Arn}): their apps by file and logical id.
        var siblings = new Dictionary<string, AppPlacement>(StringComparer.Ordinal);
        for (var i = 0; i < functions.Count; i++)
            if (functions[i].LogicalId is { Length: > 0 } logicalId) siblings[(functions[i].Source?.File ?? "") + "|" + logicalId] = apps[i];
        for (var i = 0; i < functions.Count; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var f = functions[i];
            context.Progress("Mapping functions to Azure", f.FunctionName, i, functions.Count);
            try
            {
                var key = RoleKey(f);
                var sharedWith = key.Length > 0 && byRole.TryGetValue(key, out var names) ? names : new List<string> { f.FunctionName };
                var fm = new FunctionMapping(this, f, apps[i], sharedWith, context, identityNames.TryGetValue(key, out var idName) ? idName : null, siblings, FunctionId(i));
                result.AddRange(fm.Build());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                context.Error("FunctionMappingFailed", EngineErrorCategory.NotSpecified, f.FunctionArn.Length > 0 ? f.FunctionArn : f.FunctionName,
                    "could not map " + f.FunctionName + ": " + ex.Message, f.Source, ex);
            }
        }
        context.Progress("Mapping functions to Azure", "done", functions.Count, functions.Count);
        return result;
    }

    /// <summary>Where a function's app is: from a function-app: entry of the resource map, else the conventional name in a placeholder scope.</summary>
    private AppPlacement Place(string functionName, string conventionalName)
    {
        var placed = _options.ResourceMap.ResolveFunctionApp(functionName, conventionalName);
        return placed is { } p ? new AppPlacement(p.AppName, p.Scope, false) : new AppPlacement(conventionalName, AzureNaming.AppScope(conventionalName), true);
    }

    private readonly record struct AppPlacement(string Name, string Scope, bool IsPlaceholder);

    /// <summary>
    /// What tells one function from another in a run: its ARN and name, and for a template function whose ARN still
    /// holds tokens (the same logical id in two templates) its file too.
    /// </summary>
    private static string FunctionKey(LambdaFunctionIdentity f)
        => f.FunctionArn + "|" + f.FunctionName + (f.FunctionArn.Length == 0 || Arn.HasToken(f.FunctionArn) ? "|" + (f.Source?.File ?? "") : "");

    private static string RoleNameOf(LambdaFunctionIdentity f)
    {
        var arn = f.ExecutionRole?.RoleArn is { Length: > 0 } a ? a : f.RoleArn;
        var name = f.ExecutionRole?.RoleName is { Length: > 0 } rn ? rn : arn.Split('/').Last();
        return name.Length > 0 ? name : f.FunctionName;
    }

    // A role ARN that is still a template token (${GetAtt:Role.Arn}) names a role only within its file.
    private static string RoleKey(LambdaFunctionIdentity f)
    {
        var arn = f.ExecutionRole?.RoleArn is { Length: > 0 } a ? a : f.RoleArn;
        return arn.Length > 0 && Arn.HasToken(arn) ? arn + "|" + (f.ExecutionRole?.Source?.File ?? f.Source?.File ?? "") : arn;
    }

    /// <summary>
    /// The mapping of one function, one file per surface: AzRoleMapper.Identity.cs (managed identity, role-level
    /// deviations), .Grants.cs (execution-role grants to roles), .Triggers.cs, .Host.cs, .EndUsers.cs, .Principals.cs
    /// (automation and people), .Audit.cs.
    /// </summary>
    private sealed partial class FunctionMapping
    {
        private readonly AzRoleMapper _m;
        private readonly LambdaFunctionIdentity _f;
        private readonly string _app;
        private readonly AppPlacement _placement;
        private readonly IReadOnlyList<string> _sharedWith;
        private readonly EngineContext _ctx;
        private readonly List<AzRoleMapping> _out = new();
        private string _principal = "";
        private string _identityType = "";

        private readonly string? _identityName;
        private readonly IReadOnlyDictionary<string, AppPlacement> _siblings;
        private readonly string _functionId;

        public FunctionMapping(AzRoleMapper m, LambdaFunctionIdentity f, AppPlacement app, IReadOnlyList<string> sharedWith, EngineContext ctx, string? identityName, IReadOnlyDictionary<string, AppPlacement> siblings, string functionId)
        { _m = m; _f = f; _app = app.Name; _placement = app; _sharedWith = sharedWith; _ctx = ctx; _identityName = identityName; _siblings = siblings; _functionId = functionId; }

        private static readonly System.Text.RegularExpressions.Regex FunctionToken = new(@"^(?:\$\{GetAtt:([A-Za-z0-9]+)\.Arn\}|\$\{Ref:([A-Za-z0-9]+)\}|arn:.*:function:\$\{Ref:([A-Za-z0-9]+)\})(?::.*)?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        /// <summary>The app of a function of the same template named by a token (${GetAtt:X.Arn}, ${Ref:X}), or null.</summary>
        private AppPlacement? Sibling(string callee)
        {
            var match = FunctionToken.Match(callee);
            if (!match.Success) return null;
            var logicalId = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Success ? match.Groups[2].Value : match.Groups[3].Value;
            return _siblings.TryGetValue((_f.Source?.File ?? "") + "|" + logicalId, out var p) ? p : null;
        }

        private MappingRuleSet Rules => _m._rules;

        public List<AzRoleMapping> Build()
        {
            Identity();
            Grants();
            Triggers();
            Host();
            EndUsers();
            ServiceRoles();
            UserPools();
            Principals();
            Audit();
            return _out;
        }

        private Draft New(string key, MappingKind kind, IdentitySurface surface, MappingStrategy strategy) => new()
        {
            MappingId = _functionId + "/" + kind + "/" + key,
            FunctionName = _f.FunctionName, FunctionArn = _f.FunctionArn, FunctionAppName = _app,
            Kind = kind, Surface = surface, Strategy = strategy,
        };

        private void Emit(Draft d) => _out.Add(d.Build());
    }

    /// <summary>A mutable draft, built once into an immutable record.</summary>
    private sealed class Draft
    {
        public string MappingId = "", FunctionName = "", FunctionArn = "", FunctionAppName = "", AwsFeature = "", AzureFeature = "", Reason = "";
        public IdentitySurface Surface; public MappingKind Kind; public MappingStrategy Strategy;
        public IReadOnlyList<string> AwsActions = Array.Empty<string>(), AwsResources = Array.Empty<string>(), AwsGrants = Array.Empty<string>(), RequiredActions = Array.Empty<string>(), RequiredDataActions = Array.Empty<string>();
        public SourceLocation? AwsSource;
        public string? AzureService, RoleDefinitionName, RoleDefinitionId, Scope, PrincipalName, ObjectId, PrincipalType, IdentityType, Impact, Mitigation, RoleAssignmentType, RuleId;
        public bool ScopeIsPlaceholder, PimEligible;
        public SortedDictionary<string, string> Settings = new(StringComparer.Ordinal);
        public IReadOnlyList<Finding> Findings = Array.Empty<Finding>();

        public AzRoleMapping Build() => new()
        {
            MappingId = MappingId, FunctionName = FunctionName, FunctionArn = FunctionArn, FunctionAppName = FunctionAppName,
            Surface = Surface, Kind = Kind, Strategy = Strategy, AwsFeature = AwsFeature, AwsActions = AwsActions, AwsResources = AwsResources,
            AwsSource = AwsSource, AzureFeature = AzureFeature, AzureService = AzureService, RoleDefinitionName = RoleDefinitionName,
            RoleDefinitionId = RoleDefinitionId, Scope = Scope, ScopeIsPlaceholder = ScopeIsPlaceholder, PrincipalName = PrincipalName, ObjectId = ObjectId,
            PrincipalType = PrincipalType, IdentityType = IdentityType, Settings = new Dictionary<string, string>(Settings, StringComparer.Ordinal), Reason = Reason,
            Impact = Impact, Mitigation = Mitigation, PimEligible = PimEligible, AwsGrants = AwsGrants, RoleAssignmentType = RoleAssignmentType,
            RequiredActions = RequiredActions, RequiredDataActions = RequiredDataActions, RuleId = RuleId, Findings = Findings,
        };
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Translation;

public sealed partial class AzRoleMapper
{
    private sealed partial class FunctionMapping
    {
        // ---- triggers ----
        private void Triggers()
        {
            var i = 0;
            foreach (var e in _f.EventSources)
            {
                var key = "trigger/" + (e.Name.Length > 0 ? e.Name : e.Type + (i)); i++;
                var rule = Rules.MatchTrigger(e.Type);
                if (rule is null && e.SourceArn is { } arn && Rules.EventSourceTypeOfService(Arn.Service(arn)) is { } t) rule = Rules.MatchTrigger(t);
                var d = New(key, MappingKind.TriggerConnection, IdentitySurface.Platform, MappingStrategy.BuiltIn);
                d.AwsFeature = e.Type + " event source " + e.Name + (e.SourceArn is null ? "" : " (" + e.SourceArn + ")");
                d.AwsResources = e.SourceArn is null ? Array.Empty<string>() : new[] { e.SourceArn };
                d.AwsSource = e.Source ?? _f.Source;
                d.PrincipalName = _principal; d.PrincipalType = "ServicePrincipal"; d.IdentityType = _identityType;
                if (rule is null)
                {
                    d.Strategy = MappingStrategy.Deviation;
                    d.AzureFeature = "No trigger rule";
                    d.Reason = "No trigger rule maps event source type " + e.Type + ".";
                    d.Impact = "The function would not be invoked by this source on Azure.";
                    d.Mitigation = "Add a trigger rule with -RuleSet, or design the trigger by hand (Event Grid or Service Bus are the usual targets).";
                    Emit(d);
                    continue;
                }
                d.RuleId = rule.Id;
                d.AzureService = rule.AzureService;
                d.AzureFeature = rule.AzureTrigger;
                d.Settings[SettingKeys.Trigger] = rule.AzureTrigger;
                var setting = (rule.ConnectionSetting ?? "").Replace("{name}", AzureNaming.Slug(e.Name.Length > 0 ? e.Name : e.Type, 60).Replace('-', '_'));
                if (setting.Length > 0)
                {
                    d.Settings[SettingKeys.ConnectionSetting] = setting;
                    d.Settings[SettingKeys.Credential] = "managedidentity";
                    if (_identityType == "UserAssigned") d.Settings[SettingKeys.ClientId] = "{clientId of " + _principal + "}";
                }
                d.Strategy = rule.Outcome switch { RuleOutcome.NotNeeded => MappingStrategy.NotNeeded, RuleOutcome.Deviation => MappingStrategy.Deviation, _ => MappingStrategy.BuiltIn };
                d.Reason = rule.Reason + (e.IsPoll ? "" : " The AWS push permission (Lambda resource policy) becomes the Azure-side subscription that delivers to the function.");
                d.Impact = rule.Impact; d.Mitigation = rule.Mitigation;
                var res = e.SourceArn is { Length: > 0 } a ? Rules.Normalize(a) : "event-source:" + e.Name;
                var entry = _m._options.ResourceMap.Resolve(res);
                var lease = rule.Outcome == RuleOutcome.Role && rule.LeaseRoles.Count > 0 ? LeaseScope(rule, res, entry) : default;
                if (lease.Scope is not null)
                {
                    d.Settings[SettingKeys.LeaseContainerName] = lease.Container;
                    if (lease.Database is not null) d.Settings[SettingKeys.LeaseDatabaseName] = lease.Database;
                    // Two triggers on one lease container without distinct prefixes split the changes between them.
                    d.Settings[SettingKeys.LeaseContainerPrefix] = AzureNaming.Slug(_f.FunctionName, 50) + "-";
                }
                Emit(d);
                if (rule.Outcome != RuleOutcome.Role) continue;
                foreach (var roleName in rule.LeaseRoles)
                {
                    // The lease container: the trigger's checkpoints, written; the watched container is only read.
                    var role = _m._catalog.FindByName(roleName)!;
                    var r = New(key + "/lease/" + roleName, MappingKind.RoleAssignment, IdentitySurface.Platform, MappingStrategy.BuiltIn);
                    r.AwsFeature = d.AwsFeature + ": the lease container of its change-feed trigger"; r.AwsResources = d.AwsResources; r.AwsSource = d.AwsSource; r.RuleId = rule.Id;
                    r.AzureService = rule.AzureService;
                    r.AzureFeature = rule.AzureTrigger + " lease container";
                    r.RoleDefinitionName = role.RoleName; r.RoleDefinitionId = role.Id;
                    r.RoleAssignmentType = role.System.ToString();
                    r.Scope = lease.Scope; r.ScopeIsPlaceholder = lease.Placeholder;
                    if (rule.AzureResourceType is not null) r.Settings[SettingKeys.ScopeResourceType] = rule.AzureResourceType;
                    r.PrincipalName = _principal; r.PrincipalType = "ServicePrincipal"; r.IdentityType = _identityType;
                    r.Reason = roleName + " on the lease container only: the " + rule.AzureTrigger + " writes a lease per partition range there (its checkpoints); "
                               + lease.How + ". The container must exist before the app starts: data-plane roles cannot create it (keep createLeaseContainerIfNotExists false).";
                    Emit(r);
                }
                foreach (var roleName in rule.Roles)
                {
                    var role = _m._catalog.FindByName(roleName)!;
                    var r = New(key + "/" + roleName, MappingKind.RoleAssignment, IdentitySurface.Platform, MappingStrategy.BuiltIn);
                    r.AwsFeature = d.AwsFeature; r.AwsResources = d.AwsResources; r.AwsSource = d.AwsSource; r.RuleId = rule.Id;
                    r.AzureService = rule.AzureService;
                    r.AzureFeature = rule.AzureTrigger + " identity-based connection";
                    r.RoleDefinitionName = role.RoleName; r.RoleDefinitionId = role.Id;
                    r.RoleAssignmentType = role.System.ToString();
                    r.Scope = entry is { StayOnAws: false } ? entry.Azure : AzureNaming.Placeholder(res);
                    r.ScopeIsPlaceholder = entry is not { StayOnAws: false };
                    if (rule.AzureResourceType is not null) r.Settings[SettingKeys.ScopeResourceType] = rule.AzureResourceType;
                    r.PrincipalName = _principal; r.PrincipalType = "ServicePrincipal"; r.IdentityType = _identityType;
                    r.Reason = roleName + " is what the " + rule.AzureTrigger + " needs for an identity-based connection (Microsoft's Functions documentation)"
                               + (rule.LeaseRoles.Count > 0 ? " on the watched container, which it only reads; the leases it writes are granted on the lease container alone." : ".");
                    Emit(r);
                }
            }
        }

        /// <summary>
        /// The lease container of a trigger that writes leases: the resource map's cosmos-lease:&lt;ARN&gt; entry, else the
        /// rule's default container in the watched container's database, else a placeholder to fill (the export then
        /// skips the assignment and names the entry).
        /// </summary>
        private (string? Scope, bool Placeholder, string Container, string? Database, string How) LeaseScope(TriggerRule rule, string res, ResourceMapEntry? watched)
        {
            var key = ResourceMap.CosmosLeasePrefix + res;
            if (_m._options.ResourceMap.Resolve(key) is { StayOnAws: false, Azure.Length: > 0 } named)
            {
                var (db, coll) = CosmosParts(named.Azure);
                return (named.Azure, false, coll ?? rule.LeaseContainer!, db, "the resource map names it (" + key + ")");
            }
            if (watched is { StayOnAws: false, Azure.Length: > 0 } && DatabaseId(watched.Azure) is { } dbId)
                return (dbId.Id + dbId.Containers + rule.LeaseContainer, false, rule.LeaseContainer!, dbId.Name,
                        "the default lease container '" + rule.LeaseContainer + "' in the watched container's database (name another with " + ResourceMap.CosmosLeasePrefix + "<ARN> in the resource map)");
            return (AzureNaming.Placeholder(key), true, rule.LeaseContainer!, null,
                    "the watched container is not mapped to a Cosmos DB database, so the lease container is unknown: fill " + key + " (or the watched resource) in the resource map");
        }

        // A Cosmos DB ID's database and container names (ARM form …/sqlDatabases/d/containers/c or data-plane form …/dbs/d/colls/c).
        private static (string? Db, string? Coll) CosmosParts(string id)
        {
            var p = id.TrimEnd('/').Split('/');
            string? After(params string[] names) { for (var k = 0; k + 1 < p.Length; k++) if (names.Any(n => string.Equals(p[k], n, StringComparison.OrdinalIgnoreCase))) return p[k + 1]; return null; }
            return (After("sqlDatabases", "dbs"), After("containers", "colls"));
        }

        // The database ID of a watched container (or database) ID, its name, and the container segment of that form.
        private static (string Id, string Name, string Containers)? DatabaseId(string id)
        {
            var p = id.TrimEnd('/').Split('/');
            for (var k = 0; k + 1 < p.Length; k++)
            {
                var arm = string.Equals(p[k], "sqlDatabases", StringComparison.OrdinalIgnoreCase);
                if (!arm && !string.Equals(p[k], "dbs", StringComparison.Ordinal)) continue;
                // Only under a Cosmos DB account: …/databaseAccounts/<account>/sqlDatabases/<db>.
                if (k < 2 || !string.Equals(p[k - 2], "databaseAccounts", StringComparison.OrdinalIgnoreCase) || p[k + 1].Length == 0) continue;
                return (string.Join("/", p.Take(k + 2)), p[k + 1], arm ? "/containers/" : "/colls/");
            }
            return null;
        }
    }
}

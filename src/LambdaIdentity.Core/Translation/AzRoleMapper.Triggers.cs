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
                Emit(d);
                if (rule.Outcome != RuleOutcome.Role) continue;
                var res = e.SourceArn is { Length: > 0 } a ? Rules.Normalize(a) : "event-source:" + e.Name;
                var entry = _m._options.ResourceMap.Resolve(res);
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
                    r.Reason = roleName + " is what the " + rule.AzureTrigger + " needs for an identity-based connection (Microsoft's Functions documentation).";
                    Emit(r);
                }
            }
        }
    }
}

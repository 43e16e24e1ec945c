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
        // ---- host ----
        private void Host()
        {
            var plan = _m._options.HostingPlan;
            var entry = _m._options.ResourceMap.Resolve(ResourceMap.HostStorageKey);
            var scope = entry is { StayOnAws: false } ? entry.Azure : AzureNaming.Placeholder(ResourceMap.HostStorageKey);
            var placeholder = entry is not { StayOnAws: false };
            var d = New("host/AzureWebJobsStorage", MappingKind.Setting, IdentitySurface.Platform, MappingStrategy.BuiltIn);
            d.AwsFeature = "Lambda service-managed code storage and state";
            d.AzureService = "Storage account (host storage)";
            d.AzureFeature = "AzureWebJobsStorage with managed identity (" + plan + " plan)";
            // The account's name when the resource map places host storage (…/storageAccounts/<name>), else a placeholder.
            var account = placeholder ? null : System.Text.RegularExpressions.Regex.Match(scope, "/storageAccounts/([^/]+)", System.Text.RegularExpressions.RegexOptions.IgnoreCase).Groups[1].Value;
            d.Settings["AzureWebJobsStorage__accountName"] = account is { Length: > 0 } ? account : "{hostStorageAccount}";
            d.Settings["AzureWebJobsStorage__credential"] = "managedidentity";
            if (_identityType == "UserAssigned") d.Settings["AzureWebJobsStorage__clientId"] = "{clientId of " + _principal + "}";
            d.Settings[SettingKeys.HostingPlan] = plan.ToString();
            d.PrincipalName = _principal; d.PrincipalType = "ServicePrincipal"; d.IdentityType = _identityType;
            d.Reason = plan is HostingPlan.Consumption or HostingPlan.Premium
                ? "The Functions host keeps keys, timers and leases in its storage account, reached with the managed identity; the " + plan + " plan's content share (Azure Files) still needs an account key (see host/content-share)."
                : "The Functions host keeps keys, timers and leases in its storage account; with a managed identity no account key is stored.";
            Emit(d);
            var triggerUsesHostStorage = _out.Any(m => m.Kind == MappingKind.TriggerConnection && m.RuleId is { } id
                && Rules.TriggerRules.Any(t => t.UsesHostStorage && string.Equals(t.Id, id, StringComparison.Ordinal)));
            foreach (var (roleName, why) in Rules.HostStorageRoles.Where(h => !h.WhenTriggerUsesHostStorage || triggerUsesHostStorage).Select(h => (h.Role, h.Reason)))
            {
                var role = _m._catalog.FindByName(roleName)!;
                var r = New("host/AzureWebJobsStorage/" + roleName, MappingKind.RoleAssignment, IdentitySurface.Platform, MappingStrategy.BuiltIn);
                r.AwsFeature = d.AwsFeature; r.AzureService = d.AzureService; r.AzureFeature = "Host storage access";
                r.RoleDefinitionName = role.RoleName; r.RoleDefinitionId = role.Id; r.RoleAssignmentType = role.System.ToString();
                r.Scope = scope; r.ScopeIsPlaceholder = placeholder;
                r.Settings[SettingKeys.ScopeResourceType] = "Microsoft.Storage/storageAccounts";
                r.PrincipalName = _principal; r.PrincipalType = "ServicePrincipal"; r.IdentityType = _identityType;
                r.Reason = "AzureWebJobsStorage with managed identity: " + why + ".";
                Emit(r);
            }
            if (plan is HostingPlan.Consumption or HostingPlan.Premium)
            {
                var x = New("host/content-share", MappingKind.Setting, IdentitySurface.Platform, MappingStrategy.Deviation);
                x.AwsFeature = d.AwsFeature; x.AzureService = "Azure Files";
                x.AzureFeature = "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING (content share)";
                x.Reason = "The " + plan + " plan keeps the app's content on an Azure Files share.";
                x.Impact = "Azure Files for the content share does not accept a managed identity: a key-based connection string remains.";
                x.Mitigation = "Prefer the Flex Consumption plan (no Azure Files) or a Dedicated plan; otherwise keep the connection string in a Key Vault reference and rotate the key.";
                Emit(x);
            }
            if (plan == HostingPlan.FlexConsumption)
            {
                var x = New("host/deployment-storage", MappingKind.Setting, IdentitySurface.Platform, MappingStrategy.NotNeeded);
                x.AwsFeature = "Lambda deployment package"; x.AzureService = "Storage account (deployment container)";
                x.AzureFeature = "functionAppConfig.deployment.storage.authentication = " + (_identityType == "UserAssigned" ? "UserAssignedIdentity" : "SystemAssignedIdentity");
                x.Settings[SettingKeys.DeploymentStorageAuthentication] = _identityType == "UserAssigned" ? "UserAssignedIdentity" : "SystemAssignedIdentity";
                x.PrincipalName = _principal; x.PrincipalType = "ServicePrincipal"; x.IdentityType = _identityType;
                x.Reason = "Flex Consumption reads its deployment package with the app's identity; Storage Blob Data Owner on the host storage account covers the deployment container when it lives there.";
                Emit(x);
            }
        }
    }
}

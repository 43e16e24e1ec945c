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
        // ---- audit ----
        private void Audit()
        {
            var a = New("audit/application-insights", MappingKind.Setting, IdentitySurface.Audit, MappingStrategy.BuiltIn);
            a.AwsFeature = "CloudWatch Logs" + (_f.TracingMode is { } tm ? " and X-Ray (" + tm + ")" : "");
            a.AzureService = "Application Insights";
            a.AzureFeature = "Application Insights for " + _app + " (APPLICATIONINSIGHTS_CONNECTION_STRING, APPLICATIONINSIGHTS_AUTHENTICATION_STRING=Authorization=AAD)";
            a.Settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "Authorization=AAD" + (_identityType == "UserAssigned" ? ";ClientId={clientId of " + _principal + "}" : "");
            a.Reason = "Function logs and traces replace CloudWatch Logs and X-Ray; with Entra authentication the identity needs Monitoring Metrics Publisher on the component.";
            Emit(a);
            var mmp = _m._catalog.FindByName("Monitoring Metrics Publisher")!;
            var r = New("audit/application-insights/Monitoring Metrics Publisher", MappingKind.RoleAssignment, IdentitySurface.Audit, MappingStrategy.BuiltIn);
            r.AwsFeature = a.AwsFeature; r.AzureService = "Application Insights"; r.AzureFeature = "Telemetry ingestion with Entra authentication";
            r.RoleDefinitionName = mmp.RoleName; r.RoleDefinitionId = mmp.Id; r.RoleAssignmentType = mmp.System.ToString();
            var entry = _m._options.ResourceMap.Resolve("application-insights");
            r.Scope = entry is { StayOnAws: false } ? entry.Azure : AzureNaming.Placeholder("application-insights");
            r.ScopeIsPlaceholder = entry is not { StayOnAws: false };
            r.Settings[SettingKeys.ScopeResourceType] = "Microsoft.Insights/components";
            r.PrincipalName = _principal; r.PrincipalType = "ServicePrincipal"; r.IdentityType = _identityType;
            r.Reason = "Monitoring Metrics Publisher is the least-privileged role for Entra-authenticated telemetry (Microsoft.Insights/Telemetry/Write).";
            Emit(r);
            var t = New("audit/diagnostic-settings", MappingKind.Setting, IdentitySurface.Audit, MappingStrategy.BuiltIn);
            t.AwsFeature = "CloudTrail management and data events for the function";
            t.AzureService = "Azure Monitor";
            t.AzureFeature = "Activity Log (control plane) and a diagnostic setting sending FunctionAppLogs and AuditEvents of " + _app + " to a Log Analytics workspace";
            t.Settings[SettingKeys.DiagnosticCategories] = "FunctionAppLogs,AppServiceAuditLogs,AppServiceAuthenticationLogs";
            // The destination, when the resource map names the workspace (log-analytics): the export can then deploy it.
            if (_m._options.ResourceMap.Resolve(ResourceMap.LogAnalyticsKey) is { StayOnAws: false, Azure.Length: > 0 } workspace)
                t.Settings[SettingKeys.DiagnosticWorkspaceId] = workspace.Azure;
            t.Reason = "CloudTrail management events become the Activity Log; data events (invocations, auth) become the app's diagnostic logs in Log Analytics.";
            Emit(t);
        }
    }
}

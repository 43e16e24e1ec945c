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
        // ---- identity ----
        private void Identity()
        {
            var role = _f.ExecutionRole;
            var roleArn = role?.RoleArn is { Length: > 0 } ra ? ra : _f.RoleArn;
            var roleName = role?.RoleName is { Length: > 0 } rn ? rn : roleArn.Split('/').Last();
            var shared = _sharedWith.Count > 1;
            var user = shared || _m._options.UserAssignedIdentity;
            _identityType = user ? "UserAssigned" : "SystemAssigned";
            _principal = user ? _identityName ?? AzureNaming.UserAssignedIdentityName(roleName.Length > 0 ? roleName : _f.FunctionName) : _app;
            var d = New("identity", MappingKind.ManagedIdentity, IdentitySurface.Workload, MappingStrategy.BuiltIn);
            d.AwsFeature = "execution role " + (roleArn.Length > 0 ? roleArn : "(none)");
            d.AwsResources = roleArn.Length > 0 ? new[] { roleArn } : Array.Empty<string>();
            d.AwsSource = role?.Source ?? _f.Source;
            d.AzureService = "Managed identities";
            d.AzureFeature = user ? "User-assigned managed identity " + _principal : "System-assigned managed identity of " + _app;
            d.PrincipalName = _principal; d.PrincipalType = "ServicePrincipal"; d.IdentityType = _identityType;
            if (user)
            {
                d.Settings["AZURE_CLIENT_ID"] = "{clientId of " + _principal + "}";
                d.Settings[SettingKeys.SharedWith] = string.Join(",", _sharedWith);
            }
            d.Reason = shared
                ? "The execution role is shared by " + _sharedWith.Count + " functions (" + string.Join(", ", _sharedWith) + "): one user-assigned identity keeps one set of role assignments, as the role did."
                : user ? "A user-assigned identity was requested, so role assignments can exist before the app."
                : "Only this function uses the execution role: a system-assigned identity lives and dies with the app.";
            Emit(d);
            if (role is null)
            {
                var x = New("deviation/execution-role-missing", MappingKind.RoleAssignment, IdentitySurface.Workload, MappingStrategy.Deviation);
                x.AwsFeature = "execution role " + (roleArn.Length > 0 ? roleArn : "(unknown)");
                x.AwsSource = _f.Source;
                x.AzureFeature = "Role assignments of " + _principal;
                x.Reason = "The inventory holds no policies for the execution role, so its grants cannot be derived.";
                x.Impact = "The workload and platform grants of this function are unknown; parity on them is Unverifiable.";
                x.Mitigation = "Add the role's policies to the inventory (get-account-authorization-details, or the template that defines the role) and map again.";
                Emit(x);
                return;
            }
            RoleDeviations(role);
        }

        private void RoleDeviations(ExecutionRole role)
        {
            if (role.PermissionsBoundary is { } pb)
            {
                var d = New("deviation/permissions-boundary", MappingKind.RoleAssignment, IdentitySurface.Workload, MappingStrategy.Deviation);
                d.AwsFeature = "permissions boundary " + (pb.PolicyArn ?? pb.PolicyName);
                d.AwsSource = pb.Source ?? role.Source;
                d.AzureFeature = "No permissions boundaries in Azure RBAC";
                d.Reason = "A permissions boundary caps what the role's policies can grant; Azure has no per-identity cap.";
                d.Impact = "The grants mapped here are the effective ones (the boundary already applied), but nothing in Azure stops a later, broader assignment.";
                d.Mitigation = "Cap assignments with an Azure Policy or with role-assignment conditions (delegated RBAC administration) on who may assign roles to this identity.";
                Emit(d);
            }
            var denies = role.Policies.SelectMany(p => p.Statement.Select(s => (p, s))).Where(x => string.Equals(x.s.Effect, "Deny", StringComparison.OrdinalIgnoreCase)).ToList();
            if (denies.Count > 0)
            {
                var d = New("deviation/explicit-deny", MappingKind.RoleAssignment, IdentitySurface.Workload, MappingStrategy.Deviation);
                d.AwsFeature = "explicit Deny in " + string.Join(", ", denies.Select(x => x.p.PolicyName + "#" + (x.s.Sid ?? "")).Distinct());
                d.AwsActions = denies.SelectMany(x => x.s.Action.Concat(x.s.NotAction)).Distinct().OrderBy(a => a, StringComparer.Ordinal).ToArray();
                d.AwsSource = denies[0].p.Source ?? role.Source;
                d.AzureFeature = "No authorable deny assignments";
                d.Reason = "Azure deny assignments cannot be authored directly; the mapping assigns only what remains allowed after the denies.";
                d.Impact = "A later, broader role assignment would not be blocked by a deny as it was on AWS.";
                d.Mitigation = "Keep assignments at the narrowest scope, review with Test-IdentityParity (Excess), and use Azure Policy to block assignments the deny was guarding against.";
                Emit(d);
            }
            var nots = role.Policies.SelectMany(p => p.Statement.Select(s => (p, s)))
                .Where(x => string.Equals(x.s.Effect, "Allow", StringComparison.OrdinalIgnoreCase) && (x.s.NotAction.Count > 0 || x.s.NotResource.Count > 0)).ToList();
            if (nots.Count > 0)
            {
                var d = New("deviation/not-action", MappingKind.RoleAssignment, IdentitySurface.Workload, MappingStrategy.Deviation);
                d.AwsFeature = "Allow with NotAction/NotResource in " + string.Join(", ", nots.Select(x => x.p.PolicyName + "#" + (x.s.Sid ?? "")).Distinct());
                d.AwsSource = nots[0].p.Source ?? role.Source;
                d.AzureFeature = "Explicit operations per assignment";
                d.Reason = "NotAction/NotResource allow everything except a list; the grants were expanded from the action catalog and mapped one by one.";
                d.Impact = "Actions AWS adds later to the service would have been allowed on AWS; they are not on Azure.";
                d.Mitigation = "Review the expanded grants; prefer the explicit list the function actually uses.";
                Emit(d);
            }
            foreach (var p in role.Policies.Where(p => p.IsUnresolved))
            {
                var d = New("deviation/unresolved-policy/" + (p.PolicyArn ?? p.PolicyName), MappingKind.RoleAssignment, IdentitySurface.Workload, MappingStrategy.Deviation);
                d.AwsFeature = "policy " + (p.PolicyArn ?? p.PolicyName) + " could not be read in full";
                d.AwsSource = p.Source ?? role.Source;
                d.AzureFeature = "Unknown";
                d.Reason = "The policy is unresolved in the inventory (a managed policy not in the export, or a template value that could not be resolved).";
                d.Impact = "Grants from this policy are missing from the mapping; parity on them is Unverifiable.";
                d.Mitigation = "Export the policy (get-account-authorization-details) or resolve the template parameter and map again.";
                Emit(d);
            }
        }
    }
}

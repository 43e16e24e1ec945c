using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Translation;

public sealed partial class AzRoleMapper
{
    private sealed partial class FunctionMapping
    {
        // ---- roles AWS services assume for the function: API Gateway integration credentials, IoT topic rule actions,
        // EventBridge Scheduler targets. Each becomes the Azure service's identity with what the role allowed, or a
        // deviation; never ignored. ----

        /// <summary>Azure data roles an IoT Hub routing endpoint needs from the hub's managed identity, per AWS service the rule action wrote to.</summary>
        private static readonly Dictionary<string, string> IoTEndpointRoles = new(StringComparer.OrdinalIgnoreCase)
        {
            ["sqs"] = "Azure Service Bus Data Sender (Service Bus queue endpoint)",
            ["sns"] = "Azure Service Bus Data Sender (Service Bus topic endpoint)",
            ["kinesis"] = "Azure Event Hubs Data Sender (Event Hubs endpoint)",
            ["firehose"] = "Azure Event Hubs Data Sender (Event Hubs endpoint)",
            ["s3"] = "Storage Blob Data Contributor (storage endpoint)",
            ["dynamodb"] = "Cosmos DB Built-in Data Contributor (Cosmos DB endpoint)",
        };

        private void ServiceRoles()
        {
            foreach (var use in _f.ServiceRoles)
            {
                var grants = use.Role is { Policies.Count: > 0 } role ? _m._deriver.Derive(role, _ctx) : Array.Empty<EffectiveGrant>();
                // One unit per action and resource: the invoke of this function is what the Azure service's identity carries over.
                var units = grants.SelectMany(g => (g.Resources.Count == 0 ? new[] { "*" } : g.Resources.ToArray()).Select(r => (g.Service, g.Action, Resource: r))).Distinct().ToList();
                var other = units.Where(u => !IsInvokeOfThisFunction(u.Action, u.Resource)).ToList();
                var d = New("service-role/" + use.Service + "/" + use.Name, use.Service == "ApiGateway" ? MappingKind.Authentication : MappingKind.TriggerConnection,
                    use.Service == "ApiGateway" ? IdentitySurface.EndUser : IdentitySurface.Platform, MappingStrategy.BuiltIn);
                d.AwsFeature = use.Service + " " + use.Name + " assumes " + use.RoleArn;
                d.AwsActions = grants.Select(g => g.Action).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToList();
                d.AwsResources = grants.SelectMany(g => g.Resources).Distinct(StringComparer.Ordinal).OrderBy(r => r, StringComparer.Ordinal).ToList();
                d.AwsSource = use.Source ?? _f.Source;
                var others = string.Join(", ", other.Select(u => u.Action + " on " + u.Resource).Distinct(StringComparer.Ordinal));
                var unread = use.Role is not { Policies.Count: > 0 };
                switch (use.Service)
                {
                    case "ApiGateway":
                        // API Gateway invokes the function with the role's credentials (no resource-policy permission needed):
                        // on Azure, API Management calls the function app with its managed identity holding the invoke app role.
                        d.AzureService = "API Management";
                        d.AzureFeature = "API Management's managed identity holds the app role Function.Invoke on " + _app + "'s Entra application; its policy authentication-managed-identity (resource api://" + _app + ") calls the function";
                        d.PrincipalName = "API Management managed identity (was " + use.RoleArn + ")"; d.PrincipalType = "ServicePrincipal"; d.IdentityType = "SystemAssigned";
                        d.Settings[SettingKeys.AppRole] = "Function.Invoke";
                        d.Reason = "The integration's credentials role let API Gateway invoke the function; the gateway becomes API Management, whose managed identity gets the same right as an app role.";
                        if (other.Count > 0)
                        {
                            d.Strategy = MappingStrategy.Deviation;
                            d.Impact = "The role also allowed " + others + "; API Management's identity is designed only for calling the function.";
                            d.Mitigation = "Grant API Management's managed identity the data roles for those resources only if its policies call them directly (send-request with authentication-managed-identity); otherwise drop them.";
                        }
                        break;
                    case "Scheduler":
                        d.AzureService = "Azure Functions";
                        d.AzureFeature = "Timer trigger (NCRONTAB) in the function app: no scheduler identity";
                        d.Strategy = MappingStrategy.NotNeeded;
                        d.Reason = "The schedule's role let EventBridge Scheduler invoke the function; a timer trigger runs inside the function app, so no identity needs the invoke right.";
                        if (other.Count > 0)
                        {
                            d.Strategy = MappingStrategy.Deviation;
                            d.Impact = "The schedule's role also allowed " + others + " (a dead-letter queue or another target): a timer trigger has no role, dead-letter queue or retry policy of its own.";
                            d.Mitigation = "Handle failures in the function (a retry policy on the timer trigger) and, where it must write to a dead-letter queue or other target, grant the function's managed identity the matching data role (e.g. Azure Service Bus Data Sender).";
                        }
                        break;
                    default: // IoTRule
                        var endpoints = other.Select(u => u.Service).Distinct(StringComparer.OrdinalIgnoreCase)
                            .Select(s => IoTEndpointRoles.TryGetValue(s, out var r) ? r : null).Where(r => r != null).Distinct(StringComparer.Ordinal).ToList();
                        d.AzureService = "IoT Hub";
                        d.AzureFeature = "IoT Hub's managed identity for message routing endpoints (identity-based routing)" + (endpoints.Count > 0 ? ": " + string.Join(", ", endpoints) + " on the endpoint" : "");
                        d.PrincipalName = "IoT Hub managed identity (was " + use.RoleArn + ")"; d.PrincipalType = "ServicePrincipal"; d.IdentityType = "SystemAssigned";
                        d.Strategy = MappingStrategy.Deviation;
                        d.Reason = "The topic rule that invokes the function also acts with this role in its action " + use.Name + "; the rule becomes IoT Hub message routing, whose endpoints IoT Hub reaches with its own managed identity.";
                        d.Impact = "IoT Hub routes only to Event Hubs, Service Bus queues and topics, Storage and Cosmos DB endpoints: " + (others.Length > 0 ? "the role allowed " + others : "the role's grants could not be read") + "; actions without such an endpoint (republish, DynamoDB v2 expressions, HTTP) have no routing counterpart.";
                        d.Mitigation = "Enable IoT Hub's system-assigned identity, add the endpoints with identity-based authentication and assign it " + (endpoints.Count > 0 ? string.Join(", ", endpoints) : "the endpoint's sender role") + " at the endpoint's scope; move other actions into the function.";
                        break;
                }
                if (unread)
                {
                    if (d.Strategy != MappingStrategy.Deviation)
                    {
                        d.Strategy = MappingStrategy.Deviation;
                        d.Impact = "The role " + use.RoleArn + " is defined outside the source: what else it allowed is not known.";
                        d.Mitigation = "Add its authorization details (aws iam get-account-authorization-details) and map again.";
                    }
                    else d.Impact += " The role " + use.RoleArn + " is defined outside the source: its grants are not read.";
                }
                Emit(d);
            }
        }

        /// <summary>lambda:InvokeFunction (or a wildcard covering it) on this function, its aliases or versions, or on *.</summary>
        private bool IsInvokeOfThisFunction(string action, string r)
        {
            if (!string.Equals(action, "lambda:InvokeFunction", StringComparison.OrdinalIgnoreCase)) return false;
            return r == "*" || r == _f.FunctionArn || r.StartsWith(_f.FunctionArn + ":", StringComparison.Ordinal)
                || r.EndsWith(":function:" + _f.FunctionName, StringComparison.Ordinal) || r.Contains(":function:" + _f.FunctionName + ":")
                || (_f.LogicalId is { } id && (r.StartsWith("${GetAtt:" + id + ".", StringComparison.Ordinal) || r.StartsWith("${Ref:" + id + "}", StringComparison.Ordinal)));
        }
    }
}

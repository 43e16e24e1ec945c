using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Translation;

public sealed partial class AzRoleMapper
{
    private sealed partial class FunctionMapping
    {
        // ---- what stands in front of the function: a load balancer's login, a CDN's signed origin requests ----

        private const string EntraIssuerPrefix = "https://login.microsoftonline.com/";

        /// <summary>
        /// Designs the callers that another front authenticates for the function (an ALB's authenticate-cognito or
        /// authenticate-oidc action); false when the caller is designed by the general rules.
        /// </summary>
        private bool FrontDesign(Draft d, CallerAccess c, string where)
        {
            if (c.Channel == "FunctionUrl" && c.AuthType == CallerAuthType.AwsIam && CloudFrontOrigins() is { Count: > 0 } distributions)
            {
                FrontDoorOrigin(d, distributions);
                return true;
            }
            if (c.Channel == "IoT")
            {
                IoTAuthorizer(d, c, where);
                return true;
            }
            if (c.Channel != "ALB" || (c.AuthType != CallerAuthType.Cognito && c.AuthType != CallerAuthType.Jwt)) return false;
            // An ALB login is a browser sign-in (redirect, session cookie, x-amzn-oidc-* headers to the target):
            // App Service authentication's login flow is its counterpart, redirecting unauthenticated requests.
            d.Settings[SettingKeys.AuthLevel] = "anonymous";
            d.Settings[SettingKeys.RequireAuthentication] = "true";
            d.Settings[SettingKeys.UnauthenticatedClientAction] = "RedirectToLoginPage";
            d.Settings[SettingKeys.AllowedAudiences] = string.Join(",", c.Audiences);
            var headers = "the x-amzn-oidc-data / x-amzn-oidc-identity headers the function reads become App Service's X-MS-CLIENT-PRINCIPAL / X-MS-CLIENT-PRINCIPAL-ID";
            if (c.AuthType == CallerAuthType.Cognito)
            {
                d.Strategy = MappingStrategy.Deviation;
                d.AzureFeature = "App Service authentication (login redirect) with Microsoft Entra External ID: the user pool's users move to an External ID tenant, whose issuer and app registration the Entra provider uses";
                d.Settings[SettingKeys.IdentityProvider] = "azureActiveDirectory";
                d.Settings[SettingKeys.Issuer] = "{External ID tenant issuer}";
                d.Reason = "The load balancer signs users in with the Cognito user pool " + (c.Issuer ?? "(pool not resolved)") + " before it forwards to the function; App Service authentication signs users in before the function runs.";
                d.Impact = "The Cognito user pool has no Azure counterpart: its users, passwords and app client " + (c.Audiences.Count == 0 ? "" : "(" + string.Join(", ", c.Audiences) + ") ")
                    + "do not carry over, so users cannot sign in until they exist in Entra External ID; " + headers + ".";
                d.Mitigation = "Create a Microsoft Entra External ID tenant and migrate the users (password reset or just-in-time migration), register the function app with the redirect URI /.auth/login/aad/callback, "
                    + "configure App Service authentication with the External ID issuer and RedirectToLoginPage, and read X-MS-CLIENT-PRINCIPAL in the code; until then a custom OpenID Connect provider for the user pool (client secret as a Key Vault reference) keeps the same users.";
                d.Findings = new[] { new Finding { FindingId = "AlbCognitoLogin", Severity = FindingSeverity.Medium, Message = where + " of " + _f.FunctionName + " signs users in with a Cognito user pool at the load balancer.", Recommendation = d.Mitigation, Source = d.AwsSource } };
                return true;
            }
            if (c.Issuer is { } issuer && issuer.StartsWith(EntraIssuerPrefix, StringComparison.OrdinalIgnoreCase))
            {
                d.AzureFeature = "App Service authentication (login redirect), Entra ID provider with the issuer and client carried over";
                d.Settings[SettingKeys.IdentityProvider] = "azureActiveDirectory";
                d.Settings[SettingKeys.Issuer] = issuer;
                d.Reason = "The load balancer signs users in with Microsoft Entra ID (OIDC) before it forwards to the function; App Service authentication does the same sign-in with the same issuer and client; " + headers + ".";
                return true;
            }
            d.Strategy = MappingStrategy.Deviation;
            d.AzureFeature = "App Service authentication (login redirect) with a custom OpenID Connect provider for " + (c.Issuer ?? "the load balancer's issuer");
            d.Settings[SettingKeys.IdentityProvider] = "customOpenIdConnect";
            d.Settings[SettingKeys.Issuer] = c.Issuer ?? "{issuer}";
            d.Reason = "The load balancer signs users in with an OpenID Connect provider before it forwards to the function.";
            d.Impact = "The provider's app registration must accept App Service's redirect URI (/.auth/login/<provider>/callback) instead of the load balancer's /oauth2/idpresponse, and its client secret moves; " + headers + ".";
            d.Mitigation = "Add the redirect URI at the provider, configure App Service authentication with a custom OpenID Connect provider (its client secret as a Key Vault reference) and RedirectToLoginPage, and read X-MS-CLIENT-PRINCIPAL in the code; or move the sign-in to Microsoft Entra ID.";
            return true;
        }

        // An AWS IoT Core custom authorizer: IoT Core calls the function on each device connection (MQTT, WebSocket,
        // HTTP) with the device's token and the function returns the connection's policy. IoT Hub has no custom authorizer.
        private void IoTAuthorizer(Draft d, CallerAccess c, string where)
        {
            d.Strategy = MappingStrategy.Deviation;
            d.AzureService = "Azure IoT Hub / Azure Event Grid (MQTT broker)";
            d.AzureFeature = "Device identities in IoT Hub (X.509 certificates, or SAS tokens per device) replace the token check; "
                + "or an Event Grid namespace MQTT broker with custom webhook authentication calling this function (an HTTP trigger with Entra authentication, the namespace's managed identity its only caller)";
            d.Reason = "The function is an AWS IoT Core custom authorizer (" + (c.AuthorizerName ?? c.Route ?? "") + "): IoT Core invokes it (the Lambda permission for iot.amazonaws.com) to authenticate device connections and return their IoT policy. It is not an IoT rule, and devices never call it.";
            d.Impact = "IoT Hub has no custom authorizer: devices authenticate with their own registry identities, so the token format, the decision code and the per-connection policy it returned do not carry over; the Event Grid MQTT broker calls a webhook for authentication but authorizes with its own permission bindings, not a returned policy.";
            d.Mitigation = "Register each device in IoT Hub (X.509 CA-signed certificates preferred) and express the returned policy as IoT Hub permissions, "
                + "or use an Event Grid namespace with custom webhook authentication: expose the function as an HTTP trigger protected by App Service authentication whose only allowed client is the namespace's managed identity, and move the policy into client groups and permission bindings.";
            d.Findings = new[] { new Finding { FindingId = "IoTCustomAuthorizerFunction", Severity = FindingSeverity.Medium, Message = where + ": " + _f.FunctionName + " authenticates AWS IoT Core device connections (custom authorizer).", Recommendation = d.Mitigation, Source = d.AwsSource } };
        }

        /// <summary>
        /// The CloudFront distributions (source ARNs, or "a CloudFront distribution" when unconditioned) that the resource
        /// policy lets invoke the function (URL): an origin access control signs CloudFront's requests to the IAM-protected URL.
        /// </summary>
        private List<string> CloudFrontOrigins()
        {
            var found = new List<string>();
            foreach (var st in _f.ResourcePolicy?.Statement ?? Array.Empty<PolicyStatement>())
            {
                if (!string.Equals(st.Effect, "Allow", StringComparison.OrdinalIgnoreCase) || st.Principal is null) continue;
                if (!st.Principal.Service.Any(s => string.Equals(s, "cloudfront.amazonaws.com", StringComparison.OrdinalIgnoreCase))) continue;
                if (!st.Action.Any(a => a.StartsWith("lambda:InvokeFunction", StringComparison.OrdinalIgnoreCase) || a == "lambda:*" || a == "*")) continue;
                var arns = st.Condition.Where(x => string.Equals(x.Key, "aws:SourceArn", StringComparison.OrdinalIgnoreCase)).SelectMany(x => x.Values).ToList();
                found.AddRange(arns.Count > 0 ? arns : new List<string> { "a CloudFront distribution" });
            }
            return found.Distinct(StringComparer.Ordinal).ToList();
        }

        // CloudFront reaching an AWS_IAM function URL through an origin access control: only the distribution may call the
        // origin. App Service authentication would reject Front Door's forwarded requests (they carry no token); the
        // counterpart is private access that admits only the Front Door profile.
        private void FrontDoorOrigin(Draft d, IReadOnlyList<string> distributions)
        {
            d.AzureService = "Azure Front Door Premium";
            d.AzureFeature = "Azure Front Door Premium with a Private Link origin to the function app (public network access disabled), "
                + "or access restrictions admitting only the AzureFrontDoor.Backend service tag with the X-Azure-FDID header of the profile; HTTP trigger authLevel anonymous and no App Service authentication (it would block Front Door)";
            d.AwsFeature = d.AwsFeature + " behind CloudFront (origin access control: " + string.Join(", ", distributions) + ")";
            d.Settings[SettingKeys.AuthLevel] = "anonymous";
            d.Settings[SettingKeys.RequireAuthentication] = "false";
            d.Settings[SettingKeys.FrontDoor] = "Premium, Private Link origin";
            d.Settings[SettingKeys.AccessRestrictionServiceTag] = "AzureFrontDoor.Backend";
            d.Settings[SettingKeys.AccessRestrictionHeader] = "X-Azure-FDID";
            d.Reason = "CloudFront signs its origin requests (SigV4, origin access control) so that only the distribution reaches the IAM-protected function URL; end users never call the URL. "
                + "On Azure the distribution becomes Front Door, and only Front Door reaches the app: through Private Link, or access restrictions to its service tag plus its X-Azure-FDID header (the service tag alone admits every Front Door profile).";
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Translation;

public sealed partial class AzRoleMapper
{
    private sealed partial class FunctionMapping
    {
        // What each Cognito trigger becomes in Microsoft Entra External ID (custom authentication extensions), or null
        // when External ID has no extension point for it. Every trigger is a deviation: its code moves behind the
        // extension's REST contract, or its behaviour is lost.
        private static readonly Dictionary<string, string?> TriggerTargets = new(StringComparer.Ordinal)
        {
            ["PreSignUp"] = "a custom authentication extension on the user flow's OnAttributeCollectionSubmit event (validate or modify sign-up attributes)",
            ["PreTokenGeneration"] = "a custom claims provider (custom authentication extension on the OnTokenIssuanceStart event)",
            ["PreTokenGenerationConfig"] = "a custom claims provider (custom authentication extension on the OnTokenIssuanceStart event)",
            ["CustomEmailSender"] = "a custom email OTP provider (custom authentication extension on the OnOtpSend event)",
            ["CustomMessage"] = "a custom email OTP provider (OnOtpSend) for one-time codes; other message texts are the user flow's language customisation",
            ["PostConfirmation"] = null, ["PreAuthentication"] = null, ["PostAuthentication"] = null,
            ["DefineAuthChallenge"] = null, ["CreateAuthChallenge"] = null, ["VerifyAuthChallengeResponse"] = null,
            ["UserMigration"] = null, ["CustomSMSSender"] = null, ["InboundFederation"] = null,
        };

        // ---- end users: the Cognito directory behind the callers ----
        private void UserPools()
        {
            foreach (var pool in _f.UserPools)
            {
                var key = "cognito/" + pool.Id;
                var dir = New(key + "/directory", MappingKind.Setting, IdentitySurface.EndUser, MappingStrategy.Deviation);
                dir.AwsFeature = "Cognito user pool " + pool.Name + " (" + pool.Id + ")";
                dir.AwsSource = pool.Source;
                dir.AzureService = "Microsoft Entra External ID";
                dir.AzureFeature = "An external tenant with a sign-up and sign-in user flow for " + pool.Name + (pool.MfaConfiguration is "ON" or "OPTIONAL" ? ", and a Conditional Access policy requiring MFA (the pool's MFA was " + pool.MfaConfiguration + ")" : "");
                dir.Reason = "The pool authenticates the function's callers (" + pool.MatchedBy + "); Entra External ID is the customer directory that replaces it.";
                dir.Impact = "Users move to another directory: Cognito does not export password hashes, and tokens change issuer, signing keys and claim names.";
                dir.Mitigation = "Import the users with Microsoft Graph (without passwords: each resets on first sign-in, or sign-in by email one-time passcode), then point callers at the external tenant's authority and validate its issuer in App Service authentication.";
                Emit(dir);

                foreach (var c in pool.Clients)
                {
                    var implicitFlow = c.AllowedOAuthFlows.Contains("implicit");
                    var d = New(key + "/client/" + c.ClientId, MappingKind.Setting, IdentitySurface.EndUser, implicitFlow || !c.Described ? MappingStrategy.Deviation : MappingStrategy.BuiltIn);
                    d.AwsFeature = "Cognito app client " + (c.ClientName.Length > 0 ? c.ClientName : c.ClientId) + " of " + pool.Name;
                    d.AwsSource = c.Source;
                    d.AzureService = "Microsoft Entra External ID";
                    d.AzureFeature = "App registration " + (c.ClientName.Length > 0 ? c.ClientName : c.ClientId) + " in the external tenant"
                        + (c.CallbackUrls.Count > 0 ? ", redirect URIs " + string.Join(", ", c.CallbackUrls) : "")
                        + (c.AllowedOAuthFlows.Count > 0 ? ", flows " + string.Join(", ", c.AllowedOAuthFlows.Select(f => f == "code" ? "authorization code with PKCE" : f == "client_credentials" ? "client credentials (application permissions)" : f)) : "")
                        + (c.AllowedOAuthScopes.Count > 0 ? ", scopes " + string.Join(" ", c.AllowedOAuthScopes) + " (custom scopes become the API registration's exposed scopes)" : "");
                    d.Reason = "Each Cognito app client becomes an app registration in the external tenant, with the same redirect URIs and flows."
                               + (c.HasClientSecret ? " The client has a secret: create a new credential on the app registration (the Cognito secret is not carried; its value was not read)." : "")
                               + (c.SupportedIdentityProviders.Any(p => p != "COGNITO") ? " Federated sign-in (" + string.Join(", ", c.SupportedIdentityProviders.Where(p => p != "COGNITO")) + ") becomes identity providers of the user flow." : "");
                    if (implicitFlow)
                    {
                        d.Impact = "The client uses the implicit grant, which returns tokens in the URL.";
                        d.Mitigation = "Move the client to the authorization code flow with PKCE (MSAL) before enabling it on the app registration.";
                    }
                    else if (!c.Described)
                    {
                        d.Impact = "Only list-user-pool-clients named this client: its redirect URIs, flows and scopes are unknown.";
                        d.Mitigation = "Export aws cognito-idp describe-user-pool-client for it and assess again.";
                    }
                    Emit(d);
                }

                foreach (var g in pool.Groups)
                {
                    var d = New(key + "/group/" + g.GroupName, MappingKind.Setting, IdentitySurface.EndUser, g.RoleArn is null ? MappingStrategy.BuiltIn : MappingStrategy.Deviation);
                    d.AwsFeature = "Cognito group " + g.GroupName + " of " + pool.Name + (g.RoleArn is null ? "" : " (IAM role " + g.RoleArn + ")");
                    d.AwsSource = g.Source;
                    d.AzureService = "Microsoft Entra External ID";
                    d.AzureFeature = "App role " + g.GroupName + " on the API's app registration, assigned to the group's members (the roles claim replaces cognito:groups)";
                    d.Reason = "Code that reads cognito:groups reads the roles claim instead; an app role keeps the authorization in the token.";
                    if (g.RoleArn is not null)
                    {
                        d.Impact = "Members of the group received AWS credentials for " + g.RoleArn + " through an identity pool; Entra External ID issues no AWS credentials.";
                        d.Mitigation = "Call the AWS resources from the function with its managed identity (an AWS-side role trusting it: docs/aws-trust.md), not from the client.";
                    }
                    Emit(d);
                }

                if (pool.CustomAttributes.Count > 0)
                {
                    var d = New(key + "/custom-attributes", MappingKind.Setting, IdentitySurface.EndUser, MappingStrategy.Deviation);
                    d.AwsFeature = "Custom attributes " + string.Join(", ", pool.CustomAttributes) + " of " + pool.Name;
                    d.AwsSource = pool.Source;
                    d.AzureService = "Microsoft Entra External ID";
                    d.AzureFeature = "Custom user attributes of the user flow (directory extension attributes)";
                    d.Reason = "Each custom attribute becomes a custom user attribute collected by the user flow.";
                    d.Impact = "The claim names change: custom:NAME becomes extension_<app id of the b2c-extensions-app>_NAME in Graph and in tokens (when added as an optional claim).";
                    d.Mitigation = "Add the attributes to the user flow and as optional claims of the app registration, and change the code that reads custom:* claims.";
                    Emit(d);
                }

                foreach (var t in pool.Triggers)
                {
                    TriggerTargets.TryGetValue(t.Key, out var target);
                    var d = New(key + "/trigger/" + t.Key, MappingKind.Setting, IdentitySurface.EndUser, MappingStrategy.Deviation);
                    d.AwsFeature = "Cognito " + t.Key + " trigger of " + pool.Name + " (Lambda " + t.Value + ")";
                    d.AwsSource = pool.Source;
                    d.AzureService = "Microsoft Entra External ID";
                    d.AzureFeature = target is null ? "No equivalent extension point" : "The trigger's logic behind " + target;
                    d.Reason = "Cognito calls the Lambda trigger during sign-up, sign-in or token issuance; External ID calls custom authentication extensions (HTTPS endpoints, such as an Azure Function) at its own events.";
                    d.Impact = target is null
                        ? "External ID has no event for " + t.Key + ": the trigger's behaviour is lost" + (t.Key == "UserMigration" ? " (no just-in-time migration of users on first sign-in)." : t.Key.EndsWith("AuthChallenge", StringComparison.Ordinal) || t.Key == "VerifyAuthChallengeResponse" ? " (custom authentication challenges are not supported)." : ".")
                        : "The trigger's code must be rewritten to the extension's request and response contract.";
                    d.Mitigation = target is null
                        ? (t.Key == "UserMigration" ? "Migrate every user ahead of the cutover with Microsoft Graph." : t.Key is "PostConfirmation" or "PostAuthentication" ? "React to sign-ups and sign-ins from the tenant's audit and sign-in logs (diagnostic settings to Event Hubs) instead." : t.Key == "PreAuthentication" ? "Express the checks as Conditional Access policies, or move them to the application." : "Move the logic into the application, or review whether it is still needed.")
                        : "Host the logic as an HTTP-triggered Azure Function and register it as " + target + ".";
                    Emit(d);
                }

                if (pool.Domain is not null || pool.CustomDomain is not null)
                {
                    var d = New(key + "/hosted-ui", MappingKind.Setting, IdentitySurface.EndUser, MappingStrategy.Deviation);
                    d.AwsFeature = "Hosted UI of " + pool.Name + " (" + string.Join(", ", new[] { pool.Domain is null ? null : "domain " + pool.Domain, pool.CustomDomain is null ? null : "custom domain " + pool.CustomDomain }.Where(x => x is not null)) + ")";
                    d.AwsSource = pool.Source;
                    d.AzureService = "Microsoft Entra External ID";
                    d.AzureFeature = "The user flow's sign-in pages with company branding" + (pool.CustomDomain is not null ? ", on a custom URL domain (through Azure Front Door)" : "");
                    d.Reason = "The hosted UI becomes External ID's own sign-in pages.";
                    d.Impact = "The sign-in URLs change (the Cognito domain's /oauth2/authorize and /login become the external tenant's ciamlogin.com authority), and hosted UI CSS customisation does not carry over.";
                    d.Mitigation = "Recreate the branding in the external tenant, configure the custom URL domain if one was used, and change the authority in every client.";
                    Emit(d);
                }
            }
        }
    }
}

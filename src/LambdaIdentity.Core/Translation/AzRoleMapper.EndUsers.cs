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
        // ---- end users ----
        // The callers' designs of this function, held until all are known: App Service authentication is app-wide.
        private readonly List<Draft> _callerDrafts = new();

        private void EndUsers()
        {
            _callerDrafts.Clear();
            ResourcePolicyCallers();
            if (_f.FunctionUrl is { } url && !_f.Callers.Any(c => c.Channel == "FunctionUrl"))
            {
                var c = new CallerAccess { Channel = "FunctionUrl", Route = "function URL", AuthType = string.Equals(url.AuthType, "AWS_IAM", StringComparison.OrdinalIgnoreCase) ? CallerAuthType.AwsIam : string.Equals(url.AuthType, "NONE", StringComparison.OrdinalIgnoreCase) ? CallerAuthType.None : CallerAuthType.Unknown, Source = url.Source };
                Caller(c, "url", url.AllowOrigins);
            }
            var groups = _f.Callers.GroupBy(c => c.AuthType + "|" + (c.AuthorizerName ?? "") + "|" + (c.Issuer ?? "") + "|" + string.Join(",", c.Audiences) + "|" + c.ApiKeyRequired, StringComparer.Ordinal);
            foreach (var g in groups.OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var first = g.First();
                var routes = g.Select(c => (c.Channel + " " + (c.Route ?? "")).Trim()).Distinct().ToList();
                var cors = g.Any(c => c.Channel == "FunctionUrl") && _f.FunctionUrl is { } u ? u.AllowOrigins : Array.Empty<string>();
                var key = g.All(c => c.Channel == "FunctionUrl") ? "url"
                    : g.All(c => c.Channel == "ALB") ? "alb/" + first.AuthType
                    : g.All(c => c.Channel == "IoT") ? "iot/authorizer"
                    : first.Channel == "ApiGateway" && first.AuthType == CallerAuthType.Unknown && _f.Findings.Any(x => x.FindingId == "LambdaAuthorizerFunction") ? "authorizer"
                    : "api/" + first.AuthType + (first.AuthorizerName is null ? "" : "/" + first.AuthorizerName) + (first.ApiKeyRequired ? "/apikey" : "");
                Caller(first, key, cors, routes, g.SelectMany(c => c.Scopes).Distinct().ToList());
            }
            OneAuthenticationPerApp();
            foreach (var d in _callerDrafts) Emit(d);
        }

        // App Service authentication is one configuration per function app: routes that require different issuers or
        // audiences, or some authentication and some none, cannot all be carried over as designed. Then each is a
        // deviation saying so (never several app-wide configurations that overwrite each other).
        private void OneAuthenticationPerApp()
        {
            string Setting(Draft d, string k) => d.Settings.TryGetValue(k, out var v) ? v : "";
            var built = _callerDrafts.Where(d => d.Strategy == MappingStrategy.BuiltIn).ToList();
            var required = built.Where(d => Setting(d, SettingKeys.RequireAuthentication) == "true").ToList();
            var configs = required.Select(d => Setting(d, SettingKeys.Issuer) + "|" + Setting(d, SettingKeys.AllowedAudiences)).Distinct(StringComparer.Ordinal).Count();
            var open = built.Count(d => Setting(d, SettingKeys.RequireAuthentication) == "false");
            var otherSchemes = _callerDrafts.Count(d => d.Strategy == MappingStrategy.Deviation && d.Settings.ContainsKey(SettingKeys.RequireAuthentication) && Setting(d, SettingKeys.RequireAuthentication) == "true");
            if (configs + (open > 0 ? 1 : 0) + (otherSchemes > 0 && configs > 0 ? 1 : 0) < 2) return;
            var schemes = string.Join("; ", _callerDrafts.Select(d => d.AwsFeature));
            foreach (var d in required.Concat(built.Where(d => Setting(d, SettingKeys.RequireAuthentication) == "false")))
            {
                d.Strategy = MappingStrategy.Deviation;
                d.Reason = (d.Reason + " The function's routes use several authentication schemes (" + schemes + ").").Trim();
                d.Impact = "App Service authentication is one configuration per function app: one issuer and audience set, required or not for the whole app; the routes' different schemes cannot all hold, and deploying each would overwrite the others.";
                d.Mitigation = "Put API Management in front with a validate-jwt policy per operation (and the app reachable only from it), or split the routes into function apps with one scheme each; "
                    + "or allow unauthenticated requests app-wide and check the token of each route in code.";
            }
        }

        // Resource-policy statements that let AWS principals (roles, accounts) invoke the function: callers that need an
        // app role on the function app's Entra application; another account is another tenant (a deviation).
        private void ResourcePolicyCallers()
        {
            if (_f.ResourcePolicy is not { } rp) return;
            var fnAccount = Arn.Account(_f.FunctionArn);
            foreach (var st in rp.Statement.Where(s => string.Equals(s.Effect, "Allow", StringComparison.OrdinalIgnoreCase) && s.Principal is not null))
            {
                if (!st.Action.Any(a => AwsPattern.Matches(a, "lambda:InvokeFunction") || AwsPattern.Matches(a, "lambda:InvokeFunctionUrl"))) continue;
                // The permission a function URL needs (condition lambda:FunctionUrlAuthType) is designed with the URL itself.
                if (st.Condition.Any(c => string.Equals(c.Key, "lambda:FunctionUrlAuthType", StringComparison.OrdinalIgnoreCase))) continue;
                var principals = st.Principal!.IsWildcard ? new[] { "*" } : st.Principal.Aws.ToArray();
                foreach (var p in principals.Distinct(StringComparer.Ordinal).OrderBy(p => p, StringComparer.Ordinal))
                {
                    var d = New("enduser/resource-policy/" + p, MappingKind.Authentication, IdentitySurface.EndUser, MappingStrategy.BuiltIn);
                    d.AwsFeature = "Lambda permission " + (st.Sid ?? "") + ": " + p + " may invoke";
                    d.AwsActions = st.Action.ToArray();
                    d.AwsResources = new[] { _f.FunctionArn };
                    d.AwsSource = rp.Source ?? _f.Source;
                    d.AzureService = "App Service authentication";
                    d.AzureFeature = "App role Function.Invoke on " + _app + "'s Entra application, assigned to the caller's workload identity";
                    d.PrincipalName = "workload identity for " + p; d.PrincipalType = "ServicePrincipal";
                    d.Settings[SettingKeys.AppRole] = "Function.Invoke";
                    d.Reason = "An AWS principal allowed to invoke the function becomes an Entra workload identity holding the app role; App Service authentication checks the role claim.";
                    var account = p.All(char.IsDigit) ? p : Arn.Account(p);
                    if (p == "*" )
                    {
                        d.Strategy = MappingStrategy.Deviation;
                        d.Impact = "Any AWS principal may invoke the function (subject to conditions " + string.Join(", ", st.Condition.Select(c => c.Key)) + ").";
                        d.Mitigation = "Decide who the callers are; require App Service authentication and grant the app role to each, or keep the function public on purpose (authLevel anonymous) and record it.";
                        d.Findings = new[] { new Finding { FindingId = "PublicInvokePermission", Severity = FindingSeverity.High, Message = "The resource policy of " + _f.FunctionName + " lets any principal invoke it.", Recommendation = d.Mitigation, Source = d.AwsSource } };
                    }
                    else if (account.Length == 12 && fnAccount.Length == 12 && account != fnAccount)
                    {
                        d.Strategy = MappingStrategy.Deviation;
                        d.Impact = "The caller lives in AWS account " + account + ": on Azure it is another tenant's identity.";
                        d.Mitigation = "Make the function's app registration multi-tenant for that tenant's workload identity, or put API Management in front with validate-jwt for the other tenant's issuer.";
                    }
                    Emit(d);
                }
            }
        }

        private static bool IsCognitoIssuer(string issuer) => issuer.IndexOf("cognito-idp.", StringComparison.OrdinalIgnoreCase) >= 0;

        private void Caller(CallerAccess c, string key, IReadOnlyList<string> cors, IReadOnlyList<string>? routes = null, IReadOnlyList<string>? scopes = null)
        {
            var d = New("enduser/" + key, MappingKind.Authentication, IdentitySurface.EndUser, MappingStrategy.BuiltIn);
            var where = routes is { Count: > 0 } ? string.Join(", ", routes) : (c.Channel + " " + (c.Route ?? "")).Trim();
            d.AwsFeature = where + ": " + c.AuthType + (c.AuthorizerName is null ? "" : " authorizer " + c.AuthorizerName) + (c.ApiKeyRequired ? " + API key" : "");
            d.AwsSource = c.Source ?? _f.Source;
            d.AzureService = "App Service authentication";
            if (cors.Count > 0) d.Settings[SettingKeys.CorsAllowedOrigins] = string.Join(",", cors);
            void EasyAuth(string issuer, IEnumerable<string> audiences)
            {
                d.Settings[SettingKeys.AuthLevel] = "anonymous";
                d.Settings[SettingKeys.RequireAuthentication] = "true";
                d.Settings[SettingKeys.UnauthenticatedClientAction] = "Return401";
                d.Settings[SettingKeys.IdentityProvider] = "azureActiveDirectory";
                d.Settings[SettingKeys.Issuer] = issuer;
                d.Settings[SettingKeys.AllowedAudiences] = string.Join(",", audiences);
                if (scopes is { Count: > 0 }) d.Settings[SettingKeys.RequiredScopes] = string.Join(",", scopes);
            }
            if (FrontDesign(d, c, where)) { _callerDrafts.Add(d); return; }
            switch (c.AuthType)
            {
                case CallerAuthType.None:
                    d.AzureFeature = "HTTP trigger authLevel anonymous, no App Service authentication";
                    d.Settings[SettingKeys.AuthLevel] = "anonymous";
                    d.Settings[SettingKeys.RequireAuthentication] = "false";
                    d.Reason = "The AWS endpoint accepts unauthenticated calls; the Azure design keeps it public so behaviour does not change.";
                    var findingId = c.Channel == "FunctionUrl" ? "PublicFunctionUrl" : "PublicApiRoute";
                    // The inventory already reports a public function URL; the mapping adds what only it sees (public API routes).
                    if (!_f.Findings.Any(x => x.FindingId == findingId))
                        d.Findings = new[] { new Finding { FindingId = findingId, Severity = FindingSeverity.Medium, Message = where + " of " + _f.FunctionName + " accepts anonymous calls.", Recommendation = "Confirm the endpoint is meant to be public; otherwise require App Service authentication with the Entra ID provider.", Source = d.AwsSource } };
                    break;
                case CallerAuthType.AwsIam:
                    d.AzureFeature = "App Service authentication, Entra ID provider; only callers holding the app role Function.Invoke (assignment required on the app's service principal, their client IDs in allowedApplications)";
                    EasyAuth("https://login.microsoftonline.com/{tenantId}/v2.0", new[] { "api://" + _app });
                    d.Settings[SettingKeys.AppRole] = "Function.Invoke";
                    // Naming the role is not enough: without enforcement any workload identity of the tenant can get a token
                    // for the app's audience. Assignment required on the service principal makes Entra issue tokens only to
                    // identities assigned a role; allowedApplications makes App Service authentication reject other clients.
                    d.Settings[SettingKeys.AppRoleAssignmentRequired] = "true";
                    d.Reason = "SigV4 calls authorised by IAM become Entra ID bearer tokens checked by App Service authentication; the AWS principals allowed lambda:InvokeFunction(Url) get the app role, and only they may call: the app's service principal requires an app role assignment and App Service authentication allows only their client applications.";
                    break;
                case CallerAuthType.Cognito:
                case CallerAuthType.Jwt:
                    d.AzureFeature = "App Service authentication, Entra ID provider with the issuer and audiences carried over";
                    EasyAuth(c.Issuer ?? "{issuer}", c.Audiences);
                    d.Reason = c.AuthType == CallerAuthType.Cognito
                        ? "The Cognito user pool authorizer becomes App Service authentication; the user pool's issuer and app client ids are carried over until users move to Microsoft Entra External ID (then the issuer becomes the External ID tenant's)."
                        : "The JWT authorizer becomes App Service authentication with the same issuer and allowed audiences.";
                    if (c.Issuer is not null && IsCognitoIssuer(c.Issuer))
                    {
                        // Cognito access tokens carry client_id, not aud: the Entra provider of App Service authentication
                        // validates aud, so it would reject them, or with audience validation loosened accept any client's.
                        d.Strategy = MappingStrategy.Deviation;
                        d.AzureFeature = "Microsoft Entra External ID (users move; the issuer becomes the External ID tenant's), or App Service authentication with a custom OpenID Connect provider for the user pool, or API Management validate-jwt checking client_id";
                        d.Impact = "Cognito access tokens have no aud claim (the app client is in client_id), so the Entra ID provider's audience check cannot be carried over: it would reject every access token, or accept tokens of any app client of the user pool if the audience check were dropped.";
                        d.Mitigation = "Move the users to Microsoft Entra External ID and issue tokens for the function app's audience; until then configure a custom OpenID Connect provider (or APIM validate-jwt with a required client_id claim of "
                            + (c.Audiences.Count == 0 ? "the app client" : string.Join(", ", c.Audiences)) + ") and keep the check of the token's token_use and client_id.";
                        d.Settings[SettingKeys.IdentityProvider] = "customOpenIdConnect";
                        d.Findings = new[] { new Finding { FindingId = "CognitoTokenNoAudience", Severity = FindingSeverity.High, Message = where + " of " + _f.FunctionName + " accepts Cognito user pool tokens, which App Service authentication's Entra provider cannot validate as designed (no aud in access tokens).", Recommendation = d.Mitigation, Source = d.AwsSource } };
                    }
                    else if (c.Issuer is null)
                    {
                        d.Strategy = MappingStrategy.Deviation;
                        d.Impact = "The issuer could not be read from the source; authentication cannot be configured as-is.";
                        d.Mitigation = "Set the issuer (Entra tenant or the identity provider's OpenID configuration) before deploying.";
                    }
                    break;
                case CallerAuthType.Lambda:
                    d.Strategy = MappingStrategy.Deviation;
                    d.AzureFeature = "API Management policy or in-function authorization";
                    d.Settings[SettingKeys.AuthLevel] = "function";
                    d.Reason = "A Lambda authorizer is custom code that decides each call.";
                    d.Impact = "App Service authentication cannot run custom authorization code; the decision logic must move.";
                    d.Mitigation = "Put API Management in front with validate-jwt / a custom policy replicating the authorizer, or move the checks into the function (middleware), and keep authLevel function so only APIM (holding the key) reaches it.";
                    break;
                case CallerAuthType.ApiKey:
                    break;
                case CallerAuthType.Unknown when c.Channel == "ApiGateway" && _f.Findings.Any(x => x.FindingId == "LambdaAuthorizerFunction"):
                    // API Gateway calls this function to decide other requests: it is the authorizer, not an endpoint.
                    d.Strategy = MappingStrategy.Deviation;
                    d.AzureFeature = "The authorizer's decision moves: API Management policy (validate-jwt, or send-request to this function) in front of the protected functions, or middleware in them; this function keeps authLevel function, reachable only with a key held by API Management";
                    d.Settings[SettingKeys.AuthLevel] = "function";
                    d.Reason = "This function is an API Gateway Lambda authorizer: API Gateway invokes it for each request to the protected routes; end users never call it.";
                    d.Impact = "App Service authentication cannot call custom code to decide access; the protected functions lose the authorizer's checks unless they move.";
                    d.Mitigation = "Replicate the authorizer in an API Management policy (or call this function from one with its function key from Key Vault), or move its checks into the protected functions; then retire it.";
                    break;
                default:
                    d.Strategy = MappingStrategy.Deviation;
                    d.AzureFeature = "Unknown";
                    d.Reason = "The caller authentication could not be determined from the source.";
                    d.Impact = "End-user access cannot be designed; parity on it is Unverifiable.";
                    d.Mitigation = "Inspect the API's authorizer configuration and re-run with a complete inventory.";
                    break;
            }
            if (c.AuthType == CallerAuthType.ApiKey || c.ApiKeyRequired)
            {
                d.Strategy = MappingStrategy.Deviation;
                if (c.AuthType == CallerAuthType.ApiKey) d.AzureFeature = "Function keys (authLevel function) or API Management subscription keys";
                if (!d.Settings.ContainsKey(SettingKeys.RequireAuthentication)) d.Settings[SettingKeys.AuthLevel] = "function";
                d.Settings[SettingKeys.ApiKey] = "functionKey";
                d.Reason = (d.Reason + " API keys with usage plans require a key on each call.").Trim();
                d.Impact = "Function keys carry no usage plan, quota or throttling; keys are shared secrets like API keys.";
                d.Mitigation = "Use API Management products and subscription keys for quotas and throttling, or function keys (authLevel function) stored in Key Vault.";
            }
            _callerDrafts.Add(d);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources.Templates;

internal sealed partial class TemplateReader
{
    private static readonly HashSet<string> HttpMethods = new(StringComparer.OrdinalIgnoreCase) { "get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method" };

    /// <summary>
    /// Callers of the function from an OpenAPI/Swagger body (AWS::ApiGateway::RestApi Body, AWS::ApiGatewayV2::Api
    /// Body, AWS::Serverless::Api / HttpApi DefinitionBody): each operation whose x-amazon-apigateway-integration
    /// uri points at the function, with the security scheme it requires (method security, else the document's).
    /// </summary>
    private void ReadOpenApiCallers(string id, string name, FunctionDraft d, string apiId, TMap resource, TMap body, string channel, string path, bool apiKeyRequired = false, TMap? samAuth = null)
    {
        if (body.Map("paths") is not TMap paths) return;
        var schemes = body.Map("securityDefinitions") ?? body.Map("components")?.Map("securitySchemes");
        var defaultSecurity = body["security"];
        foreach (var p in paths.Entries)
        {
            // Paths and operations may sit behind Fn::If; resolve those with the known conditions.
            var ops = p.Value is TMap pm && pm.Intrinsic != null ? ResolvePossible(pm) as TMap : p.Value as TMap;
            if (ops is null) continue;
            foreach (var op in ops.Entries)
            {
                var operation = op.Value is TMap om && om.Intrinsic != null ? ResolvePossible(om) as TMap : op.Value as TMap;
                if (!HttpMethods.Contains(op.Key) || operation is null) continue;
                var integration = operation.Map("x-amazon-apigateway-integration");
                if (integration is null || !Points(integration["uri"], id, name)) continue;
                var method = op.Key == "x-amazon-apigateway-any-method" ? "ANY" : op.Key.ToUpperInvariant();
                var route = channel == "HttpApi" && (p.Key == "$default" || p.Key == "/$default") ? "$default" : $"{method} {p.Key}";
                var loc = Loc(operation, $"{path}.paths.{p.Key}.{op.Key}");
                var security = operation["security"] ?? defaultSecurity;
                var requirements = security is TList sl ? sl.Items.OfType<TMap>().ToList() : new List<TMap>();
                // SAM adds its DefaultAuthorizer to DefinitionBody operations that declare no security.
                if (requirements.Count == 0 && samAuth?["DefaultAuthorizer"] is TNode defaultAuthorizer)
                {
                    d.Callers.Add(Authorizer(_r.Str(defaultAuthorizer), samAuth, channel, route, loc, new List<string>(), apiKeyRequired));
                    continue;
                }
                if (requirements.Count == 0)
                {
                    d.Callers.Add(new CallerAccess { Channel = channel, Route = route, AuthType = apiKeyRequired ? CallerAuthType.ApiKey : CallerAuthType.None, ApiKeyRequired = apiKeyRequired, Source = loc });
                    continue;
                }
                // API Gateway applies every scheme listed (an authorizer and an API key together), so the requirements
                // make one caller: the authorizer's type, with ApiKeyRequired when an API key scheme is among them.
                CallerAccess? caller = null;
                bool apiKey = apiKeyRequired;
                foreach (var scheme in requirements.SelectMany(r => r.Entries))
                {
                    var def = schemes?.Map(scheme.Key);
                    var scopes = scheme.Value is TList scl ? scl.Items.Select(_r.Str).ToList() : new List<string>();
                    // SAM writes security: [{NONE: []}] for routes whose Authorizer is NONE.
                    var kind = scheme.Key == "NONE" && def is null ? CallerAuthType.None : SchemeKind(def);
                    if (kind == CallerAuthType.None) continue;
                    if (kind == CallerAuthType.ApiKey) { apiKey = true; continue; }
                    caller ??= SchemeCaller(scheme.Key, def, kind, channel, route, scopes, loc);
                }
                caller ??= new CallerAccess { Channel = channel, Route = route, AuthType = apiKey ? CallerAuthType.ApiKey : CallerAuthType.None, Source = loc };
                if (apiKey && !caller.ApiKeyRequired)
                    caller = new CallerAccess { Channel = caller.Channel, Route = caller.Route, AuthType = caller.AuthType, AuthorizerName = caller.AuthorizerName, Issuer = caller.Issuer, Audiences = caller.Audiences, Scopes = caller.Scopes, ApiKeyRequired = true, Source = caller.Source };
                d.Callers.Add(caller);
            }
        }
    }

    /// <summary>
    /// Resolves a path or operation; when it sits behind a condition that cannot be decided from the template, the
    /// route is taken as present (a possible caller is listed rather than dropped).
    /// </summary>
    private TNode? ResolvePossible(TMap node)
    {
        if (node.Intrinsic == "Fn::If" && node["Fn::If"] is TList l && l.Items.Count == 3 && _r.EvaluateCondition(_r.Str(l.Items[0])) is null)
            return l.Items[1] is TMap branch && branch.Intrinsic != null ? ResolvePossible(branch) : l.Items[1];
        return _r.Resolve(node);
    }

    private CallerAuthType SchemeKind(TMap? def)
    {
        if (def is null) return CallerAuthType.Unknown;
        var authType = _r.Str(def["x-amazon-apigateway-authtype"]).ToLowerInvariant();
        var authorizer = def.Map("x-amazon-apigateway-authorizer");
        var type = _r.Str(authorizer?["type"]).ToLowerInvariant();
        if (authType == "awssigv4" || authType == "aws_iam") return CallerAuthType.AwsIam;
        if (authType == "cognito_user_pools" || type == "cognito_user_pools") return CallerAuthType.Cognito;
        if (type == "jwt") return CallerAuthType.Jwt;
        if (type == "token" || type == "request" || authType == "custom") return CallerAuthType.Lambda;
        if (_r.Str(def["type"]) == "apiKey" && authorizer is null) return CallerAuthType.ApiKey;
        if (_r.Str(def["type"]) == "openIdConnect" || _r.Str(def["type"]) == "oauth2") return CallerAuthType.Jwt;
        return CallerAuthType.Unknown;
    }

    private CallerAccess SchemeCaller(string schemeName, TMap? def, CallerAuthType kind, string channel, string route, IReadOnlyList<string> scopes, SourceLocation loc)
    {
        var authorizer = def?.Map("x-amazon-apigateway-authorizer");
        string? issuer = null;
        var audiences = new List<string>();
        if (kind == CallerAuthType.Cognito && _r.Resolve(authorizer?["providerARNs"]) is TList && authorizer!["providerARNs"] is TList providers && providers.Items.Count > 0)
            (issuer, audiences) = CognitoIssuer(providers.Items[0]);
        if (kind == CallerAuthType.Jwt && authorizer?.Map("jwtConfiguration") is TMap jwt)
        {
            issuer = _r.Str(jwt["issuer"]);
            if (_r.Resolve(jwt["audience"]) is TList al) audiences.AddRange(al.Items.Select(_r.Str));
        }
        return new CallerAccess
        {
            Channel = channel, Route = route, AuthType = kind, AuthorizerName = kind == CallerAuthType.AwsIam ? "AWS_IAM" : schemeName,
            Issuer = issuer, Audiences = audiences, Scopes = scopes, Source = loc,
        };
    }
}

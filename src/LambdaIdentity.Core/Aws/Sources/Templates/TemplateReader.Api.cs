using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources.Templates;

internal sealed partial class TemplateReader
{
    // ---------- SAM Api / HttpApi events ----------

    private TMap? ApiAuth(TNode? apiRef, string serverlessType, TMap? globals)
    {
        TMap? auth = null;
        var rid = _r.ReferencedLogicalId(apiRef);
        if (rid != null && _r.TypeOf(rid) == serverlessType) auth = _r.Resources.Map(rid)?.Map("Properties")?.Map("Auth");
        var gAuth = globals?.Map("Auth");
        if (gAuth is null) return auth;
        return auth is null ? gAuth : MergeMaps(gAuth, auth);
    }

    private void ReadApiEvent(string id, string eventName, TMap ep, FunctionDraft d, SourceLocation loc)
    {
        var method = (_r.Str(ep["Method"]) is string m && m.Length > 0 ? m : "ANY").ToUpperInvariant();
        var path = _r.Str(ep["Path"]);
        var apiAuth = ApiAuth(ep["RestApiId"], "AWS::Serverless::Api", _globalsApi);
        var eventAuth = ep.Map("Auth");
        var authorizer = eventAuth?["Authorizer"] is TNode a ? _r.Str(a) : apiAuth?["DefaultAuthorizer"] is TNode da ? _r.Str(da) : null;
        var apiKey = eventAuth?["ApiKeyRequired"] is TNode ek ? _r.Str(ek) == "true" : apiAuth?["ApiKeyRequired"] is TNode ak && _r.Str(ak) == "true";
        var scopes = _r.Resolve(eventAuth?["AuthorizationScopes"]) is TList sl ? sl.Items.Select(_r.Str).ToList() : new List<string>();
        var caller = Authorizer(authorizer, apiAuth, "RestApi", $"{method} {path}", loc, scopes, apiKey);
        d.Callers.Add(caller);
        var apiId = ep["RestApiId"] is TNode api ? "${Ref:" + (_r.ReferencedLogicalId(api) ?? _r.Str(api)) + "}" : "${Ref:ServerlessRestApi}";
        d.ResourceStatements.Add(Permission("apigateway.amazonaws.com",
            $"arn:{Partition}:execute-api:{_r.Pseudo("AWS::Region")}:{_r.Pseudo("AWS::AccountId")}:{apiId}/*/{(method == "ANY" ? "*" : method)}{path}", null, id + eventName + "Permission"));
    }

    private void ReadHttpApiEvent(string id, string eventName, TMap ep, FunctionDraft d, SourceLocation loc)
    {
        var method = (_r.Str(ep["Method"]) is string m && m.Length > 0 ? m : "ANY").ToUpperInvariant();
        var path = ep["Path"] is TNode p ? _r.Str(p) : "$default";
        if (path == "/$default") path = "$default";
        var apiAuth = ApiAuth(ep["ApiId"], "AWS::Serverless::HttpApi", _globalsHttpApi);
        var eventAuth = ep.Map("Auth");
        // The default authorizer does not apply to OPTIONS (CORS preflight) routes of an HTTP API.
        var authorizer = eventAuth?["Authorizer"] is TNode a ? _r.Str(a) : method != "OPTIONS" && apiAuth?["DefaultAuthorizer"] is TNode da ? _r.Str(da) : null;
        var scopes = _r.Resolve(eventAuth?["AuthorizationScopes"]) is TList sl ? sl.Items.Select(_r.Str).ToList() : new List<string>();
        var route = path == "$default" ? "$default" : $"{method} {path}";
        d.Callers.Add(Authorizer(authorizer, apiAuth, "HttpApi", route, loc, scopes, apiKey: false));
        var apiId = ep["ApiId"] is TNode api ? "${Ref:" + (_r.ReferencedLogicalId(api) ?? _r.Str(api)) + "}" : "${Ref:ServerlessHttpApi}";
        d.ResourceStatements.Add(Permission("apigateway.amazonaws.com",
            $"arn:{Partition}:execute-api:{_r.Pseudo("AWS::Region")}:{_r.Pseudo("AWS::AccountId")}:{apiId}/*/{(method == "ANY" ? "*" : method)}{(path == "$default" ? "/*" : path)}", null, id + eventName + "Permission"));
    }

    private CallerAccess Authorizer(string? name, TMap? apiAuth, string channel, string route, SourceLocation loc, IReadOnlyList<string> scopes, bool apiKey)
    {
        if (name is null || name == "NONE")
            return new CallerAccess { Channel = channel, Route = route, AuthType = apiKey ? CallerAuthType.ApiKey : CallerAuthType.None, ApiKeyRequired = apiKey, Source = loc };
        if (name == "AWS_IAM")
            return new CallerAccess { Channel = channel, Route = route, AuthType = CallerAuthType.AwsIam, AuthorizerName = name, ApiKeyRequired = apiKey, Source = loc };
        var def = apiAuth?.Map("Authorizers")?.Map(name);
        if (def is null)
            return new CallerAccess { Channel = channel, Route = route, AuthType = CallerAuthType.Unknown, AuthorizerName = name, ApiKeyRequired = apiKey, Scopes = scopes, Source = loc };
        if (def["UserPoolArn"] is TNode pool)
        {
            var first = pool is TList pl && pl.Items.Count > 0 ? pl.Items[0] : pool;
            var (issuer, audiences) = CognitoIssuer(first);
            return new CallerAccess { Channel = channel, Route = route, AuthType = CallerAuthType.Cognito, AuthorizerName = name, Issuer = issuer, Audiences = audiences, Scopes = scopes, ApiKeyRequired = apiKey, Source = loc };
        }
        if (def.Map("JwtConfiguration") is TMap jwt)
        {
            var aud = _r.Resolve(jwt["audience"] ?? jwt["Audience"]) is TList al ? al.Items.Select(_r.Str).ToList() : new List<string>();
            return new CallerAccess { Channel = channel, Route = route, AuthType = CallerAuthType.Jwt, AuthorizerName = name, Issuer = _r.Str(jwt["issuer"] ?? jwt["Issuer"]), Audiences = aud, Scopes = scopes, Source = loc };
        }
        if (def["FunctionArn"] is not null)
            return new CallerAccess { Channel = channel, Route = route, AuthType = CallerAuthType.Lambda, AuthorizerName = name, ApiKeyRequired = apiKey, Source = loc };
        return new CallerAccess { Channel = channel, Route = route, AuthType = CallerAuthType.Unknown, AuthorizerName = name, ApiKeyRequired = apiKey, Source = loc };
    }

    /// <summary>The OIDC issuer and the app client ids of a Cognito user pool given by reference or ARN.</summary>
    private (string? Issuer, List<string> Audiences) CognitoIssuer(TNode poolNode)
    {
        var audiences = new List<string>();
        var rid = _r.ReferencedLogicalId(poolNode);
        if (rid != null && _r.TypeOf(rid) == "AWS::Cognito::UserPool")
        {
            foreach (var res in _r.Resources.Entries)
                if (res.Value is TMap rm && rm.Str("Type") == "AWS::Cognito::UserPoolClient" && _r.ReferencedLogicalId(rm.Map("Properties")?["UserPoolId"]) == rid)
                    audiences.Add("${Ref:" + res.Key + "}");
            return ($"https://cognito-idp.{_r.Pseudo("AWS::Region")}.amazonaws.com/${{Ref:{rid}}}", audiences);
        }
        var arn = _r.Str(poolNode);
        var parts = arn.Split(':');
        var slash = arn.LastIndexOf("userpool/", StringComparison.Ordinal);
        if (parts.Length >= 6 && slash >= 0) return ($"https://cognito-idp.{parts[3]}.amazonaws.com/{arn.Substring(slash + 9)}", audiences);
        return (null, audiences);
    }

    // ---------- CloudFormation resources that point at a function ----------

    /// <summary>True when the node references the logical id (Ref, GetAtt, Sub, Join) anywhere inside, or names the function literally.</summary>
    private bool Points(TNode? node, string id, string name)
    {
        switch (node)
        {
            case null: return false;
            case TScalar s:
                return s.Value == name || s.Value.EndsWith(":function:" + name, StringComparison.Ordinal) || s.Value.EndsWith(":function:" + name + "/invocations", StringComparison.Ordinal)
                    || s.Value.Contains("${GetAtt:" + id + ".") || s.Value.Contains("${Ref:" + id + "}");
            case TList l: return l.Items.Any(i => Points(i, id, name));
            case TMap m:
                switch (m.Intrinsic)
                {
                    case "Ref":
                        var target = _r.Str(m["Ref"]);
                        if (target == id) return true;
                        var tt = _r.TypeOf(target);
                        return (tt == "AWS::Lambda::Alias" || tt == "AWS::Lambda::Version") && _depth < 4 && PointsNested(_r.Resources.Map(target)?.Map("Properties")?["FunctionName"], id, name);
                    case "Fn::GetAtt":
                        var g = m["Fn::GetAtt"];
                        return (g is TList gl && gl.Items.Count > 0 ? _r.Str(gl.Items[0]) : _r.Str(g).Split('.')[0]) == id;
                    case "Fn::Sub":
                        var sub = m["Fn::Sub"];
                        var text = sub is TList sl && sl.Items.Count > 0 ? (sl.Items[0] as TScalar)?.Value : (sub as TScalar)?.Value;
                        if (text != null && (text.Contains("${" + id + "}") || text.Contains("${" + id + ".")) ) return true;
                        // ${MyFunctionAliaslive} / ${MyFunctionVersion1234}: an alias or version of the function.
                        if (text != null && _depth < 4)
                            foreach (var v in SubNames(text))
                            {
                                var vt = _r.TypeOf(v.Split('.')[0]);
                                if ((vt == "AWS::Lambda::Alias" || vt == "AWS::Lambda::Version") && PointsNested(_r.Resources.Map(v.Split('.')[0])?.Map("Properties")?["FunctionName"], id, name)) return true;
                            }
                        return sub is TList sl2 && sl2.Items.Count > 1 && Points(sl2.Items[1], id, name);
                    default:
                        return m.Entries.Any(e => Points(e.Value, id, name));
                }
        }
        return false;
    }

    private int _depth;

    private static IEnumerable<string> SubNames(string text)
    {
        int i = 0;
        while ((i = text.IndexOf("${", i, StringComparison.Ordinal)) >= 0)
        {
            var end = text.IndexOf('}', i);
            if (end < 0) yield break;
            yield return text.Substring(i + 2, end - i - 2);
            i = end + 1;
        }
    }
    private bool PointsNested(TNode? node, string id, string name) { _depth++; try { return Points(node, id, name); } finally { _depth--; } }

    /// <summary>Resource types whose facts concern some function (events, permissions, callers, connectors, authorizers).</summary>
    private static readonly HashSet<string> WideTypes = new(StringComparer.Ordinal)
    {
        "AWS::Lambda::Permission", "AWS::Lambda::Url", "AWS::Lambda::EventSourceMapping", "AWS::ApiGateway::Method", "AWS::ApiGatewayV2::Integration",
        "AWS::ApiGatewayV2::Api", "AWS::ApiGateway::RestApi", "AWS::Serverless::Api", "AWS::Serverless::HttpApi", "AWS::Serverless::Connector",
        "AWS::SNS::Subscription", "AWS::Events::Rule", "AWS::S3::Bucket", "AWS::Serverless::WebSocketApi", "AWS::Serverless::GraphQLApi",
        "AWS::ApiGateway::Authorizer", "AWS::ApiGatewayV2::Authorizer",
    };

    private List<int>? _wide;
    private Dictionary<string, List<int>>? _byFunction;

    /// <summary>
    /// Splits the resources once: those that name one function directly (a Permission, Url or EventSourceMapping whose
    /// pointer is Ref / Fn::GetAtt of a function resource) are kept under that function; the others that may concern
    /// a function are checked for every function. Each function then looks at its own resources and the shared ones,
    /// in template order, instead of at every resource of the template (which made 50,000 functions quadratic).
    /// </summary>
    private void IndexWideResources()
    {
        _wide = new List<int>();
        _byFunction = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var entries = _r.Resources.Entries;
        for (int i = 0; i < entries.Count; i++)
        {
            if (entries[i].Value is not TMap rm) continue;
            var type = rm.Str("Type");
            var hasConnectors = rm.Map("Connectors") != null;
            if (!hasConnectors && (type is null || (!WideTypes.Contains(type) && Array.IndexOf(FrontTypes, type) < 0))) continue;
            var pointer = type switch
            {
                "AWS::Lambda::Permission" or "AWS::Lambda::EventSourceMapping" => rm.Map("Properties")?["FunctionName"],
                "AWS::Lambda::Url" => rm.Map("Properties")?["TargetFunctionArn"],
                _ => null,
            };
            if (!hasConnectors && DirectFunction(pointer) is string fn)
            {
                if (!_byFunction.TryGetValue(fn, out var list)) _byFunction[fn] = list = new List<int>();
                list.Add(i);
            }
            else _wide.Add(i);
        }
    }

    /// <summary>The function resource a Ref or Fn::GetAtt points at directly (Points is true for it and only it), else null.</summary>
    private string? DirectFunction(TNode? pointer)
    {
        if (pointer is not TMap m || (m.Intrinsic != "Ref" && m.Intrinsic != "Fn::GetAtt")) return null;
        var target = m.Intrinsic == "Ref" ? (m["Ref"] as TScalar)?.Value : m["Fn::GetAtt"] is TList gl && gl.Items.Count > 0 ? (gl.Items[0] as TScalar)?.Value : (m["Fn::GetAtt"] as TScalar)?.Value.Split('.')[0];
        if (target is null) return null;
        var t = _r.TypeOf(target);
        return t == "AWS::Serverless::Function" || t == "AWS::Lambda::Function" ? target : null;
    }

    private void AddTemplateWideFacts(string id, FunctionDraft d)
    {
        if (_wide is null) IndexWideResources();
        var own = _byFunction!.TryGetValue(id, out var l) ? l : new List<int>();
        var wide = _wide!;
        int a = 0, b = 0;
        var entries = _r.Resources.Entries;
        while (a < own.Count || b < wide.Count)
        {
            var i = b >= wide.Count || (a < own.Count && own[a] < wide[b]) ? own[a++] : wide[b++];
            AddFactsFrom(entries[i], id, d);
        }
    }

    private void AddFactsFrom(KeyValuePair<string, TNode> res, string id, FunctionDraft d)
    {
        var name = d.FunctionName;
        {
            if (res.Value is not TMap rm) return;
            var props = rm.Map("Properties") ?? new TMap();
            var path = $"Resources.{res.Key}";
            switch (rm.Str("Type"))
            {
                case "AWS::Lambda::Permission":
                    if (!Points(props["FunctionName"], id, name)) break;
                    var principal = _r.Str(props["Principal"]);
                    PolicyCondition? extra = null;
                    if (props["FunctionUrlAuthType"] is TNode fua) extra = new PolicyCondition { Operator = "StringEquals", Key = "lambda:FunctionUrlAuthType", Values = new[] { _r.Str(fua) } };
                    else if (props["PrincipalOrgID"] is TNode org) extra = new PolicyCondition { Operator = "StringEquals", Key = "aws:PrincipalOrgID", Values = new[] { _r.Str(org) } };
                    d.ResourceStatements.Add(Permission(principal, props["SourceArn"] is TNode sa ? _r.Str(sa) : null, props["SourceAccount"] is TNode sac ? _r.Str(sac) : null,
                        res.Key, extra, props["Action"] is TNode act ? _r.Str(act) : "lambda:InvokeFunction"));
                    d.Sources.Add(Loc(rm, path));
                    break;
                case "AWS::Lambda::Url":
                    if (!Points(props["TargetFunctionArn"], id, name)) break;
                    ReadUrlConfig(d, props, path + ".Properties", sam: false);
                    break;
                case "AWS::Lambda::EventSourceMapping":
                    if (!Points(props["FunctionName"], id, name)) break;
                    var arn = props["EventSourceArn"] is TNode ea ? _r.Str(ea) : null;
                    var settings = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var key in new[] { "BatchSize", "StartingPosition", "Enabled" }) if (props[key] is TNode v) settings[key] = _r.Str(v);
                    d.EventSources.Add(new EventSource { Type = EventSourceTypeOf(arn, ea: props["EventSourceArn"]), Name = res.Key, SourceArn = arn, IsPoll = true, Properties = settings, Source = Loc(rm, path) });
                    break;
                case "AWS::ApiGateway::Method":
                    if (!Points(props.Map("Integration")?["Uri"], id, name)) break;
                    d.Callers.Add(RestMethodCaller(res.Key, props, Loc(rm, path)));
                    break;
                case "AWS::ApiGatewayV2::Integration":
                    if (!Points(props["IntegrationUri"], id, name)) break;
                    foreach (var route in _r.Resources.Entries)
                        // Routes whose Target references this integration ("\0": never a literal name).
                        if (route.Value is TMap rtm && rtm.Str("Type") == "AWS::ApiGatewayV2::Route" && Points(rtm.Map("Properties")?["Target"], res.Key, "\0"))
                            d.Callers.Add(HttpRouteCaller(rtm.Map("Properties")!, Loc(rtm, "Resources." + route.Key)));
                    break;
                case "AWS::ApiGatewayV2::Api":
                    if (props["BodyS3Location"] != null && InvokedThrough(res.Key, id, name))
                        d.IncompleteReasons.Add($"API '{res.Key}' keeps its definition outside the template (BodyS3Location): its routes and authorizers are not read.");
                    if (props["Target"] is TNode target && Points(target, id, name))
                        d.Callers.Add(new CallerAccess { Channel = "HttpApi", Route = "$default", AuthType = CallerAuthType.None, Source = Loc(rm, path) });
                    if (props.Map("Body") is TMap v2Body) ReadOpenApiCallers(id, name, d, res.Key, rm, v2Body, _r.Str(props["ProtocolType"]) == "WEBSOCKET" ? "WebSocketApi" : "HttpApi", path + ".Properties.Body");
                    break;
                case "AWS::ApiGateway::RestApi":
                    if (props.Map("Body") is TMap restBody) ReadOpenApiCallers(id, name, d, res.Key, rm, restBody, "RestApi", path + ".Properties.Body");
                    else if (props["BodyS3Location"] != null && InvokedThrough(res.Key, id, name))
                        d.IncompleteReasons.Add($"API '{res.Key}' keeps its definition outside the template (BodyS3Location): its routes and authorizers are not read.");
                    break;
                case "AWS::Serverless::Api":
                    var samRestAuth = _globalsApi?.Map("Auth") is TMap g && props.Map("Auth") is TMap own ? MergeMaps(g, own) : props.Map("Auth") ?? _globalsApi?.Map("Auth");
                    if (props.Map("DefinitionBody") is TMap samRestBody)
                        ReadOpenApiCallers(id, name, d, res.Key, rm, samRestBody, "RestApi", path + ".Properties.DefinitionBody", samRestAuth?["ApiKeyRequired"] is TNode akr && _r.Str(akr) == "true", samRestAuth);
                    break;
                case "AWS::Serverless::HttpApi":
                    var samHttpAuth = _globalsHttpApi?.Map("Auth") is TMap hg && props.Map("Auth") is TMap hown ? MergeMaps(hg, hown) : props.Map("Auth") ?? _globalsHttpApi?.Map("Auth");
                    if (props.Map("DefinitionBody") is TMap samHttpBody) ReadOpenApiCallers(id, name, d, res.Key, rm, samHttpBody, "HttpApi", path + ".Properties.DefinitionBody", samAuth: samHttpAuth);
                    break;
                case "AWS::Serverless::Connector":
                    ReadConnector(id, d, res.Key, rm, props, path);
                    break;
                case "AWS::SNS::Subscription":
                    if (_r.Str(props["Protocol"]) == "lambda" && Points(props["Endpoint"], id, name))
                        d.EventSources.Add(new EventSource { Type = "SNS", Name = res.Key, SourceArn = _r.Str(props["TopicArn"]), Source = Loc(rm, path) });
                    break;
                case "AWS::Events::Rule":
                    if (props["Targets"] is TList targets && targets.Items.OfType<TMap>().Any(t => Points(t["Arn"], id, name)))
                    {
                        var ruleSettings = new Dictionary<string, string>(StringComparer.Ordinal);
                        if (props["ScheduleExpression"] is TNode se) ruleSettings["Schedule"] = _r.Str(se);
                        if (props["EventPattern"] is TNode pattern) ruleSettings["Pattern"] = ToJson(pattern);
                        d.EventSources.Add(new EventSource { Type = props["ScheduleExpression"] is null ? "EventBridgeRule" : "Schedule", Name = res.Key, SourceArn = "${GetAtt:" + res.Key + ".Arn}", Properties = ruleSettings, Source = Loc(rm, path) });
                    }
                    break;
                case "AWS::S3::Bucket":
                    if (props.Map("NotificationConfiguration")?["LambdaConfigurations"] is TList lcs)
                        foreach (var lc in lcs.Items.OfType<TMap>().Where(x => Points(x["Function"], id, name)))
                            d.EventSources.Add(new EventSource
                            {
                                Type = "S3", Name = res.Key, SourceArn = props["BucketName"] is TNode bn ? $"arn:{Partition}:s3:::{_r.Str(bn)}" : "${GetAtt:" + res.Key + ".Arn}",
                                Properties = new Dictionary<string, string> { ["Events"] = _r.Str(lc["Event"]) }, Source = Loc(lc, path + ".Properties.NotificationConfiguration"),
                            });
                    break;
                case "AWS::Serverless::WebSocketApi":
                    if (props.Map("Routes") is TMap routes)
                        foreach (var route in routes.Entries)
                            if (route.Value is TMap rmap && Points(rmap["FunctionArn"], id, name))
                            {
                            {
                                // The API's Auth applies on $connect and so to every route of the connection.
                                var wsAuth = _r.Str(props.Map("Auth")?["AuthType"]);
                                var wsType = wsAuth is null or "" or "NONE" ? CallerAuthType.None : wsAuth == "AWS_IAM" ? CallerAuthType.AwsIam : wsAuth == "CUSTOM" ? CallerAuthType.Lambda : CallerAuthType.Unknown;
                                d.Callers.Add(new CallerAccess { Channel = "WebSocketApi", Route = route.Key, AuthType = wsType, AuthorizerName = wsType == CallerAuthType.Lambda ? _r.ReferencedLogicalId(props.Map("Auth")?["AuthArn"]) : null, Source = Loc(rmap, $"{path}.Properties.Routes.{route.Key}") });
                                d.ResourceStatements.Add(Permission("apigateway.amazonaws.com", $"arn:{Partition}:execute-api:{_r.Pseudo("AWS::Region")}:{_r.Pseudo("AWS::AccountId")}:${{Ref:{res.Key}}}/*", null, res.Key + route.Key + "Permission"));
                            }
                            }
                    break;
            }
            AddFrontFacts(res.Key, rm, props, id, d);
            if (rm.Map("Connectors") is TMap embedded)
                foreach (var c in embedded.Entries)
                    if (c.Value is TMap cm && cm.Map("Properties") is TMap cp)
                    {
                        var withSource = new TMap { Line = cp.Line, Column = cp.Column };
                        var src = new TMap { Line = cp.Line, Column = cp.Column };
                        src.Set("Id", new TScalar(res.Key));
                        withSource.Set("Source", src);
                        foreach (var e in cp.Entries) if (e.Key != "Source") withSource.Set(e.Key, e.Value);
                        ReadConnector(id, d, res.Key + c.Key, cm, withSource, $"{path}.Connectors.{c.Key}");
                    }
            if (AuthorizerFunctionOf(rm, id, name) is string apiKind)
            {
                d.ResourceStatements.Add(Permission(apiKind == "AppSync" ? "appsync.amazonaws.com" : "apigateway.amazonaws.com", null, null, res.Key + "AuthorizerPermission"));
                if (!d.Findings.Any(f => f.FindingId == "LambdaAuthorizerFunction"))
                    d.Findings.Add(new Finding
                    {
                        FindingId = "LambdaAuthorizerFunction", Severity = FindingSeverity.Medium, Source = Loc(rm, path),
                        Message = $"This function is a Lambda authorizer of '{res.Key}': custom authentication code.",
                        Recommendation = "Replace it with App Service authentication (Entra ID) or API Management validate-jwt where possible; otherwise keep the logic and record the deviation.",
                    });
            }
        }
    }

    /// <summary>"Api" or "AppSync" when the resource (an API, or Globals) uses the function as a Lambda authorizer.</summary>
    private string? AuthorizerFunctionOf(TMap resource, string id, string name)
    {
        var type = resource.Str("Type");
        var props = resource.Map("Properties");
        if (type == "AWS::Serverless::Api" || type == "AWS::Serverless::HttpApi")
        {
            var auth = props?.Map("Auth");
            if (type == "AWS::Serverless::Api" && auth?["DisableFunctionDefaultPermissions"] is TNode dfp && _r.Str(dfp) == "true") return null;
            if (auth?.Map("Authorizers") is TMap authorizers)
                foreach (var a in authorizers.Entries)
                    if (a.Value is TMap am && Points(am["FunctionArn"], id, name) && !(am["DisableFunctionDefaultPermissions"] is TNode off && _r.Str(off) == "true")
                        && (type == "AWS::Serverless::Api" || (am["EnableFunctionDefaultPermissions"] is TNode on && _r.Str(on) == "true"))) return "Api";
        }
        if (type == "AWS::Serverless::GraphQLApi" && props?.Map("Auth") is TMap gauth)
        {
            if (Points(gauth.Map("LambdaAuthorizer")?["AuthorizerUri"], id, name)) return "AppSync";
            if (gauth["Additional"] is TList add && add.Items.OfType<TMap>().Any(x => Points(x.Map("LambdaAuthorizer")?["AuthorizerUri"], id, name))) return "AppSync";
        }
        if (type == "AWS::Serverless::WebSocketApi" && Points(props?.Map("Auth")?["AuthArn"], id, name)) return "Api";
        if (type == "AWS::ApiGateway::Authorizer" && Points(props?["AuthorizerUri"], id, name)) return "Api";
        if (type == "AWS::ApiGatewayV2::Authorizer" && Points(props?["AuthorizerUri"], id, name)) return "Api";
        return null;
    }

    /// <summary>True when a Lambda permission lets the API (by logical id) invoke the function.</summary>
    private bool InvokedThrough(string apiId, string id, string name) =>
        _r.Resources.Entries.Any(e => e.Value is TMap m && m.Str("Type") == "AWS::Lambda::Permission" && m.Map("Properties") is TMap p
            && Points(p["FunctionName"], id, name) && (PointsNested(p["SourceArn"], apiId, "\0") || _r.Str(p["SourceArn"]).Contains(":" + apiId + "/")));

    private string EventSourceTypeOf(string? arn, TNode? ea)
    {
        var rid = _r.ReferencedLogicalId(ea);
        var t = rid is null ? null : _r.TypeOf(rid);
        if (t == "AWS::SQS::Queue") return "SQS";
        if (t == "AWS::Kinesis::Stream") return "Kinesis";
        if (t == "AWS::DynamoDB::Table") return "DynamoDB";
        if (t == "AWS::MSK::Cluster") return "MSK";
        var parts = (arn ?? "").Split(':');
        return parts.Length > 2 ? parts[2] switch { "sqs" => "SQS", "kinesis" => "Kinesis", "dynamodb" => "DynamoDB", "kafka" => "MSK", "mq" => "MQ", "docdb" => "DocumentDB", _ => parts[2] } : "EventSourceMapping";
    }

    private CallerAccess RestMethodCaller(string methodId, TMap props, SourceLocation loc)
    {
        var httpMethod = _r.Str(props["HttpMethod"]);
        var route = httpMethod + " " + RestPath(props["ResourceId"], 0);
        var authType = _r.Str(props["AuthorizationType"]);
        var apiKey = _r.Str(props["ApiKeyRequired"]) == "true";
        var scopes = _r.Resolve(props["AuthorizationScopes"]) is TList sl ? sl.Items.Select(_r.Str).ToList() : new List<string>();
        var authorizerId = _r.ReferencedLogicalId(props["AuthorizerId"]);
        var auth = authorizerId is null ? null : _r.Resources.Map(authorizerId)?.Map("Properties");
        switch (authType)
        {
            case "AWS_IAM": return new CallerAccess { Channel = "RestApi", Route = route, AuthType = CallerAuthType.AwsIam, ApiKeyRequired = apiKey, Source = loc };
            case "COGNITO_USER_POOLS":
                var providers = _r.Resolve(auth?["ProviderARNs"]) is TList pl && pl.Items.Count > 0 ? auth!["ProviderARNs"] as TList : null;
                var (issuer, aud) = providers is null ? ((string?)null, new List<string>()) : CognitoIssuer(providers.Items[0]);
                return new CallerAccess { Channel = "RestApi", Route = route, AuthType = CallerAuthType.Cognito, AuthorizerName = auth?["Name"] is TNode n ? _r.Str(n) : authorizerId, Issuer = issuer, Audiences = aud, Scopes = scopes, ApiKeyRequired = apiKey, Source = loc };
            case "CUSTOM":
                return new CallerAccess { Channel = "RestApi", Route = route, AuthType = CallerAuthType.Lambda, AuthorizerName = auth?["Name"] is TNode cn ? _r.Str(cn) : authorizerId, ApiKeyRequired = apiKey, Source = loc };
            default:
                return new CallerAccess { Channel = "RestApi", Route = route, AuthType = apiKey ? CallerAuthType.ApiKey : CallerAuthType.None, ApiKeyRequired = apiKey, Source = loc };
        }
    }

    private string RestPath(TNode? resourceId, int depth)
    {
        var rid = _r.ReferencedLogicalId(resourceId);
        if (rid is null || depth > 32 || _r.TypeOf(rid) != "AWS::ApiGateway::Resource") return depth == 0 ? "/" : "";
        var p = _r.Resources.Map(rid)!.Map("Properties");
        return RestPath(p?["ParentId"], depth + 1) + "/" + _r.Str(p?["PathPart"]);
    }

    private CallerAccess HttpRouteCaller(TMap route, SourceLocation loc)
    {
        var channel = HttpRouteChannel(route);
        var caller = HttpRouteCallerOf(route, loc);
        // A WebSocket API authorizes once, on $connect: every other route runs on that connection, so it is exactly as
        // protected as the $connect route of its API (its own AuthorizationType is always NONE).
        if (channel == "WebSocketApi" && caller.Route != "$connect" && ConnectRouteOf(route) is TMap connect)
        {
            var c = HttpRouteCallerOf(connect, loc);
            caller = new CallerAccess { Channel = channel, Route = caller.Route, AuthType = c.AuthType, AuthorizerName = c.AuthorizerName, Issuer = c.Issuer, Audiences = c.Audiences, Scopes = c.Scopes, ApiKeyRequired = c.ApiKeyRequired, Source = loc };
        }
        return channel == "HttpApi" ? caller : new CallerAccess
        {
            Channel = channel, Route = caller.Route, AuthType = caller.AuthType, AuthorizerName = caller.AuthorizerName, Issuer = caller.Issuer,
            Audiences = caller.Audiences, Scopes = caller.Scopes, ApiKeyRequired = caller.ApiKeyRequired, Source = caller.Source,
        };
    }

    /// <summary>The $connect route (properties) of the route's WebSocket API, if the template declares it.</summary>
    private TMap? ConnectRouteOf(TMap route)
    {
        var apiId = _r.ReferencedLogicalId(route["ApiId"]);
        if (apiId is null) return null;
        foreach (var res in _r.Resources.Entries)
            if (res.Value is TMap rm && _r.TypeOf(res.Key) == "AWS::ApiGatewayV2::Route" && rm.Map("Properties") is TMap p
                && _r.ReferencedLogicalId(p["ApiId"]) == apiId && _r.Str(p["RouteKey"]) == "$connect")
                return p;
        return null;
    }

    /// <summary>WebSocketApi when the route's API (AWS::ApiGatewayV2::Api) has ProtocolType WEBSOCKET, else HttpApi.</summary>
    private string HttpRouteChannel(TMap route)
    {
        var apiId = _r.ReferencedLogicalId(route["ApiId"]);
        var protocol = apiId is null ? null : _r.Resources.Map(apiId)?.Map("Properties")?["ProtocolType"];
        return protocol != null && _r.Str(protocol) == "WEBSOCKET" ? "WebSocketApi" : "HttpApi";
    }

    private CallerAccess HttpRouteCallerOf(TMap route, SourceLocation loc)
    {
        var routeKey = _r.Str(route["RouteKey"]);
        var authType = _r.Str(route["AuthorizationType"]);
        var scopes = _r.Resolve(route["AuthorizationScopes"]) is TList sl ? sl.Items.Select(_r.Str).ToList() : new List<string>();
        var authorizerId = _r.ReferencedLogicalId(route["AuthorizerId"]);
        var auth = authorizerId is null ? null : _r.Resources.Map(authorizerId)?.Map("Properties");
        switch (authType)
        {
            case "AWS_IAM": return new CallerAccess { Channel = "HttpApi", Route = routeKey, AuthType = CallerAuthType.AwsIam, Source = loc };
            case "JWT":
                var jwt = auth?.Map("JwtConfiguration");
                var aud = _r.Resolve(jwt?["Audience"]) is TList al ? al.Items.Select(_r.Str).ToList() : new List<string>();
                return new CallerAccess { Channel = "HttpApi", Route = routeKey, AuthType = CallerAuthType.Jwt, AuthorizerName = auth?["Name"] is TNode n ? _r.Str(n) : authorizerId, Issuer = jwt?["Issuer"] is TNode iss ? _r.Str(iss) : null, Audiences = aud, Scopes = scopes, Source = loc };
            case "CUSTOM":
                return new CallerAccess { Channel = "HttpApi", Route = routeKey, AuthType = CallerAuthType.Lambda, AuthorizerName = auth?["Name"] is TNode cn ? _r.Str(cn) : authorizerId, Source = loc };
            default:
                return new CallerAccess { Channel = "HttpApi", Route = routeKey, AuthType = CallerAuthType.None, Source = loc };
        }
    }

    // ---------- AWS::Serverless::Connector ----------

    private void ReadConnector(string functionId, FunctionDraft d, string connectorId, TMap resource, TMap props, string path)
    {
        var source = props.Map("Source");
        var destinations = props["Destination"] is TMap one ? new List<TMap> { one } : props["Destination"] is TList many ? many.Items.OfType<TMap>().ToList() : new List<TMap>();
        var permissions = _r.Resolve(props["Permissions"]) is TList pl ? pl.Items.Select(_r.Str).ToList() : new List<string>();
        var loc = Loc(resource, path);
        if (source?.Str("Id") == functionId || (source != null && source["Id"] is null && source["RoleName"] is TNode srn && _r.Str(srn) == d.ExecutionRole?.RoleName))
        {
            int i = 0;
            foreach (var dest in destinations)
            {
                var policyName = destinations.Count == 1 ? connectorId + "Policy" : connectorId + "PolicyDestination" + i;
                i++;
                var (type, arn) = ConnectorEnd(dest);
                var grants = SamConnectorProfiles.Actions(type, permissions);
                if (grants.Count == 0)
                {
                    _context.Warning($"{_file}: connector '{connectorId}' to {type} is not in the connector profile catalog; its grants are not listed.");
                    d.IncompleteReasons.Add($"Connector '{connectorId}' to {type}: grants unknown.");
                    continue;
                }
                var resources = SamConnectorProfiles.Resources(type, arn);
                var doc = new PolicyDocument
                {
                    PolicyName = policyName, Kind = PolicyKind.Managed, Version = "2012-10-17", Source = loc,
                    Statement = new[] { new PolicyStatement { Effect = "Allow", Action = grants, Resource = resources } },
                };
                AddRolePolicy(d, doc);
            }
        }
        if (destinations.Any(x => x.Str("Id") == functionId || (x["Id"] is null && Points(x["Arn"], functionId, d.FunctionName))) && source != null)
        {
            var (type, arn) = ConnectorEnd(source);
            var sourceActions = SamConnectorProfiles.SourceActions(type, permissions);
            if (sourceActions.Count > 0 && d.ExecutionRole != null)
            {
                var sourceArn = source.Str("Id") is string sid ? SamConnectorProfiles.SourceArnOf(type, sid) ?? arn : arn;
                AddRolePolicy(d, new PolicyDocument
                {
                    PolicyName = connectorId + "Policy", Kind = PolicyKind.Managed, Version = "2012-10-17", Source = loc,
                    Statement = new[] { new PolicyStatement { Effect = "Allow", Action = sourceActions, Resource = new[] { sourceArn } } },
                });
            }
            var principal = SamConnectorProfiles.InvokePrincipal(type);
            if (principal != null) d.ResourceStatements.Add(Permission(principal, arn, null, connectorId + "WriteLambdaPermission"));
            d.EventSources.Add(new EventSource { Type = "Connector", Name = connectorId, SourceArn = arn, IsPoll = principal is null, Source = loc });
        }
    }

    private static void AddRolePolicy(FunctionDraft d, PolicyDocument doc)
    {
        if (d.ExecutionRole is null) return;
        d.ExecutionRole = new ExecutionRole
        {
            RoleArn = d.ExecutionRole.RoleArn, RoleName = d.ExecutionRole.RoleName, AssumeRolePolicy = d.ExecutionRole.AssumeRolePolicy,
            Policies = d.ExecutionRole.Policies.Concat(new[] { doc }).ToList(), PermissionsBoundary = d.ExecutionRole.PermissionsBoundary, Source = d.ExecutionRole.Source,
        };
    }

    private (string Type, string Arn) ConnectorEnd(TMap end)
    {
        if (end.Str("Id") is string rid && _r.Resources.Map(rid) is TMap res)
        {
            var type = res.Str("Type") ?? "";
            return (type, SamConnectorProfiles.ArnOf(type, rid, Partition));
        }
        return (_r.Str(end["Type"]), _r.Str(end["Arn"]));
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources.Templates;

internal sealed partial class TemplateReader
{
    // ---------- what stands in front of a function: load balancers ----------

    /// <summary>Resource types read by <see cref="AddFrontFacts"/> (kept in the shared index of resources that may concern a function).</summary>
    private static readonly string[] FrontTypes = { "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::IoT::Authorizer", "AWS::IoT::TopicRule", "AWS::Scheduler::Schedule" };

    private void AddFrontFacts(string logicalId, TMap resource, TMap props, string functionId, FunctionDraft d)
    {
        switch (resource.Str("Type"))
        {
            case "AWS::ElasticLoadBalancingV2::TargetGroup":
                if (_r.Str(props["TargetType"]) != "lambda") return;
                if (_r.Resolve(props["Targets"]) is not TList targets || !targets.Items.OfType<TMap>().Any(t => Points(t["Id"], functionId, d.FunctionName))) return;
                AlbCallers(logicalId, d);
                break;
            // ---- roles AWS services assume for the function ----
            case "AWS::ApiGateway::Method":
                if (props.Map("Integration") is TMap integration && integration["Credentials"] is TNode creds && Points(integration["Uri"], functionId, d.FunctionName))
                    d.ServiceRoles.Add(ServiceRole("ApiGateway", logicalId, creds, $"Resources.{logicalId}.Properties.Integration.Credentials"));
                break;
            case "AWS::ApiGatewayV2::Integration":
                if (props["CredentialsArn"] is TNode v2creds && Points(props["IntegrationUri"], functionId, d.FunctionName))
                    d.ServiceRoles.Add(ServiceRole("ApiGateway", logicalId, v2creds, $"Resources.{logicalId}.Properties.CredentialsArn"));
                break;
            case "AWS::Scheduler::Schedule":
                if (props.Map("Target") is not TMap target || !Points(target["Arn"], functionId, d.FunctionName)) return;
                var scheduleSettings = new Dictionary<string, string>(StringComparer.Ordinal);
                if (props["ScheduleExpression"] is TNode expr) scheduleSettings["Schedule"] = _r.Str(expr);
                d.EventSources.Add(new EventSource { Type = "ScheduleV2", Name = logicalId, SourceArn = "${GetAtt:" + logicalId + ".Arn}", Properties = scheduleSettings, Source = Loc(resource, "Resources." + logicalId) });
                if (target["RoleArn"] is TNode schedRole) d.ServiceRoles.Add(ServiceRole("Scheduler", logicalId, schedRole, $"Resources.{logicalId}.Properties.Target.RoleArn"));
                break;
            case "AWS::IoT::TopicRule":
                // A rule that invokes the function (its Lambda action) may act with roles in its other actions (republish, S3, DynamoDB...).
                if (props.Map("TopicRulePayload") is not TMap payload) return;
                var ruleActions = new List<(TMap Action, string Path)>();
                if (payload["Actions"] is TList acts) for (var i = 0; i < acts.Items.Count; i++) if (acts.Items[i] is TMap am) ruleActions.Add((am, $"Resources.{logicalId}.Properties.TopicRulePayload.Actions[{i}]"));
                if (payload.Map("ErrorAction") is TMap err) ruleActions.Add((err, $"Resources.{logicalId}.Properties.TopicRulePayload.ErrorAction"));
                if (!ruleActions.Any(a => Points(a.Action.Map("Lambda")?["FunctionArn"], functionId, d.FunctionName))) return;
                foreach (var (action, actionPath) in ruleActions)
                    foreach (var kind in action.Entries)
                        if (kind.Value is TMap cfg && cfg["RoleArn"] is TNode ruleRole)
                            d.ServiceRoles.Add(ServiceRole("IoTRule", logicalId + "." + kind.Key, ruleRole, actionPath + "." + kind.Key + ".RoleArn"));
                break;
            case "AWS::IoT::Authorizer":
                // The function decides which devices may connect to AWS IoT Core: an authorizer of connections, not an IoT rule.
                if (!Points(props["AuthorizerFunctionArn"], functionId, d.FunctionName)) return;
                var name = props["AuthorizerName"] is TNode an ? _r.Str(an) : logicalId;
                d.Callers.Add(new CallerAccess { Channel = "IoT", Route = "custom authorizer " + name, AuthType = CallerAuthType.Lambda, AuthorizerName = name, Source = Loc(resource, "Resources." + logicalId) });
                d.IoTAuthorizerArns.Add("${GetAtt:" + logicalId + ".Arn}");
                break;
        }
    }

    /// <summary>
    /// One caller per listener or listener rule whose actions forward to the Lambda target group: authenticated when the
    /// same action list holds an authenticate-cognito or authenticate-oidc action (a login in front of the function),
    /// public otherwise. An ALB login is never dropped.
    /// </summary>
    private void AlbCallers(string targetGroupId, FunctionDraft d)
    {
        foreach (var res in _r.Resources.Entries)
        {
            if (res.Value is not TMap rm) continue;
            var type = rm.Str("Type");
            var actionsKey = type == "AWS::ElasticLoadBalancingV2::Listener" ? "DefaultActions" : type == "AWS::ElasticLoadBalancingV2::ListenerRule" ? "Actions" : null;
            if (actionsKey is null || rm.Map("Properties")?[actionsKey] is not TList actions) continue;
            var list = actions.Items.OfType<TMap>().ToList();
            if (!list.Any(a => ForwardsTo(a, targetGroupId))) continue;
            var path = $"Resources.{res.Key}.Properties.{actionsKey}";
            var route = (type == "AWS::ElasticLoadBalancingV2::Listener" ? "listener " : "listener rule ") + res.Key;
            var auth = list.FirstOrDefault(a => _r.Str(a["Type"]) is "authenticate-cognito" or "authenticate-oidc");
            if (auth is null)
            {
                d.Callers.Add(new CallerAccess { Channel = "ALB", Route = route, AuthType = CallerAuthType.None, Source = Loc(actions, path) });
                continue;
            }
            var loc = Loc(auth, path + "[" + list.IndexOf(auth) + "]");
            if (_r.Str(auth["Type"]) == "authenticate-cognito")
            {
                var cfg = auth.Map("AuthenticateCognitoConfig");
                var (issuer, _) = cfg?["UserPoolArn"] is TNode pool ? CognitoIssuer(pool) : ((string?)null, new List<string>());
                var client = cfg?["UserPoolClientId"] is TNode cid ? new List<string> { _r.Str(cid) } : new List<string>();
                d.Callers.Add(new CallerAccess { Channel = "ALB", Route = route, AuthType = CallerAuthType.Cognito, AuthorizerName = "authenticate-cognito", Issuer = issuer, Audiences = client, Scopes = Scopes(cfg), Source = loc });
            }
            else
            {
                // The OIDC client secret is never read: only the issuer, the client id and the scopes.
                var cfg = auth.Map("AuthenticateOidcConfig");
                var client = cfg?["ClientId"] is TNode cid ? new List<string> { _r.Str(cid) } : new List<string>();
                d.Callers.Add(new CallerAccess { Channel = "ALB", Route = route, AuthType = CallerAuthType.Jwt, AuthorizerName = "authenticate-oidc", Issuer = cfg?["Issuer"] is TNode iss ? _r.Str(iss) : null, Audiences = client, Scopes = Scopes(cfg), Source = loc });
            }
        }
    }

    /// <summary>A service role: the template's own AWS::IAM::Role with its policies, or the ARN alone.</summary>
    private ServiceRoleUse ServiceRole(string service, string name, TNode roleNode, string path)
    {
        var roleId = _r.ReferencedLogicalId(roleNode);
        if (roleId is null && roleNode is TMap sub && sub.Intrinsic == "Fn::Sub")
            roleId = SubNames((sub["Fn::Sub"] as TScalar)?.Value ?? "").Select(v => v.Split('.')[0]).FirstOrDefault(v => _r.TypeOf(v) == "AWS::IAM::Role");
        var role = roleId != null && _r.TypeOf(roleId) == "AWS::IAM::Role" ? ReadIamRole(roleId) : null;
        var arn = role?.RoleArn ?? _r.Str(roleNode);
        return new ServiceRoleUse
        {
            Service = service, Name = name, RoleArn = arn, Source = Loc(roleNode, path),
            Role = role ?? new ExecutionRole { RoleArn = arn, RoleName = RoleNameOf(arn), Source = Loc(roleNode, path) },
        };
    }

    /// <summary>The role SAM generates for a ScheduleV2 event without RoleArn: lambda:InvokeFunction on the function.</summary>
    private static ServiceRoleUse SamScheduleRole(string functionId, string eventName, FunctionDraft d, SourceLocation loc)
    {
        var roleId = functionId + eventName + "Role";
        var policy = new PolicyDocument
        {
            PolicyName = roleId + "StartExecutionPolicy", Kind = PolicyKind.Inline, Version = "2012-10-17", Source = loc,
            Statement = new[] { new PolicyStatement { Effect = "Allow", Action = new[] { "lambda:InvokeFunction" }, Resource = new[] { "${GetAtt:" + functionId + ".Arn}" } } },
        };
        return new ServiceRoleUse
        {
            Service = "Scheduler", Name = functionId + eventName, RoleArn = "${GetAtt:" + roleId + ".Arn}", Source = loc,
            Role = new ExecutionRole { RoleArn = "${GetAtt:" + roleId + ".Arn}", RoleName = roleId, Policies = new[] { policy }, Source = loc },
        };
    }

    private List<string> Scopes(TMap? cfg) =>
        cfg?["Scope"] is TNode s ? _r.Str(s).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries).Where(x => x != "openid").ToList() : new List<string>();

    /// <summary>True when a listener action forwards to the target group (TargetGroupArn, or ForwardConfig.TargetGroups).</summary>
    private bool ForwardsTo(TMap action, string targetGroupId)
    {
        if (_r.Str(action["Type"]) != "forward") return false;
        if (_r.ReferencedLogicalId(action["TargetGroupArn"]) == targetGroupId) return true;
        return action.Map("ForwardConfig")?["TargetGroups"] is TList groups && groups.Items.OfType<TMap>().Any(g => _r.ReferencedLogicalId(g["TargetGroupArn"]) == targetGroupId);
    }
}

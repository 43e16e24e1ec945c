using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources;

/// <summary>
/// Facts that follow from a merged record's resource policy: push event sources (s3, sns, events, ...) and
/// callers (API Gateway routes, other accounts and roles). For deployed functions read from exports the
/// resource policy is the only record of them; templates already name them, so nothing is added twice.
/// </summary>
internal static class DerivedFacts
{
    private static readonly Dictionary<string, string> ServiceEventType = new(StringComparer.OrdinalIgnoreCase)
    {
        ["s3.amazonaws.com"] = "S3", ["sns.amazonaws.com"] = "SNS", ["events.amazonaws.com"] = "EventBridgeRule",
        ["logs.amazonaws.com"] = "CloudWatchLogs", ["iot.amazonaws.com"] = "IoTRule", ["cognito-idp.amazonaws.com"] = "Cognito",
        ["alexa-appkit.amazon.com"] = "AlexaSkill", ["iotevents.amazonaws.com"] = "IoTEvents", ["secretsmanager.amazonaws.com"] = "SecretsManagerRotation",
        ["elasticloadbalancing.amazonaws.com"] = "ALB", ["appsync.amazonaws.com"] = "AppSync", ["scheduler.amazonaws.com"] = "ScheduleV2",
        ["states.amazonaws.com"] = "StepFunctions", ["cloudfront.amazonaws.com"] = "CloudFront", ["config.amazonaws.com"] = "Config", ["lex.amazonaws.com"] = "Lex",
    };

    public static void Apply(FunctionDraft d)
    {
        var statements = d.ResourcePolicies.SelectMany(p => p.Statement.Select(s => (s, p.Source))).Concat(d.ResourceStatements.Select(s => (s, d.Source))).ToList();
        foreach (var (s, source) in statements)
        {
            if (s.Effect != "Allow" || s.Principal is null) continue;
            var sourceArn = s.Condition.Where(c => c.Key.Equals("aws:SourceArn", StringComparison.OrdinalIgnoreCase)).SelectMany(c => c.Values).FirstOrDefault();
            foreach (var service in s.Principal.Service)
            {
                if (service.Equals("apigateway.amazonaws.com", StringComparison.OrdinalIgnoreCase))
                {
                    if (d.Callers.Any(c => c.Channel == "RestApi" || c.Channel == "HttpApi" || c.Channel == "WebSocketApi")) continue;
                    d.Callers.Add(new CallerAccess { Channel = "ApiGateway", Route = RouteOf(sourceArn), AuthType = CallerAuthType.Unknown, Source = source });
                    continue;
                }
                if (service.Equals("iot.amazonaws.com", StringComparison.OrdinalIgnoreCase) && IsIoTAuthorizer(d, sourceArn))
                {
                    // AWS IoT Core calls the function to authenticate device connections (a custom authorizer), not for a rule.
                    if (!d.Callers.Any(c => c.Channel == "IoT"))
                        d.Callers.Add(new CallerAccess { Channel = "IoT", Route = "custom authorizer " + (sourceArn is null ? "" : sourceArn.Substring(sourceArn.LastIndexOf('/') + 1)).Trim(), AuthType = CallerAuthType.Lambda, Source = source });
                    continue;
                }
                if (!ServiceEventType.TryGetValue(service, out var type)) type = service;
                if (d.EventSources.Any(e => (sourceArn != null && e.SourceArn == sourceArn) || (e.Type == type && !e.IsPoll))) continue;
                d.EventSources.Add(new EventSource { Type = type, Name = s.Sid ?? service, SourceArn = sourceArn, IsPoll = false, Source = source });
            }
            foreach (var aws in s.Principal.Aws)
                if (!d.Callers.Any(c => c.Channel == "ResourcePolicy" && c.Route == aws))
                    d.Callers.Add(new CallerAccess { Channel = "ResourcePolicy", Route = aws, AuthType = CallerAuthType.AwsIam, Source = source });
        }
    }

    /// <summary>True when an iot.amazonaws.com permission is for a custom authorizer: its source ARN is one (arn:...:authorizer/name, or an authorizer the template points at the function).</summary>
    private static bool IsIoTAuthorizer(FunctionDraft d, string? sourceArn)
        => sourceArn is not null && (sourceArn.IndexOf(":authorizer/", StringComparison.Ordinal) >= 0 || d.IoTAuthorizerArns.Contains(sourceArn))
           || sourceArn is null && d.IoTAuthorizerArns.Count > 0 && !d.EventSources.Any(e => e.Type == "IoTRule");

    /// <summary>"GET /orders" from arn:aws:execute-api:region:account:apiId/stage/GET/orders; "*" parts stay.</summary>
    private static string? RouteOf(string? executeApiArn)
    {
        if (executeApiArn is null) return null;
        var colon = executeApiArn.LastIndexOf(':');
        var parts = executeApiArn.Substring(colon + 1).Split(new[] { '/' }, 4);
        if (parts.Length < 3) return executeApiArn;
        return parts[2] + " /" + (parts.Length > 3 ? parts[3] : "");
    }
}

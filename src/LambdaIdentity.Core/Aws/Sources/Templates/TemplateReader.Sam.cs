using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources.Templates;

internal sealed partial class TemplateReader
{
    private static readonly Dictionary<string, string> PollerManagedPolicy = new(StringComparer.Ordinal)
    {
        ["SQS"] = "AWSLambdaSQSQueueExecutionRole",
        ["Kinesis"] = "AWSLambdaKinesisExecutionRole",
        ["DynamoDB"] = "AWSLambdaDynamoDBExecutionRole",
        ["MSK"] = "AWSLambdaMSKExecutionRole",
    };

    private static readonly Dictionary<string, string> PollerArnProperty = new(StringComparer.Ordinal)
    {
        ["SQS"] = "Queue", ["Kinesis"] = "Stream", ["DynamoDB"] = "Stream", ["MSK"] = "Stream", ["MQ"] = "Broker",
        ["DocumentDB"] = "Cluster", ["SelfManagedKafka"] = "KafkaBootstrapServers",
    };

    private FunctionDraft ReadSamFunction(string id, TMap resource)
    {
        var props = MergedProperties(resource.Map("Properties") ?? new TMap());
        var d = NewDraft(id, resource, props);
        var path = $"Resources.{id}.Properties";
        if (props["Tracing"] is TNode tracing) d.TracingMode = _r.Str(tracing);
        var dlqNode = props.Map("DeadLetterQueue");
        if (dlqNode?["TargetArn"] is TNode dlqArn) d.Destinations.Add(_r.Str(dlqArn));
        var destConfig = props.Map("EventInvokeConfig")?.Map("DestinationConfig");
        foreach (var which in new[] { "OnSuccess", "OnFailure" })
            if (destConfig?.Map(which)?["Destination"] is TNode dest) d.Destinations.Add(_r.Str(dest));

        if (props["Role"] is TNode roleNode && _r.Resolve(roleNode) is not null) SetRoleFromReference(d, roleNode, id);
        else d.ExecutionRole = GeneratedRole(id, props, path);
        d.RoleArn = d.ExecutionRole?.RoleArn ?? d.RoleArn;

        ReadSamEvents(id, props, d, path);
        if (props.Map("FunctionUrlConfig") is TMap url) ReadUrlConfig(d, url, path + ".FunctionUrlConfig", sam: true);
        return d;
    }

    /// <summary>The role SAM generates when a function names no Role: basic execution, tracing, VPC, Policies, events, DLQ, destinations.</summary>
    private ExecutionRole GeneratedRole(string id, TMap props, string path)
    {
        var roleId = id + "Role";
        var policies = new List<PolicyDocument>();
        var managed = new List<(string, SourceLocation)>();
        var policiesNode = props["Policies"];
        if (policiesNode != null)
        {
            var list = policiesNode is TList pl ? pl.Items : new List<TNode> { policiesNode };
            int i = 0;
            foreach (var p in list)
            {
                var loc = Loc(p, $"{path}.Policies[{i}]");
                ReadSamPolicyItem(p, roleId + "Policy" + i, loc, policies, managed);
                i++;
            }
        }
        var basic = (SamManagedPolicies.ArnOf(props["DurableConfig"] is null ? "AWSLambdaBasicExecutionRole" : "AWSLambdaBasicDurableExecutionRolePolicy", Partition), Loc(props, path));
        managed.Add(basic);
        if (props["Tracing"] is TNode tr && _r.Str(tr) is string trv && trv.Length > 0 && trv != "Disabled") managed.Add((SamManagedPolicies.ArnOf("AWSXrayWriteOnlyAccess", Partition), Loc(tr, path + ".Tracing")));
        if (props["VpcConfig"] is TNode vpc && _r.Resolve(vpc) is TMap vm && vm.Count > 0) managed.Add((SamManagedPolicies.ArnOf("AWSLambdaVPCAccessExecutionRole", Partition), Loc(vpc, path + ".VpcConfig")));
        if (props.Map("Events") is TMap events)
            foreach (var e in events.Entries)
            {
                if (e.Value is TMap em && em.Str("Type") is string et && PollerManagedPolicy.TryGetValue(et, out var pmName))
                    managed.Add((SamManagedPolicies.ArnOf(pmName, Partition), Loc(em, $"{path}.Events.{e.Key}")));
                if (e.Value is TMap sm && sm.Str("Type") == "SNS" && sm.Map("Properties")?["SqsSubscription"] is TNode sq && _r.Str(sq) != "false")
                    managed.Add((SamManagedPolicies.ArnOf("AWSLambdaSQSQueueExecutionRole", Partition), Loc(sm, $"{path}.Events.{e.Key}")));
            }
        if (props.Map("DeadLetterQueue") is TMap dlq && dlq["TargetArn"] is TNode target)
        {
            var action = _r.Str(dlq["Type"]) == "SNS" ? "sns:Publish" : "sqs:SendMessage";
            policies.Add(Statements("DeadLetterQueuePolicy", Loc(dlq, path + ".DeadLetterQueue"), (action, _r.Str(target))));
        }
        var destConfig = props.Map("EventInvokeConfig")?.Map("DestinationConfig");
        foreach (var which in new[] { "OnSuccess", "OnFailure" })
        {
            var dm = destConfig?.Map(which);
            if (dm?["Destination"] is not TNode dest) continue;
            var type = _r.Str(dm["Type"]);
            var destArn = _r.Str(dest);
            var grants = DestinationGrants(type, destArn);
            if (grants.Length > 0) policies.Add(Statements(roleId + "EventInvokeConfig" + which + "Policy", Loc(dm, $"{path}.EventInvokeConfig.DestinationConfig.{which}"), grants));
        }
        if (props.Map("Events") is TMap pollEvents)
            foreach (var e in pollEvents.Entries)
                if (e.Value is TMap em2 && PollerPolicy(em2, $"{path}.Events.{e.Key}") is PolicyDocument pp) policies.Add(pp);
        foreach (var (arn, loc) in managed.GroupBy(m => m.Item1).Select(g => g.First())) policies.Add(ManagedPolicy(arn, loc));

        PolicyDocument? boundary = props["PermissionsBoundary"] is TNode pb
            ? new PolicyDocument { PolicyName = RoleNameOf(_r.Str(pb)), PolicyArn = _r.Str(pb), Kind = PolicyKind.PermissionsBoundary, IsUnresolved = true, Source = Loc(pb, path + ".PermissionsBoundary") }
            : null;
        PolicyDocument? trust = props["AssumeRolePolicyDocument"] is TNode custom
            ? ParsePolicy(custom, PolicyKind.Trust, roleId + "-trust", Loc(custom, path + ".AssumeRolePolicyDocument"), resolved: true)
            : new PolicyDocument
            {
                PolicyName = roleId + "-trust", Kind = PolicyKind.Trust, Version = "2012-10-17", Source = Loc(props, path),
                Statement = new[] { new PolicyStatement { Effect = "Allow", Action = new[] { "sts:AssumeRole" }, Principal = new PolicyPrincipal { Service = new[] { "lambda.amazonaws.com" } } } },
            };
        return new ExecutionRole
        {
            RoleArn = "${GetAtt:" + roleId + ".Arn}", RoleName = roleId, AssumeRolePolicy = trust, Policies = policies,
            PermissionsBoundary = boundary, Source = Loc(props, path),
        };
    }

    private static (string, string)[] DestinationGrants(string type, string arn) => type switch
    {
        "SQS" => new[] { ("sqs:SendMessage", arn) },
        "SNS" => new[] { ("sns:Publish", arn) },
        "Lambda" => new[] { ("lambda:InvokeFunction", arn) },
        "EventBridge" => new[] { ("events:PutEvents", arn) },
        "S3Bucket" or "S3" => new[] { ("s3:PutObject", arn + "/*"), ("s3:ListBucket", arn) },
        _ => new (string, string)[0],
    };

    /// <summary>The inline policy SAM generates for MQ, DocumentDB and self-managed Kafka pollers (secrets, broker/cluster description, VPC ENIs, KMS).</summary>
    private PolicyDocument? PollerPolicy(TMap ev, string path)
    {
        var type = _r.Str(ev["Type"]);
        var ep = ev.Map("Properties") ?? new TMap();
        var grants = new List<(string, string)>();
        var onFailure = ep.Map("DestinationConfig")?.Map("OnFailure");
        if (onFailure?["Destination"] is TNode failDest)
        {
            var ft = _r.Str(onFailure["Type"]);
            var fa = _r.Str(failDest);
            if (ft.Length == 0) ft = fa.Contains(":sqs:") ? "SQS" : fa.Contains(":sns:") ? "SNS" : fa.Contains(":s3:") ? "S3" : "";
            grants.AddRange(DestinationGrants(ft, fa));
        }
        if (ep.Map("SchemaRegistryConfig") is TMap schema)
        {
            var uri = _r.Str(schema["SchemaRegistryURI"]);
            if (uri.StartsWith("arn:", StringComparison.Ordinal) && uri.Contains(":glue:"))
            {
                grants.Add(("glue:GetRegistry", uri));
                grants.Add(("glue:GetSchemaVersion", "*"));
            }
            if (_r.Resolve(schema["AccessConfigs"]) is TList acs)
                foreach (var ac in acs.Items.OfType<TMap>()) if (ac["URI"] is TNode acUri) grants.Add(("secretsmanager:GetSecretValue", _r.Str(acUri)));
        }
        bool vpc = false;
        if (_r.Resolve(ep["SourceAccessConfigurations"]) is TList sacs)
            foreach (var sac in sacs.Items.OfType<TMap>())
            {
                var t = _r.Str(sac["Type"]);
                if (t == "VPC_SUBNET" || t == "VPC_SECURITY_GROUP") { vpc = true; continue; }
                if (sac["URI"] is TNode uri) grants.Add(("secretsmanager:GetSecretValue", _r.Str(uri)));
            }
        if (type != "MQ" && type != "DocumentDB" && type != "SelfManagedKafka")
            return grants.Count == 0 ? null : Statements(type == "MSK" ? "MSKExecutionRolePolicy" : "SamAutoGeneratedEventSourcePolicy", Loc(ev, path), grants.ToArray());
        if (ep["SecretsManagerKmsKeyId"] is TNode kms)
        {
            var key = _r.Str(kms);
            grants.Add(("kms:Decrypt", key.StartsWith("arn:", StringComparison.Ordinal) ? key : $"arn:{Partition}:kms:{_r.Pseudo("AWS::Region")}:{_r.Pseudo("AWS::AccountId")}:key/{key}"));
        }
        if (type == "SelfManagedKafka" && vpc)
            foreach (var a in new[] { "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups" }) grants.Add((a, "*"));
        if (type == "MQ" && ep["Broker"] is TNode broker) grants.Add(("mq:DescribeBroker", _r.Str(broker)));
        if (type == "DocumentDB")
        {
            grants.Add(("rds:DescribeDBClusterParameters", $"arn:{Partition}:rds:{_r.Pseudo("AWS::Region")}:{_r.Pseudo("AWS::AccountId")}:cluster-pg:*"));
            grants.Add(("rds:DescribeDBSubnetGroups", $"arn:{Partition}:rds:{_r.Pseudo("AWS::Region")}:{_r.Pseudo("AWS::AccountId")}:subgrp:*"));
            if (ep["Cluster"] is TNode cluster) grants.Add(("rds:DescribeDBClusters", _r.Str(cluster)));
            foreach (var a in new[] { "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups" }) grants.Add((a, "*"));
        }
        if (grants.Count == 0) return null;
        var name = type switch { "MQ" => "SamAutoGeneratedAMQPolicy", "DocumentDB" => "SamAutoGeneratedDocumentDBPolicy", _ => "SelfManagedKafkaExecutionRolePolicy" };
        return Statements(name, Loc(ev, path), grants.ToArray());
    }

    private PolicyDocument Statements(string name, SourceLocation loc, params (string Action, string Resource)[] grants) => new()
    {
        PolicyName = name, Kind = PolicyKind.Inline, Version = "2012-10-17", Source = loc,
        Statement = grants.Select(g => new PolicyStatement { Effect = "Allow", Action = new[] { g.Action }, Resource = new[] { g.Resource } }).ToList(),
    };

    /// <summary>One entry of SAM Policies: a managed policy name or ARN, an inline document, or a policy template.</summary>
    private void ReadSamPolicyItem(TNode p, string inlineName, SourceLocation loc, List<PolicyDocument> policies, List<(string, SourceLocation)> managed)
    {
        if (p is TScalar s) { managed.Add((s.Value, loc)); return; }
        if (p is not TMap m) { _context.Error("SamPolicyUnrecognized", EngineErrorCategory.InvalidData, _file, "A Policies entry is neither a name, a document nor a policy template.", loc); return; }
        if (m.Intrinsic != null)
        {
            var resolved = _r.Resolve(m);
            if (resolved is null) return; // AWS::NoValue
            if (resolved is TScalar rs) { managed.Add((rs.Value, loc)); return; }
            if (resolved is TMap rm2) { ReadSamPolicyItem(rm2, inlineName, loc, policies, managed); return; }
            if (resolved is TList rl) { int j = 0; foreach (var item in rl.Items) ReadSamPolicyItem(item, inlineName + "_" + j++, loc, policies, managed); return; }
            return;
        }
        if (m.Has("Statement"))
        {
            var doc = ParsePolicy(m, PolicyKind.Inline, inlineName, loc, resolved: true);
            if (doc != null) policies.Add(doc);
            return;
        }
        if (m.Count == 1)
        {
            var templateName = m.Entries[0].Key;
            var definition = SamPolicyTemplates.Expand(templateName, m.Entries[0].Value as TMap ?? new TMap());
            if (definition is null)
            {
                _context.Error("SamPolicyTemplateUnknown", EngineErrorCategory.InvalidData, _file, $"'{templateName}' is not a SAM policy template this version knows.", loc);
                policies.Add(new PolicyDocument { PolicyName = inlineName, Kind = PolicyKind.Inline, IsUnresolved = true, Source = loc });
                return;
            }
            var doc = ParsePolicy(definition, PolicyKind.Inline, inlineName, loc, resolved: true);
            if (doc != null) policies.Add(doc);
            return;
        }
        _context.Error("SamPolicyUnrecognized", EngineErrorCategory.InvalidData, _file, "A Policies entry is neither a name, a document nor a policy template.", loc);
    }

    // ---------- events ----------

    private void ReadSamEvents(string id, TMap props, FunctionDraft d, string path)
    {
        if (props.Map("Events") is not TMap events) return;
        foreach (var e in events.Entries)
        {
            if (e.Value is not TMap em) continue;
            var type = _r.Str(em["Type"]);
            var ep = em.Map("Properties") ?? new TMap();
            var loc = Loc(em, $"{path}.Events.{e.Key}");
            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in new[] { "BatchSize", "StartingPosition", "Enabled", "Schedule", "Events", "MaximumBatchingWindowInSeconds", "Topics", "Queues" })
                if (ep[key] is TNode v) settings[key] = _r.Str(v);
            if (ep["Pattern"] is TNode pattern) settings["Pattern"] = ToJson(pattern);
            if (ep["FilterCriteria"] is TNode filter) settings["FilterCriteria"] = ToJson(filter);
            string? sourceArn = null;
            bool poll = PollerArnProperty.TryGetValue(type, out var arnProp);
            if (poll) sourceArn = ep[arnProp!] is TNode an ? _r.Str(an) : null;
            switch (type)
            {
                case "S3":
                    var bucket = ep["Bucket"] is TNode b ? _r.Str(b) : "";
                    sourceArn = $"arn:{Partition}:s3:::{bucket}";
                    d.ResourceStatements.Add(Permission("s3.amazonaws.com", sourceArn, _r.Pseudo("AWS::AccountId"), id + e.Key + "Permission"));
                    break;
                case "SNS":
                    sourceArn = ep["Topic"] is TNode t ? _r.Str(t) : null;
                    if (ep["SqsSubscription"] is TNode sqsSub && _r.Str(sqsSub) != "false") { poll = true; settings["SqsSubscription"] = "true"; }
                    else d.ResourceStatements.Add(Permission("sns.amazonaws.com", sourceArn, null, id + e.Key + "Permission"));
                    break;
                case "Schedule": case "CloudWatchEvent": case "EventBridgeRule":
                    sourceArn = "${GetAtt:" + id + e.Key + ".Arn}";
                    d.ResourceStatements.Add(Permission("events.amazonaws.com", sourceArn, null, id + e.Key + "Permission"));
                    break;
                case "ScheduleV2":
                    sourceArn = "${GetAtt:" + id + e.Key + ".Arn}";
                    d.ServiceRoles.Add(ep["RoleArn"] is TNode schedRole ? ServiceRole("Scheduler", id + e.Key, schedRole, $"{path}.Events.{e.Key}.Properties.RoleArn") : SamScheduleRole(id, e.Key, d, loc));
                    break;
                case "CloudWatchLogs":
                    sourceArn = ep["LogGroupName"] is TNode lg ? $"arn:{Partition}:logs:{_r.Pseudo("AWS::Region")}:{_r.Pseudo("AWS::AccountId")}:log-group:{_r.Str(lg)}:*" : null;
                    d.ResourceStatements.Add(Permission("logs.amazonaws.com", sourceArn, null, id + e.Key + "Permission"));
                    break;
                case "IoTRule":
                    sourceArn = "${GetAtt:" + id + e.Key + ".Arn}";
                    d.ResourceStatements.Add(Permission("iot.amazonaws.com", sourceArn, _r.Pseudo("AWS::AccountId"), id + e.Key + "Permission"));
                    break;
                case "AlexaSkill":
                    d.ResourceStatements.Add(Permission("alexa-appkit.amazon.com", null, null, id + e.Key + "Permission",
                        ep["SkillId"] is TNode sk ? new PolicyCondition { Operator = "StringEquals", Key = "lambda:EventSourceToken", Values = new[] { _r.Str(sk) } } : null));
                    break;
                case "Cognito":
                    sourceArn = ep["UserPool"] is TNode up ? UserPoolArn(up) : null;
                    d.ResourceStatements.Add(Permission("cognito-idp.amazonaws.com", sourceArn, null, id + e.Key + "Permission"));
                    break;
                case "Api":
                    ReadApiEvent(id, e.Key, ep, d, loc);
                    break;
                case "HttpApi":
                    ReadHttpApiEvent(id, e.Key, ep, d, loc);
                    break;
            }
            d.EventSources.Add(new EventSource { Type = type, Name = e.Key, SourceArn = sourceArn, IsPoll = poll, Properties = settings, Source = loc });
        }
    }

    private string ToJson(TNode node)
    {
        using var doc = IntrinsicResolver.ToJsonDocument(_r.Resolve(node));
        return doc.RootElement.GetRawText();
    }

    private string UserPoolArn(TNode up)
    {
        var rid = _r.ReferencedLogicalId(up);
        if (rid != null && _r.TypeOf(rid) == "AWS::Cognito::UserPool") return "${GetAtt:" + rid + ".Arn}";
        return _r.Str(up);
    }

    /// <summary>A Lambda permission statement as SAM or CloudFormation creates it.</summary>
    internal static PolicyStatement Permission(string principal, string? sourceArn, string? sourceAccount, string sid, PolicyCondition? extra = null, string action = "lambda:InvokeFunction")
    {
        var conditions = new List<PolicyCondition>();
        if (!string.IsNullOrEmpty(sourceArn)) conditions.Add(new PolicyCondition { Operator = "ArnLike", Key = "AWS:SourceArn", Values = new[] { sourceArn! } });
        if (!string.IsNullOrEmpty(sourceAccount)) conditions.Add(new PolicyCondition { Operator = "StringEquals", Key = "AWS:SourceAccount", Values = new[] { sourceAccount! } });
        if (extra != null) conditions.Add(extra);
        PolicyPrincipal p = principal == "*" ? new PolicyPrincipal { IsWildcard = true }
            : principal.EndsWith(".amazonaws.com", StringComparison.Ordinal) || principal.EndsWith(".amazon.com", StringComparison.Ordinal) ? new PolicyPrincipal { Service = new[] { principal } }
            : new PolicyPrincipal { Aws = new[] { principal } };
        return new PolicyStatement { Sid = sid, Effect = "Allow", Principal = p, Action = new[] { action }, Resource = new[] { "${FunctionArn}" }, Condition = conditions };
    }

    // ---------- function URL ----------

    private void ReadUrlConfig(FunctionDraft d, TMap url, string path, bool sam)
    {
        var auth = _r.Str(url["AuthType"]);
        var origins = new List<string>();
        if (_r.Resolve(url.Map("Cors")?["AllowOrigins"]) is TList ol) origins.AddRange(ol.Items.Select(_r.Str));
        var loc = Loc(url, path);
        d.FunctionUrl = new FunctionUrlConfig { AuthType = auth, AllowOrigins = origins, Source = loc };
        d.Callers.Add(new CallerAccess { Channel = "FunctionUrl", Route = "${FunctionUrl}", AuthType = auth == "NONE" ? CallerAuthType.None : auth == "AWS_IAM" ? CallerAuthType.AwsIam : CallerAuthType.Unknown, Source = loc });
        if (sam && auth == "NONE" && url["AuthType"] is TScalar)
            d.ResourceStatements.Add(Permission("*", null, null, d.LogicalId + "UrlPublicPermissions",
                new PolicyCondition { Operator = "StringEquals", Key = "lambda:FunctionUrlAuthType", Values = new[] { "NONE" } }, "lambda:InvokeFunctionUrl"));
    }
}

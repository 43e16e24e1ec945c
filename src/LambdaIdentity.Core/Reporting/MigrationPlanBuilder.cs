using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Reporting;

/// <summary>
/// Builds the migration runbook from the mapping (and the parity results and inventory when given): every mapping record
/// lands in exactly one cutover step or in the nothing-to-do list, each step is verified by an exact parity command on the
/// records of that step and the steps before it, rollback triggers are conditions on parity results, and the sign-off is
/// the parity gate at one level.
/// </summary>
public static class MigrationPlanBuilder
{
    /// <summary>The folder (next to the mapping file) that holds each step's verification mapping.</summary>
    public const string StepFolder = "runbook";

    private static readonly (CutoverStepKind Kind, string Slug, string Title, string Purpose)[] StepInfo =
    {
        (CutoverStepKind.CreateIdentities, "create-identities", "Create identities",
            "Every later step assigns to these principals: managed identities of the function apps, the Entra groups of people and the workload identities of deployers."),
        (CutoverStepKind.AssignRoles, "assign-roles", "Assign roles and identity-based settings",
            "The least-privileged data-plane and control-plane assignments of the designed identities, and the app settings that make the host and the SDKs use them (no keys)."),
        (CutoverStepKind.Pim, "pim", "Make privileged access PIM-eligible",
            "Emergency and privileged access becomes eligible (activated on demand with approval), never standing."),
        (CutoverStepKind.FederatedCredentials, "federated-credentials", "Federated credentials for deployers",
            "Pipelines that deployed with an OIDC-federated AWS role get the same subjects on an Entra workload identity: no secret to rotate."),
        (CutoverStepKind.EasyAuth, "easy-auth", "App Service authentication (Easy Auth) and callers' app roles",
            "Before any traffic reaches the function apps, they must demand the designed tokens and admit exactly the designed callers."),
        (CutoverStepKind.AwsTrust, "aws-trust", "AWS-side trust for dependencies that stay on AWS",
            "The function apps reach AWS with AssumeRoleWithWebIdentity: the IAM OIDC provider and role must admit exactly their managed identities before the code runs on Azure."),
        (CutoverStepKind.SwitchTriggers, "switch-triggers", "Switch triggers",
            "Event sources move from AWS event source mappings to identity-based Azure triggers; disable the AWS side in the same window so no message is handled twice."),
        (CutoverStepKind.SwitchTraffic, "switch-traffic", "Switch traffic",
            "Callers move to the function apps; the whole design is verified first, and the sign-off gate runs after."),
    };

    /// <summary>The step's verification mapping file name (inside <see cref="StepFolder"/>).</summary>
    public static string StepFileName(CutoverStepKind kind) => "step-" + (int)kind + "-" + StepInfo[(int)kind - 1].Slug + ".mapping.json";

    /// <summary>Every step verification file the plan may write, relative to the mapping's folder.</summary>
    public static IReadOnlyList<string> StepFiles { get; } = StepInfo.Where(s => s.Kind != CutoverStepKind.SwitchTraffic)
        .Select(s => StepFolder + "/" + StepFileName(s.Kind)).ToArray();

    /// <summary>Builds the plan.</summary>
    public static MigrationPlan Build(ReportInput input, MigrationPlanOptions options)
    {
        var mappings = input.Mappings;
        var byStep = new Dictionary<CutoverStepKind, List<AzRoleMapping>>();
        foreach (var s in StepInfo) byStep[s.Kind] = new List<AzRoleMapping>();
        var nothing = new List<AzRoleMapping>();
        foreach (var m in mappings)
        {
            if (StepOf(m) is { } k) byStep[k].Add(m);
            else nothing.Add(m);
        }

        var mappingDir = Dir(options.MappingPath);
        var aws = AwsEvidence(options, mappings);
        var steps = new List<CutoverStep>();
        var cumulative = new List<AzRoleMapping>();
        foreach (var s in StepInfo)
        {
            var records = byStep[s.Kind];
            cumulative.AddRange(records);
            var actions = new List<PlanAction>();
            if (s.Kind == CutoverStepKind.CreateIdentities) actions.AddRange(PrincipalsToCreate(mappings));
            actions.AddRange(records.Select(Describe));
            if (s.Kind == CutoverStepKind.SwitchTriggers) actions.AddRange(AwsEventSourcesToDisable(input));
            if (s.Kind == CutoverStepKind.SwitchTraffic) actions.AddRange(TrafficMoves(input));
            string? file = null, cli = null, ps = null;
            if (s.Kind == CutoverStepKind.SwitchTraffic) { file = options.MappingPath; }
            else if (records.Count > 0) file = Join(mappingDir, StepFolder + "/" + StepFileName(s.Kind));
            if (file is not null)
            {
                // Steps 1-7 fail on lost access only (access of later steps that already exists is not their failure);
                // step 8 and the sign-off judge added access too.
                var level = s.Kind == CutoverStepKind.SwitchTraffic ? options.SignOffLevel : ParityFailLevel.Lost;
                // A step's records need the AWS evidence only once the AWS-side trust is among them.
                var stepAws = cumulative.Any(m => m.Kind == MappingKind.AwsFederatedRole) ? aws : null;
                cli = CliGate(file, options.AzureStatePaths, level, stepAws);
                ps = PsGate(file, options.AzureStatePaths, level, quiet: true, stepAws);
            }
            var other = new List<string>();
            if (s.Kind == CutoverStepKind.AwsTrust)
                foreach (var m in records)
                    if (m.Settings.TryGetValue("awsRoleArn", out var arn) && RoleName(arn) is { } role)
                        other.Add("aws iam get-role --role-name " + Sh(role) + " --query Role.AssumeRolePolicyDocument");
            steps.Add(new CutoverStep
            {
                Number = (int)s.Kind, Kind = s.Kind, Title = s.Title, Purpose = s.Purpose, Actions = actions, Mappings = records.ToList(),
                VerificationMappingFile = file is null ? null : s.Kind == CutoverStepKind.SwitchTraffic ? options.MappingPath : file,
                VerifyCli = cli, VerifyPowerShell = ps, OtherChecks = other.Distinct(StringComparer.Ordinal).ToList(),
            });
        }

        var results = input.ParityResults;
        var evaluated = results.Count > 0;
        var triggers = Triggers(options, aws).Select(t => new RollbackTrigger
        {
            TriggerId = t.TriggerId, Condition = t.Condition, Response = t.Response, DetectCommand = t.DetectCommand, Matches = t.Matches,
            Evaluated = evaluated, FiredBy = results.Where(t.Matches).ToList(),
        }).ToList();

        var manual = mappings.Where(m => m.Strategy == MappingStrategy.Deviation || m.ScopeIsPlaceholder).ToList();
        var signOff = new SignOffGate
        {
            Level = options.SignOffLevel,
            Cli = CliGate(options.MappingPath, options.AzureStatePaths, options.SignOffLevel, aws) + " --junit " + Sh(Join(mappingDir, "signoff-junit.xml")),
            PowerShell = PsGate(options.MappingPath, options.AzureStatePaths, options.SignOffLevel, quiet: true, aws),
            Criteria = new[]
            {
                "The gate command exits 0 (PowerShell: $true): at --fail-on " + options.SignOffLevel + " no designed access is Missing, no access is Broader or Excess, nothing has drifted, and no evidence went unread.",
                "Every evidence file the gate reads was exported after the last change (the gate judges only what it reads; an export that cannot be read exits 2).",
                "Every rollback trigger below lists no result.",
                "Each item under 'Signed off by hand' has a named reviewer who accepted its impact and mitigation (the gate reports them as Unverifiable by design; it cannot judge them).",
                "Every client configuration change below is made and each caller has called the function app once with its new token.",
            },
            ManualReview = manual,
            Current = evaluated ? ParityVerdict.Explain(results.ToList(), input.Errors.Count, options.SignOffLevel) : null,
        };

        return new MigrationPlan
        {
            Title = options.Title, Steps = steps, NothingToDo = nothing, RollbackTriggers = triggers, RollbackSteps = Rollback(input),
            SignOff = signOff, ClientChanges = ClientChanges(input), ParityChecked = evaluated, MappingPath = options.MappingPath,
            AzureStatePaths = options.AzureStatePaths,
        };
    }

    /// <summary>The step a mapping record belongs to, or null when there is nothing to do (NotNeeded).</summary>
    public static CutoverStepKind? StepOf(AzRoleMapping m)
    {
        if (m.Strategy == MappingStrategy.NotNeeded) return null;
        switch (m.Kind)
        {
            case MappingKind.ManagedIdentity: return CutoverStepKind.CreateIdentities;
            case MappingKind.AwsFederatedRole: return CutoverStepKind.AwsTrust;
            case MappingKind.TriggerConnection: return CutoverStepKind.SwitchTriggers;
            case MappingKind.RoleAssignment: return m.PimEligible ? CutoverStepKind.Pim : CutoverStepKind.AssignRoles;
            case MappingKind.Authentication: return m.PimEligible ? CutoverStepKind.Pim : CutoverStepKind.EasyAuth;
            default:
                return m.Settings.Keys.Any(k => k.StartsWith("federatedCredential.", StringComparison.Ordinal))
                    ? CutoverStepKind.FederatedCredentials : CutoverStepKind.AssignRoles;
        }
    }

    private static readonly HashSet<string> InternalSettings = new(StringComparer.Ordinal)
    {
        "grantedBy", "scopeResourceType", "proposedScopeLevel", "fromWildcard", "trustPolicy", "permissionsPolicy",
    };

    private static PlanAction Describe(AzRoleMapping m)
    {
        string action;
        string? command = null;
        var principal = m.PrincipalName ?? m.ObjectId ?? "the function app's identity";
        switch (m.Kind)
        {
            case MappingKind.RoleAssignment when m.RoleDefinitionName is not null:
                var cosmos = string.Equals(m.RoleAssignmentType, "CosmosDbSql", StringComparison.Ordinal);
                action = (m.PimEligible ? "Make " + principal + " eligible for " : "Assign " + m.RoleDefinitionName + " to " + principal)
                    + (m.PimEligible ? m.RoleDefinitionName : "") + " at " + (m.Scope ?? "(scope to decide)")
                    + (cosmos ? " (a Cosmos DB SQL role assignment, not Microsoft.Authorization)" : "")
                    + (m.ScopeIsPlaceholder ? "; the scope is a placeholder: fill it in the resource map and re-run assess" : "");
                if (!m.PimEligible && !cosmos && m.ObjectId is { Length: > 0 } oid && m.Scope is { } scope && !m.ScopeIsPlaceholder)
                    command = "az role assignment create --assignee-object-id " + Sh(oid) + " --assignee-principal-type " + Sh(m.PrincipalType ?? "ServicePrincipal")
                        + " --role " + Sh(m.RoleDefinitionId ?? m.RoleDefinitionName) + " --scope " + Sh(scope);
                break;
            case MappingKind.Authentication when m.Settings.TryGetValue("appRole", out var appRole) && m.Surface != IdentitySurface.EndUser:
                var callee = m.Settings.TryGetValue("calleeFunctionAppName", out var c) ? c : m.FunctionAppName;
                action = (m.PimEligible ? "Make " + principal + " eligible (PIM for Groups) for" : "Assign " + principal) + " the app role " + appRole + " of " + callee + "'s app registration";
                break;
            default:
                action = m.AzureFeature.Length > 0 ? m.AzureFeature : m.Kind + " for " + m.FunctionAppName;
                var settings = m.Settings.Where(kv => !InternalSettings.Contains(kv.Key)).Select(kv => kv.Key + "=" + kv.Value).ToList();
                if (settings.Count > 0) action += ": " + string.Join("; ", settings);
                break;
        }
        return new PlanAction
        {
            FunctionName = m.FunctionName, FunctionAppName = m.FunctionAppName, MappingId = m.MappingId, Action = action, Command = command,
            IsDeviation = m.Strategy == MappingStrategy.Deviation,
            Mitigation = m.Strategy == MappingStrategy.Deviation ? Join2(m.Impact, m.Mitigation) : null,
        };
    }

    private static string? Join2(string? impact, string? mitigation)
        => impact is null && mitigation is null ? null : (impact is null ? "" : "Impact: " + impact + " ") + (mitigation is null ? "" : "Mitigation: " + mitigation);

    private static readonly Regex ArnPattern = new(@"arn:aws[\w-]*:[a-z0-9-]+:[^\s]*:\d{12}:[^\s,;)]+", RegexOptions.CultureInvariant);

    // Groups of people and workload identities of deployers are principals to create (or pick) before anything is assigned.
    private static IEnumerable<PlanAction> PrincipalsToCreate(IReadOnlyList<AzRoleMapping> mappings)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in mappings)
        {
            if (m.Surface is not (IdentitySurface.People or IdentitySurface.Automation) || string.IsNullOrEmpty(m.PrincipalName)) continue;
            if (m.Strategy == MappingStrategy.NotNeeded || !seen.Add(m.PrincipalName!)) continue;
            var arn = ArnPattern.Match(m.PrincipalName!) is { Success: true } a ? a.Value : null;
            var what = m.Surface == IdentitySurface.People ? "Create (or pick) the Entra group: " : "Create the Entra workload identity (app registration and service principal): ";
            var record = string.IsNullOrEmpty(m.ObjectId)
                ? arn is null ? "; record its object id in the resource map and re-run assess" : "; record its object id in the resource map as principal:" + arn + " and re-run assess"
                : " (object id " + m.ObjectId + " is in the resource map)";
            yield return new PlanAction { FunctionName = "", FunctionAppName = "", Action = what + m.PrincipalName + record };
        }
    }

    private static IEnumerable<PlanAction> AwsEventSourcesToDisable(ReportInput input)
    {
        foreach (var f in input.Inventory)
            foreach (var e in f.EventSources.Where(e => e.IsPoll))
                yield return new PlanAction
                {
                    FunctionName = f.FunctionName, FunctionAppName = AppOf(input, f.FunctionName),
                    Action = "Disable the AWS event source mapping " + e.Type + " " + e.Name + (e.SourceArn is null ? "" : " (" + e.SourceArn + ")") + " of " + f.FunctionName + " in the same window as the Azure trigger starts",
                    Command = "aws lambda list-event-source-mappings --function-name " + Sh(f.FunctionName) + " --query 'EventSourceMappings[].UUID' --output text  # then: aws lambda update-event-source-mapping --uuid UUID --no-enabled",
                };
    }

    private static IEnumerable<PlanAction> TrafficMoves(ReportInput input)
    {
        foreach (var f in input.Inventory)
        {
            var app = AppOf(input, f.FunctionName);
            foreach (var c in f.Callers)
                yield return new PlanAction
                {
                    FunctionName = f.FunctionName, FunctionAppName = app,
                    Action = "Point " + CallerName(c) + " of " + f.FunctionName + " at " + app + " (see the client configuration changes)",
                    Command = "az functionapp show --name " + Sh(app) + " --resource-group \"$RESOURCE_GROUP\" --query defaultHostName --output tsv",
                };
        }
    }

    private static string AppOf(ReportInput input, string function)
        => input.Mappings.FirstOrDefault(m => m.FunctionName == function)?.FunctionAppName ?? AzureNamingFallback(function);

    private static string AzureNamingFallback(string function) => "func-" + function;

    private static string CallerName(CallerAccess c) => c.Channel switch
    {
        "FunctionUrl" => "the function URL's callers",
        "ResourcePolicy" => "the caller allowed by the resource policy (" + (c.Route ?? "") + ")",
        _ => c.Channel + (string.IsNullOrEmpty(c.Route) ? "" : " " + c.Route),
    };

    private static IEnumerable<(string TriggerId, string Condition, RollbackResponse Response, string DetectCommand, Func<IdentityParityResult, bool> Matches)> Triggers(MigrationPlanOptions o, IReadOnlyList<string>? aws)
    {
        string Detect(string where) => PsGate(o.MappingPath, o.AzureStatePaths, o.SignOffLevel, quiet: false, aws) + " | Where-Object { " + where + " }";
        yield return ("WorkloadAccessMissing", "Any Missing on a workload or platform identity (the code or the host lost access it had on AWS)", RollbackResponse.RollBack,
            Detect("$_.Status -eq 'Missing' -and $_.Surface -in 'Workload','Platform'"),
            r => r.Status == ParityStatus.Missing && r.Surface is IdentitySurface.Workload or IdentitySurface.Platform);
        yield return ("EndUserAuthenticationWeakened", "Any Missing or Drift on end-user authentication (a function app may answer callers the design refuses)", RollbackResponse.RollBack,
            Detect("$_.Status -in 'Missing','Drift' -and $_.Surface -eq 'EndUser'"),
            r => r.Status is ParityStatus.Missing or ParityStatus.Drift && r.Surface == IdentitySurface.EndUser);
        yield return ("AccessAdded", "Any Excess or Broader (access no AWS grant justifies)", RollbackResponse.StopAndFix,
            Detect("$_.Status -in 'Excess','Broader'"),
            r => r.Status is ParityStatus.Excess or ParityStatus.Broader);
        yield return ("CallerOrDeployerAccessMissing", "Any Missing on people, automation or audit (a caller, deployer or the audit trail lost what it had)", RollbackResponse.StopAndFix,
            Detect("$_.Status -eq 'Missing' -and $_.Surface -in 'People','Automation','Audit'"),
            r => r.Status == ParityStatus.Missing && r.Surface is IdentitySurface.People or IdentitySurface.Automation or IdentitySurface.Audit);
        yield return ("ConfigurationDrift", "Any Drift outside end-user authentication (identity type, host or deployment storage, trigger connection)", RollbackResponse.StopAndFix,
            Detect("$_.Status -eq 'Drift' -and $_.Surface -ne 'EndUser'"),
            r => r.Status == ParityStatus.Drift && r.Surface != IdentitySurface.EndUser);
        yield return ("EvidenceUnread", "Any Unverifiable result on evidence that could not be read (the gate cannot pass on it)", RollbackResponse.StopAndFix,
            Detect("$_.EvidenceUnread"),
            r => r.EvidenceUnread);
    }

    private static IReadOnlyList<PlanAction> Rollback(ReportInput input)
    {
        var list = new List<PlanAction>();
        foreach (var f in input.Inventory)
        {
            var app = AppOf(input, f.FunctionName);
            foreach (var c in f.Callers)
                list.Add(new PlanAction { FunctionName = f.FunctionName, FunctionAppName = app, Action = "Point " + CallerName(c) + " back at the Lambda function " + f.FunctionName });
        }
        foreach (var f in input.Inventory)
        {
            var app = AppOf(input, f.FunctionName);
            foreach (var e in f.EventSources.Where(e => e.IsPoll))
            {
                list.Add(new PlanAction
                {
                    FunctionName = f.FunctionName, FunctionAppName = app, Action = "Stop the Azure trigger of " + app + " for " + e.Type + " " + e.Name,
                    Command = "az functionapp config appsettings set --name " + Sh(app) + " --resource-group \"$RESOURCE_GROUP\" --settings " + Sh("AzureWebJobs." + e.Name + ".Disabled=true"),
                });
                list.Add(new PlanAction
                {
                    FunctionName = f.FunctionName, FunctionAppName = app, Action = "Re-enable the AWS event source mapping " + e.Type + " " + e.Name + " of " + f.FunctionName,
                    Command = "aws lambda update-event-source-mapping --uuid UUID --enabled  # UUID from: aws lambda list-event-source-mappings --function-name " + Sh(f.FunctionName),
                });
            }
        }
        list.Add(new PlanAction { Action = "Leave the Azure identities, role assignments and the AWS-side trust in place: they change nothing on the Lambda path, and the next attempt starts from them. Record which trigger fired and the parity results (parity.json) with the rollback." });
        return list;
    }

    private static IReadOnlyList<ClientChange> ClientChanges(ReportInput input)
    {
        var list = new List<ClientChange>();
        var functions = input.Inventory.Select(f => f.FunctionName).Concat(input.Mappings.Select(m => m.FunctionName)).Distinct(StringComparer.Ordinal);
        foreach (var name in functions)
        {
            var f = input.Inventory.FirstOrDefault(x => x.FunctionName == name);
            var ms = input.Mappings.Where(m => m.FunctionName == name).ToList();
            var app = ms.FirstOrDefault()?.FunctionAppName ?? AzureNamingFallback(name);
            var endUser = ms.FirstOrDefault(m => m.Kind == MappingKind.Authentication && m.Surface == IdentitySurface.EndUser);
            string S(AzRoleMapping? m, string k) => m is not null && m.Settings.TryGetValue(k, out var v) ? v : "";
            var endpoint = "https://<default host name of " + app + ">/api/... (az functionapp show --name " + app + " --query defaultHostName)";
            foreach (var c in f?.Callers ?? Array.Empty<CallerAccess>())
            {
                var client = CallerName(c);
                list.Add(new ClientChange { FunctionName = name, FunctionAppName = app, Client = client, What = "Endpoint", From = c.Channel + (c.Route is null ? "" : " " + c.Route), To = endpoint });
                var issuer = S(endUser, "issuer");
                var audiences = S(endUser, "allowedAudiences");
                switch (c.AuthType)
                {
                    case CallerAuthType.AwsIam:
                        list.Add(new ClientChange { FunctionName = name, FunctionAppName = app, Client = client, What = "Credential", From = "SigV4-signed request with AWS IAM credentials",
                            To = "Entra ID bearer token (OAuth 2.0 client credentials or managed identity) holding the app role " + (S(endUser, "appRole") is { Length: > 0 } r ? r : "Function.Invoke") });
                        if (c.Channel == "ResourcePolicy")
                            list.Add(new ClientChange { FunctionName = name, FunctionAppName = app, Client = client, What = "Identity", From = "AWS account " + (c.Route ?? ""), To = "an Entra principal of the caller (cross-tenant: a multi-tenant app registration or guest service principal) assigned the app role" });
                        break;
                    case CallerAuthType.None:
                        list.Add(new ClientChange { FunctionName = name, FunctionAppName = app, Client = client, What = "Credential", From = "none (AuthType NONE)", To = "none: the design keeps the endpoint public" + (S(endUser, "cors.allowedOrigins") is { Length: > 0 } o ? "; CORS allows " + o : "") });
                        break;
                    default:
                        list.Add(new ClientChange { FunctionName = name, FunctionAppName = app, Client = client, What = "Credential", From = c.AuthType + (c.AuthorizerName is null ? "" : " authorizer " + c.AuthorizerName), To = (endUser?.Strategy == MappingStrategy.Deviation ? "deviation: " : "") + "a token Easy Auth validates (" + S(endUser, "identityProvider") + ")" });
                        break;
                }
                if (issuer.Length > 0 || c.Issuer is not null)
                    list.Add(new ClientChange { FunctionName = name, FunctionAppName = app, Client = client, What = "Issuer", From = c.Issuer ?? (c.AuthType == CallerAuthType.AwsIam ? "AWS SigV4 (no token issuer)" : "none"), To = issuer.Length > 0 ? issuer : "none" });
                if (audiences.Length > 0 || c.Audiences.Count > 0)
                    list.Add(new ClientChange { FunctionName = name, FunctionAppName = app, Client = client, What = "Audience", From = c.Audiences.Count > 0 ? string.Join(", ", c.Audiences) : "none", To = audiences.Length > 0 ? audiences : "none" });
                if (c.ApiKeyRequired)
                    list.Add(new ClientChange { FunctionName = name, FunctionAppName = app, Client = client, What = "Key", From = "API Gateway API key (x-api-key)", To = "an API Management subscription key or a function key (x-functions-key), read from Key Vault; the value is never written here" });
            }
            foreach (var m in ms)
            {
                if (m.Kind == MappingKind.Authentication && m.Settings.TryGetValue("calleeFunctionAppName", out var callee))
                    list.Add(new ClientChange { FunctionName = name, FunctionAppName = app, Client = "the code of " + name, What = "Code",
                        From = "lambda:InvokeFunction of " + (m.Settings.TryGetValue("callee", out var ca) ? ca : callee) + " with the execution role",
                        To = "HTTPS call to " + callee + " with a token of " + app + "'s managed identity for " + callee + "'s audience (app role " + S(m, "appRole") + ")" });
                if (m.Kind == MappingKind.AwsFederatedRole && m.Settings.TryGetValue("awsRoleArn", out var roleArn))
                    list.Add(new ClientChange { FunctionName = name, FunctionAppName = app, Client = "the code of " + name, What = "Credential",
                        From = "the execution role's credentials for " + m.AwsFeature,
                        To = "sts:AssumeRoleWithWebIdentity into " + roleArn + " with a managed-identity token for audience " + S(m, "tokenAudience") });
            }
            foreach (var x in f?.Findings ?? Array.Empty<Finding>())
                if (x.FindingId == "SecretInEnvironment")
                    list.Add(new ClientChange { FunctionName = name, FunctionAppName = app, Client = "the app settings of " + app, What = "Key", From = x.Message, To = x.Recommendation ?? "a Key Vault reference (@Microsoft.KeyVault(...)) read by the managed identity" });
        }
        return list;
    }

    private static string? RoleName(string arn)
    {
        var i = arn.IndexOf(":role/", StringComparison.Ordinal);
        if (i < 0) return null;
        var name = arn.Substring(i + 6);
        var slash = name.LastIndexOf('/');
        return slash >= 0 ? name.Substring(slash + 1) : name;
    }

    /// <summary>
    /// The AWS evidence the gates read: the given AWS state, or, when the design keeps dependencies on AWS and none was
    /// given, a placeholder the reader fills (without it those items are Unverifiable and every gate fails closed); null
    /// when the design has nothing on the AWS side.
    /// </summary>
    private static IReadOnlyList<string>? AwsEvidence(MigrationPlanOptions options, IEnumerable<AzRoleMapping> mappings)
        => options.AwsStatePaths.Count > 0 ? options.AwsStatePaths
            : mappings.Any(m => m.Kind == MappingKind.AwsFederatedRole) ? new[] { AwsStatePlaceholder } : null;

    private const string AwsStatePlaceholder = "\u0000AWS_STATE";

    /// <summary>The CLI parity gate on a mapping file.</summary>
    public static string CliGate(string mapping, IReadOnlyList<string> state, ParityFailLevel level, IReadOnlyList<string>? aws = null)
        => "lambda-identity test-parity --mapping " + Sh(mapping)
           + (state.Count > 0 ? " --azure-state " + string.Join(" ", state.Select(Sh)) : " --subscription-id \"$SUBSCRIPTION_ID\"")
           + (aws is { Count: > 0 } ? " --aws-state " + string.Join(" ", aws.Select(a => a == AwsStatePlaceholder ? "\"$AWS_STATE\"" : Sh(a))) : "")
           + " --fail-on " + level;

    /// <summary>The PowerShell parity gate on a mapping file.</summary>
    public static string PsGate(string mapping, IReadOnlyList<string> state, ParityFailLevel level, bool quiet, IReadOnlyList<string>? aws = null)
        => "(Get-Content -Raw -LiteralPath " + Ps(mapping) + " | ConvertFrom-Json) | Test-IdentityParity "
           + (state.Count > 0 ? "-AzureState " + string.Join(", ", state.Select(Ps)) : "-SubscriptionId $SubscriptionId")
           + (aws is { Count: > 0 } ? " -AwsState " + string.Join(", ", aws.Select(a => a == AwsStatePlaceholder ? "$AwsState" : Ps(a))) : "")
           + (quiet ? " -FailOn " + level + " -Quiet" : "");

    private static readonly Regex ShSafe = new(@"^[A-Za-z0-9_./:=@%+,-]+$", RegexOptions.CultureInvariant);
    private static readonly Regex PsSafe = new(@"^[A-Za-z0-9_./:\\-]+$", RegexOptions.CultureInvariant);

    /// <summary>Quotes a word for bash.</summary>
    public static string Sh(string s) => ShSafe.IsMatch(s) ? s : "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>Quotes a word for PowerShell.</summary>
    public static string Ps(string s) => PsSafe.IsMatch(s) ? s : "'" + s.Replace("'", "''").Replace("\u2018", "\u2018\u2018").Replace("\u2019", "\u2019\u2019") + "'";

    private static string Dir(string path)
    {
        var i = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
        return i < 0 ? "" : path.Substring(0, i);
    }

    private static string Join(string dir, string rel) => dir.Length == 0 ? rel : dir + "/" + rel;
}

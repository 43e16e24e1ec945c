using System;
using System.Collections.Generic;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Reporting;

/// <summary>The ordered identity cutover steps of the runbook.</summary>
public enum CutoverStepKind
{
    /// <summary>Managed identities, Entra groups and workload identities.</summary>
    CreateIdentities = 1,
    /// <summary>Active role assignments and identity-based settings.</summary>
    AssignRoles = 2,
    /// <summary>PIM-eligible assignments (emergency and privileged access).</summary>
    Pim = 3,
    /// <summary>Federated credentials of deployers (workload identity federation).</summary>
    FederatedCredentials = 4,
    /// <summary>App Service authentication, allowed audiences and app-role assignments of callers.</summary>
    EasyAuth = 5,
    /// <summary>The AWS side of the OIDC trust for dependencies that stay on AWS.</summary>
    AwsTrust = 6,
    /// <summary>Event sources move from AWS event source mappings to Azure triggers.</summary>
    SwitchTriggers = 7,
    /// <summary>Callers move from the Lambda endpoints to the function apps.</summary>
    SwitchTraffic = 8,
}

/// <summary>One thing to do in a step, for one function.</summary>
public sealed class PlanAction
{
    /// <summary>The AWS function.</summary>
    public string FunctionName { get; init; } = "";
    /// <summary>The Azure function app.</summary>
    public string FunctionAppName { get; init; } = "";
    /// <summary>The mapping item this action carries out, when it comes from one.</summary>
    public string? MappingId { get; init; }
    /// <summary>What to do, in words.</summary>
    public string Action { get; init; } = "";
    /// <summary>A command that does it, when one is exact (never holds a secret value).</summary>
    public string? Command { get; init; }
    /// <summary>True when the item is a deviation: no one-to-one design; read Mitigation.</summary>
    public bool IsDeviation { get; init; }
    /// <summary>For deviations: what to do about it.</summary>
    public string? Mitigation { get; init; }
}

/// <summary>One cutover step with its verification.</summary>
public sealed class CutoverStep
{
    /// <summary>1-based position in the runbook.</summary>
    public int Number { get; init; }
    /// <summary>The step.</summary>
    public CutoverStepKind Kind { get; init; }
    /// <summary>The step's title.</summary>
    public string Title { get; init; } = "";
    /// <summary>Why the step comes here.</summary>
    public string Purpose { get; init; } = "";
    /// <summary>What to do.</summary>
    public IReadOnlyList<PlanAction> Actions { get; init; } = Array.Empty<PlanAction>();
    /// <summary>The mapping records this step carries out (each record is in exactly one step or in <see cref="MigrationPlan.NothingToDo"/>).</summary>
    public IReadOnlyList<AzRoleMapping> Mappings { get; init; } = Array.Empty<AzRoleMapping>();
    /// <summary>
    /// The mapping file the verification reads: the records of this step and every step before it (relative to the runbook's
    /// folder), or null when the step has nothing to verify by parity.
    /// </summary>
    public string? VerificationMappingFile { get; init; }
    /// <summary>The CLI command that verifies the step (exit 0 passes).</summary>
    public string? VerifyCli { get; init; }
    /// <summary>The PowerShell command that verifies the step ($true passes).</summary>
    public string? VerifyPowerShell { get; init; }
    /// <summary>Other checks that are exact (an AWS CLI read of the trust), when any.</summary>
    public IReadOnlyList<string> OtherChecks { get; init; } = Array.Empty<string>();
}

/// <summary>What a rollback trigger asks for.</summary>
public enum RollbackResponse
{
    /// <summary>Roll back traffic and triggers to AWS now.</summary>
    RollBack,
    /// <summary>Stop the cutover and fix the Azure side before going on; no rollback needed while AWS still serves.</summary>
    StopAndFix,
}

/// <summary>A condition on parity results that stops or rolls back the cutover.</summary>
public sealed class RollbackTrigger
{
    /// <summary>Stable id.</summary>
    public string TriggerId { get; init; } = "";
    /// <summary>The condition, in words.</summary>
    public string Condition { get; init; } = "";
    /// <summary>What to do when it fires.</summary>
    public RollbackResponse Response { get; init; }
    /// <summary>The PowerShell command that lists the results that fire it (no output: not fired).</summary>
    public string DetectCommand { get; init; } = "";
    /// <summary>True when parity results were given, so <see cref="FiredBy"/> is meaningful.</summary>
    public bool Evaluated { get; init; }
    /// <summary>The given parity results that fire it now.</summary>
    public IReadOnlyList<IdentityParityResult> FiredBy { get; init; } = Array.Empty<IdentityParityResult>();
    internal Func<IdentityParityResult, bool> Matches { get; init; } = _ => false;
}

/// <summary>The sign-off gate: acceptance criteria as an executable command.</summary>
public sealed class SignOffGate
{
    /// <summary>The --fail-on / -FailOn level.</summary>
    public ParityFailLevel Level { get; init; }
    /// <summary>The CLI command (exit 0 signs off).</summary>
    public string Cli { get; init; } = "";
    /// <summary>The PowerShell command ($true signs off).</summary>
    public string PowerShell { get; init; } = "";
    /// <summary>The acceptance criteria in words.</summary>
    public IReadOnlyList<string> Criteria { get; init; } = Array.Empty<string>();
    /// <summary>Items a person signs off by hand (deviations, placeholders): the gate reports them but cannot judge them.</summary>
    public IReadOnlyList<AzRoleMapping> ManualReview { get; init; } = Array.Empty<AzRoleMapping>();
    /// <summary>What the gate gives on the parity results given (exit code and why), or null when none were given.</summary>
    public (int ExitCode, string Reason)? Current { get; init; }
}

/// <summary>A change a caller of a function (or the function's own code) must make.</summary>
public sealed class ClientChange
{
    /// <summary>The AWS function.</summary>
    public string FunctionName { get; init; } = "";
    /// <summary>The Azure function app.</summary>
    public string FunctionAppName { get; init; } = "";
    /// <summary>Who changes: a caller channel, or the function's code.</summary>
    public string Client { get; init; } = "";
    /// <summary>Endpoint, Issuer, Audience, Credential, Key or Code.</summary>
    public string What { get; init; } = "";
    /// <summary>The AWS side today.</summary>
    public string From { get; init; } = "";
    /// <summary>The Azure side after the cutover (never a secret value).</summary>
    public string To { get; init; } = "";
}

/// <summary>The migration runbook: cutover steps, rollback, sign-off and client changes.</summary>
public sealed class MigrationPlan
{
    /// <summary>The runbook's title.</summary>
    public string Title { get; init; } = "";
    /// <summary>The cutover steps in order.</summary>
    public IReadOnlyList<CutoverStep> Steps { get; init; } = Array.Empty<CutoverStep>();
    /// <summary>Mapping records with nothing to do (NotNeeded), listed so every record is accounted for.</summary>
    public IReadOnlyList<AzRoleMapping> NothingToDo { get; init; } = Array.Empty<AzRoleMapping>();
    /// <summary>Conditions on parity results that stop or roll back the cutover.</summary>
    public IReadOnlyList<RollbackTrigger> RollbackTriggers { get; init; } = Array.Empty<RollbackTrigger>();
    /// <summary>The rollback steps, in order.</summary>
    public IReadOnlyList<PlanAction> RollbackSteps { get; init; } = Array.Empty<PlanAction>();
    /// <summary>The sign-off gate.</summary>
    public SignOffGate SignOff { get; init; } = new();
    /// <summary>Client configuration changes per function.</summary>
    public IReadOnlyList<ClientChange> ClientChanges { get; init; } = Array.Empty<ClientChange>();
    /// <summary>True when parity results were given.</summary>
    public bool ParityChecked { get; init; }
    /// <summary>The mapping file the commands read, as the reader types it.</summary>
    public string MappingPath { get; init; } = "";
    /// <summary>The Azure evidence the commands read, as typed (empty: the commands read ARM live).</summary>
    public IReadOnlyList<string> AzureStatePaths { get; init; } = Array.Empty<string>();
}

/// <summary>Where the runbook's commands read from.</summary>
public sealed class MigrationPlanOptions
{
    /// <summary>The mapping file the commands read (as the reader types it, relative to where they run), e.g. out/demo/mapping.json.</summary>
    public string MappingPath { get; init; } = "mapping.json";
    /// <summary>The Azure state the commands read (files or folders); empty: the commands read ARM live with --subscription-id.</summary>
    public IReadOnlyList<string> AzureStatePaths { get; init; } = Array.Empty<string>();
    /// <summary>
    /// The AWS side of the trust the commands read (files or folders), for designs that keep dependencies on AWS; empty:
    /// the commands name it as $AWS_STATE / $AwsState for the reader to fill.
    /// </summary>
    public IReadOnlyList<string> AwsStatePaths { get; init; } = Array.Empty<string>();
    /// <summary>The gate level of the sign-off (Access by default: lost, added or drifted access and unread evidence fail).</summary>
    public ParityFailLevel SignOffLevel { get; init; } = ParityFailLevel.Access;
    /// <summary>The runbook's title.</summary>
    public string Title { get; init; } = "LambdaIdentity migration runbook";
}

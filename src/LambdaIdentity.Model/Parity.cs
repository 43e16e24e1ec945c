namespace LambdaIdentity.Model;

/// <summary>The outcome of checking one expected or unexpected item.</summary>
public enum ParityStatus
{
    /// <summary>The target matches the design.</summary>
    Pass,
    /// <summary>Designed but absent.</summary>
    Missing,
    /// <summary>Present at a wider scope or with a more privileged role than designed.</summary>
    Broader,
    /// <summary>Access no AWS grant justifies.</summary>
    Excess,
    /// <summary>A configuration differs (authentication, authLevel, audiences, identity type).</summary>
    Drift,
    /// <summary>
    /// Could not be verified: the evidence could not be read or was absent (<see cref="IdentityParityResult.EvidenceUnread"/>),
    /// or the design itself cannot be checked yet (a placeholder scope, an unknown principal, a deviation). Never a pass.
    /// </summary>
    Unverifiable,
    /// <summary>
    /// Nothing is designed for this item, so there is nothing to verify (logs through the host, a poller's policy the
    /// trigger replaces). Reported for completeness, counted apart, never counted as Pass and never failing a run.
    /// </summary>
    NotApplicable,
}

/// <summary>One parity result.</summary>
public sealed class IdentityParityResult
{
    /// <summary>The mapping item checked, or null for unexpected access.</summary>
    public string? MappingId { get; init; }
    /// <summary>The AWS function.</summary>
    public string FunctionName { get; init; } = "";
    /// <summary>The Azure function app.</summary>
    public string FunctionAppName { get; init; } = "";
    /// <summary>The surface.</summary>
    public IdentitySurface Surface { get; init; }
    /// <summary>What was checked.</summary>
    public MappingKind Kind { get; init; }
    /// <summary>The outcome.</summary>
    public ParityStatus Status { get; init; }
    /// <summary>What the design expects, in words.</summary>
    public string Expected { get; init; } = "";
    /// <summary>What the target has, in words.</summary>
    public string Actual { get; init; } = "";
    /// <summary>Why the status was given.</summary>
    public string Reason { get; init; } = "";
    /// <summary>The role involved, when any.</summary>
    public string? RoleDefinitionName { get; init; }
    /// <summary>The scope involved, when any.</summary>
    public string? Scope { get; init; }
    /// <summary>The principal involved, when any.</summary>
    public string? ObjectId { get; init; }
    /// <summary>The principal in words (the managed identity's name, the export's principal name).</summary>
    public string? PrincipalName { get; init; }
    /// <summary>The Azure item the actual side was read from (a role assignment id, a site id), when any.</summary>
    public string? ActualId { get; init; }
    /// <summary>Where the actual side was read (file and JSON path, or URL).</summary>
    public SourceLocation? ActualSource { get; init; }
    /// <summary>
    /// True when the status is Unverifiable because the Azure evidence for this item could not be read, was absent, or
    /// two exports disagreed about it: such a result fails every -FailOn / --fail-on level but None.
    /// </summary>
    public bool EvidenceUnread { get; init; }
}

/// <summary>Which parity results fail a run (Test-IdentityParity -Quiet, the CLI exit code, pipelines).</summary>
public enum ParityFailLevel
{
    /// <summary>Every status but Pass and NotApplicable fails, every Unverifiable included (the default: parity fails closed).</summary>
    Any,
    /// <summary>Missing, Broader, Excess, Drift and Unverifiable on unread evidence fail; Unverifiable by design is reported.</summary>
    Access,
    /// <summary>Added access fails (Excess and Broader), and Unverifiable on unread evidence (added access could hide there).</summary>
    Excess,
    /// <summary>No result fails; results are only reported (input that could not be read still fails the run).</summary>
    None,
    /// <summary>
    /// Lost access fails (Missing and Drift), and Unverifiable on unread evidence; added access (Excess, Broader) is reported.
    /// The runbook's intermediate cutover checks use it: access of later steps that already exists is not a failure of this one.
    /// </summary>
    Lost,
}

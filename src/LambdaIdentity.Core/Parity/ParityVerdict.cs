using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Parity;

/// <summary>
/// The one exit-code contract of every CLI verb and every cmdlet's -Quiet (docs/cli.md, "Exit codes").
/// Precedence: a usage error stops before anything runs; then evidence that could not be read; then failing results.
/// </summary>
public static class ExitCodes
{
    /// <summary>Everything needed was read, checked, and passes at the chosen level.</summary>
    public const int Ok = 0;
    /// <summary>Results fail at the chosen level (lost, added or drifted access).</summary>
    public const int ResultsFail = 1;
    /// <summary>Nothing, or not enough, could be read: no Azure data, an unreadable input, an unknown input shape, unread evidence.</summary>
    public const int NotEnoughRead = 2;
    /// <summary>A usage error: an unknown option or value, a missing file.</summary>
    public const int Usage = 64;
    /// <summary>An internal error (a defect of the tool); the message says what failed.</summary>
    public const int Internal = 70;
}

/// <summary>Decides which results fail a run for a -FailOn / --fail-on level, and the run's exit code.</summary>
public static class ParityVerdict
{
    /// <summary>True when a result of this status fails at this level (an Unverifiable on unread evidence: see the overload on the result).</summary>
    public static bool Fails(ParityStatus status, ParityFailLevel level) => Fails(status, evidenceUnread: false, level);

    /// <summary>True when this result fails at this level: Unverifiable on unread or absent evidence fails every level but None.</summary>
    public static bool Fails(IdentityParityResult result, ParityFailLevel level) => Fails(result.Status, result.EvidenceUnread, level);

    private static bool Fails(ParityStatus status, bool evidenceUnread, ParityFailLevel level)
    {
        if (level == ParityFailLevel.None || status is ParityStatus.Pass or ParityStatus.NotApplicable) return false;
        if (status == ParityStatus.Unverifiable && evidenceUnread) return true;
        return level switch
        {
            ParityFailLevel.Excess => status is ParityStatus.Excess or ParityStatus.Broader,
            ParityFailLevel.Lost => status is ParityStatus.Missing or ParityStatus.Drift,
            ParityFailLevel.Access => status is ParityStatus.Missing or ParityStatus.Broader or ParityStatus.Excess or ParityStatus.Drift,
            _ => true,
        };
    }

    /// <summary>True when any result fails at this level.</summary>
    public static bool AnyFails(IEnumerable<IdentityParityResult> results, ParityFailLevel level) => results.Any(r => Fails(r, level));

    /// <summary>
    /// The exit code of a parity run: 2 when an input could not be read (<paramref name="inputErrors"/> &gt; 0), when nothing
    /// was verified (every result NotApplicable or Unverifiable), or when a result failing at the level is Unverifiable on unread
    /// evidence; else 1 when a result fails at the level; else 0. None fails no result, but unread input still gives 2.
    /// </summary>
    public static int ExitCode(IReadOnlyCollection<IdentityParityResult> results, int inputErrors, ParityFailLevel level)
        => Explain(results, inputErrors, level).ExitCode;

    /// <summary>The exit code with the reason in words (for the CLI's last line and -Verbose).</summary>
    public static (int ExitCode, string Reason) Explain(IReadOnlyCollection<IdentityParityResult> results, int inputErrors, ParityFailLevel level)
    {
        if (inputErrors > 0) return (ExitCodes.NotEnoughRead, inputErrors + " input error(s): not everything could be read");
        if (!results.Any(r => r.Status is not (ParityStatus.NotApplicable or ParityStatus.Unverifiable))) return (ExitCodes.NotEnoughRead, "nothing was verified against Azure evidence");
        var unread = results.Count(r => r.Status == ParityStatus.Unverifiable && r.EvidenceUnread && Fails(r, level));
        if (unread > 0) return (ExitCodes.NotEnoughRead, unread + " result(s) Unverifiable on evidence that could not be read");
        var failing = results.Count(r => Fails(r, level));
        if (failing > 0) return (ExitCodes.ResultsFail, failing + " result(s) fail at " + level);
        return (ExitCodes.Ok, "every result passes at " + level);
    }

    /// <summary>The counts per status, NotApplicable apart: "Pass 10, Missing 2 (NotApplicable 3 not counted)".</summary>
    public static string Summary(IEnumerable<IdentityParityResult> results)
    {
        var groups = results.GroupBy(r => r.Status).OrderBy(g => g.Key).ToList();
        var counted = string.Join(", ", groups.Where(g => g.Key != ParityStatus.NotApplicable).Select(g => g.Key + " " + g.Count()));
        var na = groups.FirstOrDefault(g => g.Key == ParityStatus.NotApplicable)?.Count() ?? 0;
        return counted + (na > 0 ? (counted.Length > 0 ? "; " : "") + "NotApplicable " + na + ": nothing to verify" : "");
    }
}

using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Parity;

/// <summary>Decides which results fail a run for a -FailOn / --fail-on level.</summary>
public static class ParityVerdict
{
    /// <summary>True when a result of this status fails at this level.</summary>
    public static bool Fails(ParityStatus status, ParityFailLevel level) => level switch
    {
        ParityFailLevel.None => false,
        ParityFailLevel.Excess => status is ParityStatus.Excess or ParityStatus.Broader,
        ParityFailLevel.Access => status is ParityStatus.Missing or ParityStatus.Broader or ParityStatus.Excess or ParityStatus.Drift,
        _ => status != ParityStatus.Pass,
    };

    /// <summary>True when any result fails at this level.</summary>
    public static bool AnyFails(IEnumerable<IdentityParityResult> results, ParityFailLevel level) => results.Any(r => Fails(r.Status, level));
}

using System.Collections.Generic;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Parity;

/// <summary>
/// One surface of parity (role assignments, identities, authentication, ...): judges the mappings whose
/// <see cref="ParityCheck.Kind"/> it owns against the <see cref="AzureStateIndex"/>, and records in the
/// <see cref="ParityLedger"/> what each designed item accounts for. Every kind has exactly one checker; excess
/// (what no mapping consumed) is not a checker's business but the <see cref="ExcessDetector"/>'s.
/// </summary>
internal interface ISurfaceChecker
{
    /// <summary>The kinds of check this surface owns.</summary>
    IReadOnlyCollection<ParityCheckKind> Kinds { get; }

    /// <summary>Judges one mapping of an owned kind.</summary>
    IdentityParityResult Check(AzRoleMapping m, ParityCheck check);
}

using System.Collections.Generic;
using LambdaIdentity.Model;
using static LambdaIdentity.Core.Parity.ParityResults;

namespace LambdaIdentity.Core.Parity;

/// <summary>Records that design nothing the Azure state could show: NotApplicable when nothing is designed, else Unverifiable.</summary>
internal sealed class UndesignedChecker : ISurfaceChecker
{
    public IReadOnlyCollection<ParityCheckKind> Kinds { get; } = new[] { ParityCheckKind.NothingDesigned, ParityCheckKind.NotCheckable };

    public IdentityParityResult Check(AzRoleMapping m, ParityCheck check)
        => check.Kind == ParityCheckKind.NothingDesigned
            ? Result(m, ParityStatus.NotApplicable, Describe(m), "nothing to check", "Nothing is designed for this item, so nothing is verified: " + m.Reason)
            : NotCheckable(m);

    /// <summary>A record that names no role or setting that the Azure state could show (also any kind no checker owns).</summary>
    public static IdentityParityResult NotCheckable(AzRoleMapping m)
        => Result(m, ParityStatus.Unverifiable, Describe(m), "not checkable",
            m.Strategy == MappingStrategy.Deviation ? "A deviation designs no Azure item to verify; review its impact and mitigation." : "The mapping names no role or setting that the Azure state could show.");
}

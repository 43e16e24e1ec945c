using System.Collections.Generic;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Parity;

/// <summary>AWS-side roles that stay on AWS: judged by <see cref="AwsTrustParity"/> on the AWS export, for the identity the Azure state shows.</summary>
internal sealed class AwsSideChecker : ISurfaceChecker
{
    private readonly AzureStateIndex _index;

    public AwsSideChecker(AzureStateIndex index) => _index = index;

    public IReadOnlyCollection<ParityCheckKind> Kinds { get; } = new[] { ParityCheckKind.AwsSide };

    public IdentityParityResult Check(AzRoleMapping m, ParityCheck check)
        => AwsTrustParity.Check(m, _index.Options.AwsState, Principals.AwsTrustIdentity(m, _index));
}

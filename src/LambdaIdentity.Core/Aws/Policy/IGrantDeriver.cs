using System.Collections.Generic;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Policy;

/// <summary>Derives the effective grants of a role: what translation consumes.</summary>
public interface IGrantDeriver
{
    /// <summary>Each concrete action the role is allowed after denies and its boundary, with resources and conditions.</summary>
    IReadOnlyList<EffectiveGrant> Derive(ExecutionRole role, EngineContext context);
}

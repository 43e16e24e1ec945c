using System;
using System.Collections.Generic;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Parity;

/// <summary>
/// The one record of a parity check's progress: which mappings were checked (by function app, in the order first met)
/// and which items of the Azure state a designed mapping accounted for. Surface checkers only add to it; the
/// <see cref="ExcessDetector"/> reads it once at the end, so whatever no mapping consumed is judged in one place.
/// </summary>
internal sealed class ParityLedger
{
    private readonly Dictionary<string, List<AzRoleMapping>> _byApp = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _appOrder = new();
    private readonly HashSet<AzureRoleAssignment> _assignments = new();
    private readonly HashSet<AzureRoleAssignment> _eligibilities = new();
    private readonly HashSet<EntraAppRoleAssignment> _appRoles = new();
    private readonly HashSet<AzureFederatedCredential> _credentials = new();
    private readonly Dictionary<string, AzRoleMapping> _federationOwners = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records a mapping that is about to be checked.</summary>
    public void Checked(AzRoleMapping m)
    {
        if (!_byApp.TryGetValue(m.FunctionAppName, out var list))
        {
            _byApp[m.FunctionAppName] = list = new List<AzRoleMapping>();
            _appOrder.Add(m.FunctionAppName);
        }
        list.Add(m);
    }

    /// <summary>The checked mappings of each function app, apps in the order first met.</summary>
    public IEnumerable<KeyValuePair<string, IReadOnlyList<AzRoleMapping>>> Apps()
    {
        foreach (var app in _appOrder) yield return new KeyValuePair<string, IReadOnlyList<AzRoleMapping>>(app, _byApp[app]);
    }

    /// <summary>A standing role assignment (RBAC or Cosmos DB SQL) a mapping accounts for.</summary>
    public void Consume(AzureRoleAssignment a) => _assignments.Add(a);

    public bool IsConsumed(AzureRoleAssignment a) => _assignments.Contains(a);

    /// <summary>A PIM eligibility a mapping accounts for.</summary>
    public void ConsumeEligibility(AzureRoleAssignment e) => _eligibilities.Add(e);

    public bool IsEligibilityConsumed(AzureRoleAssignment e) => _eligibilities.Contains(e);

    /// <summary>An Entra app role assignment (a caller) a mapping accounts for.</summary>
    public void Consume(EntraAppRoleAssignment a) => _appRoles.Add(a);

    public bool IsConsumed(EntraAppRoleAssignment a) => _appRoles.Contains(a);

    /// <summary>A federated credential a designed subject accounts for.</summary>
    public void Consume(AzureFederatedCredential c) => _credentials.Add(c);

    public bool IsConsumed(AzureFederatedCredential c) => _credentials.Contains(c);

    /// <summary>
    /// Claims a credential owner key (object id, app id, identity id or name) for the first federation mapping that
    /// names it: credentials of that owner that no designed subject consumes are excess of this mapping.
    /// </summary>
    public void ClaimFederationOwner(string key, AzRoleMapping m)
    {
        if (!_federationOwners.ContainsKey(key)) _federationOwners[key] = m;
    }

    /// <summary>The federation mapping that claimed the owner key, or null.</summary>
    public AzRoleMapping? FederationOwner(string key) => _federationOwners.TryGetValue(key, out var m) ? m : null;
}

using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Model;
using static LambdaIdentity.Core.Parity.ParityResults;

namespace LambdaIdentity.Core.Parity;

/// <summary>
/// Workload identity federation (pipelines): each designed subject needs a federated credential with the designed
/// issuer and audience on the identity that takes over the AWS CI role. Consumes the credentials a designed subject
/// accounts for and claims their owner, so the <see cref="ExcessDetector"/> reports the owner's other credentials.
/// </summary>
internal sealed class FederationChecker : ISurfaceChecker
{
    private readonly AzureStateIndex _index;
    private readonly ParityLedger _ledger;

    public FederationChecker(AzureStateIndex index, ParityLedger ledger) { _index = index; _ledger = ledger; }

    public IReadOnlyCollection<ParityCheckKind> Kinds { get; } = new[] { ParityCheckKind.FederatedCredential };

    // A pipeline's secretless sign-in: each designed subject needs a federated credential with the designed issuer and
    // audience on the identity that takes over the AWS CI role. Never passed on credentials that were not read.
    public IdentityParityResult Check(AzRoleMapping m, ParityCheck parityCheck)
    {
        var check = parityCheck.Federation!;
        var expected = Describe(m);
        var issuers = check.Issuers;
        var subjects = check.Subjects;
        var audience = check.Audience;
        if (issuers.Count == 0 || subjects.Count == 0 || issuers.Concat(subjects).Any(x => x.StartsWith("{", StringComparison.Ordinal)))
            return Result(m, ParityStatus.Unverifiable, expected, "not checked", "The design's issuer or subject is not known yet (" + string.Join(", ", issuers.Concat(subjects)) + "); complete it from the AWS role's trust policy.");
        var keys = FederationOwners(m);
        if (keys.Count == 0)
            return Result(m, ParityStatus.Unverifiable, expected, "principal unknown", "The workload identity has no object id; name it in the resource map (principal:<role ARN>) so its credentials can be found.");
        var why = _index.State.WhyUnreadable(AzureStateArea.FederatedCredentials, null);
        if (why is not null) return Result(m, ParityStatus.Unverifiable, expected, "not read", "Federated credentials could not be read: " + why, unread: true);
        if (!keys.Any(_index.State.FederatedCredentialOwnersRead.Contains))
            return Result(m, ParityStatus.Unverifiable, expected, "not read",
                "No federated credentials of " + m.ObjectId + " were read: export them (az ad app federated-credential list --id <app id>, saved as <object id>.federated-credentials.json; az identity federated-credential list for a user-assigned identity, which the live read covers).", unread: true);
        foreach (var k in keys) _ledger.ClaimFederationOwner(k, m);
        var held = _index.State.FederatedCredentials.Where(c => keys.Contains(c.Owner)).ToList();
        bool SameIssuer(AzureFederatedCredential c) => issuers.Any(i => string.Equals(i.TrimEnd('/'), c.Issuer.TrimEnd('/'), StringComparison.Ordinal));
        bool Accepts(AzureFederatedCredential c) => SameIssuer(c) && c.Audiences.Contains(audience, StringComparer.Ordinal);
        var found = new List<string>(); var missing = new List<string>(); var drift = new List<string>();
        foreach (var subject in subjects)
        {
            var pattern = subject.IndexOf('*') >= 0 || subject.IndexOf('?') >= 0;
            var matches = held.Where(c => pattern ? LambdaIdentity.Core.Aws.Policy.Wildcard.Match(subject, c.Subject, ignoreCase: false) : string.Equals(c.Subject, subject, StringComparison.Ordinal)).ToList();
            var good = matches.Where(Accepts).ToList();
            foreach (var c in matches) _ledger.Consume(c);
            if (good.Count > 0) found.Add(pattern ? subject + " (as " + string.Join(", ", good.Select(c => c.Subject)) + ")" : subject);
            else if (matches.Count > 0) drift.Add(subject + ": issuer " + matches[0].Issuer + ", audiences " + string.Join(" ", matches[0].Audiences));
            else missing.Add(pattern ? subject + " (a pattern: Entra needs one credential per exact subject)" : subject);
        }
        var actual = held.Count == 0 ? "no federated credential" : "credentials for " + string.Join(", ", held.Select(c => c.Subject).Distinct().OrderBy(x => x, StringComparer.Ordinal));
        if (missing.Count > 0)
            return Result(m, ParityStatus.Missing, expected, actual, "No federated credential accepts " + string.Join("; ", missing) + ": the pipeline cannot sign in without a secret." + (drift.Count > 0 ? " Also differing: " + string.Join("; ", drift) + "." : ""));
        if (drift.Count > 0)
            return Result(m, ParityStatus.Drift, expected, actual, "Configuration differs: " + string.Join("; ", drift) + " (designed issuer " + string.Join(", ", issuers) + ", audience " + audience + ").");
        return Result(m, ParityStatus.Pass, expected, actual, "Federated credentials accept the designed subjects: " + string.Join(", ", found) + ".");
    }

    // The identity's keys as credential owners: its object id, and user-assigned identities with that principal id.
    private HashSet<string> FederationOwners(AzRoleMapping m)
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(m.ObjectId)) return keys;
        keys.Add(m.ObjectId!.ToLowerInvariant());
        // An app registration's credentials may be filed under its app id (az ad app federated-credential list --id <app id>).
        if (_index.State.ServicePrincipals.TryGetValue(m.ObjectId!, out var sp) && sp.AppId is { Length: > 0 } appId) keys.Add(appId.ToLowerInvariant());
        foreach (var i in _index.State.UserAssignedIdentities.Values)
            if (string.Equals(i.PrincipalId, m.ObjectId, StringComparison.OrdinalIgnoreCase))
            {
                if (!string.IsNullOrEmpty(i.Id)) keys.Add(i.Id.ToLowerInvariant());
                if (!string.IsNullOrEmpty(i.Name)) keys.Add(i.Name.ToLowerInvariant());
            }
        return keys;
    }
}

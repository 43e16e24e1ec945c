using System.Security.Cryptography;
using System.Text;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Policy;

/// <summary>
/// Pins the derived grants (every field, in output order) and the diagnostics of every role of every
/// authorization-details file in shared/data, plus synthetic roles built from the largest file's documents that exercise
/// denies and permissions boundaries. The pins (grant-pins.txt, one SHA-256 per role) were recorded from the engine
/// before its performance work: an optimisation that changes what the engine computes fails here.
/// Regenerate only for an intended change of results: LAMBDAIDENTITY_REGENERATE=1.
/// </summary>
public sealed class GrantPinTests
{
    private static string PinFile => Path.Combine(TestPaths.RepoRoot, "tests", "LambdaIdentity.Tests", "Policy", "grant-pins.txt");

    [Fact]
    public void GrantsOfEveryRoleMatchThePins()
    {
        var fresh = Compute();
        if (Environment.GetEnvironmentVariable("LAMBDAIDENTITY_REGENERATE") == "1") File.WriteAllText(PinFile, fresh);
        Assert.True(File.Exists(PinFile), PinFile + " is missing");
        var pinned = File.ReadAllLines(PinFile);
        var now = fresh.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var diff = pinned.Zip(now).Where(p => p.First != p.Second).Take(5).Select(p => $"pinned {p.First}\n   now {p.Second}").ToList();
        Assert.True(diff.Count == 0 && pinned.Length == now.Length, $"{pinned.Length} pinned, {now.Length} now; first differences:\n" + string.Join("\n", diff));
    }

    [Fact]
    public void AFreshDeriverAndTheSharedOneAgree()
    {
        // Memos and caches (per document, per pattern) must not change results: derive twice with the shared deriver
        // (the second time from memo) and once with a new deriver over the same catalogs.
        var file = Largest();
        var roles = AuthzRoles.Read(file);
        var other = new GrantDeriver(ActionCatalog.Default, AwsManagedPolicyCatalog.Default);
        foreach (var role in roles)
        {
            var a = Describe(GrantDeriver.Default.Derive(role, EngineContext.None));
            var b = Describe(GrantDeriver.Default.Derive(role, EngineContext.None));
            var c = Describe(other.Derive(role, EngineContext.None));
            Assert.Equal(a, b);
            Assert.Equal(a, c);
        }
    }

    private static string Largest() => Directory.GetFiles(TestPaths.Shared("authz-details"), "*.json").OrderByDescending(f => new FileInfo(f).Length).First();

    private static string Compute()
    {
        var sb = new StringBuilder();
        foreach (var file in Directory.GetFiles(TestPaths.Shared("authz-details"), "*.json").OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            var roles = AuthzRoles.Read(file);
            for (var i = 0; i < roles.Count; i++) sb.Append(Pin(name, i.ToString(System.Globalization.CultureInfo.InvariantCulture), roles[i])).Append('\n');
        }
        var largest = Largest();
        var all = AuthzRoles.Read(largest);
        var docs = all.SelectMany(r => r.Policies).Distinct().ToList();
        foreach (var (role, label) in Synthetic(all, docs)) sb.Append(Pin(Path.GetFileName(largest), label, role)).Append('\n');
        return sb.ToString();
    }

    // Roles of the largest file with each other policy of the file as a boundary (every 7th pairing), and with deny
    // statements taken from the file's documents added as an inline policy.
    private static IEnumerable<(ExecutionRole, string)> Synthetic(List<ExecutionRole> roles, List<PolicyDocument> docs)
    {
        // (not the file's deny-everything statements: they would leave nothing to pin)
        var denies = docs.SelectMany(d => d.Statement).Where(s => s.Effect == "Deny" && !s.Action.Contains("*")).ToList();
        var allows = docs.SelectMany(d => d.Statement).Where(s => s.Effect == "Allow").ToList();
        var k = 0;
        for (var r = 0; r < roles.Count; r++)
        {
            if (roles[r].Policies.Count == 0) continue;
            for (var b = 0; b < docs.Count; b++)
            {
                if (k++ % 7 != 0) continue;
                var d = docs[b];
                var boundary = new PolicyDocument { PolicyName = d.PolicyName, PolicyArn = d.PolicyArn, Kind = PolicyKind.PermissionsBoundary, Version = d.Version, Statement = d.Statement, IsUnresolved = d.IsUnresolved, Source = d.Source };
                yield return (With(roles[r], boundary, null), $"{r}+boundary:{b}");
            }
            // Denies of the file turned into denies of this role, scoped to some resources and conditions, and a NotResource deny.
            var extra = new List<PolicyStatement>();
            extra.AddRange(denies.Where((_, i) => (i + r) % 3 == 0));
            foreach (var s in allows.Where((_, i) => (i + r) % 5 == 0).Take(6))
            {
                extra.Add(new PolicyStatement { Sid = "DenyRes" + extra.Count, Effect = "Deny", Action = s.Action, NotAction = s.NotAction, Resource = new[] { "arn:aws:s3:::secret/*", "arn:aws:iam::*:role/admin*" } });
                extra.Add(new PolicyStatement { Sid = "DenyNotRes" + extra.Count, Effect = "Deny", Action = s.Action, NotAction = s.NotAction, NotResource = r % 2 == 0 ? new[] { "arn:aws:s3:::ok/*", "*" } : new[] { "arn:aws:s3:::ok/*", "arn:aws:iam::*:role/app-*" } });
                extra.Add(new PolicyStatement { Sid = "DenyCond" + extra.Count, Effect = "Deny", Action = s.Action, NotAction = s.NotAction, Resource = new[] { "*" }, Condition = new[] { new PolicyCondition { Operator = "Bool", Key = "aws:SecureTransport", Values = new[] { "false" } } } });
            }
            var inline = new PolicyDocument { PolicyName = "synthetic-denies", Kind = PolicyKind.Inline, Version = "2012-10-17", Statement = extra };
            yield return (With(roles[r], null, inline), $"{r}+denies");
        }
    }

    private static ExecutionRole With(ExecutionRole r, PolicyDocument? boundary, PolicyDocument? inline) => new()
    {
        RoleArn = r.RoleArn, RoleName = r.RoleName, AssumeRolePolicy = r.AssumeRolePolicy, Source = r.Source,
        Policies = inline is null ? r.Policies : r.Policies.Append(inline).ToList(), PermissionsBoundary = boundary ?? r.PermissionsBoundary,
    };

    private static string Pin(string file, string label, ExecutionRole role)
    {
        var log = new Log();
        var grants = new GrantDeriver(ActionCatalog.Default, AwsManagedPolicyCatalog.Default).Derive(role, new EngineContext(log, log));
        // Diagnostics name their source file: pin it relative to shared/data, so the pins hold wherever the clone lives.
        var text = Describe(grants) + "\n--\n" + string.Join("\n", log.Lines).Replace(TestPaths.SharedData, "<shared>");
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).Substring(0, 32).ToLowerInvariant();
        return $"{file}\t{label}\t{grants.Count}\t{hash}";
    }

    internal static string Describe(IReadOnlyList<EffectiveGrant> grants)
    {
        var sb = new StringBuilder();
        static string L(IEnumerable<string> xs) => "[" + string.Join("\u0001", xs) + "]";
        foreach (var g in grants)
            sb.Append(g.Service).Append('|').Append(g.Action).Append('|').Append(g.AccessLevel).Append('|')
              .Append(L(g.Resources)).Append('|').Append(L(g.ExcludedResources)).Append('|')
              .Append(L(g.Conditions.Select(c => c.Operator + "\u0002" + c.Key + "\u0002" + string.Join("\u0003", c.Values)))).Append('|')
              .Append(g.IsConditionallyDenied).Append('|').Append(L(g.GrantedBy)).Append('|').Append(g.FromWildcard).Append('|')
              .Append(L(g.DeniedBy)).Append('|').Append(g.IsIncomplete).Append('\n');
        return sb.ToString();
    }

    private sealed class Log : IErrorSink, ILogSink
    {
        public List<string> Lines { get; } = new();
        public void Error(EngineError error) => Lines.Add($"E {error.ErrorId} {error.Category} {error.Target} {error.Message} {error.Location?.File} {error.Location?.Path}");
        public void Verbose(string message) => Lines.Add("V " + message);
        public void Warning(string message) => Lines.Add("W " + message);
    }
}

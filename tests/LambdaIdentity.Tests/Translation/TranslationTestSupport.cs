using Xunit;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;

namespace LambdaIdentity.Tests.Translation;

/// <summary>A grant deriver that returns the grants it was given, per role ARN (unit tests build EffectiveGrant records directly).</summary>
internal sealed class FixedGrantDeriver : IGrantDeriver
{
    private readonly Dictionary<string, IReadOnlyList<EffectiveGrant>> _byRole;
    public FixedGrantDeriver(Dictionary<string, IReadOnlyList<EffectiveGrant>> byRole) => _byRole = byRole;
    public FixedGrantDeriver(string roleArn, params EffectiveGrant[] grants) => _byRole = new() { [roleArn] = grants };
    public IReadOnlyList<EffectiveGrant> Derive(ExecutionRole role, EngineContext context) => _byRole.TryGetValue(role.RoleArn, out var g) ? g : Array.Empty<EffectiveGrant>();
}

internal static class T
{
    public const string Account = "123456789012";
    public static string RoleArn(string name) => "arn:aws:iam::" + Account + ":role/" + name;

    public static EffectiveGrant Grant(string action, AccessLevel level, params string[] resources) => new()
    {
        Service = action.Split(':')[0], Action = action, AccessLevel = level, Resources = resources, GrantedBy = new[] { "inline#0" },
    };

    public static LambdaFunctionIdentity Function(string name, string roleName, Func<LambdaFunctionIdentity, LambdaFunctionIdentity>? _ = null) => new()
    {
        FunctionName = name,
        FunctionArn = "arn:aws:lambda:eu-west-1:" + Account + ":function:" + name,
        RoleArn = RoleArn(roleName),
        ExecutionRole = new ExecutionRole { RoleArn = RoleArn(roleName), RoleName = roleName, Policies = new[] { new PolicyDocument { PolicyName = "inline", Kind = PolicyKind.Inline } } },
    };

    /// <summary>Every grant unit ("action resource") of a function must appear in exactly one mapping.</summary>
    public static void AssertEveryGrantAccountedOnce(IEnumerable<EffectiveGrant> grants, IEnumerable<AzRoleMapping> mappings, string context = "")
    {
        var expected = grants.SelectMany(g => (g.Resources.Count == 0 ? new[] { "*" } : g.Resources).Distinct().Select(r => g.Action + " " + r)).Distinct().ToList();
        var seen = mappings.SelectMany(m => m.AwsGrants).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        foreach (var e in expected)
        {
            Assert.True(seen.TryGetValue(e, out var n), context + ": grant '" + e + "' has no outcome");
            Assert.True(n == 1, context + ": grant '" + e + "' appears in " + n + " mappings");
        }
        // Beyond the derived grants only named resources restored from under a merged "*" grant of the same action
        // (a managed poller or administrator policy next to the template's own statement) may appear, each once.
        var wild = new HashSet<string>(expected.Where(e => e.EndsWith(" *", StringComparison.Ordinal)).Select(e => e.Substring(0, e.Length - 2)), StringComparer.Ordinal);
        foreach (var extra in seen.Keys.Except(expected))
        {
            var action = extra.Substring(0, extra.IndexOf(' '));
            Assert.True(wild.Contains(action), context + ": grant '" + extra + "' was not derived (and no '" + action + " *' it could have been merged into)");
            Assert.True(seen[extra] == 1, context + ": restored grant '" + extra + "' appears in " + seen[extra] + " mappings");
        }
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;
using Xunit.Abstractions;

namespace LambdaIdentity.Tests.Translation;

/// <summary>
/// Every export (Bicep and ARM) of every SAM/CloudFormation template in shared/data and of the demo, with the resource map
/// left empty (what a first run gives) and filled (every skeleton entry given an Azure resource of its type), compiles with
/// the real Bicep CLI with no error and lints clean; the ARM export deploys the same resources as the compiled Bicep; no
/// deployed value holds anything AWS-shaped or a design placeholder.
/// </summary>
public class TemplateDeploymentTests
{
    private const string Sub = "5f0c8a3e-2b7d-4e1a-9c6f-0d4b8e2a7c51";
    private readonly ITestOutputHelper _out;
    public TemplateDeploymentTests(ITestOutputHelper output) => _out = output;

    /// <summary>A Bicep/ARM pair and where it came from.</summary>
    private sealed record Export(string Origin, string Bicep, string Arm);

    private static IEnumerable<string> SharedTemplates()
    {
        foreach (var root in new[] { TestPaths.Shared("sam"), TestPaths.Shared("cloudformation") })
            foreach (var f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
                if (f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                    if (!f.Contains(Path.DirectorySeparatorChar + "output" + Path.DirectorySeparatorChar, StringComparison.Ordinal)) // the SAM translator's expected outputs repeat its inputs
                        yield return f;
    }

    /// <summary>Gives every empty skeleton entry an Azure resource ID of its type (or an Entra object ID for a principal).</summary>
    internal static ResourceMap Fill(ResourceMap skeleton)
    {
        string Id(string seed) => new Guid(MD5.HashData(Encoding.UTF8.GetBytes(seed))).ToString();
        string Name(string seed, int i) => "r" + Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(seed + "|" + i))).ToLowerInvariant().Substring(0, 10);
        var rg = "/subscriptions/" + Sub + "/resourceGroups/rg-migrated";
        var entries = new List<ResourceMapEntry>();
        foreach (var e in skeleton.Entries)
        {
            if (e.Azure.Length > 0) { entries.Add(e); continue; }
            string azure;
            if (e.Aws.StartsWith(ResourceMap.PrincipalPrefix, StringComparison.Ordinal)) azure = Id(e.Aws);
            else if (e.Aws.StartsWith(ResourceMap.FunctionAppPrefix, StringComparison.Ordinal)) azure = rg;
            else
            {
                var type = e.AzureResourceType is { } t && t.Contains('/') && t.StartsWith("Microsoft.", StringComparison.Ordinal) ? t : "Microsoft.Storage/storageAccounts";
                var segs = type.Split('/');
                var sb = new StringBuilder(rg + "/providers/" + segs[0]);
                for (var i = 1; i < segs.Length; i++)
                    sb.Append('/').Append(segs[i]).Append('/').Append(segs[i] is "blobServices" or "queueServices" or "tableServices" or "fileServices" ? "default" : Name(e.Aws, i));
                azure = sb.ToString();
            }
            entries.Add(new ResourceMapEntry { Aws = e.Aws, Azure = azure, AzureResourceType = e.AzureResourceType });
        }
        return new ResourceMap(entries);
    }

    private static IEnumerable<Export> Exports(string origin, IReadOnlyList<LambdaFunctionIdentity> inventory, EngineContext ctx, params ResourceMap[] maps)
    {
        foreach (var map in maps)
        {
            var mappings = new AzRoleMapper(GrantDeriver.Default, new MappingOptions { ResourceMap = map }).Map(inventory, ctx).ToList();
            var label = origin + (map.Entries.Count == 0 ? " (empty resource map)" : " (filled resource map)");
            yield return new Export(label, MappingTemplateExporter.Export(mappings, TemplateFormat.Bicep), MappingTemplateExporter.Export(mappings, TemplateFormat.ArmJson));
            // The custom roles it designs, defined once at the subscription (Export-AzRoleMappingTemplate -RoleDefinitions).
            if (MappingTemplateExporter.ExportRoleDefinitions(mappings, TemplateFormat.Bicep) is { } roles)
                yield return new Export(label + " (role definitions)", roles, MappingTemplateExporter.ExportRoleDefinitions(mappings, TemplateFormat.ArmJson)!);
        }
    }

    private static List<Export> AllExports()
    {
        var ctx = new EngineContext(new ErrorCollector());
        var list = new List<Export>();
        var demo = DemoWorkload.Inventory(ctx);
        list.AddRange(Exports("demo", demo, ctx, ResourceMap.Empty, DemoWorkload.ResourceMap(), Fill(ResourceMapSkeleton.Build(demo, GrantDeriver.Default, null, ctx, DemoWorkload.ResourceMap()))));
        // The shared templates, then the fixtures that put a front (ALB login, CloudFront, IoT authorizer) or a service role before a function.
        var fronts = Directory.EnumerateFiles(Path.Combine(TestPaths.Fixtures, "translation", "fronts"), "*.yaml").OrderBy(f => f, StringComparer.Ordinal);
        foreach (var file in SharedTemplates().Concat(fronts))
        {
            var inventory = new InventoryReader().Read(new[] { file }, new InventoryOptions(), ctx).ToList();
            if (inventory.Count == 0) continue;
            var skeleton = ResourceMapSkeleton.Build(inventory, GrantDeriver.Default, null, ctx);
            list.AddRange(Exports(Path.GetRelativePath(TestPaths.RepoRoot, file).StartsWith("tests", StringComparison.Ordinal) ? Path.GetRelativePath(TestPaths.RepoRoot, file) : Path.GetRelativePath(TestPaths.SharedData, file), inventory, ctx, ResourceMap.Empty, Fill(skeleton)));
        }
        return list;
    }

    [Fact]
    public void EveryExportOfEveryTemplateBuildsAndLintsCleanAndTheArmExportDeploysTheSameResources()
    {
        var exports = AllExports();
        Assert.True(exports.Count > 500, "only " + exports.Count + " exports: the shared templates were not read");
        var dir = Directory.CreateTempSubdirectory("li-bicep-").FullName;
        try
        {
            // One file per distinct export (many small templates give the same one), named by its hash.
            var files = new Dictionary<string, Export>(StringComparer.Ordinal);
            foreach (var e in exports)
            {
                var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(e.Bicep))).Substring(0, 16).ToLowerInvariant();
                if (files.TryAdd(hash, e))
                {
                    File.WriteAllText(Path.Combine(dir, hash + ".bicep"), e.Bicep);
                    File.WriteAllText(Path.Combine(dir, hash + ".arm.jsonc"), e.Arm);
                }
            }
            var withRoles = files.Values.Count(e => e.Bicep.Contains("'Microsoft.Authorization/roleAssignments@", StringComparison.Ordinal));
            var definitions = files.Values.Count(e => e.Bicep.Contains("targetScope = 'subscription'", StringComparison.Ordinal));
            _out.WriteLine(exports.Count + " exports, " + files.Count + " distinct, " + withRoles + " with role assignments, " + definitions + " role-definition templates");
            Assert.True(definitions > 3, "only " + definitions + " distinct role-definition templates: custom roles were not exported");
            // A custom role is never defined in a resource-group template (its assignable scopes would be overwritten per group).
            Assert.DoesNotContain(files.Values, e => !e.Bicep.Contains("targetScope = 'subscription'", StringComparison.Ordinal) && e.Bicep.Contains("'Microsoft.Authorization/roleDefinitions@", StringComparison.Ordinal));
            Assert.True(withRoles > 50, "only " + withRoles + " distinct exports deploy a role assignment: the filled maps did not take");

            string Where(BicepCli.Finding f) => files.TryGetValue(Path.GetFileNameWithoutExtension(f.File), out var e) ? e.Origin : f.File;
            var build = BicepCli.Run("build", "--pattern", Path.Combine(dir, "*.bicep"), "--outdir", dir);
            var lint = BicepCli.Run("lint", "--pattern", Path.Combine(dir, "*.bicep"));
            var problems = build.Findings.Concat(lint.Findings).Select(f => Where(f) + ": " + f).Distinct().ToList();
            Assert.True(problems.Count == 0, problems.Count + " compiler/linter diagnostics, e.g.:\n" + string.Join("\n", problems.Take(25)));
            Assert.True(build.ExitCode == 0 && lint.ExitCode == 0, "bicep exited " + build.ExitCode + "/" + lint.ExitCode + ":\n" + build.Output + lint.Output);

            foreach (var (hash, e) in files)
            {
                var compiledPath = Path.Combine(dir, hash + ".json");
                Assert.True(File.Exists(compiledPath), e.Origin + ": bicep build wrote no ARM JSON");
                using var compiled = JsonDocument.Parse(File.ReadAllText(compiledPath));
                using var arm = JsonDocument.Parse(e.Arm);
                // The ARM export deploys what the compiled Bicep deploys: the same resources (type and API version) and parameters.
                Assert.Equal(Deployed(compiled.RootElement), Deployed(arm.RootElement));
                Assert.Equal(ParameterNames(compiled.RootElement), ParameterNames(arm.RootElement));
                // Nothing AWS-shaped and no design placeholder in a deployed value, in either form.
                foreach (var (path, value) in DeployedStrings(arm.RootElement).Concat(DeployedStrings(compiled.RootElement)))
                    Assert.False(MappingTemplateExporter.IsUnresolved(value), e.Origin + ": deployed value " + path + " = " + value);
                // Every parameter the deployer must supply says what it is for.
                foreach (var prm in arm.RootElement.GetProperty("parameters").EnumerateObject().Where(p => !p.Value.TryGetProperty("defaultValue", out _)))
                    Assert.True(prm.Value.TryGetProperty("metadata", out var md) && md.GetProperty("description").GetString()!.Length > 40, e.Origin + ": parameter " + prm.Name + " has no description");
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    private static List<string> Deployed(JsonElement template)
        => Resources(template).Select(r => r.GetProperty("type").GetString() + "@" + r.GetProperty("apiVersion").GetString())
            .Where(t => !(t.StartsWith("Microsoft.Web/sites@", StringComparison.Ordinal))) // existing apps only appear in the symbolic form
            .OrderBy(t => t, StringComparer.Ordinal).ToList();

    private static IEnumerable<JsonElement> Resources(JsonElement template)
    {
        var r = template.GetProperty("resources");
        if (r.ValueKind == JsonValueKind.Array) return r.EnumerateArray().ToList();
        // languageVersion 2.0: resources by symbolic name, existing ones marked as such.
        return r.EnumerateObject().Select(p => p.Value).Where(v => !(v.TryGetProperty("existing", out var x) && x.ValueKind == JsonValueKind.True)).ToList();
    }

    private static List<string> ParameterNames(JsonElement template)
        => template.TryGetProperty("parameters", out var p) ? p.EnumerateObject().Select(x => x.Name).OrderBy(x => x, StringComparer.Ordinal).ToList() : new List<string>();

    /// <summary>The string values a deployment sends: resource properties and names (not comments, metadata or parameter descriptions).</summary>
    private static IEnumerable<(string Path, string Value)> DeployedStrings(JsonElement template)
    {
        foreach (var r in Resources(template))
            foreach (var x in Walk(r, r.GetProperty("type").GetString()!))
                yield return x;
        if (template.TryGetProperty("parameters", out var ps))
            foreach (var p in ps.EnumerateObject())
                if (p.Value.TryGetProperty("defaultValue", out var d))
                    foreach (var x in Walk(d, "parameters." + p.Name)) yield return x;
    }

    private static IEnumerable<(string, string)> Walk(JsonElement e, string path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                    if (p.Name is not ("comments" or "metadata"))
                        foreach (var x in Walk(p.Value, path + "." + p.Name)) yield return x;
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var v in e.EnumerateArray()) foreach (var x in Walk(v, path + "[" + i++ + "]")) yield return x;
                break;
            case JsonValueKind.String:
                yield return (path, e.GetString()!);
                break;
        }
    }
}

using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;

namespace LambdaIdentity.Tests;

/// <summary>The demo workload that ships in module/samples (the README's main job reads it).</summary>
internal static class DemoWorkload
{
    /// <summary>module/samples.</summary>
    public static string Samples => Path.Combine(TestPaths.RepoRoot, "module", "samples");

    /// <summary>The demo's resource map.</summary>
    public static ResourceMap ResourceMap() => Core.Translation.ResourceMap.Load(Path.Combine(Samples, "demo-resource-map.json"));

    /// <summary>The inventory of the demo template and authorization details.</summary>
    public static List<LambdaFunctionIdentity> Inventory(EngineContext? context = null)
        => new InventoryReader().Read(new[] { Path.Combine(Samples, "demo-sam-template.yaml"), Path.Combine(Samples, "demo-authz-details.json") },
            new InventoryOptions(), context ?? EngineContext.None).ToList();
}

using System.Diagnostics;
using System.Text.Json;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Model;

namespace LambdaIdentity.Benchmarks;

/// <summary>
/// 50,000 role assignments and 2,000 function apps (az CLI export shapes, written to a temp folder) read
/// and checked against 2,000 mappings. Baseline: parsing the same assignment file with JsonDocument alone.
/// </summary>
public sealed class ParityBenchmark : IBenchmark
{
    public string Name => "parity";

    private const string Sub = "/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2";
    private static readonly string[] DataRoles = { "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "ba92f5b4-2d11-453d-a403-e96b0029c9fe", "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39", "4633458b-17de-408a-b874-0445c86b69e6", "974c5e8b-45b9-4653-ba55-5f855dd0fb88" };

    public void Run(TextWriter output)
    {
        const int apps = 2000, assignments = 50000, rgs = 200;
        var dir = Path.Combine(Path.GetTempPath(), "li-parity-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var mappings = Generate(dir, apps, assignments, rgs);
            var catalog = FindCatalog();
            var raFile = Path.Combine(dir, "role-assignments.json");
            output.WriteLine($"input: {assignments:N0} role assignments ({new FileInfo(raFile).Length / 1048576.0:F1} MiB), {apps:N0} function apps, {mappings.Count:N0} mappings, role catalog {(catalog is null ? "missing" : "928 roles")}");

            var baseline = Program.BestOf(3, () => { using var fs = File.OpenRead(raFile); using var d = JsonDocument.Parse(fs); });
            AzureState? state = null;
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            var before = GC.GetTotalMemory(true);
            var paths = catalog is null ? new[] { dir } : new[] { dir, catalog };
            var read = Program.BestOf(3, () => state = new AzureStateReader().ReadAsync(paths, EngineContext.None).GetAwaiter().GetResult());
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            var retained = GC.GetTotalMemory(true) - before;
            IReadOnlyList<IdentityParityResult>? results = null;
            var allocBefore = GC.GetTotalAllocatedBytes(true);
            var check = Program.BestOf(3, () => results = ParityChecker.Check(mappings, state!, null, EngineContext.None));
            var allocCheck = (GC.GetTotalAllocatedBytes(true) - allocBefore) / 3;
            var peak = Process.GetCurrentProcess().PeakWorkingSet64;

            output.WriteLine($"baseline (JsonDocument.Parse of the assignment export): {baseline:F0} ms");
            output.WriteLine($"read state (all exports + catalog):   {read:F0} ms  = {read / baseline:F2} x baseline");
            output.WriteLine($"check 2,000 mappings:                 {check:F0} ms  = {check / baseline:F2} x baseline");
            output.WriteLine($"state retained after read: {retained / 1048576.0:F0} MiB; allocated per check: {allocCheck / 1048576.0:F0} MiB; peak working set: {peak / 1048576.0:F0} MiB");
            output.WriteLine("results: " + string.Join(", ", results!.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => g.Key + " " + g.Count().ToString("N0"))));
        }
        finally { Directory.Delete(dir, true); }
    }

    private static string? FindCatalog()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "shared", "data", "catalogs", "azure-builtin-role-definitions.json");
            if (File.Exists(p)) return p;
        }
        return File.Exists("/work/shared/data/catalogs/azure-builtin-role-definitions.json") ? "/work/shared/data/catalogs/azure-builtin-role-definitions.json" : null;
    }

    /// <summary>Writes the exports and returns the mappings: one designed data-role assignment per app.</summary>
    private static List<AzRoleMapping> Generate(string dir, int apps, int assignments, int rgs)
    {
        var rnd = new Random(42);
        string Guid() => new System.Guid(rnd.Next(), (short)rnd.Next(), (short)rnd.Next(), (byte)rnd.Next(256), (byte)rnd.Next(256), (byte)rnd.Next(256), (byte)rnd.Next(256), (byte)rnd.Next(256), (byte)rnd.Next(256), (byte)rnd.Next(256), (byte)rnd.Next(256)).ToString();
        var principals = Enumerable.Range(0, apps).Select(_ => Guid()).ToArray();
        string Rg(int app) => Sub + "/resourceGroups/rg-" + (app % rgs);
        string Storage(int app, int k) => Rg(app) + "/providers/Microsoft.Storage/storageAccounts/st" + app + "x" + k;
        var mappings = new List<AzRoleMapping>();
        using (var fs = File.Create(Path.Combine(dir, "role-assignments.json")))
        using (var w = new Utf8JsonWriter(fs))
        {
            w.WriteStartArray();
            void Write(string scope, string role, string principal, string type, string? name)
            {
                var id = Guid();
                w.WriteStartObject();
                w.WriteString("id", scope + "/providers/Microsoft.Authorization/roleAssignments/" + id);
                w.WriteString("name", id);
                w.WriteString("principalId", principal);
                if (name is not null) w.WriteString("principalName", name);
                w.WriteString("principalType", type);
                w.WriteString("roleDefinitionId", Sub + "/providers/Microsoft.Authorization/roleDefinitions/" + role);
                w.WriteString("scope", scope);
                w.WriteString("type", "Microsoft.Authorization/roleAssignments");
                w.WriteEndObject();
            }
            var written = 0;
            // 5 assignments per app identity (one of them designed), 5 subscription Owners, one Contributor group per resource group, the rest people on resources.
            for (var a = 0; a < apps; a++)
                for (var k = 0; k < 5; k++) { Write(Storage(a, k), DataRoles[k], principals[a], "ServicePrincipal", null); written++; }
            for (var o = 0; o < 5; o++) { Write(Sub, "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", Guid(), "User", "owner" + o + "@contoso.example"); written++; }
            for (var r = 0; r < rgs; r++) { Write(Sub + "/resourceGroups/rg-" + r, "b24988ac-6180-42a0-ab88-20f7382dd24c", Guid(), "Group", "grp-rg-" + r); written++; }
            while (written < assignments) { var a = rnd.Next(apps); Write(Storage(a, rnd.Next(5)), "acdd72a7-3385-48ef-bd42-f606fba81ae7", Guid(), "User", null); written++; }
            w.WriteEndArray();
        }
        using (var fs = File.Create(Path.Combine(dir, "functionapp-list.json")))
        using (var w = new Utf8JsonWriter(fs))
        {
            w.WriteStartArray();
            for (var a = 0; a < apps; a++)
            {
                w.WriteStartObject();
                w.WriteString("id", Rg(a) + "/providers/Microsoft.Web/sites/app-" + a);
                w.WriteString("name", "app-" + a);
                w.WriteString("kind", "functionapp,linux");
                w.WriteString("type", "Microsoft.Web/sites");
                w.WriteStartObject("identity");
                w.WriteString("type", "SystemAssigned");
                w.WriteString("principalId", principals[a]);
                w.WriteEndObject();
                w.WriteEndObject();
                mappings.Add(new AzRoleMapping
                {
                    MappingId = "fn-" + a + "/s3-read", FunctionName = "fn-" + a, FunctionAppName = "app-" + a, Kind = MappingKind.RoleAssignment,
                    RoleDefinitionName = "Storage Blob Data Reader", RoleDefinitionId = DataRoles[0], Scope = Storage(a, 0), IdentityType = "SystemAssigned", PrincipalName = "app-" + a,
                });
            }
            w.WriteEndArray();
        }
        return mappings;
    }
}

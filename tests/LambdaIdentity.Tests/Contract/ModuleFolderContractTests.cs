using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;
using static LambdaIdentity.Tests.Contract.CmdletMetadata;

namespace LambdaIdentity.Tests.Contract;

/// <summary>The importable module folder out/LambdaIdentity that the build assembles.</summary>
public sealed class ModuleFolderContractTests
{
    /// <summary>
    /// References every host provides: the netstandard facade and the .NET Framework assemblies that netstandard
    /// 2.0 packages built for net4x name. PowerShell itself brings System.Management.Automation.
    /// </summary>
    private static readonly HashSet<string> HostProvided = new(StringComparer.OrdinalIgnoreCase)
    {
        "netstandard", "mscorlib", "System", "System.Core", "System.Runtime", "System.Xml", "System.Xml.Linq", "System.Data", "System.Numerics",
        "System.Net.Http", "System.Runtime.Serialization", "System.Configuration", "System.Security", "System.Drawing", "System.IdentityModel",
        "System.ServiceModel", "Microsoft.CSharp", "System.Management.Automation",
    };

    [Fact]
    public void EveryFileTheManifestNamesIsInTheModuleFolder()
    {
        var dir = ModuleOut;
        var manifest = File.ReadAllText(Path.Combine(dir, "LambdaIdentity.psd1"));
        var files = ManifestList(manifest, "RootModule").Concat(ManifestList(manifest, "FormatsToProcess")).Concat(ManifestList(manifest, "TypesToProcess")).ToList();
        Assert.Contains("LambdaIdentity.PowerShell.dll", files);
        foreach (var f in files) Assert.True(File.Exists(Path.Combine(dir, f)), f + " is named by the manifest but missing from " + dir);
        Assert.True(File.Exists(Path.Combine(dir, "en-US", "LambdaIdentity.PowerShell.dll-Help.xml")));
    }

    [Fact]
    public void TheModuleFolderHoldsTheManifestWithTheBuildsVersion()
    {
        var built = File.ReadAllText(Path.Combine(ModuleOut, "LambdaIdentity.psd1")).Replace("\r\n", "\n").TrimEnd();
        var source = ManifestText.Replace("\r\n", "\n").TrimEnd();
        var version = typeof(LambdaIdentity.PowerShell.AsyncPSCmdlet).Assembly.GetName().Version!;
        Assert.Equal(new[] { $"{version.Major}.{version.Minor}.{version.Build}" }, ManifestList(built, "ModuleVersion"));
        // Apart from the stamped version, the built manifest is the top-level one.
        string WithoutVersion(string s) => System.Text.RegularExpressions.Regex.Replace(s, "ModuleVersion\\s*=\\s*'[^']*'", "");
        Assert.Equal(WithoutVersion(source), WithoutVersion(built));
    }

    [Fact]
    public void EveryAssemblyTheModuleNeedsIsInTheFolderAndPowerShellIsNot()
    {
        var dir = ModuleOut;
        Assert.False(File.Exists(Path.Combine(dir, "System.Management.Automation.dll")), "System.Management.Automation.dll must not ship: PowerShell brings its own");
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var missing = new List<string>();
        var queue = new Queue<string>(new[] { "LambdaIdentity.PowerShell" });
        while (queue.Count > 0)
        {
            var name = queue.Dequeue();
            if (!seen.Add(name)) continue;
            var file = new[] { Path.Combine(dir, name + ".dll"), Path.Combine(dir, "dependencies", name + ".dll") }.FirstOrDefault(File.Exists);
            if (file is null)
            {
                if (!HostProvided.Contains(name)) missing.Add(name);
                continue;
            }
            using var pe = new PEReader(File.OpenRead(file));
            var md = pe.GetMetadataReader();
            foreach (var h in md.AssemblyReferences) queue.Enqueue(md.GetString(md.GetAssemblyReference(h).Name));
        }
        Assert.True(missing.Count == 0, "Missing from out/LambdaIdentity: " + string.Join(", ", missing));
        // The engine and its SDKs are reached, so the walk really followed references.
        foreach (var expected in new[] { "LambdaIdentity.Core", "LambdaIdentity.Model", "YamlDotNet", "System.Text.Json", "Azure.Core", "Azure.Identity", "System.Memory" })
            Assert.Contains(expected, seen);
    }

    [Fact]
    public void TheModuleFolderHoldsOnlyWhatPowerShellSharesAndTheEngineIsInDependencies()
    {
        // What sits next to the manifest is loaded into PowerShell's default context; everything else is the engine's.
        var root = Directory.GetFiles(ModuleOut, "*.dll").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { "LambdaIdentity.Isolation.dll", "LambdaIdentity.Model.dll", "LambdaIdentity.PowerShell.dll" }, root);
        var engine = Directory.GetFiles(Path.Combine(ModuleOut, "dependencies"), "*.dll").Select(Path.GetFileNameWithoutExtension).ToList();
        foreach (var expected in new[] { "LambdaIdentity.Core", "Azure.Core", "Azure.Identity", "Microsoft.Identity.Client", "AWSSDK.Core", "YamlDotNet", "System.Text.Json" })
            Assert.Contains(expected, engine);
        Assert.DoesNotContain("LambdaIdentity.Model", engine);
        Assert.DoesNotContain("System.Management.Automation", engine);
    }

    /// <summary>
    /// Assemblies that .NET's shared framework carries: PowerShell 7 loads the framework's copy, so a module that
    /// references a newer version than PowerShell 7.4's runtime (.NET 8) fails to load there (Azure Automation runs 7.4).
    /// </summary>
    private static readonly string[] FrameworkCarried =
    {
        "System.Text.Json", "System.Text.Encodings.Web", "System.Memory", "System.Buffers", "System.Diagnostics.DiagnosticSource",
        "System.Runtime.CompilerServices.Unsafe", "System.Threading.Tasks.Extensions", "System.Numerics.Vectors", "System.IO.Pipelines",
        "System.Collections.Immutable", "System.Reflection.Metadata",
    };

    [Fact]
    public void NoAssemblyReferencesAFrameworkAssemblyNewerThanPowerShell74Has()
    {
        var tooNew = new List<string>();
        foreach (var file in Directory.GetFiles(ModuleOut, "*.dll", SearchOption.AllDirectories))
        {
            using var pe = new PEReader(File.OpenRead(file));
            if (!pe.HasMetadata) continue;
            var md = pe.GetMetadataReader();
            if (!md.IsAssembly) continue;
            foreach (var h in md.AssemblyReferences)
            {
                var r = md.GetAssemblyReference(h);
                var name = md.GetString(r.Name);
                if (FrameworkCarried.Contains(name, StringComparer.OrdinalIgnoreCase) && r.Version.Major > 8)
                    tooNew.Add(Path.GetFileName(file) + " -> " + name + " " + r.Version);
            }
        }
        Assert.True(tooNew.Count == 0, "References newer than .NET 8 (PowerShell 7.4) carries: " + string.Join("; ", tooNew));
    }
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;

namespace LambdaIdentity.Isolation;

/// <summary>
/// The engine's own AssemblyLoadContext on PowerShell 7, modelled on PowerShellEditorServices' PsesLoadContext.
/// It loads LambdaIdentity.Core and every assembly of the module's dependencies/ folder (Azure.Core, Azure.Identity,
/// MSAL, AWSSDK.*, YamlDotNet, ...) apart from the default context, where Az.Accounts, AWS.Tools and other modules
/// load their own versions of the same SDKs. Two kinds of request are left to the default context:
/// the assemblies shared with PowerShell (the records in LambdaIdentity.Model and the cmdlet assembly, whose types
/// PowerShell must see, and System.Management.Automation), and assemblies the host itself carries in a version at
/// least as new as the one asked for (.NET's shared framework and $PSHOME: one System.Text.Json, one Span for all).
/// </summary>
public sealed class EngineLoadContext : AssemblyLoadContext
{
    /// <summary>Assemblies that live in the default context and are shared with PowerShell and the cmdlets.</summary>
    public static readonly IReadOnlyCollection<string> SharedAssemblies = new[] { "LambdaIdentity.Model", "LambdaIdentity.PowerShell", "System.Management.Automation" };

    private readonly string _dependencyDirectory;
    private readonly string _moduleDirectory;
    private readonly IReadOnlyDictionary<string, string> _hostAssemblies;
    private readonly ConcurrentDictionary<string, bool> _hostSatisfies = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A context for the module whose engine assemblies are in <paramref name="dependencyDirectory"/>.</summary>
    /// <param name="moduleDirectory">The module folder (the shared assemblies).</param>
    /// <param name="dependencyDirectory">The engine's folder (dependencies/ of the module).</param>
    /// <param name="hostAssemblies">Simple name to path of every assembly the host carries; null: read from the runtime.</param>
    public EngineLoadContext(string moduleDirectory, string dependencyDirectory, IReadOnlyDictionary<string, string>? hostAssemblies = null)
        : base("LambdaIdentity.Engine", isCollectible: false)
    {
        _moduleDirectory = moduleDirectory;
        _dependencyDirectory = dependencyDirectory;
        _hostAssemblies = hostAssemblies ?? HostAssemblies();
    }

    /// <summary>The engine folder this context loads from.</summary>
    public string DependencyDirectory => _dependencyDirectory;

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Only framework types here: this method runs while the engine's own dependencies are being resolved.
        var name = assemblyName.Name;
        if (string.IsNullOrEmpty(name) || !string.IsNullOrEmpty(assemblyName.CultureName) && !string.Equals(assemblyName.CultureName, "neutral", StringComparison.OrdinalIgnoreCase)) return null;
        if (SharedAssemblies.Contains(name, StringComparer.OrdinalIgnoreCase)) return SharedFromDefault(name);
        if (HostSatisfies(assemblyName)) return null;
        var path = Path.Combine(_dependencyDirectory, name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <summary>The default context's copy of a shared assembly: the one already loaded, else the module folder's.</summary>
    private Assembly? SharedFromDefault(string name)
    {
        foreach (var a in Default.Assemblies)
            if (string.Equals(a.GetName().Name, name, StringComparison.OrdinalIgnoreCase)) return a;
        var path = Path.Combine(_moduleDirectory, name + ".dll");
        return File.Exists(path) ? Default.LoadFromAssemblyPath(path) : null;
    }

    /// <summary>True when the host carries the assembly in a version at least as new, with the same public key.</summary>
    internal bool HostSatisfies(AssemblyName requested) => _hostSatisfies.GetOrAdd(requested.FullName, _ =>
    {
        if (requested.Name is null || !_hostAssemblies.TryGetValue(requested.Name, out var path)) return false;
        AssemblyName host;
        try { host = AssemblyName.GetAssemblyName(path); }
        catch (Exception ex) when (ex is IOException or BadImageFormatException or UnauthorizedAccessException) { return false; }
        return Satisfies(requested, host);
    });

    /// <summary>Whether <paramref name="candidate"/> can stand for <paramref name="requested"/>: same name, same public key token, version at least the requested one.</summary>
    public static bool Satisfies(AssemblyName requested, AssemblyName candidate)
    {
        if (!string.Equals(requested.Name, candidate.Name, StringComparison.OrdinalIgnoreCase)) return false;
        if (requested.Version is not null && (candidate.Version is null || candidate.Version < requested.Version)) return false;
        var want = requested.GetPublicKeyToken();
        if (want is null || want.Length == 0) return true;
        var have = candidate.GetPublicKeyToken();
        return have is not null && want.AsSpan().SequenceEqual(have);
    }

    /// <summary>
    /// What the host carries: the trusted platform assemblies (.NET's shared framework and, for pwsh, everything its
    /// deps.json lists from $PSHOME) and the assemblies in $PSHOME itself.
    /// </summary>
    public static IReadOnlyDictionary<string, string> HostAssemblies()
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa)
            foreach (var path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                map.TryAdd(Path.GetFileNameWithoutExtension(path), path);
        var psHome = PowerShellHome();
        if (psHome is not null)
            foreach (var path in Directory.EnumerateFiles(psHome, "*.dll"))
                map.TryAdd(Path.GetFileNameWithoutExtension(path), path);
        return map;
    }

    private static string? PowerShellHome()
    {
        // System.Management.Automation lives in $PSHOME (also for the dotnet tool and for hosts that ship it).
        var sma = Default.Assemblies.FirstOrDefault(a => a.GetName().Name == "System.Management.Automation");
        var dir = sma is null || string.IsNullOrEmpty(sma.Location) ? null : Path.GetDirectoryName(sma.Location);
        return dir is not null && Directory.Exists(dir) ? dir : null;
    }
}

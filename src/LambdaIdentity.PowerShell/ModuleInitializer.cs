using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;

namespace LambdaIdentity.PowerShell;

/// <summary>
/// Runs when Import-Module loads the module. In Windows PowerShell 5.1 (.NET Framework) there are no binding
/// redirects for a module's dependencies, so an assembly that asks for another version of a dependency the module
/// ships (System.Memory, System.Text.Json, ...) would fail to load: this resolver answers such requests with the copy
/// in the module's folder, as a binding redirect would. PowerShell 7 resolves from the module folder itself.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? "";

    /// <inheritdoc />
    public void OnImport()
    {
        if (IsNetFramework) AppDomain.CurrentDomain.AssemblyResolve += Resolve;
    }

    /// <inheritdoc />
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        if (IsNetFramework) AppDomain.CurrentDomain.AssemblyResolve -= Resolve;
    }

    private static bool IsNetFramework => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

    private static Assembly? Resolve(object? sender, ResolveEventArgs args)
    {
        var path = ModuleDependencyPath(ModuleDirectory, args.Name);
        return path is null ? null : Assembly.LoadFrom(path);
    }

    /// <summary>The module folder's copy of a requested assembly (any version), or null when the module ships none.</summary>
    public static string? ModuleDependencyPath(string moduleDirectory, string requestedAssemblyName)
    {
        string simple;
        try { simple = new AssemblyName(requestedAssemblyName).Name ?? ""; }
        catch (Exception ex) when (ex is ArgumentException or FileLoadException) { return null; }
        if (simple.Length == 0 || simple.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || simple.EndsWith(".resources", StringComparison.OrdinalIgnoreCase)) return null;
        var candidate = Path.Combine(moduleDirectory, simple + ".dll");
        return File.Exists(candidate) ? candidate : null;
    }
}

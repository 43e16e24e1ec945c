using System;
using System.IO;
using System.Management.Automation;
using System.Net;
using System.Reflection;
using System.Runtime.InteropServices;

namespace LambdaIdentity.PowerShell;

/// <summary>
/// Runs when Import-Module loads the module and makes the engine (LambdaIdentity.Core and the SDKs it brings, all in
/// the module's dependencies/ folder) loadable without touching what other modules load (docs/decisions.md,
/// "Dependency isolation"):
/// <list type="bullet">
/// <item>PowerShell 7 (.NET 8 or later): LambdaIdentity.Isolation puts the engine in its own AssemblyLoadContext; the
/// records (LambdaIdentity.Model) and this assembly stay in the default context, where PowerShell sees their types.</item>
/// <item>Windows PowerShell 5.1 (.NET Framework, one AppDomain, no binding redirects for modules): an
/// AppDomain.AssemblyResolve handler answers only for requests made by the module's own assemblies, with the copy in
/// the module's folder; and TLS 1.2 is enabled for the live calls where the process still offers only older protocols.</item>
/// </list>
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    /// <summary>The folder under the module that holds the engine and its dependencies.</summary>
    public const string DependencyFolderName = "dependencies";

    /// <summary>The oldest .NET that PowerShell 7 may run on for this module (PowerShell 7.4).</summary>
    public static readonly Version MinimumCoreRuntime = new(8, 0);

    private static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? "";

    /// <inheritdoc />
    public void OnImport()
    {
        if (IsNetFramework)
        {
            ServicePointManager.SecurityProtocol = WithTls12(ServicePointManager.SecurityProtocol);
            AppDomain.CurrentDomain.AssemblyResolve += Resolve;
            return;
        }
        var problem = UnsupportedRuntime(Environment.Version);
        if (problem is not null) throw new PlatformNotSupportedException(problem);
        InstallIsolation(ModuleDirectory);
    }

    /// <inheritdoc />
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        // PowerShell 7: the load context stays (loaded code cannot be unloaded); a new import reuses it.
        if (IsNetFramework) AppDomain.CurrentDomain.AssemblyResolve -= Resolve;
    }

    private static bool IsNetFramework => RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

    /// <summary>Why this .NET (Core) runtime cannot host the module, or null when it can.</summary>
    public static string? UnsupportedRuntime(Version runtime)
        => runtime >= MinimumCoreRuntime ? null
            : $"LambdaIdentity needs PowerShell 7.4 or later (.NET {MinimumCoreRuntime.Major}) or Windows PowerShell 5.1; this PowerShell runs on .NET {runtime}.";

    /// <summary>Loads the isolation assembly (net8.0, so this netstandard2.0 assembly reaches it by reflection) and installs it.</summary>
    private static void InstallIsolation(string moduleDirectory)
    {
        var path = Path.Combine(moduleDirectory, "LambdaIdentity.Isolation.dll");
        var install = Assembly.LoadFrom(path).GetType("LambdaIdentity.Isolation.EngineIsolation", throwOnError: true)!
            .GetMethod("Install", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string) }, null)
            ?? throw new MissingMethodException("LambdaIdentity.Isolation.EngineIsolation", "Install");
        try { install.Invoke(null, new object[] { moduleDirectory }); }
        catch (TargetInvocationException ex) when (ex.InnerException is not null) { throw ex.InnerException; }
    }

    /// <summary>
    /// The protocols to offer on .NET Framework: TLS 1.2 added to an explicit list that lacks it (Windows PowerShell
    /// 5.1 runs with Ssl3|Tls unless the machine opts in); SystemDefault (0) is left to the operating system, which
    /// offers TLS 1.2 and later there.
    /// </summary>
    public static SecurityProtocolType WithTls12(SecurityProtocolType current)
        => current == 0 ? current : current | SecurityProtocolType.Tls12;

    private static Assembly? Resolve(object? sender, ResolveEventArgs args)
    {
        var path = DesktopDependencyPath(ModuleDirectory, args.Name, args.RequestingAssembly?.IsDynamic == false ? args.RequestingAssembly.Location : null);
        return path is null ? null : Assembly.LoadFrom(path);
    }

    /// <summary>
    /// Windows PowerShell 5.1's resolver decision: the module's copy of a requested assembly, or null to leave the request
    /// to others. It answers only for the module's own requests: those made by an assembly loaded from the module's
    /// folder (then, as a binding redirect would, with the module's copy when that is the requested version or newer
    /// and has the same public key). A request whose requester is unknown is answered only with a copy that is exactly
    /// the assembly asked for. Another module's request (Az.Accounts asking for its Azure.Core) is never answered.
    /// </summary>
    /// <param name="moduleDirectory">The module folder (the manifest's).</param>
    /// <param name="requestedAssemblyName">The full name asked for.</param>
    /// <param name="requestingAssemblyPath">The file of the assembly that asked, when known.</param>
    public static string? DesktopDependencyPath(string moduleDirectory, string requestedAssemblyName, string? requestingAssemblyPath)
    {
        AssemblyName requested;
        try { requested = new AssemblyName(requestedAssemblyName); }
        catch (Exception ex) when (ex is ArgumentException or FileLoadException) { return null; }
        var simple = requested.Name ?? "";
        if (simple.Length == 0 || simple.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || simple.EndsWith(".resources", StringComparison.OrdinalIgnoreCase)) return null;
        var candidate = new[] { Path.Combine(moduleDirectory, simple + ".dll"), Path.Combine(moduleDirectory, DependencyFolderName, simple + ".dll") };
        var path = Array.Find(candidate, File.Exists);
        if (path is null) return null;
        AssemblyName shipped;
        try { shipped = AssemblyName.GetAssemblyName(path); }
        catch (Exception ex) when (ex is IOException or BadImageFormatException or UnauthorizedAccessException) { return null; }
        if (IsInside(moduleDirectory, requestingAssemblyPath)) return Satisfies(requested, shipped) ? path : null;
        return requestingAssemblyPath is null && string.Equals(requested.FullName, shipped.FullName, StringComparison.OrdinalIgnoreCase) ? path : null;
    }

    private static bool IsInside(string directory, string? file)
    {
        if (string.IsNullOrEmpty(file)) return false;
        var dir = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(file).StartsWith(dir, StringComparison.OrdinalIgnoreCase);
    }

    private static bool Satisfies(AssemblyName requested, AssemblyName candidate)
    {
        if (requested.Version is not null && (candidate.Version is null || candidate.Version < requested.Version)) return false;
        var want = requested.GetPublicKeyToken();
        if (want is null || want.Length == 0) return true;
        var have = candidate.GetPublicKeyToken();
        if (have is null || have.Length != want.Length) return false;
        for (var i = 0; i < want.Length; i++) if (want[i] != have[i]) return false;
        return true;
    }
}

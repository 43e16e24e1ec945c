using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace LambdaIdentity.Isolation;

/// <summary>
/// Installs the engine's load context. The cmdlet assembly (default context) references LambdaIdentity.Core, which is
/// not next to it but in dependencies/: the default context cannot find it and asks its Resolving handlers, and this
/// handler answers for that one assembly only, with the copy loaded into <see cref="EngineLoadContext"/>. Everything
/// the engine needs is then resolved by that context. Requests for any other assembly, from anyone, are left alone.
/// </summary>
public static class EngineIsolation
{
    /// <summary>The engine assembly, the one entry point into the isolated context.</summary>
    public const string EngineAssemblyName = "LambdaIdentity.Core";

    /// <summary>The folder of the module that holds the engine and its dependencies.</summary>
    public const string DependencyFolderName = "dependencies";

    private static readonly object Gate = new();
    private static EngineLoadContext? _context;

    /// <summary>The installed context (null before <see cref="Install"/>).</summary>
    public static EngineLoadContext? Context => _context;

    /// <summary>
    /// Installs the handler once per process (a second import, also after Remove-Module, reuses it: a load context that
    /// holds loaded code cannot be unloaded, and the default context keeps its answer for LambdaIdentity.Core anyway).
    /// </summary>
    /// <param name="moduleDirectory">The module folder (holds the manifest, the cmdlet assembly and dependencies/).</param>
    public static void Install(string moduleDirectory)
    {
        lock (Gate)
        {
            if (_context is not null) return;
            var dependencies = Path.Combine(moduleDirectory, DependencyFolderName);
            if (!File.Exists(Path.Combine(dependencies, EngineAssemblyName + ".dll")))
                throw new FileNotFoundException("The LambdaIdentity engine is missing from the module folder: " + dependencies, EngineAssemblyName + ".dll");
            _context = new EngineLoadContext(moduleDirectory, dependencies);
            AssemblyLoadContext.Default.Resolving += ResolveEngine;
        }
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName name)
    {
        var context = _context;
        if (context is null || !string.Equals(name.Name, EngineAssemblyName, StringComparison.Ordinal)) return null;
        return context.LoadFromAssemblyPath(Path.Combine(context.DependencyDirectory, EngineAssemblyName + ".dll"));
    }
}

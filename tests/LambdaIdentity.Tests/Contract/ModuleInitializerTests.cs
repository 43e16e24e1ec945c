using System.Management.Automation;
using System.Net;
using System.Reflection;
using LambdaIdentity.Isolation;
using LambdaIdentity.PowerShell;
using Xunit;

namespace LambdaIdentity.Tests.Contract;

public class ModuleInitializerTests
{
    private static string Dir => CmdletMetadata.ModuleOut;
    private static string Dependency(string name) => Path.Combine(Dir, "dependencies", name + ".dll");
    private static string Shipped(string name) => AssemblyName.GetAssemblyName(Dependency(name)).FullName;
    /// <summary>Where another module (Az.Accounts) asks from.</summary>
    private const string OtherModule = "/opt/microsoft/powershell/Modules/Az.Accounts/Azure.Identity.dll";

    [Fact]
    public void TheModuleRegistersAnImportHook()
    {
        var hooks = typeof(ModuleInitializer).Assembly.GetTypes().Where(t => typeof(IModuleAssemblyInitializer).IsAssignableFrom(t) && !t.IsAbstract).ToList();
        Assert.Equal(typeof(ModuleInitializer), Assert.Single(hooks));
        Assert.True(typeof(IModuleAssemblyCleanup).IsAssignableFrom(typeof(ModuleInitializer)), "the hook must unregister on Remove-Module");
    }

    [Fact]
    public void On51TheModulesOwnRequestsGetItsCopyAsABindingRedirectWould()
    {
        var requester = Dependency("Azure.Core");
        var stj = ModuleInitializer.DesktopDependencyPath(Dir, "System.Text.Json, Version=4.0.1.2, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51", requester);
        Assert.Equal(Dependency("System.Text.Json"), stj);
        Assert.Equal(Dependency("LambdaIdentity.Core"), ModuleInitializer.DesktopDependencyPath(Dir, "LambdaIdentity.Core", Path.Combine(Dir, "LambdaIdentity.PowerShell.dll")));
        // Never a copy older than asked for, nor one signed by someone else.
        Assert.Null(ModuleInitializer.DesktopDependencyPath(Dir, "System.Text.Json, Version=99.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51", requester));
        Assert.Null(ModuleInitializer.DesktopDependencyPath(Dir, "System.Text.Json, Version=4.0.0.0, Culture=neutral, PublicKeyToken=0123456789abcdef", requester));
        Assert.Null(ModuleInitializer.DesktopDependencyPath(Dir, "System.Management.Automation, Version=3.0.0.0", requester));
        Assert.Null(ModuleInitializer.DesktopDependencyPath(Dir, "LambdaIdentity.Core.resources, Culture=de", requester));
        Assert.Null(ModuleInitializer.DesktopDependencyPath(Dir, "Not.Shipped", requester));
        Assert.Null(ModuleInitializer.DesktopDependencyPath(Dir, "not a valid, name=,", requester));
    }

    [Fact]
    public void On51AnotherModulesRequestIsNeverAnswered()
    {
        // Az.Accounts asking for its Azure.Core (any version, even exactly ours) or MSAL gets nothing from this module.
        foreach (var name in new[] { "Azure.Core", "Microsoft.Identity.Client", "AWSSDK.Core", "System.Text.Json" })
        {
            Assert.Null(ModuleInitializer.DesktopDependencyPath(Dir, Shipped(name), OtherModule));
            Assert.Null(ModuleInitializer.DesktopDependencyPath(Dir, name, OtherModule));
        }
        // A requester outside the folder whose path merely starts like it is not ours.
        Assert.Null(ModuleInitializer.DesktopDependencyPath(Dir, Shipped("Azure.Core"), Dir.TrimEnd('/') + "Other/x.dll"));
    }

    [Fact]
    public void On51ARequestFromAnUnknownRequesterIsAnsweredOnlyWithExactlyTheAssemblyAskedFor()
    {
        Assert.Equal(Dependency("AWSSDK.SecurityToken"), ModuleInitializer.DesktopDependencyPath(Dir, Shipped("AWSSDK.SecurityToken"), null));
        var older = new AssemblyName(Shipped("Microsoft.Identity.Client")) { Version = new Version(4, 55, 0, 0) };
        Assert.Null(ModuleInitializer.DesktopDependencyPath(Dir, older.FullName, null));
        Assert.Null(ModuleInitializer.DesktopDependencyPath(Dir, "Azure.Core", null));
    }

    [Fact]
    public void On51Tls12IsAddedToAnExplicitProtocolListAndTheSystemDefaultIsLeftToTheSystem()
    {
        Assert.Equal(SecurityProtocolType.Tls | SecurityProtocolType.Tls12, ModuleInitializer.WithTls12(SecurityProtocolType.Tls));
        Assert.Equal(SecurityProtocolType.Tls12, ModuleInitializer.WithTls12(SecurityProtocolType.Tls12));
        Assert.Equal((SecurityProtocolType)0, ModuleInitializer.WithTls12((SecurityProtocolType)0));
    }

    [Fact]
    public void PowerShell7OlderThan74IsRefusedWithAMessageNamingTheMinimum()
    {
        var message = ModuleInitializer.UnsupportedRuntime(new Version(6, 0, 36));
        Assert.NotNull(message);
        Assert.Contains("PowerShell 7.4 or later", message);
        Assert.Contains("6.0.36", message);
        Assert.Null(ModuleInitializer.UnsupportedRuntime(new Version(8, 0, 0)));
        Assert.Null(ModuleInitializer.UnsupportedRuntime(Environment.Version));
    }

    [Fact]
    public void TheEngineContextTakesTheHostsCopyOnlyWhenItIsAtLeastAsNewAndSignedAlike()
    {
        var requested = new AssemblyName("System.Text.Json, Version=8.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51");
        Assert.True(EngineLoadContext.Satisfies(requested, typeof(System.Text.Json.JsonSerializer).Assembly.GetName()));
        Assert.False(EngineLoadContext.Satisfies(requested, new AssemblyName("System.Text.Json, Version=6.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51")));
        Assert.False(EngineLoadContext.Satisfies(requested, new AssemblyName("System.Text.Json, Version=9.0.0.0, Culture=neutral, PublicKeyToken=0123456789abcdef")));
        Assert.False(EngineLoadContext.Satisfies(requested, new AssemblyName("System.Memory, Version=9.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51")));
    }

    [Fact]
    public void TheEngineContextLoadsTheEngineAndItsSdksApartAndSharesTheRecords()
    {
        // The test process's default context already has Azure.Core and the records; the engine context must not use its Azure.Core.
        var host = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var a in AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && !string.IsNullOrEmpty(a.Location) && a.Location.Contains("/shared/Microsoft.NETCore.App/")))
            host[a.GetName().Name!] = a.Location;
        var context = new EngineLoadContext(Dir, Path.Combine(Dir, "dependencies"), host);
        var core = context.LoadFromAssemblyName(new AssemblyName("LambdaIdentity.Core"));
        Assert.Same(context, System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(core));
        Assert.Equal(Dependency("LambdaIdentity.Core"), core.Location);
        var azureCore = context.LoadFromAssemblyName(new AssemblyName("Azure.Core"));
        Assert.Same(context, System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(azureCore));
        Assert.NotSame(typeof(Azure.Core.AccessToken).Assembly, azureCore);
        var model = context.LoadFromAssemblyName(new AssemblyName("LambdaIdentity.Model"));
        Assert.Same(System.Runtime.Loader.AssemblyLoadContext.Default, System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(model));
        var json = context.LoadFromAssemblyName(new AssemblyName("System.Text.Json, Version=8.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51"));
        Assert.Same(typeof(System.Text.Json.JsonSerializer).Assembly, json);
    }
}

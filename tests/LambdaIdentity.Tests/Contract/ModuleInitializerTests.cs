using System.Management.Automation;
using LambdaIdentity.PowerShell;
using Xunit;

namespace LambdaIdentity.Tests.Contract;

public class ModuleInitializerTests
{
    [Fact]
    public void TheModuleRegistersAnImportHook()
    {
        var hooks = typeof(ModuleInitializer).Assembly.GetTypes().Where(t => typeof(IModuleAssemblyInitializer).IsAssignableFrom(t) && !t.IsAbstract).ToList();
        Assert.Equal(typeof(ModuleInitializer), Assert.Single(hooks));
        Assert.True(typeof(IModuleAssemblyCleanup).IsAssignableFrom(typeof(ModuleInitializer)), "the hook must unregister on Remove-Module");
    }

    [Fact]
    public void AnyVersionOfAShippedDependencyResolvesToTheModulesCopyAndNothingElseResolves()
    {
        var dir = CmdletMetadata.ModuleOut;
        var stj = ModuleInitializer.ModuleDependencyPath(dir, "System.Text.Json, Version=4.0.1.2, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51");
        Assert.Equal(Path.Combine(dir, "System.Text.Json.dll"), stj);
        Assert.NotNull(ModuleInitializer.ModuleDependencyPath(dir, "System.Memory"));
        Assert.Null(ModuleInitializer.ModuleDependencyPath(dir, "System.Management.Automation, Version=3.0.0.0"));
        Assert.Null(ModuleInitializer.ModuleDependencyPath(dir, "LambdaIdentity.Core.resources, Culture=de"));
        Assert.Null(ModuleInitializer.ModuleDependencyPath(dir, "Not.Shipped"));
        Assert.Null(ModuleInitializer.ModuleDependencyPath(dir, "not a valid, name=,"));
    }
}

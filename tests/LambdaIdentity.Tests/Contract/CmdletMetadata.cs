using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Reflection;
using System.Xml.Linq;
using LambdaIdentity.PowerShell;
using Xunit;

namespace LambdaIdentity.Tests.Contract;

/// <summary>
/// Reads cmdlet metadata by reflection. PowerShellStandard.Library's attributes are stubs whose properties
/// read back as defaults, so the attributes' recorded constructor and named arguments are read instead.
/// </summary>
internal static class CmdletMetadata
{
    public static Assembly Module { get; } = typeof(AsyncPSCmdlet).Assembly;

    /// <summary>Every cmdlet class of the module.</summary>
    public static IReadOnlyList<Type> Cmdlets { get; } = Module.GetTypes()
        .Where(t => t.IsClass && !t.IsAbstract && t.CustomAttributes.Any(a => a.AttributeType == typeof(CmdletAttribute)))
        .OrderBy(t => t.Name).ToList();

    public static CustomAttributeData CmdletAttr(Type t) => t.CustomAttributes.Single(a => a.AttributeType == typeof(CmdletAttribute));

    public static string Verb(Type t) => (string)CmdletAttr(t).ConstructorArguments[0].Value!;

    public static string Noun(Type t) => (string)CmdletAttr(t).ConstructorArguments[1].Value!;

    public static string Name(Type t) => Verb(t) + "-" + Noun(t);

    public static Type ByName(string name) => Cmdlets.Single(t => Name(t) == name);

    public static Dictionary<string, object?> Named(CustomAttributeData a) => a.NamedArguments.ToDictionary(n => n.MemberName, n => n.TypedValue.Value);

    public static bool SupportsShouldProcess(Type t) => Named(CmdletAttr(t)).TryGetValue("SupportsShouldProcess", out var v) && v is true;

    /// <summary>The types named by every [OutputType] of the cmdlet.</summary>
    public static IReadOnlyList<Type> OutputTypes(Type t) => t.CustomAttributes.Where(a => a.AttributeType == typeof(OutputTypeAttribute))
        .SelectMany(a => a.ConstructorArguments)
        .SelectMany(a => a.Value is ReadOnlyCollection<CustomAttributeTypedArgument> c ? c.Select(x => x.Value) : new[] { a.Value })
        .OfType<Type>().ToList();

    /// <summary>The cmdlet's parameters (properties carrying [Parameter]).</summary>
    public static IReadOnlyList<PropertyInfo> Parameters(Type t) => t.GetProperties()
        .Where(p => p.CustomAttributes.Any(a => a.AttributeType == typeof(ParameterAttribute))).ToList();

    /// <summary>Parameter names as users see them: declared ones plus -WhatIf/-Confirm where ShouldProcess is supported.</summary>
    public static IReadOnlyList<string> PublicParameterNames(Type t)
        => Parameters(t).Select(p => p.Name).Concat(SupportsShouldProcess(t) ? new[] { "WhatIf", "Confirm" } : Array.Empty<string>()).ToList();

    /// <summary>Each [Parameter] attribute of a property, as its named arguments.</summary>
    public static List<Dictionary<string, object?>> ParameterAttrs(Type t, string name)
        => t.GetProperty(name)!.CustomAttributes.Where(a => a.AttributeType == typeof(ParameterAttribute)).Select(Named).ToList();

    public static IReadOnlyList<string> Aliases(Type t, string name) => t.GetProperty(name)!.CustomAttributes
        .Where(a => a.AttributeType == typeof(AliasAttribute))
        .SelectMany(a => (IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!)
        .Select(a => (string)a.Value!).ToList();

    public static bool IsTrue(Dictionary<string, object?> attr, string name) => attr.TryGetValue(name, out var v) && v is true;

    /// <summary>The importable module folder the build assembles; a missing folder fails with what to do.</summary>
    public static string ModuleOut
    {
        get
        {
            var dir = Path.Combine(TestPaths.RepoRoot, "out", "LambdaIdentity");
            Assert.True(Directory.Exists(dir), $"The module folder {dir} is missing: `dotnet build LambdaIdentity.sln -c Release` assembles it (src/LambdaIdentity.PowerShell/Module.targets).");
            return dir;
        }
    }

    public static string ManifestText => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "LambdaIdentity.psd1"));

    /// <summary>The quoted strings of one array or scalar key of the manifest, e.g. CmdletsToExport.</summary>
    public static IReadOnlyList<string> ManifestList(string text, string key)
    {
        var m = System.Text.RegularExpressions.Regex.Match(text, @"(?m)^\s*" + key + @"\s*=\s*(@\((?<list>[^)]*)\)|'(?<one>[^']*)')");
        Assert.True(m.Success, "The manifest has no " + key);
        if (m.Groups["one"].Success) return new[] { m.Groups["one"].Value };
        return System.Text.RegularExpressions.Regex.Matches(m.Groups["list"].Value, "'([^']*)'").Select(x => x.Groups[1].Value).ToList();
    }

    public static XDocument FormatFile => XDocument.Load(Path.Combine(TestPaths.RepoRoot, "module", "LambdaIdentity.Format.ps1xml"));
}

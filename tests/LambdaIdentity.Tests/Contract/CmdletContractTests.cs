using LambdaIdentity.Model;
using Xunit;
using static LambdaIdentity.Tests.Contract.CmdletMetadata;

namespace LambdaIdentity.Tests.Contract;

/// <summary>The cmdlet surface as PowerShell users meet it, checked by reflection (no PowerShell on this machine).</summary>
public sealed class CmdletContractTests
{
    /// <summary>Get-Verb of PowerShell 7.4 (Windows PowerShell 5.1 lacks Build and Deploy, which no cmdlet here uses).</summary>
    private static readonly HashSet<string> ApprovedVerbs = new(StringComparer.Ordinal)
    {
        // Common
        "Add", "Clear", "Close", "Copy", "Enter", "Exit", "Find", "Format", "Get", "Hide", "Join", "Lock", "Move", "New", "Open", "Optimize",
        "Pop", "Push", "Redo", "Remove", "Rename", "Reset", "Resize", "Search", "Select", "Set", "Show", "Skip", "Split", "Step", "Switch",
        "Undo", "Unlock", "Watch",
        // Communications
        "Connect", "Disconnect", "Read", "Receive", "Send", "Write",
        // Data
        "Backup", "Checkpoint", "Compare", "Compress", "Convert", "ConvertFrom", "ConvertTo", "Dismount", "Edit", "Expand", "Export", "Group",
        "Import", "Initialize", "Limit", "Merge", "Mount", "Out", "Publish", "Restore", "Save", "Sync", "Unpublish", "Update",
        // Diagnostic
        "Debug", "Measure", "Ping", "Repair", "Resolve", "Test", "Trace",
        // Lifecycle
        "Approve", "Assert", "Build", "Complete", "Confirm", "Deny", "Deploy", "Disable", "Enable", "Install", "Invoke", "Register", "Request",
        "Restart", "Resume", "Start", "Stop", "Submit", "Suspend", "Uninstall", "Unregister", "Wait",
        // Security
        "Block", "Grant", "Protect", "Revoke", "Unblock", "Unprotect",
        // Other
        "Use",
    };

    /// <summary>Verbs whose cmdlets write files or change state, so must support -WhatIf and -Confirm.</summary>
    private static readonly HashSet<string> StateChangingVerbs = new(StringComparer.Ordinal)
    {
        "Add", "Clear", "Copy", "Move", "New", "Remove", "Rename", "Reset", "Set", "Export", "Import", "Install", "Uninstall", "Publish",
        "Unpublish", "Update", "Save", "Register", "Unregister", "Grant", "Revoke", "Start", "Stop", "Restart", "Enable", "Disable", "Deploy",
    };

    /// <summary>Cmdlets that write files but return a summary of them rather than FileInfo objects.</summary>
    private static readonly HashSet<string> WritesFilesAndReturnsASummary = new(StringComparer.Ordinal) { "Invoke-LambdaIdentityAssessment" };

    [Fact]
    public void TheModuleHasItsNineCmdlets() => Assert.Equal(9, Cmdlets.Count);

    [Fact]
    public void EveryCmdletUsesAnApprovedVerbAndIsNamedVerbNounCommand()
    {
        foreach (var t in Cmdlets)
        {
            Assert.True(ApprovedVerbs.Contains(Verb(t)), Name(t) + " uses the unapproved verb " + Verb(t));
            Assert.Equal(Verb(t) + Noun(t) + "Command", t.Name);
            Assert.True(t.IsSealed, t.Name + " is not sealed");
            Assert.Equal("LambdaIdentity.PowerShell.Commands", t.Namespace);
        }
    }

    [Fact]
    public void EveryCmdletDeclaresItsOutputTypes()
    {
        foreach (var t in Cmdlets) Assert.True(OutputTypes(t).Count > 0, Name(t) + " declares no [OutputType]");
    }

    [Fact]
    public void CmdletsThatWriteFilesOrChangeStateSupportShouldProcessAndNoOthersDo()
    {
        foreach (var t in Cmdlets)
        {
            var writesFiles = OutputTypes(t).Contains(typeof(FileInfo)) || WritesFilesAndReturnsASummary.Contains(Name(t));
            var changes = StateChangingVerbs.Contains(Verb(t)) || writesFiles;
            Assert.True(changes == SupportsShouldProcess(t), Name(t) + (changes ? " writes files or changes state but does not support ShouldProcess" : " changes nothing but declares SupportsShouldProcess"));
        }
    }

    [Fact]
    public void SwitchesAndOptionsNeverBindFromThePipeline()
    {
        foreach (var t in Cmdlets)
            foreach (var p in Parameters(t).Where(p => p.PropertyType == typeof(System.Management.Automation.SwitchParameter)))
                foreach (var a in ParameterAttrs(t, p.Name))
                    Assert.False(IsTrue(a, "ValueFromPipeline") || IsTrue(a, "ValueFromPipelineByPropertyName"), Name(t) + " -" + p.Name + " binds from the pipeline");
    }

    [Fact]
    public void NoParameterIsTypedObject()
    {
        foreach (var t in Cmdlets)
            foreach (var p in Parameters(t))
                Assert.False(p.PropertyType == typeof(object) || p.PropertyType == typeof(object[]), Name(t) + " -" + p.Name + " is object-typed");
    }

    [Fact]
    public void TheCmdletSurfaceNamesOnlyModelAndFrameworkTypes()
    {
        // Parameter and output types come from the dependency-free model or the framework, never the engine or an SDK.
        var model = typeof(LambdaFunctionIdentity).Assembly;
        bool Allowed(Type type)
        {
            var t = type.IsArray ? type.GetElementType()! : type;
            return t.Assembly == model || t.Assembly == typeof(object).Assembly || t.Assembly == typeof(Uri).Assembly || t.Namespace == "System.Collections" || t.Namespace == "System.IO"
                   || t.Assembly == typeof(System.Management.Automation.SwitchParameter).Assembly;
        }
        foreach (var t in Cmdlets)
        {
            foreach (var p in Parameters(t)) Assert.True(Allowed(p.PropertyType), Name(t) + " -" + p.Name + " is a " + p.PropertyType.FullName + " from " + p.PropertyType.Assembly.GetName().Name);
            foreach (var o in OutputTypes(t)) Assert.True(Allowed(o), Name(t) + " writes " + o.FullName + " from " + o.Assembly.GetName().Name);
        }
    }

    [Fact]
    public void ConvertToAzRoleMappingTakesInventoryRecordsByValueAndTheirKeysByPropertyName()
    {
        var t = ByName("ConvertTo-AzRoleMapping");
        Assert.Equal(typeof(LambdaFunctionIdentity[]), t.GetProperty("InputObject")!.PropertyType);
        Assert.All(ParameterAttrs(t, "InputObject"), a => Assert.True(IsTrue(a, "ValueFromPipeline")));
        Assert.Contains(ParameterAttrs(t, "InputObject"), a => IsTrue(a, "Mandatory"));
        foreach (var name in new[] { "FunctionName", "FunctionArn", "RoleArn" })
        {
            // The record carries the property the parameter binds from.
            Assert.NotNull(typeof(LambdaFunctionIdentity).GetProperty(name));
            var attrs = ParameterAttrs(t, name);
            Assert.NotEmpty(attrs);
            Assert.All(attrs, a => Assert.True(IsTrue(a, "ValueFromPipelineByPropertyName"), "-" + name));
            Assert.All(attrs, a => Assert.Equal("PropertyName", a["ParameterSetName"]));
            Assert.Equal(typeof(string), t.GetProperty(name)!.PropertyType);
        }
        Assert.Contains("Arn", Aliases(t, "FunctionArn"));
        Assert.Contains(ParameterAttrs(t, "FunctionName"), a => IsTrue(a, "Mandatory"));
        // -InputObject is in the property-name set too, so a deserialised record converts to the full record there.
        Assert.Contains(ParameterAttrs(t, "InputObject"), a => a.TryGetValue("ParameterSetName", out var s) && (string?)s == "PropertyName" && !IsTrue(a, "Mandatory"));
    }

    [Fact]
    public void TestIdentityParityTakesMappingsByValueAndAssignmentsByPropertyName()
    {
        var t = ByName("Test-IdentityParity");
        Assert.Equal(typeof(AzRoleMapping[]), t.GetProperty("InputObject")!.PropertyType);
        Assert.All(ParameterAttrs(t, "InputObject"), a => Assert.True(IsTrue(a, "ValueFromPipeline")));
        foreach (var name in new[] { "RoleDefinitionName", "RoleDefinitionId", "Scope", "ObjectId" })
        {
            Assert.NotNull(typeof(AzRoleMapping).GetProperty(name));
            var attrs = ParameterAttrs(t, name);
            Assert.Equal(2, attrs.Count);
            Assert.All(attrs, a => Assert.True(IsTrue(a, "ValueFromPipelineByPropertyName"), "-" + name));
            Assert.Equal(new[] { "LivePropertyName", "OfflinePropertyName" }, attrs.Select(a => (string)a["ParameterSetName"]!).OrderBy(s => s));
        }
        Assert.Contains("PrincipalId", Aliases(t, "ObjectId"));
        // Four sets at most: offline or live, records or properties.
        var sets = Parameters(t).SelectMany(p => ParameterAttrs(t, p.Name)).Select(a => a.TryGetValue("ParameterSetName", out var s) ? (string?)s : null).Where(s => s != null).Distinct().ToList();
        Assert.Equal(4, sets.Count);
    }

    [Fact]
    public void ParityResultsCarryTheStatusTheNextStepFiltersOn()
    {
        Assert.Equal(typeof(ParityStatus), typeof(IdentityParityResult).GetProperty("Status")!.PropertyType);
        Assert.Contains(typeof(IdentityParityResult), OutputTypes(ByName("Test-IdentityParity")));
        var report = ByName("Export-LambdaIdentityReport");
        Assert.Equal(typeof(IdentityParityResult[]), report.GetProperty("ParityResult")!.PropertyType);
        Assert.All(ParameterAttrs(report, "ParityResult"), a => Assert.True(IsTrue(a, "ValueFromPipeline")));
    }

    [Fact]
    public void TheManifestExportsExactlyTheCmdlets()
    {
        var text = ManifestText;
        var exported = ManifestList(text, "CmdletsToExport").OrderBy(s => s, StringComparer.Ordinal).ToList();
        Assert.Equal(Cmdlets.Select(Name).OrderBy(s => s, StringComparer.Ordinal), exported);
        Assert.Empty(ManifestList(text, "FunctionsToExport"));
        Assert.Empty(ManifestList(text, "AliasesToExport"));
        Assert.Empty(ManifestList(text, "VariablesToExport"));
        Assert.Equal(new[] { "Desktop", "Core" }, ManifestList(text, "CompatiblePSEditions"));
        Assert.Equal(new[] { "LambdaIdentity.PowerShell.dll" }, ManifestList(text, "RootModule"));
        Assert.DoesNotContain("RequiredAssemblies", text);
        Assert.DoesNotContain("NestedModules", text);
    }
}

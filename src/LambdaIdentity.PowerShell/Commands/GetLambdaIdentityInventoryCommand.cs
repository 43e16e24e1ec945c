using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading.Tasks;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Model;

namespace LambdaIdentity.PowerShell.Commands;

/// <summary>
/// Get-LambdaIdentityInventory: reads SAM/CloudFormation templates, AWS CLI and AWS Tools for PowerShell
/// exports, authorization details and Terraform JSON into one identity record per Lambda function.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LambdaIdentityInventory", DefaultParameterSetName = "Path")]
[OutputType(typeof(LambdaFunctionIdentity))]
public sealed class GetLambdaIdentityInventoryCommand : AsyncPSCmdlet
{
    private readonly List<string> _paths = new();
    private string _location = "";

    /// <summary>Files or folders (read recursively); Get-ChildItem output binds through FullName.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Template parameter overrides: @{ Stage = 'prod' }.</summary>
    [Parameter]
    public Hashtable? Parameter { get; set; }

    /// <summary>The region templates are deployed to (value of AWS::Region).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Region { get; set; }

    /// <summary>The account templates are deployed to (value of AWS::AccountId).</summary>
    [Parameter]
    [ValidatePattern("^[0-9]{12}$")]
    public string? AccountId { get; set; }

    /// <inheritdoc />
    protected override Task BeginProcessingAsync(EngineContext context)
    {
        _location = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task ProcessRecordAsync(EngineContext context)
    {
        // Sources are merged across files, so paths are collected here and read once at the end.
        foreach (var p in Path) _paths.Add(System.IO.Path.IsPathRooted(p) ? p : System.IO.Path.Combine(_location, p));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task EndProcessingAsync(EngineContext context)
    {
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Parameter != null) foreach (DictionaryEntry e in Parameter) overrides[e.Key?.ToString() ?? ""] = e.Value?.ToString() ?? "";
        var options = new InventoryOptions { Parameters = overrides, Region = Region, AccountId = AccountId };
        context.Verbose($"Reading {_paths.Count} path(s); region {Region ?? "(token)"}, account {AccountId ?? "(token)"}.");
        foreach (var record in new InventoryReader().Read(_paths, options, context)) WriteObjectAsync(record);
        return Task.CompletedTask;
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading.Tasks;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Live;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Model;

namespace LambdaIdentity.PowerShell.Commands;

/// <summary>
/// Get-LambdaIdentityInventory: reads SAM/CloudFormation templates, AWS CLI and AWS Tools for PowerShell
/// exports, authorization details and Terraform JSON (set Path), or the account live through the Lambda, IAM and
/// STS APIs (set Live), into one identity record per Lambda function.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LambdaIdentityInventory", DefaultParameterSetName = "Path")]
[OutputType(typeof(LambdaFunctionIdentity))]
public sealed class GetLambdaIdentityInventoryCommand : AsyncPSCmdlet
{
    private readonly List<string> _paths = new();

    /// <summary>Files or folders (read recursively), as PowerShell paths with wildcards; Get-ChildItem output binds through FullName.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path", ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Files or folders taken exactly as typed (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "LiteralPath")]
    [Alias("LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>Template parameter overrides: @{ Stage = 'prod' }.</summary>
    [Parameter]
    public Hashtable? Parameter { get; set; }

    /// <summary>Path: the region templates are deployed to (AWS::Region; one value). Live: the regions to read.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(AwsRegionCompleter))]
    public string[]? Region { get; set; }

    /// <summary>Path: the account templates are deployed to (value of AWS::AccountId; one value). Live: the accounts to read, each through -AssumeRoleName.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidatePattern("^[0-9]{12}$")]
    public string[]? AccountId { get; set; }

    /// <summary>Live, several accounts: the role to assume in each (arn:aws:iam::{account}:role/{name}).</summary>
    [Parameter(ParameterSetName = "Live")]
    [ValidateNotNullOrEmpty]
    public string? AssumeRoleName { get; set; }

    /// <summary>Live: read every ACTIVE account of the organization (Organizations ListAccounts), or those of -AccountId among them.</summary>
    [Parameter(ParameterSetName = "Live")]
    public SwitchParameter OrganizationAccounts { get; set; }

    /// <summary>Read the account live (Lambda, IAM and STS APIs) instead of files.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Live")]
    public SwitchParameter Live { get; set; }

    /// <summary>The AWS shared-config profile whose credentials and region to use (default: the SDK's credential chain).</summary>
    [Parameter(ParameterSetName = "Live")]
    [Alias("AWSProfileName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(AwsProfileCompleter))]
    public string? ProfileName { get; set; }

    /// <summary>One endpoint for every call (LocalStack, a VPC endpoint, tests); signing still uses the region.</summary>
    [Parameter(ParameterSetName = "Live")]
    public Uri? EndpointUrl { get; set; }

    /// <summary>Seconds to wait for one AWS response before it counts as failed and is retried (default 100).</summary>
    [Parameter(ParameterSetName = "Live")]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 100;

    /// <summary>Retries of a throttled, 5xx or timed-out call before it is reported (default 5; 0 = none).</summary>
    [Parameter(ParameterSetName = "Live")]
    [ValidateRange(0, 20)]
    public int MaxRetries { get; set; } = 5;

    /// <inheritdoc />
    protected override async Task ProcessRecordAsync(EngineContext context)
    {
        if (Live.IsPresent) return;
        // Sources are merged across files, so paths are collected here and read once at the end. A path that matches
        // nothing is an error naming it (PathNotFound), and the others are still read.
        var literal = ParameterSetName == "LiteralPath";
        var given = literal ? TakeOnce(nameof(LiteralPath), LiteralPath) : TakeOnce(nameof(Path), Path);
        if (given is null) return;
        _paths.AddRange(await OnPipelineThread(() => ResolveInputPaths(given, literal)).ConfigureAwait(false));
    }

    /// <inheritdoc />
    protected override async Task EndProcessingAsync(EngineContext context)
    {
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Parameter != null) foreach (DictionaryEntry e in Parameter) overrides[e.Key?.ToString() ?? ""] = e.Value?.ToString() ?? "";
        if (Live.IsPresent)
        {
            var live = new AwsLiveOptions { ProfileName = ProfileName, EndpointUrl = EndpointUrl, RequestTimeout = TimeSpan.FromSeconds(TimeoutSec), MaxRetries = MaxRetries };
            foreach (var r in Region ?? Array.Empty<string>()) live.Regions.Add(r);
            foreach (var a in AccountId ?? Array.Empty<string>()) live.AccountIds.Add(a);
            live.AssumeRoleName = AssumeRoleName;
            live.OrganizationAccounts = OrganizationAccounts.IsPresent;
            try
            {
                var records = await new AwsLiveInventoryReader(live).ReadAsync(new InventoryOptions { Parameters = overrides }, context).ConfigureAwait(false);
                foreach (var record in records) WriteObjectAsync(record);
            }
            catch (AwsLiveSetupException ex)
            {
                Post(() => ThrowTerminatingError(new ErrorRecord(ex, "AwsLiveSetupFailed", ErrorCategory.AuthenticationError, ProfileName ?? "default credentials")));
            }
            return;
        }
        if (Region is { Length: > 1 })
        {
            Post(() => ThrowTerminatingError(new ErrorRecord(new ArgumentException("Templates are deployed to one region: give one -Region (several only with -Live)."), "RegionAmbiguous", ErrorCategory.InvalidArgument, Region)));
            return;
        }
        if (AccountId is { Length: > 1 })
        {
            Post(() => ThrowTerminatingError(new ErrorRecord(new ArgumentException("Templates are deployed to one account: give one -AccountId (several only with -Live)."), "AccountAmbiguous", ErrorCategory.InvalidArgument, AccountId)));
            return;
        }
        if (_paths.Count == 0) return; // every path was an error already
        var region = Region is { Length: 1 } ? Region[0] : null;
        var account = AccountId is { Length: 1 } ? AccountId[0] : null;
        var options = new InventoryOptions { Parameters = overrides, Region = region, AccountId = account };
        context.Verbose($"Reading {_paths.Count} path(s); region {region ?? "(token)"}, account {account ?? "(token)"}.");
        foreach (var record in new InventoryReader().Read(_paths, options, context)) WriteObjectAsync(record);
    }
}

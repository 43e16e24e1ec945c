using System.CommandLine;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Live;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Model;

namespace LambdaIdentity.Cli.Verbs;

/// <summary>The options that read the AWS side live (`--live`), shared by `inventory` and `assess`.</summary>
internal sealed class AwsLiveCliOptions
{
    public Option<bool> Live { get; } = new("--live") { Description = "Read the AWS account live (Lambda and IAM APIs, SigV4-signed) instead of files; see docs/live-aws.md for the permissions." };
    public Option<string[]> Region { get; } = new("--region")
    {
        Description = "With --live: the region(s) to read (repeatable; default AWS_REGION, AWS_DEFAULT_REGION or the profile's). Without: the value of AWS::Region in templates.",
        AllowMultipleArgumentsPerToken = true,
    };
    public Option<string?> Profile { get; } = new("--profile") { Description = "With --live: a named profile of the shared config/credentials files (default: AWSSDK.Core's default credential chain)." };
    public Option<string?> EndpointUrl { get; } = new("--endpoint-url") { Description = "With --live: send every call to this URL (LocalStack, tests, a proxy) instead of the AWS endpoints." };

    public Option<double?> Timeout { get; } = new("--timeout") { Description = "With --live: seconds to wait for one response before it counts as failed (and is retried); default 100." };
    public Option<int?> MaxRetries { get; } = new("--max-retries") { Description = "With --live: retries of a throttled, 5xx or timed-out call before it is reported (0 = none); default 5." };

    public Option<string[]> Accounts { get; } = new("--accounts")
    {
        Description = "With --live: the accounts to read (12 digits; repeatable or comma-separated), each through the role --assume-role names.",
        AllowMultipleArgumentsPerToken = true,
    };
    public Option<bool> Organization { get; } = new("--organization") { Description = "With --live: read every ACTIVE account of the organization (Organizations ListAccounts), or those of --accounts among them, through --assume-role." };
    public Option<string?> AssumeRole { get; } = new("--assume-role") { Description = "With --accounts or --organization: the role NAME to assume in each account (arn:aws:iam::{account}:role/NAME)." };
    public Option<int?> MaxConcurrency { get; } = new("--max-concurrency") { Description = "With --live: the most calls in flight to one endpoint (a service in a region of an account); admission adapts below it. Default 64; 1 reads one call at a time." };

    public IEnumerable<Option> All => new Option[] { Live, Region, Profile, EndpointUrl, Timeout, MaxRetries, Accounts, Organization, AssumeRole, MaxConcurrency };

    /// <summary>The --accounts values, comma-separated lists split.</summary>
    public string[] AccountIds(ParseResult r) => (r.GetValue(Accounts) ?? Array.Empty<string>())
        .SelectMany(a => a.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries)).Select(a => a.Trim()).Where(a => a.Length > 0).ToArray();

    /// <summary>Checks that --path and --live are not both (or neither) given; 0 when fine, else the exit code.</summary>
    public int Validate(CliIO io, ParseResult r, Option<string[]> path)
    {
        var live = r.GetValue(Live);
        var paths = r.GetValue(path) ?? Array.Empty<string>();
        if (live == paths.Length > 0)
        {
            return live ? io.Usage("ArgumentConflict", "give either --path or --live, not both.") : io.Usage("ArgumentMissing", "give --path (files or folders) or --live.");
        }
        if (!live && (r.GetValue(Profile) is not null || r.GetValue(EndpointUrl) is not null))
        {
            return io.Usage("ArgumentConflict", "--profile and --endpoint-url apply to --live only.");
        }
        if (!live && (r.GetValue(Timeout) is not null || r.GetValue(MaxRetries) is not null))
        {
            io.Err.WriteLine("error: ArgumentConflict: --timeout and --max-retries apply to --live only.");
            return 2;
        }
        if (r.GetValue(Timeout) is double t && (double.IsNaN(t) || t <= 0 || t > 3600))
        {
            io.Err.WriteLine("error: ArgumentInvalid: --timeout is seconds, more than 0 and at most 3600.");
            return 2;
        }
        if (r.GetValue(MaxRetries) is int m && (m < 0 || m > 20))
        {
            io.Err.WriteLine("error: ArgumentInvalid: --max-retries is 0 to 20.");
            return 2;
        }
        var accounts = AccountIds(r);
        var several = accounts.Length > 0 || r.GetValue(Organization);
        if (!live && (several || r.GetValue(AssumeRole) is not null || r.GetValue(MaxConcurrency) is not null))
            return io.Usage("ArgumentConflict", "--accounts, --organization, --assume-role and --max-concurrency apply to --live only.");
        if (accounts.FirstOrDefault(a => !System.Text.RegularExpressions.Regex.IsMatch(a, "^[0-9]{12}$")) is { } bad)
            return io.Usage("ArgumentInvalid", $"--accounts '{bad}' is not an AWS account id (12 digits).");
        if (several && string.IsNullOrWhiteSpace(r.GetValue(AssumeRole)))
            return io.Usage("ArgumentMissing", "--accounts and --organization need --assume-role NAME, the role to assume in each account.");
        if (!several && r.GetValue(AssumeRole) is not null)
            return io.Usage("ArgumentConflict", "--assume-role applies with --accounts or --organization.");
        if (r.GetValue(MaxConcurrency) is int mc && (mc < 1 || mc > 256))
            return io.Usage("ArgumentInvalid", "--max-concurrency is 1 to 256.");
        if (!live && (r.GetValue(Region)?.Length ?? 0) > 1)
        {
            return io.Usage("ArgumentConflict", "several --region values apply to --live only (templates take one AWS::Region).");
        }
        if (!live && io.RequireExisting("--path", paths) is var missing and not 0) return missing;
        if (live && r.GetValue(EndpointUrl) is { } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri) || (endpointUri.Scheme != Uri.UriSchemeHttps && endpointUri.Scheme != Uri.UriSchemeHttp)))
            return io.Usage("ArgumentInvalid", $"--endpoint-url '{endpoint}' is not an http(s) URL.");
        return 0;
    }

    /// <summary>The first --region (AWS::Region for templates).</summary>
    public string? TemplateRegion(ParseResult r) => r.GetValue(Region)?.FirstOrDefault();

    /// <summary>Reads live; returns null and writes the setup error when it cannot start (exit 2).</summary>
    public List<LambdaFunctionIdentity>? Read(CliIO io, ParseResult r, InventoryOptions options, CancellationToken ct) => Read(r, options, io.Context(ct));

    /// <summary>Reads live with the given context (its errors, its cancellation); null after reporting a setup error.</summary>
    public List<LambdaFunctionIdentity>? Read(ParseResult r, InventoryOptions options, EngineContext context)
    {
        var endpoint = r.GetValue(EndpointUrl);
        Uri? endpointUri = null;
        if (endpoint is not null && !Uri.TryCreate(endpoint, UriKind.Absolute, out endpointUri)) return null; // checked by Validate
        var live = new AwsLiveOptions { ProfileName = r.GetValue(Profile), EndpointUrl = endpointUri };
        if (r.GetValue(Timeout) is double seconds) live.RequestTimeout = TimeSpan.FromSeconds(seconds);
        if (r.GetValue(MaxRetries) is int retries) live.MaxRetries = retries;
        foreach (var region in r.GetValue(Region) ?? Array.Empty<string>()) live.Regions.Add(region);
        foreach (var account in AccountIds(r)) live.AccountIds.Add(account);
        live.OrganizationAccounts = r.GetValue(Organization);
        live.AssumeRoleName = r.GetValue(AssumeRole);
        if (r.GetValue(MaxConcurrency) is int concurrency) live.MaxConcurrency = concurrency;
        try
        {
            return new AwsLiveInventoryReader(live).ReadAsync(options, context).GetAwaiter().GetResult().ToList();
        }
        catch (AwsLiveSetupException ex)
        {
            context.Error(new EngineError { ErrorId = "AwsLiveSetupFailed", Category = EngineErrorCategory.InvalidArgument, Target = "aws", Message = ex.Message });
            return null;
        }
    }
}

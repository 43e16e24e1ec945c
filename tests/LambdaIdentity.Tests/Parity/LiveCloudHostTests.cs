using LambdaIdentity.Tests.Contract;
using LambdaIdentity.Tests.Isolation;
using Xunit;

namespace LambdaIdentity.Tests.Parity;

/// <summary>
/// Test-IdentityParity's live cloud and time limit in a real pwsh 7.6.10 (the built module): the cloud of an Az.Accounts
/// context (a stand-in module whose Get-AzContext is in AzureChinaCloud) decides the ARM host, reached through a local
/// CONNECT proxy that tunnels management.chinacloudapi.cn alone to the local ARM server (its certificate trusted through
/// SSL_CERT_FILE); -Environment overrides it; -TimeoutSec 1 on a slow endpoint ends in about a second with $false.
/// </summary>
public sealed class LiveCloudHostTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper _log;
    public LiveCloudHostTests(Xunit.Abstractions.ITestOutputHelper log) => _log = log;

    private const string Subscription = "00000000-0000-0000-0000-0000000000cc";
    private const string AzToken = "li-china-context-token";
    private const string ChinaArm = "management.chinacloudapi.cn";

    private const string Script = """
        $ErrorActionPreference = 'Stop'
        # The Az.Accounts stand-in: its context is in the China cloud; it logs which resource each token was asked for.
        New-Module -Name Az.Accounts -ScriptBlock {
            function Get-AzContext { [pscustomobject]@{ Environment = [pscustomobject]@{ Name = 'AzureChinaCloud'; ResourceManagerUrl = 'https://management.chinacloudapi.cn/' } } }
            function Get-AzAccessToken { param($ResourceUrl, $TenantId) "TOKEN-FOR $ResourceUrl" | Add-Content -Path $env:LI_TOKEN_LOG; [pscustomobject]@{ Token = $env:LI_AZ_TOKEN; ExpiresOn = [DateTimeOffset]::UtcNow.AddHours(1) } }
            Export-ModuleMember -Function Get-AzContext, Get-AzAccessToken
        } | Import-Module
        Import-Module $env:LI_MODULE
        $assignment = [pscustomobject]@{ RoleDefinitionName = 'Reader'; Scope = "/subscriptions/$env:LI_SUBSCRIPTION"; ObjectId = '0d3f7b1e-4c2a-4e6b-9a8d-1f3e5b7c9a11' }
        function Show([string] $Pass, $Out, $Errors) {
            foreach ($o in $Out) {
                if ($o -is [System.Management.Automation.VerboseRecord]) { 'VERBOSE {0} {1}' -f $Pass, $o.Message }
                elseif ($o -is [bool]) { 'QUIET {0} {1}' -f $Pass, $o }
                else { 'RESULT {0} {1}' -f $Pass, $o.Status }
            }
            foreach ($e in $Errors) { 'ERROR {0} {1} {2} {3}' -f $Pass, $e.FullyQualifiedErrorId.Split(',')[0], $e.CategoryInfo.Category, $e.TargetObject }
        }
        # 1. No -Environment: the Az context's cloud.
        $out = $assignment | Test-IdentityParity -SubscriptionId $env:LI_SUBSCRIPTION -Verbose -ErrorAction SilentlyContinue -ErrorVariable e1 4>&1
        Show 'context' $out $e1
        # 2. The same cloud, its role definitions now slow: -TimeoutSec 1.
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $out = $assignment | Test-IdentityParity -SubscriptionId $env:LI_SUBSCRIPTION -TimeoutSec 1 -Quiet -ErrorAction SilentlyContinue -ErrorVariable e2
        'ELAPSED timeout {0}' -f [int]$clock.Elapsed.TotalMilliseconds
        Show 'timeout' $out $e2
        # 3. -Environment overrides the context (the proxy tunnels no US Government host: nothing is read there).
        $out = $assignment | Test-IdentityParity -SubscriptionId $env:LI_SUBSCRIPTION -Environment AzureUSGovernment -TimeoutSec 1 -Quiet -Verbose -ErrorAction SilentlyContinue -ErrorVariable e3 4>&1
        Show 'override' $out $e3
        'DONE'
        """;

    [Fact]
    public async Task TheAzContextsCloudIsReadAndTimeoutSecEndsASlowCallInAboutASecond()
    {
        using var certificate = LocalTls.CreateCertificate(ChinaArm);
        await using var arm = await LocalArmServer.StartAsync(certificate);
        var sub = "/subscriptions/" + Subscription;
        // Role definitions answer at once the first time, then after 60 s.
        arm.Map(sub + "/providers/Microsoft.Authorization/roleDefinitions", async (ctx, hit) =>
        {
            if (hit > 1) { try { await Task.Delay(TimeSpan.FromSeconds(60), ctx.RequestAborted); } catch (OperationCanceledException) { return; } }
            await LocalArmServer.Json(ctx, 200, "{\"value\":[]}");
        });
        foreach (var list in new[] { "Microsoft.Authorization/roleAssignments", "Microsoft.Authorization/roleEligibilitySchedules", "Microsoft.ManagedIdentity/userAssignedIdentities", "Microsoft.Web/sites", "Microsoft.DocumentDB/databaseAccounts" })
            arm.Map(sub + "/providers/" + list, "{\"value\":[]}");
        await using var proxy = ConnectProxy.Start(ChinaArm, arm.BaseUri.Port);

        var dir = Directory.CreateTempSubdirectory("li-cloud-").FullName;
        try
        {
            var certFile = Path.Combine(dir, "local-arm.pem");
            File.WriteAllText(certFile, certificate.ExportCertificatePem());
            var scriptFile = Path.Combine(dir, "host.ps1");
            File.WriteAllText(scriptFile, Script);
            var tokenLog = Path.Combine(dir, "tokens.log");
            var env = new Dictionary<string, string?>
            {
                ["LI_MODULE"] = Path.Combine(CmdletMetadata.ModuleOut, "LambdaIdentity.psd1"),
                ["LI_SUBSCRIPTION"] = Subscription,
                ["LI_AZ_TOKEN"] = AzToken,
                ["LI_TOKEN_LOG"] = tokenLog,
                ["HTTPS_PROXY"] = "http://127.0.0.1:" + proxy.Port,
                ["https_proxy"] = "http://127.0.0.1:" + proxy.Port,
                ["HTTP_PROXY"] = null,
                ["http_proxy"] = null,
                ["NO_PROXY"] = "127.0.0.1,localhost",
                ["no_proxy"] = "127.0.0.1,localhost",
                ["SSL_CERT_FILE"] = certFile,
                ["SSL_CERT_DIR"] = dir,
                ["PSModulePath"] = null,
                ["POWERSHELL_TELEMETRY_OPTOUT"] = "1",
            };
            var (code, stdout, stderr) = await Pwsh.RunAsync(new[] { "-NoProfile", "-NonInteractive", "-File", scriptFile }, env);
            var output = stdout + "\n" + stderr;
            _log.WriteLine(output);
            Assert.True(code == 0 && stdout.Contains("DONE"), $"pwsh exited {code}:\n{output}");
            var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            var tokens = File.ReadAllLines(tokenLog);

            // 1. The Az context's cloud: said in Verbose, the token asked for China's ARM, the requests reached China's ARM host
            // (the proxy tunnels no other host) with that token, and the assignment was judged on what was read.
            Assert.Contains("VERBOSE context Azure cloud: AzureChinaCloud (ARM https://management.chinacloudapi.cn/, sign-in login.chinacloudapi.cn), from the Az context (environment AzureChinaCloud).", lines);
            Assert.Contains("TOKEN-FOR https://management.chinacloudapi.cn/", tokens);
            Assert.Contains(arm.Requests, r => r.Path == sub + "/providers/Microsoft.Authorization/roleAssignments" && r.Authorization == "Bearer " + AzToken);
            Assert.Contains(lines, l => l.StartsWith("RESULT context ", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.StartsWith("ERROR context ", StringComparison.Ordinal));

            // 2. -TimeoutSec 1: about a second, not a minute; one timeout error naming the call; $false (evidence unread).
            var elapsed = int.Parse(lines.Single(l => l.StartsWith("ELAPSED timeout ", StringComparison.Ordinal)).Split(' ')[2]);
            Assert.InRange(elapsed, 1000, 20000);
            Assert.Contains("QUIET timeout False", lines);
            Assert.Contains($"ERROR timeout AzureRequestTimedOut OperationTimeout https://{ChinaArm}{sub}/providers/Microsoft.Authorization/roleDefinitions", lines);
            Assert.Equal(2, arm.Hits(sub + "/providers/Microsoft.Authorization/roleDefinitions"));

            // 3. -Environment wins over the context: US Government's ARM and token; nothing passes there.
            Assert.Contains("VERBOSE override Azure cloud: AzureUSGovernment (ARM https://management.usgovcloudapi.net/, sign-in login.microsoftonline.us), from -Environment.", lines);
            Assert.Contains("TOKEN-FOR https://management.usgovcloudapi.net/", tokens);
            Assert.Contains("QUIET override False", lines);
            var overrideErrors = lines.Where(l => l.StartsWith("ERROR override ", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(overrideErrors);
            Assert.All(overrideErrors, l => Assert.Contains(" https://management.usgovcloudapi.net/subscriptions/", l));

            // The token is never printed.
            Assert.DoesNotContain(AzToken, output);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

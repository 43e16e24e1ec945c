using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using LambdaIdentity.Tests.Contract;
using LambdaIdentity.Tests.Inventory.Live;
using LambdaIdentity.Tests.Parity;
using Xunit;

namespace LambdaIdentity.Tests.Isolation;

/// <summary>
/// The built module (out/LambdaIdentity) in a real pwsh 7.6.10 (the local tool of .config/dotnet-tools.json) next to
/// older Azure.Core, Azure.Identity, MSAL and AWSSDK.Core loaded into the default context, as Az.Accounts and AWS.Tools
/// load them: first the older SDKs then the module, and the module first then the older SDKs. The module's live cmdlets
/// run against local endpoints (AWS: LocalAwsServer over HTTP; ARM: LocalArmServer reached as management.azure.com
/// through a local CONNECT proxy, its certificate trusted through SSL_CERT_FILE), with the token an Az.Accounts
/// stand-in gives; the older SDKs are used after them. No network is needed.
/// </summary>
public sealed class DependencyIsolationHostTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper _log;
    public DependencyIsolationHostTests(Xunit.Abstractions.ITestOutputHelper log) => _log = log;

    /// <summary>The module under test: the build's, or another build's (LAMBDAIDENTITY_ISOLATION_MODULE, to show an older layout fail).</summary>
    private static string ModuleManifest => Environment.GetEnvironmentVariable("LAMBDAIDENTITY_ISOLATION_MODULE") is { Length: > 0 } other
        ? other : Path.Combine(CmdletMetadata.ModuleOut, "LambdaIdentity.psd1");

    private const string Subscription = "00000000-0000-0000-0000-0000000000aa";
    private const string AzToken = "li-az-context-token";

    private static string Metadata(string key) => typeof(DependencyIsolationHostTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static IReadOnlyList<string> OlderSdks() => Metadata("OlderSdks").Split(';').Select(p => Path.Combine(Metadata("NuGetPackageRoot"), p)).ToList();

    private const string Script = """
        param([string] $Order)
        $ErrorActionPreference = 'Stop'
        function Import-OlderSdks {
            # What Az.Accounts and AWS.Tools do on import: their SDK assemblies into the default context.
            foreach ($p in $env:LI_OLDER_SDKS -split [IO.Path]::PathSeparator) { $null = [Reflection.Assembly]::LoadFrom($p) }
            'older SDKs loaded'
        }
        function Use-OlderSdks {
            $token = [Azure.Core.AccessToken]::new('older-token', [DateTimeOffset]::UtcNow.AddHours(1))
            $credential = [Azure.Identity.ClientSecretCredential]::new('00000000-0000-0000-0000-000000000001', 'client-id', 'client-value')
            $msal = [Microsoft.Identity.Client.ConfidentialClientApplicationBuilder]::Create('client-id').WithClientSecret('client-value').WithAuthority('https://login.microsoftonline.com/contoso.onmicrosoft.com').Build()
            $aws = [Amazon.Runtime.BasicAWSCredentials]::new('AKIDOLDERSDK', 'older-value').GetCredentials()
            foreach ($t in [Azure.Core.AccessToken], [Azure.Identity.ClientSecretCredential], [Microsoft.Identity.Client.ConfidentialClientApplicationBuilder], [Amazon.Runtime.BasicAWSCredentials]) {
                'OLDER {0} {1}' -f $t.Assembly.GetName().Name, $t.Assembly.Location
            }
            'OLDER-WORKS {0} {1} {2} {3}' -f $token.Token, $credential.GetType().Name, $msal.AppConfig.ClientId, $aws.AccessKey
        }
        function Invoke-Live([string] $Pass) {
            $inventory = Get-LambdaIdentityInventory -Live -Region us-west-2 -EndpointUrl $env:LI_AWS_ENDPOINT -ErrorAction SilentlyContinue -ErrorVariable awsErrors
            'INVENTORY {0} {1}' -f $Pass, @($inventory).Count
            $mapping = $inventory | ConvertTo-AzRoleMapping -ErrorAction SilentlyContinue
            'MAPPING {0} {1}' -f $Pass, @($mapping).Count
            $parity = $mapping | Test-IdentityParity -SubscriptionId $env:LI_SUBSCRIPTION -ErrorAction SilentlyContinue -ErrorVariable armErrors
            'PARITY {0} {1}' -f $Pass, @($parity).Count
            foreach ($e in @($awsErrors) + @($armErrors)) {
                $x = $e.Exception; $chain = @(); while ($x) { $chain += $x.GetType().FullName; $x = $x.InnerException }
                'ERROR {0} {1} :: {2}' -f $Pass, $e.FullyQualifiedErrorId, ($chain -join ' <- ')
            }
            foreach ($a in [AppDomain]::CurrentDomain.GetAssemblies()) {
                $n = $a.GetName().Name
                if ($n -in 'Azure.Core', 'Azure.Identity', 'Microsoft.Identity.Client', 'AWSSDK.Core', 'LambdaIdentity.Core', 'LambdaIdentity.Model') {
                    'LOADED {0} {1} {2} {3}' -f $Pass, $n, [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($a).Name, $a.Location
                }
            }
        }
        # The Az.Accounts stand-in: a module of that name whose Get-AzAccessToken gives the context's token.
        New-Module -Name Az.Accounts -ScriptBlock {
            function Get-AzAccessToken { param($ResourceUrl, $TenantId) [pscustomobject]@{ Token = $env:LI_AZ_TOKEN; ExpiresOn = [DateTimeOffset]::UtcNow.AddHours(1) } }
            Export-ModuleMember -Function Get-AzAccessToken
        } | Import-Module
        if ($Order -eq 'SdksFirst') {
            Import-OlderSdks
            Import-Module $env:LI_MODULE
            Invoke-Live 'first'
            Use-OlderSdks
        } else {
            Import-Module $env:LI_MODULE
            Invoke-Live 'first'
            Import-OlderSdks
            Use-OlderSdks
            Invoke-Live 'again'
        }
        'DONE'
        """;

    [Theory]
    [InlineData("SdksFirst")]
    [InlineData("ModuleFirst")]
    public async Task TheModulesLiveCmdletsAndOlderSdksOfOtherModulesWorkInOnePwsh(string order)
    {
        await using var aws = await LocalAwsServer.StartAsync();
        AwsLiveFixtures.Serve(aws, AwsLiveFixtures.Build());
        using var certificate = LocalTls.CreateCertificate("management.azure.com");
        await using var arm = await LocalArmServer.StartAsync(certificate);
        arm.Map($"/subscriptions/{Subscription}/providers/Microsoft.Authorization/roleAssignments", "{\"value\":[]}");
        arm.Map($"/subscriptions/{Subscription}/providers/Microsoft.Authorization/roleDefinitions", "{\"value\":[]}");
        await using var proxy = ConnectProxy.Start("management.azure.com", arm.BaseUri.Port);

        var dir = Directory.CreateTempSubdirectory("li-isolation-").FullName;
        try
        {
            var certFile = Path.Combine(dir, "local-arm.pem");
            File.WriteAllText(certFile, certificate.ExportCertificatePem());
            var scriptFile = Path.Combine(dir, "host.ps1");
            File.WriteAllText(scriptFile, Script);
            var env = new Dictionary<string, string?>
            {
                ["LI_MODULE"] = ModuleManifest,
                ["LI_OLDER_SDKS"] = string.Join(Path.PathSeparator, OlderSdks()),
                ["LI_AWS_ENDPOINT"] = aws.HttpUri.AbsoluteUri,
                ["LI_SUBSCRIPTION"] = Subscription,
                ["LI_AZ_TOKEN"] = AzToken,
                // AWSSDK.Core's default chain: environment credentials, never instance metadata or a profile on this machine.
                ["AWS_ACCESS_KEY_ID"] = LocalAwsServer.AccessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = LocalAwsServer.SecretAccessKey,
                ["AWS_SESSION_TOKEN"] = null,
                ["AWS_PROFILE"] = null,
                ["AWS_EC2_METADATA_DISABLED"] = "true",
                ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(dir, "credentials-absent"),
                ["AWS_CONFIG_FILE"] = Path.Combine(dir, "config-absent"),
                // ARM: management.azure.com through the local proxy, to the local server whose certificate alone is trusted.
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
            var (code, stdout, stderr) = await Pwsh.RunAsync(new[] { "-NoProfile", "-NonInteractive", "-File", scriptFile, "-Order", order }, env);
            var output = stdout + "\n" + stderr;
            _log.WriteLine(output);
            Assert.True(code == 0 && stdout.Contains("DONE"), $"pwsh exited {code}:\n{output}");
            var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();

            foreach (var pass in order == "SdksFirst" ? new[] { "first" } : new[] { "first", "again" })
            {
                // The module's cmdlets: the live AWS inventory (the fixture's 4 functions), their mappings, and the live ARM
                // parity check with the Az context's token.
                Assert.Contains($"INVENTORY {pass} 4", lines);
                Assert.Contains(lines, l => l.StartsWith($"MAPPING {pass} ", StringComparison.Ordinal) && int.Parse(l.Split(' ')[2]) > 0);
                Assert.Contains(lines, l => l.StartsWith($"PARITY {pass} ", StringComparison.Ordinal) && int.Parse(l.Split(' ')[2]) > 0);
                // Errors there may be (ARM paths the local server does not serve), but none from loading: every one is a read error.
                foreach (var error in lines.Where(l => l.StartsWith($"ERROR {pass} ", StringComparison.Ordinal)))
                    Assert.DoesNotMatch("FileLoadException|FileNotFoundException|MissingMethodException|TypeLoadException|InvalidCastException|MissingFieldException", error);
                // The engine and its SDKs in the engine's context, the records in the default one.
                Assert.Contains(lines, l => l.StartsWith($"LOADED {pass} LambdaIdentity.Core LambdaIdentity.Engine ", StringComparison.Ordinal) && l.Contains("/dependencies/"));
                Assert.Contains(lines, l => l.StartsWith($"LOADED {pass} AWSSDK.Core LambdaIdentity.Engine ", StringComparison.Ordinal) && l.Contains("/dependencies/"));
                Assert.Contains(lines, l => l.StartsWith($"LOADED {pass} Azure.Core LambdaIdentity.Engine ", StringComparison.Ordinal) && l.Contains("/dependencies/"));
                Assert.Contains(lines, l => l.StartsWith($"LOADED {pass} LambdaIdentity.Model Default ", StringComparison.Ordinal));
            }
            // The older SDKs are the ones PowerShell sees, in the default context, and they work.
            foreach (var older in OlderSdks().Where(p => !p.Contains("identitymodel", StringComparison.Ordinal)))
                Assert.Contains("OLDER " + Path.GetFileNameWithoutExtension(older) + " " + older, lines);
            Assert.Contains("OLDER-WORKS older-token ClientSecretCredential client-id AKIDOLDERSDK", lines);
            // The live calls happened: AWS requests signed with the environment's key, ARM requests with the Az context's token.
            Assert.NotEmpty(aws.Requests);
            Assert.All(aws.Requests, r => Assert.True(r.SignatureValid, r.Target));
            Assert.Contains(arm.Requests, r => r.Path.EndsWith("/roleAssignments", StringComparison.Ordinal) && r.Authorization == "Bearer " + AzToken);
            // Secrets never printed.
            Assert.DoesNotContain(LocalAwsServer.SecretAccessKey, output);
            Assert.DoesNotContain(AzToken, output);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

/// <summary>A local HTTP CONNECT proxy that tunnels one host name to a local port and refuses every other host.</summary>
internal sealed class ConnectProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _host;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ConnectProxy(string host, int targetPort)
    {
        _host = host;
        _targetPort = targetPort;
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static ConnectProxy Start(string host, int targetPort) => new(host, targetPort);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            _ = Task.Run(() => TunnelAsync(client));
        }
    }

    private async Task TunnelAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var head = new List<byte>();
            var one = new byte[1];
            while (head.Count < 8192 && !(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
            {
                if (await stream.ReadAsync(one, _stop.Token) == 0) return;
                head.Add(one[0]);
            }
            var requestLine = System.Text.Encoding.ASCII.GetString(head.ToArray()).Split("\r\n")[0].Split(' ');
            if (requestLine.Length < 2 || requestLine[0] != "CONNECT" || !string.Equals(requestLine[1], _host + ":443", StringComparison.OrdinalIgnoreCase))
            {
                await stream.WriteAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), _stop.Token);
                return;
            }
            using var upstream = new TcpClient();
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            await stream.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), _stop.Token);
            var up = upstream.GetStream();
            await Task.WhenAny(stream.CopyToAsync(up, _stop.Token), up.CopyToAsync(stream, _stop.Token));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}

/// <summary>The repository's pinned pwsh (the local tool manifest's PowerShell 7.6.10), run as a separate process.</summary>
internal static class Pwsh
{
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string?> env)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = TestPaths.RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { "tool", "run", "pwsh", "--" }.Concat(args)) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) { if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v; }
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try { await p.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); throw new TimeoutException("pwsh did not finish in 4 minutes:\n" + await stdout + await stderr); }
        return (p.ExitCode, await stdout, await stderr);
    }
}

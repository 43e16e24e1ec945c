using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using LambdaIdentity.Core.Azure;

namespace LambdaIdentity.PowerShell;

/// <summary>
/// Tokens from the Az.Accounts context when that module is loaded (Get-AzAccessToken), so users who ran
/// Connect-AzAccount need nothing else. Runs on the pipeline thread through the cmdlet's pump. Never prints the token.
/// </summary>
internal static class AzAccountsContext
{
    /// <summary>True when Az.Accounts is loaded in the session.</summary>
    public static bool IsLoaded(PSCmdlet cmdlet) => cmdlet.InvokeCommand.InvokeScript("Get-Module -Name Az.Accounts").Count > 0;

    /// <summary>Gets an ARM token for the resource from the Az.Accounts context.</summary>
    public static ArmAccessToken GetToken(PSCmdlet cmdlet, string resourceUrl, string? tenantId)
    {
        var script = "param($r, $t) if ($t) { Get-AzAccessToken -ResourceUrl $r -TenantId $t } else { Get-AzAccessToken -ResourceUrl $r }";
        var result = cmdlet.InvokeCommand.InvokeScript(script, true, PipelineResultTypes.None, null, resourceUrl, tenantId);
        if (result.Count == 0) throw new InvalidOperationException("Get-AzAccessToken returned no token; run Connect-AzAccount.");
        var token = result[0].Properties["Token"]?.Value;
        var text = token switch
        {
            System.Security.SecureString secure => new System.Net.NetworkCredential("", secure).Password,
            string s => s,
            _ => throw new InvalidOperationException("Get-AzAccessToken returned no token; run Connect-AzAccount."),
        };
        var expires = result[0].Properties["ExpiresOn"]?.Value is DateTimeOffset e ? e : DateTimeOffset.UtcNow.AddMinutes(5);
        return new ArmAccessToken { Token = text, ExpiresOn = expires };
    }

    /// <summary>
    /// The current Az context's environment (Get-AzContext): its Name and ResourceManagerUrl, or nulls when there is no
    /// context (or an Az.Accounts without Get-AzContext). Reads no token.
    /// </summary>
    public static (string? Name, string? ResourceManagerUrl) GetEnvironment(PSCmdlet cmdlet)
    {
        var result = cmdlet.InvokeCommand.InvokeScript(
            "if (-not (Get-Command -Name Get-AzContext -ErrorAction Ignore)) { return }; $c = Get-AzContext -ErrorAction SilentlyContinue; if ($c -and $c.Environment) { [string]$c.Environment.Name; [string]$c.Environment.ResourceManagerUrl }");
        return result.Count >= 2 ? (result[0]?.BaseObject as string, result[1]?.BaseObject as string) : (null, null);
    }

    /// <summary>Runs a function on the pipeline thread and awaits its result from the engine's thread.</summary>
    public static Task<T> OnPipelineThread<T>(Action<Action> post, Func<T> work, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        ct.Register(() => tcs.TrySetCanceled());
        post(() =>
        {
            try { tcs.TrySetResult(work()); }
            catch (Exception ex) { tcs.TrySetException(ex); }
        });
        return tcs.Task;
    }
}

<#
    Runs the Pester tests of tests/Pester against the module the build assembled in out/LambdaIdentity, with the
    Pester the build restored (5.7.1, a PackageDownload of the test project), in the pwsh of the local tool
    manifest (PowerShell 7.6.10). The xunit test PesterHostTests runs this for every file, so
    `dotnet test LambdaIdentity.sln -c Release` runs Pester. By hand, after a build and `dotnet tool restore`:
        dotnet tool run pwsh -NoProfile -File tests/Pester/RunPester.ps1 [-Path tests/Pester/Some.Tests.ps1]
    Ends with one line 'PESTER-SUMMARY ...' and exits non-zero when any test, block or file failed, or none ran.
    Tests tagged Live reach AWS or Azure and run only with -IncludeLive.
#>
[CmdletBinding()]
param(
    [string[]] $Path = @($PSScriptRoot),
    [string] $PesterManifest = $env:LAMBDAIDENTITY_PESTER,
    [switch] $IncludeLive
)
$ErrorActionPreference = 'Stop'
if (-not $PesterManifest) {
    $root = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
    $PesterManifest = Join-Path $root 'pester/5.7.1/tools/Pester.psd1'
}
if (-not (Test-Path -LiteralPath $PesterManifest)) {
    Write-Error "Pester is not restored: $PesterManifest is missing. Run 'dotnet build LambdaIdentity.sln -c Release' first."
    exit 2
}
Import-Module -Name $PesterManifest -Force

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
if (-not $IncludeLive) { $config.Filter.ExcludeTag = @('Live') }
$result = Invoke-Pester -Configuration $config
if ($null -eq $result) {
    Write-Output 'PESTER-SUMMARY none: Invoke-Pester returned no result'
    exit 4
}

$summary = 'PESTER-SUMMARY total={0} passed={1} failed={2} skipped={3} notrun={4} failedBlocks={5} failedContainers={6}' -f `
    $result.TotalCount, $result.PassedCount, $result.FailedCount, $result.SkippedCount, $result.NotRunCount, $result.FailedBlocksCount, $result.FailedContainersCount
Write-Output $summary
$bad = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
if ($bad -gt 0) { exit 1 }
if ($result.PassedCount -eq 0) { exit 3 }
exit 0

# Dot-sourced by every tests/Pester file in BeforeAll: imports the module the build assembled in out/LambdaIdentity and
# names the demo workload and the shared real-world data (../shared/data; LAMBDAIDENTITY_SHARED_DATA overrides).
$RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$ManifestPath = Join-Path $RepoRoot 'out/LambdaIdentity/LambdaIdentity.psd1'
if (-not (Test-Path -LiteralPath $ManifestPath)) {
    throw "The module is not built: $ManifestPath is missing. Run 'dotnet build LambdaIdentity.sln -c Release' first."
}
Import-Module $ManifestPath -Force
$Samples = Join-Path $RepoRoot 'module/samples'
$SamplePaths = @((Join-Path $Samples 'demo-sam-template.yaml'), (Join-Path $Samples 'demo-authz-details.json'))
$SampleMap = Join-Path $Samples 'demo-resource-map.json'
$SampleState = Join-Path $Samples 'azure-state'
$SharedData = if ($env:LAMBDAIDENTITY_SHARED_DATA) { $env:LAMBDAIDENTITY_SHARED_DATA } else { Join-Path $RepoRoot '../shared/data' }
if (-not (Test-Path -LiteralPath $SharedData)) { throw "The shared data folder is missing: $SharedData" }
$SharedData = (Resolve-Path -LiteralPath $SharedData).Path

function Get-DemoInventory { @(Get-LambdaIdentityInventory -Path $SamplePaths) }
function Get-DemoMapping { @(Get-DemoInventory | ConvertTo-AzRoleMapping -ResourceMap $SampleMap) }

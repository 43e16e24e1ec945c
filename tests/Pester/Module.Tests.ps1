#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
<#
    The module as a whole (manifest, help, formats) and the demo pipeline end to end, against the module the build
    assembled in out/LambdaIdentity. Each cmdlet has its own <Verb-Noun>.Tests.ps1 beside this file.
    dotnet test LambdaIdentity.sln -c Release runs them all in pwsh 7.6.10 (PesterHostTests); by hand:
        dotnet tool run pwsh -NoProfile -File tests/Pester/RunPester.ps1
    Tests tagged Live reach AWS or Azure and run only when asked: Invoke-Pester -Path tests/Pester -TagFilter Live
#>

BeforeDiscovery {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:ManifestPath = Join-Path $script:RepoRoot 'out/LambdaIdentity/LambdaIdentity.psd1'
    if (-not (Test-Path $script:ManifestPath)) {
        throw "The module is not built: $script:ManifestPath is missing. Run 'dotnet build LambdaIdentity.sln -c Release' first."
    }
    Import-Module $script:ManifestPath -Force
    $script:ExportedCommands = @((Get-Module LambdaIdentity).ExportedCmdlets.Keys)
}

BeforeAll {
    $RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $Samples = Join-Path $RepoRoot 'module/samples'
    Import-Module (Join-Path $RepoRoot 'out/LambdaIdentity/LambdaIdentity.psd1') -Force

    $Paths = @(
        (Join-Path $Samples 'demo-sam-template.yaml'),
        (Join-Path $Samples 'demo-authz-details.json')
    )
    $Inventory = @(Get-LambdaIdentityInventory -Path $Paths)
    $Mapping = @($Inventory | ConvertTo-AzRoleMapping -ResourceMap (Join-Path $Samples 'demo-resource-map.json'))
    $Results = @($Mapping | Test-IdentityParity -AzureState (Join-Path $Samples 'azure-state'))
}

AfterAll {
    Remove-Module LambdaIdentity -Force -ErrorAction SilentlyContinue
}

Describe 'The module' {
    It 'imports from out/LambdaIdentity with exactly the cmdlets of its manifest' {
        $module = Get-Module LambdaIdentity
        $module | Should -Not -BeNullOrEmpty
        $manifest = Import-PowerShellDataFile (Join-Path $RepoRoot 'LambdaIdentity.psd1')
        @($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($manifest.CmdletsToExport | Sort-Object)
        $module.Version.ToString(3) | Should -Be $manifest.ModuleVersion
    }

    It 'has help with a synopsis for <_>' -ForEach $ExportedCommands {
        $help = Get-Help -Name $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        # Without MAML, Get-Help falls back to the syntax line as the synopsis.
        $help.Synopsis | Should -Not -BeLike "$_ *"
        $help.Description | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
    }

    It 'formats every record with its own table view' {
        foreach ($record in @($Inventory[0], $Mapping[0], $Results[0])) {
            $typeName = $record.GetType().FullName
            Get-FormatData -TypeName $typeName | Should -Not -BeNullOrEmpty -Because "$typeName needs a view"
            { $record | Format-Table | Out-String } | Should -Not -Throw
        }
    }
}

Describe 'The demo pipeline' {
    It 'reads five functions' {
        $Inventory.Count | Should -Be 5
        $Inventory | ForEach-Object { $_ | Should -BeOfType ([LambdaIdentity.Model.LambdaFunctionIdentity]) }
        @($Inventory.FunctionName | Sort-Object -Unique).Count | Should -Be 5
    }

    It 'designs Azure items for every function' {
        $Mapping | ForEach-Object { $_ | Should -BeOfType ([LambdaIdentity.Model.AzRoleMapping]) }
        @($Mapping.FunctionName | Sort-Object -Unique).Count | Should -Be 5
        $Mapping | Where-Object Kind -eq 'RoleAssignment' | Should -Not -BeNullOrEmpty
    }

    It 'finds passes, missing and excess access in the Azure state' {
        $statuses = @($Results.Status | ForEach-Object { $_.ToString() } | Sort-Object -Unique)
        $statuses | Should -Contain 'Pass'
        $statuses | Should -Contain 'Missing'
        $statuses | Should -Contain 'Excess'
    }

    It 'returns $false with -Quiet when something fails' {
        $Mapping | Test-IdentityParity -AzureState (Join-Path $Samples 'azure-state') -Quiet | Should -BeFalse
    }

    It 'binds saved records and bare assignments from the pipeline' {
        $saved = $Mapping | ConvertTo-Json -Depth 10 | ConvertFrom-Json
        $again = @($saved | ForEach-Object { $_ } | Test-IdentityParity -AzureState (Join-Path $Samples 'azure-state'))
        $again.Count | Should -Be $Results.Count

        $assignment = $Mapping | Where-Object { $_.Kind -eq 'RoleAssignment' -and $_.Scope -and -not $_.ScopeIsPlaceholder -and $_.ObjectId } | Select-Object -First 1
        if ($assignment) {
            $row = [pscustomobject]@{ RoleDefinitionName = $assignment.RoleDefinitionName; Scope = $assignment.Scope; ObjectId = $assignment.ObjectId }
            @($row | Test-IdentityParity -AzureState (Join-Path $Samples 'azure-state')) | Should -Not -BeNullOrEmpty
        }

        $csvLike = $Inventory | Select-Object FunctionName, FunctionArn, RoleArn
        $rebuilt = @($csvLike | ConvertTo-AzRoleMapping)
        @($rebuilt.FunctionName | Sort-Object -Unique).Count | Should -Be 5
    }
}

Describe 'Live checks' -Tag 'Live' {
    It 'reads a live subscription when one is configured' {
        if (-not $env:LAMBDAIDENTITY_SUBSCRIPTION_ID) {
            Set-ItResult -Skipped -Because 'LAMBDAIDENTITY_SUBSCRIPTION_ID is not set'
            return
        }
        $results = @($Mapping | Test-IdentityParity -SubscriptionId $env:LAMBDAIDENTITY_SUBSCRIPTION_ID)
        $results | Should -Not -BeNullOrEmpty
    }
}

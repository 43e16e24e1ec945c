#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Saved records come back whole (Export-Clixml/Import-Clixml at any depth, Start-Job, ConvertTo-Json at -Depth 8 as the
# docs say), or each one that cannot fails loudly: an error record naming it, never a lesser record.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $Inventory = Get-DemoInventory
    $Mapping = Get-DemoMapping
    $Results = @($Mapping | Test-IdentityParity -AzureState $SampleState)
    function Get-StatusCount($Results) { ($Results | Group-Object { "$($_.Status)" } | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.Count)" }) -join ', ' }
}

Describe 'Saved records convert back' {
    It 'inventory through Export-Clixml <Label> maps to the same design' -ForEach @(
        @{ Label = 'at the default depth'; Depth = $null },
        @{ Label = 'with -Depth 10'; Depth = 10 }
    ) {
        $file = Join-Path $TestDrive "inventory-$Depth.xml"
        if ($Depth) { $Inventory | Export-Clixml -LiteralPath $file -Depth $Depth } else { $Inventory | Export-Clixml -LiteralPath $file }
        $again = @(Import-Clixml -LiteralPath $file | ConvertTo-AzRoleMapping -ResourceMap $SampleMap -ErrorVariable err)
        $err | Should -BeNullOrEmpty
        $again.Count | Should -Be $Mapping.Count
        @($again.MappingId | Sort-Object) | Should -Be @($Mapping.MappingId | Sort-Object)
    }

    It 'mappings through Export-Clixml keep their enums and judge alike' {
        $file = Join-Path $TestDrive 'mapping.xml'
        $Mapping | Export-Clixml -LiteralPath $file
        $saved = @(Import-Clixml -LiteralPath $file)
        $saved[0].Kind.ToString() | Should -Be $Mapping[0].Kind.ToString()
        ($saved[0] | Format-List Kind | Out-String) | Should -Match ('Kind\s*:\s*' + $Mapping[0].Kind)
        $again = @($saved | Test-IdentityParity -AzureState $SampleState -ErrorVariable err)
        $err | Should -BeNullOrEmpty
        Get-StatusCount $again | Should -Be (Get-StatusCount $Results)
    }

    It 'parity results through Export-Clixml bind to Export-LambdaIdentityReport' {
        $file = Join-Path $TestDrive 'results.xml'
        $Results | Export-Clixml -LiteralPath $file
        $report = Import-Clixml -LiteralPath $file | Export-LambdaIdentityReport -Path (Join-Path $TestDrive 'from-clixml.md') -Mapping $Mapping -ErrorVariable err
        $err | Should -BeNullOrEmpty
        Get-Content -Raw -LiteralPath $report.FullName | Should -Match '(?m)^## Parity results\s*$'
    }

    It 'inventory read in a Start-Job maps to the same design' {
        $job = Start-Job -ScriptBlock { param($Manifest, $Paths) Import-Module $Manifest; Get-LambdaIdentityInventory -Path $Paths } -ArgumentList $ManifestPath, $SamplePaths
        $fromJob = @(Receive-Job -Job $job -Wait -AutoRemoveJob)
        $fromJob.Count | Should -Be $Inventory.Count
        $again = @($fromJob | ConvertTo-AzRoleMapping -ResourceMap $SampleMap -ErrorVariable err)
        $err | Should -BeNullOrEmpty
        $again.Count | Should -Be $Mapping.Count
    }

    It 'inventory and mappings through ConvertTo-Json -Depth 8 convert back whole' {
        $inventory = $Inventory | ConvertTo-Json -Depth 8 | ConvertFrom-Json
        @($inventory | ConvertTo-AzRoleMapping -ResourceMap $SampleMap).Count | Should -Be $Mapping.Count
        $mapping = $Mapping | ConvertTo-Json -Depth 8 | ConvertFrom-Json
        Get-StatusCount @($mapping | Test-IdentityParity -AzureState $SampleState) | Should -Be (Get-StatusCount $Results)
    }

    It 'an inventory saved too shallow is one InventoryRecordUnconvertible error per function, not a key-only record' {
        $shallow = $Inventory | ConvertTo-Json -Depth 2 -WarningAction SilentlyContinue | ConvertFrom-Json
        $out = @($shallow | ConvertTo-AzRoleMapping -ResourceMap $SampleMap -ErrorAction SilentlyContinue -ErrorVariable err)
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be $Inventory.Count
        $err | ForEach-Object {
            $_.FullyQualifiedErrorId | Should -BeLike 'InventoryRecordUnconvertible,*'
            $_.CategoryInfo.Category | Should -Be 'InvalidData'
        }
        @($err.TargetObject | Sort-Object) | Should -Be @($Inventory.FunctionArn | Sort-Object)
        "$($err[0])" | Should -Match 'Depth 8'
    }

    It 'a bag that only shares property names with a mapping binds by property name, not as a half mapping' {
        $row = [pscustomobject]@{ RoleDefinitionName = 'Reader' }
        $out = @($row | Test-IdentityParity -AzureState $SampleState -ErrorAction SilentlyContinue -ErrorVariable err)
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RoleAssignmentIncomplete,*'
        @($out | Where-Object { "$($_.Status)" -eq 'Missing' }) | Should -BeNullOrEmpty
    }
}

#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# What a user sees from New-AzResourceMap in pwsh: the skeleton's entries, -Force merging, empty input, -WhatIf, errors.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $Inventory = Get-DemoInventory
    function Read-Map([string] $File) { @((Get-Content -Raw -LiteralPath $File | ConvertFrom-Json).resources) }
}

Describe 'New-AzResourceMap' {
    It 'writes one entry per resource with a function-app key for every function' {
        $file = $Inventory | New-AzResourceMap -Path TestDrive:/map.json
        $file | Should -BeOfType ([System.IO.FileInfo])
        $entries = Read-Map $file.FullName
        foreach ($f in $Inventory) { $entries.aws | Should -Contain "function-app:$($f.FunctionName)" }
        @($entries | Where-Object { $_.azure }) | Should -BeNullOrEmpty
    }

    It 'keeps filled entries with -Force, also those the current inventory does not name' {
        $file = (Get-DemoInventory | New-AzResourceMap -Path TestDrive:/merge.json).FullName
        $map = Get-Content -Raw -LiteralPath $file | ConvertFrom-Json
        $filled = $map.resources | Where-Object aws -eq "function-app:$($Inventory[0].FunctionName)"
        $filled.azure = '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourceGroups/rg-orders'
        $other = [pscustomobject]@{ aws = 'arn:aws:s3:::other-stack-bucket'; azure = '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourceGroups/rg-other/providers/Microsoft.Storage/storageAccounts/stother'; stayOnAws = $false }
        $map.resources = @($map.resources) + $other
        $map | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath $file
        # Only one function this time: the others' entries and the other stack's filled entry stay.
        $Inventory[1] | New-AzResourceMap -Path $file -Force | Out-Null
        $entries = Read-Map $file
        ($entries | Where-Object aws -eq $filled.aws).azure | Should -Be $filled.azure
        ($entries | Where-Object aws -eq $other.aws).azure | Should -Be $other.azure
        $entries.aws | Should -Contain "function-app:$($Inventory[1].FunctionName)"
    }

    It 'never wipes a map on empty input, and says so (ResourceMapInputEmpty)' {
        $file = (Get-DemoInventory | New-AzResourceMap -Path TestDrive:/keep.json).FullName
        $before = Get-Content -Raw -LiteralPath $file
        $out = @() | New-AzResourceMap -Path $file -Force -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        Get-Content -Raw -LiteralPath $file | Should -Be $before
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ResourceMapInputEmpty,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].TargetObject | Should -Be $file
    }

    It 'keeps an existing map without -Force, with an error naming the file' {
        Set-Content -LiteralPath TestDrive:/exists.json -Value '{"resources":[]}'
        $Inventory | New-AzResourceMap -Path TestDrive:/exists.json -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ResourceMapFileExists,*'
        $err[0].TargetObject | Should -Be (Join-Path $TestDrive 'exists.json')
    }

    It 'writes nothing with -WhatIf' {
        $Inventory | New-AzResourceMap -Path TestDrive:/whatif.json -WhatIf | Should -BeNullOrEmpty
        'TestDrive:/whatif.json' | Should -Not -Exist
    }

    It 'writes to -LiteralPath as typed' {
        ($Inventory | New-AzResourceMap -LiteralPath 'TestDrive:/map[prod].json').Name | Should -Be 'map[prod].json'
    }

    It 'reports a rule file that does not exist as PathNotFound, naming it' {
        $Inventory | New-AzResourceMap -Path TestDrive:/rules.json -RuleSet TestDrive:/no-rules.json -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        $err[0].TargetObject | Should -Be 'TestDrive:/no-rules.json'
        'TestDrive:/rules.json' | Should -Not -Exist
    }
}

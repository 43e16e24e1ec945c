#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# What a user sees from Merge-LambdaIdentityAssessment in pwsh: shards in, one assessment folder out, duplicates handled.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $Inventory = Get-DemoInventory
    # Two shards split from the demo inventory (as two jobs of a matrix would write them), and a third repeating one function.
    $half = [math]::Floor($Inventory.Count / 2)
    $Inventory[0..($half - 1)] | ConvertTo-Json -Depth 20 | Set-Content -LiteralPath TestDrive:/a.json
    $Inventory[$half..($Inventory.Count - 1)] | ConvertTo-Json -Depth 20 | Set-Content -LiteralPath TestDrive:/b.json
    ConvertTo-Json -InputObject @($Inventory[0]) -Depth 20 | Set-Content -LiteralPath TestDrive:/again.json
}

Describe 'Merge-LambdaIdentityAssessment' {
    It 'writes one inventory holding every function of the shards, counts summed' {
        $files = Merge-LambdaIdentityAssessment -Path TestDrive:/a.json, TestDrive:/b.json -OutputPath TestDrive:/merged
        $files | Should -BeOfType ([System.IO.FileInfo])
        $files.Name | Should -Contain 'report.md'
        $merged = Get-Content -Raw -LiteralPath TestDrive:/merged/inventory.json | ConvertFrom-Json
        @($merged).Count | Should -Be $Inventory.Count
        ($merged.FunctionArn | Sort-Object) | Should -Be ($Inventory.FunctionArn | Sort-Object)
        $summary = Get-Content -Raw -LiteralPath TestDrive:/merged/merge.json | ConvertFrom-Json
        ($summary.Shards.Functions | Measure-Object -Sum).Sum | Should -Be $Inventory.Count
    }

    It 'keeps a function given twice with the same record once' {
        Get-ChildItem TestDrive:/ -Filter *.json | Merge-LambdaIdentityAssessment -OutputPath TestDrive:/dedup -ErrorVariable errs | Out-Null
        $errs | Should -BeNullOrEmpty
        @(Get-Content -Raw -LiteralPath TestDrive:/dedup/inventory.json | ConvertFrom-Json).Count | Should -Be $Inventory.Count
        (Get-Content -Raw -LiteralPath TestDrive:/dedup/merge.json | ConvertFrom-Json).DuplicatesMerged | Should -Be 1
    }

    It 'reports a function whose records differ between shards, naming both shards' {
        $changed = Get-Content -Raw -LiteralPath TestDrive:/again.json | ConvertFrom-Json
        $changed[0].Runtime = 'python3.13-changed'
        ConvertTo-Json -InputObject @($changed) -Depth 20 | Set-Content -LiteralPath TestDrive:/changed.json
        Merge-LambdaIdentityAssessment -Path TestDrive:/a.json, TestDrive:/b.json, TestDrive:/changed.json -OutputPath TestDrive:/conflict -ErrorVariable errs -ErrorAction SilentlyContinue | Out-Null
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ShardFunctionConflict*'
        $errs[0].Exception.Message | Should -BeLike "*$($Inventory[0].FunctionArn)*changed.json*"
        $merged = Get-Content -Raw -LiteralPath TestDrive:/conflict/inventory.json | ConvertFrom-Json
        ($merged | Where-Object FunctionArn -eq $Inventory[0].FunctionArn).IsComplete | Should -BeFalse
    }

    It 'writes nothing with -WhatIf' {
        Merge-LambdaIdentityAssessment -Path TestDrive:/a.json -OutputPath TestDrive:/whatif -WhatIf | Should -BeNullOrEmpty
        'TestDrive:/whatif' | Should -Not -Exist
    }
}

#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# What a user sees from ConvertTo-AzRoleMapping in pwsh: the design per function, binding by name, paths, errors.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $Inventory = Get-DemoInventory
    $Mapping = Get-DemoMapping
}

Describe 'ConvertTo-AzRoleMapping' {
    It 'designs Azure items for every function, each mapping id once' {
        $Mapping | ForEach-Object { $_ | Should -BeOfType ([LambdaIdentity.Model.AzRoleMapping]) }
        @($Mapping.FunctionName | Sort-Object -Unique).Count | Should -Be $Inventory.Count
        @($Mapping.MappingId | Sort-Object -Unique).Count | Should -Be $Mapping.Count
        @($Mapping | Where-Object { "$($_.Kind)" -eq 'RoleAssignment' }) | Should -Not -BeNullOrEmpty
    }

    It 'gives the same design for -InputObject as for the pipeline' {
        $given = @(ConvertTo-AzRoleMapping -InputObject $Inventory -ResourceMap $SampleMap)
        @($given.MappingId | Sort-Object) | Should -Be @($Mapping.MappingId | Sort-Object)
    }

    It 'rebuilds functions from key properties (Import-Csv) and marks the design incomplete' {
        $csv = Join-Path $TestDrive 'functions.csv'
        $Inventory | Select-Object FunctionName, FunctionArn, RoleArn | Export-Csv -LiteralPath $csv
        $rebuilt = @(Import-Csv -LiteralPath $csv | ConvertTo-AzRoleMapping)
        @($rebuilt.FunctionName | Sort-Object -Unique).Count | Should -Be $Inventory.Count
    }

    It 'reads -ResourceMap through a PowerShell drive and a one-match wildcard' {
        Copy-Item -LiteralPath $SampleMap -Destination TestDrive:/map.json
        @($Inventory | ConvertTo-AzRoleMapping -ResourceMap TestDrive:/map.json).Count | Should -Be $Mapping.Count
        @($Inventory | ConvertTo-AzRoleMapping -ResourceMap TestDrive:/ma*.json).Count | Should -Be $Mapping.Count
    }

    It 'maps nothing when -ResourceMap does not exist, with a PathNotFound error naming it' {
        $out = @($Inventory | ConvertTo-AzRoleMapping -ResourceMap TestDrive:/no-map.json -ErrorAction SilentlyContinue -ErrorVariable err)
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        $err[0].TargetObject | Should -Be 'TestDrive:/no-map.json'
    }

    It 'stops with ResourceMapInvalid for a resource map that is not one' {
        Set-Content -LiteralPath TestDrive:/bad-map.json -Value '{ "resources": 5 }'
        { $Inventory | ConvertTo-AzRoleMapping -ResourceMap TestDrive:/bad-map.json -ErrorAction Stop } | Should -Throw -ErrorId 'ResourceMapInvalid*'
    }
}

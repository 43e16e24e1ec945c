#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# What a user sees from Export-LambdaIdentityReport in pwsh: the file, its counts, -WhatIf, -Force, errors.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $Inventory = Get-DemoInventory
    $Mapping = Get-DemoMapping
    $Results = @($Mapping | Test-IdentityParity -AzureState $SampleState)
    function Get-ReportCount([string] $Text, [string] $Pattern) { [int]([regex]::Match($Text, $Pattern).Groups[1].Value) }
}

Describe 'Export-LambdaIdentityReport' {
    It 'counts each function and mapping once when -Inventory is given and mappings are piped' {
        $file = $Mapping | Export-LambdaIdentityReport -Path TestDrive:/report.md -Inventory $Inventory
        $file | Should -BeOfType ([System.IO.FileInfo])
        $text = Get-Content -Raw -LiteralPath $file.FullName
        Get-ReportCount $text '- Functions: (\d+) read' | Should -Be $Inventory.Count
        Get-ReportCount $text '- Mapping items: (\d+)' | Should -Be $Mapping.Count
    }

    It 'counts each record once in help Example 1 (results piped, -Mapping and -Inventory given)' {
        $file = $Results | Export-LambdaIdentityReport -Path TestDrive:/example1.md -Mapping $Mapping -Inventory $Inventory
        $text = Get-Content -Raw -LiteralPath $file.FullName
        Get-ReportCount $text '- Functions: (\d+) read' | Should -Be $Inventory.Count
        Get-ReportCount $text '- Mapping items: (\d+)' | Should -Be $Mapping.Count
        $text | Should -Match '(?m)^## Parity results\s*$'
    }

    It 'takes mappings and parity results piped together, each once' {
        $file = @($Mapping) + @($Results) | Export-LambdaIdentityReport -Path TestDrive:/mixed.md -Inventory $Inventory
        $text = Get-Content -Raw -LiteralPath $file.FullName
        Get-ReportCount $text '- Mapping items: (\d+)' | Should -Be $Mapping.Count
        $text | Should -Match '(?m)^## Parity results\s*$'
    }

    It 'writes the feature and deviation tables' {
        $file = $Mapping | Export-LambdaIdentityReport -Path TestDrive:/tables.md
        $text = Get-Content -Raw -LiteralPath $file.FullName
        $text | Should -Match '(?m)^## Features\s*$'
        $text | Should -Match '(?m)^## Deviations\s*$'
    }

    It 'writes the runbook with -Format Runbook, and each step check runs as written in PowerShell' {
        $file = $Mapping | Export-LambdaIdentityReport -Path TestDrive:/runbook.md -Format Runbook -ParityResult $Results -Inventory $Inventory
        $text = Get-Content -Raw -LiteralPath $file.FullName
        $text | Should -Match '(?m)^### 1\. Create identities\s*$'
        $text | Should -Match '(?m)^### WorkloadAccessMissing: roll back \(\*\*FIRED by \d+ result\(s\)\*\*\)'
        $text | Should -Match ([regex]::Escape('(Get-Content -Raw -LiteralPath runbook/step-1-create-identities.mapping.json | ConvertFrom-Json) | Test-IdentityParity -SubscriptionId $SubscriptionId -FailOn Lost -Quiet'))
        (ConvertFrom-Json (Get-Content -Raw -LiteralPath TestDrive:/runbook.mapping.json)).Count | Should -Be $Mapping.Count
        # The step checks as the runbook writes them, on the demo's Azure state instead of ARM live: the identities exist, the assignments are partly lost.
        Push-Location $TestDrive
        try {
            (Get-Content -Raw -LiteralPath runbook/step-1-create-identities.mapping.json | ConvertFrom-Json) | Test-IdentityParity -AzureState $SampleState -FailOn Lost -Quiet | Should -BeTrue
            (Get-Content -Raw -LiteralPath runbook/step-2-assign-roles.mapping.json | ConvertFrom-Json) | Test-IdentityParity -AzureState $SampleState -FailOn Lost -Quiet | Should -BeFalse
        } finally { Pop-Location }
    }

    It 'writes one self-contained HTML page with -Format Html' {
        $file = $Mapping | Export-LambdaIdentityReport -Path TestDrive:/report.html -Format Html -ParityResult $Results -Inventory $Inventory
        $text = Get-Content -Raw -LiteralPath $file.FullName
        ([regex]::Matches($text, '<script')).Count | Should -Be 1
        ([regex]::Matches($text, '<svg')).Count | Should -Be (2 * $Inventory.Count)
        $text | Should -Match "default-src 'none'"
    }

    It 'writes nothing with -WhatIf' {
        $out = $Mapping | Export-LambdaIdentityReport -Path TestDrive:/whatif.md -WhatIf
        $out | Should -BeNullOrEmpty
        'TestDrive:/whatif.md' | Should -Not -Exist
    }

    It 'keeps an existing report without -Force, with an error naming the file' {
        Set-Content -LiteralPath TestDrive:/exists.md -Value 'keep'
        $out = $Mapping | Export-LambdaIdentityReport -Path TestDrive:/exists.md -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ReportFileExists,*'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $err[0].TargetObject | Should -Be (Join-Path $TestDrive 'exists.md')
        Get-Content -Raw -LiteralPath TestDrive:/exists.md | Should -Match 'keep'
    }

    It 'overwrites with -Force' {
        Set-Content -LiteralPath TestDrive:/force.md -Value 'old'
        $Mapping | Export-LambdaIdentityReport -Path TestDrive:/force.md -Force | Out-Null
        Get-Content -Raw -LiteralPath TestDrive:/force.md | Should -Match '(?m)^## Features'
    }

    It 'writes to -LiteralPath exactly as typed (brackets are no wildcard)' {
        $file = $Mapping | Export-LambdaIdentityReport -LiteralPath 'TestDrive:/report[1].md'
        $file.Name | Should -Be 'report[1].md'
        Test-Path -LiteralPath (Join-Path $TestDrive 'report[1].md') | Should -BeTrue
    }

    It 'resolves ~, provider-qualified paths and a wildcard that names one existing file' {
        $home1 = Join-Path '~' ('li-report-' + [guid]::NewGuid() + '.md')
        try {
            $file = $Mapping | Export-LambdaIdentityReport -Path $home1
            $file.FullName | Should -Be (Join-Path $HOME (Split-Path -Leaf $home1))
        } finally { Remove-Item -LiteralPath (Join-Path $HOME (Split-Path -Leaf $home1)) -ErrorAction SilentlyContinue }
        $qualified = 'Microsoft.PowerShell.Core\FileSystem::' + (Join-Path $TestDrive 'qualified.md')
        ($Mapping | Export-LambdaIdentityReport -Path $qualified).FullName | Should -Be (Join-Path $TestDrive 'qualified.md')
        Set-Content -LiteralPath (Join-Path $TestDrive 'only-one.md') -Value 'old'
        ($Mapping | Export-LambdaIdentityReport -Path (Join-Path $TestDrive 'only-o*.md') -Force).Name | Should -Be 'only-one.md'
    }

    It 'writes the parity results as JUnit with -Format JUnit' {
        $file = $Results | Export-LambdaIdentityReport -Path TestDrive:/parity.junit.xml -Format JUnit
        $xml = [xml](Get-Content -Raw -LiteralPath $file.FullName)
        [int]$xml.testsuites.tests | Should -Be $Results.Count
        $notPass = @($Results | Where-Object { "$($_.Status)" -notin 'Pass','NotApplicable' }).Count
        ([int]$xml.testsuites.failures + [int]$xml.testsuites.errors) | Should -Be $notPass
    }

    It 'writes no file for empty input and says so (ReportInputEmpty)' {
        $out = @() | Export-LambdaIdentityReport -Path TestDrive:/empty.md -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        'TestDrive:/empty.md' | Should -Not -Exist
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ReportInputEmpty,*'
        $err[0].TargetObject | Should -Be 'TestDrive:/empty.md'
        $Mapping | Export-LambdaIdentityReport -Path TestDrive:/empty.junit.xml -Format JUnit -ErrorAction SilentlyContinue -ErrorVariable err2 | Should -BeNullOrEmpty
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'ReportInputEmpty,*'
    }

    It 'reports a missing folder as an error record naming the path, not an exception' {
        $target = 'TestDrive:/no-such-folder/report.md'
        $out = $Mapping | Export-LambdaIdentityReport -Path $target -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PathFolderNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be $target
    }
}

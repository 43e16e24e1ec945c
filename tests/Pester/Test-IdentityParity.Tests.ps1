#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# What a user sees from Test-IdentityParity in pwsh: result statuses, -Quiet, -FailOn, binding, -TemplateScope, errors.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $Mapping = Get-DemoMapping
    $Results = @($Mapping | Test-IdentityParity -AzureState $SampleState)
    function Get-StatusCount($Results) { ($Results | Group-Object { "$($_.Status)" } | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.Count)" }) -join ', ' }
}

Describe 'Test-IdentityParity' {
    It 'finds passes, missing and excess access in the partly migrated demo target' {
        $Results | ForEach-Object { $_ | Should -BeOfType ([LambdaIdentity.Model.IdentityParityResult]) }
        $statuses = @($Results | ForEach-Object { "$($_.Status)" } | Sort-Object -Unique)
        $statuses | Should -Contain 'Pass'
        $statuses | Should -Contain 'Missing'
        $statuses | Should -Contain 'Excess'
        # Every designed mapping is judged: each mapping id comes back at least once.
        $judged = @($Results.MappingId | Where-Object { $_ } | Sort-Object -Unique)
        $designed = @($Mapping.MappingId | Sort-Object -Unique)
        @($designed | Where-Object { $_ -notin $judged }) | Should -BeNullOrEmpty
    }

    It 'gives the same results for -InputObject as for the pipeline, without duplicate warnings' {
        $given = @(Test-IdentityParity -InputObject $Mapping -AzureState $SampleState -WarningVariable warn 3>$null)
        $given.Count | Should -Be $Results.Count
        Get-StatusCount $given | Should -Be (Get-StatusCount $Results)
        @($warn | Where-Object { "$_" -like 'Duplicate mapping*' }) | Should -BeNullOrEmpty
    }

    It 'takes -InputObject once when assignment rows are piped as well' {
        $row = $Mapping | Where-Object { "$($_.Kind)" -eq 'RoleAssignment' -and $_.Scope -and -not $_.ScopeIsPlaceholder -and $_.RoleDefinitionName } | Select-Object -First 1
        $rows = @([pscustomobject]@{ RoleDefinitionName = $row.RoleDefinitionName; Scope = $row.Scope; ObjectId = $row.ObjectId },
                  [pscustomobject]@{ RoleDefinitionName = $row.RoleDefinitionName; Scope = $row.Scope; ObjectId = $row.ObjectId })
        $both = @($rows | Test-IdentityParity -InputObject $Mapping -AzureState $SampleState -WarningVariable warn 3>$null)
        # The design is checked once; the two identical rows make one extra mapping (the second is a true duplicate).
        @($warn | Where-Object { "$_" -like 'Duplicate mapping*' }).Count | Should -BeLessOrEqual 1
        $both.Count | Should -BeGreaterThan $Results.Count
        $both.Count | Should -BeLessOrEqual ($Results.Count + 2)
    }

    It 'returns one $false with -Quiet when something fails, and $true with -FailOn None' {
        $quiet = @($Mapping | Test-IdentityParity -AzureState $SampleState -Quiet)
        $quiet.Count | Should -Be 1
        $quiet[0] | Should -BeOfType ([bool])
        $quiet[0] | Should -BeFalse
        $Mapping | Test-IdentityParity -AzureState $SampleState -Quiet -FailOn None | Should -BeTrue
    }

    It 'checks assignment rows bound by property name (Get-AzRoleAssignment, a reviewed CSV)' {
        $csv = Join-Path $TestDrive 'assignments.csv'
        $Mapping | Where-Object { "$($_.Kind)" -eq 'RoleAssignment' -and $_.Scope -and -not $_.ScopeIsPlaceholder -and $_.RoleDefinitionName -and $_.ObjectId } |
            Select-Object -First 3 RoleDefinitionName, Scope, @{ n = 'PrincipalId'; e = { $_.ObjectId } } | Export-Csv -LiteralPath $csv
        $rows = @(Import-Csv -LiteralPath $csv)
        $rows.Count | Should -Be 3
        $checked = @($rows | Test-IdentityParity -AzureState $SampleState)
        @($checked | Where-Object MappingId).Count | Should -Be 3
    }

    It 'writes one RoleAssignmentIncomplete error per row that lacks a scope, and goes on' {
        $rows = @([pscustomobject]@{ RoleDefinitionName = 'Reader' },
                  [pscustomobject]@{ RoleDefinitionName = 'Reader'; Scope = '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourceGroups/rg-orders' })
        $out = @($rows | Test-IdentityParity -AzureState $SampleState -ErrorAction SilentlyContinue -ErrorVariable err)
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RoleAssignmentIncomplete,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].TargetObject | Should -Be 'Reader'
        @($out | Where-Object MappingId).Count | Should -Be 1
    }

    It 'fails closed with -Quiet at every level but None when the Azure state is missing, empty, garbage or damaged' {
        $empty = Join-Path $TestDrive 'empty-state'; New-Item -ItemType Directory -Path $empty | Out-Null
        $garbage = Join-Path $TestDrive 'garbage-state'; New-Item -ItemType Directory -Path $garbage | Out-Null
        Set-Content -LiteralPath (Join-Path $garbage 'role-assignments.json') -Value 'not json'
        $cut = Join-Path $TestDrive 'cut-state'; Copy-Item -Path $SampleState -Destination $cut -Recurse
        $file = Join-Path $cut 'role-assignments.json'; $text = Get-Content -Raw -LiteralPath $file
        Set-Content -LiteralPath $file -Value $text.Substring(0, [int]($text.Length / 2))
        foreach ($state in @($empty, $garbage, $cut, (Join-Path $TestDrive 'no-such-folder'))) {
            foreach ($level in 'Any', 'Access', 'Excess') {
                $quiet = @($Mapping | Test-IdentityParity -AzureState $state -FailOn $level -Quiet -ErrorAction SilentlyContinue)
                $quiet.Count | Should -Be 1
                $quiet[0] | Should -BeFalse -Because "$state at -FailOn $level holds evidence that could not be read"
            }
        }
        # One good folder and one missing path: the missing evidence still fails the gate.
        $mixed = @($Mapping | Test-IdentityParity -AzureState $SampleState, (Join-Path $TestDrive 'no-such-folder') -FailOn None -Quiet -ErrorAction SilentlyContinue)
        $mixed[0] | Should -BeFalse
        $Mapping | Test-IdentityParity -AzureState $SampleState -FailOn None -Quiet | Should -BeTrue
        # Nothing designed is never a pass: NotApplicable, counted apart.
        @($Results | Where-Object { "$($_.Status)" -eq 'Pass' -and $_.Actual -eq 'nothing to check' }).Count | Should -Be 0
        @($Results | Where-Object { "$($_.Status)" -eq 'NotApplicable' }).Count | Should -BeGreaterThan 0
    }

    It 'resolves relative scopes of an ARM template with -TemplateScope' {
        $template = Join-Path $TestDrive 'planned.json'
        $Mapping | Export-AzRoleMappingTemplate -Path $template -Format ArmJson | Out-Null
        $rg = '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourceGroups/rg-orders'
        # The export writes scopes relative to its resource group, as Bicep does: the deployment scope resolves them.
        $planned = @(Test-IdentityParity -InputObject $Mapping -AzureState $template -TemplateScope $rg 3>$null)
        # Make the host storage scopes relative, as a hand-written template says them.
        $json = Get-Content -Raw -LiteralPath $template | ConvertFrom-Json -Depth 100
        $absolute = '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourceGroups/rg-orders/providers/Microsoft.Storage/storageAccounts/stordersfunchost'
        $changed = 0
        foreach ($r in $json.resources) { if ($r.scope -eq $absolute -or $r.scope -eq 'Microsoft.Storage/storageAccounts/stordersfunchost') { $r.scope = "[format('Microsoft.Storage/storageAccounts/{0}', 'stordersfunchost')]"; $changed++ } }
        $changed | Should -BeGreaterThan 0
        $json | ConvertTo-Json -Depth 100 | Set-Content -LiteralPath $template
        $relative = @(Test-IdentityParity -InputObject $Mapping -AzureState $template 3>$null)
        @($relative | Where-Object { "$($_.Status)" -eq 'Pass' }).Count | Should -BeLessThan @($planned | Where-Object { "$($_.Status)" -eq 'Pass' }).Count
        $scoped = @(Test-IdentityParity -InputObject $Mapping -AzureState $template -TemplateScope /subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/resourceGroups/rg-orders 3>$null)
        Get-StatusCount $scoped | Should -Be (Get-StatusCount $planned)
    }

    It 'rejects a -TemplateScope that is not a resource group' {
        { Test-IdentityParity -InputObject $Mapping -AzureState $SampleState -TemplateScope /subscriptions/x -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,LambdaIdentity.PowerShell.Commands.TestIdentityParityCommand'
    }

    It 'completes -RoleDefinitionName with built-in role names, quoted when they have spaces' {
        $line = 'Test-IdentityParity -AzureState ./x -RoleDefinitionName "Storage Blob Data R'
        $c = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $c.CompletionText | Should -Contain "'Storage Blob Data Reader'"
        $c.ListItemText | Should -Not -Contain 'Reader'
        $line = 'Test-IdentityParity -AzureState ./x -RoleDefinitionName Cosmos'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.ListItemText | Should -Contain 'Cosmos DB Built-in Data Reader'
    }

    It 'reads -AzureState through drives and wildcards; a path that matches nothing is PathNotFound and never a pass' {
        New-PSDrive -Name LiState -PSProvider FileSystem -Root $SampleState | Out-Null
        try {
            Get-StatusCount @($Mapping | Test-IdentityParity -AzureState LiState:/) | Should -Be (Get-StatusCount $Results)
            $wild = @($Mapping | Test-IdentityParity -AzureState (Join-Path $SampleState '*.json'))
            Get-StatusCount $wild | Should -Be (Get-StatusCount $Results)
        } finally { Remove-PSDrive -Name LiState }
        $out = @($Mapping | Test-IdentityParity -AzureState TestDrive:/no-state -FailOn None -Quiet -ErrorAction SilentlyContinue -ErrorVariable err)
        $out | Should -Be @($false)
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        $err[0].TargetObject | Should -Be 'TestDrive:/no-state'
    }

    It 'verifies the AWS side of the trust with -AwsState, and fails closed without it or on a path that matches nothing' {
        $awsState = Join-Path (Split-Path $SampleState) 'aws-trust'
        $withAws = @($Mapping | Test-IdentityParity -AzureState $SampleState -AwsState $awsState | Where-Object { "$($_.Kind)" -eq 'AwsFederatedRole' })
        $withAws.Count | Should -Be 1
        "$($withAws[0].Status)" | Should -Be 'Pass'
        $withAws[0].ActualId | Should -Be 'arn:aws:iam::111122223333:role/azure-func-dev-invoice-writer'
        $without = @($Results | Where-Object { "$($_.Kind)" -eq 'AwsFederatedRole' })
        "$($without[0].Status)" | Should -Be 'Unverifiable'
        $without[0].EvidenceUnread | Should -BeTrue
        @($Mapping | Test-IdentityParity -AzureState $SampleState -AwsState $awsState -FailOn None -Quiet) | Should -Be @($true)
        $out = @($Mapping | Test-IdentityParity -AzureState $SampleState -AwsState TestDrive:/no-aws -FailOn None -Quiet -ErrorAction SilentlyContinue -ErrorVariable err)
        $out | Should -Be @($false)
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
    }
}

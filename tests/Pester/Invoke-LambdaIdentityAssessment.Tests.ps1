#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# What a user sees from Invoke-LambdaIdentityAssessment in pwsh: the files, the summary (equal to the CLI's), -WhatIf, -Quiet, errors.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    # The demo keeps a dependency on AWS, so the AWS side of its trust is written too.
    $Outputs = @('inventory.json', 'mapping.json', 'azure-design.bicep', 'aws-trust.cfn.json', 'aws-trust.tf.json', 'parity.json', 'parity-junit.xml', 'errors.json', 'report.md')
    $SampleAws = Join-Path $Samples 'aws-trust'
    $Cli = Join-Path $RepoRoot 'src/LambdaIdentity.Cli/bin/Release/net10.0/lambda-identity.dll'
    if (-not (Test-Path -LiteralPath $Cli)) { throw "The CLI is not built: $Cli is missing. Run 'dotnet build LambdaIdentity.sln -c Release' first." }
    $Dotnet = if ($env:DOTNET_HOST_PATH) { $env:DOTNET_HOST_PATH } else { 'dotnet' }
    function Read-JsonArray([string] $File) { @(Get-Content -Raw -LiteralPath $File | ConvertFrom-Json -NoEnumerate) }
    function Get-Counts($Summary) {
        # The counts both fronts report, as one comparable text (dictionaries as 'key=value' in key order).
        $strategies = ($Summary.Strategies.GetEnumerator() | Sort-Object Key | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ','
        $parity = ($Summary.Parity.GetEnumerator() | Sort-Object Key | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ','
        "functions=$($Summary.Functions) mapped=$($Summary.MappedFunctions) items=$($Summary.MappingItems) strategies=$strategies parity=$parity findings=$($Summary.Findings) errors=$($Summary.Errors) exit=$($Summary.ExitCode)"
    }
    $Demo = Invoke-LambdaIdentityAssessment -Path $SamplePaths -ResourceMap $SampleMap -AzureState $SampleState -AwsState $SampleAws -OutputPath TestDrive:/demo
}

Describe 'Invoke-LambdaIdentityAssessment' {
    It 'writes every output of the demo into the folder, and the summary counts what the files hold' {
        $Demo | Should -BeOfType ([LambdaIdentity.Model.AssessmentSummary])
        $folder = Join-Path $TestDrive 'demo'
        $Demo.OutputFolder | Should -Be $folder
        foreach ($name in $Outputs) { Join-Path $folder $name | Should -Exist }
        @($Demo.Files | Select-Object -First $Outputs.Count | ForEach-Object { Split-Path -Leaf $_ }) | Should -Be $Outputs
        # then the plan: the runbook (Markdown, HTML), the HTML report and one verification mapping per step, all on disk
        $plan = @($Demo.Files | Select-Object -Skip $Outputs.Count)
        @($plan | ForEach-Object { Split-Path -Leaf $_ }) | Should -Contain 'runbook.md'
        @($plan | ForEach-Object { Split-Path -Leaf $_ }) | Should -Contain 'report.html'
        @($plan | Where-Object { $_ -like '*step-*.mapping.json' }).Count | Should -BeGreaterThan 0
        foreach ($file in $Demo.Files) { $file | Should -Exist }
        $Demo.Report | Should -Be (Join-Path $folder 'report.md')
        $Demo.Functions | Should -Be (Read-JsonArray (Join-Path $folder 'inventory.json')).Count
        $Demo.Functions | Should -Be @(Get-DemoInventory).Count
        $Demo.MappingItems | Should -Be (Read-JsonArray (Join-Path $folder 'mapping.json')).Count
        $results = Read-JsonArray (Join-Path $folder 'parity.json')
        $Demo.ParityChecked | Should -BeTrue
        ($Demo.Parity.Values | Measure-Object -Sum).Sum | Should -Be $results.Count
        $Demo.Parity['Missing'] | Should -Be @($results | Where-Object Status -eq 'Missing').Count
        # -AwsState was read: the AWS side of the trust is judged, not left Unverifiable
        $aws = @($results | Where-Object Kind -eq 'AwsFederatedRole')
        $aws.Count | Should -BeGreaterThan 0
        @($aws | Where-Object Status -eq 'Unverifiable').Count | Should -Be 0
        ([xml](Get-Content -Raw -LiteralPath (Join-Path $folder 'parity-junit.xml'))).testsuites.tests | Should -Be $results.Count
        (Read-JsonArray (Join-Path $folder 'errors.json')).Count | Should -Be 0
        $Demo.ExitCode | Should -Be 0
        Get-Content -Raw -LiteralPath $Demo.Report | Should -Match "(?m)^- Functions: $($Demo.Functions) read"
    }

    It 'reports the same counts and exit code as lambda-identity assess on the same inputs' {
        $out = Join-Path $TestDrive 'cli'
        $json = & $Dotnet $Cli assess --path @SamplePaths --resource-map $SampleMap --azure-state $SampleState --aws-state $SampleAws --out $out --format json 2>$null
        $LASTEXITCODE | Should -Be $Demo.ExitCode
        $cli = ($json -join "`n") | ConvertFrom-Json -AsHashtable
        Get-Counts $Demo | Should -Be (Get-Counts $cli)
        $cli.Functions | Should -BeGreaterThan 0
        # The same files, with the same records.
        foreach ($name in 'inventory.json', 'mapping.json', 'parity.json', 'errors.json') {
            (Read-JsonArray (Join-Path $out $name)).Count | Should -Be (Read-JsonArray (Join-Path $Demo.OutputFolder $name)).Count
        }
    }

    It 'writes nothing, and reads nothing, with -WhatIf' {
        $out = Invoke-LambdaIdentityAssessment -Path $SamplePaths -AzureState $SampleState -OutputPath TestDrive:/whatif -WhatIf
        $out | Should -BeNullOrEmpty
        'TestDrive:/whatif' | Should -Not -Exist
    }

    It '-Quiet returns $true on the demo, $false at -FailOn Access (results fail) and on an empty Azure state folder' {
        Invoke-LambdaIdentityAssessment -Path $SamplePaths -ResourceMap $SampleMap -AzureState $SampleState -OutputPath TestDrive:/q1 -Quiet | Should -BeTrue
        Invoke-LambdaIdentityAssessment -Path $SamplePaths -ResourceMap $SampleMap -AzureState $SampleState -OutputPath TestDrive:/q2 -FailOn Access -Quiet | Should -BeFalse
        New-Item -ItemType Directory -Path TestDrive:/empty-state | Out-Null
        $quiet = Invoke-LambdaIdentityAssessment -Path $SamplePaths -ResourceMap $SampleMap -AzureState TestDrive:/empty-state -OutputPath TestDrive:/q3 -Quiet -ErrorAction SilentlyContinue -ErrorVariable err
        $quiet | Should -BeOfType ([bool])
        $quiet | Should -BeFalse
        $err.Count | Should -BeGreaterThan 0
        # The summary says why: exit code 2, not enough read.
        $summary = Invoke-LambdaIdentityAssessment -Path $SamplePaths -AzureState TestDrive:/empty-state -OutputPath TestDrive:/q4 -ErrorAction SilentlyContinue
        $summary.ExitCode | Should -Be 2
    }

    It '-Quiet is $false for a gate level without -AzureState (a gate never passes on evidence it did not read)' {
        Invoke-LambdaIdentityAssessment -Path $SamplePaths -ResourceMap $SampleMap -OutputPath TestDrive:/nostate -FailOn Access -Quiet | Should -BeFalse
        'TestDrive:/nostate/parity.json' | Should -Not -Exist
        'TestDrive:/nostate/report.md' | Should -Exist
    }

    It 'stops before reading or writing when a path resolves to nothing, with an error naming it' {
        $quiet = Invoke-LambdaIdentityAssessment -Path $SamplePaths -AzureState TestDrive:/no-such-state -OutputPath TestDrive:/missing -Quiet -ErrorAction SilentlyContinue -ErrorVariable err
        $quiet | Should -BeFalse
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        $err[0].TargetObject | Should -Be 'TestDrive:/no-such-state'
        'TestDrive:/missing' | Should -Not -Exist
    }

    It 'owns its folder: an earlier run''s parity results are removed, other files kept' {
        Invoke-LambdaIdentityAssessment -Path $SamplePaths -ResourceMap $SampleMap -AzureState $SampleState -OutputPath TestDrive:/owned | Out-Null
        Set-Content -LiteralPath TestDrive:/owned/notes.txt -Value 'mine'
        $second = Invoke-LambdaIdentityAssessment -Path $SamplePaths -ResourceMap $SampleMap -OutputPath TestDrive:/owned
        $second.ParityChecked | Should -BeFalse
        'TestDrive:/owned/parity.json' | Should -Not -Exist
        'TestDrive:/owned/parity-junit.xml' | Should -Not -Exist
        'TestDrive:/owned/report.md' | Should -Exist
        Get-Content -Raw -LiteralPath TestDrive:/owned/notes.txt | Should -Match 'mine'
    }

    It 'refuses an -OutputPath that is a file, with an error naming it' {
        Set-Content -LiteralPath TestDrive:/a-file -Value 'x'
        $out = Invoke-LambdaIdentityAssessment -Path $SamplePaths -OutputPath TestDrive:/a-file -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'OutputFolderIsFile,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-Content -Raw -LiteralPath TestDrive:/a-file | Should -Match 'x'
    }

    It 'reads -LiteralPath exactly as typed (brackets are no wildcard)' {
        New-Item -ItemType Directory -Path TestDrive:/src | Out-Null
        Copy-Item -LiteralPath $SamplePaths[0] -Destination (Join-Path $TestDrive 'src/template[1].yaml')
        $summary = Invoke-LambdaIdentityAssessment -LiteralPath (Join-Path $TestDrive 'src/template[1].yaml') -OutputPath TestDrive:/literal
        $summary.Functions | Should -BeGreaterThan 0
        $summary.Functions | Should -Be @(Get-LambdaIdentityInventory -LiteralPath (Join-Path $TestDrive 'src/template[1].yaml')).Count
    }

    It 'assesses piped inventory records (and their JSON copies) as it assesses the paths they came from' {
        $records = @(Get-LambdaIdentityInventory -Path $SamplePaths)
        $piped = $records | Invoke-LambdaIdentityAssessment -ResourceMap $SampleMap -AzureState $SampleState -AwsState $SampleAws -OutputPath TestDrive:/piped
        Get-Counts $piped | Should -Be (Get-Counts $Demo)
        $copies = $records | ConvertTo-Json -Depth 12 | ConvertFrom-Json
        $fromJson = $copies | Invoke-LambdaIdentityAssessment -ResourceMap $SampleMap -AzureState $SampleState -AwsState $SampleAws -OutputPath TestDrive:/json
        Get-Counts $fromJson | Should -Be (Get-Counts $Demo)
    }

    It 'fails closed on a piped copy it cannot convert back, and writes nothing when no record comes in' {
        $copies = @(Get-LambdaIdentityInventory -Path $SamplePaths | ConvertTo-Json -Depth 12 | ConvertFrom-Json)
        $copies[0].Findings = 'System.Collections.Generic.List`1[LambdaIdentity.Model.Finding]' # written too shallow
        $summary = $copies | Invoke-LambdaIdentityAssessment -AzureState $SampleState -OutputPath TestDrive:/broken -ErrorVariable errs -ErrorAction SilentlyContinue
        @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'InventoryRecordUnconvertible*' }).Count | Should -Be 1
        $summary.ExitCode | Should -Be 2
        $summary.Functions | Should -Be ($copies.Count - 1)
        ($copies | Invoke-LambdaIdentityAssessment -AzureState $SampleState -OutputPath TestDrive:/broken2 -Quiet -ErrorAction SilentlyContinue) | Should -BeFalse
        $none = @() | Invoke-LambdaIdentityAssessment -OutputPath TestDrive:/none -ErrorVariable noneErrs -ErrorAction SilentlyContinue
        $none | Should -BeNullOrEmpty
        @($noneErrs | Where-Object { $_.FullyQualifiedErrorId -like 'AssessmentInputEmpty*' }).Count | Should -Be 1
        'TestDrive:/none' | Should -Not -Exist
    }

}

#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# What a user sees from Get-LambdaIdentityInventory in pwsh: one record per function, PowerShell paths, errors.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $Inventory = Get-DemoInventory
    $RealTemplate = Join-Path $SharedData 'sam/serverless-patterns/apigw-lambda-dynamodb-stream-lambda/template.yaml'
}

Describe 'Get-LambdaIdentityInventory' {
    It 'reads the five demo functions, one record each' {
        $Inventory.Count | Should -Be 5
        $Inventory | ForEach-Object { $_ | Should -BeOfType ([LambdaIdentity.Model.LambdaFunctionIdentity]) }
        @($Inventory.FunctionName | Sort-Object -Unique).Count | Should -Be 5
    }

    It 'reads a real public SAM template (serverless-patterns) with each function once' {
        $text = Get-Content -Raw -LiteralPath $RealTemplate
        $declared = ([regex]::Matches($text, '(?m)^\s+Type:\s*AWS::Serverless::Function\s*$')).Count
        $declared | Should -BeGreaterThan 0
        $records = @(Get-LambdaIdentityInventory -Path $RealTemplate)
        $records.Count | Should -Be $declared
        @($records.FunctionArn | Sort-Object -Unique).Count | Should -Be $declared
    }

    It 'binds Get-ChildItem output through FullName' {
        @(Get-ChildItem -LiteralPath $SamplePaths | Get-LambdaIdentityInventory).Count | Should -Be $Inventory.Count
    }

    It 'resolves drives, ~, provider-qualified paths and wildcards' {
        New-PSDrive -Name LiDemo -PSProvider FileSystem -Root $Samples | Out-Null
        try {
            @(Get-LambdaIdentityInventory -Path LiDemo:/demo-sam-template.yaml, LiDemo:/demo-authz-details.json).Count | Should -Be $Inventory.Count
        } finally { Remove-PSDrive -Name LiDemo }
        Copy-Item -LiteralPath $SamplePaths -Destination TestDrive:/
        @(Get-LambdaIdentityInventory -Path TestDrive:/demo-*).Count | Should -Be $Inventory.Count
        @(Get-LambdaIdentityInventory -Path ('Microsoft.PowerShell.Core\FileSystem::' + $TestDrive)).Count | Should -Be $Inventory.Count
        $inHome = Join-Path $HOME ('li-inventory-' + [guid]::NewGuid())
        New-Item -ItemType Directory -Path $inHome | Out-Null
        try {
            Copy-Item -LiteralPath $SamplePaths -Destination $inHome
            @(Get-LambdaIdentityInventory -Path (Join-Path '~' (Split-Path -Leaf $inHome))).Count | Should -Be $Inventory.Count
        } finally { Remove-Item -LiteralPath $inHome -Recurse -Force }
    }

    It 'reads -LiteralPath as typed (brackets are no wildcard)' {
        New-Item -ItemType Directory -Path 'TestDrive:/stack[prod]' | Out-Null
        Copy-Item -LiteralPath $SamplePaths -Destination (Join-Path $TestDrive 'stack[prod]')
        @(Get-LambdaIdentityInventory -LiteralPath (Join-Path $TestDrive 'stack[prod]')).Count | Should -Be $Inventory.Count
    }

    It 'writes one PathNotFound error per missing path, naming it, and reads the rest' {
        $records = @(Get-LambdaIdentityInventory -Path TestDrive:/missing.yaml, $SamplePaths[0], TestDrive:/nothing-*.json -ErrorAction SilentlyContinue -ErrorVariable err)
        $records.Count | Should -Be 5
        $err.Count | Should -Be 2
        $err | ForEach-Object {
            $_.FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
            $_.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }
        @($err.TargetObject) | Should -Be @('TestDrive:/missing.yaml', 'TestDrive:/nothing-*.json')
    }

    It 'reports a file it cannot read as an error with file and location, and goes on' {
        Set-Content -LiteralPath TestDrive:/broken.json -Value '{ "Resources": { "Fn": { "Type": "AWS::Serverless::Function", '
        $records = @(Get-LambdaIdentityInventory -Path TestDrive:/broken.json, $SamplePaths[0] -ErrorAction SilentlyContinue -ErrorVariable err)
        $records.Count | Should -Be 5
        $err.Count | Should -BeGreaterThan 0
        "$($err[0].TargetObject)" | Should -BeLike '*broken.json*'
    }

    It 'completes -Region with AWS Region codes' {
        $line = 'Get-LambdaIdentityInventory -Live -Region eu-we'
        $c = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $c | Should -Contain 'eu-west-1'
        $c | Should -Contain 'eu-west-3'
        $c | Should -Not -Contain 'us-east-1'
    }

    It 'completes -ProfileName from the shared config and credentials files, never showing a value' {
        $secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
        Set-Content -LiteralPath TestDrive:/config -Value "[default]`nregion = eu-west-1`n[profile migration-readonly]`nregion = eu-west-1`n[sso-session corp]`nsso_region = eu-west-1"
        Set-Content -LiteralPath TestDrive:/credentials -Value "[migration-admin]`naws_access_key_id = AKIAIOSFODNN7EXAMPLE`naws_secret_access_key = $secret"
        $saved = $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE
        try {
            $env:AWS_CONFIG_FILE = Join-Path $TestDrive 'config'
            $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $TestDrive 'credentials'
            $line = 'Get-LambdaIdentityInventory -Live -ProfileName migr'
            $r = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
            @($r.CompletionText | Sort-Object) | Should -Be @('migration-admin', 'migration-readonly')
            ($r | Out-String) + ($r.ToolTip -join ' ') | Should -Not -Match ([regex]::Escape($secret))
            $line = 'Get-LambdaIdentityInventory -Live -AWSProfileName '
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'default'
        } finally { $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE = $saved }
    }
}

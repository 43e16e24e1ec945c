#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# What a user sees from Test-LambdaIdentityAccess in pwsh: decisions, -Quiet, roles from the inventory, binding by name.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $Policy = Join-Path $RepoRoot 'tests/fixtures/policy/iam-get-role-policy-s3-read.json'
    $Boundary = Join-Path $RepoRoot 'tests/fixtures/policy/iam-boundary-read-only.json'
    $Principal = 'arn:aws:iam::111122223333:role/app'
}

Describe 'Test-LambdaIdentityAccess' {
    It 'allows a read the policy grants and names the deciding statement' {
        $d = Test-LambdaIdentityAccess -PolicyPath $Policy -PrincipalArn $Principal -Action s3:GetObject -Resource arn:aws:s3:::data/report.csv
        $d | Should -BeOfType ([LambdaIdentity.Model.AccessDecision])
        "$($d.Decision)" | Should -Be 'Allow'
        @($d.DecidingStatements.Sid) | Should -Contain 'ReadData'
    }

    It 'denies what an explicit Deny covers and what the boundary leaves out' {
        "$((Test-LambdaIdentityAccess -PolicyPath $Policy -PrincipalArn $Principal -Action s3:GetObject -Resource arn:aws:s3:::data/secret/key).Decision)" | Should -Be 'ExplicitDeny'
        Test-LambdaIdentityAccess -PolicyPath $Policy -BoundaryPath $Boundary -PrincipalArn $Principal -Action s3:PutObject -Resource arn:aws:s3:::data/x -Context @{ 'aws:TagKeys' = @('team') } -Quiet | Should -BeFalse
        Test-LambdaIdentityAccess -PolicyPath $Policy -PrincipalArn $Principal -Action s3:PutObject -Resource arn:aws:s3:::data/x -Context @{ 'aws:TagKeys' = @('team') } -Quiet | Should -BeTrue
    }

    It 'returns exactly one [bool] with -Quiet' {
        $q = @(Test-LambdaIdentityAccess -PolicyPath $Policy -Action s3:DeleteObject -Resource arn:aws:s3:::data/x -Quiet)
        $q.Count | Should -Be 1
        $q[0] | Should -BeOfType ([bool])
        $q[0] | Should -BeFalse
    }

    It 'decides one request per row bound by property name (Action, Resource, RoleArn)' {
        $rows = @(
            [pscustomobject]@{ Action = 's3:GetObject'; Resource = 'arn:aws:s3:::data/a'; RoleArn = $Principal },
            [pscustomobject]@{ Action = 's3:DeleteObject'; Resource = 'arn:aws:s3:::data/a'; RoleArn = $Principal }
        )
        $d = @($rows | Test-LambdaIdentityAccess -PolicyPath $Policy)
        $d.Count | Should -Be 2
        @($d | ForEach-Object { "$($_.Decision)" }) | Should -Be @('Allow', 'ImplicitDeny')
    }

    It 'decides for each execution role of the demo inventory' {
        $roles = @(Get-DemoInventory | ForEach-Object ExecutionRole | Where-Object { $_ })
        $roles.Count | Should -BeGreaterThan 0
        $d = @($roles | Test-LambdaIdentityAccess -Action logs:CreateLogGroup -Resource 'arn:aws:logs:eu-west-1:111122223333:log-group:x')
        $d.Count | Should -Be $roles.Count
    }
}

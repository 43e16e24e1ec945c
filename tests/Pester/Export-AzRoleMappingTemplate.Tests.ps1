#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# What a user sees from Export-AzRoleMappingTemplate in pwsh: the file, -Format, -WhatIf, -Force, empty input, errors.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $Mapping = Get-DemoMapping
}

Describe 'Export-AzRoleMappingTemplate' {
    It 'writes Bicep by default, declaring role assignments' {
        $file = $Mapping | Export-AzRoleMappingTemplate -Path TestDrive:/identity.bicep
        $file | Should -BeOfType ([System.IO.FileInfo])
        Get-Content -Raw -LiteralPath $file.FullName | Should -Match "Microsoft.Authorization/roleAssignments@"
    }

    It 'writes an ARM JSON template whose planned state judges the design as deployed' {
        $file = $Mapping | Export-AzRoleMappingTemplate -Path TestDrive:/identity.json -Format ArmJson
        $json = Get-Content -Raw -LiteralPath $file.FullName | ConvertFrom-Json -Depth 100
        $json.'$schema' | Should -Match 'deploymentTemplate'
        $results = @($Mapping | Test-IdentityParity -AzureState $file.FullName 3>$null)
        @($results | Where-Object { "$($_.Status)" -eq 'Pass' }) | Should -Not -BeNullOrEmpty
    }

    It 'takes -InputObject once when given on the command line' {
        $a = ConvertTo-Json (Get-Content -Raw -LiteralPath ($Mapping | Export-AzRoleMappingTemplate -Path TestDrive:/piped.json -Format ArmJson).FullName | ConvertFrom-Json -Depth 100).resources.Count
        $b = ConvertTo-Json (Get-Content -Raw -LiteralPath (Export-AzRoleMappingTemplate -InputObject $Mapping -Path TestDrive:/given.json -Format ArmJson).FullName | ConvertFrom-Json -Depth 100).resources.Count
        $b | Should -Be $a
    }

    It 'writes nothing with -WhatIf, and keeps an existing file without -Force' {
        $Mapping | Export-AzRoleMappingTemplate -Path TestDrive:/whatif.bicep -WhatIf | Should -BeNullOrEmpty
        'TestDrive:/whatif.bicep' | Should -Not -Exist
        Set-Content -LiteralPath TestDrive:/exists.bicep -Value 'keep'
        $Mapping | Export-AzRoleMappingTemplate -Path TestDrive:/exists.bicep -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'TemplateFileExists,*'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-Content -Raw -LiteralPath TestDrive:/exists.bicep | Should -Match 'keep'
    }

    It 'writes no file for empty input and says so (TemplateInputEmpty)' {
        @() | Export-AzRoleMappingTemplate -Path TestDrive:/empty.bicep -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        'TestDrive:/empty.bicep' | Should -Not -Exist
        $err[0].FullyQualifiedErrorId | Should -BeLike 'TemplateInputEmpty,*'
        $err[0].TargetObject | Should -Be 'TestDrive:/empty.bicep'
    }

    It 'writes to -LiteralPath as typed' {
        ($Mapping | Export-AzRoleMappingTemplate -LiteralPath 'TestDrive:/identity[1].bicep').Name | Should -Be 'identity[1].bicep'
    }

    It 'writes the AWS side of the trust as CloudFormation and Terraform JSON, and refuses a mapping with nothing on AWS' {
        $cfn = Get-Content -Raw -LiteralPath ($Mapping | Export-AzRoleMappingTemplate -Path TestDrive:/aws-trust.cfn.json -Format AwsCloudFormation).FullName | ConvertFrom-Json -Depth 100
        $cfn.Resources.EntraOidcProvider.Type | Should -Be 'AWS::IAM::OIDCProvider'
        $cfn.Resources.EntraOidcProvider.Properties.Url.'Fn::Sub' | Should -Be 'https://login.microsoftonline.com/${EntraTenantId}/v2.0'
        $cfn.Resources.AzureFuncDevInvoiceWriterRole.Properties.RoleName | Should -Be 'azure-func-dev-invoice-writer'
        $tf = Get-Content -Raw -LiteralPath ($Mapping | Export-AzRoleMappingTemplate -Path TestDrive:/aws-trust.tf.json -Format AwsTerraform).FullName | ConvertFrom-Json -Depth 100
        $tf.resource.aws_iam_openid_connect_provider.entra.client_id_list | Should -Be @('api://AzureADTokenExchange')
        $none = @($Mapping | Where-Object { "$($_.Kind)" -ne 'AwsFederatedRole' })
        $out = $none | Export-AzRoleMappingTemplate -Path TestDrive:/none.cfn.json -Format AwsCloudFormation -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'AwsTrustInputEmpty,*'
        Test-Path TestDrive:/none.cfn.json | Should -BeFalse
    }
}

@{
    RootModule           = 'LambdaIdentity.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f1d3c2e-8a4b-4f5e-9c7d-2b1a0e9f8d7c'
    Author               = 'LambdaIdentity contributors'
    CompanyName          = 'LambdaIdentity'
    Copyright            = '(c) LambdaIdentity contributors. MIT License.'
    Description          = 'Carries AWS Lambda identity and access to Azure Functions: inventory, least-privileged Azure role mapping, parity checks and reports.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('LambdaIdentity.Format.ps1xml')
    TypesToProcess       = @('LambdaIdentity.Types.ps1xml')
    CmdletsToExport      = @(
        'ConvertTo-AzRoleMapping',
        'Export-AzRoleMappingTemplate',
        'Export-LambdaIdentityReport',
        'Get-LambdaIdentityInventory',
        'New-AzResourceMap',
        'Test-IdentityParity',
        'Test-LambdaIdentityAccess'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('AWS', 'Lambda', 'Azure', 'Functions', 'IAM', 'RBAC', 'Migration', 'Identity')
            ProjectUri = 'https://github.com/lambdaidentity/lambdaidentity'
        }
    }
}

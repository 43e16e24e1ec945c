@{
    RootModule           = 'LambdaIdentity.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f1d3c2e-8a4b-4f5e-9c7d-2b1a0e9f8d7c'
    Author               = 'LambdaIdentity contributors'
    CompanyName          = 'LambdaIdentity'
    Copyright            = '(c) LambdaIdentity contributors. MIT License.'
    Description          = 'Carries AWS Lambda identity and access to Azure Functions: inventory, least-privileged Azure role mapping, parity checks and reports.'
    # Windows PowerShell 5.1 on .NET Framework 4.7.2 or later; PowerShell 7.4 or later (.NET 8), checked on import
    # (the manifest has no field for a minimum PowerShell 7 version; see docs/decisions.md).
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('LambdaIdentity.Format.ps1xml')
    TypesToProcess       = @('LambdaIdentity.Types.ps1xml')
    CmdletsToExport      = @(
        'ConvertTo-AzRoleMapping',
        'Export-AzRoleMappingTemplate',
        'Export-LambdaIdentityReport',
        'Get-LambdaIdentityInventory',
        'Invoke-LambdaIdentityAssessment',
        'Merge-LambdaIdentityAssessment',
        'New-AzResourceMap',
        'Test-IdentityParity',
        'Test-LambdaIdentityAccess'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('AWS', 'Lambda', 'Azure', 'Functions', 'IAM', 'RBAC', 'Migration', 'Identity', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/lambdaidentity/lambdaidentity'
            LicenseUri   = 'https://github.com/lambdaidentity/lambdaidentity/blob/main/LICENSE'
            ReleaseNotes = 'The engine and the SDKs it brings (Azure.Core, Azure.Identity, MSAL, AWSSDK.Core, YamlDotNet, System.Text.Json) load in their own AssemblyLoadContext on PowerShell 7.4+, so the module works next to Az.Accounts and AWS.Tools in either import order; on Windows PowerShell 5.1 the module answers only its own assembly requests and enables TLS 1.2 for live calls.'
        }
    }
}

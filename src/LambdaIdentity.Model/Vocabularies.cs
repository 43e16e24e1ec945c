namespace LambdaIdentity.Model;

// Closed vocabularies that appear on cmdlet parameters: they live with the records, not in the engine, so the
// cmdlets' public surface names no engine type.

/// <summary>The Azure Functions hosting plan; it decides what host storage needs.</summary>
public enum HostingPlan
{
    /// <summary>Flex Consumption: no Azure Files; host and deployment storage with a managed identity.</summary>
    FlexConsumption,
    /// <summary>Elastic Premium: host storage with identity, but the content share on Azure Files needs a key.</summary>
    Premium,
    /// <summary>Dedicated (App Service plan): host storage with identity, no content share.</summary>
    Dedicated,
    /// <summary>Consumption (Windows): the content share on Azure Files needs a key.</summary>
    Consumption,
}

/// <summary>The template languages Export-AzRoleMappingTemplate writes.</summary>
public enum TemplateFormat
{
    /// <summary>Bicep.</summary>
    Bicep,
    /// <summary>ARM JSON (deploymentTemplate.json).</summary>
    ArmJson,
    /// <summary>The AWS side of the trust for dependencies that stay on AWS, as a CloudFormation JSON template.</summary>
    AwsCloudFormation,
    /// <summary>The AWS side of the trust for dependencies that stay on AWS, as Terraform JSON (.tf.json).</summary>
    AwsTerraform,
}

/// <summary>What Export-LambdaIdentityReport writes.</summary>
public enum ReportFormat
{
    /// <summary>The Markdown migration report (features, deviations, role assignments, parity results).</summary>
    Markdown,
    /// <summary>The parity results as JUnit XML (Azure DevOps PublishTestResults@2, most CI systems).</summary>
    JUnit,
    /// <summary>The migration runbook in Markdown (cutover steps with their checks, rollback triggers and steps, sign-off gate, client changes), with each step's verification mapping next to it.</summary>
    Runbook,
    /// <summary>The whole report as one self-contained HTML page (identity graphs, runbook, sortable and filterable tables).</summary>
    Html,
}

/// <summary>The Azure clouds live reads go to (the names Az.Accounts' -Environment uses).</summary>
public enum AzureCloudName
{
    /// <summary>Azure (global): management.azure.com, sign-in at login.microsoftonline.com.</summary>
    AzureCloud,
    /// <summary>Azure operated by 21Vianet (China): management.chinacloudapi.cn, sign-in at login.chinacloudapi.cn.</summary>
    AzureChinaCloud,
    /// <summary>Azure Government (US): management.usgovcloudapi.net, sign-in at login.microsoftonline.us.</summary>
    AzureUSGovernment,
}

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
}

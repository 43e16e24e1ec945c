namespace LambdaIdentity.PowerShell;

/// <summary>What Export-LambdaIdentityReport writes.</summary>
public enum ReportFormat
{
    /// <summary>The Markdown migration report (features, deviations, role assignments, parity results).</summary>
    Markdown,
    /// <summary>The parity results as JUnit XML (Azure DevOps PublishTestResults@2, most CI systems).</summary>
    JUnit,
}

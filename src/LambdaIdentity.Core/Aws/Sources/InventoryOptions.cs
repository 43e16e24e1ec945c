using System.Collections.Generic;

namespace LambdaIdentity.Core.Aws.Sources;

/// <summary>Settings of one inventory read.</summary>
public sealed class InventoryOptions
{
    /// <summary>Template parameter overrides (-Parameter / --parameter K=V); they win over Default values.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    /// <summary>Value of AWS::Region in templates; a ${AWS::Region} token when null.</summary>
    public string? Region { get; init; }
    /// <summary>Value of AWS::AccountId in templates; a ${AWS::AccountId} token when null.</summary>
    public string? AccountId { get; init; }
    /// <summary>Value of AWS::Partition; derived from the region when null and a region is given.</summary>
    public string? Partition { get; init; }
    /// <summary>Files larger than this are reported (InventoryFileTooLarge) and skipped. Default 512 MiB.</summary>
    public long MaxFileBytes { get; init; } = 512L * 1024 * 1024;
}

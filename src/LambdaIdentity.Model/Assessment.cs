using System.Collections.Generic;

namespace LambdaIdentity.Model;

/// <summary>
/// What one assessment run (`lambda-identity assess`, Invoke-LambdaIdentityAssessment) did: the counts of each stage,
/// the files it wrote and its exit code under the one exit-code contract (docs/cli.md, "Exit codes").
/// </summary>
public sealed class AssessmentSummary
{
    /// <summary>Inventory records read.</summary>
    public int Functions { get; init; }
    /// <summary>Functions with at least one mapping item.</summary>
    public int MappedFunctions { get; init; }
    /// <summary>Mapping items.</summary>
    public int MappingItems { get; init; }
    /// <summary>Mapping items per strategy.</summary>
    public IReadOnlyDictionary<string, int> Strategies { get; init; } = new Dictionary<string, int>();
    /// <summary>True when the Azure state was read and parity checked.</summary>
    public bool ParityChecked { get; init; }
    /// <summary>Parity results per status (empty when not checked).</summary>
    public IReadOnlyDictionary<string, int> Parity { get; init; } = new Dictionary<string, int>();
    /// <summary>Findings in the inventory and the mapping.</summary>
    public int Findings { get; init; }
    /// <summary>Errors of the run (what could not be read), as written to errors.json.</summary>
    public int Errors { get; init; }
    /// <summary>The report file (empty when the run stopped before writing).</summary>
    public string Report { get; init; } = "";
    /// <summary>The output folder.</summary>
    public string OutputFolder { get; init; } = "";
    /// <summary>The files this run wrote into the output folder, in the order written (none when it stopped before writing).</summary>
    public IReadOnlyList<string> Files { get; init; } = new List<string>();
    /// <summary>The run's exit code (docs/cli.md): 0 ok, 1 results fail at the level, 2 not enough read, 64 usage.</summary>
    public int ExitCode { get; init; }
    /// <summary>Why the run exits with that code.</summary>
    public string ExitReason { get; init; } = "";
}

using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Threading.Tasks;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;

namespace LambdaIdentity.PowerShell.Commands;

/// <summary>Writes a mapping as a deployable Bicep or ARM template (identities, role assignments, Cosmos DB SQL role assignments, auth settings).</summary>
[Cmdlet(VerbsData.Export, "AzRoleMappingTemplate", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportAzRoleMappingTemplateCommand : AsyncPSCmdlet
{
    private readonly List<AzRoleMapping> _mappings = new();

    /// <summary>Mapping records from ConvertTo-AzRoleMapping.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public AzRoleMapping[] InputObject { get; set; } = new AzRoleMapping[0];

    /// <summary>The template file to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Bicep (default) or ArmJson.</summary>
    [Parameter]
    public TemplateFormat Format { get; set; } = TemplateFormat.Bicep;

    /// <summary>Overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override Task ProcessRecordAsync(EngineContext context)
    {
        if (TakeOnce(nameof(InputObject), InputObject) is { } given) _mappings.AddRange(given);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task EndProcessingAsync(EngineContext context)
    {
        var full = GetUnresolvedProviderPathFromPSPath(Path);
        var text = MappingTemplateExporter.Export(_mappings, Format);
        Post(() =>
        {
            if (File.Exists(full) && !Force)
            {
                WriteError(new ErrorRecord(new IOException($"'{full}' exists; use -Force to overwrite."), "TemplateFileExists", ErrorCategory.ResourceExists, full));
                return;
            }
            if (!ShouldProcess(full, "Write " + Format + " template")) return;
            File.WriteAllText(full, text, new UTF8Encoding(false));
            WriteObject(new FileInfo(full));
        });
        return Task.CompletedTask;
    }
}

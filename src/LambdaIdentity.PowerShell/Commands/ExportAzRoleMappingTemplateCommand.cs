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
[Cmdlet(VerbsData.Export, "AzRoleMappingTemplate", SupportsShouldProcess = true, DefaultParameterSetName = "Path")]
[OutputType(typeof(FileInfo))]
public sealed class ExportAzRoleMappingTemplateCommand : AsyncPSCmdlet
{
    private readonly List<AzRoleMapping> _mappings = new();

    /// <summary>Mapping records from ConvertTo-AzRoleMapping.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public AzRoleMapping[] InputObject { get; set; } = new AzRoleMapping[0];

    /// <summary>The template file to write (PowerShell paths; a wildcard must match one existing file).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Path")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The template file to write, taken as typed (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "LiteralPath")]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>Bicep (default) or ArmJson; AwsCloudFormation or AwsTerraform for the AWS side of the trust.</summary>
    [Parameter]
    public TemplateFormat Format { get; set; } = TemplateFormat.Bicep;

    /// <summary>Write the custom role definitions the mappings design instead: a subscription-scope template deployed once, before the resource-group templates that assign them.</summary>
    [Parameter]
    public SwitchParameter RoleDefinitions { get; set; }

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
        var literal = ParameterSetName == "LiteralPath";
        var typed = literal ? LiteralPath : Path;
        Post(() =>
        {
            if (_mappings.Count == 0)
            {
                WriteError(new ErrorRecord(new InvalidDataException("No mapping record came in: the template was not written."), "TemplateInputEmpty", ErrorCategory.InvalidData, typed));
                return;
            }
            if (RoleDefinitions && Format is TemplateFormat.AwsCloudFormation or TemplateFormat.AwsTerraform)
            {
                WriteError(new ErrorRecord(new System.ArgumentException("-RoleDefinitions writes Azure role definitions: use -Format Bicep or ArmJson."), "RoleDefinitionsFormatInvalid", ErrorCategory.InvalidArgument, Format));
                return;
            }
            if (Format is TemplateFormat.AwsCloudFormation or TemplateFormat.AwsTerraform && !AwsTrustTemplateExporter.HasAny(_mappings))
            {
                WriteError(new ErrorRecord(new InvalidDataException("No dependency stays on AWS in this mapping (no AwsFederatedRole item): no AWS-side template was written."), "AwsTrustInputEmpty", ErrorCategory.InvalidData, typed));
                return;
            }
            string? text;
            if (RoleDefinitions)
            {
                text = MappingTemplateExporter.ExportRoleDefinitions(_mappings, Format);
                if (text is null) { WriteWarning("The mappings design no custom role: no role-definitions template was written."); return; }
            }
            else text = MappingTemplateExporter.Export(_mappings, Format);
            if (ResolveOutputPath(typed, literal) is not { } full) return;
            if (File.Exists(full) && !Force)
            {
                WriteError(new ErrorRecord(new IOException($"'{full}' exists; use -Force to overwrite."), "TemplateFileExists", ErrorCategory.ResourceExists, full));
                return;
            }
            if (!ShouldProcess(full, "Write " + Format + (RoleDefinitions ? " role-definitions" : "") + " template")) return;
            if (TryWriteFile(full, "TemplateFileUnwritable", f => File.WriteAllText(f, text, new UTF8Encoding(false)))) WriteObject(new FileInfo(full));
        });
        return Task.CompletedTask;
    }
}

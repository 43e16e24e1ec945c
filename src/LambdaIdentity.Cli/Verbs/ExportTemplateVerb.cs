using System.CommandLine;
using System.Text;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;

namespace LambdaIdentity.Cli.Verbs;

/// <summary>`export-template`: a mapping as a Bicep or ARM template (Export-AzRoleMappingTemplate).</summary>
public sealed class ExportTemplateVerb : ICliVerb
{
    /// <inheritdoc />
    public Command Build(CliIO io)
    {
        var mapping = new Option<string>("--mapping") { Description = "Mapping JSON (from `map --format json`), or - for stdin.", Required = true };
        var output = new Option<string?>("--out") { Description = "The template file; stdout when omitted." };
        var format = new Option<string>("--format") { Description = "bicep (default) or armjson (the Azure side); awscloudformation or awsterraform (the AWS side of the trust for dependencies that stay on AWS).", DefaultValueFactory = _ => "bicep" };
        format.AcceptOnlyFromAmong("bicep", "armjson", "awscloudformation", "awsterraform");
        var roleDefinitions = new Option<bool>("--role-definitions") { Description = "Write the custom role definitions the mapping designs instead: a subscription-scope template deployed once, before the resource-group templates that assign them, by a principal allowed to create roles (bicep or armjson)." };
        var cmd = new Command("export-template", "Write identities, role assignments, Cosmos DB SQL role assignments and auth settings as a deployable template.")
        {
            mapping, output, format, roleDefinitions,
        };
        cmd.SetAction(r =>
        {
            if (io.TryReadRecords<AzRoleMapping>("--mapping", r.GetValue(mapping)!, out var mappings) is var unread and not 0) return unread;
            if (mappings.Count == 0) return io.Unreadable("MappingInputEmpty", r.GetValue(mapping)!, "the mapping holds no record: no template is written.");
            var chosen = r.GetValue(format) switch { "armjson" => TemplateFormat.ArmJson, "awscloudformation" => TemplateFormat.AwsCloudFormation, "awsterraform" => TemplateFormat.AwsTerraform, _ => TemplateFormat.Bicep };
            if (r.GetValue(roleDefinitions) && chosen is TemplateFormat.AwsCloudFormation or TemplateFormat.AwsTerraform)
                return io.Usage("RoleDefinitionsFormatInvalid", "--role-definitions writes Azure role definitions: use --format bicep or armjson.");
            if (chosen is TemplateFormat.AwsCloudFormation or TemplateFormat.AwsTerraform && !AwsTrustTemplateExporter.HasAny(mappings))
                return io.Unreadable("AwsTrustInputEmpty", r.GetValue(mapping)!, "no dependency stays on AWS in this mapping (no AwsFederatedRole item): no AWS-side template is written.");
            string text;
            if (r.GetValue(roleDefinitions))
            {
                if (MappingTemplateExporter.ExportRoleDefinitions(mappings, chosen) is not { } roles)
                {
                    io.Note("the mapping designs no custom role: no role-definitions template is written.");
                    return io.ReadExitCode();
                }
                text = roles;
            }
            else text = MappingTemplateExporter.Export(mappings, chosen);
            if (r.GetValue(output) is { } path)
            {
                File.WriteAllText(path, text, new UTF8Encoding(false));
                io.Note($"template written: {path}");
            }
            else io.Out.Write(text);
            return io.ReadExitCode();
        });
        return cmd;
    }
}

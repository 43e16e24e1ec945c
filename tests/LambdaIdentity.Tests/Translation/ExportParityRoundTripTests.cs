using LambdaIdentity.Core;
using LambdaIdentity.Core.Azure;
using LambdaIdentity.Core.Parity;
using LambdaIdentity.Core.Translation;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Translation;

/// <summary>The exported ARM template, read back as Azure state by the parity stage, satisfies the design it came from.</summary>
public class ExportParityRoundTripTests
{
    [Fact]
    public async Task ExportedTemplatePassesParityForEveryDeployedAssignment()
    {
        const string rg = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/";
        var map = new ResourceMap(new[]
        {
            new ResourceMapEntry { Aws = "arn:aws:s3:::orders", Azure = rg + "Microsoft.Storage/storageAccounts/st/blobServices/default/containers/orders" },
            new ResourceMapEntry { Aws = "arn:aws:sqs:eu-west-1:123456789012:jobs", Azure = rg + "Microsoft.ServiceBus/namespaces/sb/queues/jobs" },
            new ResourceMapEntry { Aws = ResourceMap.HostStorageKey, Azure = rg + "Microsoft.Storage/storageAccounts/sthost" },
        });
        var a = T.Function("a", "shared");
        var b = T.Function("b", "shared");
        var deriver = new FixedGrantDeriver(T.RoleArn("shared"),
            T.Grant("s3:GetObject", AccessLevel.Read, "arn:aws:s3:::orders/*"),
            T.Grant("sqs:SendMessage", AccessLevel.Write, "arn:aws:sqs:eu-west-1:123456789012:jobs"));
        var mappings = new AzRoleMapper(deriver, new MappingOptions { ResourceMap = map }).Map(new[] { a, b }, EngineContext.None);

        var dir = Directory.CreateTempSubdirectory("li-export-").FullName;
        try
        {
            var file = Path.Combine(dir, "identity.json");
            File.WriteAllText(file, MappingTemplateExporter.Export(mappings, TemplateFormat.ArmJson));
            var errors = new ErrorCollector();
            var ctx = new EngineContext(errors);
            var state = await new AzureStateReader { TemplateSubscriptionId = "00000000-0000-0000-0000-000000000000", TemplateResourceGroupName = "rg" }.ReadAsync(new[] { dir }, ctx);
            var results = ParityChecker.Check(mappings, state, null, ctx);
            var deployed = mappings.Where(m => m.Kind == MappingKind.RoleAssignment && !m.ScopeIsPlaceholder && m.Strategy == MappingStrategy.BuiltIn).Select(m => m.MappingId).ToHashSet();
            Assert.NotEmpty(deployed);
            var judged = results.Where(r => r.MappingId is not null && deployed.Contains(r.MappingId)).ToList();
            Assert.Equal(deployed.Count, judged.Count);
            Assert.All(judged, r => Assert.True(r.Status == ParityStatus.Pass, r.MappingId + ": " + r.Status + " " + r.Reason));
            // What the template lists as not deployed is never reported as lost access.
            Assert.DoesNotContain(results, r => r.Status == ParityStatus.Missing && r.Kind == MappingKind.RoleAssignment && mappings.Any(m => m.MappingId == r.MappingId && m.ScopeIsPlaceholder));
        }
        finally { Directory.Delete(dir, true); }
    }
}

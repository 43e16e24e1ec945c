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

    [Fact]
    public async Task PeopleAndPipelinesNamedInTheResourceMapAreDeployedAndPimEligibleAccessOnlyAsEligibility()
    {
        const string sub = "a925f2f7-5c63-4b7b-8799-25a5f97bc3b2";
        var ctx = new EngineContext(new ErrorCollector());
        var inventory = DemoWorkload.Inventory(ctx);
        var mappings = new AzRoleMapper(LambdaIdentity.Core.Aws.Policy.GrantDeriver.Default, new MappingOptions { ResourceMap = DemoWorkload.ResourceMap() }).Map(inventory, ctx);
        var template = MappingTemplateExporter.Export(mappings, TemplateFormat.ArmJson);
        var bicep = MappingTemplateExporter.Export(mappings, TemplateFormat.Bicep);

        // The deploy pipeline's Website Contributor (its Entra object named by principal:<ARN>) is in both templates.
        const string deployer = "3c1a9e52-7f0b-4d6e-9a21-5b8c4f0d2e17";
        Assert.Contains("'" + deployer + "'", template);
        Assert.Contains("principalId: '" + deployer + "'", bicep);
        Assert.Contains("principalType: 'Group'", bicep); // the developers group's Reader
        // Break-glass access is requested as PIM eligibility, never as a standing assignment.
        const string breakGlass = "e27b5c08-94d1-4f3a-8e6b-0a1d2c3f4b59";
        var resources = System.Text.Json.Nodes.JsonNode.Parse(template)!["resources"]!.AsArray();
        Assert.DoesNotContain(resources, r => (string?)r!["type"] == "Microsoft.Authorization/roleAssignments" && ((string?)r["properties"]!["principalId"])!.Contains(breakGlass));
        var eligible = resources.Where(r => (string?)r!["type"] == "Microsoft.Authorization/roleEligibilityScheduleRequests").ToList();
        Assert.Equal(10, eligible.Count);
        Assert.All(eligible, r =>
        {
            Assert.Equal(breakGlass, (string?)r!["properties"]!["principalId"]);
            Assert.Equal("AdminAssign", (string?)r["properties"]!["requestType"]);
            Assert.Equal("NoExpiration", (string?)r["properties"]!["scheduleInfo"]!["expiration"]!["type"]);
        });
        Assert.Equal("[utcNow()]", (string?)System.Text.Json.Nodes.JsonNode.Parse(template)!["parameters"]!["eligibilityStart"]!["defaultValue"]);
        Assert.Contains("'Microsoft.Authorization/roleEligibilityScheduleRequests@2020-10-01'", bicep);
        Assert.Contains("param eligibilityStart string = utcNow()", bicep);
        Assert.DoesNotContain("PIM-eligible", template);
        Assert.Contains("\"type\": \"Microsoft.Insights/diagnosticSettings\"", template);
        Assert.Contains("resource func_dev_orders_api 'Microsoft.Web/sites@", bicep);
        Assert.Contains("  scope: func_dev_orders_api\n  properties: {\n    workspaceId: '/subscriptions/", bicep.Replace("\r\n", "\n"));

        var dir = Directory.CreateTempSubdirectory("li-export-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "identity.json"), template);
            var state = await new AzureStateReader { TemplateSubscriptionId = sub, TemplateResourceGroupName = "rg-orders" }.ReadAsync(new[] { dir }, ctx);
            var results = ParityChecker.Check(mappings, state, null, ctx);
            var people = mappings.Where(m => m.Kind == MappingKind.RoleAssignment && m.IdentityType is null && m.ObjectId is not null && !m.PimEligible).Select(m => m.MappingId).ToHashSet();
            Assert.True(people.Count >= 10, "only " + people.Count + " people/pipeline assignments designed");
            Assert.All(results.Where(r => r.MappingId is not null && people.Contains(r.MappingId)), r => Assert.True(r.Status == ParityStatus.Pass, r.MappingId + ": " + r.Status + " " + r.Reason));
            // The planned eligibility is read back from the template: every PIM-eligible design passes as eligible, none as standing.
            var pim = results.Where(r => mappings.Any(m => m.MappingId == r.MappingId && m.PimEligible && m.Kind == MappingKind.RoleAssignment)).ToList();
            Assert.Equal(10, pim.Count);
            Assert.All(pim, r => Assert.True(r.Status == ParityStatus.Pass && r.Actual.StartsWith("eligible:"), r.MappingId + ": " + r.Status + " " + r.Actual));
            // The audit trail: each app's diagnostic setting to the mapped workspace is deployed and read back as sent.
            var audit = results.Where(r => r.MappingId is not null && r.MappingId.EndsWith("/Setting/audit/diagnostic-settings", StringComparison.Ordinal)).ToList();
            Assert.Equal(5, audit.Count);
            Assert.All(audit, r => Assert.True(r.Status == ParityStatus.Pass, r.MappingId + ": " + r.Status + " " + r.Reason));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void NoDesignedAssignmentLeavesTheTemplateUnmentioned()
    {
        // Every role assignment of the demo design is either deployed by the template or listed as not deployed.
        var ctx = new EngineContext(new ErrorCollector());
        var inventory = DemoWorkload.Inventory(ctx);
        foreach (var map in new[] { ResourceMap.Empty, DemoWorkload.ResourceMap() })
        {
            var mappings = new AzRoleMapper(LambdaIdentity.Core.Aws.Policy.GrantDeriver.Default, new MappingOptions { ResourceMap = map }).Map(inventory, ctx);
            var template = MappingTemplateExporter.Export(mappings, TemplateFormat.ArmJson);
            foreach (var m in mappings.Where(m => m.Kind == MappingKind.RoleAssignment && m.Strategy != MappingStrategy.NotNeeded))
            {
                // Cosmos DB SQL role assignments carry no description: the deployed one is found by its data-plane scope.
                if (m.RoleAssignmentType == "CosmosDbSql" && !m.ScopeIsPlaceholder)
                    Assert.Contains("\"scope\": \"" + MappingTemplateExporter.CosmosScope(m.Scope!).Scope + "\"", template);
                else
                    Assert.True(template.Contains(m.MappingId, StringComparison.Ordinal), m.MappingId + " is neither deployed nor listed as not deployed");
            }
        }
    }

    [Fact]
    public async Task TheDeployedIssuerOfTheDeploymentsTenantIsReadBackAsTheDesignedOneAndAParameterIsNeverPassed()
    {
        var ctx = new EngineContext(new ErrorCollector());
        var mappings = new AzRoleMapper(LambdaIdentity.Core.Aws.Policy.GrantDeriver.Default, new MappingOptions { ResourceMap = DemoWorkload.ResourceMap() }).Map(DemoWorkload.Inventory(ctx), ctx).ToList();
        var dir = Directory.CreateTempSubdirectory("li-export-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "identity.json"), MappingTemplateExporter.Export(mappings, TemplateFormat.ArmJson));
            var state = await new AzureStateReader { TemplateSubscriptionId = "a925f2f7-5c63-4b7b-8799-25a5f97bc3b2", TemplateResourceGroupName = "rg-orders" }.ReadAsync(new[] { dir }, ctx);
            var results = ParityChecker.Check(mappings, state, null, ctx);
            IdentityParityResult Auth(string fn) => Assert.Single(results, r => r.Kind == MappingKind.Authentication && r.MappingId?.StartsWith(fn + "/", StringComparison.Ordinal) == true && r.Expected.Contains("issuer", StringComparison.Ordinal));
            // tenant() and environment() resolve to the designed Entra issuer: {tenantId} stands for the deployment's tenant.
            var report = Auth("dev-order-report");
            Assert.Contains("issuer https://login.microsoftonline.com/{tenantId}/v2.0", report.Actual, StringComparison.Ordinal);
            Assert.DoesNotContain("issuer", report.Reason, StringComparison.Ordinal); // neither drift nor unverifiable on the issuer
            // The Cognito design is a deviation the template does not deploy: never passed.
            var api = Auth("dev-orders-api");
            Assert.NotEqual(ParityStatus.Pass, api.Status);
        }
        finally { Directory.Delete(dir, true); }
    }
}

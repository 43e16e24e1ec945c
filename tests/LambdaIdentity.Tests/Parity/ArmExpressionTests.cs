using System.Text.Json;
using LambdaIdentity.Core.Azure;
using Xunit;

namespace LambdaIdentity.Tests.Parity;

public class ArmExpressionTests
{
    private static ArmExpression Expr(string? sub = null, string? rg = null) => new(JsonDocument.Parse("""
        {
          "parameters": { "app": { "type": "string", "defaultValue": "orders-func" }, "noDefault": { "type": "string" } },
          "variables": { "site": "[resourceId('Microsoft.Web/sites', parameters('app'))]", "role": "ba92f5b4-2d11-453d-a403-e96b0029c9fe" }
        }
        """).RootElement, null, sub, rg);

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("[[not an expression]", "[not an expression]")]
    [InlineData("[concat('a', 'b', parameters('app'))]", "aborders-func")]
    [InlineData("[format('{0}/{1}', 'acct', 'dbs')]", "acct/dbs")]
    [InlineData("[toLower('ABC')]", "abc")]
    [InlineData("[resourceId('Microsoft.Web/sites/config', parameters('app'), 'authsettingsV2')]", "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Web/sites/orders-func/config/authsettingsV2")]
    [InlineData("[resourceId('other-sub', 'other-rg', 'Microsoft.Storage/storageAccounts', 'st')]", "/subscriptions/other-sub/resourceGroups/other-rg/providers/Microsoft.Storage/storageAccounts/st")]
    [InlineData("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('role'))]", "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe")]
    [InlineData("[extensionResourceId(variables('site'), 'Microsoft.Authorization/roleAssignments', 'x')]", "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Web/sites/orders-func/providers/Microsoft.Authorization/roleAssignments/x")]
    [InlineData("[resourceGroup().id]", "/subscriptions/s1/resourceGroups/rg1")]
    [InlineData("[subscription().subscriptionId]", "s1")]
    [InlineData("[concat('it''s', ' ok')]", "it's ok")]
    public void ResolvesSimpleExpressions(string raw, string expected)
        => Assert.Equal(expected, Expr("s1", "rg1").EvaluateString(raw, out _));

    [Theory]
    [InlineData("[parameters('noDefault')]")]
    [InlineData("[listKeys(variables('site'), '2023-01-01').keys[0].value]")]
    [InlineData("[concat('a', parameters('noDefault'))]")]
    [InlineData("[resourceId('Microsoft.Web/sites', 'x')")]
    public void UnresolvableExpressionsStayTokens(string raw)
    {
        var text = Expr("s1", "rg1").EvaluateString(raw, out var resolved);
        Assert.False(resolved);
        Assert.Equal(raw, text);
    }

    [Fact]
    public void UnknownDeploymentScopeLeavesPlaceholders()
    {
        var text = Expr().EvaluateString("[resourceId('Microsoft.Web/sites', 'app')]", out var resolved);
        Assert.False(resolved);
        Assert.Contains(ArmExpression.SubscriptionToken, text);
    }

    [Fact]
    public void ReferenceKeepsTheTargetAndThePropertyPath()
    {
        var v = Expr().Evaluate("[reference(resourceId('Microsoft.Web/sites', parameters('app')), '2023-12-01', 'Full').identity.principalId]");
        var r = Assert.IsType<ArmReference>(v);
        Assert.True(r.Full);
        Assert.EndsWith("/sites/orders-func", r.ResourceId);
        Assert.Equal(new[] { "identity", "principalId" }, r.Path);
    }
}

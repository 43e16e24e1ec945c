using LambdaIdentity.Benchmarks;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Tests.Inventory.BadInput;
using Xunit;

namespace LambdaIdentity.Tests.Scale;

/// <summary>
/// Template reading stays linear (issue 13): the generated SAM template of the scale benchmark (each function with a policy
/// template and an AWS::Lambda::Permission naming it by !Ref) read through the inventory at 500 and 5,000 functions.
/// </summary>
public sealed class TemplateScaleTests
{
    [Fact]
    public void ReadingTenTimesTheFunctionsAllocatesTenTimesAsMuchPerFunction()
    {
        using var dir = new BadInputDir();
        (long Bytes, List<LambdaIdentity.Model.LambdaFunctionIdentity> Records) Read(int n)
        {
            var file = dir.File($"template-{n}.yaml", EstateGenerator.Template(n));
            var before = GC.GetAllocatedBytesForCurrentThread();
            var records = new InventoryReader().Read(new[] { file }, new InventoryOptions(), EngineContext.None).ToList();
            return (GC.GetAllocatedBytesForCurrentThread() - before, records);
        }
        Read(50); // warm-up: catalogs, JIT
        var small = Read(500);
        var large = Read(5_000);

        // what the user sees: every function once, with its own S3 permission and its policy template's bucket
        Assert.Equal(5_000, large.Records.Count);
        Assert.Equal(5_000, large.Records.Select(r => r.FunctionName).Distinct().Count());
        var f = Assert.Single(large.Records, r => r.FunctionName == "fn-4321");
        Assert.Equal("Fn4321", f.LogicalId);
        var permission = Assert.Single(f.ResourcePolicy!.Statement, s => s.Sid == "Fn4321Permission");
        Assert.Equal("s3.amazonaws.com", Assert.Single(permission.Principal!.Service));
        Assert.Contains(permission.Condition, c => c.Values.Contains("arn:aws:s3:::bucket-4321"));
        Assert.Contains(f.ExecutionRole!.Policies.SelectMany(p => p.Statement).SelectMany(s => s.Resource), r => r.Contains("bucket-4321"));
        Assert.Equal(500, small.Records.Count);

        var perSmall = small.Bytes / 500.0;
        var perLarge = large.Bytes / 5_000.0;
        Assert.True(perLarge < 1.5 * perSmall,
            $"5,000 functions allocated {perLarge:F0} B a function, 500 functions {perSmall:F0} B: {perLarge / perSmall:F2}x (linear is ~1x)");
    }
}

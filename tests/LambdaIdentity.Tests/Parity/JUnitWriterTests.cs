using System.Xml.Linq;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Parity;

public class JUnitWriterTests
{
    private static IdentityParityResult R(string app, ParityStatus s, string expected) => new()
    {
        FunctionName = app + "-fn", FunctionAppName = app, Kind = MappingKind.RoleAssignment, Status = s, Expected = expected, Actual = "a <b> & \"c\"\u0001", Reason = "why",
    };

    [Fact]
    public void OneSuitePerAppFailureForNonPassErrorForUnverifiable()
    {
        var results = new[]
        {
            R("app-b", ParityStatus.Pass, "Reader at /x"), R("app-b", ParityStatus.Missing, "Reader at /y"), R("app-a", ParityStatus.Unverifiable, "Reader at /z"),
            R("app-a", ParityStatus.Excess, "same"), R("app-a", ParityStatus.Drift, "same"),
        };
        using var ms = new MemoryStream();
        JUnitWriter.Write(results, ms);
        ms.Position = 0;
        var x = XDocument.Load(ms);
        Assert.Equal("5", x.Root!.Attribute("tests")!.Value);
        Assert.Equal("3", x.Root.Attribute("failures")!.Value);
        Assert.Equal("1", x.Root.Attribute("errors")!.Value);
        var suites = x.Root.Elements("testsuite").ToList();
        Assert.Equal(new[] { "app-a", "app-b" }, suites.Select(s => s.Attribute("name")!.Value));
        var a = suites[0];
        Assert.Equal("3", a.Attribute("tests")!.Value);
        Assert.Single(a.Descendants("error"));
        Assert.Equal(new[] { "Excess", "Drift" }, a.Descendants("failure").Select(f => f.Attribute("type")!.Value));
        // Equal names are kept distinct so Azure DevOps does not merge them.
        var names = a.Elements("testcase").Select(t => t.Attribute("name")!.Value).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Contains("a <b> & \"c\"", a.Descendants("failure").First().Value);
    }
}

using System.Text.Json;
using LambdaIdentity.Core.Reporting;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;
using Microsoft.Playwright;
using Xunit;

namespace LambdaIdentity.Tests.Reporting;

/// <summary>
/// The HTML report in a real browser: Playwright drives the Debian chromium (never a downloaded browser). When chromium
/// cannot be started the tests fail with the reason; .ci/run installs it (apt-get install chromium) when it is missing.
/// </summary>
public sealed class HtmlReportBrowserTests
{
    /// <summary>The browser: LAMBDAIDENTITY_CHROMIUM, else /usr/bin/chromium.</summary>
    private static string Chromium => Environment.GetEnvironmentVariable("LAMBDAIDENTITY_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    private sealed class Session : IAsyncDisposable
    {
        public required IPlaywright Playwright { get; init; }
        public required IBrowser Browser { get; init; }
        public required IPage Page { get; init; }
        public List<string> Requests { get; } = new();
        public List<string> ConsoleErrors { get; } = new();
        public async ValueTask DisposeAsync() { await Browser.CloseAsync(); Playwright.Dispose(); }
    }

    private static async Task<Session> Open(string file)
    {
        Assert.True(File.Exists(Chromium), $"The HTML report's browser tests need chromium at {Chromium} (Debian: apt-get install -y chromium; .ci/run installs it when it runs as root). They fail rather than skip without it.");
        var pw = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = new[] { "--no-sandbox" } });
        var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var s = new Session { Playwright = pw, Browser = browser, Page = page };
        // Every request the page makes is recorded (the page's own file included), and any to the network is refused.
        page.Request += (_, r) => { lock (s.Requests) s.Requests.Add(r.Url); };
        await context.RouteAsync("**/*", route => route.Request.Url.StartsWith("file:", StringComparison.Ordinal) ? route.ContinueAsync() : route.AbortAsync());
        page.Console += (_, m) => { if (m.Type == "error") lock (s.ConsoleErrors) s.ConsoleErrors.Add(m.Text); };
        page.PageError += (_, e) => { lock (s.ConsoleErrors) s.ConsoleErrors.Add(e); };
        await page.GotoAsync(new Uri(file).AbsoluteUri);
        return s;
    }

    private static async Task<List<string>> VisibleColumn(IPage page, string table, int column)
        => (await page.EvalOnSelectorAllAsync<string[]>($"#{table} tbody tr:not(.hidden)", $"rows => rows.map(r => r.cells[{column}].textContent)")).ToList();

    [Fact]
    public async Task Demo_report_shows_the_graphs_and_tables_and_makes_no_network_request()
    {
        var outDir = MigrationPlanTests.AssessDemo();
        await using var s = await Open(Path.Combine(outDir, "report.html"));
        var p = s.Page;
        Assert.Equal("LambdaIdentity migration report", await p.TitleAsync());
        // One AWS and one Azure graph per function, drawn (the SVG has a size and boxes).
        Assert.Equal(10, await p.Locator("svg.graph").CountAsync());
        var box = await p.Locator("div.function-graphs[data-function='dev-order-processor'] svg.graph").Nth(1).BoundingBoxAsync();
        Assert.True(box is { Width: > 200, Height: > 50 });
        var target = await p.Locator("div.function-graphs[data-function='dev-invoice-writer'] figure").Nth(1).TextContentAsync();
        Assert.Contains("SystemAssigned identity func-dev-invoice-writer", target);
        Assert.Contains("AWS IAM role role/azure-func-dev-invoice-writer", target);
        var mapping = JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllText(Path.Combine(outDir, "mapping.json")))!;
        Assert.Equal(mapping.Count, await p.Locator("#features tbody tr").CountAsync());
        var parity = JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllText(Path.Combine(outDir, "parity.json")))!;
        Assert.Equal(parity.Count, await p.Locator("#parity tbody tr").CountAsync());
        Assert.Equal(8, await p.Locator("#runbook li.step").CountAsync());
        Assert.Equal(new[] { new Uri(Path.Combine(outDir, "report.html")).AbsoluteUri }, s.Requests.Distinct());
        Assert.Empty(s.ConsoleErrors);
    }

    [Fact]
    public async Task Demo_report_tables_sort_and_filter()
    {
        var outDir = MigrationPlanTests.AssessDemo();
        await using var s = await Open(Path.Combine(outDir, "report.html"));
        var p = s.Page;
        // Sort the role assignments by Role: ascending, then descending, as the browser's collation orders them.
        var header = p.Locator("#role-assignments thead th").Nth(3);
        await header.Locator("button").ClickAsync();
        Assert.Equal("ascending", await header.GetAttributeAsync("aria-sort"));
        var roles = await VisibleColumn(p, "role-assignments", 3);
        Assert.True(roles.Distinct().Count() > 3);
        Assert.Equal(roles.OrderBy(r => r, StringComparer.OrdinalIgnoreCase), roles);
        await header.Locator("button").ClickAsync();
        Assert.Equal("descending", await header.GetAttributeAsync("aria-sort"));
        Assert.Equal(roles.OrderByDescending(r => r, StringComparer.OrdinalIgnoreCase), await VisibleColumn(p, "role-assignments", 3));

        // The function filter hides every other function's rows and graphs.
        var all = await p.Locator("#features tbody tr").CountAsync();
        await p.SelectOptionAsync("#function-filter", "dev-order-report");
        var fns = await VisibleColumn(p, "features", 0);
        Assert.True(fns.Count > 0 && fns.Count < all);
        Assert.All(fns, f => Assert.Equal("dev-order-report", f));
        Assert.Equal(1, await p.Locator("div.function-graphs:not(.hidden)").CountAsync());
        await p.SelectOptionAsync("#function-filter", "");
        Assert.Equal(all, (await VisibleColumn(p, "features", 0)).Count);

        // The parity status filter and the text filter.
        await p.SelectOptionAsync("#status-filter", "Missing");
        var statuses = await VisibleColumn(p, "parity", 0);
        Assert.NotEmpty(statuses);
        Assert.All(statuses, x => Assert.Equal("Missing", x));
        await p.FillAsync("input.filter[data-table='parity']", "Storage Table Data Contributor");
        var filtered = await p.EvalOnSelectorAllAsync<string[]>("#parity tbody tr:not(.hidden)", "rows => rows.map(r => r.textContent)");
        Assert.NotEmpty(filtered);
        Assert.True(filtered.Length < statuses.Count);
        Assert.All(filtered, r => Assert.Contains("Storage Table Data Contributor", r));
        Assert.Empty(s.ConsoleErrors);
    }

    [Fact]
    public async Task A_script_in_a_function_or_role_name_stays_text_in_the_browser()
    {
        const string fn = "<script>window.__pwned=1</script>";
        const string role = "<img src=x onerror=\"window.__pwned=2\">";
        var mi = new AzRoleMapping { MappingId = "h/ManagedIdentity/identity", FunctionName = fn, FunctionAppName = "func-x", Surface = IdentitySurface.Workload, Kind = MappingKind.ManagedIdentity, Strategy = MappingStrategy.BuiltIn, AzureFeature = "identity", PrincipalName = "func-x", IdentityType = "SystemAssigned" };
        var ra = new AzRoleMapping { MappingId = "h/RoleAssignment/x", FunctionName = fn, FunctionAppName = "func-x", Surface = IdentitySurface.Workload, Kind = MappingKind.RoleAssignment, Strategy = MappingStrategy.Custom, AwsFeature = "s3:GetObject", AwsActions = new[] { "s3:GetObject" }, AwsResources = new[] { "arn:aws:s3:::b/*" }, RoleDefinitionName = role, Scope = "/subscriptions/s/x/y", PrincipalName = "func-x" };
        var dir = Path.Combine(Path.GetTempPath(), "li-html-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "report.html");
        MigrationPlanWriter.WriteStandalone(new ReportInput { Mappings = new[] { mi, ra } }, file, html: true);
        await using var s = await Open(file);
        var p = s.Page;
        Assert.Null(await p.EvaluateAsync<int?>("() => window.__pwned ?? null"));
        Assert.Equal(1, await p.Locator("script").CountAsync());
        Assert.Equal(0, await p.Locator("img").CountAsync());
        Assert.Contains(fn, await p.Locator("#features tbody tr td").First.TextContentAsync());
        Assert.Equal(role, await p.Locator("#role-assignments tbody td").Nth(3).TextContentAsync());
        Assert.Contains(fn, await p.Locator("#function-filter").InnerTextAsync());
        // The page's own script still runs (its hash matches the policy): sorting works.
        await p.Locator("#features thead th button").First.ClickAsync();
        Assert.Equal("ascending", await p.Locator("#features thead th").First.GetAttributeAsync("aria-sort"));
        Assert.Equal(new[] { new Uri(file).AbsoluteUri }, s.Requests.Distinct());
        Assert.Empty(s.ConsoleErrors);
        // The mapping the runbook's commands read was written next to the page.
        Assert.Equal(2, ModelJson.Read<AzRoleMapping>(File.ReadAllText(Path.Combine(dir, "report.mapping.json"))).Count);
    }
}

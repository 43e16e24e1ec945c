using System.Text.RegularExpressions;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;
using Xunit;
using Xunit.Abstractions;

namespace LambdaIdentity.Tests.Inventory;

public sealed class InventoryReaderTests
{
    private readonly ITestOutputHelper _out;
    public InventoryReaderTests(ITestOutputHelper output) => _out = output;

    /// <summary>
    /// Counts function resources independently of the reader: YamlDotNet's own representation model (or
    /// System.Text.Json), Resources.*.Type. -1 when neither parser reads the file.
    /// </summary>
    internal static int CountFunctions(string file)
    {
        var text = File.ReadAllText(file);
        static bool IsFn(string? t) => t == "AWS::Serverless::Function" || t == "AWS::Lambda::Function";
        try
        {
            var stream = new YamlDotNet.RepresentationModel.YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlDotNet.RepresentationModel.YamlMappingNode root) return 0;
            if (!root.Children.TryGetValue(new YamlDotNet.RepresentationModel.YamlScalarNode("Resources"), out var res) || res is not YamlDotNet.RepresentationModel.YamlMappingNode rm) return 0;
            return rm.Children.Values.OfType<YamlDotNet.RepresentationModel.YamlMappingNode>()
                .Count(r => r.Children.TryGetValue(new YamlDotNet.RepresentationModel.YamlScalarNode("Type"), out var t) && IsFn((t as YamlDotNet.RepresentationModel.YamlScalarNode)?.Value));
        }
        catch (YamlDotNet.Core.YamlException)
        {
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(text);
                if (!doc.RootElement.TryGetProperty("Resources", out var r) || r.ValueKind != System.Text.Json.JsonValueKind.Object) return 0;
                return r.EnumerateObject().Count(p => p.Value.ValueKind == System.Text.Json.JsonValueKind.Object && p.Value.TryGetProperty("Type", out var t) && IsFn(t.GetString()));
            }
            catch (System.Text.Json.JsonException) { return CountByIndentation(text); }
        }
    }

    /// <summary>Last resort for YAML the representation model refuses (duplicate keys): resource-level Type lines, i.e. the least indented Type: lines after Resources:.</summary>
    private static int CountByIndentation(string text)
    {
        var at = Regex.Match(text, @"^Resources:\s*$", RegexOptions.Multiline);
        if (!at.Success) return -1;
        var types = Regex.Matches(text.Substring(at.Index), @"^( +)Type:\s*['""]?([A-Za-z0-9:]+)", RegexOptions.Multiline).Cast<Match>().ToList();
        if (types.Count == 0) return 0;
        var indent = types.Min(m => m.Groups[1].Length);
        return types.Count(m => m.Groups[1].Length == indent && (m.Groups[2].Value == "AWS::Serverless::Function" || m.Groups[2].Value == "AWS::Lambda::Function"));
    }

    /// <summary>Templates whose YAML is genuinely invalid (PyYAML and YamlDotNet both reject them): an error with a position is the right answer.</summary>
    private static readonly string[] KnownInvalidYaml =
    {
        "sam/serverless-patterns/apigw-custom-domain-edge/template.yaml",    // "MappingRestEdge:curc" is not a key
        "sam/serverless-patterns/rds-sns-event-notification/template.yaml",  // text after a quoted Description
        "cloudformation/localstack-templates/iam_policy_attachments.yaml",   // Jinja {{ }} placeholders
    };

    public static IEnumerable<string> AllTemplateFiles() =>
        new[] { "sam", "cloudformation" }.SelectMany(d => Directory.EnumerateFiles(TestPaths.Shared(d), "*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".yaml") || f.EndsWith(".yml") || f.EndsWith(".json") || f.EndsWith(".template"))
            .OrderBy(f => f, StringComparer.Ordinal);

    [Fact]
    public void EveryTemplateInSharedDataYieldsOneRecordPerFunction()
    {
        var files = AllTemplateFiles().ToList();
        Assert.True(files.Count > 2000, $"expected the shared templates, found {files.Count} files");
        var failures = new List<string>();
        int functions = 0, records = 0;
        foreach (var file in files)
        {
            var expected = CountFunctions(file);
            if (expected >= 0) expected += NestedLocalFunctions(file, 0);
            var errors = new ErrorCollector();
            try
            {
                var got = new InventoryReader().Read(new[] { file }, new InventoryOptions(), new EngineContext(errors)).ToList();
                functions += expected; records += got.Count;
                var rel = Path.GetRelativePath(TestPaths.SharedData, file);
                if (KnownInvalidYaml.Contains(rel))
                {
                    var e = Assert.Single(errors.Errors);
                    Assert.Equal("TemplateYamlMalformed", e.ErrorId);
                    Assert.True(e.Location!.Line > 0 && e.Location.Column > 0);
                    continue;
                }
                if (expected < 0) { failures.Add($"{rel}: unreadable by the independent counter but not listed as invalid"); continue; }
                if (got.Count != expected) failures.Add($"{rel}: {expected} functions, {got.Count} records; errors: {string.Join("; ", errors.Errors)}");
                if (got.Any(r => r.Source is null || r.Source.Line == 0)) failures.Add($"{rel}: a record without a line");
            }
            catch (Exception ex) { failures.Add($"{file}: unhandled {ex.GetType().Name}: {ex.Message}"); }
        }
        _out.WriteLine($"{files.Count} files, {functions} functions, {records} records");
        Assert.True(functions > 1500, "the walk should meet many functions");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
    }

    /// <summary>
    /// Functions of nested stacks and serverless applications given by a local path (Location: ./x/template.yml,
    /// TemplateURL: child.yaml), which the inventory reads too; found by text, independently of the reader.
    /// </summary>
    private static int NestedLocalFunctions(string file, int depth)
    {
        if (depth > 4) return 0;
        var total = 0;
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(file),
                     @"^\s*(?:Location|TemplateURL)\s*:\s*['""]?([^'""\s:]+\.(?:ya?ml|json|template))['""]?\s*$", System.Text.RegularExpressions.RegexOptions.Multiline))
        {
            var nested = Path.Combine(Path.GetDirectoryName(file)!, m.Groups[1].Value);
            if (!File.Exists(nested) || Path.GetFullPath(nested) == Path.GetFullPath(file)) continue;
            var n = CountFunctions(nested);
            if (n > 0) total += n;
            total += NestedLocalFunctions(nested, depth + 1);
        }
        return total;
    }

    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "li-inventory-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void EachKindOfBadInputGivesAnErrorWithFileLineAndColumnAndTheRunGoesOn()
    {
        var dir = TempDir();
        var authz = File.ReadAllText(TestPaths.Shared("authz-details", "cloudsplaining-example_authz_v2.json"));
        var template = File.ReadAllText(TestPaths.Shared("sam", "sam-translator", "input", "sqs.yaml"));
        var files = new Dictionary<string, (string Content, string ErrorId)>
        {
            ["a-truncated.json"] = (authz.Substring(0, authz.Length / 2), "JsonSourceMalformed"),
            ["b-malformed.json"] = ("{\n  \"Functions\": [ { \"FunctionName\": \"x\" }\n  ]\n  \"oops\" }", "JsonSourceMalformed"),
            ["c-malformed.yaml"] = (template.Replace("    Properties:", "  Properties:\n   - broken: [unclosed"), "TemplateYamlMalformed"),
            ["d-unknown.json"] = ("{ \"Something\": { \"Else\": 1 } }", "InventorySourceUnrecognized"),
            ["e-unknown.yaml"] = ("name: my-app\nversion: 2\n", "InventorySourceUnrecognized"),
            ["f-empty.yaml"] = ("  \n\n", "InventorySourceEmpty"),
            ["g-huge.json"] = (authz, "InventoryFileTooLarge"),
            ["h-binary.json"] = ("\u0000\u0001\u0002PK", "InventorySourceUnrecognized"),
        };
        foreach (var (name, (content, _)) in files) File.WriteAllText(Path.Combine(dir, name), content);
        File.WriteAllText(Path.Combine(dir, "z-good.yaml"), template);
        var errors = new ErrorCollector();
        // g-huge.json is larger than the limit given here; the good template is smaller.
        var options = new InventoryOptions { MaxFileBytes = authz.Length - 1 };
        var records = new InventoryReader().Read(new[] { dir }, options, new EngineContext(errors)).ToList();

        var record = Assert.Single(records);
        Assert.Equal("SQSFunction", record.FunctionName);
        foreach (var (name, (_, errorId)) in files)
        {
            var path = Path.Combine(dir, name);
            var e = Assert.Single(errors.Errors, x => x.Target == path);
            Assert.Equal(errorId, e.ErrorId);
            Assert.Equal(path, e.Location!.File);
            Assert.True(e.Location.Line > 0 && e.Location.Column > 0, $"{name}: {e}");
            Assert.Contains(name, e.Message);
        }
        var truncated = errors.Errors.Single(e => e.Target.EndsWith("a-truncated.json"));
        Assert.True(truncated.Location!.Line > 100, "the truncation point is deep in the file: " + truncated);
        Assert.NotNull(truncated.GetException());
        var yaml = errors.Errors.Single(e => e.Target.EndsWith("c-malformed.yaml"));
        Assert.Equal(6, yaml.Location!.Line);
    }

    [Fact]
    public void AnAliasBombIsStoppedWithAnErrorAndStillOneRecordPerFunction()
    {
        var dir = TempDir();
        var yaml = new System.Text.StringBuilder("Resources:\n  Bomb:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Metadata0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 9; i++) yaml.Append($"      Metadata{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        yaml.Append("      Policies:\n        - Statement:\n            - Effect: Allow\n              Action: *a8\n              Resource: '*'\n");
        var file = Path.Combine(dir, "bomb.yaml");
        File.WriteAllText(file, yaml.ToString());
        var errors = new ErrorCollector();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var records = new InventoryReader().Read(new[] { file }, new InventoryOptions(), new EngineContext(errors)).ToList();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "stopped in time: " + watch.Elapsed);
        var record = Assert.Single(records);
        Assert.False(record.IsComplete);
        var e = Assert.Single(errors.Errors);
        Assert.Equal("TemplateFunctionUnreadable", e.ErrorId);
        Assert.Contains("expands to more than", e.Message);
        Assert.Equal(3, e.Location!.Line);
    }

    [Fact]
    public void AMissingPathIsAnErrorAndTheOtherPathsAreRead()
    {
        var errors = new ErrorCollector();
        var records = new InventoryReader().Read(new[] { "/no/such/template.yaml", TestPaths.Shared("sam", "sam-translator", "input", "sqs.yaml") }, new InventoryOptions(), new EngineContext(errors)).ToList();
        Assert.Single(records);
        var e = Assert.Single(errors.Errors);
        Assert.Equal("InventoryPathNotFound", e.ErrorId);
        Assert.Equal(EngineErrorCategory.ObjectNotFound, e.Category);
    }

    [Fact]
    public void TwoRunsOverTheSameFolderSerialiseIdentically()
    {
        var folder = TestPaths.Shared("sam", "serverless-patterns");
        var a = ModelJson.Serialize(new InventoryReader().Read(new[] { folder }, new InventoryOptions(), EngineContext.None));
        var b = ModelJson.Serialize(new InventoryReader().Read(new[] { folder }, new InventoryOptions(), EngineContext.None));
        Assert.Equal(a, b);
        var names = ModelJson.Read<LambdaFunctionIdentity>(a).Select(r => r.FunctionName).ToList();
        Assert.Equal(names.OrderBy(n => n, StringComparer.Ordinal), names);
    }

    [Fact]
    public void ProgressIsReportedPerFileAndEnds()
    {
        var progress = new ProgressLog();
        var folder = TestPaths.Shared("cloudformation", "localstack-templates");
        var count = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count();
        new InventoryReader().Read(new[] { folder }, new InventoryOptions(), new EngineContext(progress: progress)).ToList();
        Assert.True(progress.Reports.Count >= count);
        Assert.All(progress.Reports, r => Assert.Equal(InventoryReader.ProgressActivity, r.Activity));
        var last = progress.Reports[^1];
        Assert.Equal(last.Total, last.Done);
    }

    [Fact]
    public void EveryOtherJsonFileInSharedDataIsReadWithoutAnUnhandledException()
    {
        var files = Directory.EnumerateFiles(TestPaths.SharedData, "*.json", SearchOption.AllDirectories).Where(f => !f.Contains("/sam/") && !f.Contains("/cloudformation/")).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var errors = new ErrorCollector();
            var ex = Record.Exception(() => new InventoryReader().Read(new[] { file }, new InventoryOptions(), new EngineContext(errors)).ToList());
            Assert.Null(ex);
            Assert.All(errors.Errors, e => Assert.Equal(file, e.Location?.File ?? e.Target));
        }
    }

    [Fact]
    public void TruncatingRealInputsAnywhereNeverThrowsAndAlwaysExplainsItself()
    {
        var dir = TempDir();
        var sources = new[]
        {
            TestPaths.Shared("sam", "serverless-patterns", "apigw-lambda-authorizer", "template.yaml"),
            TestPaths.Shared("sam", "sam-translator", "output", "function_with_policy_templates.json"),
            TestPaths.Shared("authz-details", "cloudsplaining-example_authz_v2.json"),
            Path.Combine(TestPaths.Fixtures, "inventory", "terraform-show-json-state.json"),
        };
        foreach (var source in sources)
        {
            var text = File.ReadAllText(source);
            for (int cut = 1; cut < 40; cut++)
            {
                var length = text.Length * cut / 40;
                var file = Path.Combine(dir, $"cut{cut}{Path.GetExtension(source)}");
                File.WriteAllText(file, text.Substring(0, length));
                var errors = new ErrorCollector();
                var records = new InventoryReader().Read(new[] { file }, new InventoryOptions(), new EngineContext(errors)).ToList();
                // Either the cut left a readable document whose functions all come out, or the file is reported with a position.
                Assert.All(errors.Errors, e => Assert.True(e.Location!.Line > 0, e.ToString()));
                if (errors.Errors.Count == 0 && source.EndsWith(".yaml"))
                    Assert.True(records.Count == CountFunctions(file), $"{Path.GetFileName(source)} cut at {length}: {records.Count} records, {CountFunctions(file)} functions");
                else if (errors.Errors.Count == 0)
                    Assert.Fail($"{Path.GetFileName(source)} cut at {length}: truncated JSON without an error");
            }
        }
    }

    [Fact]
    public void ALargeFileReportsProgressWhileItIsRead()
    {
        var file = Path.Combine(TempDir(), "authz-large.json");
        File.WriteAllText(file, "{\"RoleDetailList\": [], \"Marker\": \"" + new string('x', 17 * 1024 * 1024) + "\"}");
        var progress = new ProgressLog();
        new InventoryReader().Read(new[] { file }, new InventoryOptions(), new EngineContext(progress: progress)).ToList();
        var reading = progress.Reports.Where(r => r.Status.StartsWith("Reading authz-large.json")).ToList();
        Assert.True(reading.Count >= 4, string.Join("\n", progress.Reports));
        Assert.Equal(reading[^1].Total, reading[^1].Done);
    }

    private sealed class ProgressLog : IProgressSink
    {
        public List<(string Activity, string Status, long Done, long Total)> Reports { get; } = new();
        public void Progress(string activity, string status, long done, long total) => Reports.Add((activity, status, done, total));
    }
}

public sealed class TokenArnTests
{
    [Theory]
    [InlineData("lambda:*", "lambda:UpdateFunctionCode", true)]
    [InlineData("Lambda:update*", "lambda:UpdateFunctionCode", true)]
    [InlineData("lambda:Get*", "lambda:UpdateFunctionCode", false)]
    [InlineData("*", "iam:PassRole", true)]
    [InlineData("lambda:?nvokeFunction", "lambda:InvokeFunction", true)]
    public void ActionPatternsMatchCaseInsensitively(string pattern, string action, bool expected) =>
        Assert.Equal(expected, LambdaIdentity.Core.Aws.Policy.Wildcard.Match(pattern, action, ignoreCase: true));

    [Theory]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:billing-*", "arn:aws:lambda:eu-west-1:123456789012:function:billing-api", true)]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:billing-*", "arn:aws:lambda:eu-west-1:123456789012:function:orders", false)]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:billing-*", "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:billing-api", true)]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:billing-*", "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:orders", false)]
    [InlineData("arn:aws:lambda:*", "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:orders", true)]
    [InlineData("arn:aws:s3:::*", "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:orders", false)]
    public void ResourcePatternsTreatTemplateTokensAsUnknownSegments(string pattern, string arn, bool expected) =>
        Assert.Equal(expected, LambdaIdentity.Core.Aws.Sources.TokenArn.Match(pattern, arn));
}

public sealed class InventoryMergeTests
{
    [Fact]
    public void ATemplateAndAnExportOfTheSameFunctionMergeAndKeepBothSources()
    {
        var dir = Path.Combine(TestPaths.Fixtures, "inventory");
        var errors = new ErrorCollector();
        var records = new InventoryReader().Read(new[]
        {
            Path.Combine(dir, "sam-template-billing.yaml"), Path.Combine(dir, "powershell-get-lmfunctionlist.json"), Path.Combine(dir, "powershell-get-iamaccountauthorizationdetail.json"),
        }, new InventoryOptions(), new EngineContext(errors)).ToList();
        var f = Assert.Single(records);
        Assert.Equal("billing-api", f.FunctionName);
        Assert.Equal("BillingApi", f.LogicalId);
        Assert.Equal("arn:aws:lambda:eu-west-1:123456789012:function:billing-api", f.FunctionArn);
        Assert.Equal("AWS_IAM", f.FunctionUrl!.AuthType);
        Assert.Contains(f.Sources, s => s.File.EndsWith("sam-template-billing.yaml") && s.Line > 0);
        Assert.Contains(f.Sources, s => s.File.EndsWith("powershell-get-lmfunctionlist.json"));
        Assert.Contains(f.Sources, s => s.File.EndsWith("powershell-get-iamaccountauthorizationdetail.json"));
        Assert.Equal("billing-exec", f.ExecutionRole!.RoleName);
        Assert.Contains(f.Principals, p => p.PrincipalArn.EndsWith("role/github-deploy") && p.AccessLevel == "Deploy");
        // The attached AWS managed policy is not in the export's Policies list: the embedded catalog supplies it.
        var basic = f.ExecutionRole.Policies.Single(p => p.PolicyArn == "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
        Assert.False(basic.IsUnresolved);
        Assert.Contains("logs:PutLogEvents", basic.Statement.SelectMany(s => s.Action));
        Assert.True(f.IsComplete, string.Join("; ", f.IncompleteReasons));
    }

    [Fact]
    public void DeployersOfATemplateOnlyFunctionAreFoundThroughTokenisedArns()
    {
        var dir = Path.Combine(TestPaths.Fixtures, "inventory");
        var f = new InventoryReader().Read(new[] { Path.Combine(dir, "sam-template-billing.yaml"), Path.Combine(dir, "powershell-get-iamaccountauthorizationdetail.json") },
            new InventoryOptions(), EngineContext.None).Single();
        Assert.StartsWith("arn:${AWS::Partition}:lambda:", f.FunctionArn);
        var deploy = f.Principals.Single(p => p.PrincipalArn.EndsWith("role/github-deploy") && p.AccessLevel == "Deploy");
        Assert.Contains("iam:PassRole", deploy.Actions);
        Assert.DoesNotContain(f.Principals, p => p.PrincipalArn.EndsWith("role/github-deploy") && p.AccessLevel == "Invoke");
    }
}

public sealed class InventoryJoinTests
{
    [Fact]
    public void AGeneratedRoleJoinsTheExportedRoleThroughItsLogicalIdTag()
    {
        var dir = Path.Combine(TestPaths.Fixtures, "inventory");
        var records = new InventoryReader().Read(new[] { Path.Combine(dir, "sam-template-surfaces.yaml"), Path.Combine(dir, "powershell-get-iamaccountauthorizationdetail.json") },
            new InventoryOptions(), EngineContext.None).ToList();
        var f = records.Single(r => r.LogicalId == "OrdersFunction");
        Assert.Equal("arn:aws:iam::123456789012:role/orders-stack-OrdersFunctionRole-1A2B3C", f.RoleArn);
        Assert.Equal("arn:aws:iam::123456789012:role/orders-stack-OrdersFunctionRole-1A2B3C", f.ExecutionRole!.RoleArn);
        Assert.Contains(f.ExecutionRole.Policies.SelectMany(p => p.Statement), s => s.Action.Contains("dynamodb:GetItem"));
        // The role that HttpFunction names is not in the export: it stays as the template says and incomplete.
        var http = records.Single(r => r.LogicalId == "HttpFunction");
        Assert.Equal("arn:aws:iam::111122223333:role/shared-http-role", http.RoleArn);
        Assert.False(http.IsComplete);
    }
}

public sealed class InventoryAccountTests
{
    [Fact]
    public void PrincipalsOfAnotherAccountDoNotGetAccessThroughTheirOwnPolicies()
    {
        // The cloudmapper functions live in 123456789012; the cloudsplaining account is 200611803367 and holds admins.
        var records = new InventoryReader().Read(new[] { TestPaths.Shared("aws-api-responses", "cloudmapper-demo", "lambda-list-functions.json"), TestPaths.Shared("authz-details", "cloudsplaining-example-2023.json") },
            new InventoryOptions(), EngineContext.None).ToList();
        Assert.NotEmpty(records);
        Assert.All(records, r => Assert.Empty(r.Principals));
        var same = new InventoryReader().Read(new[] { Path.Combine(TestPaths.Fixtures, "inventory", "lambda-list-functions-privesc-role.json"), TestPaths.Shared("authz-details", "cloudsplaining-example-2023.json") },
            new InventoryOptions(), EngineContext.None).Single();
        Assert.NotEmpty(same.Principals);
        Assert.All(same.Principals, p => Assert.Contains(":200611803367:", p.PrincipalArn));
    }
}


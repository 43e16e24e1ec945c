using System.Text.Json;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;
using Xunit;
using Xunit.Abstractions;
using static LambdaIdentity.Tests.Policy.P;

namespace LambdaIdentity.Tests.Policy;

public sealed class PolicyParserTests
{
    private readonly ITestOutputHelper _out;
    public PolicyParserTests(ITestOutputHelper output) => _out = output;

    [Fact]
    public void ReadsEveryShapeOfTheGrammar()
    {
        var d = Doc(@"{'Statement':{'Effect':'Allow','Principal':'*','NotAction':'iam:*','NotResource':['arn:aws:s3:::a','arn:aws:s3:::b'],
            'Condition':{'ForAnyValue:StringLikeIfExists':{'aws:TagKeys':['a*','b']},'NumericLessThan':{'s3:max-keys':10},'Bool':{'aws:SecureTransport':true},'Null':{'aws:SourceIp':'false'}}}}");
        Assert.Null(d.Version);
        var s = Assert.Single(d.Statement);
        Assert.True(s.Principal!.IsWildcard);
        Assert.Equal(new[] { "iam:*" }, s.NotAction);
        Assert.Equal(2, s.NotResource.Count);
        Assert.Equal(4, s.Condition.Count);
        Assert.Equal(new[] { "10" }, s.Condition.Single(c => c.Operator == "NumericLessThan").Values);
        Assert.Equal(new[] { "true" }, s.Condition.Single(c => c.Operator == "Bool").Values);
        var p = Doc("{'Version':'2008-10-17','Id':'x','Statement':[{'Sid':'1','Effect':'Deny','NotPrincipal':{'AWS':['arn:aws:iam::1:root','*'],'Service':'s3.amazonaws.com','Federated':'cognito-identity.amazonaws.com','CanonicalUser':'abc'},'Action':'s3:*','Resource':'*'}]}");
        var np = p.Statement[0].NotPrincipal!;
        Assert.Equal(2, np.Aws.Count);
        Assert.Equal(new[] { "s3.amazonaws.com" }, np.Service);
        Assert.Equal(new[] { "abc" }, np.CanonicalUser);
        Assert.Equal("2008-10-17", p.Version);
    }

    [Fact]
    public void DecodesUrlEncodedDocumentsExactlyOnce()
    {
        // get-account-authorization-details (raw API) encodes; a literal %3A inside a decoded value survives.
        const string encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ab%2F100%2525%22%7D%5D%7D";
        var errors = new ErrorCollector();
        var d = PolicyParser.ParseText(encoded, PolicyKind.Inline, "enc", null, errors, urlEncoded: true)!;
        Assert.Empty(errors.Errors);
        Assert.Equal("arn:aws:s3:::b/100%25", d.Statement[0].Resource[0]);
        // A source that does not encode (an S3 bucket policy) keeps a literal %.
        var plain = PolicyParser.ParseText("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/100%25\"}}", PolicyKind.Resource, "bucket", null, errors)!;
        Assert.Equal("arn:aws:s3:::b/100%25", plain.Statement[0].Resource[0]);
        // Lambda GetPolicy returns the document as a JSON string.
        using var json = JsonDocument.Parse(JsonSerializer.Serialize("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"s3.amazonaws.com\"},\"Action\":\"lambda:InvokeFunction\",\"Resource\":\"*\"}]}"));
        Assert.Equal("s3.amazonaws.com", PolicyParser.Parse(json.RootElement, PolicyKind.Resource, "fn", null, errors)!.Statement[0].Principal!.Service[0]);
    }

    [Theory]
    [InlineData("{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Action':'s3:GetObject','Resource':'*'},{'Effect':'Permit','Action':'s3:*','Resource':'*'}]}", "$.Statement[1].Effect")]
    [InlineData("{'Statement':[{'Effect':'Allow','Action':['s3:GetObject',3],'Resource':'*'}]}", "$.Statement[0].Action[1]")]
    [InlineData("{'Statement':{'Effect':'Allow','Action':'s3:GetObject','Resource':'*','Condition':{'StringEqualz':{'a':'b'}}}}", "$.Statement.Condition.StringEqualz")]
    [InlineData("{'Statement':{'Effect':'Allow','Action':'s3:GetObject','NotAction':'s3:Put*','Resource':'*'}}", "$.Statement.NotAction")]
    [InlineData("{'Version':'2019-01-01','Statement':{'Effect':'Allow','Action':'s3:GetObject','Resource':'*'}}", "$.Version")]
    [InlineData("{'Statement':{'Effect':'Allow','Action':'GetObject','Resource':'*'}}", "$.Statement.Action")]
    [InlineData("{'Statement':{'Effect':'Allow','Action':'s3:GetObject','Resources':'*'}}", "$.Statement.Resources")]
    [InlineData("{'Statement':{'Effect':'Allow','Principal':{'Aws':'*'},'Action':'s3:GetObject'}}", "$.Statement.Principal.Aws")]
    [InlineData("{'Version':'2012-10-17'}", "$")]
    public void ABrokenDocumentGivesAnErrorNamingSourceAndJsonPath(string json, string path)
    {
        var errors = new ErrorCollector();
        var d = PolicyParser.ParseText(json.Replace('\'', '"'), PolicyKind.Inline, "bad", new SourceLocation { File = "authz.json", Path = "$.RoleDetailList[3].RolePolicyList[0].PolicyDocument" }, errors);
        Assert.Null(d);
        var e = Assert.Single(errors.Errors);
        Assert.Equal("PolicyDocumentMalformed", e.ErrorId);
        Assert.Equal("authz.json", e.Target);
        Assert.Equal("authz.json", e.Location!.File);
        Assert.Equal("$.RoleDetailList[3].RolePolicyList[0].PolicyDocument" + path.Substring(1), e.Location.Path);
    }

    [Theory]
    [InlineData("{'Statement':{'Effect':'Allow','Action':'s3:GetObject','Action':'s3:PutObject'}}", "$.Statement.Action", "appears twice in the statement")]
    [InlineData("{'Statement':[{'Effect':'Allow','Action':'s3:GetObject','Resource':{'a':1}}]}", "$.Statement[0].Resource", "must be a string or an array of strings")]
    [InlineData("{'Statement':[{'Effect':'Allow','Action':'s3:GetObject'},{'Effect':'Allow','Action':'s3:GetObject','NotResource':['a',true]}]}", "$.Statement[1].NotResource[1]", "must be a string")]
    [InlineData("{'Statement':[{'Effect':1,'Action':'s3:GetObject'}]}", "$.Statement[0].Effect", "must be Allow or Deny")]
    [InlineData("{'Statement':[{'Action':'s3:GetObject'}]}", "$.Statement[0]", "Effect is required")]
    [InlineData("{'Statement':[{'Effect':'Deny'}]}", "$.Statement[0]", "Action or NotAction is required")]
    [InlineData("{'Statement':[{'Sid':2,'Effect':'Deny','Action':'*'}]}", "$.Statement[0].Sid", "must be a string")]
    [InlineData("{'Statement':['x']}", "$.Statement[0]", "a statement must be an object")]
    [InlineData("{'Statement':{'Effect':'Allow','Action':['s3:GetObject','s3:'],'Resource':'*'}}", "$.Statement.Action[1]", "'s3:' is not an action (service:action or *)")]
    [InlineData("{'Statement':{'Effect':'Allow','Action':'s3:GetObject','Resource':'*','NotResource':'x'}}", "$.Statement.NotResource", "Resource and NotResource cannot both appear")]
    [InlineData("{'Statement':{'Effect':'Allow','Action':'s3:GetObject','Condition':{'StringLike':{'k':[null]}}}}", "$.Statement.Condition.StringLike.k[0]", "condition values must be strings, numbers, booleans or arrays of them")]
    [InlineData("{'Statement':{'Effect':'Allow','Action':'s3:GetObject','Condition':{'StringLike':'x'}}}", "$.Statement.Condition.StringLike", "must map condition keys to values")]
    [InlineData("{'Statement':{'Effect':'Allow','Action':'s3:GetObject','Principal':'me'}}", "$.Statement.Principal", "a string principal must be \"*\"")]
    public void AStatementThatBreaksTheGrammarIsReportedAtItsPath(string json, string path, string message)
    {
        var errors = new ErrorCollector();
        Assert.Null(PolicyParser.ParseText(json.Replace('\'', '"'), PolicyKind.Inline, "bad", null, errors));
        var e = Assert.Single(errors.Errors);
        Assert.Equal(path, e.Location!.Path);
        Assert.Equal($"Policy 'bad' breaks the policy grammar at {path}: {message}", e.Message);
    }

    [Fact]
    public void TheRestOfTheInputIsStillRead()
    {
        var errors = new ErrorCollector();
        var texts = new[] { "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}", "{not json", "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sqs:SendMessage\",\"Resource\":\"*\"}}" };
        var docs = texts.Select((t, i) => PolicyParser.ParseText(t, PolicyKind.Inline, "p" + i, new SourceLocation { File = "f" + i }, errors)).ToList();
        Assert.NotNull(docs[0]); Assert.Null(docs[1]); Assert.NotNull(docs[2]);
        var e = Assert.Single(errors.Errors);
        Assert.Equal("f1", e.Target);
        Assert.Equal("PolicyDocumentMalformed", e.ErrorId);
        Assert.Contains("line 1", e.Message);
    }

    [Fact]
    public void WriterRoundTripsEveryShape()
    {
        var d = Doc(@"{'Version':'2012-10-17','Id':'i','Statement':[{'Sid':'A','Effect':'Deny','NotPrincipal':{'AWS':['1','2']},'NotAction':'iam:*','NotResource':'*',
            'Condition':{'StringEquals':{'a':['x','y'],'b':'z'},'ForAllValues:StringLike':{'aws:TagKeys':[]}}},{'Effect':'Allow','Principal':'*','Action':['s3:GetObject'],'Resource':'*'}]}");
        AssertRoundTrip(d, "inline");
    }

    private static string Canon(PolicyDocument d) => d.Version + "|" + d.Id + "|" + ModelJson.Serialize(d.Statement);

    private static void AssertRoundTrip(PolicyDocument d, string what)
    {
        var errors = new ErrorCollector();
        var again = PolicyParser.ParseText(PolicyWriter.Write(d), d.Kind, d.PolicyName, d.Source, errors);
        Assert.True(again is not null, what + ": " + string.Join("; ", errors.Errors));
        Assert.Equal(Canon(d), Canon(again!));
    }

    [Fact]
    public void EveryDocumentInEveryAuthorizationDetailsFileParsesAndRoundTrips()
    {
        _ = LambdaIdentity.Core.Catalogs.ActionCatalog.Default; // loaded: names are read against it (as in the product)
        var count = 0;
        foreach (var file in Directory.GetFiles(TestPaths.Shared("authz-details"), "*.json"))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var (path, e) in AuthzDocuments(doc.RootElement, "$"))
            {
                var errors = new ErrorCollector();
                var src = new SourceLocation { File = file, Path = path };
                var d = e.ValueKind == JsonValueKind.String
                    ? PolicyParser.ParseText(e.GetString()!, PolicyKind.Inline, path, src, errors, urlEncoded: true)
                    : PolicyParser.Parse(e, PolicyKind.Inline, path, src, errors);
                Assert.True(d is not null && errors.Errors.Count == 0, string.Join("; ", errors.Errors));
                AssertRoundTrip(d!, file + " " + path);
                // Every Action/NotAction name reads back as the document spells it (AWS's own policies write some in
                // other case: "a4b:getDevice"), whether the catalog's name serves it or not.
                if (e.ValueKind == JsonValueKind.Object)
                {
                    var source = e.GetProperty("Statement");
                    var statements = source.ValueKind == JsonValueKind.Array ? source.EnumerateArray().ToList() : new List<JsonElement> { source };
                    for (var i = 0; i < statements.Count; i++)
                        foreach (var (name, parsed) in new[] { ("Action", d!.Statement[i].Action), ("NotAction", d.Statement[i].NotAction) })
                            if (statements[i].TryGetProperty(name, out var a))
                                Assert.Equal(a.ValueKind == JsonValueKind.Array ? a.EnumerateArray().Select(x => x.GetString()!).ToList() : new List<string> { a.GetString()! }, parsed.ToList());
                }
                count++;
            }
        }
        _out.WriteLine($"{count} documents");
        Assert.True(count > 150, count.ToString());
    }

    // Policy documents of get-account-authorization-details: role trust and inline, user/group inline, every managed version.
    private static IEnumerable<(string, JsonElement)> AuthzDocuments(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                if (p.Name is "PolicyDocument" or "AssumeRolePolicyDocument" or "Document") yield return (path + "." + p.Name, p.Value);
                else foreach (var x in AuthzDocuments(p.Value, path + "." + p.Name)) yield return x;
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var a in e.EnumerateArray()) foreach (var x in AuthzDocuments(a, $"{path}[{i++}]")) yield return x;
        }
    }

    [Fact]
    public void EveryLiteralDocumentInEveryTemplateParsesAndRoundTrips()
    {
        int parsed = 0, skipped = 0, files = 0;
        var unreadable = new List<string>();
        var failures = new List<string>();
        foreach (var dir in new[] { TestPaths.Shared("sam"), TestPaths.Shared("cloudformation") })
        {
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".yaml") || f.EndsWith(".yml") || f.EndsWith(".json")).OrderBy(f => f, StringComparer.Ordinal))
            {
                List<TemplatePolicies.Found> found;
                try { found = TemplatePolicies.Extract(file); }
                catch (Exception ex) when (ex is JsonException || ex is YamlDotNet.Core.YamlException) { unreadable.Add(file + ": " + ex.Message); continue; }
                files++;
                foreach (var f in found)
                {
                    if (f.Json is null) { skipped++; continue; }
                    var errors = new ErrorCollector();
                    var d = PolicyParser.ParseText(f.Json, PolicyKind.Inline, f.Path, new SourceLocation { File = file, Path = f.Path }, errors);
                    if (d is null || errors.Errors.Count > 0) { failures.AddRange(errors.Errors.Select(x => x.ToString())); continue; }
                    AssertRoundTrip(d, file + " " + f.Path);
                    parsed++;
                }
            }
        }
        foreach (var u in unreadable) _out.WriteLine("unreadable: " + u);
        _out.WriteLine($"{files} templates ({unreadable.Count} unreadable as YAML/JSON), {parsed} literal policy documents parsed, {skipped} skipped (hold intrinsic functions other than Sub)");
        Assert.True(failures.Count == 0, failures.Count + " failures:\n" + string.Join("\n", failures.Take(30)));
        Assert.True(parsed > 500, parsed.ToString());
    }
}

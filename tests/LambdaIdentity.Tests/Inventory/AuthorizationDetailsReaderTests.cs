using System.Text;
using System.Text.Json.Nodes;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Model;
using Xunit;

namespace LambdaIdentity.Tests.Inventory;

/// <summary>
/// The streaming reader of get-account-authorization-details: what it reads does not depend on the order of properties
/// (a document may come before what names it), a document that breaks the grammar costs only itself, and malformed input
/// is reported without losing the rest.
/// </summary>
public sealed class AuthorizationDetailsReaderTests
{
    public static IEnumerable<object[]> Files() =>
        Directory.GetFiles(TestPaths.Shared("authz-details"), "*.json").OrderBy(f => f, StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(Files))]
    public void PropertiesInAnyOrderReadTheSame(string name)
    {
        // Every object's properties reversed: documents come before their PolicyName / RoleName, a version's Document after
        // its VersionId, DefaultVersionId after PolicyVersionList.
        var bytes = File.ReadAllBytes(TestPaths.Shared("authz-details", name));
        var reversed = Encoding.UTF8.GetBytes(Reverse(JsonNode.Parse(bytes))!.ToJsonString());
        var (a, errorsA) = Read(bytes, name);
        var (b, errorsB) = Read(reversed, name);
        Assert.Empty(errorsA);
        Assert.Empty(errorsB);
        Assert.True(a.Roles.Count + a.Users.Count + a.Groups.Count + a.ManagedPolicies.Count > 0);
        Assert.Equal(Describe(a), Describe(b));
    }

    [Fact]
    public void ADocumentThatBreaksTheGrammarCostsOnlyItself()
    {
        var name = "cloudsplaining-example-2023.json";
        var root = JsonNode.Parse(File.ReadAllBytes(TestPaths.Shared("authz-details", name)))!;
        // A role's inline policy whose first statement has an Effect that is neither Allow nor Deny, followed by nested
        // statements the reader must skip to find the rest of the file.
        var roles = root["RoleDetailList"]!.AsArray();
        var index = Enumerable.Range(0, roles.Count).First(i => roles[i]!["RolePolicyList"]!.AsArray().Count > 0 && i + 1 < roles.Count);
        var policy = roles[index]!["RolePolicyList"]![0]!;
        var statements = policy["PolicyDocument"]!["Statement"]!;
        var first = statements is JsonArray arr ? arr[0]! : statements;
        first["Effect"] = "Maybe";
        var good = Read(File.ReadAllBytes(TestPaths.Shared("authz-details", name)), name).Account;
        var (bad, errors) = Read(Encoding.UTF8.GetBytes(root.ToJsonString()), name);

        var e = Assert.Single(errors);
        Assert.Equal("PolicyDocumentMalformed", e.ErrorId);
        var path = statements is JsonArray ? ".Statement[0].Effect" : ".Statement.Effect";
        Assert.Equal($"$.RoleDetailList[{index}].RolePolicyList[0].PolicyDocument{path}", e.Location!.Path);
        Assert.Contains(policy["PolicyName"]!.GetValue<string>(), e.Message);
        // Only that document is missing: the role keeps its other policies, and every other role and policy reads alike.
        var arn = roles[index]!["Arn"]!.GetValue<string>();
        Assert.Equal(good.Roles[arn].Policies.Count - 1, bad.Roles[arn].Policies.Count);
        good.Roles[arn].Policies.RemoveAt(0);
        Assert.Equal(Describe(good), Describe(bad));
    }

    [Fact]
    public void CommentsAndTrailingCommasAreReadOnTheSecondTry()
    {
        const string Plain = """{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r", "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]}]}""";
        const string Lenient = """
            // exported by hand
            {"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r", /* inline */ "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",},]}},]},]}
            """;
        var (plain, e1) = Read(Encoding.UTF8.GetBytes(Plain), "plain.json");
        var (lenient, e2) = Read(Encoding.UTF8.GetBytes(Lenient), "lenient.json");
        Assert.Empty(e1);
        Assert.Empty(e2);
        Assert.Equal(Describe(plain), Describe(lenient));
        Assert.Equal("s3:GetObject", lenient.Roles.Single().Value.Policies.Single().Statement.Single().Action.Single());
    }

    [Fact]
    public void ItemsThatAreNotObjectsAreReportedAndTheRestIsRead()
    {
        const string Json = """{"RoleDetailList": [42, {"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r", "RolePolicyList": ["oops"]}], "Policies": [null]}""";
        var (account, errors) = Read(Encoding.UTF8.GetBytes(Json), "items.json");
        Assert.Equal(new[] { "$.RoleDetailList[0]", "$.RoleDetailList[1].RolePolicyList[0]", "$.Policies[0]" }, errors.Select(e => e.Location!.Path));
        Assert.All(errors, e => Assert.Equal("AuthorizationDetailsItemMalformed", e.ErrorId));
        Assert.Equal("r", account.Roles.Single().Value.Name);
    }

    [Fact]
    public void AnExportCutByConvertToJsonAddsNothing()
    {
        // The cut item comes after a good role: the good role is not taken from a cut export either.
        const string Json = """{"RoleDetailList": [{"RoleName": "a", "Arn": "arn:aws:iam::123456789012:role/a"}, {"RoleName": "b", "Arn": "arn:aws:iam::123456789012:role/b", "Tags": "System.Collections.Generic.List`1[Amazon.IdentityManagement.Model.Tag]"}], "Policies": ["Amazon.IdentityManagement.Model.ManagedPolicyDetail"]}""";
        var errors = new ErrorCollector();
        var account = AuthorizationDetailsReader.Read(Encoding.UTF8.GetBytes(Json), "cut.json", "$", new EngineContext(errors));
        Assert.Null(account);
        var e = Assert.Single(errors.Errors);
        Assert.Equal("AuthorizationDetailsTruncated", e.ErrorId);
        Assert.Equal("$.RoleDetailList[1]", e.Location!.Path); // the first list (roles before policies), then the first item
    }

    [Fact]
    public void MalformedJsonThrowsAndReportsNothing()
    {
        var bytes = File.ReadAllBytes(TestPaths.Shared("authz-details", "cloudsplaining-example-2023.json"));
        var errors = new ErrorCollector();
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => AuthorizationDetailsReader.Read(bytes.AsMemory(0, bytes.Length / 2), "half.json", "$", new EngineContext(errors)));
        Assert.Empty(errors.Errors);
    }

    [Fact]
    public void ATruncatedFileIsOneErrorAndAddsNoRole()
    {
        var dir = Path.Combine(Path.GetTempPath(), "li-authz-cut-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var bytes = File.ReadAllBytes(TestPaths.Shared("authz-details", "cloudsplaining-example-2023.json"));
        File.WriteAllBytes(Path.Combine(dir, "authz.json"), bytes.AsSpan(0, bytes.Length * 2 / 3).ToArray());
        File.Copy(Path.Combine(TestPaths.Fixtures, "inventory", "lambda-list-functions-privesc-role.json"), Path.Combine(dir, "functions.json"));
        var errors = new ErrorCollector();
        var f = new InventoryReader().Read(new[] { dir }, new InventoryOptions(), new EngineContext(errors)).Single();
        var e = Assert.Single(errors.Errors);
        Assert.Equal("JsonSourceMalformed", e.ErrorId);
        Assert.EndsWith("authz.json", e.Target);
        Assert.True(e.Location!.Line > 1);
        Assert.Contains(f.IncompleteReasons, r => r.StartsWith("The execution role"));
    }

    [Fact]
    public void TheFirstOfSeveralValuesNamesItsPathWithAnIndex()
    {
        // A grammar error in the first page of two concatenated pages is reported under $[0], as in the second under $[1].
        const string Page = """{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r", "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Maybe", "Action": "s3:GetObject"}]}}]}]}""";
        var dir = Path.Combine(Path.GetTempPath(), "li-authz-pages-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "pages.json"), Page + "\n" + Page.Replace("role/r", "role/s").Replace("\"r\"", "\"s\"") + "\n");
        var errors = new ErrorCollector();
        new InventoryReader().Read(new[] { dir }, new InventoryOptions(), new EngineContext(errors)).ToList();
        Assert.Equal(new[] { "$[0].RoleDetailList[0].RolePolicyList[0].PolicyDocument.Statement[0].Effect", "$[1].RoleDetailList[0].RolePolicyList[0].PolicyDocument.Statement[0].Effect" },
            errors.Errors.Where(e => e.ErrorId == "PolicyDocumentMalformed").Select(e => e.Location!.Path));
    }

    private static (AccountAuthorization Account, List<EngineError> Errors) Read(byte[] json, string file)
    {
        var errors = new ErrorCollector();
        var account = AuthorizationDetailsReader.Read(json, file, "$", new EngineContext(errors));
        Assert.NotNull(account);
        return (account!, errors.Errors.ToList());
    }

    private static JsonNode? Reverse(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                var copy = new JsonObject();
                foreach (var (k, v) in o.ToList().AsEnumerable().Reverse()) copy[k] = Reverse(v?.DeepClone());
                return copy;
            case JsonArray a:
                return new JsonArray(a.Select(x => Reverse(x?.DeepClone())).ToArray());
            default:
                return node?.DeepClone();
        }
    }

    // Everything the inventory takes from an account, as text (documents as the policy writer writes them).
    private static string Describe(AccountAuthorization account)
    {
        var sb = new StringBuilder();
        static string Doc(PolicyDocument? d) => d is null ? "-" : $"{d.PolicyName}|{d.PolicyArn}|{d.Kind}|{d.Source?.Path}|{PolicyWriter.Write(d, indented: false)}";
        foreach (var (kind, map) in new[] { ("role", account.Roles), ("user", account.Users), ("group", account.Groups) })
            foreach (var p in map.Values.OrderBy(p => p.Arn, StringComparer.Ordinal))
            {
                sb.Append(kind).Append(' ').Append(p.Arn).Append(' ').Append(p.Name).Append(' ').Append(p.Type).Append(' ').Append(p.Source?.Path)
                  .Append(" boundary=").Append(p.BoundaryArn).Append(" tag=").Append(p.LogicalIdTag).Append('\n')
                  .Append(" trust ").Append(Doc(p.Trust)).Append('\n')
                  .Append(" attached ").Append(string.Join(",", p.AttachedManagedArns)).Append('\n')
                  .Append(" groups ").Append(string.Join(",", p.Groups)).Append('\n');
                foreach (var d in p.Policies) sb.Append(" inline ").Append(Doc(d)).Append('\n');
            }
        foreach (var (arn, d) in account.ManagedPolicies.OrderBy(kv => kv.Key, StringComparer.Ordinal)) sb.Append("managed ").Append(arn).Append(' ').Append(Doc(d)).Append('\n');
        return sb.ToString();
    }
}

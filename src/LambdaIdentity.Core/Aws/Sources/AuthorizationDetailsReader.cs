using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources;

/// <summary>
/// Reads get-account-authorization-details (one JSON value: RoleDetailList, UserDetailList, GroupDetailList, Policies)
/// in one pass of a <see cref="Utf8JsonReader"/>: policy documents are read as the reader meets them, with no DOM of
/// the file. A document met before what names it (a PolicyDocument before its PolicyName) is read once the item ends.
/// A value that ConvertTo-Json cut at its -Depth (type names instead of data) adds nothing and is reported.
/// </summary>
internal static class AuthorizationDetailsReader
{
    /// <summary>
    /// How files are read: comments and trailing commas are tolerated. A reader that skips comments takes a slower path
    /// over every token, so a file is read with <see cref="StrictOptions"/> first, and again with these only when that fails.
    /// </summary>
    internal static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 256 };

    /// <summary>Plain JSON (what AWS tools write): the first try.</summary>
    internal static readonly JsonReaderOptions StrictOptions = new() { MaxDepth = 256 };

    // The lists, in the order a cut export is reported by (the first list holding type names, then its first item).
    private const int RoleList = 0, UserList = 1, GroupList = 2, PolicyList = 3;
    private static readonly string[] ListNames = { "RoleDetailList", "UserDetailList", "GroupDetailList", "Policies" };

    /// <summary>True when the object the reader (a copy: it is not moved) is on starts as authorization details do.</summary>
    public static bool Starts(Utf8JsonReader peek)
    {
        if (peek.TokenType != JsonTokenType.StartObject || !peek.Read() || peek.TokenType != JsonTokenType.PropertyName) return false;
        var list = ListOf(ref peek);
        return list == PolicyList ? peek.Read() && peek.TokenType == JsonTokenType.StartArray : list >= 0;
    }

    /// <summary>
    /// Reads a whole JSON value (UTF-8) of authorization details: what it says, or null when the export was cut (reported).
    /// Errors reach <paramref name="context"/> once the value is known to be JSON (then malformed JSON throws, and nothing is reported).
    /// </summary>
    public static AccountAuthorization? Read(ReadOnlyMemory<byte> json, string file, string path, EngineContext context)
    {
        AccountAuthorization? read;
        var errors = new ErrorCollector();
        try { read = Read(json, StrictOptions, file, path, new EngineContext(errors, cancellationToken: context.CancellationToken)); }
        catch (JsonException)
        {
            errors = new ErrorCollector();
            read = Read(json, Options, file, path, new EngineContext(errors, cancellationToken: context.CancellationToken));
        }
        errors.ReportTo(context);
        return read;
    }

    private static AccountAuthorization? Read(ReadOnlyMemory<byte> json, JsonReaderOptions options, string file, string path, EngineContext context)
    {
        var reader = new Utf8JsonReader(json.Span, options);
        reader.Read();
        var read = Read(ref reader, json, file, path, context);
        while (reader.Read()) { } // nothing but whitespace (and comments) may follow
        return read;
    }

    /// <summary>
    /// Reads the object the reader is on (the reader covers <paramref name="json"/> from its start) and leaves the reader
    /// on its end. Returns what it says, or null when the export was cut (reported). Malformed JSON throws
    /// <see cref="JsonException"/>.
    /// </summary>
    public static AccountAuthorization? Read(ref Utf8JsonReader r, ReadOnlyMemory<byte> json, string file, string path, EngineContext context)
    {
        var st = new State { Json = json, File = file, Path = path, Context = context };
        if (r.TokenType != JsonTokenType.StartObject) { r.Skip(); return st.Account; }
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var list = ListOf(ref r);
            Next(ref r);
            if (list < 0 || r.TokenType != JsonTokenType.StartArray) { r.Skip(); continue; }
            var i = 0;
            while (Next(ref r) != JsonTokenType.EndArray)
            {
                st.List = list; st.Index = i;
                var itemPath = $"{path}.{ListNames[list]}[{i}]";
                if (r.TokenType == JsonTokenType.String) st.CheckTypeName(ref r);
                if (list == PolicyList) ReadPolicy(ref r, st, itemPath);
                else ReadPrincipal(ref r, st, list, itemPath);
                i++;
            }
        }
        if (st.CutList >= 0)
        {
            context.Error("AuthorizationDetailsTruncated", EngineErrorCategory.InvalidData, file,
                $"{ListNames[st.CutList]}[{st.CutIndex}] holds type names instead of data: the export was cut by ConvertTo-Json's default -Depth 2; export again with Get-IAMAccountAuthorizationDetail | ConvertTo-Json -Depth 10.",
                new SourceLocation { File = file, Line = 1, Column = 1, Path = $"{path}.{ListNames[st.CutList]}[{st.CutIndex}]" });
            return null;
        }
        return st.Account;
    }

    private sealed class State
    {
        public ReadOnlyMemory<byte> Json;
        public string File = "", Path = "";
        public EngineContext Context = EngineContext.None;
        public readonly AccountAuthorization Account = new();
        public int List, Index;
        public int CutList = -1, CutIndex;

        // ConvertTo-Json writes "Amazon.IdentityManagement.Model.RoleDetail" (or "System.Object[]") for what lies deeper
        // than its -Depth: an item, or a value of an item's own property, that is such a string marks a cut export.
        public void CheckTypeName(ref Utf8JsonReader r)
        {
            if (!r.ValueIsEscaped && !r.HasValueSequence && !r.ValueSpan.StartsWith("Amazon."u8) && !r.ValueSpan.StartsWith("System."u8)) return;
            if (!AwsJsonSources.IsTypeName(r.GetString())) return;
            if (CutList < 0 || List < CutList || (List == CutList && Index < CutIndex)) { CutList = List; CutIndex = Index; }
        }

        public SourceLocation Loc(string path) => new() { File = File, Path = path };

        // An item that should be an object and is not (a type name is reported as a cut export instead).
        public void NotAnObject(ref Utf8JsonReader r, string path)
        {
            var isTypeName = r.TokenType == JsonTokenType.String && AwsJsonSources.IsTypeName(r.GetString());
            r.Skip();
            if (!isTypeName)
                Context.Error("AuthorizationDetailsItemMalformed", EngineErrorCategory.InvalidData, File, $"{path.Substring(Path.Length + 1)} is not an object: skipped.", new SourceLocation { File = File, Line = 1, Column = 1, Path = path });
        }

        // A document met before what it needs: its bytes, read again when the item ends.
        public ReadOnlyMemory<byte> Defer(ref Utf8JsonReader r)
        {
            var start = (int)r.TokenStartIndex;
            r.Skip();
            return Json.Slice(start, (int)r.BytesConsumed - start);
        }
    }

    private static JsonTokenType Next(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw new JsonException("The authorization details end early.", null, null, r.BytesConsumed);
        return r.TokenType;
    }

    private static int ListOf(ref Utf8JsonReader r)
        => r.ValueTextEquals("RoleDetailList"u8) ? RoleList : r.ValueTextEquals("UserDetailList"u8) ? UserList
            : r.ValueTextEquals("GroupDetailList"u8) ? GroupList : r.ValueTextEquals("Policies"u8) ? PolicyList : -1;

    /// <summary>A string property as <see cref="AwsJsonSources.Str"/> reads one (a string, {"Value": "..."}, a number or a boolean); else null.</summary>
    private static string? Str(ref Utf8JsonReader r)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.String: return r.GetString();
            case JsonTokenType.Number: return Encoding.UTF8.GetString(r.ValueSpan.ToArray());
            case JsonTokenType.True: return "true";
            case JsonTokenType.False: return "false";
            case JsonTokenType.StartObject:
                string? value = null;
                while (Next(ref r) == JsonTokenType.PropertyName)
                {
                    var isValue = r.ValueTextEquals("Value"u8);
                    Next(ref r);
                    if (isValue && r.TokenType == JsonTokenType.String) value = r.GetString();
                    else r.Skip();
                }
                return value;
            default: r.Skip(); return null;
        }
    }

    /// <summary>
    /// A policy document as authorization details hold it: an object (the AWS CLI decodes them) or a string,
    /// URL-encoded when it comes from the IAM API as AWS Tools for PowerShell leaves it.
    /// </summary>
    private static PolicyDocument? Document(ref Utf8JsonReader r, PolicyKind kind, string name, SourceLocation loc, IErrorSink errors, string? arn = null)
        => r.TokenType == JsonTokenType.String
            ? AwsJsonSources.PolicyText(r.GetString() ?? "", kind, name, loc, errors, arn)
            : PolicyParser.Read(ref r, kind, name, loc, errors, arn);

    private static PolicyDocument? Document(ReadOnlyMemory<byte> deferred, PolicyKind kind, string name, SourceLocation loc, IErrorSink errors, string? arn = null)
    {
        var r = new Utf8JsonReader(deferred.Span, Options); // a part the file's reader read already: the lenient options accept it
        r.Read();
        return Document(ref r, kind, name, loc, errors, arn);
    }

    private static readonly byte[] RoleName = Encoding.UTF8.GetBytes("RoleName"), UserName = Encoding.UTF8.GetBytes("UserName"), GroupName = Encoding.UTF8.GetBytes("GroupName");

    private static void ReadPrincipal(ref Utf8JsonReader r, State st, int list, string path)
    {
        var (type, nameProp, inlineProp) = list switch
        {
            RoleList => ("Role", RoleName, "RolePolicyList"),
            UserList => ("User", UserName, "UserPolicyList"),
            _ => ("Group", GroupName, "GroupPolicyList"),
        };
        if (r.TokenType != JsonTokenType.StartObject) { st.NotAnObject(ref r, path); return; }
        var p = new IamPrincipal { Type = type, Source = st.Loc(path) };
        string? name = null;
        ReadOnlyMemory<byte>? trust = null;
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var prop = r;
            Next(ref r);
            if (r.TokenType == JsonTokenType.String) st.CheckTypeName(ref r);
            if (prop.ValueTextEquals("Arn"u8)) p.Arn = Str(ref r) ?? "";
            else if (prop.ValueTextEquals(nameProp)) name = Str(ref r);
            else if (prop.ValueTextEquals(inlineProp)) ReadInline(ref r, st, p, $"{path}.{inlineProp}");
            else if (prop.ValueTextEquals("AttachedManagedPolicies"u8)) ForEachObject(ref r, (ref Utf8JsonReader a, string key) => { if (key == "PolicyArn" && Str(ref a) is string arn) p.AttachedManagedArns.Add(arn); else a.Skip(); });
            else if (prop.ValueTextEquals("PermissionsBoundary"u8)) ReadObject(ref r, (ref Utf8JsonReader a, string key) => { if (key == "PermissionsBoundaryArn" && Str(ref a) is string arn) p.BoundaryArn = arn; else a.Skip(); });
            else if (list == UserList && prop.ValueTextEquals("GroupList"u8) && r.TokenType == JsonTokenType.StartArray)
            {
                while (Next(ref r) != JsonTokenType.EndArray) if (r.TokenType == JsonTokenType.String) p.Groups.Add(r.GetString()!); else r.Skip();
            }
            else if (list == RoleList && prop.ValueTextEquals("Tags"u8)) ReadTags(ref r, p);
            else if (list == RoleList && prop.ValueTextEquals("AssumeRolePolicyDocument"u8) && r.TokenType != JsonTokenType.Null)
            {
                // The trust policy is named after the role: read at once when the name came first (as the AWS CLI writes it).
                if (name is null) trust = st.Defer(ref r);
                else p.Trust = Document(ref r, PolicyKind.Trust, name + "-trust", st.Loc(path + ".AssumeRolePolicyDocument"), st.Context);
            }
            else r.Skip();
        }
        p.Name = name ?? "";
        if (trust is { } t) p.Trust = Document(t, PolicyKind.Trust, p.Name + "-trust", st.Loc(path + ".AssumeRolePolicyDocument"), st.Context);
        var target = list == RoleList ? st.Account.Roles : list == UserList ? st.Account.Users : st.Account.Groups;
        target[p.Arn] = p;
    }

    // Inline policies: {"PolicyName": ..., "PolicyDocument": ...}; a document met before its name is read at the item's end.
    private static void ReadInline(ref Utf8JsonReader r, State st, IamPrincipal p, string path)
    {
        if (r.TokenType != JsonTokenType.StartArray) { r.Skip(); return; }
        var j = 0;
        while (Next(ref r) != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject) { st.NotAnObject(ref r, $"{path}[{j++}]"); continue; }
            string? policyName = null; var named = false;
            PolicyDocument? doc = null; ReadOnlyMemory<byte>? late = null;
            while (Next(ref r) == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("PolicyName"u8)) { Next(ref r); policyName = Str(ref r); named = true; }
                else if (r.ValueTextEquals("PolicyDocument"u8))
                {
                    Next(ref r);
                    if (named) doc = Document(ref r, PolicyKind.Inline, policyName ?? $"inline{j}", st.Loc($"{path}[{j}].PolicyDocument"), st.Context);
                    else late = st.Defer(ref r);
                }
                else { Next(ref r); r.Skip(); }
            }
            if (late is { } l) doc = Document(l, PolicyKind.Inline, policyName ?? $"inline{j}", st.Loc($"{path}[{j}].PolicyDocument"), st.Context);
            if (doc is not null) p.Policies.Add(doc);
            j++;
        }
    }

    private static void ReadTags(ref Utf8JsonReader r, IamPrincipal p)
    {
        ForEachObjectWhole(ref r, (ref Utf8JsonReader t) =>
        {
            string? key = null, value = null;
            while (Next(ref t) == JsonTokenType.PropertyName)
            {
                var isKey = t.ValueTextEquals("Key"u8); var isValue = !isKey && t.ValueTextEquals("Value"u8);
                Next(ref t);
                if (isKey) key = Str(ref t); else if (isValue) value = Str(ref t); else t.Skip();
            }
            if (key == "aws:cloudformation:logical-id") p.LogicalIdTag = value;
        });
    }

    private delegate void PropertyAction(ref Utf8JsonReader r, string key);
    private delegate void ObjectAction(ref Utf8JsonReader r);

    // Each property of the object the reader is on (anything else is skipped); the action reads or skips the value.
    private static void ReadObject(ref Utf8JsonReader r, PropertyAction action)
    {
        if (r.TokenType != JsonTokenType.StartObject) { r.Skip(); return; }
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var key = r.GetString()!;
            Next(ref r);
            action(ref r, key);
        }
    }

    // Each property of each object in the array the reader is on.
    private static void ForEachObject(ref Utf8JsonReader r, PropertyAction action)
        => ForEachObjectWhole(ref r, (ref Utf8JsonReader o) => ReadObject(ref o, action));

    // Each object in the array the reader is on, the action reading it to its end.
    private static void ForEachObjectWhole(ref Utf8JsonReader r, ObjectAction action)
    {
        if (r.TokenType != JsonTokenType.StartArray) { r.Skip(); return; }
        while (Next(ref r) != JsonTokenType.EndArray)
            if (r.TokenType == JsonTokenType.StartObject) action(ref r); else r.Skip();
    }

    // A managed policy: the default version's document (IsDefaultVersion, or VersionId equal to DefaultVersionId, which
    // may come after the list). A version's document is read as it is met when the policy's name and ARN are known (its
    // errors held until the version is known to be the default), else once the policy ends.
    private static void ReadPolicy(ref Utf8JsonReader r, State st, string path)
    {
        if (r.TokenType != JsonTokenType.StartObject) { st.NotAnObject(ref r, path); return; }
        string? arn = null, policyName = null, defaultVersion = null;
        var versions = new List<(int Index, string? VersionId, bool IsDefault, PolicyDocument? Document, ErrorCollector? Errors, ReadOnlyMemory<byte>? Late)>();
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var prop = r;
            Next(ref r);
            if (r.TokenType == JsonTokenType.String) st.CheckTypeName(ref r);
            if (prop.ValueTextEquals("Arn"u8)) arn = Str(ref r);
            else if (prop.ValueTextEquals("PolicyName"u8)) policyName = Str(ref r);
            else if (prop.ValueTextEquals("DefaultVersionId"u8)) defaultVersion = Str(ref r);
            else if (prop.ValueTextEquals("PolicyVersionList"u8) && r.TokenType == JsonTokenType.StartArray)
            {
                var j = 0;
                while (Next(ref r) != JsonTokenType.EndArray)
                {
                    if (r.TokenType != JsonTokenType.StartObject) { st.NotAnObject(ref r, $"{path}.PolicyVersionList[{j++}]"); continue; }
                    string? versionId = null; var isDefault = false; var hasDocument = false;
                    PolicyDocument? doc = null; ErrorCollector? errors = null; ReadOnlyMemory<byte>? late = null;
                    while (Next(ref r) == JsonTokenType.PropertyName)
                    {
                        if (r.ValueTextEquals("Document"u8))
                        {
                            Next(ref r);
                            hasDocument = true;
                            if (arn is not null && policyName is not null)
                                doc = Document(ref r, PolicyKind.Managed, policyName, st.Loc($"{path}.PolicyVersionList[{j}].Document"), errors = new ErrorCollector(), arn);
                            else late = st.Defer(ref r);
                        }
                        else if (r.ValueTextEquals("VersionId"u8)) { Next(ref r); versionId = Str(ref r); }
                        else if (r.ValueTextEquals("IsDefaultVersion"u8)) { Next(ref r); isDefault = r.TokenType == JsonTokenType.True; r.Skip(); }
                        else { Next(ref r); r.Skip(); }
                    }
                    if (hasDocument) versions.Add((j, versionId, isDefault, doc, errors, late));
                    j++;
                }
            }
            else r.Skip();
        }
        arn ??= "";
        foreach (var v in versions)
        {
            if (!v.IsDefault && (defaultVersion is null || v.VersionId != defaultVersion)) continue;
            PolicyDocument? doc;
            if (v.Late is { } late) doc = Document(late, PolicyKind.Managed, policyName ?? arn, st.Loc($"{path}.PolicyVersionList[{v.Index}].Document"), st.Context, arn);
            else
            {
                v.Errors!.ReportTo(st.Context);
                doc = v.Document;
            }
            if (doc is not null) st.Account.ManagedPolicies[arn] = doc;
        }
    }
}

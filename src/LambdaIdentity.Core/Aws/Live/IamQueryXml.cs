using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace LambdaIdentity.Core.Aws.Live;

/// <summary>
/// Turns IAM and STS Query API XML into what the AWS CLI prints: GetAccountAuthorizationDetails becomes the JSON
/// of `aws iam get-account-authorization-details` (lists from their member elements, booleans and integers typed,
/// policy documents URL-decoded exactly once and parsed to objects, as botocore does), so the offline parser reads
/// it unchanged. The element types come from botocore's IAM model (tests check them against it).
/// </summary>
internal static class IamQueryXml
{
    /// <summary>Members of list shapes reachable from GetAccountAuthorizationDetailsResponse.</summary>
    internal static readonly HashSet<string> Lists = new(StringComparer.Ordinal)
    {
        "AttachedManagedPolicies", "GroupDetailList", "GroupList", "GroupPolicyList", "InstanceProfileList", "Policies", "PolicyVersionList",
        "RoleDetailList", "RolePolicyList", "Roles", "Tags", "UserDetailList", "UserPolicyList",
    };
    /// <summary>Boolean members.</summary>
    internal static readonly HashSet<string> Booleans = new(StringComparer.Ordinal) { "IsAttachable", "IsDefaultVersion", "IsTruncated" };
    /// <summary>Integer members.</summary>
    internal static readonly HashSet<string> Integers = new(StringComparer.Ordinal) { "AttachmentCount", "MaxSessionDuration", "PermissionsBoundaryUsageCount" };
    /// <summary>Members of type policyDocumentType (URL-encoded JSON).</summary>
    internal static readonly HashSet<string> PolicyDocuments = new(StringComparer.Ordinal) { "AssumeRolePolicyDocument", "Document", "PolicyDocument" };
    /// <summary>Structure members (an empty element is an empty object, as botocore parses it).</summary>
    internal static readonly HashSet<string> Structures = new(StringComparer.Ordinal) { "PermissionsBoundary", "RoleLastUsed" };
    /// <summary>Timestamp members.</summary>
    internal static readonly HashSet<string> Timestamps = new(StringComparer.Ordinal) { "CreateDate", "LastUsedDate", "UpdateDate" };

    /// <summary>One page of GetAccountAuthorizationDetails as the AWS CLI's JSON, with its paging fields.</summary>
    public static (byte[] Json, bool IsTruncated, string? Marker) AuthorizationDetails(string xml)
    {
        var result = Result(xml, "GetAccountAuthorizationDetailsResult");
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
            WriteObject(w, result);
        var truncated = string.Equals(Child(result, "IsTruncated")?.Value.Trim(), "true", StringComparison.OrdinalIgnoreCase);
        var marker = Child(result, "Marker")?.Value;
        return (stream.ToArray(), truncated, string.IsNullOrEmpty(marker) ? null : marker);
    }

    /// <summary>GetCallerIdentity's account, ARN and user id.</summary>
    public static (string? Account, string? Arn, string? UserId) CallerIdentity(string xml)
    {
        var result = Result(xml, "GetCallerIdentityResult");
        return (Child(result, "Account")?.Value, Child(result, "Arn")?.Value, Child(result, "UserId")?.Value);
    }

    /// <summary>AssumeRole's temporary credentials and their expiry; FormatException when the response holds none.</summary>
    public static (AwsCredentialValues Credentials, DateTimeOffset? Expiration) AssumedRole(string xml)
    {
        var result = Result(xml, "AssumeRoleResult");
        var c = Child(result, "Credentials") ?? throw new FormatException("The response has no Credentials element.");
        var key = Child(c, "AccessKeyId")?.Value;
        var secret = Child(c, "SecretAccessKey")?.Value;
        if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(secret)) throw new FormatException("The response's Credentials have no AccessKeyId or SecretAccessKey.");
        DateTimeOffset? expires = DateTimeOffset.TryParse(Child(c, "Expiration")?.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.ToUniversalTime() : null;
        return (new AwsCredentialValues(key!, secret!, Child(c, "SessionToken")?.Value), expires);
    }

    /// <summary>An ErrorResponse's code, message and request id; nulls when the text is not one.</summary>
    public static (string? Code, string? Message, string? RequestId) ParseError(string xml)
    {
        try
        {
            var root = Load(xml).Root;
            if (root is null) return (null, null, null);
            var error = root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            return (error is null ? null : Child(error, "Code")?.Value, error is null ? null : Child(error, "Message")?.Value,
                root.Descendants().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value);
        }
        catch (XmlException) { return (null, null, null); }
    }

    private static XDocument Load(string xml)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true };
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        return XDocument.Load(reader);
    }

    private static XElement Result(string xml, string name)
    {
        XDocument doc;
        try { doc = Load(xml); }
        catch (XmlException ex) { throw new FormatException("The response is not well-formed XML: " + ex.Message, ex); }
        return doc.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == name)
            ?? throw new FormatException("The response has no " + name + " element.");
    }

    private static XElement? Child(XElement e, string name) => e.Elements().FirstOrDefault(c => c.Name.LocalName == name);

    private static void WriteObject(Utf8JsonWriter w, XElement e)
    {
        w.WriteStartObject();
        foreach (var c in e.Elements())
        {
            w.WritePropertyName(c.Name.LocalName);
            WriteValue(w, c);
        }
        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, XElement e)
    {
        var name = e.Name.LocalName;
        if (Lists.Contains(name))
        {
            w.WriteStartArray();
            foreach (var m in e.Elements().Where(m => m.Name.LocalName == "member"))
            {
                if (m.HasElements) WriteObject(w, m);
                else w.WriteStringValue(m.Value);
            }
            w.WriteEndArray();
        }
        else if (PolicyDocuments.Contains(name)) WritePolicy(w, e.Value);
        else if (Booleans.Contains(name) && bool.TryParse(e.Value.Trim(), out var b)) w.WriteBooleanValue(b);
        else if (Integers.Contains(name) && long.TryParse(e.Value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) w.WriteNumberValue(n);
        else if (Timestamps.Contains(name)) w.WriteStringValue(CliTimestamp(e.Value));
        else if (e.HasElements || Structures.Contains(name)) WriteObject(w, e);
        else w.WriteStringValue(e.Value);
    }

    /// <summary>
    /// A policy document: URL-decoded once (RFC 3986; '+' stays '+', and a literal %3A inside a decoded value stays)
    /// and parsed, as botocore does; text that is not JSON after decoding is kept as a string for the parser to report.
    /// </summary>
    private static void WritePolicy(Utf8JsonWriter w, string encoded)
    {
        var decoded = Uri.UnescapeDataString(encoded);
        try
        {
            using var doc = JsonDocument.Parse(decoded);
            doc.RootElement.WriteTo(w);
        }
        catch (JsonException) { w.WriteStringValue(decoded); }
    }

    /// <summary>botocore's timestamp as the CLI prints it (ISO 8601 with +00:00).</summary>
    private static string CliTimestamp(string value)
    {
        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return value;
        t = t.ToUniversalTime();
        var fraction = t.Ticks % TimeSpan.TicksPerSecond;
        return t.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + (fraction == 0 ? "" : "." + (fraction / 10).ToString("D6", CultureInfo.InvariantCulture)) + "+00:00";
    }
}

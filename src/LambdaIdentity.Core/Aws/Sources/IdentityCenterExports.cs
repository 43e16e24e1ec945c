using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources;

/// <summary>
/// IAM Identity Center exports (aws sso-admin): describe-permission-set, list-permission-sets, list-account-assignments,
/// get-inline-policy-for-permission-set, list-managed-policies-in-permission-set and
/// list-customer-managed-policy-references-in-permission-set. Shapes from botocore's sso-admin 2020-07-20 model. The
/// policy exports do not name their permission set: their file is named after it (<c>NAME.anything.json</c>, NAME the
/// permission set's name or its ps- id). Each assigned permission set becomes one principal (Type Group: an Entra group
/// takes it over) whose policies are the permission set's, limited to the accounts it is assigned in; the inventory then
/// lists its access to each function like any IAM principal's.
/// </summary>
internal sealed class IdentityCenterExports
{
    private sealed class PermissionSet
    {
        public string Arn = "", Name = "";
        public string? SessionDuration;
        public SourceLocation? Source;
    }

    private sealed class Assignment
    {
        public string AccountId = "", PermissionSetArn = "", PrincipalType = "", PrincipalId = "";
        public SourceLocation? Source;
    }

    private sealed class PolicyFile
    {
        public string Key = "";
        public PolicyDocument? Inline;
        public List<string> ManagedArns = new();
        public List<(string Name, string Path)> CustomerManaged = new();
        public SourceLocation? Source;
    }

    private readonly Dictionary<string, PermissionSet> _sets = new(StringComparer.Ordinal);
    private readonly HashSet<string> _listed = new(StringComparer.Ordinal);
    private readonly List<Assignment> _assignments = new();
    private readonly List<PolicyFile> _policies = new();

    /// <summary>True when anything was read.</summary>
    public bool IsEmpty => _sets.Count == 0 && _assignments.Count == 0 && _policies.Count == 0 && _listed.Count == 0;

    private static string? Str(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>Reads one JSON object when it is an Identity Center export; false when it is not one.</summary>
    public bool TryRead(JsonElement root, string file, string path, EngineContext context)
    {
        if (root.ValueKind != JsonValueKind.Object) return false;
        if (root.TryGetProperty("PermissionSet", out var ps) && ps.ValueKind == JsonValueKind.Object && Str(ps, "PermissionSetArn") is { } arn)
        {
            _sets[arn] = new PermissionSet { Arn = arn, Name = Str(ps, "Name") ?? arn.Substring(arn.LastIndexOf('/') + 1), SessionDuration = Str(ps, "SessionDuration"), Source = new SourceLocation { File = file, Path = path + ".PermissionSet" } };
            return true;
        }
        if (root.TryGetProperty("PermissionSets", out var list) && list.ValueKind == JsonValueKind.Array && list.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String))
        {
            foreach (var x in list.EnumerateArray()) _listed.Add(x.GetString()!);
            return true;
        }
        if (root.TryGetProperty("AccountAssignments", out var assignments) && assignments.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var a in assignments.EnumerateArray())
            {
                var at = new SourceLocation { File = file, Path = $"{path}.AccountAssignments[{i++}]" };
                if (Str(a, "AccountId") is not { } account || Str(a, "PermissionSetArn") is not { } set || Str(a, "PrincipalId") is not { } principal)
                {
                    context.Error("AccountAssignmentMalformed", EngineErrorCategory.InvalidData, file, "An account assignment without AccountId, PermissionSetArn or PrincipalId at " + at.Path + ": skipped.", at);
                    continue;
                }
                _assignments.Add(new Assignment { AccountId = account, PermissionSetArn = set, PrincipalId = principal, PrincipalType = Str(a, "PrincipalType") ?? "", Source = at });
            }
            return true;
        }
        var key = Path.GetFileName(file);
        key = key.IndexOf('.') > 0 ? key.Substring(0, key.IndexOf('.')) : key;
        if (root.TryGetProperty("InlinePolicy", out var inline) && inline.ValueKind == JsonValueKind.String)
        {
            var at = new SourceLocation { File = file, Path = path + ".InlinePolicy" };
            var text = inline.GetString()!;
            var doc = text.Trim().Length == 0 ? null : PolicyParser.ParseText(text, PolicyKind.Inline, key + " (inline)", at, context, urlEncoded: text.TrimStart().StartsWith("%", StringComparison.Ordinal));
            _policies.Add(new PolicyFile { Key = key, Inline = doc, Source = at });
            return true;
        }
        if (root.TryGetProperty("AttachedManagedPolicies", out var managed) && managed.ValueKind == JsonValueKind.Array && managed.EnumerateArray().All(m => Str(m, "Arn") is not null))
        {
            _policies.Add(new PolicyFile { Key = key, ManagedArns = managed.EnumerateArray().Select(m => Str(m, "Arn")!).ToList(), Source = new SourceLocation { File = file, Path = path + ".AttachedManagedPolicies" } });
            return true;
        }
        if (root.TryGetProperty("CustomerManagedPolicyReferences", out var refs) && refs.ValueKind == JsonValueKind.Array)
        {
            _policies.Add(new PolicyFile { Key = key, CustomerManaged = refs.EnumerateArray().Where(r => Str(r, "Name") is not null).Select(r => (Str(r, "Name")!, Str(r, "Path") ?? "/")).ToList(), Source = new SourceLocation { File = file, Path = path + ".CustomerManagedPolicyReferences" } });
            return true;
        }
        return false;
    }

    /// <summary>
    /// Adds one principal per assigned permission set to <paramref name="account"/>. An assignment or policy export whose
    /// permission set was not described, and a listed permission set never described, are errors naming the file.
    /// </summary>
    public void ApplyTo(AccountAuthorization account, EngineContext context)
    {
        PermissionSet? Find(string key) => _sets.Values.FirstOrDefault(s => s.Name == key || s.Arn.EndsWith("/" + key, StringComparison.Ordinal));
        foreach (var p in _policies.Where(p => Find(p.Key) is null))
            context.Error("PermissionSetUnresolved", EngineErrorCategory.ObjectNotFound, p.Source?.File ?? p.Key,
                "The policy export is named after '" + p.Key + "', which names no permission set described (aws sso-admin describe-permission-set): its policies are not applied. Name the file NAME.<anything>.json after the permission set's name or ps- id.", p.Source);
        foreach (var a in _assignments.Where(a => !_sets.ContainsKey(a.PermissionSetArn)))
            context.Error("PermissionSetUnresolved", EngineErrorCategory.ObjectNotFound, a.Source?.File ?? a.PermissionSetArn,
                "The account assignment names permission set " + a.PermissionSetArn + ", which no describe-permission-set export holds: who it gives access to is not carried over.", a.Source);
        foreach (var arn in _listed.Where(l => !_sets.ContainsKey(l)).OrderBy(l => l, StringComparer.Ordinal))
            context.Error("PermissionSetUnresolved", EngineErrorCategory.ObjectNotFound, arn,
                "The permission set " + arn + " is listed (list-permission-sets) but not described: its name and policies are unknown.");
        foreach (var set in _sets.Values.OrderBy(s => s.Arn, StringComparer.Ordinal))
        {
            var assigned = _assignments.Where(a => a.PermissionSetArn == set.Arn).ToList();
            if (assigned.Count == 0) { context.Verbose("Permission set " + set.Name + " is assigned to no one in the exports read: no access to carry over."); continue; }
            var files = _policies.Where(p => Find(p.Key) == set).ToList();
            var principal = new IamPrincipal
            {
                Arn = set.Arn, Name = set.Name, Type = "Group", Source = set.Source, IsPermissionSet = true,
                Accounts = new HashSet<string>(assigned.Select(a => a.AccountId), StringComparer.Ordinal),
                Members = assigned.Select(a => a.PrincipalType + " " + a.PrincipalId + " in account " + a.AccountId).Distinct(StringComparer.Ordinal).OrderBy(m => m, StringComparer.Ordinal).ToList(),
            };
            foreach (var f in files)
            {
                if (f.Inline is not null) principal.Policies.Add(f.Inline);
                principal.AttachedManagedArns.AddRange(f.ManagedArns);
                // A customer managed policy is looked up by name and path in each account the set is assigned in.
                foreach (var (name, p) in f.CustomerManaged)
                    foreach (var acct in principal.Accounts.OrderBy(x => x, StringComparer.Ordinal))
                        principal.AttachedManagedArns.Add("arn:aws:iam::" + acct + ":policy" + (p.StartsWith("/", StringComparison.Ordinal) ? p : "/" + p) + name);
            }
            if (files.Count == 0)
                context.Error("PermissionSetPoliciesUnread", EngineErrorCategory.ObjectNotFound, set.Arn,
                    "No policy export (get-inline-policy-for-permission-set, list-managed-policies-in-permission-set) names permission set " + set.Name + ": what its " + assigned.Count + " assignment(s) allow is unknown.", set.Source);
            account.Groups[principal.Arn] = principal;
        }
    }
}

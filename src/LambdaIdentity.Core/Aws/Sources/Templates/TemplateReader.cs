using System;
using System.Collections.Generic;
using System.Linq;
using LambdaIdentity.Core.Aws.Policy;
using LambdaIdentity.Core.Catalogs;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources.Templates;

/// <summary>
/// Reads AWS SAM and CloudFormation templates: one draft per AWS::Serverless::Function and
/// AWS::Lambda::Function, with the execution role SAM would generate, event sources and the Lambda
/// permissions SAM creates for them, function URLs, API authorizers and connectors.
/// </summary>
internal sealed partial class TemplateReader
{
    private readonly TMap _root;
    private readonly string _file;
    private readonly EngineContext _context;
    private readonly IntrinsicResolver _r;
    private readonly TMap? _globalsFunction;
    private readonly TMap? _globalsApi;
    private readonly TMap? _globalsHttpApi;

    public TemplateReader(TMap root, string file, InventoryOptions options, EngineContext context)
    {
        _root = root; _file = file; _context = context;
        _r = new IntrinsicResolver(root, options);
        var globals = root.Map("Globals");
        _globalsFunction = globals?.Map("Function");
        _globalsApi = globals?.Map("Api");
        _globalsHttpApi = globals?.Map("HttpApi");
    }

    /// <summary>True when the node looks like a CloudFormation/SAM template.</summary>
    public static bool IsTemplate(TNode node) => node is TMap m && (m.Map("Resources") != null || m.Has("AWSTemplateFormatVersion") || m.Has("Transform"));

    private SourceLocation Loc(TNode? n, string path) => new() { File = _file, Line = n?.Line ?? 0, Column = n?.Column ?? 0, Path = path };

    private string Partition => _r.Pseudo("AWS::Partition");

    /// <summary>Yields one draft per function resource; a function that fails to read still yields an incomplete draft and an error.</summary>
    public IEnumerable<FunctionDraft> Read()
    {
        foreach (var res in _r.Resources.Entries)
        {
            if (res.Value is not TMap rm) continue;
            var type = rm.Str("Type");
            if (type != "AWS::Serverless::Function" && type != "AWS::Lambda::Function") continue;
            _context.CancellationToken.ThrowIfCancellationRequested();
            FunctionDraft draft;
            try
            {
                draft = type == "AWS::Serverless::Function" ? ReadSamFunction(res.Key, rm) : ReadCfnFunction(res.Key, rm);
                AddTemplateWideFacts(res.Key, draft);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var loc = Loc(rm, "Resources." + res.Key);
                if (ex is TemplateCycleException cycle)
                    _context.Error("TemplateReferenceCycle", EngineErrorCategory.InvalidData, _file, $"Function '{res.Key}' could not be read in full: {ex.Message}",
                        new SourceLocation { File = _file, Line = cycle.Line, Column = cycle.Column, Path = "Resources." + res.Key }, ex);
                else
                    _context.Error("TemplateFunctionUnreadable", EngineErrorCategory.InvalidData, _file,
                        $"Function '{res.Key}' could not be read in full: {ex.Message}", loc, ex);
                draft = new FunctionDraft
                {
                    FunctionName = res.Key, LogicalId = res.Key, FromTemplate = true, Source = loc,
                    FunctionArn = FunctionArnFor(res.Key),
                };
                draft.IncompleteReasons.Add("The template definition could not be read: " + ex.Message);
            }
            yield return draft;
        }
    }

    private string FunctionArnFor(string name) =>
        $"arn:{Partition}:lambda:{_r.Pseudo("AWS::Region")}:{_r.Pseudo("AWS::AccountId")}:function:{name}";

    // ---------- the function itself ----------

    private TMap MergedProperties(TMap props)
    {
        if (_globalsFunction is null) return props;
        var merged = new TMap { Line = props.Line, Column = props.Column };
        foreach (var g in _globalsFunction.Entries)
        {
            if (props[g.Key] is TMap pm && g.Value is TMap gm) merged.Set(g.Key, MergeMaps(gm, pm));
            else if (props[g.Key] is TList pl && g.Value is TList gl && g.Key != "Layers") { var l = new TList { Line = pl.Line, Column = pl.Column }; l.Items.AddRange(gl.Items); l.Items.AddRange(pl.Items); merged.Set(g.Key, l); }
            else merged.Set(g.Key, props[g.Key] ?? g.Value);
        }
        foreach (var p in props.Entries) if (!merged.Has(p.Key)) merged.Set(p.Key, p.Value);
        return merged;
    }

    private static TMap MergeMaps(TMap global, TMap local)
    {
        if (global.Intrinsic != null || local.Intrinsic != null) return local;
        var m = new TMap { Line = local.Line, Column = local.Column };
        foreach (var g in global.Entries) m.Set(g.Key, local[g.Key] is TMap lm && g.Value is TMap gm ? MergeMaps(gm, lm) : local[g.Key] ?? g.Value);
        foreach (var l in local.Entries) if (!m.Has(l.Key)) m.Set(l.Key, l.Value);
        return m;
    }

    private FunctionDraft NewDraft(string id, TMap resource, TMap props)
    {
        var explicitName = props["FunctionName"];
        var name = explicitName is null ? id : _r.Str(explicitName);
        if (string.IsNullOrEmpty(name)) name = id;
        var d = new FunctionDraft
        {
            FunctionName = name, LogicalId = id, FromTemplate = true, FunctionArn = FunctionArnFor(name), HasExplicitName = explicitName != null,
            Source = Loc(resource, "Resources." + id),
            Runtime = props["Runtime"] is TNode rt ? _r.Str(rt) : (props.Str("PackageType") == "Image" ? "Image" : null),
        };
        if (resource.Str("Condition") is string cond && _r.EvaluateCondition(cond) == false)
            d.Findings.Add(new Finding { FindingId = "FunctionConditionFalse", Severity = FindingSeverity.Info, Message = $"Function '{id}' is only created when condition '{cond}' holds, which is false with the given parameters.", Source = d.Source });
        ReadEnvironment(d, props, id);
        if (props["VpcConfig"] is TNode vpc && _r.Resolve(vpc) is TMap vm && vm.Count > 0) d.VpcAttached = true;
        if (props["KmsKeyArn"] is TNode kms) d.KmsKeyArn = _r.Str(kms);
        if (_r.Resolve(props["Layers"]) is TList layers) d.Layers.AddRange(layers.Items.Select(_r.Str));
        return d;
    }

    private void ReadEnvironment(FunctionDraft d, TMap props, string id)
    {
        var vars = props.Map("Environment")?["Variables"];
        if (vars is null) return;
        if (vars is TMap vm && vm.Intrinsic is null)
        {
            foreach (var e in vm.Entries)
            {
                d.EnvironmentVariableNames.Add(e.Key);
                // The value is looked at only here, to decide whether it looks like a secret; it is never kept.
                var literal = e.Value is TScalar s && !s.IsNull ? s.Value : null;
                var f = SecretDetector.Check(e.Key, literal, Loc(e.Value, $"Resources.{id}.Properties.Environment.Variables.{e.Key}"));
                if (f != null) d.Findings.Add(f);
            }
        }
        else if (_r.Resolve(vars) is TMap rm)
        {
            foreach (var e in rm.Entries) d.EnvironmentVariableNames.Add(e.Key);
        }
        else d.IncompleteReasons.Add("Environment variables are computed by an intrinsic function the template does not resolve.");
    }

    private FunctionDraft ReadCfnFunction(string id, TMap resource)
    {
        var props = resource.Map("Properties") ?? new TMap();
        var d = NewDraft(id, resource, props);
        if (props.Map("TracingConfig")?["Mode"] is TNode mode) d.TracingMode = _r.Str(mode);
        if (props.Map("DeadLetterConfig")?["TargetArn"] is TNode dlq) d.Destinations.Add(_r.Str(dlq));
        var roleNode = props["Role"];
        if (roleNode is null)
        {
            d.IncompleteReasons.Add("AWS::Lambda::Function has no Role.");
            _context.Error("TemplateFunctionRoleMissing", EngineErrorCategory.InvalidData, _file, $"Function '{id}' has no Role.", Loc(resource, $"Resources.{id}.Properties"));
        }
        else SetRoleFromReference(d, roleNode, id);
        return d;
    }

    private void SetRoleFromReference(FunctionDraft d, TNode roleNode, string id)
    {
        var roleId = _r.ReferencedLogicalId(roleNode);
        if (roleId != null && _r.TypeOf(roleId) == "AWS::IAM::Role")
        {
            d.ExecutionRole = ReadIamRole(roleId);
            d.RoleArn = d.ExecutionRole.RoleArn;
            return;
        }
        var arn = _r.Str(roleNode);
        if (!arn.StartsWith("arn:", StringComparison.Ordinal) && !arn.Contains("${") && arn.Length > 0)
            arn = $"arn:{Partition}:iam::{_r.Pseudo("AWS::AccountId")}:role/{arn}";
        d.RoleArn = arn;
        var roleName = RoleNameOf(arn);
        // Policies the template attaches to a role it does not define (Ref to a parameter, a name, an ARN).
        var attachedHere = AttachedTemplatePolicies(null, _r.Str(roleNode)).Concat(roleName == _r.Str(roleNode) ? new List<PolicyDocument>() : AttachedTemplatePolicies(null, roleName)).ToList();
        d.ExecutionRole = new ExecutionRole { RoleArn = arn, RoleName = roleName, Policies = attachedHere, Source = Loc(roleNode, $"Resources.{id}.Properties.Role") };
        d.IncompleteReasons.Add($"The execution role {arn} is defined outside this template; add authorization details (aws iam get-account-authorization-details) to read its policies.");
    }

    internal static string RoleNameOf(string arn)
    {
        var i = arn.LastIndexOf('/');
        return i >= 0 ? arn.Substring(i + 1) : arn;
    }

    // ---------- IAM roles and policies defined in the template ----------

    private ExecutionRole ReadIamRole(string roleId)
    {
        var res = _r.Resources.Map(roleId)!;
        var props = res.Map("Properties") ?? new TMap();
        var path = $"Resources.{roleId}.Properties";
        var name = props["RoleName"] is TNode rn ? _r.Str(rn) : roleId;
        var policies = new List<PolicyDocument>();
        if (props["Policies"] is TNode pn && _r.Resolve(pn) is TList pl)
        {
            int i = 0;
            foreach (var p in pl.Items)
            {
                if (p is TMap pm && pm["PolicyDocument"] is TNode doc)
                {
                    var pname = pm["PolicyName"] is TNode n ? _r.Str(n) : roleId + "Policy" + i;
                    var parsed = ParsePolicy(doc, PolicyKind.Inline, pname, Loc(doc, $"{path}.Policies[{i}].PolicyDocument"), resolved: true);
                    if (parsed != null) policies.Add(parsed);
                }
                i++;
            }
        }
        if (props["ManagedPolicyArns"] is TNode mn && _r.Resolve(mn) is TList ml)
        {
            int i = 0;
            foreach (var m in ml.Items) policies.Add(ManagedPolicy(_r.Str(m), Loc(m, $"{path}.ManagedPolicyArns[{i++}]")));
        }
        policies.AddRange(AttachedTemplatePolicies(roleId, name));
        PolicyDocument? boundary = null;
        if (props["PermissionsBoundary"] is TNode pb)
        {
            var pbid = _r.ReferencedLogicalId(pb);
            var pbRes = pbid is null ? null : _r.Resources.Map(pbid);
            if (pbRes?.Str("Type") == "AWS::IAM::ManagedPolicy" && pbRes.Map("Properties")?["PolicyDocument"] is TNode pbd)
                boundary = ParsePolicy(pbd, PolicyKind.PermissionsBoundary, pbid!, Loc(pbd, $"Resources.{pbid}.Properties.PolicyDocument"), resolved: true);
            else boundary = new PolicyDocument { PolicyName = RoleNameOf(_r.Str(pb)), PolicyArn = _r.Str(pb), Kind = PolicyKind.PermissionsBoundary, IsUnresolved = true, Source = Loc(pb, path + ".PermissionsBoundary") };
        }
        PolicyDocument? trust = props["AssumeRolePolicyDocument"] is TNode tr ? ParsePolicy(tr, PolicyKind.Trust, name + "-trust", Loc(tr, path + ".AssumeRolePolicyDocument"), resolved: true) : null;
        return new ExecutionRole
        {
            RoleArn = props["RoleName"] is null ? "${GetAtt:" + roleId + ".Arn}" : $"arn:{Partition}:iam::{_r.Pseudo("AWS::AccountId")}:role/{name}",
            RoleName = name, AssumeRolePolicy = trust, Policies = policies, PermissionsBoundary = boundary, Source = Loc(res, "Resources." + roleId),
        };
    }

    /// <summary>AWS::IAM::Policy, ManagedPolicy and RolePolicy resources of the template that name the role (by reference or by name).</summary>
    private List<PolicyDocument> AttachedTemplatePolicies(string? roleId, string roleName)
    {
        var policies = new List<PolicyDocument>();
        foreach (var other in _r.Resources.Entries)
        {
            if (other.Value is not TMap om) continue;
            var t = om.Str("Type");
            if (t != "AWS::IAM::Policy" && t != "AWS::IAM::ManagedPolicy" && t != "AWS::IAM::RolePolicy") continue;
            var op = om.Map("Properties");
            if (op is null) continue;
            bool attached = false;
            if (t == "AWS::IAM::RolePolicy") attached = RefersTo(op["RoleName"], roleId, roleName);
            else if (_r.Resolve(op["Roles"]) is TList && op["Roles"] is TList roles) attached = roles.Items.Any(x => RefersTo(x, roleId, roleName));
            if (!attached || op["PolicyDocument"] is not TNode pd) continue;
            var pname = op["PolicyName"] is TNode n ? _r.Str(n) : op["ManagedPolicyName"] is TNode mpn ? _r.Str(mpn) : other.Key;
            var parsed = ParsePolicy(pd, t == "AWS::IAM::ManagedPolicy" ? PolicyKind.Managed : PolicyKind.Inline, pname, Loc(pd, $"Resources.{other.Key}.Properties.PolicyDocument"), resolved: true);
            if (parsed != null) policies.Add(parsed);
        }
        return policies;
    }

    private bool RefersTo(TNode? node, string? logicalId, string name)
    {
        if (node is null) return false;
        if (logicalId != null && _r.ReferencedLogicalId(node) == logicalId) return true;
        var text = _r.Str(node);
        return text == name || text.EndsWith(":role/" + name, StringComparison.Ordinal);
    }

    private PolicyDocument ManagedPolicy(string arnOrName, SourceLocation loc)
    {
        var arn = arnOrName.StartsWith("arn:", StringComparison.Ordinal) || arnOrName.Contains("${") ? arnOrName : SamManagedPolicies.ArnOf(arnOrName, Partition);
        var known = ManagedPolicyCatalog.Find(arn, loc, _context);
        return known ?? new PolicyDocument { PolicyName = RoleNameOf(arn), PolicyArn = arn, Kind = PolicyKind.Managed, IsUnresolved = true, Source = loc };
    }

    /// <summary>Resolves intrinsics in a policy node and parses it with the one policy parser.</summary>
    private PolicyDocument? ParsePolicy(TNode node, PolicyKind kind, string name, SourceLocation loc, bool resolved)
    {
        var value = resolved ? _r.Resolve(node) : node;
        if (value is TScalar s && s.Value.StartsWith("${", StringComparison.Ordinal))
            return new PolicyDocument { PolicyName = name, Kind = kind, IsUnresolved = true, Source = loc };
        using var doc = IntrinsicResolver.ToJsonDocument(value);
        return PolicyParser.Parse(doc.RootElement, kind, name, loc, _context);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources;

/// <summary>
/// Cognito user pool exports (aws cognito-idp describe-user-pool, list-user-pool-clients, describe-user-pool-client,
/// list-groups; shapes from botocore's cognito-idp 2016-04-18 model), joined to the functions whose callers the pool
/// authenticates. Client secrets are skipped when read and never kept.
/// </summary>
internal sealed class CognitoExports
{
    private readonly Dictionary<string, (JsonElement Pool, SourceLocation Source)> _pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CognitoUserPoolClient> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _clientPool = new(StringComparer.Ordinal);
    private readonly List<(string Pool, CognitoGroup Group)> _groups = new();

    public bool IsEmpty => _pools.Count == 0 && _clients.Count == 0 && _groups.Count == 0;

    private static string? Str(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    private static List<string> Strs(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
        ? v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList() : new List<string>();

    public bool TryRead(JsonElement root, string file, string path)
    {
        if (root.ValueKind != JsonValueKind.Object) return false;
        if (root.TryGetProperty("UserPool", out var pool) && Str(pool, "Id") is { } id)
        {
            _pools[id] = (pool.Clone(), new SourceLocation { File = file, Path = path + ".UserPool" });
            return true;
        }
        if (root.TryGetProperty("UserPoolClient", out var client) && Str(client, "ClientId") is { } cid && Str(client, "UserPoolId") is { } cpool)
        {
            _clients[cid] = Client(client, new SourceLocation { File = file, Path = path + ".UserPoolClient" }, described: true);
            _clientPool[cid] = cpool;
            return true;
        }
        if (root.TryGetProperty("UserPoolClients", out var clients) && clients.ValueKind == JsonValueKind.Array && clients.EnumerateArray().All(c => Str(c, "UserPoolId") is not null && Str(c, "ClientId") is not null))
        {
            var i = 0;
            foreach (var c in clients.EnumerateArray())
            {
                var at = new SourceLocation { File = file, Path = $"{path}.UserPoolClients[{i++}]" };
                var key = Str(c, "ClientId")!;
                if (!_clients.TryGetValue(key, out var known) || !known.Described) _clients[key] = Client(c, at, described: false);
                _clientPool[key] = Str(c, "UserPoolId")!;
            }
            return true;
        }
        if (root.TryGetProperty("Groups", out var groups) && groups.ValueKind == JsonValueKind.Array && groups.GetArrayLength() > 0 && groups.EnumerateArray().All(g => Str(g, "UserPoolId") is not null && Str(g, "GroupName") is not null))
        {
            var i = 0;
            foreach (var g in groups.EnumerateArray())
                _groups.Add((Str(g, "UserPoolId")!, new CognitoGroup { GroupName = Str(g, "GroupName")!, RoleArn = Str(g, "RoleArn"), Source = new SourceLocation { File = file, Path = $"{path}.Groups[{i++}]" } }));
            return true;
        }
        return false;
    }

    // ClientSecret is never read: only whether the client has one.
    private static CognitoUserPoolClient Client(JsonElement c, SourceLocation at, bool described) => new()
    {
        ClientId = Str(c, "ClientId")!, ClientName = Str(c, "ClientName") ?? "", Described = described, Source = at,
        HasClientSecret = c.TryGetProperty("ClientSecret", out var s) && s.ValueKind == JsonValueKind.String && s.GetString()!.Length > 0,
        CallbackUrls = Strs(c, "CallbackURLs"), AllowedOAuthFlows = Strs(c, "AllowedOAuthFlows"), AllowedOAuthScopes = Strs(c, "AllowedOAuthScopes"),
        SupportedIdentityProviders = Strs(c, "SupportedIdentityProviders"),
    };

    private CognitoUserPool Pool(string id, string matchedBy)
    {
        var (p, source) = _pools[id];
        var triggers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (p.TryGetProperty("LambdaConfig", out var lc) && lc.ValueKind == JsonValueKind.Object)
            foreach (var t in lc.EnumerateObject())
            {
                if (t.Value.ValueKind == JsonValueKind.String && t.Name != "KMSKeyID") triggers[t.Name] = t.Value.GetString()!;
                else if (t.Value.ValueKind == JsonValueKind.Object && Str(t.Value, "LambdaArn") is { } arn) triggers[t.Name] = arn;
            }
        var custom = p.TryGetProperty("SchemaAttributes", out var schema) && schema.ValueKind == JsonValueKind.Array
            ? schema.EnumerateArray().Select(a => Str(a, "Name")).Where(n => n is not null && n.StartsWith("custom:", StringComparison.Ordinal)).Select(n => n!).ToList()
            : new List<string>();
        return new CognitoUserPool
        {
            Id = id, Name = Str(p, "Name") ?? id, Triggers = triggers, CustomAttributes = custom, Domain = Str(p, "Domain"), CustomDomain = Str(p, "CustomDomain"),
            MfaConfiguration = Str(p, "MfaConfiguration"), MatchedBy = matchedBy, Source = source,
            Clients = _clientPool.Where(kv => kv.Value == id).Select(kv => _clients[kv.Key]).OrderBy(c => c.ClientName, StringComparer.Ordinal).ThenBy(c => c.ClientId, StringComparer.Ordinal).ToList(),
            Groups = _groups.Where(g => g.Pool == id).Select(g => g.Group).OrderBy(g => g.GroupName, StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>
    /// Joins each pool to the functions whose Cognito callers name it (the issuer ends with the pool id); when a caller's
    /// issuer is a template token and exactly one pool was read, that pool (said so in MatchedBy). A pool no function
    /// uses, and clients or groups of a pool not described, are reported.
    /// </summary>
    public void ApplyTo(List<FunctionDraft> drafts, EngineContext context)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in drafts)
        {
            foreach (var c in d.Callers.Where(c => c.AuthType == CallerAuthType.Cognito || (c.Issuer ?? "").IndexOf("cognito-idp.", StringComparison.OrdinalIgnoreCase) >= 0))
            {
                var issuer = (c.Issuer ?? "").TrimEnd('/');
                var exact = _pools.Keys.FirstOrDefault(id => issuer.EndsWith("/" + id, StringComparison.Ordinal));
                string? chosen = exact, how = exact is null ? null : "the caller's issuer " + issuer + " names it";
                if (chosen is null && (issuer.Length == 0 || issuer.IndexOf("${", StringComparison.Ordinal) >= 0) && _pools.Count == 1)
                {
                    chosen = _pools.Keys.First();
                    how = "the caller's issuer is a template token (" + (issuer.Length == 0 ? "none" : issuer) + ") and it is the only user pool read";
                }
                if (chosen is null || d.UserPools.Any(p => p.Id == chosen)) continue;
                d.UserPools.Add(Pool(chosen, how!));
                used.Add(chosen);
            }
        }
        foreach (var id in _pools.Keys.Where(k => !used.Contains(k)).OrderBy(k => k, StringComparer.Ordinal))
            context.Warning(_pools[id].Source.File + ": Cognito user pool " + id + " authenticates no function's callers in this inventory: it is not designed.");
        foreach (var kv in _clientPool.Where(kv => !_pools.ContainsKey(kv.Value)))
            context.Error("UserPoolUnresolved", EngineErrorCategory.ObjectNotFound, _clients[kv.Key].Source?.File ?? kv.Key,
                "App client " + kv.Key + " belongs to user pool " + kv.Value + ", which no describe-user-pool export holds: it is not designed.", _clients[kv.Key].Source);
        foreach (var g in _groups.Where(g => !_pools.ContainsKey(g.Pool)))
            context.Error("UserPoolUnresolved", EngineErrorCategory.ObjectNotFound, g.Group.Source?.File ?? g.Pool,
                "Group " + g.Group.GroupName + " belongs to user pool " + g.Pool + ", which no describe-user-pool export holds: it is not designed.", g.Group.Source);
    }
}

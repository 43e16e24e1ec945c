using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LambdaIdentity.Tests.Parity;

/// <summary>A local HTTPS endpoint (Kestrel, self-signed certificate made in-process) that answers ARM paths.</summary>
internal sealed class LocalArmServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    public delegate Task Route(HttpContext context, int hit);
    private readonly Dictionary<string, Route> _routes = new(StringComparer.OrdinalIgnoreCase);

    public X509Certificate2 Certificate { get; }
    public Uri BaseUri { get; private set; } = null!;
    /// <summary>Every request: path and Authorization header.</summary>
    public ConcurrentQueue<(string Path, string? Authorization)> Requests { get; } = new();
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.OrdinalIgnoreCase);

    private LocalArmServer(X509Certificate2? certificate)
    {
        Certificate = certificate ?? LocalTls.CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(Certificate)));
        _app = builder.Build();
        _app.Run(Handle);
    }

    /// <summary>Starts the server; <paramref name="certificate"/> (default: one for 127.0.0.1 and localhost) is the one it serves.</summary>
    public static async Task<LocalArmServer> StartAsync(X509Certificate2? certificate = null)
    {
        var s = new LocalArmServer(certificate);
        await s._app.StartAsync();
        var address = s._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        s.BaseUri = new Uri(address.Replace("[::]", "127.0.0.1") + "/");
        return s;
    }

    public void Map(string path, Route route) => _routes[path] = route;
    public void Map(string path, string json) => _routes[path] = (ctx, _) => Json(ctx, 200, json);
    public int Hits(string path) => _hits.TryGetValue(path, out var n) ? n : 0;

    public static Task Json(HttpContext ctx, int status, string json)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(json);
    }

    private Task Handle(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "";
        Requests.Enqueue((path, ctx.Request.Headers.Authorization.ToString()));
        var hit = _hits.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (!ctx.Request.Query.ContainsKey("api-version") && !path.StartsWith("/pages/", StringComparison.Ordinal))
            return Json(ctx, 400, "{\"error\":{\"code\":\"MissingApiVersionParameter\"}}");
        return _routes.TryGetValue(path, out var route) ? route(ctx, hit) : Json(ctx, 404, "{\"error\":{\"code\":\"ResourceNotFound\",\"message\":\"" + path + "\"}}");
    }

    /// <summary>A client handler that trusts only this server's certificate.</summary>
    public HttpMessageHandler TrustingHandler() => LocalTls.TrustingHandler(Certificate);


    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpGateway.IntegrationTests.Support;

/// <summary>
/// A real HTTP service on loopback (Kestrel) standing in for an internal API behind the gateway.
/// It reports exactly what reached it, and can echo credentials back, redirect, stall, send big
/// or binary bodies, and fail on demand.
/// </summary>
internal sealed class LoopbackService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly System.Collections.Concurrent.ConcurrentQueue<ReceivedRequest> _requests = new();
    private int _flaky;
    private int _hookFailures;

    private LoopbackService(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The headers of the last request that reached /api/echo, as the service saw them.</summary>
    public IReadOnlyDictionary<string, string> LastEchoHeaders { get; private set; } = new Dictionary<string, string>();

    /// <summary>Every request that reached the service, in order, with its body and headers.</summary>
    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    /// <summary>How many of the next requests to /hooks/flaky fail with 503 before one succeeds.</summary>
    public int HookFailures
    {
        get => Volatile.Read(ref _hookFailures);
        set => Volatile.Write(ref _hookFailures, value);
    }

    /// <summary>How many requests reached /api/flaky.</summary>
    public int FlakyHits => Volatile.Read(ref _flaky);

    public static async Task<LoopbackService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var service = new LoopbackService(app);
        service.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        service.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return service;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8, leaveOpen: true);
            var body = await reader.ReadToEndAsync();
            context.Request.Body.Position = 0;
            _requests.Enqueue(new ReceivedRequest(
                context.Request.Method,
                context.Features.Get<IHttpRequestFeature>()!.RawTarget,
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                body));
            await next(context);
        });
        app.MapPost("/hooks/ok", () => Results.Ok());
        app.MapPost("/hooks/flaky", () => Interlocked.Decrement(ref _hookFailures) >= 0 ? Results.StatusCode(503) : Results.Ok());
        app.Map("/api/echo/{**rest}", (Delegate)EchoAndRemember);
        app.Map("/api/echo", (Delegate)EchoAndRemember);
        app.Map("/api/leak", (HttpContext context) =>
        {
            var auth = context.Request.Headers.Authorization.ToString();
            var token = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : auth;
            return Results.Text($"debug: header={auth} b64={Convert.ToBase64String(Encoding.UTF8.GetBytes(token))} url={Uri.EscapeDataString(token)} json={System.Text.Json.JsonSerializer.Serialize(token)}");
        });
        app.Map("/api/repeat", (HttpContext context, int times) =>
        {
            var auth = context.Request.Headers.Authorization.ToString();
            var token = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : auth;
            return Results.Text(string.Concat(Enumerable.Repeat(token, times)));
        });
        app.Map("/api/reflect", (HttpContext context) => Results.Text($"{context.Request.Query["pad"]} auth={context.Request.Headers.Authorization}"));
        app.Map("/api/redirect", () => Results.Redirect("http://127.0.0.1:1/elsewhere"));
        app.Map("/api/big", (int size) => Results.Text(new string('x', size)));
        app.Map("/api/text", (string text, int times) => Results.Text(string.Concat(Enumerable.Repeat(text, times)), "text/plain; charset=utf-8"));
        app.Map("/api/binary", () => Results.Bytes([0, 1, 2, 255, 254, 0, 7], "application/octet-stream"));
        app.Map("/api/slow", async (int ms, CancellationToken cancellationToken) =>
        {
            await Task.Delay(ms, cancellationToken);
            return Results.Text("late");
        });
        app.Map("/api/flaky", (HttpContext _) =>
        {
            Interlocked.Increment(ref _flaky);
            return Results.StatusCode(503);
        });
        app.Map("/api/status/{code:int}", (int code) => Results.StatusCode(code));
        app.Map("/api/pii", () => Results.Text(Canaries.Json, "application/json"));
        app.Map("/api/pii-text", () => Results.Text(Canaries.Text, "text/plain"));
    }

    private Task<IResult> EchoAndRemember(HttpContext context)
    {
        LastEchoHeaders = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        return Echo(context);
    }

    private static async Task<IResult> Echo(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = new JsonObject();
        foreach (var (name, value) in context.Request.Headers)
        {
            headers[name.ToLowerInvariant()] = value.ToString();
        }

        return Results.Json(new JsonObject
        {
            ["method"] = context.Request.Method,
            ["rawTarget"] = context.Features.Get<IHttpRequestFeature>()!.RawTarget,
            ["headers"] = headers,
            ["body"] = body,
        });
    }
}

/// <summary>A request as the loopback service received it.</summary>
internal sealed record ReceivedRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>Sensitive values a backend might return: every one must be masked before it leaves the gateway.</summary>
internal static class Canaries
{
    public static readonly string[] Values =
    [
        "jane.doe@example.com",
        "4111 1111 1111 1111",
        "123-45-6789",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
        "s3cr3t-pass-7731",
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
    ];

    public static string Text => $"""
        user jane.doe@example.com paid with 4111 1111 1111 1111 (ssn 123-45-6789)
        Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U
        aws_access_key_id=AKIAIOSFODNN7EXAMPLE github=ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8
        db=postgres://app:s3cr3t-pass-7731@db.internal:5432/app
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7
        -----END PRIVATE KEY-----
        build 2026.11.29 took 1234 ms, id 7f3c2a10-55b1-4c2e-9d3a-0b6a1e2f3c4d
        """;

    public static string Json => System.Text.Json.JsonSerializer.Serialize(new
    {
        customer = new { email = "jane.doe@example.com", card = "4111 1111 1111 1111", ssn = "123-45-6789" },
        password = "s3cr3t-pass-7731",
        log = Text,
        version = "2026.11.29",
    });
}

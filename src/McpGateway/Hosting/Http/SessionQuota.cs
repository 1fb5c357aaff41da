using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Storage;
using Microsoft.AspNetCore.Http;

namespace McpGateway.Hosting.Http;

/// <summary>
/// How many MCP sessions each identity holds. The SDK evicts idle sessions only against one
/// global cap, so without this one identity opening sessions in a loop would push every other
/// identity's live sessions out. Each identity may hold at most <see cref="Limit"/>.
/// </summary>
public sealed class SessionQuota(int limit)
{
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    public int Limit { get; } = limit;

    /// <summary>Takes a slot for a session <paramref name="identity"/> is about to open; false when it holds <see cref="Limit"/> already.</summary>
    public bool TryReserve(string identity)
    {
        while (true)
        {
            var current = _open.GetOrAdd(identity, 0);
            if (current >= Limit)
            {
                return false;
            }

            if (_open.TryUpdate(identity, current + 1, current))
            {
                return true;
            }
        }
    }

    /// <summary>Gives back a slot: the session ended, or was never opened.</summary>
    public void Release(string identity)
    {
        while (_open.TryGetValue(identity, out var current) && current > 0)
        {
            if (_open.TryUpdate(identity, current - 1, current))
            {
                return;
            }
        }
    }

    /// <summary>The sessions <paramref name="identity"/> holds now.</summary>
    public int Open(string identity) => _open.GetValueOrDefault(identity);
}

/// <summary>
/// Before a request that may open a session (a POST to <c>/mcp</c> without <c>Mcp-Session-Id</c>
/// on a protocol version with sessions), takes a slot of the caller's <see cref="SessionQuota"/>;
/// over the quota answers 429 and records the refusal in the chain. The slot goes back when no
/// session was opened, or when the session ends.
/// </summary>
public sealed class SessionQuotaMiddleware(RequestDelegate next, SessionQuota quota, AuditRecorder recorder)
{
    private const string SessionHeader = "Mcp-Session-Id";
    private const string FirstSessionlessVersion = "2026-07-28";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!MayOpenSession(context.Request) || context.User.Identity is not { IsAuthenticated: true, Name: { } identity })
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (!quota.TryReserve(identity))
        {
            await RefuseAsync(context, identity).ConfigureAwait(false);
            return;
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            if (string.IsNullOrEmpty(context.Response.Headers[SessionHeader].ToString()))
            {
                quota.Release(identity);
            }
        }
    }

    private static bool MayOpenSession(HttpRequest request) =>
        HttpMethods.IsPost(request.Method)
        && string.IsNullOrEmpty(request.Headers[SessionHeader].ToString())
        && (request.Headers["MCP-Protocol-Version"].ToString() is not { Length: > 0 } version
            || string.CompareOrdinal(version, FirstSessionlessVersion) < 0);

    private async Task RefuseAsync(HttpContext context, string identity)
    {
        var message = $"Identity '{identity}' already holds {quota.Limit} open MCP sessions, the most one identity may hold. Reuse a session, close idle ones (DELETE /mcp with their Mcp-Session-Id), or wait for them to expire.";
        try
        {
            await recorder.RecordAsync(
                new AuditAppend(AuditEventTypes.SessionRefused, new AuditIds(Identity: identity), new JsonObject
                {
                    ["reason"] = "session-limit",
                    ["limit"] = quota.Limit,
                    ["remote"] = context.Connection.RemoteIpAddress?.ToString(),
                }),
                context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StoreUnavailableException or AuditRedactionException)
        {
            // The request is refused either way; a store that cannot write says so in its own errors.
        }

        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = null,
            ["error"] = new JsonObject { ["code"] = -32000, ["message"] = message },
        }).ConfigureAwait(false);
    }
}

using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Storage;
using Microsoft.AspNetCore.Http;

namespace McpGateway.Hosting.Http;

/// <summary>
/// How many MCP sessions each identity holds. The SDK evicts idle sessions only against one
/// global cap, so without this one identity opening sessions in a loop would push every other
/// identity's live sessions out. Each identity may hold at most <see cref="Limit"/>. A slot is
/// reserved before a session can be opened, bound to the session's id once it is, and given back
/// only for a session it was bound to (or for a reservation that opened none), so the count can
/// neither drift up nor be driven down.
/// </summary>
public sealed class SessionQuota(int limit, TimeProvider time)
{
    private static readonly TimeSpan EndedMemory = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _sessions = new(StringComparer.Ordinal);

    // Sessions that ended before their reservation was bound (a DELETE racing the initialize response).
    private readonly Dictionary<string, DateTimeOffset> _endedUnbound = new(StringComparer.Ordinal);

    public int Limit { get; } = limit;

    /// <summary>Takes a slot for a session <paramref name="identity"/> is about to open; false when it holds <see cref="Limit"/> already.</summary>
    public bool TryReserve(string identity)
    {
        lock (_gate)
        {
            var open = _open.GetValueOrDefault(identity);
            if (open >= Limit)
            {
                return false;
            }

            _open[identity] = open + 1;
            return true;
        }
    }

    /// <summary>A reservation that opened no session gives its slot back.</summary>
    public void Cancel(string identity)
    {
        lock (_gate)
        {
            Decrement(identity);
        }
    }

    /// <summary>The reservation of <paramref name="identity"/> became session <paramref name="sessionId"/>.</summary>
    public void Bind(string sessionId, string identity)
    {
        lock (_gate)
        {
            if (_endedUnbound.Remove(sessionId))
            {
                Decrement(identity);
                return;
            }

            _sessions[sessionId] = identity;
        }
    }

    /// <summary>Session <paramref name="sessionId"/> ended: its slot goes back, if it holds one.</summary>
    public void Ended(string sessionId)
    {
        lock (_gate)
        {
            if (_sessions.Remove(sessionId, out var identity))
            {
                Decrement(identity);
                return;
            }

            var now = time.GetUtcNow();
            foreach (var stale in _endedUnbound.Where(e => now - e.Value > EndedMemory).Select(e => e.Key).ToList())
            {
                _endedUnbound.Remove(stale);
            }

            _endedUnbound[sessionId] = now;
        }
    }

    /// <summary>The sessions <paramref name="identity"/> holds (or is opening) now.</summary>
    public int Open(string identity)
    {
        lock (_gate)
        {
            return _open.GetValueOrDefault(identity);
        }
    }

    private void Decrement(string identity)
    {
        if (_open.TryGetValue(identity, out var open))
        {
            if (open <= 1)
            {
                _open.Remove(identity);
            }
            else
            {
                _open[identity] = open - 1;
            }
        }
    }
}

/// <summary>Marks the MCP endpoints, so checks apply to whatever path routes to them (<c>/mcp</c>, <c>/mcp/</c>, <c>/MCP</c>).</summary>
public sealed class McpEndpointMetadata
{
    public static McpEndpointMetadata Instance { get; } = new();

    /// <summary>
    /// Whether the request was routed to an MCP endpoint, or is for its path in any spelling
    /// (routing answers a POST with the wrong content type itself, without an endpoint).
    /// </summary>
    public static bool Applies(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<McpEndpointMetadata>() is not null
        || context.Request.Path.StartsWithSegments("/mcp", StringComparison.OrdinalIgnoreCase);
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
            if (context.Response.Headers[SessionHeader].ToString() is { Length: > 0 } session)
            {
                quota.Bind(session, identity);
            }
            else
            {
                quota.Cancel(identity);
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

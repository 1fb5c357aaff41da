using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using McpGateway.Audit;
using McpGateway.Hosting.Authentication;
using McpGateway.Runtime;
using McpGateway.Storage;

namespace McpGateway.Hosting.Console;

/// <summary>How signing in went: the new session's id (for the cookie only) and who, or why not.</summary>
public sealed record ConsoleSignIn(string? SessionId, string? Identity, string? Failure);

/// <summary>
/// Console sessions: signing in with an operator's or auditor's API key, checking a session on
/// every request, signing out. The browser holds a random 256-bit id; the store holds only its
/// SHA-256. A session ends after the idle timeout, at its absolute end, when it is signed out or
/// revoked, when the key it was signed in with is revoked or expires, and when its identity no
/// longer holds the operator or auditor role — all checked on every request. An agent's key
/// cannot sign in. Signing in and out is recorded in the chain.
/// </summary>
public sealed class ConsoleSessionService(IGatewayStore store, ApiKeyService keys, GatewayRuntime runtime, AuditRecorder audit, TimeProvider time)
{
    public const string CookieName = "mcpgw-console";
    public const string Scheme = "McpGatewayConsole";
    public const string SessionClaim = "mcpgw:console-session";

    private readonly PartitionedRateLimiter<string> _attempts = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = runtime.Configuration.Console.SignInAttemptsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    /// <summary>Whether one more sign-in attempt from <paramref name="address"/> is allowed this minute.</summary>
    public bool MayAttempt(string address)
    {
        using var lease = _attempts.AttemptAcquire(address);
        return lease.IsAcquired;
    }

    public async Task<ConsoleSignIn> SignInWithKeyAsync(string key, CancellationToken cancellationToken)
    {
        var result = await keys.AuthenticateAsync(key.Trim(), cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return new ConsoleSignIn(null, null, result.Failure ?? "That key is not valid.");
        }

        var identity = result.Identity!;
        if (!identity.Roles.Contains(Policies.Roles.Operator) && !identity.Roles.Contains(Policies.Roles.Auditor))
        {
            return new ConsoleSignIn(null, null, $"'{identity.Name}' holds neither the operator nor the auditor role, so it cannot sign in to the console (agents use /mcp).");
        }

        var id = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        await store.Console.CreateSessionAsync(new ConsoleSession(Hash(id), identity.Name, "key:" + result.KeyId, now, now, now + runtime.Configuration.Console.AbsoluteTimeout, null), cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(new AuditAppend(AuditEventTypes.ConsoleSignedIn, new AuditIds(Identity: identity.Name), new JsonObject { ["credential"] = "key", ["keyId"] = result.KeyId }), cancellationToken).ConfigureAwait(false);
        return new ConsoleSignIn(id, identity.Name, null);
    }

    /// <summary>The signed-in caller of the session whose id is <paramref name="sessionId"/>, or null when it has ended (it is then revoked, if it was not).</summary>
    public async Task<ClaimsPrincipal?> ValidateAsync(string sessionId, CancellationToken cancellationToken)
    {
        var hash = Hash(sessionId);
        if (await store.Console.FindSessionAsync(hash, cancellationToken).ConfigureAwait(false) is not { RevokedAt: null } session)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var options = runtime.Configuration.Console;
        if (now - session.LastSeenAt > options.IdleTimeout || now >= session.ExpiresAt || !await CredentialValidAsync(session, now, cancellationToken).ConfigureAwait(false)
            || !runtime.Configuration.Identities.TryGetValue(session.Identity, out var identity)
            || !(identity.Roles.Contains(Policies.Roles.Operator) || identity.Roles.Contains(Policies.Roles.Auditor)))
        {
            await store.Console.RevokeSessionAsync(hash, now, cancellationToken).ConfigureAwait(false);
            return null;
        }

        // The idle clock moves in steps, not on every request.
        if (now - session.LastSeenAt >= TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, options.IdleTimeout.Ticks / 4)))
        {
            await store.Console.TouchSessionAsync(hash, now, cancellationToken).ConfigureAwait(false);
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, identity.Name), new(SessionClaim, hash) };
        claims.AddRange(identity.Roles.Where(r => r is Policies.Roles.Operator or Policies.Roles.Auditor).Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    public async Task SignOutAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.FindFirst(SessionClaim)?.Value is { } hash
            && await store.Console.RevokeSessionAsync(hash, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            await audit.RecordAsync(new AuditAppend(AuditEventTypes.ConsoleSignedOut, new AuditIds(Identity: user.Identity?.Name), new JsonObject()), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> CredentialValidAsync(ConsoleSession session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!session.Credential.StartsWith("key:", StringComparison.Ordinal))
        {
            return false;
        }

        return await store.Keys.FindAsync(session.Credential["key:".Length..], cancellationToken).ConfigureAwait(false) is { RevokedAt: null } key
            && (key.ExpiresAt is not { } expires || expires > now)
            && key.Identity == session.Identity;
    }

    /// <summary>The SHA-256 of a session id, hex: what the store keeps.</summary>
    public static string Hash(string sessionId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sessionId)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

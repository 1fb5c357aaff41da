namespace McpGateway.Storage;

/// <summary>
/// A signed-in console session. The browser holds a random 256-bit id; the store keeps only its
/// SHA-256 (<see cref="IdHash"/>), so a copy of the store lets nobody sign in.
/// </summary>
/// <param name="IdHash">The SHA-256 of the session id, lower-case hex.</param>
/// <param name="Identity">Who signed in (a configured identity).</param>
/// <param name="Credential">How: the API key's id, or <c>oidc:&lt;issuer&gt;</c>; a key revoked later ends the session.</param>
/// <param name="CreatedAt">When it was signed in.</param>
/// <param name="LastSeenAt">The last request (for the idle timeout).</param>
/// <param name="ExpiresAt">The absolute end, whatever the activity.</param>
/// <param name="RevokedAt">When it was signed out or revoked.</param>
public sealed record ConsoleSession(string IdHash, string Identity, string Credential, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt);

/// <summary>
/// What the operator console keeps in the store so replicas and restarts agree: its sessions, and
/// the ASP.NET Core Data Protection key ring that protects its cookies and antiforgery tokens.
/// </summary>
public interface IConsoleStore
{
    Task CreateSessionAsync(ConsoleSession session, CancellationToken cancellationToken);

    Task<ConsoleSession?> FindSessionAsync(string idHash, CancellationToken cancellationToken);

    /// <summary>Moves the session's last-seen time forward (never back).</summary>
    Task TouchSessionAsync(string idHash, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Ends one session; false when there is no such live session.</summary>
    Task<bool> RevokeSessionAsync(string idHash, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Ends every live session of <paramref name="identity"/>; how many were ended.</summary>
    Task<int> RevokeSessionsAsync(string identity, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Deletes sessions that ended (expired or revoked) before <paramref name="before"/>; how many.</summary>
    Task<int> DeleteEndedSessionsAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Every Data Protection key, as the XML elements the key ring stored.</summary>
    Task<IReadOnlyList<string>> DataProtectionKeysAsync(CancellationToken cancellationToken);

    /// <summary>Stores a Data Protection key under its friendly name (once: a name already stored is kept).</summary>
    Task StoreDataProtectionKeyAsync(string name, string xml, DateTimeOffset at, CancellationToken cancellationToken);
}

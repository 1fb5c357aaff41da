namespace McpGateway.Storage;

/// <summary>One file of a policy revision: its path in the bundle, the SHA-256 of its bytes, and the bytes.</summary>
public sealed record PolicyRevisionFile(string Path, string Sha256, byte[] Content);

/// <summary>A policy bundle as it was loaded: its revision (see <c>PolicyBundleLoader.ComputeRevision</c>) and files.</summary>
/// <param name="Revision">The revision, lower-case hex.</param>
/// <param name="FirstLoadedAt">When a gateway first loaded it (kept when it is loaded again).</param>
/// <param name="Files">Its files in ordinal order of their paths.</param>
public sealed record PolicyRevision(string Revision, DateTimeOffset FirstLoadedAt, IReadOnlyList<PolicyRevisionFile> Files);

/// <summary>A revision prefix matched more than one stored revision.</summary>
public sealed class AmbiguousRevisionException(string prefix, IReadOnlyList<string> matches)
    : Exception($"Revision '{prefix}' matches {matches.Count} stored revisions ({string.Join(", ", matches.Take(5).Select(m => m[..16]))}{(matches.Count > 5 ? ", …" : string.Empty)}); give more of it.")
{
    public IReadOnlyList<string> Matches { get; } = matches;
}

/// <summary>
/// Evidence of what policy was in force: every revision a gateway loaded, with its files kept
/// content-addressed (a file unchanged between revisions is stored once).
/// </summary>
public interface IPolicyRevisionStore
{
    /// <summary>Stores <paramref name="revision"/> unless it is stored already; true when it was new.</summary>
    Task<bool> SaveAsync(PolicyRevision revision, CancellationToken cancellationToken);

    /// <summary>
    /// The stored revision that is, or starts with, <paramref name="revisionOrPrefix"/> (at least
    /// 6 hex characters); null when none. Throws <see cref="AmbiguousRevisionException"/>.
    /// </summary>
    Task<PolicyRevision?> FindAsync(string revisionOrPrefix, CancellationToken cancellationToken);
}

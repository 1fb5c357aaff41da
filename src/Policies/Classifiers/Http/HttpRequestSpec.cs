using System.Collections.Immutable;

namespace McpGateway.Policies.Classifiers.Http;

/// <summary>
/// The normalised HTTP request that was classified: exactly what the executor sends.
/// </summary>
/// <param name="Service">The registered service.</param>
/// <param name="Method">Upper-case method.</param>
/// <param name="Path">The path in RFC 3986 §6.2.2 normal form, starting with '/'.</param>
/// <param name="Query">The normalised query without '?', or null when the call has none.</param>
/// <param name="Headers">The agent's headers, names lower case, in the order given.</param>
/// <param name="Body">The body, or null.</param>
public sealed record HttpRequestSpec(
    string Service,
    string Method,
    string Path,
    string? Query,
    ImmutableArray<KeyValuePair<string, string>> Headers,
    string? Body)
{
    /// <summary>Path and query as they go on the request line, relative to the service's base URL.</summary>
    public string RelativeTarget => Query is null ? Path : Path + "?" + Query;
}

using System.Text.Json;
using McpGateway.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace McpGateway.Hosting.Authentication.Oidc;

/// <summary>The identity provider's discovery document or signing keys cannot be had; tokens of it cannot be checked now.</summary>
public sealed class OidcUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One issuer's signing keys, from its discovery document's <c>jwks_uri</c> (https, or http to a
/// loopback address): fetched on first use, kept for an hour, and refreshed early when a token
/// names a key that is not there — at most once per <see cref="OidcIssuerOptions.KeyRefresh"/>, by
/// one request however many tokens ask, so a flood of unknown key ids costs the provider one
/// fetch. A key only ever checks tokens of the issuer it was fetched from.
/// </summary>
public sealed partial class OidcIssuerKeys(OidcIssuerOptions options, HttpClient http, TimeProvider time, ILogger logger) : IDisposable
{
    /// <summary>How long fetched keys are used before they are fetched again (a provider that removed a key stops it within this).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile KeySet? _current;
    private DateTimeOffset _lastAttempt = DateTimeOffset.MinValue;
    private long _fetches;

    public OidcIssuerOptions Options => options;

    /// <summary>How many times the keys were fetched (for tests and status).</summary>
    public long Fetches => Interlocked.Read(ref _fetches);

    /// <summary>The keys that may have signed a token with key id <paramref name="keyId"/> (every key when the token names none); empty when there is no such key.</summary>
    public async Task<IReadOnlyList<SecurityKey>> FindAsync(string? keyId, CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is null || time.GetUtcNow() - current.FetchedAt > MaxAge)
        {
            current = await RefreshAsync(current, force: current is null, cancellationToken).ConfigureAwait(false);
        }

        var found = current.Find(keyId);
        if (found.Count > 0 || keyId is null)
        {
            return found;
        }

        // An unknown key id: the provider may have rotated. Refresh, unless that was tried lately.
        current = await RefreshAsync(current, force: false, cancellationToken).ConfigureAwait(false);
        return current.Find(keyId);
    }

    private async Task<KeySet> RefreshAsync(KeySet? seen, bool force, CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller refreshed while this one waited.
            if (_current is { } latest && !ReferenceEquals(latest, seen))
            {
                return latest;
            }

            var now = time.GetUtcNow();
            if (!force && now - _lastAttempt < options.KeyRefresh && seen is not null)
            {
                return seen;
            }

            _lastAttempt = now;
            try
            {
                var fetched = await FetchAsync(cancellationToken).ConfigureAwait(false);
                _current = fetched;
                return fetched;
            }
            catch (OidcUnavailableException ex) when (seen is not null)
            {
                RefreshFailed(logger, options.Name, ex.Message);
                return seen;
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task<KeySet> FetchAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fetches);
        var discovery = new Uri(options.Issuer.ToString().TrimEnd('/') + "/.well-known/openid-configuration");
        using var document = await GetJsonAsync(discovery, cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        if (!root.TryGetProperty("issuer", out var issuer) || issuer.ValueKind != JsonValueKind.String || issuer.GetString() != options.IssuerText)
        {
            throw new OidcUnavailableException($"The discovery document of issuer '{options.Name}' names issuer '{(issuer.ValueKind == JsonValueKind.String ? issuer.GetString() : "(none)")}', not '{options.IssuerText}'.");
        }

        if (!root.TryGetProperty("jwks_uri", out var jwks) || jwks.ValueKind != JsonValueKind.String
            || !Uri.TryCreate(jwks.GetString(), UriKind.Absolute, out var jwksUri) || !OidcOptions.IsHttpsOrLoopback(jwksUri))
        {
            throw new OidcUnavailableException($"The discovery document of issuer '{options.Name}' has no https jwks_uri.");
        }

        using var keysDocument = await GetJsonAsync(jwksUri, cancellationToken).ConfigureAwait(false);
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(keysDocument.RootElement.GetRawText()) { SkipUnresolvedJsonWebKeys = true };
        }
        catch (ArgumentException ex)
        {
            throw new OidcUnavailableException($"The signing keys of issuer '{options.Name}' are not a JSON Web Key Set: {ex.Message}", ex);
        }

        // Signing keys only, asymmetric only: a symmetric key published in a key set is no proof of anything.
        var keys = set.Keys
            .Where(k => k.Use is null or "sig" && k.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve)
            .Select(k => ((string?)k.Kid, Key: (SecurityKey)k))
            .ToList();
        return new KeySet(keys, time.GetUtcNow());
    }

    private async Task<JsonDocument> GetJsonAsync(Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new OidcUnavailableException($"{uri} answered {(int)response.StatusCode}.");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new OidcUnavailableException($"{uri} could not be read: {ex.Message}", ex);
        }
    }

    public void Dispose() => _refresh.Dispose();

    [LoggerMessage(Diagnostics.GatewayEventIds.OidcKeysRefreshFailed, LogLevel.Warning, "The signing keys of issuer {Issuer} could not be refreshed; the keys fetched before stay in use: {Reason}")]
    private static partial void RefreshFailed(ILogger logger, string issuer, string reason);

    private sealed class KeySet(List<(string? Kid, SecurityKey Key)> keys, DateTimeOffset fetchedAt)
    {
        public DateTimeOffset FetchedAt { get; } = fetchedAt;

        public IReadOnlyList<SecurityKey> Find(string? keyId) =>
            keyId is null ? [.. keys.Select(k => k.Key)] : [.. keys.Where(k => k.Kid == keyId).Select(k => k.Key)];
    }
}

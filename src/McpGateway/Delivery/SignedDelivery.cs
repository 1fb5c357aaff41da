using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace McpGateway.Delivery;

/// <summary>
/// The one way the gateway posts to receivers outside it — approval webhooks and SIEM batches:
/// the body is signed (<c>X-McpGateway-Signature: t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256(key, t + "." + body)&gt;</c>),
/// <c>X-McpGateway-Delivery</c> names the message (the same id on every retry of it), redirects
/// are not followed, the wait is bounded, and failures are retried with exponential backoff.
/// What went wrong is told without the URL, which is a secret.
/// </summary>
internal static class SignedDelivery
{
    /// <summary>The named <see cref="HttpClient"/> every signed delivery uses.</summary>
    public const string ClientName = "mcpgw-delivery";

    public const string SignatureHeader = "X-McpGateway-Signature";
    public const string DeliveryHeader = "X-McpGateway-Delivery";

    /// <summary>The first retry waits this long; each next one twice as long, up to <see cref="MaxBackoff"/>.</summary>
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    /// <summary>The signature header's value for <paramref name="body"/> sent at <paramref name="at"/>.</summary>
    public static string Sign(string key, DateTimeOffset at, string body)
    {
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(t + "." + body));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>How long to wait after <paramref name="attempts"/> failed attempts (0 for the first failure).</summary>
    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks * (1L << Math.Clamp(attempts, 0, 20))));

    /// <summary>The handler of <see cref="ClientName"/>: no redirects, cookies or proxy.</summary>
    public static HttpMessageHandler CreateHandler() =>
        new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(10) };

    /// <summary>
    /// Reads the receiver's URL and signing key from the held secrets (at send time, so a rotated
    /// file is used by the next message), checks the URL, and POSTs the signed body. Returns null
    /// when the receiver took it (2xx), else why not — never the URL, the key or the body.
    /// </summary>
    public static async Task<string?> SendAsync(HttpClient client, Configuration.SecretReference url, Configuration.SecretReference key, Configuration.HeldSecrets secrets, bool httpsOnly, string body, string mediaType, string deliveryId, DateTimeOffset at, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string address;
        string signingKey;
        try
        {
            address = secrets.Use(url);
            signingKey = secrets.Use(key);
        }
        catch (Configuration.SecretUnavailableException ex)
        {
            return ex.Message;
        }

        return CheckUrl(address, url.Text, httpsOnly, out var target) is { } problem
            ? problem
            : await PostAsync(client, target, body, mediaType, signingKey, deliveryId, at, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// POSTs <paramref name="body"/> signed with <paramref name="key"/>. Returns null when the
    /// receiver took it (2xx), else why not — never the URL, the key or the body.
    /// </summary>
    public static async Task<string?> PostAsync(HttpClient client, Uri target, string body, string mediaType, string key, string deliveryId, DateTimeOffset at, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        request.Headers.Add(SignatureHeader, Sign(key, at, body));
        request.Headers.Add(DeliveryHeader, deliveryId);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"the receiver answered {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex)
        {
            return $"the receiver could not be reached ({ex.HttpRequestError})";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"the receiver did not answer within {timeout.TotalSeconds:0.#} s";
        }
    }

    /// <summary>Why <paramref name="url"/> (read from <paramref name="reference"/>) cannot be posted to, or null.</summary>
    public static string? CheckUrl(string url, string reference, bool httpsOnly, out Uri target)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out target!) || (target.Scheme != Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttp))
        {
            return $"the URL in {reference} is not an absolute http(s) URL";
        }

        if (httpsOnly && target.Scheme != Uri.UriSchemeHttps && !target.IsLoopback)
        {
            return $"the URL in {reference} is not https (plain http is allowed only to a loopback address)";
        }

        return null;
    }
}

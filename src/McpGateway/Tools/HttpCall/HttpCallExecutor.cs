using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using McpGateway.Configuration;
using McpGateway.Pipeline;
using McpGateway.Policies.Classifiers.Http;
using McpGateway.Policies.Text;
using Polly.CircuitBreaker;

namespace McpGateway.Tools.HttpCall;

/// <summary>
/// Sends the classified request — exactly the normalised path and query that were checked, not
/// re-canonicalised by .NET — to the registered service, with the credentials the gateway holds.
/// Redirects are returned, never followed.
/// </summary>
public sealed class HttpCallExecutor
{
    public const string ClientName = "mcpgw-http";

    /// <summary>
    /// Read beyond the cap, so a held secret that straddles the cut is redacted whole before the
    /// body is cut (larger than any spelling of a secret).
    /// </summary>
    public const int RedactionMargin = 64 * 1024;

    private readonly IHttpClientFactory _clients;
    private readonly HeldSecrets _secrets;
    private readonly TimeProvider _time;

    public HttpCallExecutor(IHttpClientFactory clients, HeldSecrets secrets, TimeProvider time)
    {
        _clients = clients;
        _secrets = secrets;
        _time = time;
    }

    /// <summary>The absolute URL for <paramref name="spec"/>: the service's base path followed by the call's path and query.</summary>
    public static string ComposeUrl(HttpServiceOptions service, HttpRequestSpec spec)
    {
        var basePath = service.BaseUrl.AbsolutePath.TrimEnd('/');
        return service.BaseUrl.GetLeftPart(UriPartial.Authority) + basePath + spec.RelativeTarget;
    }

    public async Task<HttpCallResult> ExecuteAsync(HttpRequestSpec spec, HttpServiceOptions service, HttpCallLimits limits, CancellationToken cancellationToken)
    {
        var url = new Uri(ComposeUrl(service, spec), new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(new HttpMethod(spec.Method), url);
        AddContent(request, spec);
        AddCredentials(request, service, _secrets);

        var started = _time.GetTimestamp();
        try
        {
            using var response = await _clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var (bytes, beyondRead) = await HttpResponseReader.ReadCappedAsync(response.Content, limits.MaxResponseBytes + RedactionMargin, cancellationToken).ConfigureAwait(false);
            var truncated = beyondRead || bytes.Length > limits.MaxResponseBytes;
            var shown = Math.Min(bytes.Length, limits.MaxResponseBytes);
            var (body, kind) = HttpResponseReader.Describe(bytes, response.Content.Headers.ContentType?.MediaType, beyondRead, shown, truncated);
            if (kind is "text" or "json")
            {
                // Redact first, then cut: a cut must never leave part of a secret behind. Where the
                // read itself stopped early, the last characters may begin a secret that continues
                // beyond it, which no spelling matches: drop them before cutting to the cap.
                var redactor = _secrets.Current;
                body = redactor.Redact(body);
                if (beyondRead && redactor.LongestSpelling > 1)
                {
                    body = body[..Math.Max(0, body.Length - (redactor.LongestSpelling - 1))];
                }

                body = truncated ? TextCut.ToUtf8Bytes(body, limits.MaxResponseBytes) : body;
            }

            return new HttpCallResult((int)response.StatusCode, HttpResponseReader.SelectHeaders(response), body, kind, truncated, shown, (long)_time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Not the caller's cancellation or the call's timeout (both cancel the token): the connection attempt timed out.
            throw new ToolCallException($"Service '{spec.Service}' could not be reached (the connection timed out).", ex);
        }
        catch (BrokenCircuitException ex)
        {
            throw new ToolCallException($"Service '{spec.Service}' is failing repeatedly, so calls to it are paused for a few seconds. Retry later.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ToolCallException($"Service '{spec.Service}' could not be reached ({Describe(ex)}).", ex);
        }
    }

    private static void AddContent(HttpRequestMessage request, HttpRequestSpec spec)
    {
        if (spec.Body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(spec.Body));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };

            // Agent-chosen bytes never share a connection with a later request: should the server
            // leave part of the body unread, nothing else is sent after it on that connection.
            request.Headers.ConnectionClose = true;
        }

        // Every checked header is sent, or the call fails: .NET keeps content headers (Content-*,
        // Allow, Expires, Last-Modified) apart from request headers, and none may be dropped silently.
        foreach (var (name, value) in spec.Headers)
        {
            if (request.Headers.TryAddWithoutValidation(name, value))
            {
                continue;
            }

            request.Content ??= new ByteArrayContent([]);
            request.Content.Headers.Remove(name);
            if (!request.Content.Headers.TryAddWithoutValidation(name, value))
            {
                throw new ToolCallException($"Header '{name}' cannot be sent by the gateway; remove it.");
            }
        }
    }

    private static void AddCredentials(HttpRequestMessage request, HttpServiceOptions service, HeldSecrets secrets)
    {
        try
        {
            var auth = service.Auth;
            if (auth.Bearer is { } bearer)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secrets.Use(bearer));
            }
            else if (auth.BasicPassword is { } password)
            {
                var pair = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{auth.BasicUsername}:{secrets.Use(password)}"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", pair);
            }
            else if (auth is { HeaderName: { } name, HeaderValue: { } value })
            {
                request.Headers.Remove(name);
                request.Headers.TryAddWithoutValidation(name, secrets.Use(value));
            }
        }
        catch (SecretUnavailableException ex)
        {
            throw new ToolCallException($"The gateway's credential for service '{service.Name}' is not available right now, so the call was not sent. An operator must fix the gateway's configuration.", ex);
        }
    }

    private static string Describe(HttpRequestException ex) =>
        ex.HttpRequestError switch
        {
            HttpRequestError.ConnectionError => "connection refused or reset",
            HttpRequestError.NameResolutionError => "its host name does not resolve",
            HttpRequestError.SecureConnectionError => "the TLS handshake failed",
            HttpRequestError.InvalidResponse => "it sent an invalid HTTP response",
            HttpRequestError.ResponseEnded => "it closed the connection before answering",
            _ => ex.HttpRequestError.ToString(),
        };
}

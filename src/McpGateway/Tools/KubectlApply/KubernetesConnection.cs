using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Pipeline;

namespace McpGateway.Tools.KubectlApply;

/// <summary>An API server's answer: its status and its JSON body (null when it sent none, or no JSON).</summary>
internal sealed record KubernetesResponse(HttpStatusCode Status, JsonNode? Body)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;
}

/// <summary>
/// The connection to one cluster's API server, held by the runtime snapshot (see
/// <see cref="KubernetesClusterReader"/>): one HTTP/2-capable client that trusts only the
/// configured certificate authority (a server certificate that does not chain to it, or is not
/// issued for the server's name, ends the handshake before any credential is sent), presents the
/// client certificate when one is configured, and reads the bearer token for every request — a
/// rotated token file is used by the next request. Also holds what the cluster's discovery said.
/// Never connects when created: a cluster that is down does not stop start-up.
/// </summary>
internal sealed class KubernetesConnection : IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly KubernetesClusterOptions _cluster;
    private readonly HeldSecrets _secrets;
    private readonly HttpClient _http;
    private readonly X509Certificate2Collection _authorities = [];
    private readonly X509Certificate2? _clientCertificate;
    private readonly string? _credentialProblem;

    public KubernetesConnection(KubernetesClusterOptions cluster, HeldSecrets secrets, KubernetesConnection? replaced = null)
    {
        _cluster = cluster;
        _secrets = secrets;
        if (cluster.CertificateAuthorityPem is { } pem)
        {
            _authorities.ImportFromPem(pem);
        }

        (_clientCertificate, _credentialProblem) = LoadClientCertificate();
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            ConnectTimeout = ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = Validate,
                ClientCertificates = _clientCertificate is null ? null : new X509CertificateCollection { _clientCertificate },
                LocalCertificateSelectionCallback = _clientCertificate is null ? null : (_, _, _, _, _) => _clientCertificate,
            },
        };
        _http = new HttpClient(handler) { BaseAddress = cluster.Server, Timeout = Timeout.InfiniteTimeSpan };

        // What the replaced connection learnt of the same server stays known (a rotated secret
        // rebuilds the connection; the cluster's kinds did not change with it).
        Discovery = replaced is not null && replaced._cluster.Server == cluster.Server ? replaced.Discovery : new KubernetesDiscoveryState();
    }

    public KubernetesClusterOptions Cluster => _cluster;

    /// <summary>What the cluster's discovery said, and when it is to be read again.</summary>
    public KubernetesDiscoveryState Discovery { get; }

    /// <summary>
    /// Sends one request. <paramref name="pathAndQuery"/> is relative to the server (built from
    /// checked names only). Throws <see cref="ToolCallException"/> when the server cannot be
    /// reached, its certificate is not trusted or the credential cannot be read — messages name
    /// the cluster and its settings, never a credential.
    /// </summary>
    public async Task<KubernetesResponse> SendAsync(HttpMethod method, string pathAndQuery, string? jsonBody, string? contentType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_cluster.Server, pathAndQuery.TrimStart('/')));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json");
        }

        if (Token() is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is AuthenticationException || ex.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            throw new ToolCallException($"The gateway did not trust cluster '{_cluster.Name}': the TLS certificate of {_cluster.Server.Authority} does not chain to the configured certificate authority ({_cluster.CertificateAuthoritySource ?? "the system's trusted roots"}) or is not issued for that name, so no request was sent. An operator must check {_cluster.SettingsPath}.");
        }
        catch (HttpRequestException ex)
        {
            throw new ToolCallException($"Cluster '{_cluster.Name}' could not be reached at {_cluster.Server.Authority} ({Describe(ex)}); nothing was applied. Retry later.");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                throw new ToolCallException($"Cluster '{_cluster.Name}' refused the gateway's credential (401 Unauthorized); nothing was applied. An operator must renew or fix the credential in {_cluster.SettingsPath}.");
            }

            return new KubernetesResponse(response.StatusCode, Parse(text));
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _clientCertificate?.Dispose();
        foreach (var authority in _authorities)
        {
            authority.Dispose();
        }
    }

    /// <summary>The bearer token for the next request, read now (so a rotated one is used) and held by the redactor.</summary>
    private string? Token()
    {
        if (_credentialProblem is { } problem)
        {
            throw new ToolCallException(problem);
        }

        try
        {
            if (_cluster.Token is { } reference)
            {
                return _secrets.Use(reference).Trim();
            }

            if (_cluster.Kubeconfig is { } kubeconfig && ReadKubeconfig(kubeconfig) is { Token: { } token })
            {
                return _secrets.Hold(token, $"{kubeconfig.Text} (token of context {_cluster.Context ?? "current-context"})").Trim();
            }
        }
        catch (SecretUnavailableException ex)
        {
            throw new ToolCallException($"The gateway's credential for cluster '{_cluster.Name}' cannot be read ({ex.Message}); nothing was applied. An operator must fix {_cluster.SettingsPath}.");
        }

        return null;
    }

    private (X509Certificate2? Certificate, string? Problem) LoadClientCertificate()
    {
        try
        {
            string? certificate = null;
            string? key = null;
            if (_cluster.ClientCertificate is { } certificateReference && _cluster.ClientKey is { } keyReference)
            {
                certificate = _secrets.Use(certificateReference);
                key = _secrets.Use(keyReference);
            }
            else if (_cluster.Kubeconfig is { } kubeconfig && ReadKubeconfig(kubeconfig) is { ClientCertificatePem: { } pem, ClientKeyPem: { } pemKey })
            {
                certificate = pem;
                key = _secrets.Hold(pemKey, $"{kubeconfig.Text} (client key)");
            }

            return certificate is null || key is null ? (null, null) : (X509Certificate2.CreateFromPem(certificate, key), null);
        }
        catch (Exception ex) when (ex is SecretUnavailableException or System.Security.Cryptography.CryptographicException or ToolCallException)
        {
            // Reported by the first request, not here: a client is created at start-up, which must not fail for it.
            return (null, ex is ToolCallException ? ex.Message : $"The gateway's client certificate for cluster '{_cluster.Name}' cannot be used ({(ex is SecretUnavailableException ? ex.Message : "its certificate and key are not a matching PEM pair")}); nothing was applied. An operator must fix {_cluster.SettingsPath}.");
        }
    }

    /// <summary>The kubeconfig's context as the file holds it now; the file itself is held by the redactor.</summary>
    private KubeconfigContext? ReadKubeconfig(Configuration.SecretReference kubeconfig)
    {
        var text = _secrets.Use(kubeconfig);
        var errors = new List<string>();
        var folder = kubeconfig.Source == SecretSource.File ? Path.GetDirectoryName(kubeconfig.Location)! : AppContext.BaseDirectory;
        var context = KubeconfigFile.Read(text, folder, _cluster.Context, $"{_cluster.SettingsPath}:Kubeconfig", errors);
        return context ?? throw new ToolCallException($"The kubeconfig of cluster '{_cluster.Name}' can no longer be used: {string.Join(" ", errors)}");
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        if (_authorities.Count == 0)
        {
            return errors == SslPolicyErrors.None;
        }

        // Only the configured authority is trusted, not the system's roots.
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var presented = new X509Certificate2(certificate);
        return custom.Build(presented);
    }

    private static JsonNode? Parse(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(Policies.Text.TextCut.ToChars(text, 2000));
        }
    }

    private static string Describe(HttpRequestException ex) =>
        ex.InnerException is System.Net.Sockets.SocketException socket ? socket.SocketErrorCode switch
        {
            System.Net.Sockets.SocketError.ConnectionRefused => "connection refused",
            System.Net.Sockets.SocketError.TimedOut => "connection timed out",
            System.Net.Sockets.SocketError.HostNotFound => "host not found",
            var other => other.ToString(),
        }
        : ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "host not found",
            HttpRequestError.ConnectionError => "connection failed",
            HttpRequestError.ResponseEnded => "the server closed the connection",
            var other => other.ToString(),
        };
}

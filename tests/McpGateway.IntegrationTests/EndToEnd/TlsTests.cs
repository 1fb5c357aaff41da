using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;
using ModelContextProtocol.Client;

namespace McpGateway.IntegrationTests.EndToEnd;

/// <summary>Streamable HTTP over TLS with a PEM certificate from the configuration.</summary>
public sealed class TlsTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;
    private X509Certificate2 _certificate = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(_environment.Root, "cert.pem"), _certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_environment.Root, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        _environment.WriteConfiguration(anonymous: false, http: new JsonObject { ["Certificate"] = new JsonObject { ["Path"] = "cert.pem", ["KeyPath"] = "key.pem" } });
    }

    public async Task DisposeAsync()
    {
        _certificate.Dispose();
        await _environment.DisposeAsync();
    }

    [Fact]
    public async Task A_client_that_trusts_the_certificate_calls_over_https()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        await using var server = await GatewayServer.StartAsync(_environment, "https://127.0.0.1:0");
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == _certificate.Thumbprint,
        };
        using var http = new HttpClient(handler);
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions
            {
                Endpoint = server.McpEndpoint,
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
            },
            http);

        await using var client = await McpClient.CreateAsync(transport);
        var result = await client.HttpCallAsync("GET", "/api/echo");

        server.McpEndpoint.Scheme.Should().Be("https");
        result.Structured().GetProperty("status").GetInt32().Should().Be(200);
    }

    [Fact]
    public async Task Https_without_a_certificate_is_refused_at_start()
    {
        _environment.WriteConfiguration(anonymous: false);

        var result = await GatewayProcess.RunAsync(["serve", "--http", "https://127.0.0.1:0", "--config", _environment.ConfigPath]);

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("https needs a certificate");
    }
}

using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.EndToEnd;

/// <summary>Host names added under McpGateway:Http:AllowedHosts are answered; others still get 403.</summary>
public sealed class AllowedHostsTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        _environment.WriteConfiguration(anonymous: false, http: new JsonObject { ["AllowedHosts"] = new JsonArray("gateway.internal") });
        _server = await GatewayServer.StartAsync(_environment);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _environment.DisposeAsync();
    }

    [Theory]
    [InlineData("gateway.internal", null, 200)]
    [InlineData("GATEWAY.internal", null, 200)]
    [InlineData("localhost", "http://gateway.internal", 200)]
    [InlineData("other.internal", null, 403)]
    [InlineData("gateway.internal", "http://evil.example", 403)]
    public async Task Only_configured_hosts_and_origins_are_answered(string host, string? origin, int status)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.BaseUrl, "healthz"));
        request.Headers.Host = host;
        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        using var response = await http.SendAsync(request);

        ((int)response.StatusCode).Should().Be(status);
    }
}

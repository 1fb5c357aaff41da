using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.EndToEnd;

/// <summary>The optional anonymous identity: only without a credential, only on loopback, never instead of a bad key.</summary>
public sealed class AnonymousAccessTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync(anonymous: true);
        _server = await GatewayServer.StartAsync(_environment);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _environment.DisposeAsync();
    }

    [Fact]
    public void Serving_with_anonymous_access_warns_on_standard_error_naming_the_identity()
    {
        var lines = _server.Log.Split('\n');

        lines.Should().ContainSingle(l => l.StartsWith("warning: anonymous access is on", StringComparison.Ordinal)).Which
            .Should().Contain("as 'anon'").And.Contain("without a credential").And.Contain("loopback");
        lines.Should().ContainSingle(l => l.Contains("listening on http://127.0.0.1:", StringComparison.Ordinal), "the line scripts wait for stays as it was");
    }

    [Fact]
    public async Task A_request_without_a_credential_acts_as_the_anonymous_identity()
    {
        await using var client = await GatewayClients.HttpAsync(_server, null, GatewayClients.Current);

        var read = await client.HttpCallAsync("GET", "/api/echo");
        var write = await client.HttpCallAsync("POST", "/api/echo");

        read.Structured().GetProperty("status").GetInt32().Should().Be(200);
        write.IsError.Should().BeTrue();
        (await _environment.AuditEntriesAsync()).Should().Contain(e => e.Ids.CallId == read.CallId() && e.Ids.Identity == "anon");
    }

    [Fact]
    public async Task A_bad_credential_is_401_never_anonymous()
    {
        var act = () => GatewayClients.HttpAsync(_server, "mgw_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", GatewayClients.Current);

        (await act.Should().ThrowAsync<HttpRequestException>()).Which.StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task On_a_non_loopback_bind_requests_without_a_credential_are_not_anonymous()
    {
        await using var exposed = await GatewayServer.StartAsync(_environment, "http://0.0.0.0:0", "--insecure-bind");
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{exposed.BaseUrl.Port}/mcp"))
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Host = "0.0.0.0";
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await http.SendAsync(request);

        ((int)response.StatusCode).Should().Be(401, "the anonymous identity is for loopback binds only");
        exposed.Log.Should().Contain("warning: anonymous access is configured (as 'anon') but off: 0.0.0.0 is not a loopback address")
            .And.NotContain("warning: anonymous access is on");
    }

    [Fact]
    public async Task A_non_loopback_bind_without_tls_is_refused()
    {
        var result = await GatewayProcess.RunAsync(["serve", "--http", "http://0.0.0.0:0", "--config", _environment.ConfigPath]);

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("--insecure-bind");
    }
}

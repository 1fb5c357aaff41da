using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.EndToEnd;

/// <summary>One identity cannot push other identities' sessions out: each holds at most its quota.</summary>
public sealed class SessionQuotaTests : IAsyncLifetime
{
    private const int Limit = 3;
    private GatewayEnvironment _environment = null!;
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        _environment.WriteConfiguration(anonymous: false, http: new JsonObject { ["MaxSessionsPerIdentity"] = Limit });
        _server = await GatewayServer.StartAsync(_environment);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _environment.DisposeAsync();
    }

    [Fact]
    public async Task An_identity_over_its_quota_gets_429_and_the_refusal_is_recorded_while_others_keep_their_sessions()
    {
        var flooder = await _environment.CreateKeyAsync("test-agent");
        var other = await _environment.CreateKeyAsync("limited-agent");
        await using var victim = await GatewayClients.HttpAsync(_server, other, GatewayClients.Sessions);

        var opened = new List<string>();
        for (var i = 0; i < Limit; i++)
        {
            var (status, session, _) = await InitializeAsync(flooder);
            status.Should().Be(HttpStatusCode.OK);
            opened.Add(session!);
        }

        var refused = new List<(HttpStatusCode Status, string Body)>();
        for (var i = 0; i < 20; i++)
        {
            var (status, _, body) = await InitializeAsync(flooder);
            refused.Add((status, body));
        }

        var victimCall = await victim.HttpCallAsync("GET", "/api/echo");
        var otherNew = await InitializeAsync(other);

        refused.Should().OnlyContain(r => r.Status == HttpStatusCode.TooManyRequests && r.Body.Contains("already holds 3 open MCP sessions", StringComparison.Ordinal));
        victimCall.IsError.Should().NotBe(true, "another identity's live session is untouched");
        otherNew.Status.Should().Be(HttpStatusCode.OK, "the quota is per identity");
        var entries = await _environment.AuditEntriesAsync();
        entries.Where(e => e.Type == "session.refused").Should().HaveCount(20).And.OnlyContain(e => e.Ids.Identity == "test-agent");
    }

    [Fact]
    public async Task Closing_a_session_gives_its_slot_back()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        var sessions = new List<string>();
        for (var i = 0; i < Limit; i++)
        {
            sessions.Add((await InitializeAsync(key)).Session!);
        }

        (await InitializeAsync(key)).Status.Should().Be(HttpStatusCode.TooManyRequests);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, "mcp");
        delete.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        delete.Headers.Add("Mcp-Session-Id", sessions[0]);
        using var http = new HttpClient { BaseAddress = _server.BaseUrl };
        (await http.SendAsync(delete)).IsSuccessStatusCode.Should().BeTrue();

        var again = HttpStatusCode.TooManyRequests;
        for (var i = 0; i < 40 && again != HttpStatusCode.OK; i++)
        {
            again = (await InitializeAsync(key)).Status;
            await Task.Delay(again == HttpStatusCode.OK ? 0 : 50);
        }

        again.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("mcp/")]
    [InlineData("Mcp/")]
    [InlineData("MCP")]
    public async Task Every_path_that_routes_to_mcp_counts_against_the_same_quota(string path)
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        for (var i = 0; i < Limit; i++)
        {
            (await InitializeAsync(key)).Status.Should().Be(HttpStatusCode.OK);
        }

        var other = await InitializeAsync(key, new Uri(_server.BaseUrl, path));

        other.Status.Should().Be(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Closing_sessions_never_frees_more_slots_than_were_taken()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        var sessions = new List<string>();
        for (var i = 0; i < Limit; i++)
        {
            sessions.Add((await InitializeAsync(key)).Session!);
        }

        using var http = new HttpClient { BaseAddress = _server.BaseUrl };
        foreach (var session in sessions.Take(2).Concat(sessions.Take(2)).Append("no-such-session"))
        {
            using var delete = new HttpRequestMessage(HttpMethod.Delete, "mcp");
            delete.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            delete.Headers.Add("Mcp-Session-Id", session);
            await http.SendAsync(delete);
        }

        await Task.Delay(300);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await InitializeAsync(key)).Status);
        }

        statuses.Should().Equal(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Sessionless_requests_are_not_counted_against_the_quota()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        for (var i = 0; i < Limit; i++)
        {
            (await InitializeAsync(key)).Status.Should().Be(HttpStatusCode.OK);
        }

        await using var current = await GatewayClients.HttpAsync(_server, key, GatewayClients.Current);
        (await current.HttpCallAsync("GET", "/api/echo")).IsError.Should().NotBe(true);
    }

    private async Task<(HttpStatusCode Status, string? Session, string Body)> InitializeAsync(string key, Uri? endpoint = null)
    {
        using var http = new HttpClient();
        using var request = RawMcp.Post(endpoint ?? _server.McpEndpoint, RawMcp.InitializeJson, key);
        using var response = await http.SendAsync(request);
        var session = response.Headers.TryGetValues("Mcp-Session-Id", out var values) ? values.First() : null;
        return (response.StatusCode, session, await response.Content.ReadAsStringAsync());
    }
}

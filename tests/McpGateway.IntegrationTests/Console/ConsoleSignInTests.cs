using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.Console;

/// <summary>
/// Signing in to the console of a real <c>serve --http</c>, with plain HTTP as a browser without
/// scripts sends it: an operator's key opens a session held in an HttpOnly, SameSite=Strict cookie
/// whose id the store keeps only as a hash; an agent's key, a wrong key or a form without its
/// antiforgery token opens nothing; the cookie is no credential for <c>/api</c>; revoking the key,
/// signing out, idling and the absolute limit each end the session; sign-in attempts are
/// rate-limited; every page carries a strict Content-Security-Policy; signing in and out is
/// recorded in the chain.
/// </summary>
public sealed class ConsoleSignInTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;
    private GatewayServer _gateway = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        var config = JsonNode.Parse(File.ReadAllText(_environment.ConfigPath))!;
        config["McpGateway"]!["Console"] = new JsonObject { ["IdleTimeout"] = "3s", ["AbsoluteTimeout"] = "8s", ["SignInAttemptsPerMinute"] = 6 };
        File.WriteAllText(_environment.ConfigPath, config.ToJsonString());
        _gateway = await GatewayServer.StartAsync(_environment);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _environment.DisposeAsync();
    }

    [Fact]
    public async Task An_operator_signs_in_sees_pending_approvals_and_signs_out_and_both_are_recorded()
    {
        var key = await _environment.CreateKeyAsync("approver");
        using var browser = new ConsoleBrowser(_gateway.BaseUrl);

        var (status, response) = await browser.SignInAsync(key);
        status.Should().Be(HttpStatusCode.Redirect);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("mcpgw-console=", StringComparison.Ordinal));
        cookie.Should().Contain("httponly").And.Contain("samesite=strict").And.Contain("path=/console");
        var home = await browser.GetAsync("/console/");
        home.StatusCode.Should().Be(HttpStatusCode.OK);
        var page = await home.Content.ReadAsStringAsync();
        page.Should().Contain("Signed in as <strong>approver</strong>").And.Contain("Pending approvals");
        home.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("default-src 'none'").And.Contain("frame-ancestors 'none'");
        page.Should().NotContain("<script", "the console works without scripts").And.NotContain("http://", "no asset from anywhere else").And.NotContain("https://");

        // Only the hash of the session id is in the store.
        var sessionId = Regex.Match(cookie, "mcpgw-console=([^;]+)").Groups[1].Value;
        sessionId.Length.Should().BeGreaterThanOrEqualTo(43, "256 random bits");
        File.ReadAllBytes(Path.Combine(_environment.DataDirectory, "gateway.db")).AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(sessionId)).Should().Be(-1);

        var signOut = await browser.PostFormAsync("/console/sign-out", "/console/", []);
        signOut.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await browser.GetAsync("/console/")).Headers.Location!.ToString().Should().Be("/console/sign-in", "the session ended with signing out");

        // The old cookie, presented again, opens nothing.
        using var replay = new ConsoleBrowser(_gateway.BaseUrl);
        replay.Cookies.Add(new Uri(_gateway.BaseUrl, "/console/"), new Cookie("mcpgw-console", sessionId, "/console"));
        (await replay.GetAsync("/console/")).StatusCode.Should().Be(HttpStatusCode.Redirect);

        var entries = await _environment.AuditEntriesAsync();
        entries.Should().ContainSingle(e => e.Type == "console.signed_in" && e.Ids.Identity == "approver");
        entries.Should().ContainSingle(e => e.Type == "console.signed_out" && e.Ids.Identity == "approver");
        entries.Should().NotContain(e => e.Payload != null && e.Payload.Contains(sessionId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_agents_key_a_wrong_key_and_a_form_without_its_antiforgery_token_open_no_session()
    {
        var agentKey = await _environment.CreateKeyAsync("test-agent");
        var operatorKey = await _environment.CreateKeyAsync("approver");
        using var browser = new ConsoleBrowser(_gateway.BaseUrl);

        var (agentStatus, agentResponse) = await browser.SignInAsync(agentKey);
        agentStatus.Should().Be(HttpStatusCode.Unauthorized);
        (await agentResponse.Content.ReadAsStringAsync()).Should().Contain("neither the operator nor the auditor role");
        (await browser.SignInAsync("mgw_notakey")).Status.Should().Be(HttpStatusCode.Unauthorized);

        // A forged form: the right key, no antiforgery token (as a cross-site page would post it).
        using var forged = new ConsoleBrowser(_gateway.BaseUrl);
        var noToken = await forged.PostRawFormAsync("/console/sign-in", [new("key", operatorKey)]);
        noToken.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        noToken.Headers.Contains("Set-Cookie").Should().BeFalse();

        (await _environment.AuditEntriesAsync()).Should().NotContain(e => e.Type == "console.signed_in");
    }

    [Fact]
    public async Task The_console_cookie_is_no_credential_for_the_api_and_a_revoked_key_ends_the_session()
    {
        var key = await _environment.CreateKeyAsync("approver");
        using var browser = new ConsoleBrowser(_gateway.BaseUrl);
        (await browser.SignInAsync(key)).Status.Should().Be(HttpStatusCode.Redirect);
        var sessionId = browser.Cookies.GetCookies(new Uri(_gateway.BaseUrl, "/console/"))["mcpgw-console"]!.Value;

        using (var api = new HttpRequestMessage(HttpMethod.Get, new Uri(_gateway.BaseUrl, "api/approvals")))
        {
            api.Headers.Add("Cookie", $"mcpgw-console={sessionId}");
            using var plain = new HttpClient();
            (await plain.SendAsync(api)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "/api accepts bearer credentials only");
        }

        (await browser.GetAsync("/console/")).StatusCode.Should().Be(HttpStatusCode.OK);
        await _environment.RevokeKeyAsync(key);
        (await browser.GetAsync("/console/")).Headers.Location!.ToString().Should().Be("/console/sign-in", "the key is re-checked on every request");
    }

    [Fact]
    public async Task A_session_ends_when_idle_and_at_its_absolute_limit_even_when_active()
    {
        var key = await _environment.CreateKeyAsync("auditor");
        using var idle = new ConsoleBrowser(_gateway.BaseUrl);
        (await idle.SignInAsync(key)).Status.Should().Be(HttpStatusCode.Redirect);
        await Task.Delay(TimeSpan.FromSeconds(4));
        (await idle.GetAsync("/console/")).StatusCode.Should().Be(HttpStatusCode.Redirect, "idle for longer than the idle timeout");

        using var active = new ConsoleBrowser(_gateway.BaseUrl);
        (await active.SignInAsync(key)).Status.Should().Be(HttpStatusCode.Redirect);
        var started = DateTimeOffset.UtcNow;
        while (DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(7))
        {
            (await active.GetAsync("/console/")).StatusCode.Should().Be(HttpStatusCode.OK, "active within the absolute limit");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        (await active.GetAsync("/console/")).StatusCode.Should().Be(HttpStatusCode.Redirect, "past the absolute limit, however active");
    }

    [Fact]
    public async Task Sign_in_attempts_are_rate_limited_per_address()
    {
        using var browser = new ConsoleBrowser(_gateway.BaseUrl);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add((await browser.SignInAsync($"mgw_guess{i}")).Status);
        }

        statuses.Take(6).Should().AllSatisfy(s => s.Should().Be(HttpStatusCode.Unauthorized));
        statuses.Skip(6).Should().AllSatisfy(s => s.Should().Be(HttpStatusCode.TooManyRequests));
    }
}

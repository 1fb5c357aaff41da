using System.Net;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Approvals;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.Console;

/// <summary>
/// Deciding approvals in the console of a real <c>serve --http</c>, with forms as a browser
/// without scripts posts them: an agent's call waits, an operator opens the request (the unmasked
/// request is shown to them and the viewing recorded), approves it with a reason, and the agent
/// gets its result; another is denied with a reason. The agent's owner sees no buttons and a
/// forged post of theirs decides nothing; an auditor may not open or decide requests; a post
/// without its antiforgery token is refused.
/// </summary>
public sealed class ConsoleApprovalTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;
    private GatewayServer _gateway = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        _environment.WriteConfiguration(false, timings: ApprovalFixture.Timings, approvals: new JsonObject { ["Wait"] = "30s", ["WaitWithoutProgress"] = "30s" });
        _gateway = await GatewayServer.StartAsync(_environment);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _environment.DisposeAsync();
    }

    [Fact]
    public async Task An_operator_approves_and_denies_waiting_calls_from_the_console_and_nobody_else_can()
    {
        await using var agent = await GatewayClients.HttpAsync(_gateway, await _environment.CreateKeyAsync("test-agent"), GatewayClients.Current);
        var waiting = agent.HttpCallAsync("POST", "/api/echo/console-approval", body: """{"amount":42}""");

        using var approver = new ConsoleBrowser(_gateway.BaseUrl);
        (await approver.SignInAsync(await _environment.CreateKeyAsync("approver"))).Status.Should().Be(HttpStatusCode.Redirect);
        var id = await PendingIdAsync(approver);
        var page = await (await approver.GetAsync($"/console/approvals/{id}")).Content.ReadAsStringAsync();
        page.Should().Contain("/api/echo/console-approval").And.Contain("amount").And.Contain("value=\"approve\"").And.Contain("value=\"deny\"");
        (await _environment.AuditEntriesAsync()).Should().Contain(e => e.Type == "unmasked.viewed" && e.Ids.ApprovalId == id && e.Ids.Identity == "approver");

        // The agent's owner: no buttons, and a forged post decides nothing.
        using var owner = new ConsoleBrowser(_gateway.BaseUrl);
        (await owner.SignInAsync(await _environment.CreateKeyAsync("agent-owner"))).Status.Should().Be(HttpStatusCode.Redirect);
        var ownerPage = await (await owner.GetAsync($"/console/approvals/{id}")).Content.ReadAsStringAsync();
        ownerPage.Should().Contain("You cannot decide this request").And.NotContain("value=\"approve\"");
        var forged = await owner.PostFormAsync($"/console/approvals/{id}/decide", "/console/", [new("decision", "approve")]);
        ((int)forged.StatusCode).Should().BeInRange(400, 499);
        (await forged.Content.ReadAsStringAsync()).Should().Contain("owner");

        // An auditor may neither open nor decide; a post without its antiforgery token is refused.
        using var auditor = new ConsoleBrowser(_gateway.BaseUrl);
        (await auditor.SignInAsync(await _environment.CreateKeyAsync("auditor"))).Status.Should().Be(HttpStatusCode.Redirect);
        (await auditor.GetAsync($"/console/approvals/{id}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await auditor.PostFormAsync($"/console/approvals/{id}/decide", "/console/", [new("decision", "approve")])).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await approver.PostRawFormAsync($"/console/approvals/{id}/decide", [new("decision", "approve")])).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _environment.AuditEntriesAsync()).Should().NotContain(e => e.Type == "approval.decided", "nothing above decided anything");

        var approved = await approver.PostFormAsync($"/console/approvals/{id}/decide", $"/console/approvals/{id}", [new("decision", "approve"), new("reason", "checked with billing")]);
        approved.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var result = await waiting;
        result.IsError.Should().NotBe(true, result.Text());
        var decided = (await _environment.AuditEntriesAsync()).Single(e => e.Type == "approval.decided" && e.Ids.ApprovalId == id);
        decided.Ids.Identity.Should().Be("approver");
        decided.Payload.Should().Contain("checked with billing");
        (await (await approver.GetAsync($"/console/approvals/{id}")).Content.ReadAsStringAsync()).Should().Contain("Decided by").And.Contain("approver").And.NotContain("value=\"approve\"");

        // Denied with a reason: the agent is told why.
        var second = agent.HttpCallAsync("POST", "/api/echo/console-denial", body: "{}");
        var secondId = await PendingIdAsync(approver, "/api/echo/console-denial");
        (await approver.PostFormAsync($"/console/approvals/{secondId}/decide", $"/console/approvals/{secondId}", [new("decision", "deny"), new("reason", "not during the freeze")])).StatusCode.Should().Be(HttpStatusCode.Redirect);
        var denied = await second;
        denied.IsError.Should().BeTrue();
        denied.Text().Should().Contain("not during the freeze");
        _environment.Service.Requests.Should().NotContain(r => r.Target == "/api/echo/console-denial");
    }

    /// <summary>Waits until the console's home lists a pending request whose page names <paramref name="marker"/>, and returns its id.</summary>
    private static async Task<string> PendingIdAsync(ConsoleBrowser browser, string marker = "/api/echo/console-approval")
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var home = await (await browser.GetAsync("/console/")).Content.ReadAsStringAsync();
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"No pending request naming {marker} appeared on the console's home: {home}");
            }

            foreach (System.Text.RegularExpressions.Match link in System.Text.RegularExpressions.Regex.Matches(home, "href=\"/console/approvals/([^\"]+)\""))
            {
                var id = link.Groups[1].Value;
                if ((await (await browser.GetAsync($"/console/approvals/{id}")).Content.ReadAsStringAsync()).Contains(marker, StringComparison.Ordinal))
                {
                    return id;
                }
            }

            await Task.Delay(200);
        }
    }
}

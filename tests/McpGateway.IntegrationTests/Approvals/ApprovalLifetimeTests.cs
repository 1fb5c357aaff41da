using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.Approvals;

/// <summary>
/// Approvals across time and processes: expiry, the execution window, the pending cap, restarts,
/// a decision taken by another process, a reconfigured target, a revoked requester — each with its
/// own gateway, since each changes what the gateway holds.
/// </summary>
public sealed class ApprovalLifetimeTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await GatewayEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task A_pending_request_expires_and_can_then_be_neither_approved_nor_collected()
    {
        Configure(new JsonObject { ["Expiry"] = "2s", ["WaitWithoutProgress"] = "300ms" });
        await using var server = await GatewayServer.StartAsync(_environment);
        await using var agent = await GatewayClients.HttpAsync(server, await _environment.CreateKeyAsync("test-agent"), GatewayClients.Current);
        using var approver = new OperatorApi(server, await _environment.CreateKeyAsync("approver"));

        var pending = await agent.HttpCallAsync("POST", "/api/echo/expires", body: "{}");
        var id = pending.ApprovalId();
        await WaitUntilAsync(async () => (await approver.GetAsync($"api/approvals/{id}")).Body["status"]?.GetValue<string>() == "expired");
        var approve = await approver.ApproveAsync(id);
        var collected = await agent.ApprovalStatusAsync(id);

        approve.Status.Should().Be(HttpStatusCode.Conflict);
        collected.IsError.Should().BeTrue();
        collected.Text().Should().Contain("expired");
        _environment.Service.Requests.Should().NotContain(r => r.Target == "/api/echo/expires");
        (await _environment.AuditEntriesAsync()).Should().ContainSingle(e => e.Type == "approval.expired" && e.Ids.ApprovalId == id);
    }

    [Fact]
    public async Task An_approved_request_not_collected_within_its_window_expires()
    {
        Configure(new JsonObject { ["ExecuteWithin"] = "1s", ["WaitWithoutProgress"] = "300ms" });
        await using var server = await GatewayServer.StartAsync(_environment);
        await using var agent = await GatewayClients.HttpAsync(server, await _environment.CreateKeyAsync("test-agent"), GatewayClients.Current);
        using var approver = new OperatorApi(server, await _environment.CreateKeyAsync("approver"));

        var id = (await agent.HttpCallAsync("POST", "/api/echo/window", body: "{}")).ApprovalId();
        (await approver.ApproveAsync(id)).Status.Should().Be(HttpStatusCode.OK);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var collected = await agent.ApprovalStatusAsync(id);

        collected.IsError.Should().BeTrue();
        collected.Text().Should().Contain("expired").And.Contain("not run within 1s");
        _environment.Service.Requests.Should().NotContain(r => r.Target == "/api/echo/window");
    }

    [Fact]
    public async Task The_pending_cap_refuses_more_requests_but_an_identical_one_reuses_its_approval()
    {
        Configure(new JsonObject { ["MaxPendingPerIdentity"] = 2, ["WaitWithoutProgress"] = "300ms" });
        await using var server = await GatewayServer.StartAsync(_environment);
        await using var agent = await GatewayClients.HttpAsync(server, await _environment.CreateKeyAsync("test-agent"), GatewayClients.Current);

        var first = await agent.HttpCallAsync("POST", "/api/echo/cap/1", body: "{}");
        var second = await agent.HttpCallAsync("POST", "/api/echo/cap/2", body: "{}");
        var third = await agent.HttpCallAsync("POST", "/api/echo/cap/3", body: "{}");
        var again = await agent.HttpCallAsync("POST", "/api/echo/cap/1", body: "{}");
        await agent.ApprovalStatusAsync(second.ApprovalId(), cancel: true);
        var afterCancel = await agent.HttpCallAsync("POST", "/api/echo/cap/3", body: "{}");

        third.IsError.Should().BeTrue();
        third.Text().Should().Contain("already have 2 approval requests pending");
        again.ApprovalId().Should().Be(first.ApprovalId());
        afterCancel.ApprovalId().Should().StartWith("apr_", "cancelling one made room");
    }

    [Fact]
    public async Task A_decision_after_the_wait_ends_leaves_no_abandoned_call_and_survives_a_restart()
    {
        Configure(new JsonObject { ["Wait"] = "1s", ["WaitWithoutProgress"] = "300ms" }, new JsonObject { ["LeaseMargin"] = "200ms", ["AbandonedSweep"] = "200ms", ["ApprovalPoll"] = "100ms" });
        var agentKey = await _environment.CreateKeyAsync("test-agent");
        var approverKey = await _environment.CreateKeyAsync("approver");
        string id;
        string? requestCall;
        await using (var first = await GatewayServer.StartAsync(_environment))
        {
            await using var agent = await GatewayClients.HttpAsync(first, agentKey, GatewayClients.Current);
            var pending = await agent.HttpCallWithProgressAsync("POST", "/api/echo/restart", new ConcurrentQueue<string>(), body: "{}");
            id = pending.ApprovalId();
            requestCall = pending.CallId();

            // Longer than the call's lease would be without the wait: the sweep must find nothing to mark.
            await Task.Delay(TimeSpan.FromSeconds(3));
        }

        await using var second = await GatewayServer.StartAsync(_environment);
        using var approver = new OperatorApi(second, approverKey);
        await using var again = await GatewayClients.HttpAsync(second, agentKey, GatewayClients.Current);
        (await approver.ApproveAsync(id)).Status.Should().Be(HttpStatusCode.OK, "the request survived the restart");
        var collected = await again.ApprovalStatusAsync(id);
        await Task.Delay(TimeSpan.FromSeconds(1));

        collected.Structured().GetProperty("status").GetInt32().Should().Be(200);
        var chain = await _environment.AuditEntriesAsync();
        chain.Should().NotContain(e => e.Type == "call.abandoned");
        chain.Single(e => e.Type == "call.finished" && e.Ids.CallId == requestCall).Payload.Should().Contain("\"outcome\":\"pending\"");

        var transcript = await GatewayProcess.RunAsync(["audit", "session", chain.Single(e => e.Ids.CallId == requestCall && e.Type == "call.started").Ids.SessionId!, "--config", _environment.ConfigPath]);
        transcript.StandardOutput.Should().Contain("approval.requested").And.Contain("pending");
    }

    [Fact]
    public async Task A_waiting_call_learns_of_a_decision_taken_by_another_process()
    {
        Configure(new JsonObject { ["Wait"] = "30s" });
        var agentKey = await _environment.CreateKeyAsync("test-agent");
        var approverKey = await _environment.CreateKeyAsync("approver");
        await using var agentSide = await GatewayServer.StartAsync(_environment);
        await using var operatorSide = await GatewayServer.StartAsync(_environment);
        await using var agent = await GatewayClients.HttpAsync(agentSide, agentKey, GatewayClients.Current);
        using var approver = new OperatorApi(operatorSide, approverKey);

        var call = agent.HttpCallWithProgressAsync("POST", "/api/echo/other-process", new ConcurrentQueue<string>(), body: "{}");
        var id = await approver.WaitForPendingAsync("/api/echo/other-process");
        (await approver.ApproveAsync(id)).Status.Should().Be(HttpStatusCode.OK);
        var result = await call;

        result.Structured().GetProperty("status").GetInt32().Should().Be(200);
        _environment.Service.Requests.Count(r => r.Target == "/api/echo/other-process").Should().Be(1);
    }

    [Fact]
    public async Task A_target_reconfigured_after_approval_refuses_the_request()
    {
        Configure(new JsonObject { ["WaitWithoutProgress"] = "300ms" });
        await using var server = await GatewayServer.StartAsync(_environment);
        await using var agent = await GatewayClients.HttpAsync(server, await _environment.CreateKeyAsync("test-agent"), GatewayClients.Current);
        using var approver = new OperatorApi(server, await _environment.CreateKeyAsync("approver"));
        var id = (await agent.HttpCallAsync("POST", "/api/echo/moved", body: "{}")).ApprovalId();
        await approver.ApproveAsync(id);

        // The same name now points at another base path of the service.
        Configure(new JsonObject { ["WaitWithoutProgress"] = "300ms" }, serviceUrl: new Uri(_environment.Service.BaseUrl, "elsewhere/").ToString());
        await WaitUntilAsync(async () => (await agent.HttpCallAsync("GET", "/api/echo/probe")).Structured().GetProperty("body").GetString()!.Contains("elsewhere", StringComparison.Ordinal) == false
            && _environment.Service.Requests.Any(r => r.Target.StartsWith("/elsewhere/", StringComparison.Ordinal)));
        var collected = await agent.ApprovalStatusAsync(id);

        collected.IsError.Should().BeTrue();
        collected.Text().Should().Contain("reconfigured");
        _environment.Service.Requests.Should().NotContain(r => r.Target.EndsWith("/api/echo/moved", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_requester_whose_key_was_revoked_cannot_collect()
    {
        Configure(new JsonObject { ["WaitWithoutProgress"] = "300ms" });
        await using var server = await GatewayServer.StartAsync(_environment);
        var agentKey = await _environment.CreateKeyAsync("test-agent");
        using var approver = new OperatorApi(server, await _environment.CreateKeyAsync("approver"));
        string id;
        await using (var agent = await GatewayClients.HttpAsync(server, agentKey, GatewayClients.Current))
        {
            id = (await agent.HttpCallAsync("POST", "/api/echo/revoked", body: "{}")).ApprovalId();
        }

        await approver.ApproveAsync(id);
        await _environment.RevokeKeyAsync(agentKey.Split('_')[1]);
        var connect = () => GatewayClients.HttpAsync(server, agentKey, GatewayClients.Current);

        await connect.Should().ThrowAsync<Exception>("a revoked key is a 401, whatever it wants");
        _environment.Service.Requests.Should().NotContain(r => r.Target == "/api/echo/revoked");
    }

    private void Configure(JsonObject approvals, JsonObject? timings = null, string? serviceUrl = null)
    {
        var merged = ApprovalFixture.Timings;
        foreach (var (name, value) in timings ?? [])
        {
            merged[name] = value?.DeepClone();
        }

        _environment.WriteConfiguration(false, timings: merged, approvals: approvals, serviceUrl: serviceUrl);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            await Task.Delay(100, timeout.Token);
        }
    }
}

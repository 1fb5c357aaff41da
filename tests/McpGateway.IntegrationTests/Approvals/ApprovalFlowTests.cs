using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.Approvals;

/// <summary>
/// Just-in-time approval through a real MCP client and a real operator API: the call pauses, an
/// operator decides, the exact request runs once — and every way around that is refused.
/// </summary>
public sealed class ApprovalFlowTests(ApprovalFixture fixture) : IClassFixture<ApprovalFixture>
{
    [Fact]
    public async Task Approved_while_the_call_waits_it_runs_in_the_same_call_and_the_client_saw_progress()
    {
        await using var agent = await fixture.AgentAsync();
        using var approver = fixture.Operator(fixture.ApproverKey);
        var progress = new ConcurrentQueue<string>();

        var call = agent.HttpCallWithProgressAsync("POST", "/api/echo/wait-approve", progress, body: "{\"amount\":5}", justification: "refund ticket 4411");
        var id = await approver.WaitForPendingAsync("/api/echo/wait-approve");
        var (status, decided) = await approver.ApproveAsync(id);
        var result = await call;

        status.Should().Be(HttpStatusCode.OK, decided.ToJsonString());
        result.IsError.Should().NotBe(true, result.Text());
        result.Structured().GetProperty("status").GetInt32().Should().Be(200);
        result.Structured().GetProperty("body").GetString().Should().Contain("\\\"amount\\\":5");
        progress.Should().NotBeEmpty().And.Contain(m => m.Contains(id, StringComparison.Ordinal) && m.Contains("approvers", StringComparison.Ordinal));
        fixture.Hits("POST", "/api/echo/wait-approve").Should().Be(1);

        var callId = result.CallId();
        var entries = (await fixture.Environment.AuditEntriesAsync()).Where(e => e.Ids.CallId == callId).Select(e => e.Type).ToList();
        entries.Should().Equal("call.started", "approval.requested", "approval.decided", "approval.executed", "call.finished");
        var requested = (await fixture.Environment.AuditEntriesAsync()).Single(e => e.Type == "approval.requested" && e.Ids.ApprovalId == id);
        requested.Payload.Should().Contain("refund ticket 4411", "the justification is shown and recorded");
    }

    [Fact]
    public async Task Approved_after_the_wait_it_is_collected_once_and_a_second_collection_returns_the_stored_result()
    {
        await using var agent = await fixture.AgentAsync();
        using var approver = fixture.Operator(fixture.ApproverKey);

        var pending = await agent.HttpCallAsync("POST", "/api/echo/later", body: "{}");
        var id = pending.ApprovalId();
        (await approver.ApproveAsync(id)).Status.Should().Be(HttpStatusCode.OK);
        fixture.Hits("POST", "/api/echo/later").Should().Be(0, "approval alone runs nothing while no call waits");

        var first = await agent.ApprovalStatusAsync(id);
        var second = await agent.ApprovalStatusAsync(id);

        first.IsError.Should().NotBe(true, first.Text());
        first.Structured().GetProperty("status").GetInt32().Should().Be(200);
        second.Text().Should().Be(first.Text());
        second.CallId().Should().Be(first.CallId()).And.NotBe(pending.CallId(), "the run half is its own call");
        fixture.Hits("POST", "/api/echo/later").Should().Be(1, "collecting twice runs once");

        var chain = await fixture.Environment.AuditEntriesAsync();
        chain.Where(e => e.Ids.CallId == pending.CallId()).Select(e => e.Type).Should().Equal("call.started", "approval.requested", "call.finished", "approval.decided");
        chain.Single(e => e.Type == "call.finished" && e.Ids.CallId == pending.CallId()).Payload.Should().Contain("\"outcome\":\"pending\"");
        chain.Where(e => e.Ids.CallId == first.CallId()).Select(e => e.Type).Should().Equal("call.started", "approval.executed", "call.finished");
        chain.Single(e => e.Type == "call.started" && e.Ids.CallId == first.CallId()).Ids.ApprovalId.Should().Be(id);
    }

    [Fact]
    public async Task A_denied_request_never_runs_and_says_who_denied_it_and_why()
    {
        await using var agent = await fixture.AgentAsync();
        using var approver = fixture.Operator(fixture.ApproverKey);
        var progress = new ConcurrentQueue<string>();

        var call = agent.HttpCallWithProgressAsync("POST", "/api/echo/denied", progress, body: "{}");
        var id = await approver.WaitForPendingAsync("/api/echo/denied");
        (await approver.DenyAsync(id, "amount too high")).Status.Should().Be(HttpStatusCode.OK);
        var result = await call;
        var collected = await agent.ApprovalStatusAsync(id);

        result.IsError.Should().BeTrue();
        result.Text().Should().Contain("Denied by approver").And.Contain("amount too high");
        collected.IsError.Should().BeTrue();
        collected.Text().Should().Contain("Denied by approver");
        fixture.Hits("POST", "/api/echo/denied").Should().Be(0);
        (await approver.ApproveAsync(id)).Status.Should().Be(HttpStatusCode.Conflict, "a denied request cannot be approved after");
    }

    [Fact]
    public async Task Two_approvers_are_needed_when_the_rule_says_so_and_each_vote_is_its_own_entry()
    {
        await using var agent = await fixture.AgentAsync();
        using var first = fixture.Operator(fixture.ApproverKey);
        using var second = fixture.Operator(fixture.Approver2Key);

        var pending = await agent.HttpCallAsync("DELETE", "/api/echo/quorum");
        var id = pending.ApprovalId();
        var (_, afterOne) = await first.ApproveAsync(id);
        var again = await first.ApproveAsync(id);
        var stillPending = await agent.ApprovalStatusAsync(id);
        var (_, afterTwo) = await second.ApproveAsync(id);
        var result = await agent.ApprovalStatusAsync(id);

        afterOne["status"]!.GetValue<string>().Should().Be("pending", "one approval of two");
        again.Status.Should().Be(HttpStatusCode.Conflict, "an approver votes once");
        stillPending.Text().Should().Contain("2 operators in approvers");
        afterTwo["status"]!.GetValue<string>().Should().Be("approved");
        result.Structured().GetProperty("status").GetInt32().Should().Be(200);
        fixture.Hits("DELETE", "/api/echo/quorum").Should().Be(1);
        (await fixture.Environment.AuditEntriesAsync()).Count(e => e.Type == "approval.decided" && e.Ids.ApprovalId == id).Should().Be(2);
    }

    [Fact]
    public async Task Nobody_approves_their_own_agent_and_only_qualified_operators_decide()
    {
        await using var agent = await fixture.AgentAsync();
        var pending = await agent.HttpCallAsync("POST", "/api/echo/who-decides", body: "{}");
        var id = pending.ApprovalId();

        using var owner = fixture.Operator(fixture.OwnerKey);
        using var outsider = fixture.Operator(fixture.OutsideOperatorKey);
        using var requester = fixture.Operator(fixture.AgentKey);
        using var approvingAgent = fixture.Operator(fixture.ApprovingAgentKey);

        var byOwner = await owner.ApproveAsync(id);
        var byOutsider = await outsider.ApproveAsync(id);
        var byRequester = await requester.ApproveAsync(id);
        var byAgentInGroup = await approvingAgent.ApproveAsync(id);
        var listByAgent = await requester.GetAsync("api/approvals");

        byOwner.Status.Should().Be(HttpStatusCode.Forbidden);
        byOwner.Body["detail"]!.GetValue<string>().Should().Contain("owner");
        byOutsider.Status.Should().Be(HttpStatusCode.Forbidden);
        byOutsider.Body["detail"]!.GetValue<string>().Should().Contain("none of the approver groups");
        byRequester.Status.Should().Be(HttpStatusCode.Forbidden, "an agent's key never reaches the operator API");
        byRequester.Body["detail"]!.GetValue<string>().Should().Contain("operator");
        byAgentInGroup.Status.Should().Be(HttpStatusCode.Forbidden, "being in the group is not enough without the operator role");
        listByAgent.Status.Should().Be(HttpStatusCode.Forbidden);
        (await agent.ApprovalStatusAsync(id)).Text().Should().Contain("did not run yet");
        (await fixture.Environment.AuditEntriesAsync()).Should().NotContain(e => e.Type == "approval.decided" && e.Ids.ApprovalId == id);
    }

    [Fact]
    public async Task Only_an_operator_who_may_decide_sees_the_unmasked_request_and_seeing_it_is_recorded()
    {
        await using var agent = await fixture.AgentAsync();
        var pending = await agent.HttpCallAsync("POST", "/api/echo/unmasked", body: "{\"card\":\"4111\"}");
        var id = pending.ApprovalId();
        using var approver = fixture.Operator(fixture.ApproverKey);
        using var outsider = fixture.Operator(fixture.OutsideOperatorKey);

        var (okStatus, shown) = await approver.GetAsync($"api/approvals/{id}");
        var (_, masked) = await outsider.GetAsync($"api/approvals/{id}");
        var (missingStatus, missing) = await approver.GetAsync("api/approvals/apr_000000000000000000000000");

        okStatus.Should().Be(HttpStatusCode.OK);
        shown["mayDecide"]!.GetValue<bool>().Should().BeTrue();
        shown["request"]!["arguments"]!["body"]!.GetValue<string>().Should().Contain("4111");
        shown["request"]!["preview"]!["detail"]!["method"]!.GetValue<string>().Should().Be("POST");
        shown["approvers"]![0]!["rule"]!.GetValue<string>().Should().Be("agent-writes-need-approval");
        masked["mayDecide"]!.GetValue<bool>().Should().BeFalse();
        masked["request"]!["masked"]!.GetValue<bool>().Should().BeTrue();
        masked["request"]!["preview"].Should().BeNull();
        missingStatus.Should().Be(HttpStatusCode.NotFound);
        missing["detail"]!.GetValue<string>().Should().Contain("no approval");
        (await fixture.Environment.AuditEntriesAsync()).Should().ContainSingle(e => e.Type == "unmasked.viewed" && e.Ids.ApprovalId == id && e.Ids.Identity == "approver");
    }

    [Fact]
    public async Task Someone_elses_approval_cannot_be_collected_or_cancelled()
    {
        await using var agent = await fixture.AgentAsync();
        await using var other = await fixture.AgentAsync(fixture.OtherAgentKey);
        using var approver = fixture.Operator(fixture.ApproverKey);
        var pending = await agent.HttpCallAsync("POST", "/api/echo/not-yours", body: "{}");
        var id = pending.ApprovalId();
        await approver.ApproveAsync(id);

        var collect = await other.ApprovalStatusAsync(id);
        var cancel = await other.ApprovalStatusAsync(id, cancel: true);

        collect.IsError.Should().BeTrue();
        collect.Text().Should().Contain("no approval").And.Contain("of yours");
        cancel.IsError.Should().BeTrue();
        fixture.Hits("POST", "/api/echo/not-yours").Should().Be(0);
        (await agent.ApprovalStatusAsync(id)).Structured().GetProperty("status").GetInt32().Should().Be(200, "the requester still can");
    }

    [Fact]
    public async Task An_approval_binds_to_the_exact_request_and_an_identical_pending_request_reuses_it()
    {
        await using var agent = await fixture.AgentAsync();
        using var approver = fixture.Operator(fixture.ApproverKey);

        var first = await agent.HttpCallAsync("POST", "/api/echo/bound", body: "{\"amount\":1}");
        var same = await agent.HttpCallAsync("POST", "/api/echo/bound", body: "{\"amount\":1}");
        await approver.ApproveAsync(first.ApprovalId());
        var changed = await agent.HttpCallAsync("POST", "/api/echo/bound", body: "{\"amount\":1000}");

        same.ApprovalId().Should().Be(first.ApprovalId(), "an identical pending request returns the existing approval");
        changed.ApprovalId().Should().NotBe(first.ApprovalId(), "other arguments need their own approval");
        changed.Text().Should().Contain("did not run yet");
        fixture.Hits("POST", "/api/echo/bound").Should().Be(0);
    }

    [Fact]
    public async Task The_requester_can_list_and_cancel_its_own_requests()
    {
        await using var agent = await fixture.AgentAsync();
        using var approver = fixture.Operator(fixture.ApproverKey);
        var pending = await agent.HttpCallAsync("PUT", "/api/echo/cancel-me", body: "{}");
        var id = pending.ApprovalId();

        var list = await agent.ApprovalStatusAsync();
        var cancelled = await agent.ApprovalStatusAsync(id, cancel: true);
        var approve = await approver.ApproveAsync(id);
        var after = await agent.ApprovalStatusAsync(id);

        list.Text().Should().Contain(id).And.Contain("pending");
        cancelled.IsError.Should().NotBe(true, cancelled.Text());
        cancelled.Text().Should().Contain("cancelled");
        approve.Status.Should().Be(HttpStatusCode.Conflict);
        after.Text().Should().Contain("was cancelled by test-agent");
        (await fixture.Environment.AuditEntriesAsync()).Should().ContainSingle(e => e.Type == "approval.cancelled" && e.Ids.ApprovalId == id);
    }

    [Fact]
    public async Task The_requesters_owner_may_cancel_through_the_api_though_not_approve_and_an_unqualified_operator_may_do_neither()
    {
        await using var agent = await fixture.AgentAsync();
        using var owner = fixture.Operator(fixture.OwnerKey);
        using var outsider = fixture.Operator(fixture.OutsideOperatorKey);
        var id = (await agent.HttpCallAsync("PUT", "/api/echo/owner-cancels", body: "{}")).ApprovalId();

        var byOutsider = await outsider.CancelAsync(id, "not mine");
        var byOwner = await owner.CancelAsync(id, "my agent should not do this");

        byOutsider.Status.Should().Be(HttpStatusCode.Forbidden);
        byOwner.Status.Should().Be(HttpStatusCode.OK);
        byOwner.Body["status"]!.GetValue<string>().Should().Be("cancelled");
        byOwner.Body["decidedBy"]!.GetValue<string>().Should().Be("agent-owner");
        (await agent.ApprovalStatusAsync(id)).Text().Should().Contain("cancelled by agent-owner: my agent should not do this");
    }

    [Fact]
    public async Task Concurrent_collections_and_an_approval_execute_the_request_once()
    {
        await using var agent = await fixture.AgentAsync();
        await using var agent2 = await fixture.AgentAsync();
        using var approver = fixture.Operator(fixture.ApproverKey);
        var progress = new ConcurrentQueue<string>();
        var waiting = agent.HttpCallWithProgressAsync("PATCH", "/api/echo/race", progress, body: "{}");
        var id = await approver.WaitForPendingAsync("/api/echo/race");

        var approve = approver.ApproveAsync(id);
        var collections = Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? agent : agent2).ApprovalStatusAsync(id)).ToList();
        await approve;
        var results = await Task.WhenAll(collections);
        var waited = await waiting;
        var final = await agent2.ApprovalStatusAsync(id);

        fixture.Hits("PATCH", "/api/echo/race").Should().Be(1);
        waited.IsError.Should().NotBe(true, waited.Text());
        final.Structured().GetProperty("status").GetInt32().Should().Be(200);
        results.Should().OnlyContain(r => r.IsError != true, "each collection sees pending, or the one stored result");
        (await fixture.Environment.AuditEntriesAsync()).Count(e => e.Type == "approval.executed" && e.Ids.ApprovalId == id).Should().Be(1);
    }

    [Fact]
    public async Task A_bundle_that_now_denies_stops_an_approved_request()
    {
        await using var agent = await fixture.AgentAsync();
        using var approver = fixture.Operator(fixture.ApproverKey);
        var pending = await agent.HttpCallAsync("POST", "/api/echo/policy-changed", body: "{}");
        var id = pending.ApprovalId();
        await approver.ApproveAsync(id);

        var original = await File.ReadAllTextAsync(fixture.Environment.PolicyFile);
        try
        {
            await File.WriteAllTextAsync(fixture.Environment.PolicyFile, original + """

                  - name: freeze-policy-changed
                    when: { tool: http_call, facts: { http.path: /api/echo/policy-changed } }
                    effect: deny
                    reason: a change freeze is on
                """);
            await WaitForReloadAsync(agent, "/api/echo/policy-changed");

            var collected = await agent.ApprovalStatusAsync(id);

            collected.IsError.Should().BeTrue();
            collected.Text().Should().Contain("policy now refuses").And.Contain("change freeze");
            fixture.Hits("POST", "/api/echo/policy-changed").Should().Be(0);
            (await agent.ApprovalStatusAsync(id)).Text().Should().Contain("policy now refuses", "the refusal is final and stored");
        }
        finally
        {
            await File.WriteAllTextAsync(fixture.Environment.PolicyFile, original);
            await WaitForReloadAsync(agent, null);
        }
    }

    [Fact]
    public async Task An_agent_key_cannot_use_the_cli_and_an_operator_decides_from_it_while_the_agent_waits()
    {
        await using var agent = await fixture.AgentAsync();
        var progress = new ConcurrentQueue<string>();
        var call = agent.HttpCallWithProgressAsync("POST", "/api/echo/from-cli", progress, body: "{}");
        using var watcher = fixture.Operator(fixture.ApproverKey);
        var id = await watcher.WaitForPendingAsync("/api/echo/from-cli");
        var url = fixture.Server.BaseUrl.ToString();

        var asAgent = await GatewayProcess.RunAsync(["approvals", "approve", id, "--url", url], new Dictionary<string, string?> { ["MCPGW_OPERATOR_KEY"] = fixture.AgentKey });
        var noKey = await GatewayProcess.RunAsync(["approvals", "list", "--url", url], new Dictionary<string, string?> { ["MCPGW_OPERATOR_KEY"] = null });
        var list = await GatewayProcess.RunAsync(["approvals", "list", "--url", url, "--status", "pending"], new Dictionary<string, string?> { ["MCPGW_OPERATOR_KEY"] = fixture.ApproverKey });
        var show = await GatewayProcess.RunAsync(["approvals", "show", id, "--url", url], new Dictionary<string, string?> { ["MCPGW_OPERATOR_KEY"] = fixture.ApproverKey });
        var approve = await GatewayProcess.RunAsync(["approvals", "approve", id, "--url", url, "--reason", "ok from the cli"], new Dictionary<string, string?> { ["MCPGW_OPERATOR_KEY"] = fixture.ApproverKey });
        var result = await call;

        asAgent.ExitCode.Should().Be(1);
        asAgent.StandardError.Should().Contain("403").And.Contain("operator");
        noKey.ExitCode.Should().Be(2);
        noKey.StandardError.Should().Contain("MCPGW_OPERATOR_KEY");
        list.ExitCode.Should().Be(0, list.StandardError);
        list.StandardOutput.Should().Contain(id).And.Contain("POST loopback/api/echo/from-cli");
        show.StandardOutput.Should().Contain("\"mayDecide\": true");
        approve.ExitCode.Should().Be(0, approve.StandardError);
        approve.StandardOutput.Should().Contain($"Approval {id} is now approved");
        result.Structured().GetProperty("status").GetInt32().Should().Be(200);
    }

    /// <summary>Waits until the gateway has reloaded its bundle (the call's decision changes, or the deny is gone).</summary>
    private static async Task WaitForReloadAsync(ModelContextProtocol.Client.McpClient agent, string? deniedPath)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var probe = await agent.HttpCallAsync("GET", deniedPath ?? "/api/echo/policy-changed");
            var denied = probe.IsError == true && probe.Text().Contains("change freeze", StringComparison.Ordinal);
            if (denied == (deniedPath is not null))
            {
                return;
            }

            await Task.Delay(100, timeout.Token);
        }
    }
}

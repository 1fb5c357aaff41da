using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.Approvals;

/// <summary>
/// The auditors' API on a real <c>serve --http</c>: filtered downloads recorded before they are
/// served, transcripts and verification for auditors only, and operators limited to the entries
/// of approvals they may decide.
/// </summary>
public sealed class AuditApiTests(ApprovalFixture fixture) : IClassFixture<ApprovalFixture>
{
    [Fact]
    public async Task An_auditor_downloads_entries_filtered_by_tool_and_decision_and_the_download_is_recorded()
    {
        await using var agent = await fixture.AgentAsync();
        var pending = await agent.HttpCallAsync("POST", "/api/echo/audit-api", body: "{}");
        var allowed = await agent.HttpCallAsync("GET", "/api/echo/audit-api-read");

        var (status, lines) = await GetLinesAsync(fixture.AuditorKey, "api/audit/entries?tool=http_call&decision=approval");

        status.Should().Be(HttpStatusCode.OK);
        var callIds = lines.Select(l => l["callId"]?.GetValue<string>()).ToList();
        callIds.Should().Contain(pending.CallId()).And.NotContain(allowed.CallId(), "that call was allowed, not sent for approval");
        var recorded = (await fixture.Environment.AuditEntriesAsync()).Last(e => e.Type == "export.downloaded");
        recorded.Ids.Identity.Should().Be("auditor");
        recorded.PayloadJson()!["filter"]!["decision"]!.GetValue<string>().Should().Be("approval");
    }

    [Theory]
    [InlineData("agent")]
    [InlineData("outside-operator")]
    [InlineData("approver")]
    public async Task Nobody_but_an_auditor_reads_the_whole_chain(string who)
    {
        var key = who switch { "agent" => fixture.AgentKey, "outside-operator" => fixture.OutsideOperatorKey, _ => fixture.ApproverKey };
        var before = (await fixture.Environment.AuditEntriesAsync()).Count(e => e.Type == "export.downloaded");

        var (entries, _) = await GetLinesAsync(key, "api/audit/entries");
        var (verify, _) = await GetLinesAsync(key, "api/audit/verify");
        var (anonymous, _) = await GetLinesAsync(null, "api/audit/entries");

        entries.Should().Be(HttpStatusCode.Forbidden);
        verify.Should().Be(HttpStatusCode.Forbidden);
        anonymous.Should().Be(HttpStatusCode.Unauthorized);
        (await fixture.Environment.AuditEntriesAsync()).Count(e => e.Type == "export.downloaded").Should().Be(before, "nothing was served");
    }

    [Fact]
    public async Task An_operator_reads_the_entries_of_an_approval_it_may_decide_and_no_other()
    {
        await using var agent = await fixture.AgentAsync();
        var pending = await agent.HttpCallAsync("POST", "/api/echo/audit-api-operator", body: "{}");
        var approvalId = pending.ApprovalId();

        var (mine, lines) = await GetLinesAsync(fixture.ApproverKey, $"api/audit/entries?approvalId={approvalId}");
        var (outside, _) = await GetLinesAsync(fixture.OutsideOperatorKey, $"api/audit/entries?approvalId={approvalId}");
        var (unknown, _) = await GetLinesAsync(fixture.ApproverKey, "api/audit/entries?approvalId=apr_0000000000000000000000");

        mine.Should().Be(HttpStatusCode.OK);
        lines.Should().NotBeEmpty().And.AllSatisfy(l =>
            (l["approvalId"]?.GetValue<string>() == approvalId || l["callId"]?.GetValue<string>() == pending.CallId()).Should().BeTrue(l.ToJsonString()));
        outside.Should().Be(HttpStatusCode.Forbidden, "that operator is not in the approver group");
        unknown.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_auditor_verifies_the_chain_and_reads_a_sessions_transcript()
    {
        await using var agent = await fixture.AgentAsync();
        var call = await agent.HttpCallAsync("GET", "/api/echo/audit-api-session");
        var session = (await fixture.Environment.AuditEntriesAsync()).First(e => e.Ids.CallId == call.CallId()).Ids.SessionId!;

        var (verifyStatus, verify) = await GetJsonAsync(fixture.AuditorKey, "api/audit/verify");
        var (sessionStatus, transcript) = await GetJsonAsync(fixture.AuditorKey, $"api/audit/sessions/{session}");
        var (missing, _) = await GetJsonAsync(fixture.AuditorKey, "api/audit/sessions/s-none");

        verifyStatus.Should().Be(HttpStatusCode.OK);
        verify["intact"]!.GetValue<bool>().Should().BeTrue(verify.ToJsonString());
        sessionStatus.Should().Be(HttpStatusCode.OK);
        transcript["transcript"]!.AsArray().Select(l => l!.GetValue<string>()).Should().Contain(l => l.Contains(call.CallId()!, StringComparison.Ordinal));
        missing.Should().Be(HttpStatusCode.NotFound);
    }

    private async Task<(HttpStatusCode Status, List<JsonObject> Lines)> GetLinesAsync(string? key, string path)
    {
        using var http = Client(key);
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.IsSuccessStatusCode && path.StartsWith("api/audit/entries", StringComparison.Ordinal)
            ? [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject())]
            : []);
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> GetJsonAsync(string key, string path)
    {
        using var http = Client(key);
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text)!.AsObject() : []);
    }

    private HttpClient Client(string? key)
    {
        var http = new HttpClient { BaseAddress = fixture.Server.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }
}

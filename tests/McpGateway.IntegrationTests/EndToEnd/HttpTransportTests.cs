using System.Text;
using McpGateway.IntegrationTests.Support;
using ModelContextProtocol.Client;

namespace McpGateway.IntegrationTests.EndToEnd;

/// <summary>Governed http_call through a real gateway process and a real MCP client over Streamable HTTP.</summary>
public sealed class HttpTransportTests(HttpGatewayFixture fixture) : IClassFixture<HttpGatewayFixture>
{
    public static TheoryData<string> Versions => new() { GatewayClients.Current, GatewayClients.Sessions };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Tools_are_listed_only_for_identities_that_may_use_them(string version)
    {
        await using var agent = await Connect(fixture.AgentKey, version);
        await using var outsider = await Connect(fixture.OutsiderKey, version);

        var agentTools = await agent.ListToolsAsync();
        var outsiderTools = await outsider.ListToolsAsync();

        agentTools.Select(t => t.Name).Should().Equal(["http_call", "approval_status"], "the agent's writes need approval, so it is offered approval_status too");
        var tool = agentTools[0].ProtocolTool;
        tool.Name.Should().Be("http_call");
        tool.InputSchema.GetProperty("properties").TryGetProperty("justification", out _).Should().BeTrue("every target tool takes an optional justification");
        tool.Description.Should().Contain("loopback");
        tool.OutputSchema.Should().NotBeNull();
        tool.Annotations!.ReadOnlyHint.Should().BeFalse();
        tool.Annotations.DestructiveHint.Should().BeTrue();
        tool.Annotations.IdempotentHint.Should().BeFalse();
        tool.Annotations.OpenWorldHint.Should().BeFalse();
        outsiderTools.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task An_allowed_call_sends_exactly_the_checked_request(string version)
    {
        await using var client = await Connect(fixture.AgentKey, version);

        var result = await client.HttpCallAsync("GET", "/api/./echo/x/../caf%c3%a9?b=2&a=%7e", new { Accept = "application/json" });

        var structured = result.Structured();
        structured.GetProperty("status").GetInt32().Should().Be(200);
        structured.GetProperty("callId").GetString().Should().StartWith("call-").And.Be(result.CallId());
        var echoed = System.Text.Json.JsonDocument.Parse(structured.GetProperty("body").GetString()!).RootElement;
        echoed.GetProperty("rawTarget").GetString().Should().Be("/api/echo/caf%C3%A9?b=2&a=~");
        echoed.GetProperty("headers").GetProperty("accept").GetString().Should().Be("application/json");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task A_denied_call_is_an_error_that_says_why(string version)
    {
        await using var client = await Connect(fixture.AgentKey, version);

        var admin = await client.HttpCallAsync("GET", "/api/admin/users");
        var outside = await client.HttpCallAsync("GET", "/metrics");

        admin.IsError.Should().BeTrue();
        admin.Text().Should().Contain("the admin API is off limits").And.Contain("call id call-");
        outside.IsError.Should().BeTrue();
        outside.Text().Should().Contain("default deny");
    }

    [Theory]
    [InlineData("GET", "/api/echo", """{"Authorization":"Bearer stolen"}""", "Authorization")]
    [InlineData("GET", "/api/echo", """{"X-Forwarded-Host":"evil.example"}""", "X-Forwarded-Host")]
    [InlineData("GET", "/api/echo", """{"X-HTTP-Method-Override":"DELETE"}""", "X-HTTP-Method-Override")]
    [InlineData("GET", "/api/echo", """{"X-Note":"a\r\nAuthorization: Bearer x"}""", "header")]
    [InlineData("GET", "http://169.254.169.254/latest/meta-data", null, "relative to the service")]
    [InlineData("GET", "//evil.example/api/echo", null, "relative to the service")]
    [InlineData("GET", "/api/%2e%2e/admin/users", null, "could not be fully understood")]
    [InlineData("GET", "/api/echo/..%2Fadmin", null, "could not be fully understood")]
    [InlineData("GET", "/api/..;/admin/users", null, "could not be fully understood")]
    [InlineData("GET", "/API/ADMIN/users/", null, "the admin API is off limits")]
    [InlineData("TRACE", "/api/echo", null, "TRACE")]
    public async Task Header_and_url_tricks_are_refused(string method, string path, string? headers, string reason)
    {
        await using var client = await Connect(fixture.AgentKey, GatewayClients.Current);

        var result = await client.HttpCallAsync(method, path, headers is null ? null : System.Text.Json.JsonDocument.Parse(headers).RootElement);

        result.IsError.Should().BeTrue();
        result.Text().Should().Contain(reason);
    }

    [Fact]
    public async Task An_error_result_carries_its_call_id_in_meta_and_at_the_end_of_its_message_as_the_readme_says()
    {
        await using var client = await Connect(fixture.AgentKey, GatewayClients.Current);

        var refused = await client.CallToolAsync("nope", new Dictionary<string, object?>());

        refused.IsError.Should().BeTrue();
        refused.CallId().Should().StartWith("call-");
        refused.Text().Should().StartWith("Refused. There is no tool 'nope'; available tools: http_call, kubectl_apply, run_sql, ssh_exec.").And.EndWith($" (call id {refused.CallId()})");
        var structured = refused.StructuredContent!.Value;
        structured.GetProperty("callId").GetString().Should().Be(refused.CallId());
        structured.GetProperty("error").GetProperty("code").GetString().Should().Be("denied");
        structured.GetProperty("error").GetProperty("rules").EnumerateArray().Select(r => r.GetString()).Should().Equal("builtin:unknown-tool");
        structured.GetProperty("error").GetProperty("message").GetString().Should().StartWith("Refused. There is no tool 'nope'");
    }

    [Fact]
    public void Serving_without_anonymous_access_says_nothing_about_it()
    {
        fixture.Server.Log.Should().Contain("listening on http://127.0.0.1:").And.NotContain("anonymous access");
    }

    [Fact]
    public async Task A_call_needing_approval_without_a_progress_token_answers_pending_within_seconds()
    {
        await using var client = await Connect(fixture.AgentKey, GatewayClients.Current);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var result = await client.HttpCallAsync("POST", "/api/echo", body: "{}");

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15));
        result.IsError.Should().NotBe(true, "waiting for approval is not an error");
        result.Text().Should().StartWith("Approval required").And.Contain("approval_status").And.Contain("an operator in approvers");
        var approval = result.StructuredContent!.Value.GetProperty("approval");
        approval.GetProperty("status").GetString().Should().Be("pending");
        approval.GetProperty("id").GetString().Should().StartWith("apr_");
        fixture.Environment.Service.Requests.Should().NotContain(r => r.Method == "POST" && r.Target.StartsWith("/api/", StringComparison.Ordinal), "nothing runs before approval");
    }

    [Fact]
    public async Task Bad_arguments_are_an_error_naming_the_field()
    {
        await using var client = await Connect(fixture.AgentKey, GatewayClients.Current);

        var result = await client.CallToolAsync("http_call", new Dictionary<string, object?> { ["service"] = "loopback", ["method"] = 42, ["path"] = "api/echo", ["verb"] = "x" });

        result.IsError.Should().BeTrue();
        result.Text().Should().Contain("'method'").And.Contain("'path'").And.Contain("'verb'");
    }

    [Fact]
    public async Task An_unknown_tool_is_an_error_not_a_crash()
    {
        await using var client = await Connect(fixture.AgentKey, GatewayClients.Current);

        var result = await client.CallToolAsync("rm_rf", new Dictionary<string, object?>());

        result.IsError.Should().BeTrue();
        result.Text().Should().Contain("There is no tool 'rm_rf'");
    }

    [Fact]
    public async Task Bodies_over_the_cap_are_truncated_and_redirects_returned_not_followed()
    {
        await using var client = await Connect(fixture.AgentKey, GatewayClients.Current);

        var big = (await client.HttpCallAsync("GET", "/api/big?size=10000")).Structured();
        var redirect = (await client.HttpCallAsync("GET", "/api/redirect")).Structured();

        big.GetProperty("truncated").GetBoolean().Should().BeTrue();
        big.GetProperty("bodyBytes").GetInt64().Should().Be(4096);
        redirect.GetProperty("status").GetInt32().Should().Be(302);
        redirect.GetProperty("headers").GetProperty("location").GetString().Should().Be("http://127.0.0.1:1/elsewhere");
    }

    [Fact]
    public async Task A_slow_service_hits_the_policy_timeout()
    {
        await using var client = await Connect(fixture.AgentKey, GatewayClients.Current);

        var result = await client.HttpCallAsync("GET", "/api/slow?ms=5000");

        result.IsError.Should().BeTrue();
        result.Text().Should().Contain("The http_call on 'loopback' did not finish within 2s (its timeout), so it was cancelled");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Held_secrets_echoed_by_the_service_never_reach_the_agent(string version)
    {
        await using var client = await Connect(fixture.AgentKey, version);

        var result = await client.HttpCallAsync("GET", "/api/leak");

        var everything = result.Text() + result.StructuredContent?.GetRawText();
        everything.Should().Contain("[REDACTED]");
        foreach (var form in SecretForms(GatewayEnvironment.ServiceToken))
        {
            everything.Should().NotContain(form);
        }
    }

    [Fact]
    public async Task A_rate_obligation_refuses_calls_over_the_limit()
    {
        await using var client = await Connect(fixture.LimitedKey, GatewayClients.Current);

        var results = new List<bool>();
        for (var i = 0; i < 5; i++)
        {
            results.Add((await client.HttpCallAsync("GET", "/api/echo")).IsError == true);
        }

        results.Should().Equal(false, false, false, true, true);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-key")]
    [InlineData("mgw_aaaaaaaaaaaaaaaa_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Requests_without_a_valid_key_get_401(string? key)
    {
        var act = () => Connect(key, GatewayClients.Current);

        (await act.Should().ThrowAsync<HttpRequestException>()).Which.StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData(GatewayClients.Current)]
    [InlineData(GatewayClients.Sessions)]
    public async Task An_operator_key_is_refused_at_mcp_with_403(string version)
    {
        var key = await fixture.Environment.CreateKeyAsync("approver");

        var act = () => Connect(key, version);

        (await act.Should().ThrowAsync<HttpRequestException>()).Which.StatusCode.Should().Be(System.Net.HttpStatusCode.Forbidden);
        using var http = new HttpClient();
        using var request = RawMcp.Post(fixture.Server.McpEndpoint, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", key, protocolVersion: GatewayClients.Current);
        using var response = await http.SendAsync(request);
        (await response.Content.ReadAsStringAsync()).Should().Contain("does not hold the 'agent' role");
    }

    [Fact]
    public async Task A_revoked_key_is_refused_on_its_next_request()
    {
        var key = await fixture.Environment.CreateKeyAsync("test-agent");
        await using var client = await Connect(key, GatewayClients.Current);
        (await client.HttpCallAsync("GET", "/api/echo")).IsError.Should().NotBe(true);

        await fixture.Environment.RevokeKeyAsync(key);
        var act = () => client.HttpCallAsync("GET", "/api/echo");

        await act.Should().ThrowAsync<Exception>();
        var again = () => Connect(key, GatewayClients.Current);
        (await again.Should().ThrowAsync<HttpRequestException>()).Which.StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("Host", "evil.example")]
    [InlineData("Host", "127.0.0.1.nip.example")]
    [InlineData("Origin", "http://evil.example")]
    [InlineData("Origin", "null")]
    public async Task Foreign_hosts_and_origins_are_refused_with_403(string header, string value)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Server.McpEndpoint)
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + fixture.AgentKey);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (header == "Host")
        {
            request.Headers.Host = value;
        }
        else
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await http.SendAsync(request);

        ((int)response.StatusCode).Should().Be(403);
    }

    [Fact]
    public async Task An_oversized_request_is_refused_before_it_is_read()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Server.McpEndpoint)
        {
            Content = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"http_call\",\"arguments\":{\"body\":\"" + new string('x', 5 * 1024 * 1024) + "\"}}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + fixture.AgentKey);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");

        // Wait for the server's verdict before sending the body, so the refusal is read, not raced.
        request.Headers.ExpectContinue = true;
        using var response = await http.SendAsync(request);

        ((int)response.StatusCode).Should().Be(413);
    }

    [Fact]
    public async Task Health_is_served_without_a_key()
    {
        using var http = new HttpClient();

        var body = await http.GetStringAsync(new Uri(fixture.Server.BaseUrl, "healthz"));

        body.Should().Contain("\"status\":\"ok\"").And.Contain("\"revision\"");
    }

    [Fact]
    public async Task Every_call_is_in_the_chain_and_the_chain_verifies()
    {
        await using var client = await Connect(fixture.AgentKey, GatewayClients.Sessions);
        var allowed = await client.HttpCallAsync("GET", "/api/echo");
        var denied = await client.HttpCallAsync("GET", "/api/admin");

        var entries = await fixture.Environment.AuditEntriesAsync();
        var verify = await GatewayProcess.RunAsync(["audit", "verify", "--config", fixture.Environment.ConfigPath]);

        entries.Where(e => e.Ids.CallId == allowed.CallId()).Select(e => e.Type).Should().Equal("call.started", "call.finished");
        entries.Where(e => e.Ids.CallId == denied.CallId()).Select(e => e.Type).Should().Equal("call.refused");
        var started = entries.Single(e => e.Ids.CallId == allowed.CallId() && e.Type == "call.started");
        started.Ids.Identity.Should().Be("test-agent");
        started.Ids.SessionId.Should().NotBeNullOrEmpty();
        started.Lease.Should().NotBeNull();
        started.Payload.Should().Contain("\"e2e-tests\"").And.Contain("requestHmac");
        verify.ExitCode.Should().Be(0, verify.StandardOutput + verify.StandardError);
    }

    [Fact]
    public async Task The_chain_exports_as_ocsf_api_activity_events()
    {
        await using var client = await Connect(fixture.AgentKey, GatewayClients.Current);
        var read = await client.HttpCallAsync("GET", "/api/echo/ocsf");
        var refused = await client.HttpCallAsync("DELETE", "/api/admin/users");

        var export = await GatewayProcess.RunAsync(["audit", "export", "--format", "ocsf", "--identity", "test-agent", "--config", fixture.Environment.ConfigPath]);

        export.ExitCode.Should().Be(0, export.StandardError);
        var events = export.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        var started = events.Single(e => e.GetProperty("api").GetProperty("request").GetProperty("uid").GetString() == read.CallId() && e.GetProperty("unmapped").GetProperty("type").GetString() == "call.started");
        started.GetProperty("class_uid").GetInt32().Should().Be(6003);
        started.GetProperty("activity_id").GetInt32().Should().Be(2);
        started.GetProperty("type_uid").GetInt32().Should().Be(600302);
        started.GetProperty("status").GetString().Should().Be("Success");
        started.GetProperty("actor").GetProperty("user").GetProperty("name").GetString().Should().Be("test-agent");
        started.GetProperty("api").GetProperty("operation").GetString().Should().Be("http_call");
        started.GetProperty("metadata").GetProperty("uid").GetString().Should().HaveLength(64);
        var denied = events.Single(e => e.GetProperty("api").GetProperty("request").GetProperty("uid").GetString() == refused.CallId());
        denied.GetProperty("activity_id").GetInt32().Should().Be(4);
        denied.GetProperty("status_id").GetInt32().Should().Be(2);
        denied.GetProperty("severity_id").GetInt32().Should().Be(3);
    }

    [Fact]
    public async Task Session_less_calls_are_recorded_under_the_documented_derived_session_id()
    {
        await using var current = await Connect(fixture.AgentKey, GatewayClients.Current);
        await using var sessions = await Connect(fixture.AgentKey, GatewayClients.Sessions);
        var derived = await current.HttpCallAsync("GET", "/api/echo/derived");
        var session = await sessions.HttpCallAsync("GET", "/api/echo/session");

        var entries = await fixture.Environment.AuditEntriesAsync();

        entries.Single(e => e.Ids.CallId == derived.CallId() && e.Type == "call.started").Ids.SessionId
            .Should().Be(McpGateway.Pipeline.SessionIds.Derived("test-agent", "e2e-tests", "1.0.0"));
        entries.Single(e => e.Ids.CallId == session.CallId() && e.Type == "call.started").Ids.SessionId
            .Should().Be(sessions.SessionId, "an HTTP session is recorded under its Mcp-Session-Id");
    }

    private Task<McpClient> Connect(string? key, string version) => GatewayClients.HttpAsync(fixture.Server, key, version);

    internal static IEnumerable<string> SecretForms(string secret)
    {
        yield return secret;
        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));
        yield return Uri.EscapeDataString(secret);
        yield return System.Text.Json.JsonSerializer.Serialize(secret).Trim('"');
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.Oidc;

/// <summary>
/// JWT bearer tokens from identity providers, against a real <c>serve --http</c> and two real
/// OIDC issuers on loopback (discovery, JWKS, RSA and EC signatures): a mapped subject is its
/// configured identity and gets its policies; another subject is a pseudonym whose provider
/// groups map to gateway groups; every forged, misdirected or stale token is a 401 that names the
/// RFC 9728 metadata; operator rights need the operator scope; a person cannot approve their own
/// agent's call under their token; the caller's token never reaches a backend.
/// </summary>
public sealed class OidcTests : IAsyncLifetime
{
    private const string Resource = "https://gateway.test/mcp";

    private GatewayEnvironment _environment = null!;
    private TestIdentityProvider _corp = null!;
    private TestIdentityProvider _rotating = null!;
    private TestIdentityProvider _stranger = null!;
    private GatewayServer _gateway = null!;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        _corp = await TestIdentityProvider.StartAsync();
        _rotating = await TestIdentityProvider.StartAsync();
        _stranger = await TestIdentityProvider.StartAsync();
        var config = JsonNode.Parse(File.ReadAllText(_environment.ConfigPath))!;
        var gateway = config["McpGateway"]!;
        gateway["Groups"]!["analysts"] = new JsonObject { ["ProviderGroupId"] = "grp-analysts" };
        gateway["Identities"]!["test-agent"]!["Oidc"] = new JsonObject { ["Issuer"] = "corp", ["Subject"] = "agent-sub" };
        gateway["Identities"]!["agent-owner"]!["Oidc"] = new JsonObject { ["Issuer"] = "corp", ["Subject"] = "alice-sub" };
        gateway["Identities"]!["approver"]!["Oidc"] = new JsonObject { ["Issuer"] = "corp", ["Subject"] = "approver-sub" };
        gateway["Identities"]!["auditor"]!["Oidc"] = new JsonObject { ["Issuer"] = "corp", ["Subject"] = "auditor-sub" };
        gateway["Oidc"] = new JsonObject
        {
            ["Resource"] = Resource,
            ["Issuers"] = new JsonObject
            {
                ["corp"] = new JsonObject { ["Issuer"] = _corp.Issuer, ["AgentGroups"] = new JsonArray("grp-analysts") },
                ["rotating"] = new JsonObject { ["Issuer"] = _rotating.Issuer, ["KeyRefresh"] = "0s", ["AgentRoles"] = new JsonArray("mcp.agent") },
            },
        };
        File.WriteAllText(_environment.ConfigPath, config.ToJsonString());
        File.AppendAllText(_environment.PolicyFile, """

              - name: analysts-read-reports
                when: { groups: [analysts], tool: http_call, connection: loopback, facts: { http.method: GET, http.path: { glob: "/api/reports/**" } } }
                effect: allow
              - name: exports-only-through-the-reports-app
                when: { identity: test-agent, client: [reports-app], tool: http_call, connection: loopback, facts: { http.method: GET, http.path: { glob: "/exports/**" } } }
                effect: allow
            """);
        _gateway = await GatewayServer.StartAsync(_environment);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _corp.DisposeAsync();
        await _rotating.DisposeAsync();
        await _stranger.DisposeAsync();
        await _environment.DisposeAsync();
    }

    [Fact]
    public async Task A_mapped_subject_is_its_configured_agent_with_its_policies_and_its_token_never_reaches_the_backend()
    {
        var token = _corp.Token("agent-sub", Resource, new Dictionary<string, object?> { ["azp"] = "billing-bot-app" });
        await using var agent = await GatewayClients.HttpAsync(_gateway, token, GatewayClients.Current);

        var allowed = await agent.HttpCallAsync("GET", "/api/echo/by-token");
        var denied = await agent.HttpCallAsync("GET", "/api/admin/users");

        allowed.IsError.Should().NotBe(true, allowed.Text());
        denied.IsError.Should().BeTrue("test-agent's policies apply to its token as to its key");
        var received = _environment.Service.Requests.Single(r => r.Target == "/api/echo/by-token");
        received.Headers.Values.Should().NotContain(v => v.Contains(token, StringComparison.Ordinal), "the caller's token is never passed to a backend");
        received.Headers.Single(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)).Value.Should().Be($"Bearer {GatewayEnvironment.ServiceToken}", "the backend gets the gateway's credential, not the caller's");

        var started = (await _environment.AuditEntriesAsync()).Single(e => e.Type == "call.started" && e.Payload!.Contains("/api/echo/by-token", StringComparison.Ordinal));
        started.Ids.Identity.Should().Be("test-agent");
        var client = JsonNode.Parse(started.Payload!)!["client"]!["oidc"]!;
        client["issuer"]!.GetValue<string>().Should().Be("corp");
        client["subject"]!.GetValue<string>().Should().Be("agent-sub");
        client["application"]!.GetValue<string>().Should().Be("billing-bot-app", "the agent application is recorded with every call");
        (await _environment.AuditEntriesAsync()).Should().NotContain(e => e.Payload != null && e.Payload.Contains(token, StringComparison.Ordinal), "no token in the chain");
    }

    [Fact]
    public async Task Another_subject_is_a_pseudonymous_agent_whose_provider_groups_map_to_gateway_groups_and_their_policies()
    {
        var token = _corp.Token("someone-new", Resource, new Dictionary<string, object?> { ["groups"] = new[] { "grp-analysts", "grp-unknown" } });
        await using var agent = await GatewayClients.HttpAsync(_gateway, token, GatewayClients.Current);

        var reports = await agent.HttpCallAsync("GET", "/api/reports/q3");
        var echo = await agent.HttpCallAsync("GET", "/api/echo/not-for-analysts");

        reports.IsError.Should().NotBe(true, reports.Text());
        echo.IsError.Should().BeTrue("the pseudonym holds only what its groups are allowed");
        var started = (await _environment.AuditEntriesAsync()).First(e => e.Type == "call.started" && e.Payload!.Contains("/api/reports/q3", StringComparison.Ordinal));
        started.Ids.Identity.Should().MatchRegex("^oidc:corp:[0-9a-f]{32}$").And.NotContain("someone-new", "the header carries the pseudonym, the subject stays in the purgeable payload");

        // Without an agent group (or role) a pseudonym is no agent at all.
        var (status, _, _) = await InitializeAsync(_corp.Token("no-groups", Resource));
        status.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_client_rule_applies_only_to_the_agent_application_it_names()
    {
        await using var throughReports = await GatewayClients.HttpAsync(_gateway, _corp.Token("agent-sub", Resource, new Dictionary<string, object?> { ["azp"] = "reports-app" }), GatewayClients.Current);
        await using var throughOther = await GatewayClients.HttpAsync(_gateway, _corp.Token("agent-sub", Resource, new Dictionary<string, object?> { ["client_id"] = "other-app" }), GatewayClients.Current);
        await using var byKey = await GatewayClients.HttpAsync(_gateway, await _environment.CreateKeyAsync("test-agent"), GatewayClients.Current);

        (await throughReports.HttpCallAsync("GET", "/exports/q3")).IsError.Should().NotBe(true);
        (await throughOther.HttpCallAsync("GET", "/exports/q3")).IsError.Should().BeTrue("the rule names another application");
        (await byKey.HttpCallAsync("GET", "/exports/q3")).IsError.Should().BeTrue("a key names no application");
        _environment.Service.Requests.Count(r => r.Target == "/exports/q3").Should().Be(1);
    }

    [Fact]
    public async Task A_delegated_token_is_the_actors_call_on_behalf_of_the_subject()
    {
        var token = _corp.Token("alice-sub", Resource, new Dictionary<string, object?> { ["act"] = new Dictionary<string, string> { ["sub"] = "delegate-bot" }, ["groups"] = new[] { "grp-analysts" } });
        await using var agent = await GatewayClients.HttpAsync(_gateway, token, GatewayClients.Current);

        (await agent.HttpCallAsync("GET", "/api/reports/delegated")).IsError.Should().NotBe(true);

        var started = (await _environment.AuditEntriesAsync()).Single(e => e.Type == "call.started" && e.Payload!.Contains("/api/reports/delegated", StringComparison.Ordinal));
        started.Ids.Identity.Should().StartWith("oidc:corp:", "the actor is a pseudonym, not alice");
        var oidc = JsonNode.Parse(started.Payload!)!["client"]!["oidc"]!;
        oidc["subject"]!.GetValue<string>().Should().Be("delegate-bot");
        oidc["onBehalfOf"]!.GetValue<string>().Should().Be("alice-sub");
    }

    [Fact]
    public async Task Every_forged_misdirected_or_stale_token_is_refused_with_401_naming_the_metadata()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var unsigned = $"{TestIdentityProvider.Encode(new { alg = "none", typ = "JWT" })}.{TestIdentityProvider.Encode(new { iss = _corp.Issuer, sub = "agent-sub", aud = Resource, exp = now + 600 })}.";
        var hmacInput = $"{TestIdentityProvider.Encode(new { alg = "HS256", typ = "JWT", kid = _corp.Current.KeyId })}.{TestIdentityProvider.Encode(new { iss = _corp.Issuer, sub = "agent-sub", aud = Resource, exp = now + 600 })}";
        var hmacWithPublicKey = $"{hmacInput}.{TestIdentityProvider.Base64Url(HMACSHA256.HashData(_corp.Current.PublicKeyBytes, Encoding.ASCII.GetBytes(hmacInput)))}";
        var valid = _corp.Token("agent-sub", Resource);
        var tampered = valid[..valid.LastIndexOf('.')] + "." + TestIdentityProvider.Base64Url(new byte[256]);
        var swappedPayload = string.Join('.', valid.Split('.')[0], TestIdentityProvider.Encode(new { iss = _corp.Issuer, sub = "approver-sub", aud = Resource, exp = now + 600 }), valid.Split('.')[2]);

        var cases = new (string Why, string Token, string Message)[]
        {
            ("wrong audience", _corp.Token("agent-sub", "https://other.test/api"), "not issued for this gateway"),
            ("a token for another resource", _corp.Token("agent-sub", "https://gateway.test/other"), "not issued for this gateway"),
            ("an issuer this gateway does not trust", _stranger.Token("agent-sub", Resource), "issuer is not one this gateway trusts"),
            ("expired", _corp.Token("agent-sub", Resource, new Dictionary<string, object?> { ["iat"] = now - 7200, ["nbf"] = now - 7200, ["exp"] = now - 3600 }), "expired"),
            ("not yet valid", _corp.Token("agent-sub", Resource, new Dictionary<string, object?> { ["nbf"] = now + 3600, ["exp"] = now + 7200 }), "not valid yet"),
            ("no expiry", _corp.Token("agent-sub", Resource, new Dictionary<string, object?> { ["exp"] = null }), "expir"),
            ("alg none", unsigned, "'none'"),
            ("HS256 signed with the issuer's public key", hmacWithPublicKey, "'HS256'"),
            ("tampered signature", tampered, "signature does not verify"),
            ("payload swapped under a valid signature", swappedPayload, "signature does not verify"),
            ("the trusted issuer's name but a stranger's key", _stranger.Current.Sign(new Dictionary<string, object?> { ["iss"] = _corp.Issuer, ["sub"] = "agent-sub", ["aud"] = Resource, ["exp"] = now + 600 }), "does not publish"),
            ("the stranger's key under a kid the issuer publishes", _stranger.Current.Sign(new Dictionary<string, object?> { ["iss"] = _corp.Issuer, ["sub"] = "agent-sub", ["aud"] = Resource, ["exp"] = now + 600 }, _corp.Current.KeyId), "signature does not verify"),
        };

        foreach (var (why, token, message) in cases)
        {
            var (status, challenge, body) = await InitializeAsync(token);
            status.Should().Be(HttpStatusCode.Unauthorized, why);
            challenge.Should().Contain("resource_metadata=\"https://gateway.test/.well-known/oauth-protected-resource/mcp\"", why);
            body.Should().Contain(message, why).And.NotContain(token, why);
        }

        _environment.Service.Requests.Should().BeEmpty("no refused token reached anything");
    }

    [Fact]
    public async Task A_flood_of_unknown_key_ids_costs_the_issuer_one_refresh_and_an_ec_key_is_accepted()
    {
        // The first valid token fetches the keys; an EC-signed token uses the same fetch.
        (await InitializeAsync(_corp.Token("agent-sub", Resource))).Status.Should().Be(HttpStatusCode.OK);
        (await InitializeAsync(_corp.Token("agent-sub", Resource, key: _corp.Ec))).Status.Should().Be(HttpStatusCode.OK);
        var before = _corp.JwksRequests;

        var flood = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => InitializeAsync(_corp.Current.Sign(
            new Dictionary<string, object?> { ["iss"] = _corp.Issuer, ["sub"] = "agent-sub", ["aud"] = Resource, ["exp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600 },
            $"unknown-{i}"))));

        flood.Should().AllSatisfy(r => r.Status.Should().Be(HttpStatusCode.Unauthorized));
        (_corp.JwksRequests - before).Should().BeLessThanOrEqualTo(1, "unknown key ids refresh the keys at most once per 5 minutes per issuer");
    }

    [Fact]
    public async Task A_key_rotation_at_the_issuer_is_picked_up_and_the_withdrawn_key_stops_working()
    {
        var old = _rotating.Current;
        (await InitializeAsync(_rotating.Token("bot-1", Resource, new Dictionary<string, object?> { ["roles"] = new[] { "mcp.agent" } }))).Status.Should().Be(HttpStatusCode.OK);

        _rotating.Rotate();
        var withNew = await InitializeAsync(_rotating.Token("bot-1", Resource, new Dictionary<string, object?> { ["roles"] = new[] { "mcp.agent" } }));
        var withOld = await InitializeAsync(_rotating.Token("bot-1", Resource, new Dictionary<string, object?> { ["roles"] = new[] { "mcp.agent" } }, old));

        withNew.Status.Should().Be(HttpStatusCode.OK, "a token signed with the new key makes the gateway fetch the keys again");
        withOld.Status.Should().Be(HttpStatusCode.Unauthorized, "the withdrawn key is gone from the fetched set");
    }

    [Fact]
    public async Task An_issuer_whose_keys_cannot_be_fetched_is_503_not_an_allow_and_an_operator_token_is_no_agent()
    {
        var token = _rotating.Token("bot-1", Resource, new Dictionary<string, object?> { ["roles"] = new[] { "mcp.agent" } });
        await _rotating.DisposeAsync();

        using var request = RawMcp.Post(_gateway.McpEndpoint, RawMcp.InitializeJson, token);
        using var response = await Http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter.Should().NotBeNull();
        (await response.Content.ReadAsStringAsync()).Should().Contain("cannot be fetched");

        var (status, _, _) = await InitializeAsync(_corp.Token("approver-sub", Resource, new Dictionary<string, object?> { ["scp"] = "mcpgw:operator" }));
        status.Should().Be(HttpStatusCode.Forbidden, "/mcp serves agents only");
    }

    [Fact]
    public async Task An_operator_token_needs_the_operator_scope_and_alice_cannot_approve_her_own_agents_call_by_token()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        await using var agent = await GatewayClients.HttpAsync(_gateway, key, GatewayClients.Current);
        var waiting = agent.HttpCallAsync("POST", "/api/echo/oidc-approval", body: "{}");

        using var approverWithScope = new OperatorApi(_gateway, _corp.Token("approver-sub", Resource, new Dictionary<string, object?> { ["scp"] = "mcpgw:operator openid" }));
        var id = await approverWithScope.WaitForPendingAsync("/api/echo/oidc-approval");

        // Without the scope: 403 naming it.
        var noScope = _corp.Token("approver-sub", Resource);
        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_gateway.BaseUrl, $"api/approvals/{id}/approve")) { Content = new StringContent("{}", Encoding.UTF8, "application/json") })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", noScope);
            using var response = await Http.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            response.Headers.WwwAuthenticate.ToString().Should().Contain("error=\"insufficient_scope\"").And.Contain("scope=\"mcpgw:operator\"");
        }

        // The agent's owner, by token, with the scope: refused as the requester's side.
        using (var alice = new OperatorApi(_gateway, _corp.Token("alice-sub", Resource, new Dictionary<string, object?> { ["scp"] = "mcpgw:operator" })))
        {
            var (status, body) = await alice.ApproveAsync(id);
            ((int)status).Should().BeInRange(400, 499);
            body.ToJsonString().Should().Contain("owner");
        }

        // An agent's token is no operator's, whatever scopes it carries.
        using (var agentAsOperator = new OperatorApi(_gateway, _corp.Token("agent-sub", Resource, new Dictionary<string, object?> { ["scp"] = "mcpgw:operator mcpgw:audit" })))
        {
            (await agentAsOperator.GetAsync("api/approvals")).Status.Should().Be(HttpStatusCode.Forbidden);
        }

        var (approved, _) = await approverWithScope.ApproveAsync(id);
        approved.Should().Be(HttpStatusCode.OK);
        var result = await waiting;
        result.IsError.Should().NotBe(true, result.Text());
        var decided = (await _environment.AuditEntriesAsync()).Single(e => e.Type == "approval.decided" && e.Ids.ApprovalId == id);
        decided.Ids.Identity.Should().Be("approver");
    }

    [Fact]
    public async Task The_protected_resource_metadata_names_the_issuers_and_scopes_and_an_auditor_needs_the_audit_scope()
    {
        foreach (var path in new[] { ".well-known/oauth-protected-resource", ".well-known/oauth-protected-resource/mcp" })
        {
            var metadata = JsonNode.Parse(await Http.GetStringAsync(new Uri(_gateway.BaseUrl, path)))!;
            metadata["resource"]!.GetValue<string>().Should().Be(Resource);
            metadata["authorization_servers"]!.AsArray().Select(s => s!.GetValue<string>()).Should().BeEquivalentTo(_corp.Issuer, _rotating.Issuer);
            metadata["scopes_supported"]!.AsArray().Select(s => s!.GetValue<string>()).Should().Contain(["mcpgw:operator", "mcpgw:audit"]);
        }

        using var withScope = new OperatorApi(_gateway, _corp.Token("auditor-sub", Resource, new Dictionary<string, object?> { ["scope"] = "mcpgw:audit" }));
        using var withoutScope = new OperatorApi(_gateway, _corp.Token("auditor-sub", Resource, new Dictionary<string, object?> { ["scope"] = "mcpgw:operator" }));
        var verified = await withScope.GetAsync("api/audit/verify");
        verified.Status.Should().Be(HttpStatusCode.OK, verified.Body.ToJsonString() + _gateway.Log);
        (await withoutScope.GetAsync("api/audit/verify")).Status.Should().Be(HttpStatusCode.Forbidden);
    }

    private async Task<(HttpStatusCode Status, string Challenge, string Body)> InitializeAsync(string token)
    {
        using var request = RawMcp.Post(_gateway.McpEndpoint, RawMcp.InitializeJson, token);
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, response.Headers.WwwAuthenticate.ToString(), await response.Content.ReadAsStringAsync());
    }
}

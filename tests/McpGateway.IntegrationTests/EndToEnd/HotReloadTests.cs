using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.EndToEnd;

/// <summary>Policy and configuration changes apply while serving; a bad change keeps the last good state.</summary>
public sealed class HotReloadTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;
    private GatewayServer _server = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        _server = await GatewayServer.StartAsync(_environment);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _environment.DisposeAsync();
    }

    [Fact]
    public async Task A_policy_change_applies_without_a_restart_and_a_broken_one_is_ignored()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        await using var client = await GatewayClients.HttpAsync(_server, key, GatewayClients.Current);
        var before = await client.HttpCallAsync("GET", "/api/echo");
        before.IsError.Should().NotBe(true, before.Text());

        File.WriteAllText(Path.Combine(_environment.PoliciesPath, "zz-freeze.yaml"), "rules:\n  - name: freeze\n    when: { tool: http_call }\n    effect: deny\n    reason: change freeze\n");
        var frozen = await EventuallyAsync(async () => (await client.HttpCallAsync("GET", "/api/echo")).Text().Contains("change freeze", StringComparison.Ordinal));

        File.WriteAllText(Path.Combine(_environment.PoliciesPath, "zz-freeze.yaml"), "rules:\n  - name: freeze\n    effect: sometimes\n");
        var logged = await EventuallyAsync(() => Task.FromResult(_server.Log.Contains("Reload failed", StringComparison.Ordinal)));
        var stillFrozen = (await client.HttpCallAsync("GET", "/api/echo")).Text();

        frozen.Should().BeTrue("the new deny rule applies after a reload");
        logged.Should().BeTrue(_server.Log);
        stillFrozen.Should().Contain("change freeze", "the last good bundle stays in force");
    }

    [Fact]
    public async Task A_new_service_in_the_configuration_becomes_usable()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        await using var client = await GatewayClients.HttpAsync(_server, key, GatewayClients.Current);
        (await client.HttpCallAsync("GET", "/api/echo", service: "second")).Text().Should().Contain("is not configured");

        _environment.WriteConfiguration(anonymous: false, extraService: "second");
        File.AppendAllText(Path.Combine(_environment.PoliciesPath, "gateway.yaml"), "\n  - name: second-reads\n    when: { identity: test-agent, tool: http_call, connection: second, facts: { http.method: GET } }\n    effect: allow\n");

        var usable = await EventuallyAsync(async () => (await client.HttpCallAsync("GET", "/api/echo", service: "second")).IsError != true);

        usable.Should().BeTrue(_server.Log);
    }

    [Fact]
    public async Task Hostile_changes_are_logged_and_the_gateway_keeps_serving_the_last_good_state()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        await using var client = await GatewayClients.HttpAsync(_server, key, GatewayClients.Current);
        var bomb = new System.Text.StringBuilder("rules:\n  - name: a0\n    when: &a0 { tool: http_call }\n    effect: allow\n");
        for (var i = 1; i <= 40; i++)
        {
            bomb.Append($"  - name: a{i}\n    when: &a{i} {{ tool: http_call, facts: {{ x: [*a{i - 1}, *a{i - 1}] }} }}\n    effect: allow\n");
        }

        string[] hostile =
        [
            "rules:\n  - name: [a, b\n    effect: allow\n  - name: x\n",
            "rules: " + new string('[', 300_000) + new string(']', 300_000),
            bomb.ToString(),
            "rules: &r [ { name: a, effect: allow }, *r ]\n",
        ];
        var bundle = Path.Combine(_environment.PoliciesPath, "zz-hostile.yaml");
        foreach (var content in hostile)
        {
            var failures = Count(_server.Log, "Reload failed");
            File.WriteAllText(bundle, content);

            var logged = await EventuallyAsync(() => Task.FromResult(Count(_server.Log, "Reload failed") > failures));
            var call = await client.HttpCallAsync("GET", "/api/echo");
            if (call.IsError == true && call.StructuredContent is { } error && error.GetProperty("error").GetProperty("code").GetString() == "timeout")
            {
                // What is tested is the policy in force, not latency: refusing a hostile bundle can
                // keep a 2-core machine busy past the rule's 2 s timeout for the read.
                call = await client.HttpCallAsync("GET", "/api/echo");
            }

            logged.Should().BeTrue($"a reload of {content[..Math.Min(40, content.Length)]}… is logged as failed:\n{_server.Log}");
            _server.Process.HasExited.Should().BeFalse(_server.Log);
            call.IsError.Should().NotBe(true, $"the last good bundle still allows the read: {call.Text()}");
        }

        _server.Process.Refresh();
        _server.Process.WorkingSet64.Should().BeLessThan(1024L * 1024 * 1024, "an alias bomb is refused before it is expanded");
    }

    [Fact]
    public async Task A_configuration_that_is_not_json_is_logged_and_the_gateway_keeps_serving()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        await using var client = await GatewayClients.HttpAsync(_server, key, GatewayClients.Current);
        var good = File.ReadAllText(_environment.ConfigPath);

        File.WriteAllText(_environment.ConfigPath, "{ \"McpGateway\": " + new string('[', 100_000));
        var logged = await EventuallyAsync(() => Task.FromResult(_server.Log.Contains("Reload failed", StringComparison.Ordinal)));
        var call = await client.HttpCallAsync("GET", "/api/echo");
        File.WriteAllText(_environment.ConfigPath, good);

        logged.Should().BeTrue(_server.Log);
        _server.Process.HasExited.Should().BeFalse(_server.Log);
        call.IsError.Should().NotBe(true, "the last good configuration stays in force");
    }

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    [Fact]
    public async Task Turning_anonymous_access_on_by_a_reload_warns_naming_the_identity()
    {
        _environment.WriteConfiguration(anonymous: true);

        var warned = await EventuallyAsync(() => Task.FromResult(_server.Log.Contains("anonymous access is now on", StringComparison.Ordinal)));

        warned.Should().BeTrue(_server.Log);
        _server.Log.Should().Contain("as 'anon'");
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 60; i++)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(250);
        }

        return false;
    }
}

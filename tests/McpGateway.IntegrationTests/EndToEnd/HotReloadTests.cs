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
        (await client.HttpCallAsync("GET", "/api/echo")).IsError.Should().NotBe(true);

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

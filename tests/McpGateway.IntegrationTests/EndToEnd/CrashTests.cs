using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.EndToEnd;

/// <summary>
/// A gateway killed mid-call: the next gateway on the same store records the call as abandoned,
/// once its lease has run out. Timings are shortened so the test waits seconds, not minutes.
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        _environment.WriteConfiguration(anonymous: false, timings: new JsonObject { ["LeaseMargin"] = "1s", ["AbandonedSweep"] = "500ms" });
    }

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task A_call_in_flight_when_the_gateway_is_killed_is_marked_abandoned_by_the_next_one()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        var first = await GatewayServer.StartAsync(_environment);
        await using var client = await GatewayClients.HttpAsync(first, key, GatewayClients.Current);
        var call = client.HttpCallAsync("GET", "/api/slow?ms=1800");
        string? callId = null;
        for (var i = 0; i < 100 && callId is null; i++)
        {
            callId = (await _environment.AuditEntriesAsync()).FirstOrDefault(e => e.Type == "call.started")?.Ids.CallId;
            await Task.Delay(50);
        }

        first.Process.Kill();
        await first.DisposeAsync();
        var failed = async () => await call;
        await failed.Should().ThrowAsync<Exception>("the gateway died mid-call");

        await using var second = await GatewayServer.StartAsync(_environment);
        McpGateway.Audit.AuditEntry? abandoned = null;
        for (var i = 0; i < 100 && abandoned is null; i++)
        {
            abandoned = (await _environment.AuditEntriesAsync()).FirstOrDefault(e => e.Type == "call.abandoned");
            await Task.Delay(100);
        }

        callId.Should().NotBeNull();
        abandoned.Should().NotBeNull(second.Log);
        abandoned!.Ids.CallId.Should().Be(callId);
        var entries = await _environment.AuditEntriesAsync();
        entries.Where(e => e.Ids.CallId == callId).Select(e => e.Type).Should().Equal("call.started", "call.abandoned");
    }
}

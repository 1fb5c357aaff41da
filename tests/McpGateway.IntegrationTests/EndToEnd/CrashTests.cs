using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.EndToEnd;

/// <summary>
/// A gateway killed mid-call, alone or under load: the next gateway on the same store records
/// the calls it left open as abandoned, once their leases have run out, and the chain verifies. Timings are shortened so the test waits seconds, not minutes.
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

    [Fact]
    public async Task Killed_under_load_the_chain_still_verifies_every_answered_call_is_in_it_and_every_interrupted_one_is_abandoned()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        var first = await GatewayServer.StartAsync(_environment);
        var answered = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        // Eight clients calling as fast as they can, a third of the calls slow enough to be cut.
        var load = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            await using var client = await GatewayClients.HttpAsync(first, key, GatewayClients.Current);
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                try
                {
                    var result = await client.HttpCallAsync("GET", n % 3 == 0 ? $"/api/slow?ms=400&w={worker}&n={n}" : $"/api/echo/load-{worker}-{n}");
                    if (result.CallId() is { } id)
                    {
                        answered.Add(id);
                    }
                }
                catch (Exception)
                {
                    // The gateway died under this call: it was not answered.
                    return;
                }
            }
        })).ToList();

        for (var i = 0; i < 200 && answered.Count < 40; i++)
        {
            await Task.Delay(50);
        }

        first.Process.Kill();
        await stop.CancelAsync();
        await Task.WhenAll(load);
        await first.DisposeAsync();

        // The next gateway on the same store marks what the dead one left open.
        await using (var second = await GatewayServer.StartAsync(_environment))
        {
            for (var i = 0; i < 100 && Open(await _environment.AuditEntriesAsync()).Count > 0; i++)
            {
                await Task.Delay(100);
            }
        }

        var entries = await _environment.AuditEntriesAsync();
        answered.Should().HaveCountGreaterThan(20, "the load ran before the kill");
        var finished = entries.Where(e => e.Type == "call.finished").Select(e => e.Ids.CallId).ToHashSet();
        answered.Should().OnlyContain(id => finished.Contains(id), "a result a client saw was recorded before it was returned");
        Open(entries).Should().BeEmpty("every call the dead gateway started is finished or marked abandoned");
        var verify = await GatewayProcess.RunAsync(["audit", "verify", "--config", _environment.ConfigPath]);
        verify.ExitCode.Should().Be(0, verify.StandardOutput + verify.StandardError);
    }

    /// <summary>Calls started and neither finished nor abandoned.</summary>
    private static List<string?> Open(IReadOnlyList<McpGateway.Audit.AuditEntry> entries)
    {
        var closed = entries.Where(e => e.Type is "call.finished" or "call.abandoned").Select(e => e.Ids.CallId).ToHashSet();
        return [.. entries.Where(e => e.Type == "call.started" && !closed.Contains(e.Ids.CallId)).Select(e => e.Ids.CallId)];
    }
}

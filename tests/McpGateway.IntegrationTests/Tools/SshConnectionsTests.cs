using McpGateway.Configuration;
using McpGateway.IntegrationTests.Support;
using McpGateway.Pipeline;
using McpGateway.Tools.SshExec;
using Microsoft.Extensions.Time.Testing;

namespace McpGateway.IntegrationTests.Tools;

/// <summary>
/// A host's connections against the real test sshd, with time under the test's control: more
/// connections when every channel is busy, waiting at the limit, idle extras closing, and the
/// circuit breaker that stops connecting to a failing host (a closed port, an unpinned host key)
/// and tries again after its break. A loopback relay in front of sshd plays the host going down
/// and coming back, and counts whether the gateway contacted it at all.
/// </summary>
public sealed class SshConnectionsTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly HeldSecrets _secrets = new(TimeProvider.System);

    [SshFact]
    public async Task More_commands_than_channels_open_another_connection_and_idle_extras_close()
    {
        using var connections = Connections(SshServer.Port, idle: TimeSpan.FromMinutes(1));

        var leases = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => connections.AcquireAsync(CancellationToken.None)));
        var exits = await Task.WhenAll(leases.Select(async lease =>
        {
            using (lease)
            {
                using var command = lease.Client.CreateCommand("sleep 1");
                await command.ExecuteAsync(CancellationToken.None);
                return command.ExitStatus;
            }
        }));

        exits.Should().AllSatisfy(e => e.Should().Be(0));
        connections.ConnectionsOpened.Should().Be(2, "12 commands need two connections of 8 channels");
        connections.OpenConnections.Should().Be(2);

        _time.Advance(TimeSpan.FromSeconds(61));
        connections.OpenConnections.Should().Be(1, "the extra connection closes once idle; the first stays");
        using (await connections.AcquireAsync(CancellationToken.None))
        {
            connections.ConnectionsOpened.Should().Be(2, "the remaining connection serves the next command");
        }
    }

    [SshFact]
    public async Task At_the_connection_limit_a_command_waits_for_a_channel_as_long_as_its_call_may()
    {
        using var connections = Connections(SshServer.Port, maxConnections: 1);
        var busy = await Task.WhenAll(Enumerable.Range(0, SshConnections.MaxChannels).Select(_ => connections.AcquireAsync(CancellationToken.None)));

        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var gaveUp = async () => await connections.AcquireAsync(impatient.Token);
        await gaveUp.Should().ThrowAsync<OperationCanceledException>();
        var waiting = connections.AcquireAsync(CancellationToken.None);
        await Task.Delay(200);
        waiting.IsCompleted.Should().BeFalse("every channel of the only allowed connection is busy");

        busy[0].Dispose();
        using (var lease = await waiting)
        {
            using var command = lease.Client.CreateCommand("echo waited");
            (await Run(command)).Should().Be("waited\n");
        }

        connections.ConnectionsOpened.Should().Be(1);
        foreach (var lease in busy.Skip(1))
        {
            lease.Dispose();
        }
    }

    [SshFact]
    public async Task A_host_that_refuses_connections_is_not_contacted_during_the_break_and_is_tried_again_after_it()
    {
        await using var relay = TcpRelay.Create(SshServer.Port, listening: false);
        using var connections = Connections(relay.Port, breaker: new SshCircuitBreakerOptions(2, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)));

        (await Failure(connections)).Should().Contain("could not be reached").And.Contain("connection refused");
        (await Failure(connections)).Should().Contain("connection refused");
        var open = await Failure(connections);
        relay.Start();
        var stillOpen = await Failure(connections);

        open.Should().Contain("Host 'lab' was not contacted").And.Contain("after 2 connection attempts within 1m all failed (the last: connection refused)")
            .And.Contain("stopped connecting to it for 30s").And.Contain("try again at").And.Contain("(in 30 s)").And.Contain("Targets:Ssh:lab");
        stillOpen.Should().Contain("was not contacted");
        relay.Accepted.Should().Be(0, "during the break the gateway does not connect, even to a host that is back");

        _time.Advance(TimeSpan.FromSeconds(31));
        using (var lease = await connections.AcquireAsync(CancellationToken.None))
        {
            using var command = lease.Client.CreateCommand("echo back");
            (await Run(command)).Should().Be("back\n");
        }

        relay.Accepted.Should().Be(1, "one trial connection after the break, which closes the breaker");
    }

    [SshFact]
    public async Task A_failed_trial_after_the_break_opens_the_breaker_again()
    {
        await using var relay = TcpRelay.Create(SshServer.Port, listening: false);
        using var connections = Connections(relay.Port, breaker: new SshCircuitBreakerOptions(2, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)));
        await Failure(connections);
        await Failure(connections);
        (await Failure(connections)).Should().Contain("was not contacted");

        _time.Advance(TimeSpan.FromSeconds(31));
        var trial = await Failure(connections);
        _time.Advance(TimeSpan.FromSeconds(5));
        var again = await Failure(connections);

        trial.Should().Contain("connection refused").And.NotContain("was not contacted");
        again.Should().Contain("was not contacted").And.Contain("(in 25 s)");
    }

    [SshFact]
    public async Task A_host_presenting_an_unpinned_key_opens_the_breaker_and_is_then_not_contacted()
    {
        await using var relay = TcpRelay.Create(SshServer.Port);
        using var connections = Connections(relay.Port, pin: SshServer.OtherHostKey, breaker: new SshCircuitBreakerOptions(2, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)));

        (await Failure(connections)).Should().Contain("not pinned");
        (await Failure(connections)).Should().Contain("not pinned");
        var open = await Failure(connections);
        await Failure(connections);

        open.Should().Contain("was not contacted").And.Contain("(the last: its host key is not pinned)");
        relay.Accepted.Should().Be(2, "after the breaker opened, no connection reached the host");
    }

    [SshFact]
    public async Task A_failing_command_does_not_count_against_the_host()
    {
        using var connections = Connections(SshServer.Port, breaker: new SshCircuitBreakerOptions(2, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)));

        for (var i = 0; i < 4; i++)
        {
            using var lease = await connections.AcquireAsync(CancellationToken.None);
            using var command = lease.Client.CreateCommand("ls /no/such/path");
            await command.ExecuteAsync(CancellationToken.None);
            command.ExitStatus.Should().Be(2);
        }

        using (var lease = await connections.AcquireAsync(CancellationToken.None))
        {
            using var command = lease.Client.CreateCommand("echo fine");
            (await Run(command)).Should().Be("fine\n");
        }
    }

    private static async Task<string> Run(Renci.SshNet.SshCommand command)
    {
        await command.ExecuteAsync(CancellationToken.None);
        return command.Result;
    }

    private static async Task<string> Failure(SshConnections connections)
    {
        var acquire = async () => (await connections.AcquireAsync(CancellationToken.None)).Dispose();
        return (await acquire.Should().ThrowAsync<ToolCallException>()).Which.Message;
    }

    private SshConnections Connections(int port, string? pin = null, int maxConnections = 4, TimeSpan? idle = null, SshCircuitBreakerOptions? breaker = null)
    {
        var key = SecretReference.TryParse($"{{file:{SshServer.KeyFile}}}", "/", out _);
        var host = new SshHostOptions("lab", "127.0.0.1", port, SshServer.User, key, null, null, [pin ?? SshServer.HostKey], maxConnections, idle ?? TimeSpan.FromMinutes(2), breaker ?? SshCircuitBreakerOptions.Default);
        return new SshConnections(host, _secrets, _time);
    }
}

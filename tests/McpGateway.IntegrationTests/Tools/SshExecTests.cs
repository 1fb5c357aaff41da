using System.Diagnostics;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;
using McpGateway.Tools.SshExec;

namespace McpGateway.IntegrationTests.Tools;

/// <summary>
/// <c>ssh_exec</c> against the real OpenSSH server of the test run, through a real MCP client:
/// pinned host keys, key and password login, exactly the checked command, caps, timeouts that end
/// the remote processes, and refusals that never reach the host.
/// </summary>
public sealed class SshExecTests : IAsyncLifetime
{
    private const string Policies = """
        rules:
          - name: lab-commands
            when: { identity: test-agent, tool: ssh_exec, connection: [lab, lab-password, impostor, rotating, flaky] }
            effect: allow
            obligations: { timeout: 20s, maxOutputBytes: 4KiB }
          - name: no-rm
            when: { tool: ssh_exec, facts: { shell.stages.programName: rm } }
            effect: deny
            reason: nothing is deleted on hosts
        """;

    private GatewayEnvironment _environment = null!;
    private InMemoryGateway _gateway = null!;
    private TcpRelay _relay = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        if (SshServer.SkipReason is not null)
        {
            return;
        }

        File.WriteAllText(Path.Combine(_environment.Root, "ssh.password"), SshServer.Password);
        File.Copy(SshServer.KeyFile, Path.Combine(_environment.Root, "rotating.key"));
        _relay = TcpRelay.Create(SshServer.Port, listening: false);
        WriteConfiguration(impostorPin: SshServer.OtherHostKey);
        File.WriteAllText(Path.Combine(_environment.PoliciesPath, "ssh.yaml"), Policies);
        _gateway = await InMemoryGateway.StartAsync(_environment, "test-agent");
    }

    private void WriteConfiguration(string impostorPin)
    {
        JsonObject Host(string pin, JsonObject auth, int? port = null)
        {
            var host = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = port ?? SshServer.Port, ["User"] = SshServer.User, ["HostKeys"] = new JsonArray(pin) };
            foreach (var (name, value) in auth)
            {
                host[name] = value?.DeepClone();
            }

            return host;
        }

        var key = new JsonObject { ["PrivateKey"] = $"{{file:{SshServer.KeyFile}}}" };
        var breaker = new JsonObject { ["Failures"] = 2, ["Break"] = "1s" };
        var lab = Host(SshServer.HostKey, key);
        lab["CircuitBreaker"] = breaker.DeepClone();
        var impostor = Host(impostorPin, key);
        impostor["CircuitBreaker"] = breaker.DeepClone();
        var flaky = Host(SshServer.HostKey, key, _relay.Port);
        flaky["CircuitBreaker"] = breaker.DeepClone();
        _environment.WriteConfiguration(false, timings: new JsonObject { ["ReloadPoll"] = "200ms" }, ssh: new JsonObject
        {
            ["lab"] = lab,
            ["rotating"] = Host(SshServer.HostKey, new JsonObject { ["PrivateKey"] = "{file:rotating.key}" }),
            ["lab-password"] = Host(SshServer.HostKey, new JsonObject { ["Password"] = "{file:ssh.password}" }),
            ["impostor"] = impostor,
            ["flaky"] = flaky,
        });
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }

        await _environment.DisposeAsync();
    }

    [SshFact]
    public async Task A_command_runs_exactly_as_checked_with_key_or_password_login()
    {
        var key = await RunAsync("lab", """printf '%s|' "a b" 'c;d' $'e\tf' && id -un""");
        var password = await RunAsync("lab-password", "uname -s");
        var failing = await RunAsync("lab", "ls /no/such/path");

        key.GetProperty("exitCode").GetInt32().Should().Be(0, key.GetRawText());
        key.GetProperty("stdout").GetString().Should().Be("a b|c;d|e\tf|" + SshServer.User + "\n", "every word reaches the remote shell as it was parsed");
        password.GetProperty("stdout").GetString().Should().Be("Linux\n");
        failing.GetProperty("exitCode").GetInt32().Should().Be(2);
        failing.GetProperty("stderr").GetString().Should().Contain("No such file");
    }

    [SshFact]
    public async Task A_host_presenting_an_unpinned_key_is_refused_before_login()
    {
        var result = await _gateway.Client.CallToolAsync("ssh_exec", new Dictionary<string, object?> { ["host"] = "impostor", ["command"] = "touch /tmp/impostor-was-here" });

        result.IsError.Should().BeTrue();
        result.Text().Should().Contain("not pinned").And.Contain("SHA256:");
        File.Exists("/tmp/impostor-was-here").Should().BeFalse();
    }

    [SshFact]
    public async Task A_refused_command_never_reaches_the_host()
    {
        var marker = $"/tmp/mcpgw-keep-{Guid.NewGuid():N}";
        await RunAsync("lab", $"touch {marker}");

        var refused = await _gateway.Client.CallToolAsync("ssh_exec", new Dictionary<string, object?> { ["host"] = "lab", ["command"] = $"ls /tmp; rm -f {marker}" });
        var wrapped = await _gateway.Client.CallToolAsync("ssh_exec", new Dictionary<string, object?> { ["host"] = "lab", ["command"] = $"sh -c 'rm -f {marker}'" });

        refused.IsError.Should().BeTrue();
        refused.Text().Should().Contain("nothing is deleted");
        wrapped.IsError.Should().BeTrue();
        File.Exists(marker).Should().BeTrue("neither call ran anything");
        File.Delete(marker);
    }

    [SshFact]
    public async Task Output_is_capped_and_a_timeout_ends_every_remote_process_of_the_call()
    {
        var big = await RunAsync("lab", "head -c 100000 /dev/zero");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var watch = Stopwatch.StartNew();
        var slow = await _gateway.Client.CallToolAsync("ssh_exec", new Dictionary<string, object?> { ["host"] = "lab", ["command"] = $"sleep 300{tag[..0]} | cat; echo {tag}", ["timeoutSeconds"] = 1 });
        watch.Stop();

        big.GetProperty("truncated").GetBoolean().Should().BeTrue();
        big.GetProperty("stdout").GetString()!.Length.Should().BeLessThanOrEqualTo(4096);
        var structured = slow.Structured();
        structured.GetProperty("timedOut").GetBoolean().Should().BeTrue();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15));
        await Task.Delay(500);
        var survivors = await GatewayProcess.RunProgramAsync("pgrep", ["-u", SshServer.User, "-f", "sleep 300"]);
        survivors.StandardOutput.Trim().Should().BeEmpty($"the remote pipeline must end with the call (mayStillBeRunning={structured.GetProperty("mayStillBeRunning")})");
    }

    [SshFact]
    public async Task A_rotated_key_file_is_used_by_the_next_connection()
    {
        var before = await RunAsync("rotating", "id -un");
        var other = Path.Combine(_environment.Root, "unauthorized");
        (await GatewayProcess.RunProgramAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other])).ExitCode.Should().Be(0);
        File.Copy(other, Path.Combine(_environment.Root, "rotating.key"), overwrite: true);

        ModelContextProtocol.Protocol.CallToolResult? after = null;
        for (var attempt = 0; attempt < 50 && after?.IsError != true; attempt++)
        {
            await Task.Delay(200);
            after = await _gateway.Client.CallToolAsync("ssh_exec", new Dictionary<string, object?> { ["host"] = "rotating", ["command"] = "id -un" });
        }

        before.GetProperty("stdout").GetString().Should().Be(SshServer.User + "\n");
        after!.IsError.Should().BeTrue("the key the file now holds is not authorized on the host, and the next connection uses it");
        after.Text().Should().Contain("credential was refused").And.NotContain("PRIVATE KEY");
    }

    [SshFact]
    public async Task A_following_pipeline_is_ended_by_the_timeout_and_more_calls_than_channels_still_run()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var follow = await _gateway.Client.CallToolAsync("ssh_exec", new Dictionary<string, object?> { ["host"] = "lab", ["command"] = $"tail -f /dev/null | grep {tag}", ["timeoutSeconds"] = 1 });
        var many = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => RunAsync("lab", $"echo {i}")));

        follow.Structured().GetProperty("timedOut").GetBoolean().Should().BeTrue();
        await Task.Delay(500);
        (await GatewayProcess.RunProgramAsync("pgrep", ["-u", SshServer.User, "-f", tag])).StandardOutput.Trim().Should().BeEmpty();
        many.Select(r => r.GetProperty("stdout").GetString()).Should().BeEquivalentTo(Enumerable.Range(0, 12).Select(i => $"{i}\n"));
    }

    [SshFact]
    public async Task Twelve_slow_commands_at_once_all_run_on_more_than_one_connection()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => RunAsync("lab", $"sleep 1; echo {i}")));

        results.Select(r => r.GetProperty("exitCode").GetInt32()).Should().AllSatisfy(e => e.Should().Be(0));
        results.Select(r => r.GetProperty("stdout").GetString()).Should().BeEquivalentTo(Enumerable.Range(0, 12).Select(i => $"{i}\n"));
        Connections("lab").ConnectionsOpened.Should().BeGreaterThan(1, "8 channels per connection cannot hold 12 commands");
    }

    [SshFact]
    public async Task Failing_commands_do_not_open_the_breaker()
    {
        for (var i = 0; i < 4; i++)
        {
            (await RunAsync("lab", "ls /no/such/path")).GetProperty("exitCode").GetInt32().Should().Be(2);
        }

        (await RunAsync("lab", "echo still")).GetProperty("stdout").GetString().Should().Be("still\n");
        Connections("lab").ConnectionsOpened.Should().Be(1);
    }

    [SshFact]
    public async Task A_host_that_is_down_fails_fast_after_the_threshold_and_is_used_again_after_the_break_once_it_is_back()
    {
        var first = await CallAsync("flaky", "uptime");
        var second = await CallAsync("flaky", "uptime");
        var fast = await CallAsync("flaky", "uptime");
        _relay.Start();

        first.IsError.Should().BeTrue();
        first.Text().Should().Contain("Host 'flaky' could not be reached over SSH (connection refused)");
        second.Text().Should().Contain("connection refused");
        fast.IsError.Should().BeTrue();
        fast.Text().Should().Contain("Host 'flaky' was not contacted").And.Contain("after 2 connection attempts")
            .And.Contain("stopped connecting to it for 1s").And.Contain("try again at");

        ModelContextProtocol.Protocol.CallToolResult? back = null;
        for (var attempt = 0; attempt < 50 && back?.IsError != false; attempt++)
        {
            await Task.Delay(200);
            back = await CallAsync("flaky", "echo back");
        }

        back!.IsError.Should().NotBe(true, back.Text());
        back.Structured().GetProperty("stdout").GetString().Should().Be("back\n");
    }

    [SshFact]
    public async Task An_unpinned_key_opens_the_breaker_and_a_reload_that_pins_the_right_key_starts_afresh()
    {
        (await CallAsync("impostor", "uptime")).Text().Should().Contain("not pinned");
        (await CallAsync("impostor", "uptime")).Text().Should().Contain("not pinned");
        var open = await CallAsync("impostor", "uptime");
        open.IsError.Should().BeTrue();
        open.Text().Should().Contain("Host 'impostor' was not contacted").And.Contain("its host key is not pinned");

        WriteConfiguration(impostorPin: SshServer.HostKey);
        ModelContextProtocol.Protocol.CallToolResult? fixedHost = null;
        for (var attempt = 0; attempt < 50 && fixedHost?.IsError != false; attempt++)
        {
            await Task.Delay(200);
            fixedHost = await CallAsync("impostor", "echo pinned");
        }

        fixedHost!.IsError.Should().NotBe(true, fixedHost.Text());
        fixedHost.Structured().GetProperty("stdout").GetString().Should().Be("pinned\n");
    }

    private SshConnections Connections(string host) =>
        _gateway.Runtime.Current.Clients.Get<SshConnections>(McpGateway.Policies.TargetKinds.Ssh, host)!;

    private Task<ModelContextProtocol.Protocol.CallToolResult> CallAsync(string host, string command) =>
        _gateway.Client.CallToolAsync("ssh_exec", new Dictionary<string, object?> { ["host"] = host, ["command"] = command }).AsTask();

    private async Task<System.Text.Json.JsonElement> RunAsync(string host, string command)
    {
        var result = await _gateway.Client.CallToolAsync("ssh_exec", new Dictionary<string, object?> { ["host"] = host, ["command"] = command });
        return result.Structured();
    }
}

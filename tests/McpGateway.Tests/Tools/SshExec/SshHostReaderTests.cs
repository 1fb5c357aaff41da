using McpGateway.Configuration;
using McpGateway.Policies;
using McpGateway.Tools.SshExec;

namespace McpGateway.Tests.Tools.SshExec;

public sealed class SshHostReaderTests : IDisposable
{
    private const string Pin = "SHA256:X5qKK/hwlfaw5wREsqagt8Rmi9SqTzUeWKQRyVLX/Hw";

    private readonly string _folder = Directory.CreateTempSubdirectory("mcpgw-sshconfig-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_host_gets_connection_and_circuit_breaker_defaults_that_its_configuration_describes()
    {
        var host = Load($$"""
            "web-1": { "Address": "10.0.0.5", "User": "oncall", "PrivateKey": "{file:keys/web-1}", "HostKeys": ["{{Pin}}"] }
            """).Target<SshHostOptions>(TargetKinds.Ssh, "web-1")!;

        host.MaxConnections.Should().Be(4);
        host.IdleTimeout.Should().Be(TimeSpan.FromMinutes(2));
        host.CircuitBreaker.Should().Be(new SshCircuitBreakerOptions(5, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30)));
        host.DescribeConfiguration().ToJsonString().Should().Contain("\"maxConnections\":4").And.Contain("\"circuitBreaker\":{\"failures\":5,\"window\":\"2m\",\"break\":\"30s\"}");
    }

    [Fact]
    public void Connection_and_circuit_breaker_settings_are_read()
    {
        var host = Load($$"""
            "web-1": { "Address": "10.0.0.5", "User": "oncall", "PrivateKey": "{file:keys/web-1}", "HostKeys": ["{{Pin}}"],
                       "MaxConnections": 2, "IdleTimeout": "30s", "CircuitBreaker": { "Failures": 3, "Window": "1m", "Break": "10s" } }
            """).Target<SshHostOptions>(TargetKinds.Ssh, "web-1")!;

        host.MaxConnections.Should().Be(2);
        host.IdleTimeout.Should().Be(TimeSpan.FromSeconds(30));
        host.CircuitBreaker.Should().Be(new SshCircuitBreakerOptions(3, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Every_bad_connection_or_breaker_setting_is_reported_with_its_path()
    {
        var act = () => Load($$"""
            "web-1": { "Address": "10.0.0.5", "User": "oncall", "PrivateKey": "{file:keys/web-1}", "HostKeys": ["{{Pin}}"],
                       "MaxConnections": 0, "IdleTimeout": "soon", "CircuitBreaker": { "Failures": 1, "Window": "100ms", "Break": "2d", "Colour": "red" } }
            """);

        var message = act.Should().Throw<ConfigurationException>().Which.Message;
        message.Should().Contain("Targets:Ssh:web-1:MaxConnections: '0' is not a whole number from 1 to 64")
            .And.Contain("Targets:Ssh:web-1:IdleTimeout: 'soon' is not a duration from 500ms to 1d")
            .And.Contain("Targets:Ssh:web-1:CircuitBreaker:Failures: '1' is not a whole number from 2 to 1000")
            .And.Contain("Targets:Ssh:web-1:CircuitBreaker:Window: '100ms' is not a duration")
            .And.Contain("Targets:Ssh:web-1:CircuitBreaker:Break: '2d' is not a duration")
            .And.Contain("Targets:Ssh:web-1:CircuitBreaker:Colour: unknown setting");
    }

    private GatewayConfiguration Load(string hosts)
    {
        var file = Path.Combine(_folder, "gateway.json");
        File.WriteAllText(file, $$"""
            { "McpGateway": { "DataDirectory": "data", "Policies": "policies", "Targets": { "Ssh": { {{hosts}} } } } }
            """);
        Directory.CreateDirectory(Path.Combine(_folder, "policies"));
        File.WriteAllText(Path.Combine(_folder, "policies", "hosts.yaml"), "rules:\n  - name: uptime\n    when: { tool: ssh_exec, facts: { shell.stages.command: uptime } }\n    effect: allow\n");
        return ConfigurationLoader.LoadFile(file);
    }
}

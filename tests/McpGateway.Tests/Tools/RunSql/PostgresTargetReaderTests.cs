using McpGateway.Configuration;
using McpGateway.Policies;
using McpGateway.Tools.RunSql;
using Npgsql;

namespace McpGateway.Tests.Tools.RunSql;

public sealed class PostgresTargetReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mcpgw-pgconfig-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_connection_loads_with_its_defaults_and_policies_see_its_search_path()
    {
        var configuration = Load("""
            "orders": { "Host": "127.0.0.1", "Database": "orders", "Username": "app", "Password": "{file:secrets/orders.pw}", "SearchPath": "Sales, public" }
            """);

        var orders = configuration.Target<PostgresTargetOptions>(TargetKinds.Postgres, "orders")!;
        orders.Port.Should().Be(5432);
        orders.SslMode.Should().Be("Prefer");
        orders.AllowPrivilegedRole.Should().BeFalse();
        orders.Password.Location.Should().Be(Path.Combine(_folder, "secrets", "orders.pw"));
        orders.ToPolicyTarget().Should().BeEquivalentTo(new PostgresTargetInfo("orders", ["sales", "public"]));
        orders.DescribeConfiguration().ToJsonString().Should().Contain("{file:secrets/orders.pw}");
    }

    [Fact]
    public void Every_mistake_is_reported_with_its_path_and_an_inline_password_is_never_echoed()
    {
        var act = () => Load("""
            "bad": { "Host": "", "Port": "99999", "Database": "orders", "Username": "app", "Password": "hunter2-inline-secret",
                     "SslMode": "Sometimes", "SearchPath": "public, \"Evil\"", "RootCertificate": "missing.pem", "AllowPrivilegedRole": "maybe", "Colour": "red" }
            """);

        var message = act.Should().Throw<ConfigurationException>().Which.Message;
        message.Should().Contain("Targets:Postgres:bad:Host: required")
            .And.Contain("Targets:Postgres:bad:Port: '99999' is not a whole number from 1 to 65535")
            .And.Contain("Targets:Postgres:bad:Password: must be a reference")
            .And.Contain("Targets:Postgres:bad:SslMode: 'Sometimes' is not one of")
            .And.Contain("is not a plain schema name")
            .And.Contain("RootCertificate: file")
            .And.Contain("AllowPrivilegedRole: 'maybe' is not true or false")
            .And.Contain("Targets:Postgres:bad:Colour: unknown setting");
        message.Should().NotContain("hunter2");
    }

    [Fact]
    public void The_data_source_is_made_without_connecting_and_kept_across_a_reload_while_nothing_changed()
    {
        File.WriteAllText(Path.Combine(_folder, "orders.pw"), "orders-password-123456");
        var file = Write("""
            "orders": { "Host": "127.0.0.1", "Port": 1, "Database": "orders", "Username": "app", "Password": "{file:orders.pw}" }
            """);
        using var runtime = McpGateway.Runtime.GatewayRuntime.Load(ConfigurationLoader.LoadFile(file), TimeProvider.System);

        var first = runtime.Current.Clients.Get<NpgsqlDataSource>(TargetKinds.Postgres, "orders");
        runtime.Reload().Should().BeNull();
        var kept = runtime.Current.Clients.Get<NpgsqlDataSource>(TargetKinds.Postgres, "orders");
        File.WriteAllText(Path.Combine(_folder, "orders.pw"), "orders-password-rotated");
        runtime.Reload().Should().BeNull();
        var rebuilt = runtime.Current.Clients.Get<NpgsqlDataSource>(TargetKinds.Postgres, "orders");

        first.Should().NotBeNull("a server that is down (port 1) does not stop the data source being made");
        kept.Should().BeSameAs(first);
        rebuilt.Should().NotBeSameAs(first, "the password changed");
        first!.ConnectionString.Should().NotContain("orders-password");
    }

    private GatewayConfiguration Load(string connections) => ConfigurationLoader.LoadFile(Write(connections));

    private string Write(string connections)
    {
        var file = Path.Combine(_folder, "gateway.json");
        File.WriteAllText(file, $$"""
            { "McpGateway": { "DataDirectory": "data", "Policies": "policies", "Targets": { "Postgres": { {{connections}} } } } }
            """);
        Directory.CreateDirectory(Path.Combine(_folder, "policies"));
        File.WriteAllText(Path.Combine(_folder, "policies", "empty.yaml"), "rules:\n  - name: reads\n    when: { tool: run_sql, facts: { sql.readOnly: true } }\n    effect: allow\n");
        return file;
    }
}

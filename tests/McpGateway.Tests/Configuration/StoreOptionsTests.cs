using McpGateway.Configuration;
using McpGateway.Storage;

namespace McpGateway.Tests.Configuration;

/// <summary>
/// <c>McpGateway:Store</c>: SQLite by default; PostgreSQL only with its connection string as a
/// secret reference and the keys every replica must share; mistakes named by their path, never
/// echoing an inline connection string.
/// </summary>
public sealed class StoreOptionsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mcpgw-store-options-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_embedded_store_is_the_default()
    {
        ConfigurationLoader.LoadFile(Write(string.Empty)).Store.Should().Be(StoreOptions.Default);
        ConfigurationLoader.LoadFile(Write(""", "Store": { "Kind": "sqlite" }""")).Store.Kind.Should().Be(StoreKind.Sqlite);
    }

    [Fact]
    public void Postgres_loads_with_its_connection_string_held_as_a_secret()
    {
        var configuration = ConfigurationLoader.LoadFile(Write("""
            , "Store": { "Kind": "Postgres", "ConnectionString": "{env:GW_STORE}" },
              "Audit": { "SigningKey": "{file:signing.pem}", "RequestHashKey": "{env:GW_REQUEST_KEY}" }
            """));

        configuration.Store.Kind.Should().Be(StoreKind.Postgres);
        configuration.Store.ConnectionString!.Text.Should().Be("{env:GW_STORE}");
        configuration.SecretReferences.Should().Contain(configuration.Store.ConnectionString);
    }

    [Fact]
    public void Postgres_without_shared_keys_or_with_an_inline_connection_string_is_refused_naming_each_path_and_no_password()
    {
        var act = () => ConfigurationLoader.LoadFile(Write("""
            , "Store": { "Kind": "Postgres", "ConnectionString": "Host=db;Username=gw;Password=hunter2-inline", "Pool": 5 }
            """));

        var message = act.Should().Throw<ConfigurationException>().Which.Message;
        message.Should().Contain("McpGateway:Store:ConnectionString: must be a reference")
            .And.Contain("McpGateway:Store:Pool: unknown setting")
            .And.Contain("McpGateway:Audit:SigningKey: required with the PostgreSQL store")
            .And.Contain("McpGateway:Audit:RequestHashKey: required with the PostgreSQL store");
        message.Should().NotContain("hunter2-inline");
    }

    [Theory]
    [InlineData("""{ "Kind": "mysql" }""", "McpGateway:Store:Kind: 'mysql' is not one of Sqlite, Postgres.")]
    [InlineData("""{ "Kind": "1" }""", "McpGateway:Store:Kind: '1' is not one of Sqlite, Postgres.")]
    [InlineData("""{ "Kind": "Sqlite", "ConnectionString": "{env:X}" }""", "McpGateway:Store:ConnectionString: the SQLite store lives in McpGateway:DataDirectory")]
    [InlineData("""{ "Kind": "Postgres" }""", "McpGateway:Store:ConnectionString: is empty")]
    public void A_wrong_store_section_is_refused(string store, string expected)
    {
        var act = () => ConfigurationLoader.LoadFile(Write($$""", "Store": {{store}}"""));

        act.Should().Throw<ConfigurationException>().Which.Message.Should().Contain(expected);
    }

    [Fact]
    public async Task A_connection_string_that_cannot_be_read_stops_the_store_from_opening_naming_the_reference()
    {
        var configuration = ConfigurationLoader.LoadFile(Write("""
            , "Store": { "Kind": "Postgres", "ConnectionString": "{file:missing.conn}" },
              "Audit": { "SigningKey": "{file:signing.pem}", "RequestHashKey": "{file:request.key}" }
            """));

        var open = () => GatewayStores.OpenAsync(configuration, TimeProvider.System, CancellationToken.None);

        (await open.Should().ThrowAsync<StoreUnavailableException>()).Which.Message.Should().Contain("McpGateway:Store:ConnectionString").And.Contain("{file:missing.conn}");
    }

    private string Write(string sections)
    {
        var file = Path.Combine(_folder, "gateway.json");
        File.WriteAllText(file, $$"""{ "McpGateway": { "DataDirectory": "data", "Policies": "policies" {{sections}} } }""");
        return file;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpGateway.IntegrationTests.RunSql;

/// <summary>
/// <c>mcpgw://postgres/{connection}/schema</c> through a real MCP client on a real PostgreSQL: only
/// the caller's connections, only the tables its policies let it read, read by a recorded call.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class PostgresSchemaResourceTests : IAsyncLifetime
{
    private const string Rules = """
        rules:
          - name: masker-reads-orders-only
            when: { identity: masker, tool: run_sql, connection: orders, facts: { sql.readOnly: true, sql.tablesRead: [public.orders] } }
            effect: allow
        """;

    private SqlGatewaySetup _setup = null!;

    public async Task InitializeAsync()
    {
        _setup = await SqlGatewaySetup.CreateAsync();
        File.WriteAllText(Path.Combine(_setup.Environment.PoliciesPath, "schema-tests.yaml"), Rules);
    }

    public async Task DisposeAsync() => await _setup.DisposeAsync();

    [PostgresFact]
    public async Task An_analyst_finds_its_connections_and_reads_their_tables_and_columns_by_a_recorded_call()
    {
        await using var gateway = await _setup.StartAsync("analyst");

        var listed = await gateway.Client.ListResourcesAsync();
        var templates = await gateway.Client.ListResourceTemplatesAsync();
        var read = await gateway.Client.ReadResourceAsync("mcpgw://postgres/orders/schema");

        listed.Select(r => r.Uri).Should().Contain("mcpgw://postgres/orders/schema");
        templates.Select(t => t.UriTemplate).Should().Contain("mcpgw://postgres/{connection}/schema");
        var schema = Schema(read);
        schema["connection"]!.GetValue<string>().Should().Be("orders");
        var tables = schema["schemas"]!["public"]!.AsObject();
        tables.Select(t => t.Key).Should().Contain(["customers", "orders"]);
        tables["customers"]!["access"]!.GetValue<string>().Should().Be("read");
        tables["customers"]!["kind"]!.GetValue<string>().Should().Be("table");
        tables["customers"]!["columns"]!.AsArray().Select(c => (c!["name"]!.GetValue<string>(), c["type"]!.GetValue<string>(), c["nullable"]!.GetValue<bool>()))
            .Should().Equal(("id", "bigint", false), ("name", "text", false), ("email", "text", false), ("created_at", "timestamp with time zone", false));

        var callId = read.Meta![GatewayMcpServerMeta]!.GetValue<string>();
        var entries = (await _setup.AuditAsync()).Where(e => e.Ids.CallId == callId).ToList();
        entries.Select(e => e.Type).Should().Equal("call.started", "call.finished");
        var started = entries[0].PayloadJson()!;
        started["tool"]!.GetValue<string>().Should().Be("run_sql");
        started["decision"]!["matchedRules"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal("gateway:postgres-schema");
        started["decision"]!["obligations"]!["readOnly"]!.GetValue<bool>().Should().BeTrue();
    }

    [PostgresFact]
    public async Task Tables_the_callers_policies_do_not_let_it_read_are_not_listed()
    {
        await using var gateway = await _setup.StartAsync("masker");

        var schema = Schema(await gateway.Client.ReadResourceAsync("mcpgw://postgres/orders/schema"));

        var tables = schema["schemas"]!["public"]!.AsObject().Select(t => t.Key).ToList();
        tables.Should().Equal("orders");

        // Its own statement on the catalog would be refused: only the gateway's read of the catalog is allowed.
        var own = await gateway.Client.RunSqlAsync("SELECT relname FROM pg_catalog.pg_class");
        own.IsError.Should().BeTrue();
    }

    [PostgresFact]
    public async Task A_connection_that_is_not_the_callers_is_not_found_and_nothing_runs()
    {
        await using var gateway = await _setup.StartAsync("masker");
        var before = await CallEntriesAsync();

        var notMine = async () => await gateway.Client.ReadResourceAsync("mcpgw://postgres/single/schema");
        var unknown = async () => await gateway.Client.ReadResourceAsync("mcpgw://postgres/nope/schema");
        var other = async () => await gateway.Client.ReadResourceAsync("mcpgw://elsewhere/x");

        (await notMine.Should().ThrowAsync<McpProtocolException>()).Which.ErrorCode.Should().Be(McpErrorCode.ResourceNotFound);
        (await unknown.Should().ThrowAsync<McpProtocolException>()).Which.Message.Should().Contain("orders");
        (await other.Should().ThrowAsync<McpProtocolException>()).Which.ErrorCode.Should().Be(McpErrorCode.ResourceNotFound);
        (await gateway.Client.ListResourcesAsync()).Select(r => r.Uri).Should().Equal("mcpgw://postgres/orders/schema");
        (await CallEntriesAsync()).Should().Be(before, "nothing was read, so no call was recorded");
    }

    private const string GatewayMcpServerMeta = "io.mcpgateway/callId";

    /// <summary>The entries about calls (a checkpoint the gateway signs meanwhile is none of them).</summary>
    private async Task<int> CallEntriesAsync() => (await _setup.AuditAsync()).Count(e => e.Type.StartsWith("call.", StringComparison.Ordinal));

    private static JsonObject Schema(ReadResourceResult read)
    {
        var contents = read.Contents.Should().ContainSingle().Subject.Should().BeOfType<TextResourceContents>().Subject;
        contents.MimeType.Should().Be("application/json");
        return JsonNode.Parse(contents.Text)!.AsObject();
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.IntegrationTests.Support;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpGateway.IntegrationTests.RunSql;

/// <summary>
/// A gateway set-up on disk for run_sql: the reference bundle's rules for connection <c>orders</c>
/// (copied from samples/) beside rules made for tests, and connections to the test server, each
/// as a least-privilege role of its own with its password in a file.
/// </summary>
internal sealed class SqlGatewaySetup : IAsyncDisposable
{
    private SqlGatewaySetup(GatewayEnvironment environment, string role, string password)
    {
        Environment = environment;
        Role = role;
        Password = password;
    }

    public GatewayEnvironment Environment { get; }

    /// <summary>The role of connection <c>orders</c>.</summary>
    public string Role { get; }

    /// <summary>The password of <see cref="Role"/>: it must never reach an agent or the audit chain.</summary>
    public string Password { get; }

    /// <summary>More connections, by name, beside <c>orders</c> (and <c>single</c>, the same role with a pool of one).</summary>
    public JsonObject ExtraConnections { get; } = [];

    public static async Task<SqlGatewaySetup> CreateAsync()
    {
        var environment = await GatewayEnvironment.CreateAsync();
        var role = TestPostgres.NewName("gw_app");
        var password = TestPostgres.NewPassword();
        await TestPostgres.CreateAppRoleAsync(role, password);
        File.WriteAllText(Path.Combine(environment.Root, "orders.pw"), password);
        var setup = new SqlGatewaySetup(environment, role, password);
        File.Copy(Path.Combine(GatewayProcess.RepositoryRoot, "samples", "policies", "reference", "orders.yaml"), Path.Combine(environment.PoliciesPath, "orders.yaml"));
        File.WriteAllText(Path.Combine(environment.PoliciesPath, "sql-tests.yaml"), TestRules);
        setup.WriteConfiguration();
        return setup;
    }

    /// <summary>A connection of the test server as <paramref name="username"/>, its password read from <paramref name="passwordFile"/> (relative to the set-up's folder).</summary>
    public static JsonObject Connection(string username, string passwordFile, int maxPoolSize = 10, bool allowPrivileged = false) => new()
    {
        ["Host"] = TestPostgres.Host,
        ["Port"] = TestPostgres.Port,
        ["Database"] = "orders",
        ["Username"] = username,
        [nameof(Password)] = $"{{file:{passwordFile}}}",
        ["SslMode"] = "Disable",
        ["MaxPoolSize"] = maxPoolSize,
        ["AllowPrivilegedRole"] = allowPrivileged,
    };

    public void WriteConfiguration()
    {
        var connections = new JsonObject
        {
            ["orders"] = Connection(Role, "orders.pw"),
            ["single"] = Connection(Role, "orders.pw", maxPoolSize: 1),
        };
        foreach (var (name, value) in ExtraConnections)
        {
            connections[name] = value!.DeepClone();
        }

        string[] agents = ["analyst", "dba", "reporter", "writer", "hurried", "impatient", "lax", "masker"];
        var identities = new JsonObject
        {
            ["lead"] = new JsonObject { ["Groups"] = new JsonArray("dba-leads"), ["Roles"] = new JsonArray("operator") },
        };
        foreach (var agent in agents)
        {
            identities[agent] = new JsonObject
            {
                ["Groups"] = new JsonArray(agent switch { "analyst" => "analysts", "dba" => "dba", _ => "testers" }),
                ["Roles"] = new JsonArray("agent"),
            };
        }

        var config = new JsonObject
        {
            ["McpGateway"] = new JsonObject
            {
                ["DataDirectory"] = "data",
                ["Policies"] = "policies",
                ["Groups"] = new JsonObject { ["analysts"] = new JsonObject(), ["dba"] = new JsonObject(), ["dba-leads"] = new JsonObject(), ["testers"] = new JsonObject() },
                ["Identities"] = identities,
                ["Targets"] = new JsonObject { ["Postgres"] = connections },
            },
        };
        File.WriteAllText(Environment.ConfigPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Delete(Environment.PolicyFile);
    }

    public Task<InMemoryGateway> StartAsync(string identity) => InMemoryGateway.StartAsync(Environment, identity);

    /// <summary>Every audit entry, header and payload, as one text (to look for what must not be there).</summary>
    public async Task<string> AuditTextAsync()
    {
        var entries = await Environment.AuditEntriesAsync();
        return string.Join('\n', entries.Select(e => JsonSerializer.Serialize(e)));
    }

    public async Task<IReadOnlyList<AuditEntry>> AuditAsync() => await Environment.AuditEntriesAsync();

    public ValueTask DisposeAsync() => Environment.DisposeAsync();

    /// <summary>
    /// Rules made for tests, on the same connections: some deliberately too permissive, so what
    /// the database itself enforces (the READ ONLY transaction, caps, timeouts) can be seen.
    /// </summary>
    private const string TestRules = """
        rules:
          - name: reporter-selects
            description: Too permissive on purpose (any SELECT, even one calling a writing function); the readOnly obligation still holds.
            when: { identity: reporter, tool: run_sql, connection: [orders, single], facts: { sql.statements.kind: select } }
            effect: allow
            obligations: { readOnly: true, maxRows: 100, maxResultBytes: 4KiB }
          - name: writer-changes-few-rows
            when: { identity: writer, tool: run_sql, facts: { sql.statements.kind: [select, insert, update, delete] } }
            effect: allow
            obligations: { maxAffectedRows: 3 }
          - name: hurried-statement-timeout
            when: { identity: hurried, tool: run_sql, facts: { sql.statements.kind: select } }
            effect: allow
            obligations: { statementTimeout: 300ms }
          - name: impatient-call-timeout
            when: { identity: impatient, tool: run_sql, facts: { sql.statements.kind: select } }
            effect: allow
            obligations: { timeout: 1s }
          - name: lax-allows-everything-parsed
            description: Allows every fully understood statement, to show what the gateway refuses whatever a bundle says.
            when: { identity: lax, tool: run_sql }
            effect: allow
        """;
}

/// <summary>Calling run_sql through a real MCP client.</summary>
internal static class RunSqlCalls
{
    public static async Task<CallToolResult> RunSqlAsync(this McpClient client, string sql, object?[]? parameters = null, string connection = "orders", int? maxRows = null)
    {
        var arguments = new Dictionary<string, object?> { ["connection"] = connection, ["sql"] = sql };
        if (parameters is not null)
        {
            arguments["params"] = parameters;
        }

        if (maxRows is not null)
        {
            arguments["maxRows"] = maxRows;
        }

        return await client.CallToolAsync("run_sql", arguments);
    }

    /// <summary>The rows of a successful result.</summary>
    public static JsonElement Rows(this CallToolResult result) => result.Structured().GetProperty("rows");

    /// <summary>The single value of a one-row, one-column result.</summary>
    public static JsonElement Single(this CallToolResult result) => result.Rows()[0][0];
}

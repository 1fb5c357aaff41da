using System.Security.Cryptography;
using Npgsql;

namespace McpGateway.IntegrationTests.RunSql;

/// <summary>
/// The PostgreSQL server the test command starts (eng/postgres.sh): its superuser's connection
/// string in <c>MCPGW_TEST_POSTGRES</c>, used to set tests up and to look at what the gateway
/// did. The gateway's run_sql connections use least-privilege roles made here; only a gateway's
/// own store, in a database made for it, connects as the superuser. Without the server, tests skip —
/// except under CI=true, where they fail.
/// </summary>
internal static class TestPostgres
{
    public const string Variable = "MCPGW_TEST_POSTGRES";

    public static string? SkipReason { get; } =
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)) || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"No test PostgreSQL server: {Variable} is not set. eng/test.sh starts one (eval \"$(eng/postgres.sh start)\" does it by hand); under CI=true this test fails instead of skipping.";

    public static NpgsqlConnectionStringBuilder Admin =>
        new(Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } text
            ? text
            : throw new InvalidOperationException($"{Variable} is not set: the test command must start PostgreSQL (eng/postgres.sh)."));

    public static string Host => Admin.Host!;

    public static int Port => Admin.Port;

    public static string AdminPassword => Admin.Password!;

    /// <summary>A password no test writes anywhere else, long enough for the redactor.</summary>
    public static string NewPassword() => "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>A unique lower-case name with <paramref name="prefix"/>.</summary>
    public static string NewName(string prefix) => prefix + "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>Creates an empty database (for a gateway's own store, say) and returns its name.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix = "gw")
    {
        var name = NewName(prefix);
        await ExecuteAsync($"CREATE DATABASE {name};", "postgres");
        return name;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, whoever is still connected to it.</summary>
    public static Task DropDatabaseAsync(string name) => ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE);", "postgres");

    /// <summary>The superuser's connection string to <paramref name="database"/>.</summary>
    public static string ConnectionString(string database)
    {
        var builder = Admin;
        builder.Database = database;
        return builder.ConnectionString;
    }

    public static async Task ExecuteAsync(string sql, string database = "orders")
    {
        await using var connection = await OpenAsync(database);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T?> ScalarAsync<T>(string sql, string database = "orders")
    {
        await using var connection = await OpenAsync(database);
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    /// <summary>
    /// A login role with only what an agent's connection needs on the seeded tables: read
    /// customers and orders, change orders (and tables granted later).
    /// </summary>
    public static async Task CreateAppRoleAsync(string role, string password, string extra = "")
    {
        await ExecuteAsync($"""
            CREATE ROLE {role} LOGIN PASSWORD '{password}';
            GRANT SELECT ON customers, orders TO {role};
            GRANT INSERT, UPDATE, DELETE ON orders TO {role};
            {extra}
            """);
    }

    private static async Task<NpgsqlConnection> OpenAsync(string database)
    {
        var builder = Admin;
        builder.Database = database;
        builder.Pooling = false;
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}

/// <summary>A test that needs the test PostgreSQL server (see <see cref="TestPostgres"/>).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        Skip = TestPostgres.SkipReason;
    }
}

/// <summary>A theory that needs the test PostgreSQL server (see <see cref="TestPostgres"/>).</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        Skip = TestPostgres.SkipReason;
    }
}

/// <summary>
/// The tests on the shared PostgreSQL server run on their own, after the parallel ones: their
/// timings (a million rows within 2 s, timeouts) are not disturbed by other tests, nor theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresTests
{
    public const string Name = "PostgreSQL";
}

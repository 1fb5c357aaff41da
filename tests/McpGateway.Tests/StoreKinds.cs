using System.Security.Cryptography;
using Npgsql;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace McpGateway.Tests;

/// <summary>
/// A test class whose store is the PostgreSQL store: it inherits a store contract test class and
/// runs every <see cref="StoreFactAttribute"/> test of it against PostgreSQL, none of its
/// <see cref="SqliteFactAttribute"/> ones.
/// </summary>
public interface IPostgresStoreTests
{
}

/// <summary>A store contract test: it runs for each store its class stands for (SQLite, or PostgreSQL in an <see cref="IPostgresStoreTests"/> class).</summary>
[XunitTestCaseDiscoverer("McpGateway.Tests.StoreFactDiscoverer", "McpGateway.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute
{
}

/// <summary>A test of what only the embedded store has (its file, SQLite's own locks): not run in an <see cref="IPostgresStoreTests"/> class.</summary>
[XunitTestCaseDiscoverer("McpGateway.Tests.StoreFactDiscoverer", "McpGateway.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteFactAttribute : FactAttribute
{
}

/// <summary>
/// Finds the tests of <see cref="StoreFactAttribute"/> and <see cref="SqliteFactAttribute"/>: a
/// PostgreSQL class's store tests skip when there is no test server (and fail under CI=true,
/// where the test command must have started one).
/// </summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var postgres = typeof(IPostgresStoreTests).IsAssignableFrom(testMethod.TestClass.Class.ToRuntimeType());
        var sqliteOnly = factAttribute is IReflectionAttributeInfo { Attribute: SqliteFactAttribute };
        if (postgres && sqliteOnly)
        {
            yield break;
        }

        var skip = factAttribute.GetNamedArgument<string>(nameof(FactAttribute.Skip)) ?? (postgres ? TestPostgresServer.SkipReason : null);
        yield return skip is null
            ? new XunitTestCase(diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)
            : new SkippedStoreTestCase(diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, skip);
    }
}

/// <summary>A store test case skipped for want of its server.</summary>
public sealed class SkippedStoreTestCase : XunitTestCase
{
    private string _reason = string.Empty;

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public SkippedStoreTestCase()
    {
    }

    public SkippedStoreTestCase(IMessageSink diagnostics, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod method, string reason)
        : base(diagnostics, display, options, method)
    {
        _reason = reason;
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _reason;

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("Reason", _reason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        _reason = data.GetValue<string>("Reason");
        base.Deserialize(data);
    }
}

/// <summary>
/// The PostgreSQL server the test command starts (eng/postgres.sh; its superuser's connection
/// string in <c>MCPGW_TEST_POSTGRES</c>): each store under test gets a database of its own.
/// </summary>
internal static class TestPostgresServer
{
    public const string Variable = "MCPGW_TEST_POSTGRES";

    public static string? SkipReason { get; } =
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)) || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"No test PostgreSQL server: {Variable} is not set. eng/test.sh starts one (eval \"$(eng/postgres.sh start)\" does it by hand); under CI=true this test fails instead of skipping.";

    private static NpgsqlConnectionStringBuilder Admin(string database) =>
        new(Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } text
            ? text
            : throw new InvalidOperationException($"{Variable} is not set: the test command must start PostgreSQL (eng/postgres.sh)."))
        {
            Database = database,
            Pooling = false,
        };

    /// <summary>Creates an empty database and returns a connection string to it (the superuser's: the store creates its tables).</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var name = "gw_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await ExecuteAsync("postgres", $"CREATE DATABASE {name};");
        return Admin(name).ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS {name} WITH (FORCE);");
    }

    public static async Task<int> ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.Contains('=', StringComparison.Ordinal) ? database : Admin(database).ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }
}

/// <summary>A store contract theory (see <see cref="StoreFactAttribute"/>).</summary>
[XunitTestCaseDiscoverer("McpGateway.Tests.StoreTheoryDiscoverer", "McpGateway.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreTheoryAttribute : TheoryAttribute
{
}

/// <summary>Finds the cases of <see cref="StoreTheoryAttribute"/>: skipped in a PostgreSQL class without a test server.</summary>
public sealed class StoreTheoryDiscoverer(IMessageSink diagnostics) : TheoryDiscoverer(diagnostics)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute) =>
        typeof(IPostgresStoreTests).IsAssignableFrom(testMethod.TestClass.Class.ToRuntimeType()) && TestPostgresServer.SkipReason is { } reason
            ? [new SkippedStoreTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)]
            : base.Discover(discoveryOptions, testMethod, theoryAttribute);
}

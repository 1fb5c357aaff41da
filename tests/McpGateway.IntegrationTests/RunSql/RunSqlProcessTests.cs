using System.Diagnostics;
using McpGateway.IntegrationTests.Support;
using Xunit.Abstractions;

namespace McpGateway.IntegrationTests.RunSql;

/// <summary>
/// run_sql as an operator runs it: the gateway in its own process (<c>serve --http</c>), a real MCP
/// client over Streamable HTTP, a real PostgreSQL; memory is the gateway process's own resident set.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class RunSqlProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private SqlGatewaySetup _setup = null!;

    public async Task InitializeAsync() => _setup = await SqlGatewaySetup.CreateAsync();

    public async Task DisposeAsync() => await _setup.DisposeAsync();

    [PostgresFact]
    public async Task A_million_row_select_keeps_the_gateway_process_small_returns_maxRows_rows_and_is_cancelled_on_the_server()
    {
        var key = await _setup.Environment.CreateKeyAsync("analyst");
        await using var server = await GatewayServer.StartAsync(_setup.Environment);
        await using var client = await GatewayClients.HttpAsync(server, key, GatewayClients.Current);
        var marker = TestPostgres.NewName("million");

        // Warm: the pool, the JIT, the column-source cache.
        for (var i = 0; i < 3; i++)
        {
            (await client.RunSqlAsync("SELECT g, repeat('x', 40) FROM generate_series(1, 600) g")).IsError.Should().NotBe(true);
        }

        var before = ResidentBytes(server.Process);
        var watch = Stopwatch.StartNew();
        var result = await client.RunSqlAsync($"SELECT g, repeat('{marker}', 40) FROM generate_series(1, 1000000) g");
        var elapsed = watch.Elapsed;
        var after = ResidentBytes(server.Process);
        output.WriteLine($"1,000,000-row SELECT through serve --http: {elapsed.TotalMilliseconds:F0} ms, gateway RSS {before / 1048576.0:F1} MiB -> {after / 1048576.0:F1} MiB");

        result.Rows().GetArrayLength().Should().Be(500, "the analyst rule's maxRows");
        result.Structured().GetProperty("truncated").GetBoolean().Should().BeTrue();
        (after - before).Should().BeLessThan(64L * 1024 * 1024, "rows beyond the cap are never read into the gateway");
        (await RunSqlTests.ActiveAsync(marker)).Should().Be(0, "the rest of the query was cancelled on the server");
        (await _setup.AuditTextAsync()).Should().NotContain(_setup.Password);
    }

    /// <summary>VmRSS of <paramref name="process"/>, from the kernel.</summary>
    private static long ResidentBytes(Process process)
    {
        var line = File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}

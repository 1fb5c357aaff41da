using System.Text.Json;
using McpGateway.Configuration;
using McpGateway.Hosting;
using McpGateway.IntegrationTests.Support;
using McpGateway.Pipeline;
using McpGateway.Runtime;
using McpGateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.IntegrationTests.Pipeline;

/// <summary>The pipeline with real parts (store file, loopback service) when the audit log cannot write.</summary>
public sealed class PipelineFailClosedTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;
    private SqliteGatewayStore _store = null!;
    private ServiceProvider _services = null!;
    private GatewayRuntime _runtime = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        _runtime = GatewayRuntime.Load(ConfigurationLoader.LoadFile(_environment.ConfigPath), TimeProvider.System);
        _store = await SqliteGatewayStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(_environment.DataDirectory, SqliteGatewayStore.FileName), BusyTimeout = TimeSpan.FromMilliseconds(300) }, TimeProvider.System, CancellationToken.None);
        _services = new ServiceCollection().AddLogging().AddGatewayCore(_runtime, _store).BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _store.DisposeAsync();
        await _environment.DisposeAsync();
    }

    [Fact]
    public async Task Without_a_durable_start_nothing_executes()
    {
        using var lockHolder = LockDatabase();

        var outcome = await RunAsync("/api/flaky");

        outcome.IsError.Should().BeTrue();
        outcome.Text.Should().Contain("audit log is unavailable, so the call was not executed");
        _environment.Service.FlakyHits.Should().Be(0, "the backend must not be called");
    }

    [Fact]
    public async Task A_result_whose_finish_cannot_be_recorded_is_withheld()
    {
        var call = RunAsync("/api/slow?ms=1500");
        for (var i = 0; i < 200 && !(await _environment.AuditEntriesAsync()).Any(e => e.Type == "call.started"); i++)
        {
            await Task.Delay(25);
        }

        using (LockDatabase())
        {
            var outcome = await call;

            outcome.IsError.Should().BeTrue();
            outcome.Text.Should().Contain("result is withheld");

            // Only the error: nothing of the result that ran.
            outcome.Structured!.Select(p => p.Key).Should().BeEquivalentTo("callId", "error");
            outcome.Structured!["error"]!["code"]!.GetValue<string>().Should().Be("audit-unavailable");
        }
    }

    [Fact]
    public async Task With_a_working_store_the_same_call_runs_and_is_recorded()
    {
        var outcome = await RunAsync("/api/echo");

        outcome.IsError.Should().BeFalse(outcome.Text);
        (await _environment.AuditEntriesAsync()).Select(e => e.Type).Should().Equal("call.started", "call.finished");
    }

    [Theory]
    [InlineData("""{"service":"loopback","method":"GET","path":"/api/admin","n":1e400}""")]
    [InlineData("""{"service":"loopback","method":"GET","path":"/api/admin","s":"\ud800"}""")]
    [InlineData("""{"service":"loopback","method":"GET","path":"/api/admin","path":"/api/echo"}""")]
    public async Task A_refusal_is_recorded_even_when_its_arguments_are_not_canonical_json(string raw)
    {
        var caller = new CallerInfo(_runtime.Configuration.Identities["test-agent"], "s-test", "tests", "1", null);
        using var arguments = JsonDocument.Parse(raw);

        var outcome = await _services.GetRequiredService<ToolCallPipeline>().RunAsync(new ToolCallRequest(caller, "http_call", arguments.RootElement), CancellationToken.None);

        outcome.IsError.Should().BeTrue();
        var entries = await _environment.AuditEntriesAsync();
        var refused = entries.Should().ContainSingle(e => e.Ids.CallId == outcome.CallId).Which;
        refused.Type.Should().Be("call.refused");
        refused.Payload.Should().Contain("requestHmac");
    }

    [Fact]
    public async Task Results_of_emoji_and_combining_marks_are_returned_and_recorded_wherever_the_excerpt_is_cut()
    {
        // The excerpt is cut at a fixed length: with prefixes of 0 to 3 characters, one of these
        // cuts falls inside a surrogate pair or between a letter and its combining mark.
        var outcomes = new List<ToolCallOutcome>();
        foreach (var prefix in new[] { "", "x", "xy", "xyz" })
        {
            outcomes.Add(await RunAsync($"/api/text?text=%F0%9F%98%80e%CC%81&times=2000&pad={prefix}"));
        }

        var entries = await _environment.AuditEntriesAsync();
        outcomes.Should().OnlyContain(o => o.IsError != true && !o.Text.Contains("withheld", StringComparison.Ordinal));
        entries.Count(e => e.Type == "call.finished").Should().Be(4);
        entries.Should().NotContain(e => e.Type == "call.abandoned");
        (await McpGateway.Audit.AuditVerifier.VerifyAsync(_store.Audit, CancellationToken.None)).Intact.Should().BeTrue();
    }

    private Task<ToolCallOutcome> RunAsync(string path)
    {
        var caller = new CallerInfo(_runtime.Configuration.Identities["test-agent"], "s-test", "tests", "1", null);
        var arguments = JsonSerializer.SerializeToElement(new { service = "loopback", method = "GET", path });
        return _services.GetRequiredService<ToolCallPipeline>().RunAsync(new ToolCallRequest(caller, "http_call", arguments), CancellationToken.None);
    }

    private SqliteConnection LockDatabase()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(_environment.DataDirectory, SqliteGatewayStore.FileName)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "BEGIN EXCLUSIVE;";
        command.ExecuteNonQuery();
        return connection;
    }
}

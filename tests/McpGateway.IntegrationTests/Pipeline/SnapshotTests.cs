using System.Text.Json;
using McpGateway.Configuration;
using McpGateway.Hosting;
using McpGateway.IntegrationTests.Support;
using McpGateway.Pipeline;
using McpGateway.Runtime;
using McpGateway.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.IntegrationTests.Pipeline;

/// <summary>A call is decided and executed with the one runtime snapshot it captured at its start.</summary>
public sealed class SnapshotTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;
    private SqliteGatewayStore _store = null!;
    private GatewayRuntime _runtime = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        _runtime = GatewayRuntime.Load(ConfigurationLoader.LoadFile(_environment.ConfigPath), TimeProvider.System);
        _store = await SqliteGatewayStore.OpenAsync(_environment.DataDirectory, TimeProvider.System, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _environment.DisposeAsync();
    }

    [Fact]
    public async Task A_call_started_under_one_snapshot_finishes_under_it_across_a_reload()
    {
        await using var provider = new ServiceCollection().AddLogging().AddGatewayCore(_runtime, _store).BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        var pipeline = provider.GetRequiredService<ToolCallPipeline>();
        var before = _runtime.Current;
        var caller = new CallerInfo(before.Configuration.Identities["test-agent"], "s-test", "tests", "1", null);
        var arguments = JsonSerializer.SerializeToElement(new { service = "loopback", method = "GET", path = "/api/echo" });
        using var context = pipeline.Begin(new ToolCallRequest(caller, "http_call", arguments));

        // Admitted under the first snapshot; then the configuration points 'loopback' at a dead
        // port and the bundle denies everything; the call in flight must see neither.
        var refusal = await pipeline.AdmitAsync(context, holdConcurrency: true, CancellationToken.None);
        _environment.WriteConfiguration(anonymous: false);
        File.WriteAllText(_environment.ConfigPath, File.ReadAllText(_environment.ConfigPath).Replace(_environment.Service.BaseUrl.ToString(), "http://127.0.0.1:1/", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_environment.PoliciesPath, "zz-freeze.yaml"), "rules:\n  - name: freeze\n    when: { tool: http_call }\n    effect: deny\n");
        var problem = _runtime.Reload();
        var outcome = await pipeline.CompleteAsync(context, () => pipeline.RunAdmittedAsync(context, CancellationToken.None), CancellationToken.None);
        var next = await pipeline.RunAsync(new ToolCallRequest(caller, "http_call", arguments), CancellationToken.None);

        refusal.Should().BeNull();
        problem.Should().BeNull();
        _runtime.Current.Should().NotBeSameAs(before, "the reload took effect");
        outcome.IsError.Should().BeFalse(outcome.Text);
        outcome.Structured!["status"]!.GetValue<int>().Should().Be(200, "the call ran against the service of its own snapshot");
        next.IsError.Should().BeTrue("the next call is decided by the new bundle");
        var entries = await _environment.AuditEntriesAsync();
        entries.First(e => e.Type == "call.started").PayloadJson()!["decision"]!["revision"]!.GetValue<string>().Should().Be(before.Revision);
        entries.Where(e => e.Ids.CallId == context.CallId).Select(e => e.Type).Should().Equal("call.started", "call.finished");
    }

    [Fact]
    public async Task The_run_half_refuses_a_call_that_was_not_admitted_and_nothing_executes()
    {
        await using var provider = new ServiceCollection().AddLogging().AddGatewayCore(_runtime, _store).BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        var pipeline = provider.GetRequiredService<ToolCallPipeline>();
        var caller = new CallerInfo(_runtime.Configuration.Identities["test-agent"], "s-test", "tests", "1", null);
        using var context = pipeline.Begin(new ToolCallRequest(caller, "http_call", JsonSerializer.SerializeToElement(new { service = "loopback", method = "GET", path = "/api/flaky" })));

        var outcome = await pipeline.CompleteAsync(context, () => pipeline.RunAdmittedAsync(context, CancellationToken.None), CancellationToken.None);

        outcome.IsError.Should().BeTrue();
        _environment.Service.FlakyHits.Should().Be(0, "execution requires a durable start");
        (await _environment.AuditEntriesAsync()).Should().BeEmpty();
    }
}

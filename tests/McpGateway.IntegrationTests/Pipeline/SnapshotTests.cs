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
        // Between the recorded start and execution, the configuration points 'loopback' at a
        // dead port and the bundle denies everything; the call in flight must not see either.
        var reloader = new ReloadingStage(_runtime, () =>
        {
            _environment.WriteConfiguration(anonymous: false);
            var config = File.ReadAllText(_environment.ConfigPath).Replace(_environment.Service.BaseUrl.ToString(), "http://127.0.0.1:1/", StringComparison.Ordinal);
            File.WriteAllText(_environment.ConfigPath, config);
            File.WriteAllText(Path.Combine(_environment.PoliciesPath, "zz-freeze.yaml"), "rules:\n  - name: freeze\n    when: { tool: http_call }\n    effect: deny\n");
        });
        var services = new ServiceCollection().AddLogging().AddGatewayCore(_runtime, _store);
        services.AddSingleton<IToolCallStage>(reloader);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        var before = _runtime.Current;
        var caller = new CallerInfo(before.Configuration.Identities["test-agent"], "s-test", "tests", "1", null);
        var arguments = JsonSerializer.SerializeToElement(new { service = "loopback", method = "GET", path = "/api/echo" });

        var outcome = await provider.GetRequiredService<ToolCallPipeline>().RunAsync(new ToolCallRequest(caller, "http_call", arguments), CancellationToken.None);
        var next = await provider.GetRequiredService<ToolCallPipeline>().RunAsync(new ToolCallRequest(caller, "http_call", arguments), CancellationToken.None);

        reloader.Problem.Should().BeNull();
        _runtime.Current.Should().NotBeSameAs(before, "the reload took effect");
        outcome.IsError.Should().BeFalse(outcome.Text);
        outcome.Structured!["status"]!.GetValue<int>().Should().Be(200, "the call ran against the service of its own snapshot");
        next.IsError.Should().BeTrue("the next call is decided by the new bundle");
        var started = (await _environment.AuditEntriesAsync()).First(e => e.Type == "call.started");
        started.PayloadJson()!["decision"]!["revision"]!.GetValue<string>().Should().Be(before.Revision);
    }

    /// <summary>A stage placed between the recorded start and execution that reloads the runtime once.</summary>
    private sealed class ReloadingStage(GatewayRuntime runtime, Action change) : IToolCallStage
    {
        private int _done;

        public string? Problem { get; private set; }

        public int Order => PipelineOrder.Approve;

        public PipelineStages Stage => PipelineStages.None;

        public ValueTask<StageResult> RunAsync(ToolCallContext context, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                change();
                Problem = runtime.Reload();
            }

            return ValueTask.FromResult(StageResult.Continue);
        }
    }
}

using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.EndToEnd;

/// <summary>
/// The default masking profile on real results: whatever a backend returns, no sensitive value
/// reaches the agent, an error or the audit log (checked in an export), and ordinary values survive.
/// </summary>
public sealed class MaskingTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;

    public async Task InitializeAsync() => _environment = await GatewayEnvironment.CreateAsync();

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task No_canary_leaves_the_gateway_in_results_errors_or_the_audit_log()
    {
        string[] texts;
        await using (var gateway = await InMemoryGateway.StartAsync(_environment, "test-agent"))
        {
            var json = await gateway.Client.HttpCallAsync("GET", "/api/pii");
            var text = await gateway.Client.HttpCallAsync("GET", "/api/pii-text");
            var refused = await gateway.Client.HttpCallAsync("GET", "/api/admin/jane.doe@example.com/ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8");

            json.Structured().GetProperty("status").GetInt32().Should().Be(200);
            text.Text().Should().Contain("[EMAIL]").And.Contain("2026.11.29").And.Contain("7f3c2a10-55b1-4c2e-9d3a-0b6a1e2f3c4d", "versions and ids are not sensitive");
            refused.IsError.Should().BeTrue();
            texts = [json.Text(), json.StructuredContent!.Value.GetRawText(), text.Text(), text.StructuredContent!.Value.GetRawText(), refused.Text()];
        }

        var export = await GatewayProcess.RunAsync(["audit", "export", "--format", "jsonl", "--config", _environment.ConfigPath]);
        export.ExitCode.Should().Be(0, export.StandardError);
        export.StandardOutput.Should().Contain("\"masked\"", "what was masked is counted in call.finished");
        foreach (var canary in Canaries.Values)
        {
            foreach (var shown in texts.Append(export.StandardOutput))
            {
                shown.Should().NotContain(canary);
            }
        }
    }
}

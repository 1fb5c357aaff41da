using McpGateway.Configuration;
using McpGateway.Policies.Classifiers.Kubernetes;
using McpGateway.Runtime;
using McpGateway.Tools.KubectlApply;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpGateway.IntegrationTests.Tools.Kubernetes;

/// <summary>
/// Custom kinds' scope comes from the cluster's discovery, held in the runtime snapshot: read in
/// the background, read again when a call names a kind it does not list (rate-limited), and a
/// cluster that is down leaves its custom kinds unknown — unparsed, never guessed.
/// </summary>
public sealed class KubernetesDiscoveryTests : IAsyncLifetime
{
    private static readonly StandInResource Widget = new("example.com", "v1", "Widget", "widgets", Namespaced: true);
    private KubernetesGatewaySetup _setup = null!;

    public async Task InitializeAsync() => _setup = await KubernetesGatewaySetup.CreateAsync();

    public async Task DisposeAsync() => await _setup.DisposeAsync();

    [Fact]
    public async Task A_custom_kind_the_cluster_serves_is_applied_on_its_discovered_path()
    {
        _setup.StandIn.AddCustomKind(Widget);
        await using var gateway = await _setup.StartAsync("lax");

        ModelContextProtocol.Protocol.CallToolResult result;
        var attempts = 0;
        do
        {
            // Discovery is read in the background: until it is, the kind is unknown and the call unparsed.
            await Task.Delay(100);
            result = await gateway.Client.ApplyAsync("apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }\nspec: { size: 3 }\n");
        }
        while (result.IsError == true && ++attempts < 50);

        result.Actions().Should().Equal("Widget w: created");
        _setup.StandIn.Store.Find("/apis/example.com/v1/namespaces/apps/widgets/w").Should().NotBeNull();
    }

    [Fact]
    public async Task A_kind_installed_later_is_picked_up_after_a_call_names_it_and_discovery_never_changes_a_built_in_scope()
    {
        using var runtime = GatewayRuntime.Load(ConfigurationLoader.LoadFile(_setup.Environment.ConfigPath), TimeProvider.System);
        using var refresher = new KubernetesDiscoveryRefresher(runtime, TimeProvider.System, NullLogger<KubernetesDiscoveryRefresher>.Instance);
        await refresher.RefreshDueAsync(CancellationToken.None);
        var arguments = System.Text.Json.JsonSerializer.SerializeToElement(new { cluster = "prod", manifest = "apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }\n" });

        var before = runtime.Engine.Evaluate("lax", "kubectl_apply", arguments);
        _setup.StandIn.AddCustomKind(Widget);
        var tooSoon = await refresher.RefreshDueAsync(CancellationToken.None);
        refresher.Decided("kubectl_apply", before, runtime.Current);
        var asked = await refresher.RefreshDueAsync(CancellationToken.None, minInterval: TimeSpan.Zero);
        var after = runtime.Engine.Evaluate("lax", "kubectl_apply", arguments);

        before.Classification!.IsUnparsed.Should().BeTrue();
        before.Classification.Facts.Get(KubectlApplyTool.UnknownKinds)!.Items.Should().Equal("example.com/v1/Widget");
        tooSoon.Should().BeFalse("nothing asked, and the last read is recent");
        asked.Should().BeTrue("the unknown kind asked for a new read, which found it");
        after.Classification!.IsUnparsed.Should().BeFalse();
        after.Effect.Should().Be(McpGateway.Policies.Model.PolicyEffect.Allow);
    }

    [Fact]
    public async Task A_group_version_that_fails_and_a_cluster_that_is_down_leave_kinds_unknown()
    {
        _setup.StandIn.AddCustomKind(Widget);
        _setup.StandIn.FailingGroupVersions["example.com/v1"] = true;
        using var runtime = GatewayRuntime.Load(ConfigurationLoader.LoadFile(_setup.Environment.ConfigPath), TimeProvider.System);
        using var refresher = new KubernetesDiscoveryRefresher(runtime, TimeProvider.System, NullLogger<KubernetesDiscoveryRefresher>.Instance);

        await refresher.RefreshDueAsync(CancellationToken.None);

        var prod = runtime.Current.Clients.Get<KubernetesConnection>("Kubernetes", "prod")!;
        var down = runtime.Current.Clients.Get<KubernetesConnection>("Kubernetes", "down")!;
        prod.Discovery.Current.Find("apps/v1", "Deployment").Should().NotBeNull();
        prod.Discovery.Current.Find("example.com/v1", "Widget").Should().BeNull();
        prod.Discovery.Current.Resources.Should().NotContain(r => r.Resource.Contains('/'), "subresources are not kinds");
        down.Discovery.Current.Resources.Should().BeEmpty();
        down.Discovery.LastError.Should().Contain("could not be reached");
    }
}

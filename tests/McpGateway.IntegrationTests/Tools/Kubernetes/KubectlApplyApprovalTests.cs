using System.Net;
using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.Tools.Kubernetes;

/// <summary>
/// A Secret waits for a platform lead (the reference rule) in a real <c>serve --http</c> process:
/// the lead sees the dry-run diff with the Secret's values only as hashes; the diff is computed
/// again at execution, and a live object that changed in between refuses the approved call.
/// </summary>
public sealed class KubectlApplyApprovalTests : IAsyncLifetime
{
    private const string Value = "zebra-quartz-approval-3141";
    private KubernetesGatewaySetup _setup = null!;
    private GatewayServer _server = null!;
    private string _deployerKey = null!;
    private string _leadKey = null!;

    public async Task InitializeAsync()
    {
        _setup = await KubernetesGatewaySetup.CreateAsync();
        _deployerKey = await _setup.Environment.CreateKeyAsync("deployer");
        _leadKey = await _setup.Environment.CreateKeyAsync("platform-lead");
        _server = await GatewayServer.StartAsync(_setup.Environment);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _setup.DisposeAsync();
    }

    [Fact]
    public async Task The_lead_sees_the_dry_run_diff_with_value_hashes_only_and_the_approved_call_creates_the_Secret()
    {
        await using var agent = await GatewayClients.HttpAsync(_server, _deployerKey, GatewayClients.Current);
        using var lead = new OperatorApi(_server, _leadKey);

        var pending = await agent.ApplyAsync(Manifests.Secret("db", Value, Convert.ToBase64String("second-zebra-value"u8)));
        var id = pending.ApprovalId();
        var (status, detail) = await lead.GetAsync($"api/approvals/{id}");
        var preview = detail["request"]!["preview"]!;
        (await lead.ApproveAsync(id)).Status.Should().Be(HttpStatusCode.OK);
        var collected = await agent.ApprovalStatusAsync(id);

        status.Should().Be(HttpStatusCode.OK);
        preview["mustMatchAtExecution"]!.GetValue<bool>().Should().BeTrue();
        var created = preview["detail"]!["objects"]![0]!;
        created["change"]!.GetValue<string>().Should().Be("create");
        created["object"]!["data"]!["plain"]!.GetValue<string>().Should().MatchRegex("^sha256:[0-9a-f]{8}$");
        created["object"]!["data"]!["encoded"]!.GetValue<string>().Should().MatchRegex("^sha256:[0-9a-f]{8}$");
        created["object"]!.AsObject().ContainsKey("stringData").Should().BeFalse();
        preview.ToJsonString().Should().NotContain(Value).And.NotContain("second-zebra-value").And.NotContain("resourceVersion").And.NotContain("managedFields");
        collected.IsError.Should().NotBe(true, collected.Text());
        collected.Actions().Should().Equal("Secret db: created");
        _setup.StandIn.Store.Find("/api/v1/namespaces/apps/secrets/db").Should().NotBeNull();
        (await _setup.AuditTextAsync()).Should().NotContain(Value).And.NotContain("second-zebra-value");
    }

    [Fact]
    public async Task A_live_object_that_changed_after_the_preview_refuses_the_approved_call()
    {
        await using var agent = await GatewayClients.HttpAsync(_server, _deployerKey, GatewayClients.Current);
        using var lead = new OperatorApi(_server, _leadKey);

        var pending = await agent.ApplyAsync(Manifests.Secret("db2", Value, Convert.ToBase64String("second-zebra-value"u8)));
        var id = pending.ApprovalId();

        // Someone else creates the object between the preview and the execution.
        _setup.StandIn.Store.ApplyAs("/api/v1/namespaces/apps/secrets/db2", KubeApiStandIn.BuiltIn[1], "apps", "db2", """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db2","namespace":"apps","labels":{"owner":"helm"}},"data":{"other":"b3RoZXItdmFsdWU="}}""", "helm");
        (await lead.ApproveAsync(id)).Status.Should().Be(HttpStatusCode.OK);
        var collected = await agent.ApprovalStatusAsync(id);

        collected.IsError.Should().BeTrue();
        collected.Text().Should().Contain("cannot be executed").And.Contain("preview no longer matches");
        var live = _setup.StandIn.Store.Find("/api/v1/namespaces/apps/secrets/db2")!;
        ((JsonObject)live["data"]!).ContainsKey("plain").Should().BeFalse("the approved apply did not run");
        _setup.StandIn.Requests.Should().NotContain(r => r.Method == "PATCH" && !r.IsDryRun && r.Target.Contains("/secrets/db2", StringComparison.Ordinal));
    }
}

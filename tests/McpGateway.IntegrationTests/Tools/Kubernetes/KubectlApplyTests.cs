using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.Tools.Kubernetes;

/// <summary>
/// <c>kubectl_apply</c> through a real MCP client against the loopback API server stand-in: dry
/// run first, then server-side apply in order as field manager mcp-gateway, per-object actions,
/// conflicts, failures that stop the apply, and credentials that never leave the gateway.
/// </summary>
public sealed class KubectlApplyTests : IAsyncLifetime
{
    private KubernetesGatewaySetup _setup = null!;
    private InMemoryGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _setup = await KubernetesGatewaySetup.CreateAsync();
        _gateway = await _setup.StartAsync("lax");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _setup.DisposeAsync();
    }

    [Fact]
    public async Task Apply_creates_then_reports_unchanged_and_configured_only_what_changed()
    {
        var created = await _gateway.Client.ApplyAsync(Manifests.Settings("fast") + "---\n" + Manifests.Deployment("web"));
        var again = await _gateway.Client.ApplyAsync(Manifests.Settings("fast") + "---\n" + Manifests.Deployment("web"));
        var changed = await _gateway.Client.ApplyAsync(Manifests.Settings("slow") + "---\n" + Manifests.Deployment("web"));

        created.IsError.Should().NotBe(true, created.Text());
        created.Actions().Should().Equal("ConfigMap settings: created", "Deployment web: created");
        again.Actions().Should().Equal("ConfigMap settings: unchanged", "Deployment web: unchanged");
        changed.Actions().Should().Equal(["ConfigMap settings: configured", "Deployment web: unchanged"], changed.Text());
        changed.Structured().GetProperty("applied").GetBoolean().Should().BeTrue();
        _setup.StandIn.Store.Find("/api/v1/namespaces/apps/configmaps/settings")!["data"]!["mode"]!.GetValue<string>().Should().Be("slow");

        var writes = _setup.StandIn.Requests.Where(r => r.Method == "PATCH").ToList();
        writes.Should().OnlyContain(r => r.ContentType == "application/apply-patch+yaml" && r.Target.Contains("fieldManager=mcp-gateway&force=false", StringComparison.Ordinal));
        writes.Take(2).Should().OnlyContain(r => r.IsDryRun, "every object is dry-run before any is applied");
        writes.Skip(2).Take(2).Should().OnlyContain(r => !r.IsDryRun);
    }

    [Fact]
    public async Task A_failed_dry_run_stops_the_call_before_anything_is_stored()
    {
        var result = await _gateway.Client.ApplyAsync(Manifests.Settings("fast") + "---\n" + Manifests.Deployment("broken", selector: false));

        result.IsError.Should().BeTrue();
        result.Actions().Should().Equal("ConfigMap settings: not attempted", "Deployment broken: failed");
        result.Text().Should().Contain("Nothing was applied").And.Contain("spec.selector").And.Contain("invalid");
        _setup.StandIn.Store.Count.Should().Be(0);
        _setup.StandIn.Requests.Should().NotContain(r => r.Method == "PATCH" && !r.IsDryRun);
    }

    [Fact]
    public async Task A_field_another_manager_owns_is_a_conflict_returned_with_the_field_and_the_manager_and_never_taken_over()
    {
        _setup.StandIn.Store.ApplyAs("/api/v1/namespaces/apps/configmaps/settings", KubeApiStandIn.BuiltIn[0], "apps", "settings", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"apps"},"data":{"mode":"slow"}}""", "kubectl-client-side-apply");

        var result = await _gateway.Client.ApplyAsync(Manifests.Settings("fast"));

        result.IsError.Should().BeTrue();
        var obj = result.Result().GetProperty("objects")[0];
        obj.GetProperty("action").GetString().Should().Be("failed");
        obj.GetProperty("reason").GetString().Should().Be("Conflict");
        obj.GetProperty("message").GetString().Should().Contain(".data.mode").And.Contain("kubectl-client-side-apply").And.Contain("forceConflicts").And.Contain("Remove those fields");
        _setup.StandIn.Store.Find("/api/v1/namespaces/apps/configmaps/settings")!["data"]!["mode"]!.GetValue<string>().Should().Be("slow");
        _setup.StandIn.Requests.Should().NotContain(r => r.Target.Contains("force=true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_apply_stops_at_the_first_failure_and_later_objects_are_not_attempted()
    {
        // A concurrent writer takes b's field between the dry run and the apply.
        _setup.StandIn.Store.BeforeApply["/api/v1/namespaces/apps/configmaps/b"] = store =>
            store.ApplyAs("/api/v1/namespaces/apps/configmaps/b", KubeApiStandIn.BuiltIn[0], "apps", "b", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b","namespace":"apps"},"data":{"mode":"theirs"}}""", "helm");

        var result = await _gateway.Client.ApplyAsync(Manifests.Map("a") + "---\n" + Manifests.Map("b") + "---\n" + Manifests.Map("c"));

        result.IsError.Should().BeTrue();
        result.Actions().Should().Equal("ConfigMap a: created", "ConfigMap b: failed", "ConfigMap c: not attempted");
        result.Text().Should().Contain("Stopped at the first failure");
        _setup.StandIn.Store.Find("/api/v1/namespaces/apps/configmaps/c").Should().BeNull();
        _setup.StandIn.Store.Find("/api/v1/namespaces/apps/configmaps/b")!["data"]!["mode"]!.GetValue<string>().Should().Be("theirs");
    }

    [Fact]
    public async Task A_server_with_a_certificate_from_another_authority_or_a_refused_token_gets_a_clear_error_without_the_credential()
    {
        var wrongCa = await _gateway.Client.ApplyAsync(Manifests.Settings("fast"), cluster: "wrong-ca");
        var afterCa = _setup.StandIn.Requests.Count(r => r.Method == "PATCH");
        var wrongToken = await _gateway.Client.ApplyAsync(Manifests.Settings("fast"), cluster: "wrong-token");

        wrongCa.IsError.Should().BeTrue();
        wrongCa.Text().Should().Contain("did not trust cluster 'wrong-ca'").And.Contain("other-ca.pem").And.NotContain(KubernetesGatewaySetup.ClusterToken);
        afterCa.Should().Be(0, "the TLS handshake fails before any request (and its token) is sent");
        wrongToken.IsError.Should().BeTrue();
        wrongToken.Text().Should().Contain("refused the gateway's credential (401").And.Contain("Targets:Kubernetes:wrong-token").And.NotContain(KubernetesGatewaySetup.WrongToken);
        _setup.StandIn.Store.Count.Should().Be(0);
        (await _setup.AuditTextAsync()).Should().NotContain(KubernetesGatewaySetup.WrongToken).And.NotContain(KubernetesGatewaySetup.ClusterToken);
    }

    [Fact]
    public async Task A_client_certificate_or_a_kubeconfig_authenticates_and_a_certificate_of_another_ca_does_not()
    {
        var certified = await _gateway.Client.ApplyAsync(Manifests.Map("by-cert"), cluster: "by-certificate");
        var fromKubeconfig = await _gateway.Client.ApplyAsync(Manifests.Map("by-kubeconfig"), cluster: "by-kubeconfig");
        var kubeconfigToken = await _gateway.Client.ApplyAsync(Manifests.Map("by-kubeconfig-token"), cluster: "by-kubeconfig-token");
        var stored = _setup.StandIn.Store.Count;
        var foreign = await _gateway.Client.ApplyAsync(Manifests.Map("foreign"), cluster: "foreign-certificate");

        certified.IsError.Should().NotBe(true, certified.Text());
        certified.Actions().Should().Equal("ConfigMap by-cert: created");
        fromKubeconfig.IsError.Should().NotBe(true, fromKubeconfig.Text());
        fromKubeconfig.Actions().Should().Equal("ConfigMap by-kubeconfig: created");
        kubeconfigToken.IsError.Should().NotBe(true, kubeconfigToken.Text());
        _setup.StandIn.Requests.Where(r => r.Method == "PATCH" && r.Target.Contains("/by-cert", StringComparison.Ordinal)).Should().OnlyContain(r => r.Token == null, "the certificate, not a token, authenticated it");
        foreign.IsError.Should().BeTrue();
        foreign.Text().Should().Contain("refused the gateway's credential (401").And.Contain("Targets:Kubernetes:foreign-certificate").And.NotContain("PRIVATE KEY");
        _setup.StandIn.Store.Count.Should().Be(stored, "nothing was stored for the foreign certificate");
        var audit = await _setup.AuditTextAsync();
        audit.Should().NotContain("PRIVATE KEY").And.NotContain(KubernetesGatewaySetup.ClusterToken);
    }

    [Fact]
    public async Task A_rotated_token_file_is_used_by_the_next_request()
    {
        var first = await _gateway.Client.ApplyAsync(Manifests.Map("one"));
        const string rotated = "kube-token-rotated-77d0c2a9e1f3";
        File.WriteAllText(_setup.TokenFile, rotated);
        _setup.StandIn.Token = rotated;

        var second = await _gateway.Client.ApplyAsync(Manifests.Map("two"));

        first.IsError.Should().NotBe(true, first.Text());
        second.IsError.Should().NotBe(true, second.Text());
        _setup.StandIn.Requests.Where(r => r.Method == "PATCH").Select(r => r.Token).Distinct().Should().Equal(KubernetesGatewaySetup.ClusterToken, rotated);
        second.Text().Should().NotContain(rotated);
    }

    [Fact]
    public async Task A_Secrets_values_never_reach_the_result_an_error_or_the_audit_log()
    {
        const string plain = "zebra-quartz-917-plain";
        const string badData = "not*base64*zebra-42";
        var invalid = await _gateway.Client.ApplyAsync(Manifests.Secret("bad", plain, badData));
        var applied = await _gateway.Client.ApplyAsync(Manifests.Secret("db", plain, Convert.ToBase64String("encoded-zebra-value-5"u8)));

        invalid.IsError.Should().BeTrue();
        invalid.Text().Should().Contain("data[encoded]").And.Contain("invalid");
        applied.Actions().Should().Equal("Secret db: created");
        _setup.StandIn.Store.Find("/api/v1/namespaces/apps/secrets/db")!["data"]!["plain"]!.GetValue<string>().Should().Be(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(plain)), "the value did reach the cluster");
        string[] values = [plain, badData, Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(plain)), "encoded-zebra-value-5", Convert.ToBase64String("encoded-zebra-value-5"u8)];
        var seen = invalid.Text() + invalid.Result().GetRawText() + applied.Text() + applied.Result().GetRawText() + await _setup.AuditTextAsync();
        foreach (var value in values)
        {
            seen.Should().NotContain(value);
        }
    }

    [Fact]
    public async Task A_cluster_that_is_down_does_not_block_start_up_and_gives_a_clear_error()
    {
        var result = await _gateway.Client.ApplyAsync(Manifests.Settings("fast"), cluster: "down");
        var custom = await _gateway.Client.ApplyAsync("apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }\n", cluster: "down");

        result.IsError.Should().BeTrue();
        result.Text().Should().Contain("Cluster 'down' could not be reached").And.Contain("connection refused").And.Contain("nothing was applied");
        custom.IsError.Should().BeTrue();
        custom.Text().Should().Contain("neither a built-in kind nor one that cluster 'down' serves");
    }
}

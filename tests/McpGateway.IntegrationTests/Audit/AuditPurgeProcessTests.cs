using System.Net;
using System.Text.Json.Nodes;
using McpGateway.Audit.RequestHashing;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.Audit;

/// <summary>
/// Purge, keyed request hashes and reload records in a real <c>serve --http</c> process and the
/// real <c>audit</c> and <c>policy</c> verbs on its store.
/// </summary>
public sealed class AuditPurgeProcessTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;
    private GatewayServer _server = null!;
    private string _agent = null!;
    private string _operator = null!;
    private string _auditor = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        _environment.WriteConfiguration(false, timings: new JsonObject { ["ReloadPoll"] = "200ms" });
        _agent = await _environment.CreateKeyAsync("test-agent");
        _operator = await _environment.CreateKeyAsync("approver");
        _auditor = await _environment.CreateKeyAsync("auditor");

        // Issuing keys above loaded a runtime on this data folder; serve must find no key file, as on a first run.
        Directory.Delete(Path.GetDirectoryName(RequestHashKeySource.DefaultPath(_environment.DataDirectory))!, recursive: true);
        _server = await GatewayServer.StartAsync(_environment);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _environment.DisposeAsync();
    }

    [Fact]
    public async Task Only_an_auditor_may_purge_operators_agents_and_callers_without_a_key_are_refused()
    {
        await CallAsync("/api/echo/order-1");
        var body = new JsonObject { ["identity"] = "test-agent", ["before"] = "2100-01-01T00:00:00Z" };
        var past = new JsonObject { ["identity"] = "test-agent", ["before"] = DateTimeOffset.UtcNow.ToString("O") };

        var asOperator = await PostAsync(_operator, past);
        var asAgent = await PostAsync(_agent, past);
        var anonymous = await PostAsync(null, past);
        var future = await PostAsync(_auditor, body);
        var noIdentity = await PostAsync(_auditor, new JsonObject { ["before"] = past["before"]!.GetValue<string>() });

        asOperator.Status.Should().Be(HttpStatusCode.Forbidden);
        asAgent.Status.Should().Be(HttpStatusCode.Forbidden);
        anonymous.Status.Should().Be(HttpStatusCode.Unauthorized);
        future.Status.Should().Be(HttpStatusCode.BadRequest);
        noIdentity.Status.Should().Be(HttpStatusCode.BadRequest);
        var chain = await _environment.AuditEntriesAsync();
        chain.Should().NotContain(e => e.Type == "audit.purged");
        chain.Where(e => e.Ids.Identity == "test-agent").Should().OnlyContain(e => e.Payload != null, "a refused purge purges nothing");
    }

    [Fact]
    public async Task An_auditor_purges_through_the_cli_verify_still_passes_and_counts_the_purged_entries()
    {
        await CallAsync("/api/echo/order-2");
        await CallAsync("/api/echo/order-3");
        var url = _server.BaseUrl.ToString();

        var purge = await GatewayProcess.RunAsync(["audit", "purge", "--url", url, "--identity", "test-agent", "--before", DateTimeOffset.UtcNow.ToString("O"), "--reason", "erasure ticket 12"], new Dictionary<string, string?> { ["MCPGW_OPERATOR_KEY"] = _auditor });
        var asOperator = await GatewayProcess.RunAsync(["audit", "purge", "--url", url, "--identity", "test-agent", "--before", DateTimeOffset.UtcNow.ToString("O")], new Dictionary<string, string?> { ["MCPGW_OPERATOR_KEY"] = _operator });
        var verify = await GatewayProcess.RunAsync(["audit", "verify", "--config", _environment.ConfigPath]);

        var chain = await _environment.AuditEntriesAsync();
        var agents = chain.Where(e => e.Ids.Identity == "test-agent").ToList();
        agents.Should().HaveCountGreaterThanOrEqualTo(4, "two calls, each started and finished").And.OnlyContain(e => e.Payload == null, "the headers stay");
        purge.ExitCode.Should().Be(0, purge.StandardError);
        purge.StandardOutput.Should().Contain($"Purged the payloads of {agents.Count} entries");
        asOperator.ExitCode.Should().Be(1);
        asOperator.StandardError.Should().Contain("403");
        verify.ExitCode.Should().Be(0, verify.StandardOutput + verify.StandardError);
        verify.StandardOutput.Should().Contain("audit chain OK").And.Contain($"{agents.Count} with purged payloads");
        var record = chain.Should().ContainSingle(e => e.Type == "audit.purged").Subject;
        record.Ids.Identity.Should().Be("auditor");
        record.Payload.Should().Contain("erasure ticket 12").And.Contain($"\"entries\":{agents.Count}").And.NotContain("/api/echo");
    }

    [Fact]
    public async Task Calls_record_a_keyed_request_hash_under_a_key_made_on_first_run_with_a_warning()
    {
        await CallAsync("/api/echo/order-4");

        var started = (await _environment.AuditEntriesAsync()).First(e => e.Type == "call.started");
        var payload = (JsonObject)started.PayloadJson()!;
        var keyFile = RequestHashKeySource.DefaultPath(_environment.DataDirectory);

        payload["requestHmac"]!.GetValue<string>().Should().MatchRegex("^[0-9a-f]{64}$");
        payload.ContainsKey("requestSha256").Should().BeFalse();
        payload["requestHmacKeyId"]!.GetValue<string>().Should().Be(new RequestHasher(System.Text.Encoding.UTF8.GetBytes(File.ReadAllText(keyFile).Trim())).KeyId);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(keyFile).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        _server.Log.Should().Contain("a request-hash key was created").And.NotContain(File.ReadAllText(keyFile).Trim());
    }

    [Fact]
    public async Task A_reload_caused_by_a_secret_file_is_recorded_as_such_and_policy_show_prints_each_revision()
    {
        await File.WriteAllTextAsync(Path.Combine(_environment.Root, "service.token"), "svc-tok-rotated-0000000000000000");
        var secretReload = await WaitForAsync("config.reloaded", 1);
        var original = await File.ReadAllTextAsync(_environment.PolicyFile);
        await File.WriteAllTextAsync(_environment.PolicyFile, original + "\n# a comment changes the revision\n");
        var bundleReload = await WaitForAsync("config.reloaded", 2);

        var secret = (JsonObject)secretReload.PayloadJson()!;
        secret["bundleChanged"]!.GetValue<bool>().Should().BeFalse();
        secret["changed"]!["secrets"]!.AsArray().Select(s => s!.GetValue<string>()).Should().Equal("{file:service.token}");
        secretReload.Payload.Should().NotContain("svc-tok");
        _server.Log.Should().Contain("secret {file:service.token} changed").And.Contain("policy bundle unchanged");
        var bundle = (JsonObject)bundleReload.PayloadJson()!;
        var from = bundle["revision"]!["from"]!.GetValue<string>();
        var to = bundle["revision"]!["to"]!.GetValue<string>();
        to.Should().NotBe(from);
        bundle["changed"]!["policyFiles"]!["changed"]!.AsArray().Select(s => s!.GetValue<string>()).Should().Equal("gateway.yaml");

        var showOld = await GatewayProcess.RunAsync(["policy", "show", "--revision", from[..12], "--config", _environment.ConfigPath]);
        var showNew = await GatewayProcess.RunAsync(["policy", "show", "--revision", to, "--config", _environment.ConfigPath]);
        var unknown = await GatewayProcess.RunAsync(["policy", "show", "--revision", "0123456789ab", "--config", _environment.ConfigPath]);

        showOld.ExitCode.Should().Be(0, showOld.StandardError);
        showOld.StandardOutput.Should().Contain($"revision {from}").And.Contain("--- gateway.yaml sha256:").And.Contain("agent-reads-api").And.NotContain("a comment changes the revision");
        showNew.StandardOutput.Should().Contain("# a comment changes the revision");
        unknown.ExitCode.Should().Be(1);
        unknown.StandardError.Should().StartWith("error: no stored policy revision");
    }

    private async Task CallAsync(string path)
    {
        await using var client = await GatewayClients.HttpAsync(_server, _agent, GatewayClients.Current);
        var result = await client.HttpCallAsync("GET", path);
        result.IsError.Should().NotBe(true);
    }

    private async Task<McpGateway.Audit.AuditEntry> WaitForAsync(string type, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var found = (await _environment.AuditEntriesAsync()).Where(e => e.Type == type).ToList();
            if (found.Count >= count)
            {
                return found[count - 1];
            }

            await Task.Delay(100, timeout.Token);
        }
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string? key, JsonObject body)
    {
        using var http = new HttpClient { BaseAddress = _server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/audit/purge") { Content = System.Net.Http.Json.JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}

using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;
using ModelContextProtocol.Client;

namespace McpGateway.IntegrationTests.Audit;

/// <summary>
/// SIEM forwarding from real <c>serve --http</c> processes to a real receiver on loopback: the
/// chain arrives in order and signed, the lag shows in <c>/healthz</c>, an outage (503, then the
/// receiver down) across a restart of the gateway loses nothing and sends nothing acknowledged
/// twice, and neither the URL nor the key reaches a log, the chain or a batch.
/// </summary>
public sealed class AuditForwardingProcessTests : IAsyncLifetime
{
    private const string SigningKey = "siem-hmac-key-0c9d8e7f6a5b";
    private GatewayEnvironment _environment = null!;
    private string? _auditorKey;
    private SiemReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        _receiver = SiemReceiver.Start();
        File.WriteAllText(Path.Combine(_environment.Root, "siem.key"), SigningKey);
        File.WriteAllText(Path.Combine(_environment.Root, "siem.url"), _receiver.Url.ToString());
        var config = JsonNode.Parse(File.ReadAllText(_environment.ConfigPath))!;
        config["McpGateway"]!["Audit"] = new JsonObject
        {
            ["Forwarding"] = new JsonObject { ["Url"] = "{file:siem.url}", ["SigningKey"] = "{file:siem.key}", ["BatchSize"] = 4, ["Interval"] = "200ms" },
        };
        File.WriteAllText(_environment.ConfigPath, config.ToJsonString());
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _environment.DisposeAsync();
    }

    [Fact]
    public async Task The_chain_reaches_the_siem_in_order_through_an_outage_and_a_restart_without_loss_or_secrets()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        var logs = new List<string>();

        // Forwarded while all is well, and the lag in /healthz drops to 0.
        var first = await GatewayServer.StartAsync(_environment);
        await CallsAsync(first, key, 3);
        var head = (await _environment.AuditEntriesAsync()).Count;
        var health = await WaitForHealthAsync(first, h => h["lagEntries"]!.GetValue<long>() == 0 && h["lastDeliveredSeq"]!.GetValue<long>() >= head, "forwarding caught up");
        health.ContainsKey("lastError").Should().BeFalse("lastError is there only after a failure");
        var delivered = _receiver.Accepted.SelectMany(b => b.Seqs).ToList();
        delivered.Should().Equal(Enumerable.Range(1, delivered.Count).Select(i => (long)i), "the chain arrives from its first entry, in order, each once");
        delivered.Count.Should().BeGreaterThanOrEqualTo(head);

        // The receiver answers 503: the same batch is retried under the same id, the cursor stays.
        _receiver.Status = 503;
        await CallsAsync(first, key, 2);
        await _receiver.WaitUntilAsync(r => r.Batches.Count(b => b.Status == 503) >= 2, "a retried batch");
        var refused = _receiver.Batches.Where(b => b.Status == 503).ToList();
        refused.Select(b => b.DeliveryId).Distinct().Should().HaveCount(1, "the delivery id is stable across retries of a batch");
        (await WaitForHealthAsync(first, h => h["lastError"]?.GetValue<string>() == "the receiver answered 503", "the 503 in /api/status"))["lagEntries"]!.GetValue<long>().Should().BePositive();
        first.Log.Should().Contain("Audit forwarding: attempt 1 of " + refused[0].DeliveryId).And.Contain("failed: the receiver answered 503");
        logs.Add(first.Log);
        await first.DisposeAsync();

        // The receiver is down when the gateway comes back: it resumes from the cursor, waits, loses nothing.
        await _receiver.StopAsync();
        await using (var second = await GatewayServer.StartAsync(_environment))
        {
            await WaitForHealthAsync(second, h => h["lastError"]?.GetValue<string>()?.StartsWith("the receiver could not be reached", StringComparison.Ordinal) == true, "the outage in /api/status");
            await CallsAsync(second, key, 1);
            _receiver.Status = 200;
            _receiver.Resume();
            head = (await _environment.AuditEntriesAsync()).Count;
            await WaitForHealthAsync(second, h => h["lagEntries"]!.GetValue<long>() == 0 && h["lastDeliveredSeq"]!.GetValue<long>() >= head, "forwarding caught up after the outage", seconds: 120);
            logs.Add(second.Log);
        }

        var chain = await _environment.AuditEntriesAsync();
        var accepted = _receiver.Accepted.SelectMany(b => b.Entries).ToList();
        accepted.Select(e => e["seq"]!.GetValue<long>()).Should().Equal(chain.Take(accepted.Count).Select(e => e.Seq), "every entry arrives once and in order; nothing acknowledged is sent again");
        accepted.Count.Should().BeGreaterThanOrEqualTo(head);
        accepted.Select(e => e["entryHash"]!.GetValue<string>()).Should().Equal(chain.Take(accepted.Count).Select(e => e.EntryHash), "they are the chain's entries");
        _receiver.Batches.Should().OnlyContain(b => b.SignedWith(SigningKey, DateTimeOffset.UtcNow) && b.Seqs.Count <= 4);
        _receiver.Batches.Should().OnlyContain(b => !b.Body.Contains(SigningKey, StringComparison.Ordinal));
        foreach (var text in logs.Concat(chain.Select(e => e.Payload ?? string.Empty)))
        {
            text.Should().NotContain(SigningKey).And.NotContain(_receiver.Url.ToString()).And.NotContain($"127.0.0.1:{_receiver.Port}");
        }
    }

    private static async Task CallsAsync(GatewayServer server, string key, int count)
    {
        await using var agent = await GatewayClients.HttpAsync(server, key, GatewayClients.Current);
        for (var i = 0; i < count; i++)
        {
            var result = await agent.CallToolAsync("http_call", new Dictionary<string, object?> { ["service"] = "loopback", ["method"] = "GET", ["path"] = $"/api/echo/forwarded-{i}" });
            result.IsError.Should().NotBe(true);
        }
    }

    /// <summary>Polls <c>/api/status</c> (generously, as an auditor) until its <c>forwarding</c> object satisfies <paramref name="done"/>.</summary>
    private async Task<JsonObject> WaitForHealthAsync(GatewayServer server, Func<JsonObject, bool> done, string what, int seconds = 60)
    {
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _auditorKey ??= await _environment.CreateKeyAsync("auditor"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        JsonNode? last = null;
        while (true)
        {
            last = JsonNode.Parse(await http.GetStringAsync("api/status"));
            if (last?["forwarding"] is JsonObject forwarding && done(forwarding))
            {
                return forwarding;
            }

            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"/api/status never showed {what}; it last answered {last?.ToJsonString()}");
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }
}

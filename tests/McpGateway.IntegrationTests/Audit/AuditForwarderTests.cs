using System.Security.Cryptography;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Audit.Checkpoints;
using McpGateway.Audit.Forwarding;
using McpGateway.Configuration;
using McpGateway.Delivery;
using McpGateway.IntegrationTests.Support;
using McpGateway.Pipeline;
using McpGateway.Runtime;
using McpGateway.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace McpGateway.IntegrationTests.Audit;

/// <summary>
/// The forwarder against a real SQLite store and a real receiver on loopback, one step at a time,
/// with a fake clock for the backoff: order, signatures, checkpoints, outages, restarts, the
/// lease, OCSF, and secrets kept out of what it says.
/// </summary>
public sealed class AuditForwarderTests : IAsyncLifetime
{
    private const string Key = "siem-signing-key-4e1b9c0d7a22";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
    private readonly string _folder = Directory.CreateTempSubdirectory("mcpgw-forward-").FullName;
    private readonly List<string> _log = [];
    private SiemReceiver _receiver = null!;
    private SqliteGatewayStore _store = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _receiver = SiemReceiver.Start();
        _store = await SqliteGatewayStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(_folder, "data", SqliteGatewayStore.FileName) }, _time, CancellationToken.None);
        var services = new ServiceCollection();
        services.AddHttpClient(SignedDelivery.ClientName).ConfigurePrimaryHttpMessageHandler(SignedDelivery.CreateHandler);
        _services = services.BuildServiceProvider(validateScopes: true);
        File.WriteAllText(Path.Combine(_folder, "siem.key"), Key);
        File.WriteAllText(Path.Combine(_folder, "siem.url"), _receiver.Url.ToString());
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _services.DisposeAsync();
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Batches_arrive_in_order_signed_with_the_newest_checkpoint_and_the_cursor_follows_the_acknowledgements()
    {
        using var runtime = Runtime(batchSize: 3);
        var forwarder = Forwarder(runtime, out var state);
        using var signingKey = new AuditSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256), "test", created: false);
        await AppendAsync(4);
        var head = (await _store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).ToListAsync()).Last();
        var signed = SignedCheckpoint.Sign(new CheckpointStatement(head.Seq, head.EntryHash, AuditChain.Truncate(_time.GetUtcNow()), signingKey.KeyId), signingKey);
        await _store.Audit.AppendAsync(new AuditAppend(AuditEventTypes.AuditCheckpoint, AuditIds.None, signed.ToPayload()), CancellationToken.None);
        await AppendAsync(2);

        while (await forwarder.ForwardAsync(CancellationToken.None))
        {
        }

        var batches = _receiver.Batches;
        batches.Select(b => b.Seqs.Count).Should().Equal([3, 3, 1], "batches hold at most BatchSize entries");
        batches.SelectMany(b => b.Seqs).Should().Equal([1, 2, 3, 4, 5, 6, 7], "entries arrive in chain order, each once");
        batches.Should().OnlyContain(b => b.SignedWith(Key, _time.GetUtcNow()) && b.Method == "POST" && b.ContentType!.StartsWith("application/x-ndjson", StringComparison.Ordinal));
        batches.Select(b => b.DeliveryId).Should().OnlyHaveUniqueItems();
        batches[0].Checkpoint.Should().BeNull("no checkpoint was known when the first batch was built");
        foreach (var batch in batches.Skip(1))
        {
            var anchor = CheckpointAnchor.TryParse(batch.Checkpoint!.ToJsonString(), 0, out var problem);
            anchor.Should().NotBeNull(problem);
            anchor!.CheckpointSeq.Should().Be(5);
            anchor.Checkpoint.Check(new CheckpointKeys().Add(signingKey.PublicKey)).Should().BeNull("the checkpoint line verifies with the gateway's public key");
        }

        batches[0].Entries[0]["entryHash"]!.GetValue<string>().Should().Be((await _store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).FirstAsync()).EntryHash);
        (await _store.Jobs.ReadPositionAsync(AuditForwarder.JobName, CancellationToken.None)).Should().Be(7);
        state.Current.Should().Be(new ForwardingStatus(0, 7, null));
    }

    [Fact]
    public async Task An_outage_loses_nothing_and_retries_the_same_whole_batch_under_the_same_id_with_backoff()
    {
        using var runtime = Runtime(batchSize: 4);
        var forwarder = Forwarder(runtime, out var state);
        await AppendAsync(6);

        // The receiver keeps the batch but answers 503: the acknowledgement is lost.
        _receiver.Status = 503;
        (await forwarder.ForwardAsync(CancellationToken.None)).Should().BeFalse();
        (await _store.Jobs.ReadPositionAsync(AuditForwarder.JobName, CancellationToken.None)).Should().Be(0, "the cursor moves only after a 2xx");
        state.Current!.LastError.Should().Be("the receiver answered 503");
        await forwarder.ForwardAsync(CancellationToken.None);
        _receiver.Batches.Should().HaveCount(1, "the retry waits for its backoff");

        // Then the receiver is down altogether.
        await _receiver.StopAsync();
        _time.Advance(SignedDelivery.Backoff(0));
        (await forwarder.ForwardAsync(CancellationToken.None)).Should().BeFalse();
        state.Current!.LastError.Should().StartWith("the receiver could not be reached");
        await AppendAsync(3);

        _receiver.Status = 200;
        _receiver.Resume();
        _time.Advance(SignedDelivery.Backoff(1) - TimeSpan.FromSeconds(1));
        await forwarder.ForwardAsync(CancellationToken.None);
        _receiver.Batches.Should().HaveCount(1, "the second retry waits twice as long as the first");
        _time.Advance(TimeSpan.FromSeconds(1));
        while (await forwarder.ForwardAsync(CancellationToken.None))
        {
        }

        var batches = _receiver.Batches;
        batches[0].DeliveryId.Should().Be(batches[1].DeliveryId, "a retry of the same batch carries the same delivery id");
        batches[0].Body.Should().Be(batches[1].Body, "and the same entries");
        _receiver.Accepted.SelectMany(b => b.Seqs).Should().Equal(Enumerable.Range(1, 9).Select(i => (long)i), "nothing is lost, and nothing acknowledged is sent again");
        batches.SelectMany(b => b.Seqs).GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).Should().Equal([1, 2, 3, 4], "only the whole unacknowledged batch was sent twice");
        state.Current.Should().Be(new ForwardingStatus(0, 9, null));
    }

    [Fact]
    public async Task A_restarted_forwarder_resumes_from_the_stored_cursor_and_a_second_replica_sends_nothing_while_the_first_holds_the_lease()
    {
        using var runtime = Runtime(batchSize: 2);
        var first = Forwarder(runtime, out _);
        var second = Forwarder(runtime, out var secondState);
        await AppendAsync(3);

        (await first.ForwardAsync(CancellationToken.None)).Should().BeTrue();
        (await second.ForwardAsync(CancellationToken.None)).Should().BeFalse("the first holds the forwarding lease");
        _receiver.Batches.Should().HaveCount(1);
        secondState.Current.Should().Be(new ForwardingStatus(1, 2, null), "a replica without the lease still reports the shared cursor and lag");

        // The first process is gone; once its lease ran out, a new one takes over from the cursor.
        _time.Advance(TimeSpan.FromMinutes(2));
        var restarted = Forwarder(runtime, out _);
        (await restarted.ForwardAsync(CancellationToken.None)).Should().BeTrue();
        _receiver.Batches.SelectMany(b => b.Seqs).Should().Equal([1, 2, 3]);
        _receiver.Batches[1].DeliveryId.Should().StartWith("fwd_3_3_");
    }

    [Fact]
    public async Task Ocsf_batches_carry_one_OCSF_event_per_entry()
    {
        using var runtime = Runtime(batchSize: 10, format: "ocsf");
        var forwarder = Forwarder(runtime, out _);
        await AppendAsync(2);

        (await forwarder.ForwardAsync(CancellationToken.None)).Should().BeTrue();

        var batch = _receiver.Batches.Single();
        batch.Entries.Should().HaveCount(2).And.OnlyContain(e => e["class_uid"]!.GetValue<int>() == 6003 && e["metadata"]!["version"]!.GetValue<string>() == OcsfMapper.SchemaVersion);
        batch.Seqs.Should().Equal([1, 2]);
        batch.SignedWith(Key, _time.GetUtcNow()).Should().BeTrue();
    }

    [Fact]
    public async Task A_plain_http_url_to_another_host_is_refused_and_neither_the_url_nor_the_key_is_ever_told()
    {
        const string url = "http://siem.example.test/secret-path-7f1c2a";
        File.WriteAllText(Path.Combine(_folder, "siem.url"), url);
        using var runtime = Runtime(batchSize: 10);
        var forwarder = Forwarder(runtime, out var state);
        await AppendAsync(1);

        (await forwarder.ForwardAsync(CancellationToken.None)).Should().BeFalse();

        state.Current!.LastError.Should().Be("the URL in {file:siem.url} is not https (plain http is allowed only to a loopback address)");
        (await _store.Jobs.ReadPositionAsync(AuditForwarder.JobName, CancellationToken.None)).Should().Be(0);
        _log.Should().NotBeEmpty().And.OnlyContain(line => !line.Contains(url, StringComparison.Ordinal) && !line.Contains(Key, StringComparison.Ordinal));
        runtime.Secrets.Current.Redact(url).Should().NotContain(url, "the URL is a held secret, redacted wherever it appears");
    }

    private async Task AppendAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _store.Audit.AppendAsync(new AuditAppend(AuditEventTypes.CallRefused, new AuditIds(CallId: "call-" + Guid.NewGuid().ToString("N")[..8], Identity: "bot"), new JsonObject { ["tool"] = "http_call", ["target"] = "billing" }), CancellationToken.None);
        }
    }

    private GatewayRuntime Runtime(int batchSize, string format = "jsonl")
    {
        Directory.CreateDirectory(Path.Combine(_folder, "policies"));
        File.WriteAllText(Path.Combine(_folder, "policies", "p.yaml"), "rules:\n  - name: reads\n    when: { tool: http_call }\n    effect: deny\n");
        var file = Path.Combine(_folder, "gateway.json");
        File.WriteAllText(file, $$"""
            { "McpGateway": { "DataDirectory": "data", "Policies": "policies",
                "Audit": { "Forwarding": { "Url": "{file:siem.url}", "SigningKey": "{file:siem.key}", "Format": "{{format}}", "BatchSize": {{batchSize}}, "Interval": "1s" } } } }
            """);
        var runtime = GatewayRuntime.Load(ConfigurationLoader.LoadFile(file), _time);
        return runtime;
    }

    private AuditForwarder Forwarder(GatewayRuntime runtime, out ForwardingState state)
    {
        state = new ForwardingState();
        return new AuditForwarder(_store, runtime, new GatewayInstance(), _services.GetRequiredService<IHttpClientFactory>(), state, _time, new ListLogger<AuditForwarder>(_log));
    }

    private sealed class ListLogger<T>(List<string> lines) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (lines)
            {
                lines.Add($"{eventId.Id} {formatter(state, exception)}");
            }
        }
    }
}

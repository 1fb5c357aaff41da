using McpGateway.Configuration;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Storage;

namespace McpGateway.Tests.Audit;

public class AuditChainTests
{
    protected virtual StoreKind Kind => StoreKind.Sqlite;

    [StoreFact]
    public async Task Appended_entries_chain_and_verify()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind);
        var first = await AppendAsync(temporary, "call.started", "c1");
        var second = await AppendAsync(temporary, "call.finished", "c1");

        first.Seq.Should().Be(1);
        first.PrevHash.Should().Be(AuditChain.Genesis);
        second.Seq.Should().Be(2);
        second.PrevHash.Should().Be(first.EntryHash);
        var result = await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None);
        result.Intact.Should().BeTrue(result.Problem);
        result.Entries.Should().Be(2);
        result.Head!.EntryHash.Should().Be(second.EntryHash);
    }

    [StoreFact]
    public async Task The_entry_hash_covers_exactly_the_documented_header()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind);
        var entry = await temporary.Store.Audit.AppendAsync(new AuditAppend("call.refused", new AuditIds("call-1", "s-1", null, "agent"), new JsonObject { ["b"] = 2, ["a"] = "x" }), CancellationToken.None);

        var header = $$"""{"approvalId":null,"callId":"call-1","identity":"agent","payloadHash":"{{entry.PayloadHash}}","prevHash":"{{AuditChain.Genesis}}","seq":1,"sessionId":"s-1","ts":"{{AuditChain.FormatTimestamp(entry.Timestamp)}}","type":"call.refused"}""";
        entry.EntryHash.Should().Be(AuditChain.HashText(header));
        entry.Payload.Should().Be("""{"a":"x","b":2}""");
        entry.PayloadHash.Should().Be(AuditChain.HashText("""{"a":"x","b":2}"""));
    }

    [StoreFact]
    public async Task A_start_carries_its_instance_and_lease_inside_the_hashed_payload()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind);
        var until = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var entry = await temporary.Store.Audit.AppendAsync(new AuditAppend(AuditEventTypes.CallStarted, new AuditIds("c"), [], new AuditLease("instance-7", until)), CancellationToken.None);

        entry.Payload.Should().Be("""{"lease":{"instanceId":"instance-7","until":"2030-01-01T00:00:00.000Z"}}""");
        var stored = await temporary.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).SingleAsync();
        stored.Lease.Should().Be(new AuditLease("instance-7", until));
    }

    [StoreFact]
    public async Task A_purged_payload_still_verifies_by_its_header()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind);
        await AppendAsync(temporary, "call.started", "c1");
        await AppendAsync(temporary, "call.finished", "c1");
        temporary.Execute("UPDATE audit_entries SET payload = NULL WHERE seq = 1;");

        var result = await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None);

        result.Intact.Should().BeTrue(result.Problem);
        result.Purged.Should().Be(1);
    }

    [StoreFact]
    public async Task Export_filters_by_time_and_identity_and_streams_json_lines()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind);
        await temporary.Store.Audit.AppendAsync(new AuditAppend("a", new AuditIds(Identity: "alice"), new JsonObject { ["n"] = 1 }), CancellationToken.None);
        await temporary.Store.Audit.AppendAsync(new AuditAppend("b", new AuditIds(Identity: "bob"), new JsonObject { ["n"] = 2 }), CancellationToken.None);
        using var writer = new StringWriter();

        var count = await AuditExporter.WriteJsonLinesAsync(temporary.Store.Audit, new AuditQuery(Identity: "bob"), writer, CancellationToken.None);
        var none = await AuditExporter.WriteJsonLinesAsync(temporary.Store.Audit, new AuditQuery(Since: DateTimeOffset.UtcNow.AddHours(1)), TextWriter.Null, CancellationToken.None);

        count.Should().Be(1);
        none.Should().Be(0);
        var line = JsonNode.Parse(writer.ToString().Trim())!;
        line["seq"]!.GetValue<long>().Should().Be(2);
        line["payload"]!["n"]!.GetValue<int>().Should().Be(2);
        line["entryHash"]!.GetValue<string>().Should().HaveLength(64);
    }

    [StoreFact]
    public async Task Exports_still_work_when_a_payload_was_replaced_by_something_that_is_not_json()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind);
        await AppendAsync(temporary, "call.started", "c1");
        temporary.Execute("UPDATE audit_entries SET payload = 'not json {' WHERE seq = 1;");
        using var jsonl = new StringWriter();
        using var ocsf = new StringWriter();

        await AuditExporter.WriteJsonLinesAsync(temporary.Store.Audit, AuditQuery.All, jsonl, CancellationToken.None);
        await AuditExporter.WriteOcsfAsync(temporary.Store.Audit, AuditQuery.All, ocsf, CancellationToken.None);
        var line = AuditTranscript.Line(await temporary.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).SingleAsync());

        JsonNode.Parse(jsonl.ToString())!["payload"]!.GetValue<string>().Should().Be("not json {");
        JsonNode.Parse(ocsf.ToString())!["unmapped"]!["payload"]!.GetValue<string>().Should().Be("not json {");
        line.Should().StartWith("#1 ");
        (await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None)).FirstBad.Should().Be(1);
    }

    [StoreFact]
    public async Task Threads_appending_at_once_keep_one_unbroken_chain()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind);

        await Parallel.ForAsync(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await temporary.Store.Audit.AppendAsync(new AuditAppend("t", new AuditIds($"c{i}"), new JsonObject { ["i"] = i }), ct));

        var result = await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None);
        result.Intact.Should().BeTrue(result.Problem);
        result.Entries.Should().Be(200);
    }

    [SqliteFact]
    public async Task An_append_the_store_cannot_make_durable_throws()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind, busyTimeout: TimeSpan.FromMilliseconds(300));
        await AppendAsync(temporary, "call.started", "c0");

        // Another writer holds the database: the append cannot become durable in time.
        using var blocker = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={temporary.DatabasePath};Pooling=False");
        blocker.Open();
        using var exclusive = blocker.CreateCommand();
        exclusive.CommandText = "BEGIN EXCLUSIVE;";
        exclusive.ExecuteNonQuery();

        var act = () => AppendAsync(temporary, "call.started", "c1");

        await act.Should().ThrowAsync<StoreUnavailableException>();
        exclusive.CommandText = "ROLLBACK;";
        exclusive.ExecuteNonQuery();
        (await temporary.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).CountAsync()).Should().Be(1, "nothing half-written remains");
    }

    [SqliteFact]
    public async Task An_append_to_a_corrupted_database_throws()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind);
        await AppendAsync(temporary, "call.started", "c0");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.WriteAllBytes(temporary.DatabasePath, new byte[8192]);

        var act = () => AppendAsync(temporary, "call.started", "c1");

        await act.Should().ThrowAsync<StoreUnavailableException>();
    }

    private static Task<AuditEntry> AppendAsync(TemporaryStore temporary, string type, string callId) =>
        temporary.Store.Audit.AppendAsync(new AuditAppend(type, new AuditIds(callId, "session", null, "agent"), new JsonObject { ["tool"] = "http_call" }), CancellationToken.None);
}

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class PostgresAuditChainTests : AuditChainTests, IPostgresStoreTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

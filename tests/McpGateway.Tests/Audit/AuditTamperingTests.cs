using McpGateway.Configuration;
using System.Text.Json.Nodes;
using McpGateway.Audit;

namespace McpGateway.Tests.Audit;

/// <summary>Every kind of tampering with a real SQLite file is caught, and the first bad entry named.</summary>
public class AuditTamperingTests
{
    protected virtual StoreKind Kind => StoreKind.Sqlite;

    [StoreTheory]
    [InlineData("UPDATE audit_entries SET payload = '{\"tool\":\"nothing-to-see\"}' WHERE seq = 3;", 3, "payload was changed")]
    [InlineData("UPDATE audit_entries SET type = 'call.finished' WHERE seq = 3;", 3, "header was changed")]
    [InlineData("UPDATE audit_entries SET ts = '2020-01-01T00:00:00.000Z' WHERE seq = 3;", 3, "header was changed")]
    [InlineData("UPDATE audit_entries SET identity = 'someone-else' WHERE seq = 3;", 3, "header was changed")]
    [InlineData("UPDATE audit_entries SET ts = 'yesterday' WHERE seq = 3;", 3, "malformed")]
    [InlineData("DELETE FROM audit_entries WHERE seq = 3;", 4, "entry 3 is missing")]
    [InlineData("DELETE FROM audit_entries WHERE seq IN (2, 3);", 4, "entries 2–3 are missing")]
    [InlineData("DELETE FROM audit_entries WHERE seq = 1;", 2, "entry 1 is missing")]
    [InlineData("DELETE FROM audit_entries WHERE seq = 3; UPDATE audit_entries SET seq = seq - 1 WHERE seq > 3;", 3, "does not chain to entry 2")]
    [InlineData("UPDATE audit_entries SET prev_hash = '0000000000000000000000000000000000000000000000000000000000000000' WHERE seq = 1; UPDATE audit_entries SET seq = 100 WHERE seq = 5;", 100, "missing")]
    public async Task Tampering_is_detected_at_the_first_bad_entry(string tampering, long firstBad, string problem)
    {
        await using var temporary = await ChainOfFiveAsync();

        temporary.Execute(tampering);
        var result = await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None);

        result.Intact.Should().BeFalse();
        result.FirstBad.Should().Be(firstBad);
        result.Problem.Should().Contain(problem);
    }

    [StoreFact]
    public async Task An_edit_with_a_recomputed_hash_is_caught_by_the_next_entry()
    {
        await using var temporary = await ChainOfFiveAsync();
        var original = await temporary.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).SingleAsync(e => e.Seq == 3);

        var forgedPayload = AuditChain.PayloadText(new JsonObject { ["tool"] = "forged" });
        var forgedPayloadHash = AuditChain.HashText(forgedPayload);
        var forgedHash = AuditChain.EntryHash(3, original.Timestamp, original.Type, original.Ids, original.PrevHash, forgedPayloadHash);
        temporary.Execute($"UPDATE audit_entries SET payload = '{forgedPayload}', payload_hash = '{forgedPayloadHash}', entry_hash = '{forgedHash}' WHERE seq = 3;");
        var result = await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None);

        result.FirstBad.Should().Be(4);
        result.Problem.Should().Contain("entry 3 was changed");
    }

    [StoreFact]
    public async Task An_inserted_entry_is_detected()
    {
        await using var temporary = await ChainOfFiveAsync();
        var entries = await temporary.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).ToListAsync();
        var second = entries[1];

        // A well-formed entry forged after entry 2, with entries 3..5 shifted up by one.
        var payload = AuditChain.PayloadText(new JsonObject { ["tool"] = "inserted" });
        var payloadHash = AuditChain.HashText(payload);
        var hash = AuditChain.EntryHash(3, second.Timestamp, "call.started", second.Ids, second.EntryHash, payloadHash);
        temporary.Execute("UPDATE audit_entries SET seq = seq + 10 WHERE seq >= 3; UPDATE audit_entries SET seq = seq - 9 WHERE seq >= 13;");
        temporary.Execute($"INSERT INTO audit_entries (seq, ts, type, call_id, session_id, identity, prev_hash, payload_hash, entry_hash, payload) VALUES (3, '{AuditChain.FormatTimestamp(second.Timestamp)}', 'call.started', '{second.Ids.CallId}', '{second.Ids.SessionId}', '{second.Ids.Identity}', '{second.EntryHash}', '{payloadHash}', '{hash}', '{payload}');");
        var result = await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None);

        result.FirstBad.Should().Be(4);
        result.Problem.Should().Contain("does not chain to entry 3");
    }

    [StoreFact]
    public async Task Swapped_entries_are_detected()
    {
        await using var temporary = await ChainOfFiveAsync();

        temporary.Execute("UPDATE audit_entries SET seq = 99 WHERE seq = 2; UPDATE audit_entries SET seq = 2 WHERE seq = 3; UPDATE audit_entries SET seq = 3 WHERE seq = 99;");
        var result = await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None);

        result.FirstBad.Should().Be(2);
        result.Problem.Should().Contain("does not chain to entry 1");
    }

    private async Task<TemporaryStore> ChainOfFiveAsync()
    {
        var temporary = await TemporaryStore.CreateAsync(Kind);
        for (var i = 1; i <= 5; i++)
        {
            await temporary.Store.Audit.AppendAsync(new AuditAppend(i % 2 == 1 ? "call.started" : "call.finished", new AuditIds($"c{(i + 1) / 2}", "s", null, "agent"), new JsonObject { ["tool"] = "http_call", ["n"] = i }), CancellationToken.None);
        }

        (await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None)).Intact.Should().BeTrue();
        return temporary;
    }
}

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class PostgresAuditTamperingTests : AuditTamperingTests, IPostgresStoreTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

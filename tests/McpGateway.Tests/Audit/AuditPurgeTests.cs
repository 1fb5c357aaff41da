using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Audit.Purge;
using McpGateway.Configuration;
using McpGateway.Storage;
using Microsoft.Extensions.Time.Testing;

namespace McpGateway.Tests.Audit;

/// <summary>
/// Purging payloads on the real SQLite store: headers stay and the chain verifies, the purge is
/// recorded without the purged content, and what was not purged is still protected.
/// </summary>
public class AuditPurgeTests : IAsyncLifetime
{
    protected virtual StoreKind Kind => StoreKind.Sqlite;

    private const string Marker = "card-4111-1111-1111-1111-secret-note";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private TemporaryStore _store = null!;

    public async Task InitializeAsync() => _store = await TemporaryStore.CreateAsync(Kind, _time);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private McpGateway.Storage.Relational.RelationalGatewayStore Store => _store.Store;

    private AuditPurgeService Purges => new(Store, new AuditRecorder(Store.Audit, new HeldSecrets(_time)), _time);

    [StoreFact]
    public async Task An_erasure_purges_only_the_identitys_older_payloads_keeps_every_header_and_verify_passes()
    {
        await SeedAsync();
        var headers = Headers();

        var result = await Purges.EraseAsync("auditor", new AuditPurgeSelector("alice", _time.GetUtcNow().AddMinutes(-30)), "erasure request 7", CancellationToken.None);

        var entries = await Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).ToListAsync();
        result.Entries.Should().Be(2, "alice's two entries from an hour ago, not her newer one");
        entries.Where(e => e.Ids.Identity == "alice").Select(e => e.Payload is null).Should().Equal(true, true, false);
        entries.Where(e => e.Ids.Identity == "bob").Should().OnlyContain(e => e.Payload != null);
        Headers().Take(headers.Count).Should().Equal(headers, "purging writes no header column and deletes no row");
        var verification = await AuditVerifier.VerifyAsync(Store.Audit, CancellationToken.None);
        verification.Intact.Should().BeTrue(verification.Problem);
        verification.Purged.Should().Be(2);
        verification.Entries.Should().Be(headers.Count + 1);
    }

    [StoreFact]
    public async Task The_purge_is_recorded_with_who_asked_the_selector_and_the_count_never_the_content()
    {
        await SeedAsync();

        var result = await Purges.EraseAsync("auditor", new AuditPurgeSelector("alice", _time.GetUtcNow().AddSeconds(1)), "ticket 9", CancellationToken.None);

        var record = result.Record!;
        record.Type.Should().Be(AuditEventTypes.AuditPurged);
        record.Ids.Identity.Should().Be("auditor");
        var payload = (JsonObject)record.PayloadJson()!;
        payload["kind"]!.GetValue<string>().Should().Be("erasure");
        payload["requestedBy"]!.GetValue<string>().Should().Be("auditor");
        payload["selector"]!["identity"]!.GetValue<string>().Should().Be("alice");
        payload["entries"]!.GetValue<long>().Should().Be(3);
        payload["reason"]!.GetValue<string>().Should().Be("ticket 9");
        record.Payload.Should().NotContain(Marker);
    }

    [StoreFact]
    public async Task A_tampered_payload_of_an_entry_that_was_not_purged_is_still_detected()
    {
        await SeedAsync();
        await Purges.EraseAsync("auditor", new AuditPurgeSelector("alice", _time.GetUtcNow().AddSeconds(1)), null, CancellationToken.None);
        var bob = (await Store.Audit.ReadAsync(new AuditQuery(Identity: "bob"), CancellationToken.None).ToListAsync())[0];

        _store.Execute($"UPDATE audit_entries SET payload = '{{\"note\":\"nothing to see\"}}' WHERE seq = {bob.Seq};");

        var verification = await AuditVerifier.VerifyAsync(Store.Audit, CancellationToken.None);
        verification.FirstBad.Should().Be(bob.Seq);
        verification.Problem.Should().Contain("payload was changed");
    }

    [StoreFact]
    public async Task A_purged_entry_cannot_be_given_back_a_different_payload_without_verify_failing()
    {
        await SeedAsync();
        await Purges.EraseAsync("auditor", new AuditPurgeSelector("alice", _time.GetUtcNow().AddSeconds(1)), null, CancellationToken.None);
        var purged = (await Store.Audit.ReadAsync(new AuditQuery(Identity: "alice"), CancellationToken.None).ToListAsync())[0];

        _store.Execute($"UPDATE audit_entries SET payload = '{{\"note\":\"an innocent call\"}}' WHERE seq = {purged.Seq};");

        (await AuditVerifier.VerifyAsync(Store.Audit, CancellationToken.None)).FirstBad.Should().Be(purged.Seq);
    }

    [StoreFact]
    public async Task Retention_purges_everyones_old_payloads_but_never_the_records_of_purges()
    {
        await SeedAsync();
        var erasure = await Purges.EraseAsync("auditor", new AuditPurgeSelector("nobody", _time.GetUtcNow()), null, CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(100));

        var retention = await Purges.RetainAsync(TimeSpan.FromDays(90), CancellationToken.None);
        var again = await Purges.RetainAsync(TimeSpan.FromDays(90), CancellationToken.None);

        retention.Entries.Should().Be(6);
        ((JsonObject)retention.Record!.PayloadJson()!)["kind"]!.GetValue<string>().Should().Be("retention");
        retention.Record.Ids.Identity.Should().BeNull();
        again.Record.Should().BeNull("a retention run that purges nothing records nothing");
        var entries = await Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).ToListAsync();
        entries.Single(e => e.Seq == erasure.Record!.Seq).Payload.Should().NotBeNull("audit.purged entries are the evidence of purges and are never purged");
        (await AuditVerifier.VerifyAsync(Store.Audit, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [StoreFact]
    public async Task Final_approval_requests_lose_their_stored_request_pending_ones_keep_what_they_need_to_run()
    {
        var final = Approval("apr_000000000000000000000001") with { Status = ApprovalStatus.Executed, FinalAt = _time.GetUtcNow() };
        var pending = Approval("apr_000000000000000000000002");
        foreach (var record in new[] { final, pending })
        {
            await Store.Approvals.OpenAsync(record, 10, opened => (new AuditAppend(AuditEventTypes.ApprovalRequested, new AuditIds(opened.CallId, null, opened.Id, opened.Requester), new JsonObject { ["approvalId"] = opened.Id }), []), CancellationToken.None);
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        var result = await Purges.EraseAsync("auditor", new AuditPurgeSelector("alice", _time.GetUtcNow().AddSeconds(1)), null, CancellationToken.None);

        result.Approvals.Should().Be(1);
        var purged = (await Store.Approvals.GetAsync(final.Id, CancellationToken.None))!;
        purged.Sensitive.Should().BeNull();
        purged.Detail.ToJsonString().Should().NotContain(Marker);
        purged.Detail["requirements"].Should().NotBeNull("who may approve stays");
        purged.RequestHash.Should().Be(final.RequestHash, "the binding is a keyed fingerprint, not the request");
        (await Store.Approvals.GetAsync(pending.Id, CancellationToken.None))!.Sensitive!.ToJsonString().Should().Contain(Marker);
    }

    /// <summary>Three entries of alice (two an hour ago) and three of bob, each carrying the marker.</summary>
    private async Task SeedAsync()
    {
        foreach (var identity in new[] { "alice", "bob", "alice", "bob" })
        {
            await Store.Audit.AppendAsync(Entry(identity), CancellationToken.None);
        }

        _time.Advance(TimeSpan.FromHours(1));
        await Store.Audit.AppendAsync(Entry("alice"), CancellationToken.None);
        await Store.Audit.AppendAsync(Entry("bob"), CancellationToken.None);
    }

    private static AuditAppend Entry(string identity) =>
        new(AuditEventTypes.CallStarted, new AuditIds("call-" + Guid.NewGuid().ToString("N")[..8], "s-1", null, identity), new JsonObject { ["tool"] = "http_call", ["note"] = Marker });

    private ApprovalRecord Approval(string id) => new()
    {
        Id = id,
        Status = ApprovalStatus.Pending,
        Requester = "alice",
        CallId = "c-" + id,
        Tool = "http_call",
        Target = "billing",
        RequestHash = "hmac-sha256:" + new string('a', 64),
        TargetHash = "t",
        Revision = "r",
        CreatedAt = _time.GetUtcNow(),
        ExpiresAt = _time.GetUtcNow().AddMinutes(15),
        Detail = new JsonObject { ["requirements"] = new JsonArray(), ["arguments"] = Marker, ["justification"] = Marker },
        Sensitive = new JsonObject { ["arguments"] = Marker },
    };

    /// <summary>Every column but the payload, per row.</summary>
    private List<string> Headers() =>
        _store.Rows("SELECT seq, ts, type, call_id, session_id, approval_id, identity, prev_hash, payload_hash, entry_hash, instance_id, lease_until FROM audit_entries ORDER BY seq;");
}

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class PostgresAuditPurgeTests : AuditPurgeTests, IPostgresStoreTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

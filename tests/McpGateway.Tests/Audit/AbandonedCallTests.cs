using McpGateway.Configuration;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using Microsoft.Extensions.Time.Testing;

namespace McpGateway.Tests.Audit;

public class AbandonedCallTests
{
    protected virtual StoreKind Kind => StoreKind.Sqlite;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [StoreFact]
    public async Task Only_starts_whose_lease_ended_without_a_finish_are_marked_once()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind, _time);
        var audit = temporary.Store.Audit;
        var now = _time.GetUtcNow();
        await Start(audit, "crashed", now.AddMinutes(1));
        await Start(audit, "still-running", now.AddHours(1));
        await Start(audit, "finished", now.AddMinutes(1));
        await audit.AppendAsync(new AuditAppend(AuditEventTypes.CallFinished, new AuditIds("finished"), []), CancellationToken.None);

        var early = await audit.MarkAbandonedAsync(now, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(2));
        var marked = await audit.MarkAbandonedAsync(_time.GetUtcNow(), CancellationToken.None);
        var again = await audit.MarkAbandonedAsync(_time.GetUtcNow(), CancellationToken.None);

        early.Should().BeEmpty("no lease has ended yet");
        marked.Should().ContainSingle().Which.Ids.CallId.Should().Be("crashed");
        marked[0].Type.Should().Be(AuditEventTypes.CallAbandoned);
        marked[0].Payload.Should().Contain("\"instanceId\":\"gw-old\"").And.Contain("\"startSeq\":1");
        again.Should().BeEmpty("a call is marked abandoned once");
        (await AuditVerifier.VerifyAsync(audit, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [StoreFact]
    public async Task Concurrent_markers_mark_each_call_once()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind, _time);
        for (var i = 0; i < 5; i++)
        {
            await Start(temporary.Store.Audit, $"c{i}", _time.GetUtcNow().AddSeconds(1));
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => temporary.Store.Audit.MarkAbandonedAsync(_time.GetUtcNow(), CancellationToken.None)));

        results.Sum(r => r.Count).Should().Be(5);
    }

    [StoreFact]
    public async Task A_lease_changed_beside_its_entry_is_caught_by_verify()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind, _time);
        await Start(temporary.Store.Audit, "live", _time.GetUtcNow().AddHours(1));

        temporary.Execute("UPDATE audit_entries SET lease_until = '2000-01-01T00:00:00.000Z' WHERE seq = 1;");
        var result = await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None);

        result.FirstBad.Should().Be(1);
        result.Problem.Should().Contain("lease columns were changed");
    }

    private static Task<AuditEntry> Start(IAuditStore audit, string callId, DateTimeOffset leaseUntil) =>
        audit.AppendAsync(new AuditAppend(AuditEventTypes.CallStarted, new AuditIds(callId, "s", null, "agent"), new JsonObject { ["tool"] = "http_call" }, new AuditLease("gw-old", leaseUntil)), CancellationToken.None);
}

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class PostgresAbandonedCallTests : AbandonedCallTests, IPostgresStoreTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

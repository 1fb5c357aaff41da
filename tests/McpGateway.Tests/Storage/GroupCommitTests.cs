using McpGateway.Configuration;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Storage;
using McpGateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace McpGateway.Tests.Storage;

/// <summary>
/// Group commit on the embedded store: concurrent appends share transactions, each caller gets its
/// own durable entry, the chain stays one valid chain, and a batch that cannot be written fails
/// every caller in it — then the store recovers by itself.
/// </summary>
public class GroupCommitTests
{
    protected virtual StoreKind Kind => StoreKind.Sqlite;

    [StoreFact]
    public async Task Concurrent_appends_share_commits_and_still_make_one_valid_chain_with_each_caller_its_own_entry()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind);
        const int Writers = 48, Each = 40;

        var results = await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var mine = new List<(string Call, AuditEntry Entry)>();
            for (var n = 0; n < Each; n++)
            {
                var call = $"call-{w:x4}-{n:x4}";
                mine.Add((call, await temporary.Store.Audit.AppendAsync(Entry(call), CancellationToken.None)));
            }

            return mine;
        })));

        var all = results.SelectMany(r => r).ToList();
        all.Should().AllSatisfy(r => r.Entry.Ids.CallId.Should().Be(r.Call, "each caller gets back the entry it appended"));
        all.Select(r => r.Entry.Seq).Order().Should().Equal(Enumerable.Range(1, Writers * Each).Select(i => (long)i));
        var verified = await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None);
        verified.Intact.Should().BeTrue(verified.Problem);
        verified.Entries.Should().Be(Writers * Each);
        var batches = temporary.Store.AuditBatches;
        batches.Entries.Should().Be(Writers * Each);
        batches.Commits.Should().BeLessThan(batches.Entries, "entries queued during a commit go into the next one together");
    }

    [StoreFact]
    public async Task Two_stores_on_one_database_appending_at_once_make_one_valid_chain()
    {
        await using var first = await TemporaryStore.CreateAsync(Kind);
        await using var second = await first.OpenAnotherAsync();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            var store = w % 2 == 0 ? first.Store : second;
            for (var n = 0; n < 25; n++)
            {
                await store.Audit.AppendAsync(Entry($"call-{w}-{n}"), CancellationToken.None);
            }
        })));

        var verified = await AuditVerifier.VerifyAsync(first.Store.Audit, CancellationToken.None);
        verified.Intact.Should().BeTrue(verified.Problem);
        verified.Entries.Should().Be(400);
    }

    [SqliteFact]
    public async Task A_batch_that_cannot_be_written_fails_every_caller_in_it_and_the_store_recovers_by_itself()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind, busyTimeout: TimeSpan.FromMilliseconds(300));
        await temporary.Store.Audit.AppendAsync(Entry("call-before"), CancellationToken.None);

        // Another process holds the write lock.
        using (var holder = new SqliteConnection($"Data Source={temporary.DatabasePath};Pooling=False"))
        {
            holder.Open();
            using var begin = holder.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();

            var attempts = Enumerable.Range(0, 12).Select(i => temporary.Store.Audit.AppendAsync(Entry($"call-locked-{i}"), CancellationToken.None)).ToList();
            foreach (var attempt in attempts)
            {
                var act = () => attempt;
                await act.Should().ThrowAsync<StoreUnavailableException>();
            }

            using var rollback = holder.CreateCommand();
            rollback.CommandText = "ROLLBACK;";
            rollback.ExecuteNonQuery();
        }

        var after = await temporary.Store.Audit.AppendAsync(Entry("call-after"), CancellationToken.None);

        after.Seq.Should().Be(2, "nothing of the failed batches was written");
        (await AuditVerifier.VerifyAsync(temporary.Store.Audit, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [StoreFact]
    public async Task A_caller_that_stops_waiting_does_not_take_its_entry_out_of_the_chain_or_break_it()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var act = () => temporary.Store.Audit.AppendAsync(Entry("call-gone"), cancelled.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
        var next = await temporary.Store.Audit.AppendAsync(Entry("call-next"), CancellationToken.None);

        // Queued before the caller left: written with its batch (a start whose caller left is later marked abandoned).
        var entries = await temporary.Store.Audit.ReadAsync(new AuditQuery(), CancellationToken.None).ToListAsync();
        entries.Select(e => e.Ids.CallId).Should().Equal("call-gone", "call-next");
        next.Seq.Should().Be(2);
    }

    private static AuditAppend Entry(string callId) =>
        new(AuditEventTypes.CallFinished, new AuditIds(callId, "s-test", null, "agent"), new JsonObject { ["outcome"] = "ok", ["excerpt"] = new string('x', 200) });
}

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class PostgresGroupCommitTests : GroupCommitTests, IPostgresStoreTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

using McpGateway.Configuration;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Storage;

namespace McpGateway.Tests.Approvals;

/// <summary>The approval store: conditional changes committed with their entries, the pending cap, identical requests, claims that only one writer wins.</summary>
public class ApprovalStoreTests : IAsyncLifetime
{
    protected virtual StoreKind Kind => StoreKind.Sqlite;

    private TemporaryStore _store = null!;

    public async Task InitializeAsync() => _store = await TemporaryStore.CreateAsync(Kind);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [StoreFact]
    public async Task A_request_is_stored_with_its_entry_and_an_identical_pending_one_is_returned_instead_of_a_second()
    {
        var (opening, stored) = await OpenAsync(Record("apr_000000000000000000000001", "h1"));
        var (again, existing) = await OpenAsync(Record("apr_000000000000000000000002", "h1"));

        opening.Should().Be(ApprovalOpening.Created);
        again.Should().Be(ApprovalOpening.Existing);
        existing!.Id.Should().Be(stored!.Id);
        (await _store.Store.Approvals.GetAsync("apr_000000000000000000000002", CancellationToken.None)).Should().BeNull();
        var entries = await _store.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).ToListAsync();
        entries.Should().ContainSingle(e => e.Type == AuditEventTypes.ApprovalRequested && e.Ids.ApprovalId == stored.Id);
        (await _store.Store.Approvals.GetAsync(stored.Id, CancellationToken.None))!.Detail["note"]!.GetValue<string>().Should().Be("kept");
    }

    [StoreFact]
    public async Task The_pending_cap_counts_only_live_pending_requests_of_the_requester()
    {
        await OpenAsync(Record("apr_000000000000000000000011", "a"), max: 2);
        await OpenAsync(Record("apr_000000000000000000000012", "b"), max: 2);
        var third = await OpenAsync(Record("apr_000000000000000000000013", "c"), max: 2);
        var otherRequester = await OpenAsync(Record("apr_000000000000000000000014", "c") with { Requester = "other" }, max: 2);

        third.Opening.Should().Be(ApprovalOpening.TooManyPending);
        otherRequester.Opening.Should().Be(ApprovalOpening.Created);
        (await _store.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).ToListAsync()).Should().HaveCount(3, "a refused request records nothing here");
    }

    [StoreFact]
    public async Task Of_many_concurrent_claims_exactly_one_wins()
    {
        var (_, record) = await OpenAsync(Record("apr_000000000000000000000021", "x") with { Status = ApprovalStatus.Approved });

        var claims = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => _store.Store.Approvals.ChangeAsync(record!.Id, current =>
            current.Status == ApprovalStatus.Approved
                ? new ApprovalChange<bool>(true, current with { Status = ApprovalStatus.Executing, ResultCallId = $"c-{i}" })
                : new ApprovalChange<bool>(false), CancellationToken.None))));

        claims.Count(c => c!.Result).Should().Be(1);
        (await _store.Store.Approvals.GetAsync(record!.Id, CancellationToken.None))!.Status.Should().Be(ApprovalStatus.Executing);
    }

    [StoreFact]
    public async Task A_change_that_fails_commits_nothing_neither_state_nor_vote_nor_entry()
    {
        var (_, record) = await OpenAsync(Record("apr_000000000000000000000031", "y"));
        var before = await _store.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).CountAsync();

        var act = () => _store.Store.Approvals.ChangeAsync<bool>(record!.Id, current => throw new InvalidOperationException("boom"), CancellationToken.None);
        var vote = new ApprovalVote("op", true, null, DateTimeOffset.UtcNow);
        var partial = () => _store.Store.Approvals.ChangeAsync(record!.Id, current => new ApprovalChange<bool>(true, current with { Id = "apr_other" }, vote, [Entry(current)]), CancellationToken.None);

        await act.Should().ThrowAsync<InvalidOperationException>();
        await partial.Should().ThrowAsync<InvalidOperationException>();
        var after = await _store.Store.Approvals.GetAsync(record!.Id, CancellationToken.None);
        after!.Votes.Should().BeEmpty();
        after.Status.Should().Be(ApprovalStatus.Pending);
        (await _store.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).CountAsync()).Should().Be(before);
    }

    [StoreFact]
    public async Task Job_leases_go_to_one_holder_until_they_end()
    {
        var now = DateTimeOffset.UtcNow;

        (await _store.Store.Jobs.TryAcquireAsync("sweep", "a", now, now.AddSeconds(10), CancellationToken.None)).Should().BeTrue();
        (await _store.Store.Jobs.TryAcquireAsync("sweep", "b", now.AddSeconds(1), now.AddSeconds(11), CancellationToken.None)).Should().BeFalse();
        (await _store.Store.Jobs.TryAcquireAsync("sweep", "a", now.AddSeconds(2), now.AddSeconds(12), CancellationToken.None)).Should().BeTrue("the holder renews");
        (await _store.Store.Jobs.TryAcquireAsync("sweep", "b", now.AddSeconds(13), now.AddSeconds(23), CancellationToken.None)).Should().BeTrue("an ended lease is taken over");
    }

    private Task<(ApprovalOpening Opening, ApprovalRecord? Record)> OpenAsync(ApprovalRecord record, int max = 10) =>
        _store.Store.Approvals.OpenAsync(record, max, opened => (Entry(opened), []), CancellationToken.None);

    private static AuditAppend Entry(ApprovalRecord record) =>
        new(AuditEventTypes.ApprovalRequested, new AuditIds(record.CallId, null, record.Id, record.Requester), new JsonObject { ["approvalId"] = record.Id });

    private static ApprovalRecord Record(string id, string hash) => new()
    {
        Id = id,
        Status = ApprovalStatus.Pending,
        Requester = "bot",
        CallId = "c-" + id,
        Tool = "http_call",
        Target = "billing",
        RequestHash = hash,
        TargetHash = "t",
        Revision = "r",
        CreatedAt = DateTimeOffset.UtcNow,
        ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(15),
        Detail = new JsonObject { ["note"] = "kept" },
        Sensitive = new JsonObject { ["arguments"] = "{}" },
    };
}

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class PostgresApprovalStoreTests : ApprovalStoreTests, IPostgresStoreTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

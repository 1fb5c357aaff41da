using System.Collections.Immutable;
using System.Text.Json.Nodes;
using McpGateway.Audit;

namespace McpGateway.Storage;

/// <summary>Where an approval request stands. Final states never change again.</summary>
public enum ApprovalStatus
{
    Pending,
    Approved,
    Denied,
    Expired,
    Cancelled,
    Executing,
    Executed,
    Failed,
}

/// <summary>The names of approval states, as stored, shown and accepted in filters.</summary>
public static class ApprovalStatusNames
{
    public static string Of(ApprovalStatus status) => status switch
    {
        ApprovalStatus.Pending => "pending",
        ApprovalStatus.Approved => "approved",
        ApprovalStatus.Denied => "denied",
        ApprovalStatus.Expired => "expired",
        ApprovalStatus.Cancelled => "cancelled",
        ApprovalStatus.Executing => "executing",
        ApprovalStatus.Executed => "executed",
        ApprovalStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParse(string? text, out ApprovalStatus status)
    {
        foreach (var candidate in Enum.GetValues<ApprovalStatus>())
        {
            if (Of(candidate) == text)
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    public static string All => string.Join(", ", Enum.GetValues<ApprovalStatus>().Select(Of));
}

/// <summary>One vote on an approval request: each is its own <c>approval.decided</c> entry.</summary>
/// <param name="Approver">The identity that voted.</param>
/// <param name="Approve">True to approve; any deny denies the request.</param>
/// <param name="Reason">The approver's reason.</param>
/// <param name="At">When.</param>
public sealed record ApprovalVote(string Approver, bool Approve, string? Reason, DateTimeOffset At);

/// <summary>
/// A stored approval request: a call of <see cref="Requester"/>, bound to the keyed fingerprint
/// of its canonical request and the SHA-256 of its target's configuration, waiting for (or past) an operator's
/// decision. <see cref="Detail"/> holds only masked data; <see cref="Sensitive"/> holds what is
/// needed to execute and what approvers may see unmasked (the arguments, the preview, the stored
/// result) and is deleted once the request is final plus the retention period.
/// </summary>
public sealed record ApprovalRecord
{
    public required string Id { get; init; }

    public required ApprovalStatus Status { get; init; }

    public required string Requester { get; init; }

    /// <summary>The requester's human owner, who may not approve either.</summary>
    public string? Owner { get; init; }

    public string? SessionId { get; init; }

    /// <summary>The call that asked for approval.</summary>
    public required string CallId { get; init; }

    public required string Tool { get; init; }

    public required string Target { get; init; }

    /// <summary>
    /// The canonical request's fingerprint (identity, tool, target, arguments): <c>hmac-sha256:&lt;hex&gt;</c>
    /// under the request-hash key; a bare hex SHA-256 on requests made before the key.
    /// </summary>
    public required string RequestHash { get; init; }

    /// <summary>SHA-256 (hex) of the target's non-secret configuration when the request was made.</summary>
    public required string TargetHash { get; init; }

    /// <summary>The bundle revision that asked for approval (recorded, not bound).</summary>
    public required string Revision { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When a pending request expires; once approved, when it must have run.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>The approver (or approvers, comma-separated) or the person who denied or cancelled.</summary>
    public string? DecidedBy { get; init; }

    public string? Reason { get; init; }

    /// <summary>The call that executed the request (the waiting call, or a later <c>approval_status</c>).</summary>
    public string? ResultCallId { get; init; }

    /// <summary>Until when the instance executing the request vouches for it.</summary>
    public DateTimeOffset? ExecutingUntil { get; init; }

    /// <summary>When the request reached a final state.</summary>
    public DateTimeOffset? FinalAt { get; init; }

    /// <summary>Masked detail: requirements, matched rules, facts, masked arguments, preview summary, justification.</summary>
    public required JsonObject Detail { get; init; }

    /// <summary>Unmasked arguments and preview, and the stored (masked) result; null once purged.</summary>
    public JsonObject? Sensitive { get; init; }

    public ImmutableArray<ApprovalVote> Votes { get; init; } = [];

    public bool IsFinal => Status is ApprovalStatus.Denied or ApprovalStatus.Expired or ApprovalStatus.Cancelled or ApprovalStatus.Executed or ApprovalStatus.Failed;
}

/// <summary>Which approvals to list; all filters optional.</summary>
public sealed record ApprovalFilter(ApprovalStatus? Status = null, string? Tool = null, string? Requester = null, int Limit = 100)
{
    /// <summary>Only requests whose pending or approved lifetime ended before this time (for expiry).</summary>
    public DateTimeOffset? ExpiresBefore { get; init; }

    /// <summary>Only requests still holding sensitive data that became final before this time (for retention).</summary>
    public DateTimeOffset? FinalBefore { get; init; }
}

/// <summary>
/// What one conditional change of an approval does, decided from the stored state inside the
/// write transaction: the new state (or none), a vote to add, and the audit entries that record
/// it — all committed together or not at all.
/// </summary>
public sealed record ApprovalChange<T>(T Result, ApprovalRecord? Updated = null, ApprovalVote? Vote = null, IReadOnlyList<AuditAppend>? Entries = null, IReadOnlyList<OutboxMessage>? Messages = null);

/// <summary>How opening a request went.</summary>
public enum ApprovalOpening
{
    Created,

    /// <summary>An identical request of the same requester is pending; its id is returned.</summary>
    Existing,

    /// <summary>The requester already has the most pending requests allowed.</summary>
    TooManyPending,
}

/// <summary>
/// Approval requests, durable and shared by every process on the store. Every change is a
/// conditional update in one write transaction with its audit entries, so two processes never
/// both approve, execute or expire the same request.
/// </summary>
public interface IApprovalStore
{
    /// <summary>
    /// Stores <paramref name="record"/> with its <c>approval.requested</c> entry, unless an
    /// identical request of the requester is pending (then that one is returned) or the requester
    /// has <paramref name="maxPending"/> pending requests.
    /// </summary>
    Task<(ApprovalOpening Opening, ApprovalRecord? Record)> OpenAsync(ApprovalRecord record, int maxPending, Func<ApprovalRecord, (AuditAppend Entry, IReadOnlyList<OutboxMessage> Messages)> requested, CancellationToken cancellationToken);

    Task<ApprovalRecord?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Requests matching <paramref name="filter"/>, newest first.</summary>
    Task<IReadOnlyList<ApprovalRecord>> ListAsync(ApprovalFilter filter, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the request inside a write transaction, lets <paramref name="decide"/> say what
    /// changes, and commits that change with its entries. Returns null when there is no such request.
    /// </summary>
    Task<ApprovalChange<T>?> ChangeAsync<T>(string id, Func<ApprovalRecord, ApprovalChange<T>> decide, CancellationToken cancellationToken);
}

/// <summary>Named leases for jobs that must run on one replica at a time (expiry sweeps, webhooks).</summary>
public interface IJobLeases
{
    /// <summary>Takes or renews the lease <paramref name="job"/> for <paramref name="holder"/> until <paramref name="until"/>; false when another holder's lease is still running.</summary>
    Task<bool> TryAcquireAsync(string job, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>How far the job <paramref name="job"/> got (for forwarding, the last seq a receiver acknowledged); 0 when it never moved.</summary>
    Task<long> ReadPositionAsync(string job, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the job's position forward to <paramref name="position"/> — never backwards — in one
    /// write transaction, and only while <paramref name="holder"/> still holds the job's lease at
    /// <paramref name="now"/>; false when the lease is lost (nothing changes then).
    /// </summary>
    Task<bool> AdvancePositionAsync(string job, string holder, long position, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>A message waiting to be delivered to a webhook, at least once, from whichever replica holds the delivery lease.</summary>
public sealed record OutboxMessage(string Id, string Webhook, string Body, DateTimeOffset CreatedAt, int Attempts, DateTimeOffset NextAttemptAt);

/// <summary>Messages to deliver (webhooks); written in the same transaction as what they announce.</summary>
public interface IOutbox
{
    Task EnqueueAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken);

    Task<IReadOnlyList<OutboxMessage>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    Task MarkDeliveredAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records a failed attempt; <paramref name="retryAt"/> null gives the message up.</summary>
    Task MarkFailedAsync(string id, string failure, DateTimeOffset? retryAt, CancellationToken cancellationToken);
}

using System.Text.Json;
using McpGateway.Audit;
using McpGateway.Policies;
using McpGateway.Policies.Evaluation;

namespace McpGateway.Pipeline;

/// <summary>Who is calling: the identity, the session and the client, as the transport established them.</summary>
/// <param name="Identity">The configured identity (from an API key or the anonymous identity).</param>
/// <param name="SessionId">The session the gateway assigned (see <see cref="SessionIds"/>).</param>
/// <param name="ClientName">The MCP client's name from its implementation info, if any.</param>
/// <param name="ClientVersion">The MCP client's version, if any.</param>
/// <param name="KeyId">The API key used, if any.</param>
public sealed record CallerInfo(IdentityInfo Identity, string SessionId, string? ClientName, string? ClientVersion, string? KeyId)
{
    /// <summary>What an identity provider's token said of the caller (issuer, subject, agent application); null for an API key or stdio.</summary>
    public Hosting.Authentication.Oidc.OidcCaller? Oidc { get; init; }
}

/// <summary>One tool call as it enters the pipeline.</summary>
public sealed record ToolCallRequest(CallerInfo Caller, string Tool, JsonElement Arguments)
{
    /// <summary>What was wrong with the call's shape (its params or arguments), when the transport could not read it; such a call is refused and recorded.</summary>
    public string? Malformed { get; init; }

    /// <summary>Why the agent makes the call (the optional <c>justification</c> argument): shown to approvers and recorded, never classified or hashed.</summary>
    public string? Justification { get; init; }

    /// <summary>
    /// Sends a progress message to the client while the call waits for approval; null when the
    /// client sent no progress token (it then gets a <c>pending</c> answer within a few seconds).
    /// </summary>
    public Func<string, CancellationToken, Task>? Progress { get; init; }

    /// <summary>
    /// For a call the gateway itself makes on a caller's behalf (a resource read): turns the
    /// policy's decision on the gateway's own statement into the one to apply. Never set from
    /// anything an agent sends.
    /// </summary>
    internal Func<Policies.Evaluation.PolicyDecision, Policies.Evaluation.PolicyDecision>? GatewayDecision { get; init; }
}

/// <summary>What goes back to the MCP client. Already masked.</summary>
/// <param name="CallId">Every result carries its call id.</param>
/// <param name="IsError">Whether the call failed or was refused.</param>
/// <param name="Text">The text content: the result summary or an actionable error.</param>
/// <param name="Structured">Structured content for successful calls.</param>
public sealed record ToolCallOutcome(string CallId, bool IsError, string Text, System.Text.Json.Nodes.JsonObject? Structured)
{
    /// <summary>The call waits for approval (its approval id is in the structured result); recorded as outcome <c>pending</c>.</summary>
    public bool Pending { get; init; }
}

/// <summary>The stages a call has passed; execution is refused unless the required ones ran.</summary>
[Flags]
public enum PipelineStages
{
    None = 0,
    Identified = 1,
    Decided = 2,
    Limited = 4,
    Started = 8,
    Executed = 16,
    Masked = 32,
}

/// <summary>The typed state of one call as it moves through the pipeline.</summary>
public sealed class ToolCallContext : IDisposable
{
    private readonly List<IDisposable> _held = [];

    public ToolCallContext(string callId, ToolCallRequest request, DateTimeOffset receivedAt, Runtime.RuntimeSnapshot snapshot)
    {
        CallId = callId;
        Request = request;
        ReceivedAt = receivedAt;
        Snapshot = snapshot;
        Stages = PipelineStages.Identified;
    }

    public string CallId { get; }

    /// <summary>The runtime the call is decided and executed with, captured once at its start.</summary>
    public Runtime.RuntimeSnapshot Snapshot { get; }

    public ToolCallRequest Request { get; }

    public DateTimeOffset ReceivedAt { get; }

    public PolicyDecision? Decision { get; set; }

    public AuditEntry? StartEntry { get; set; }

    /// <summary>The backend's result, before masking.</summary>
    public ToolResult? Result { get; set; }

    /// <summary>What masking found in the result (counts per detector or rule, never values).</summary>
    public Policies.Masking.MaskingReport? Masked { get; set; }

    /// <summary>The masked outcome, once the mask stage ran.</summary>
    public ToolCallOutcome? Outcome { get; set; }

    public PipelineStages Stages { get; private set; }

    /// <summary>The approval this call asked for, or runs for.</summary>
    public string? ApprovalId { get; set; }

    /// <summary>
    /// Set only by the approval flow, after it re-decided the call on the current snapshot and
    /// checked that the approval still holds: an approval decision may then execute.
    /// </summary>
    public bool ApprovalGranted { get; internal set; }

    public AuditIds Ids => new(CallId, Request.Caller.SessionId, ApprovalId, Request.Caller.Identity.Name);

    public void Completed(PipelineStages stage) => Stages |= stage;

    /// <summary>
    /// The run half of this call, resumed after approval on <paramref name="lease"/>'s snapshot
    /// (the current one): the same call id, start and approval, decided afresh.
    /// </summary>
    internal ToolCallContext Resume(Runtime.SnapshotLease lease)
    {
        var resumed = new ToolCallContext(CallId, Request, ReceivedAt, lease.Snapshot)
        {
            StartEntry = StartEntry,
            ApprovalId = ApprovalId,
            Stages = Stages & (PipelineStages.Identified | PipelineStages.Limited | PipelineStages.Started),
        };
        resumed.Hold(lease);
        return resumed;
    }

    /// <summary>Whether the call holds its concurrency slot (taken at admission, or by the run half).</summary>
    public bool HoldsConcurrency { get; private set; }

    /// <summary>Keeps the concurrency <paramref name="permit"/> until the call ends.</summary>
    public void HoldConcurrency(IDisposable permit)
    {
        _held.Add(permit);
        HoldsConcurrency = true;
    }

    /// <summary>Keeps <paramref name="resource"/> (the snapshot's lease) until the call ends.</summary>
    internal void Hold(IDisposable resource) => _held.Add(resource);

    public void Dispose()
    {
        // Last taken, first let go: the concurrency slot before the snapshot the call ran on.
        for (var i = _held.Count - 1; i >= 0; i--)
        {
            _held[i].Dispose();
        }

        _held.Clear();
    }

    /// <summary>Fails closed if any stage that must precede execution did not run or did not allow it.</summary>
    public void EnsureReadyToExecute()
    {
        const PipelineStages required = PipelineStages.Identified | PipelineStages.Decided | PipelineStages.Limited | PipelineStages.Started;
        var permitted = Decision?.Effect == Policies.Model.PolicyEffect.Allow
            || (Decision?.Effect == Policies.Model.PolicyEffect.Approval && ApprovalGranted && ApprovalId is not null);
        if ((Stages & required) != required || !permitted || StartEntry is null)
        {
            throw new InvalidOperationException($"Call {CallId} reached execution without passing every stage ({Stages}); refusing to execute.");
        }
    }
}

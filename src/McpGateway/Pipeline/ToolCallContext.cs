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
public sealed record CallerInfo(IdentityInfo Identity, string SessionId, string? ClientName, string? ClientVersion, string? KeyId);

/// <summary>One tool call as it enters the pipeline.</summary>
public sealed record ToolCallRequest(CallerInfo Caller, string Tool, JsonElement Arguments)
{
    /// <summary>What was wrong with the call's shape (its params or arguments), when the transport could not read it; such a call is refused and recorded.</summary>
    public string? Malformed { get; init; }
}

/// <summary>What goes back to the MCP client. Already masked.</summary>
/// <param name="CallId">Every result carries its call id.</param>
/// <param name="IsError">Whether the call failed or was refused.</param>
/// <param name="Text">The text content: the result summary or an actionable error.</param>
/// <param name="Structured">Structured content for successful calls.</param>
public sealed record ToolCallOutcome(string CallId, bool IsError, string Text, System.Text.Json.Nodes.JsonObject? Structured);

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

    /// <summary>The masked outcome, once the mask stage ran.</summary>
    public ToolCallOutcome? Outcome { get; set; }

    public PipelineStages Stages { get; private set; }

    public AuditIds Ids => new(CallId, Request.Caller.SessionId, null, Request.Caller.Identity.Name);

    public void Completed(PipelineStages stage) => Stages |= stage;

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
        if ((Stages & required) != required || Decision?.Effect != Policies.Model.PolicyEffect.Allow || StartEntry is null)
        {
            throw new InvalidOperationException($"Call {CallId} reached execution without passing every stage ({Stages}); refusing to execute.");
        }
    }
}

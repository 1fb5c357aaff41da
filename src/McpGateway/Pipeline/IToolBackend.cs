using System.Text.Json.Nodes;
using McpGateway.Policies.Model;
using McpGateway.Runtime;

namespace McpGateway.Pipeline;

/// <summary>The result of a backend call, before masking.</summary>
/// <param name="Structured">The structured result (the tool's output schema).</param>
/// <param name="Summary">A short text form for clients that show text only.</param>
public sealed record ToolResult(JsonObject Structured, string Summary);

/// <summary>
/// What a backend is given to execute one allowed call: immutable, typed by the tool's request,
/// and carrying the runtime snapshot the call was decided with (its configuration, its clients).
/// The pipeline has already applied the common obligations (<c>rate</c>, <c>concurrency</c>,
/// <c>timeout</c> through the cancellation token); the backend applies only its own.
/// </summary>
/// <typeparam name="TRequest">The tool's classified request, exactly what was checked.</typeparam>
public sealed record ExecutionRecord<TRequest>(
    string CallId,
    CallerInfo Caller,
    string Target,
    TRequest Request,
    IReadOnlyDictionary<string, ObligationValue> Obligations,
    RuntimeSnapshot Snapshot)
    where TRequest : class;

/// <summary>Executes the classified form of one tool's calls with gateway-held credentials.</summary>
/// <typeparam name="TRequest">The tool's classified request type.</typeparam>
public interface IToolBackend<TRequest>
    where TRequest : class
{
    /// <summary>
    /// Runs the call. Throws <see cref="ToolCallException"/> with an actionable message for
    /// failures the agent should see; anything else becomes a generic error. Cancellation of
    /// <paramref name="cancellationToken"/> (the client left, or the call's timeout passed)
    /// must stop the work.
    /// </summary>
    Task<ToolResult> ExecuteAsync(ExecutionRecord<TRequest> record, CancellationToken cancellationToken);
}

/// <summary>The pipeline's view of a backend: one per tool, whatever its request type.</summary>
internal interface IToolExecutor
{
    string Tool { get; }

    Task<ToolResult> ExecuteAsync(ToolCallContext context, CancellationToken cancellationToken);
}

/// <summary>
/// Hands a typed backend exactly the request that was classified; a call whose classification
/// produced no request of that type (it was not fully understood) is never executed.
/// </summary>
internal sealed class TypedToolExecutor<TRequest>(string tool, IToolBackend<TRequest> backend) : IToolExecutor
    where TRequest : class
{
    public string Tool => tool;

    public Task<ToolResult> ExecuteAsync(ToolCallContext context, CancellationToken cancellationToken)
    {
        var decision = context.Decision ?? throw new InvalidOperationException($"Call {context.CallId} has no decision.");
        if (decision.Classification?.Request is not TRequest request)
        {
            // A rule may allow 'unparsed' calls, but the gateway only sends what it fully understood.
            var why = decision.Classification is { IsUnparsed: true } c ? " " + string.Join(" ", c.UnparsedReasons) : string.Empty;
            throw new ToolCallException("The policy allows this call, but the gateway sends only requests it fully understood, and it did not understand this one." + why);
        }

        var record = new ExecutionRecord<TRequest>(context.CallId, context.Request.Caller, decision.Target ?? string.Empty, request, decision.Obligations, context.Snapshot);
        return backend.ExecuteAsync(record, cancellationToken);
    }
}

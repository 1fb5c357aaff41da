using System.Text.Json.Nodes;
using McpGateway.Policies.Model;
using McpGateway.Runtime;

namespace McpGateway.Pipeline;

/// <summary>
/// The typed result of a backend call, before masking: a JSON tree (the tool's output schema)
/// and, for tables, the columns. The pipeline masks the tree, never serialised text; the text
/// form for clients that show text only is made by <paramref name="Summarize"/> from the
/// <em>masked</em> tree.
/// </summary>
/// <param name="Structured">The structured result.</param>
/// <param name="Summarize">Makes the short text form from the masked tree.</param>
/// <param name="Columns">For tabular results: each column's name, type and source, when known.</param>
public sealed record ToolResult(JsonObject Structured, Func<JsonObject, string> Summarize, IReadOnlyList<ResultColumn>? Columns = null)
{
    /// <summary>
    /// For tabular results: the base columns the statement referenced (see <see cref="Policies.Masking.ReferencedColumns"/>);
    /// null means unknown, and column rules then mask every column without a known source wherever a ruled column may be read.
    /// </summary>
    public Policies.Masking.ReferencedColumns? Referenced { get; init; }

    /// <summary>
    /// The call reached the backend but did not do what was asked (a Kubernetes apply that stopped
    /// at a failure): the structured result still says what happened, and the client sees an error.
    /// </summary>
    public bool IsError { get; init; }
}

/// <summary>A column of a tabular result.</summary>
/// <param name="Name">The column's name as returned.</param>
/// <param name="Type">Its type as the backend names it (for example <c>text</c>, <c>int4</c>).</param>
/// <param name="Source">Where it comes from, <c>table.column</c>, when the backend says (masking rules match it).</param>
public sealed record ResultColumn(string Name, string Type, string? Source);

/// <summary>
/// What an approver sees of a call before deciding: a one-line summary, the detail as JSON
/// (never a secret value), and whether the preview must be computed again at execution and
/// match (a Kubernetes dry-run diff must; a fixed request need not).
/// </summary>
public sealed record ToolPreview(string Summary, JsonObject Detail, bool MustMatchAtExecution);

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

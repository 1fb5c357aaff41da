using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Hosting;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Model;
using Microsoft.Extensions.Logging;

namespace McpGateway.Pipeline;

/// <summary>
/// Every tool call runs here, in a fixed order: classify and decide → refuse (recorded) or
/// limit → record start (durable, or no execution) → execute → mask → record finish (always).
/// Identity is established before (by the transport); recording is the fixed last end. Every
/// failure becomes a masked, recorded <c>isError</c> result with an actionable message.
/// </summary>
public sealed class ToolCallPipeline
{
    private const int ExcerptLength = 2048;

    private readonly GatewayRuntime _runtime;
    private readonly AuditRecorder _audit;
    private readonly CallLimiter _limiter;
    private readonly GatewayInstance _instance;
    private readonly TimeProvider _time;
    private readonly ILogger<ToolCallPipeline> _logger;
    private readonly Dictionary<string, IToolBackend> _backends;

    public ToolCallPipeline(GatewayRuntime runtime, AuditRecorder audit, CallLimiter limiter, GatewayInstance instance, IEnumerable<IToolBackend> backends, TimeProvider time, ILogger<ToolCallPipeline> logger)
    {
        _runtime = runtime;
        _audit = audit;
        _limiter = limiter;
        _instance = instance;
        _time = time;
        _logger = logger;
        _backends = backends.ToDictionary(b => b.Tool, StringComparer.Ordinal);
    }

    public async Task<ToolCallOutcome> RunAsync(ToolCallRequest request, CancellationToken cancellationToken)
    {
        var context = new ToolCallContext(SessionIds.NewCallId(), request, _time.GetUtcNow());
        try
        {
            return await RunStagesAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            PipelineLog.PipelineFailed(_logger, context.CallId, ex);
            return Error(context, "The gateway failed while handling this call; it was not executed.");
        }
    }

    private async Task<ToolCallOutcome> RunStagesAsync(ToolCallContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var decision = _runtime.Engine.Evaluate(request.Caller.Identity.Name, request.Tool, request.Arguments);
        context.Decision = decision;
        context.Completed(PipelineStages.Decided);
        PipelineLog.Decided(_logger, context.CallId, request.Caller.Identity.Name, request.Tool, decision.Target, decision.Effect.ToName());

        if (decision.Effect != PolicyEffect.Allow)
        {
            var reasons = decision.Effect == PolicyEffect.Approval
                ? ["This call needs an operator's approval, and approvals are not available in this version of the gateway, so it was not executed.", .. decision.Reasons]
                : decision.Reasons;
            return await RefuseAsync(context, reasons, cancellationToken).ConfigureAwait(false);
        }

        var (permit, limited) = _limiter.TryAcquire(request.Caller.Identity.Name, decision.Target ?? string.Empty, decision.Obligations);
        if (permit is null)
        {
            return await RefuseAsync(context, [limited!], cancellationToken).ConfigureAwait(false);
        }

        using (permit)
        {
            context.Completed(PipelineStages.Limited);
            try
            {
                context.StartEntry = await _audit.RecordAsync(
                    new AuditAppend(AuditEventTypes.CallStarted, context.Ids, CallPayload(context), new AuditLease(_instance.Id, _time.GetUtcNow() + GatewayInstance.LeaseFor(decision))),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                PipelineLog.AuditFailed(_logger, context.CallId, AuditEventTypes.CallStarted, ex);
                return Error(context, "The audit log is unavailable, so the call was not executed. Retry later.");
            }

            context.Completed(PipelineStages.Started);
            return await ExecuteAndFinishAsync(context, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ToolCallOutcome> ExecuteAndFinishAsync(ToolCallContext context, CancellationToken cancellationToken)
    {
        ToolCallOutcome outcome;
        try
        {
            context.EnsureReadyToExecute();
            if (!_backends.TryGetValue(context.Request.Tool, out var backend))
            {
                throw new InvalidOperationException($"No backend executes {context.Request.Tool}.");
            }

            var result = await backend.ExecuteAsync(context, cancellationToken).ConfigureAwait(false);
            context.Completed(PipelineStages.Executed);
            outcome = Mask(context, result);
        }
        catch (ToolCallException ex)
        {
            outcome = Error(context, ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = Error(context, "The call was cancelled by the client.");
        }
        catch (Exception ex)
        {
            PipelineLog.BackendFailed(_logger, context.CallId, context.Request.Tool, ex);
            outcome = Error(context, $"The {context.Request.Tool} call failed inside the gateway; nothing more can be said safely.");
        }

        try
        {
            await _audit.RecordAsync(new AuditAppend(AuditEventTypes.CallFinished, context.Ids, FinishPayload(context, outcome)), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // What is not recorded is not returned.
            PipelineLog.AuditFailed(_logger, context.CallId, AuditEventTypes.CallFinished, ex);
            return Error(context, "The call ran, but its outcome could not be recorded in the audit log, so the result is withheld.");
        }

        return outcome;
    }

    private async Task<ToolCallOutcome> RefuseAsync(ToolCallContext context, IReadOnlyList<string> reasons, CancellationToken cancellationToken)
    {
        var payload = CallPayload(context);
        payload["refusal"] = new JsonArray([.. reasons.Select(r => (JsonNode?)JsonValue.Create(r))]);
        try
        {
            await _audit.RecordAsync(new AuditAppend(AuditEventTypes.CallRefused, context.Ids, payload), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            PipelineLog.AuditFailed(_logger, context.CallId, AuditEventTypes.CallRefused, ex);
        }

        var text = context.Decision?.Effect == PolicyEffect.Approval ? "Approval required. " : "Refused. ";
        return Error(context, text + string.Join(" ", reasons));
    }

    private ToolCallOutcome Mask(ToolCallContext context, ToolResult result)
    {
        // Profiles this version can apply: 'default' is held-secret redaction, applied to every
        // result anyway. A profile it cannot apply withholds the result rather than skip it.
        if (context.Decision!.Obligations.TryGetValue(Policies.Tools.CommonObligations.Mask, out var mask)
            && mask.Profiles.FirstOrDefault(p => p != "default") is { } unknown)
        {
            throw new ToolCallException($"Masking profile '{unknown}' cannot be applied by this gateway, so the result is withheld.");
        }

        try
        {
            var redactor = _runtime.Secrets.Current;
            var structured = (JsonObject)redactor.Redact(result.Structured)!;
            structured["callId"] = context.CallId;
            var text = redactor.Redact(result.Summary);
            context.Completed(PipelineStages.Masked);
            return new ToolCallOutcome(context.CallId, false, text, structured);
        }
        catch (Exception ex)
        {
            PipelineLog.MaskingFailed(_logger, context.CallId, ex);
            throw new ToolCallException("The result could not be masked, so it is withheld.", ex);
        }
    }

    /// <summary>An error result: masked, and naming the call id so an operator can find it.</summary>
    private ToolCallOutcome Error(ToolCallContext context, string message)
    {
        string masked;
        try
        {
            masked = _runtime.Secrets.Current.Redact(message);
        }
        catch (Exception)
        {
            masked = "The call failed, and its error could not be masked.";
        }

        return new ToolCallOutcome(context.CallId, true, $"{masked} (call id {context.CallId})", null);
    }

    private static JsonObject CallPayload(ToolCallContext context)
    {
        var decision = context.Decision;
        var caller = context.Request.Caller;
        return new JsonObject
        {
            ["tool"] = context.Request.Tool,
            ["target"] = decision?.Target,
            ["client"] = new JsonObject { ["name"] = caller.ClientName, ["version"] = caller.ClientVersion, ["keyId"] = caller.KeyId },
            ["arguments"] = RecordableArguments(context.Request.Arguments),
            ["requestSha256"] = CanonicalRequest.Hash(caller.Identity.Name, context.Request.Tool, decision?.Target, context.Request.Arguments),
            ["decision"] = decision?.ToJson(),
            ["receivedAt"] = AuditChain.FormatTimestamp(context.ReceivedAt),
        };
    }

    /// <summary>
    /// The arguments as recorded. Arguments that canonical JSON cannot hold (huge numbers, lone
    /// surrogates, duplicate names) are replaced by a note, so the refusal is still recorded; the
    /// request hash still fingerprints them.
    /// </summary>
    private static JsonNode? RecordableArguments(JsonElement arguments)
    {
        try
        {
            var node = JsonNode.Parse(arguments.ValueKind == JsonValueKind.Undefined ? "null" : arguments.GetRawText());
            CanonicalJson.Serialize(node);
            return node;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException or InvalidOperationException)
        {
            return new JsonObject { ["unrecordable"] = "The arguments are not valid I-JSON (RFC 7493) and are fingerprinted by requestSha256 only." };
        }
    }

    private JsonObject FinishPayload(ToolCallContext context, ToolCallOutcome outcome)
    {
        var excerpt = outcome.Text.Length > ExcerptLength ? outcome.Text[..ExcerptLength] : outcome.Text;
        return new JsonObject
        {
            ["tool"] = context.Request.Tool,
            ["target"] = context.Decision?.Target,
            ["outcome"] = outcome.IsError ? "error" : "ok",
            ["durationMs"] = (long)(_time.GetUtcNow() - context.ReceivedAt).TotalMilliseconds,
            ["resultExcerpt"] = excerpt,
            ["startSeq"] = context.StartEntry?.Seq,
        };
    }
}

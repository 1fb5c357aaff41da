using McpGateway.Policies.Model;
using McpGateway.Policies.Tools;
using Microsoft.Extensions.Logging;

namespace McpGateway.Pipeline.Stages;

/// <summary>Runs the classified request on the tool's backend, after checking every earlier stage ran.</summary>
internal sealed class ExecuteStage(IEnumerable<IToolExecutor> backends, TimeProvider time, ILogger<ExecuteStage> logger)
{
    private readonly Dictionary<string, IToolExecutor> _backends = backends.ToDictionary(b => b.Tool, StringComparer.Ordinal);

    public async ValueTask<StepResult> RunAsync(ToolCallContext context, CancellationToken cancellationToken)
    {
        context.EnsureReadyToExecute();
        if (!_backends.TryGetValue(context.Request.Tool, out var backend))
        {
            throw new InvalidOperationException($"No backend executes {context.Request.Tool}.");
        }

        // The common 'timeout' obligation bounds execution only, here, for every tool.
        var timeout = context.Decision!.Obligations.TryGetValue(CommonObligations.Timeout, out var limit) ? limit.Duration : CommonObligations.DefaultTimeout;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            context.Result = await backend.ExecuteAsync(context, linked.Token).ConfigureAwait(false);
            return StepResult.Continue;
        }
        catch (ToolCallException ex)
        {
            return StepResult.Fail(ex.Code, ex.Message, ex.Detail);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return StepResult.Fail(ToolErrorCodes.Timeout, $"The {context.Request.Tool} on '{context.Decision.Target}' did not finish within {DurationText.Format(timeout)} (its timeout), so it was cancelled. Retry later, or ask for less data.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return StepResult.Fail(ToolErrorCodes.Cancelled, "The call was cancelled by the client.");
        }
        catch (Exception ex)
        {
            PipelineLog.BackendFailed(logger, context.CallId, Policies.Text.PrintableText.Escape(context.Request.Tool, 64), ex);
            return StepResult.Fail(ToolErrorCodes.Internal, $"The {context.Request.Tool} call failed inside the gateway; nothing more can be said safely.");
        }
    }
}

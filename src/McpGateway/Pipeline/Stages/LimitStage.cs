namespace McpGateway.Pipeline.Stages;

/// <summary>Applies the decision's rate and concurrency obligations per identity and target.</summary>
internal sealed class LimitStage(CallLimiter limiter) : IToolCallStage
{
    public int Order => PipelineOrder.Limit;

    public PipelineStages Stage => PipelineStages.Limited;

    public ValueTask<StageResult> RunAsync(ToolCallContext context, CancellationToken cancellationToken)
    {
        var decision = context.Decision!;
        var (permit, refusal) = limiter.TryAcquire(context.Request.Caller.Identity.Name, decision.Target ?? string.Empty, decision.Obligations);
        if (permit is null)
        {
            return ValueTask.FromResult(StageResult.Refuse([refusal!]));
        }

        context.Hold(permit);
        return ValueTask.FromResult(StageResult.Continue);
    }
}

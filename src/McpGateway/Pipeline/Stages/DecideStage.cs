using McpGateway.Policies.Model;
using Microsoft.Extensions.Logging;

namespace McpGateway.Pipeline.Stages;

/// <summary>Classifies the call and decides it against the current policy snapshot.</summary>
internal sealed class DecideStage(ILogger<DecideStage> logger) : IToolCallStage
{
    public int Order => PipelineOrder.Decide;

    public PipelineStages Stage => PipelineStages.Decided;

    public ValueTask<StageResult> RunAsync(ToolCallContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.Malformed is { } malformed)
        {
            return ValueTask.FromResult(StageResult.Refuse([malformed]));
        }

        var decision = context.Snapshot.Engine.Evaluate(request.Caller.Identity.Name, request.Tool, request.Arguments);
        context.Decision = decision;
        PipelineLog.Decided(logger, context.CallId, request.Caller.Identity.Name, Policies.Text.PrintableText.Escape(request.Tool, 64), Policies.Text.PrintableText.Escape(decision.Target, 128), decision.Effect.ToName());
        return ValueTask.FromResult(decision.Effect switch
        {
            PolicyEffect.Allow => StageResult.Continue,
            PolicyEffect.Approval => StageResult.Refuse(["This call needs an operator's approval, and approvals are not available in this version of the gateway, so it was not executed.", .. decision.Reasons]),
            _ => StageResult.Refuse(decision.Reasons),
        });
    }
}

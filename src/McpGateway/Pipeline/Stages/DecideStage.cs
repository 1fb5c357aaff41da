using McpGateway.Policies.Model;
using Microsoft.Extensions.Logging;

namespace McpGateway.Pipeline.Stages;

/// <summary>Classifies the call and decides it against its policy snapshot: allow and approval go on, anything else is refused.</summary>
internal sealed class DecideStage(IEnumerable<IDecisionObserver> observers, ILogger<DecideStage> logger)
{
    private readonly IDecisionObserver[] _observers = [.. observers];

    public StepResult Run(ToolCallContext context)
    {
        var request = context.Request;
        if (request.Malformed is { } malformed)
        {
            return StepResult.Refuse(ToolErrorCodes.InvalidArguments, [malformed]);
        }

        var decision = context.Snapshot.Engine.Evaluate(request.Caller.Identity, request.Tool, request.Arguments);
        if (request.GatewayDecision is { } adjust)
        {
            decision = adjust(decision);
        }

        context.Decision = decision;
        foreach (var observer in _observers)
        {
            try
            {
                observer.Decided(request.Tool, decision, context.Snapshot);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                PipelineLog.PipelineFailed(logger, context.CallId, ex);
            }
        }

        PipelineLog.Decided(logger, context.CallId, request.Caller.Identity.Name, Policies.Text.PrintableText.Escape(request.Tool, 64), Policies.Text.PrintableText.Escape(decision.Target, 128), decision.Effect.ToName());
        return decision.Effect switch
        {
            PolicyEffect.Allow => StepResult.Continue,
            PolicyEffect.Approval => StepResult.Continue,
            _ => StepResult.Refuse(
                decision.MatchedRules is [var only] && only == "builtin:" + Policies.Tools.Refusal.ArgumentsCode ? ToolErrorCodes.InvalidArguments : ToolErrorCodes.Denied,
                decision.Reasons),
        };
    }
}

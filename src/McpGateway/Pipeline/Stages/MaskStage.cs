using System.Text.Json.Nodes;
using McpGateway.Policies.Tools;
using Microsoft.Extensions.Logging;

namespace McpGateway.Pipeline.Stages;

/// <summary>
/// Masks the result with the decision's profiles. 'default' is held-secret redaction, applied to
/// every result anyway; a profile this gateway cannot apply withholds the result.
/// </summary>
internal sealed class MaskStage(ILogger<MaskStage> logger)
{
    public StepResult Run(ToolCallContext context)
    {
        if (context.Decision!.Obligations.TryGetValue(CommonObligations.Mask, out var mask)
            && mask.Profiles.FirstOrDefault(p => p != "default") is { } unknown)
        {
            return StepResult.Fail($"Masking profile '{unknown}' cannot be applied by this gateway, so the result is withheld.");
        }

        try
        {
            var redactor = context.Snapshot.Secrets.Current;
            var structured = (JsonObject)redactor.Redact(context.Result!.Structured)!;

            // The text is made from the masked tree; held secrets are redacted from it once more.
            var text = redactor.Redact(context.Result.Summarize(structured));
            structured["callId"] = context.CallId;
            context.Outcome = new ToolCallOutcome(context.CallId, false, text, structured);
            return StepResult.Continue;
        }
        catch (Exception ex)
        {
            PipelineLog.MaskingFailed(logger, context.CallId, ex);
            return StepResult.Fail("The result could not be masked, so it is withheld.");
        }
    }
}

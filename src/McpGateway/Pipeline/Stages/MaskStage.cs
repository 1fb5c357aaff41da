using System.Text.Json.Nodes;
using McpGateway.Policies.Masking;
using McpGateway.Policies.Tools;
using Microsoft.Extensions.Logging;

namespace McpGateway.Pipeline.Stages;

/// <summary>
/// Masks the typed result with the decision's profiles (<c>default</c> when none is named) and the
/// held-secret redactor: the JSON tree (with column rules for tabular results), then the text made
/// from the masked tree. Any failure — an unknown profile, an error inside the engine — withholds
/// the result.
/// </summary>
internal sealed class MaskStage(ILogger<MaskStage> logger)
{
    /// <summary>The masking profiles the call's obligations name (none means <c>default</c>).</summary>
    public static IReadOnlyList<string> Profiles(ToolCallContext context) =>
        context.Decision?.Obligations.TryGetValue(CommonObligations.Mask, out var mask) == true && !mask.Profiles.IsDefaultOrEmpty
            ? mask.Profiles
            : [];

    public StepResult Run(ToolCallContext context)
    {
        try
        {
            var masker = context.Snapshot.Masker(Profiles(context));
            var report = new MaskingReport();
            var result = context.Result!;
            var structured = result.Structured;
            var table = result.Columns is { } columns && structured["rows"] is JsonArray rows
                ? new MaskingTable(rows, [.. columns.Select(c => new MaskingColumn(c.Name, c.Type, c.Source))], result.Referenced)
                : null;
            masker.MaskInPlace(structured, report, table);

            // The text is made from the masked tree, and masked once more.
            var text = masker.MaskText(result.Summarize(structured), report);
            structured["callId"] = context.CallId;
            context.Masked = report;
            context.Outcome = new ToolCallOutcome(context.CallId, result.IsError, text, structured);
            return StepResult.Continue;
        }
        catch (MaskingException ex)
        {
            PipelineLog.MaskingFailed(logger, context.CallId, ex);
            return StepResult.Fail(ToolErrorCodes.MaskingFailed, $"The result could not be masked ({ex.Message}), so it is withheld.");
        }
        catch (Exception ex)
        {
            PipelineLog.MaskingFailed(logger, context.CallId, ex);
            return StepResult.Fail(ToolErrorCodes.MaskingFailed, "The result could not be masked, so it is withheld.");
        }
    }
}

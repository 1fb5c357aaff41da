namespace McpGateway.Pipeline;

/// <summary>What a stage decided about the call.</summary>
public readonly record struct StageResult
{
    public static StageResult Continue => default;

    /// <summary>Reasons the call is refused (recorded as <c>call.refused</c> when no start was recorded yet).</summary>
    public IReadOnlyList<string>? Refusal { get; init; }

    /// <summary>An error message for the agent: the call stops here.</summary>
    public string? Failure { get; init; }

    public bool Stops => Refusal is not null || Failure is not null;

    public static StageResult Refuse(IReadOnlyList<string> reasons) => new() { Refusal = reasons };

    public static StageResult Fail(string message) => new() { Failure = message };
}

/// <summary>
/// One typed stage of the tool-call pipeline. Stages run in <see cref="Order"/>, between the fixed
/// ends (identity before, the <c>call.finished</c> record after).
/// </summary>
public interface IToolCallStage
{
    /// <summary>The stage's place; see <see cref="PipelineOrder"/>.</summary>
    int Order { get; }

    /// <summary>The flag recorded on the call once the stage let it continue.</summary>
    PipelineStages Stage { get; }

    ValueTask<StageResult> RunAsync(ToolCallContext context, CancellationToken cancellationToken);
}

/// <summary>Where each stage runs. Gaps leave room for stages to come (approval runs between start and execute).</summary>
public static class PipelineOrder
{
    public const int Decide = 100;
    public const int Limit = 200;
    public const int RecordStart = 300;
    public const int Approve = 400;
    public const int Execute = 500;
    public const int Mask = 600;
}

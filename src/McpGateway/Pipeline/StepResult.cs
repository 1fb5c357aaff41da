namespace McpGateway.Pipeline;

/// <summary>What a step of the pipeline decided about the call: go on, or stop with a refusal or an error.</summary>
public readonly record struct StepResult
{
    public static StepResult Continue => default;

    /// <summary>Reasons the call is refused (recorded as <c>call.refused</c> when no start was recorded yet).</summary>
    public IReadOnlyList<string>? Refusal { get; init; }

    /// <summary>An error message for the agent: the call stops here.</summary>
    public string? Failure { get; init; }

    public static StepResult Refuse(IReadOnlyList<string> reasons) => new() { Refusal = reasons };

    public static StepResult Fail(string message) => new() { Failure = message };
}

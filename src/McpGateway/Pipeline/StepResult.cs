using System.Text.Json.Nodes;

namespace McpGateway.Pipeline;

/// <summary>What a step of the pipeline decided about the call: go on, or stop with a refusal or an error.</summary>
public readonly record struct StepResult
{
    public static StepResult Continue => default;

    /// <summary>Reasons the call is refused (recorded as <c>call.refused</c> when no start was recorded yet).</summary>
    public IReadOnlyList<string>? Refusal { get; init; }

    /// <summary>An error message for the agent: the call stops here.</summary>
    public string? Failure { get; init; }

    /// <summary>The reason code of the refusal or failure (<see cref="ToolErrorCodes"/>).</summary>
    public string Code { get; init; }

    /// <summary>Facts about the failure for the structured error, when the backend gave some.</summary>
    public JsonObject? Detail { get; init; }

    public static StepResult Refuse(string code, IReadOnlyList<string> reasons) => new() { Code = code, Refusal = reasons };

    public static StepResult Fail(string code, string message, JsonObject? detail = null) => new() { Code = code, Failure = message, Detail = detail };
}

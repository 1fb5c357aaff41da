using System.Text.Json.Nodes;

namespace McpGateway.Pipeline;

/// <summary>
/// A failure a backend reports to the agent: its message says what happened and what to change.
/// <see cref="Code"/> and <see cref="Detail"/> go into the error result's structured content
/// (masked like the message); put nothing in them a result could not show.
/// </summary>
public sealed class ToolCallException : Exception
{
    public ToolCallException()
    {
    }

    public ToolCallException(string message)
        : base(message)
    {
    }

    public ToolCallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The reason code (<see cref="ToolErrorCodes"/>); <c>target-error</c> unless the backend says otherwise.</summary>
    public string Code { get; init; } = ToolErrorCodes.TargetError;

    /// <summary>Facts about the failure a client can act on without parsing the message (a SQLSTATE, an exit status).</summary>
    public JsonObject? Detail { get; init; }
}

namespace McpGateway.Pipeline;

/// <summary>
/// An error the caller may see: its message says what went wrong and what to change. Every other
/// exception becomes a generic message (and is logged), and every message is masked first.
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
}

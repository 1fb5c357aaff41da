namespace McpGateway.Policies.Masking;

/// <summary>
/// Masking could not be completed: the input was beyond the engine's bounds (nesting too deep), a profile
/// could not be resolved, or the engine failed. Whatever was being masked must be withheld, never passed on;
/// the message names no value from the input.
/// </summary>
public sealed class MaskingException : Exception
{
    public MaskingException()
        : base("The value could not be masked.")
    {
    }

    public MaskingException(string message)
        : base(message)
    {
    }

    public MaskingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

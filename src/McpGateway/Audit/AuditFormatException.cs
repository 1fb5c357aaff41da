namespace McpGateway.Audit;

/// <summary>A stored entry cannot even be read as an entry: the log was changed outside the gateway.</summary>
public sealed class AuditFormatException : Exception
{
    public AuditFormatException()
    {
    }

    public AuditFormatException(string message)
        : base(message)
    {
    }

    public AuditFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AuditFormatException(long seq, string message, Exception innerException)
        : base(message, innerException)
    {
        Seq = seq;
    }

    public long Seq { get; }
}

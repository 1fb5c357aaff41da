namespace McpGateway.Tools.SshExec;

/// <summary>
/// A connection to a host could not be opened (refused, timed out, credential refused, unpinned
/// host key): what the circuit breaker counts. <see cref="Exception.Message"/> is for the agent
/// and holds no credential; <see cref="Reason"/> is the short cause the breaker repeats.
/// </summary>
internal sealed class SshConnectFailure : Exception
{
    public SshConnectFailure()
    {
        Reason = "failed";
    }

    public SshConnectFailure(string message)
        : base(message)
    {
        Reason = "failed";
    }

    public SshConnectFailure(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = "failed";
    }

    public SshConnectFailure(string reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public string Reason { get; }
}

using System.Text.Json.Serialization;

namespace McpGateway.Audit.Forwarding;

/// <summary>How far forwarding got, as <c>/healthz</c> shows it under <c>forwarding</c>.</summary>
/// <param name="LagEntries">Entries in the chain after the last acknowledged one.</param>
/// <param name="LastDeliveredSeq">The seq of the last entry a receiver acknowledged (2xx); 0 before the first.</param>
/// <param name="LastError">Why this process's last attempt failed (never the URL or the key); absent after a success.</param>
public sealed record ForwardingStatus(
    long LagEntries,
    long LastDeliveredSeq,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LastError);

/// <summary>The forwarder's latest <see cref="ForwardingStatus"/>, read by the health endpoint; null while forwarding is off.</summary>
internal sealed class ForwardingState
{
    private ForwardingStatus? _current;

    public ForwardingStatus? Current => Volatile.Read(ref _current);

    public void Off() => Volatile.Write(ref _current, null);

    /// <summary>The cursor and the chain's head as last read, keeping the last error.</summary>
    public void Position(long delivered, long head) =>
        Volatile.Write(ref _current, new ForwardingStatus(Math.Max(0, head - delivered), delivered, Current?.LastError));

    public void Failed(string problem) =>
        Volatile.Write(ref _current, (Current ?? new ForwardingStatus(0, 0, null)) with { LastError = problem });

    public void Delivered(long delivered, long head) =>
        Volatile.Write(ref _current, new ForwardingStatus(Math.Max(0, head - delivered), delivered, null));
}

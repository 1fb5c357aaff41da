using System.Text.Json.Nodes;
using McpGateway.Configuration;

namespace McpGateway.Audit;

/// <summary>
/// The one way entries reach the chain: every payload is made recordable (whatever text an agent
/// or backend put in it, see <see cref="RecordableJson"/>) and masked before it is hashed and
/// stored — with the entry's own masker (a call's: <c>default</c> ∪ its profiles) or the
/// <c>default</c> profile, always with the held secrets. If masking fails, nothing is recorded
/// and the caller must fail closed.
/// </summary>
public sealed class AuditRecorder(IAuditStore store, HeldSecrets secrets, Runtime.GatewayRuntime? runtime = null)
{
    public Task<AuditEntry> RecordAsync(AuditAppend entry, CancellationToken cancellationToken) =>
        store.AppendAsync(Prepare(entry), cancellationToken);

    /// <summary>
    /// The entry as it may be recorded (recordable, held secrets redacted), for writers that
    /// append it in their own transaction. Throws <see cref="AuditRedactionException"/>.
    /// </summary>
    public AuditAppend Prepare(AuditAppend entry)
    {
        JsonObject payload;
        try
        {
            var masker = entry.Masker
                ?? runtime?.Current.Masker()
                ?? Policies.Masking.MaskingCatalog.BuiltIn.CreateMasker(null, secrets.Current);
            payload = masker.Mask(RecordableJson.Sanitize(entry.Payload)) as JsonObject
                ?? throw new InvalidOperationException("Masking did not return an object.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new AuditRedactionException("The audit payload could not be masked, so it was not recorded.", ex);
        }

        return entry with { Payload = payload, Masker = null };
    }
}

/// <summary>A payload could not be redacted; nothing was recorded.</summary>
public sealed class AuditRedactionException : Exception
{
    public AuditRedactionException()
    {
    }

    public AuditRedactionException(string message)
        : base(message)
    {
    }

    public AuditRedactionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

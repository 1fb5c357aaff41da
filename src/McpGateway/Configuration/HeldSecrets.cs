using McpGateway.Policies.Masking;

namespace McpGateway.Configuration;

/// <summary>
/// The secrets the gateway holds, as a redactor. <see cref="Refresh"/> re-reads every reference
/// and swaps the redactor atomically; values that were rotated out stay redacted for
/// <see cref="KeepPrevious"/>, so an echo of the old value is still caught.
/// </summary>
public sealed class HeldSecrets
{
    private readonly TimeProvider _time;
    private HeldSecretRedactor _current = HeldSecretRedactor.Empty;

    public HeldSecrets(TimeProvider time, TimeSpan? keepPrevious = null)
    {
        _time = time;
        KeepPrevious = keepPrevious ?? TimeSpan.FromHours(24);
    }

    public TimeSpan KeepPrevious { get; }

    public HeldSecretRedactor Current => Volatile.Read(ref _current);

    /// <summary>Reads every reference now. Returns the references that could not be read (never their values).</summary>
    public IReadOnlyList<string> Refresh(IEnumerable<SecretReference> references)
    {
        var values = new List<string>();
        var unreadable = new List<string>();
        foreach (var reference in references)
        {
            try
            {
                values.Add(reference.Resolve());
            }
            catch (SecretUnavailableException)
            {
                unreadable.Add(reference.Text);
            }
        }

        var next = Current.WithRotation(values, KeepPrevious, _time);
        Volatile.Write(ref _current, next);
        return unreadable;
    }
}

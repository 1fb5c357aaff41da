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
    private readonly Lock _gate = new();
    private HeldSecretRedactor _current = HeldSecretRedactor.Empty;
    private IReadOnlyList<string> _values = [];

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

        lock (_gate)
        {
            Volatile.Write(ref _current, Current.WithRotation(values, KeepPrevious, _time));
            _values = values;
        }

        return unreadable;
    }

    /// <summary>
    /// Reads a secret for use in a backend call. The value is held by the redactor before it is
    /// returned, so a secret rotated since the last refresh is redacted from whatever echoes it.
    /// A value too short to be redacted safely is refused.
    /// </summary>
    public string Use(SecretReference reference) => Hold(reference.Resolve(), reference.Text);

    /// <summary>
    /// Holds a credential the gateway found inside a secret (a token or key of a kubeconfig), as
    /// <see cref="Use"/> holds a referenced one, and returns it. <paramref name="source"/> names
    /// where it came from in messages, never the value.
    /// </summary>
    public string Hold(string value, string source)
    {
        if (value.Trim().Length < HeldSecretRedactor.MinimumSecretLength)
        {
            throw new SecretUnavailableException($"Secret {source} is shorter than {HeldSecretRedactor.MinimumSecretLength} characters, too short to be kept out of results; it is not used.");
        }

        if (!Volatile.Read(ref _values).Contains(value, StringComparer.Ordinal))
        {
            lock (_gate)
            {
                if (!_values.Contains(value, StringComparer.Ordinal))
                {
                    List<string> values = [.. _values, value];
                    Volatile.Write(ref _current, Current.WithRotation(values, KeepPrevious, _time));
                    _values = values;
                }
            }
        }

        return value;
    }
}

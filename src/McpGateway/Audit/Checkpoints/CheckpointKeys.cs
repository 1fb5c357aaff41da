namespace McpGateway.Audit.Checkpoints;

/// <summary>The public keys checkpoints are trusted from, by key id.</summary>
public sealed class CheckpointKeys : IDisposable
{
    private readonly Dictionary<string, CheckpointPublicKey> _keys = new(StringComparer.Ordinal);

    public static CheckpointKeys None => new();

    public int Count => _keys.Count;

    public CheckpointKeys Add(CheckpointPublicKey key)
    {
        _keys.TryAdd(key.KeyId, key);
        return this;
    }

    public CheckpointPublicKey? Find(string keyId) => _keys.GetValueOrDefault(keyId);

    /// <summary>The trusted key ids, for messages.</summary>
    public string Describe() => _keys.Count == 0 ? "none" : "trusted: " + string.Join(", ", _keys.Keys.Order(StringComparer.Ordinal));

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }
}

using System.Security.Cryptography;
using McpGateway.Configuration;
using McpGateway.Storage;

namespace McpGateway.Audit.Checkpoints;

/// <summary>
/// Where the checkpoint signing key comes from: the configured reference
/// (<c>McpGateway:Audit:SigningKey</c>, <c>{env:NAME}</c> or <c>{file:PATH}</c>); without one,
/// on the embedded SQLite store only, the key file <c>audit-key/signing-key.pem</c> in its own
/// folder (0700) of the data folder, mode 0600, created on first run. A store other than SQLite
/// requires a configured reference: replicas must share one key, and no replica may make its own.
/// </summary>
public static class SigningKeySource
{
    public const string FolderName = "audit-key";

    public const string FileName = "signing-key.pem";

    /// <summary>The embedded store's key file in <paramref name="dataDirectory"/>.</summary>
    public static string DefaultPath(string dataDirectory) => Path.Combine(dataDirectory, FolderName, FileName);

    /// <summary>The key for signing (serve, <c>audit pubkey</c>): the configured one, or the embedded store's, created when missing.</summary>
    public static AuditSigningKey OpenOrCreate(AuditOptions options, string dataDirectory, IGatewayStore store) =>
        Open(options, dataDirectory, store, create: true)!;

    /// <summary>The key for checking (<c>audit verify</c>): never created; null when the embedded store has none yet.</summary>
    public static AuditSigningKey? TryOpen(AuditOptions options, string dataDirectory, IGatewayStore store) =>
        Open(options, dataDirectory, store, create: false);

    private static AuditSigningKey? Open(AuditOptions options, string dataDirectory, IGatewayStore store, bool create)
    {
        if (options.SigningKey is { } reference)
        {
            string text;
            try
            {
                text = reference.Resolve();
            }
            catch (SecretUnavailableException ex)
            {
                throw new AuditSigningKeyException($"McpGateway:Audit:SigningKey: {ex.Message}", ex);
            }

            return AuditSigningKey.FromPem(text, $"McpGateway:Audit:SigningKey {reference.Text}", reference.Text, created: false);
        }

        if (store is not Storage.Sqlite.SqliteGatewayStore)
        {
            throw new AuditSigningKeyException($"The store {store.Description} is not the embedded SQLite store, so McpGateway:Audit:SigningKey is required: give the checkpoint signing key as {{env:NAME}} or {{file:PATH}} (PEM PKCS#8, ECDSA P-256), the same for every replica.");
        }

        var path = DefaultPath(dataDirectory);
        if (File.Exists(path))
        {
            return Load(path);
        }

        return create ? Create(path) : null;
    }

    private static AuditSigningKey Load(string path, bool created = false)
    {
        if (OwnerOnlyKeyFile.TooOpen(path) is { } mode)
        {
            throw new AuditSigningKeyException($"The checkpoint signing key file '{path}' may be read by other users (mode {mode}); make it 0600 (chmod 600) or configure McpGateway:Audit:SigningKey.");
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AuditSigningKeyException($"The checkpoint signing key file '{path}' cannot be read: {ex.GetType().Name}.", ex);
        }

        return AuditSigningKey.FromPem(text, $"The checkpoint signing key file '{path}'", path, created);
    }

    /// <summary>Makes a new key file and loads it (another process's, when it made one first).</summary>
    private static AuditSigningKey Create(string path)
    {
        bool created;
        try
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            created = OwnerOnlyKeyFile.TryCreate(path, key.ExportPkcs8PrivateKeyPem());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AuditSigningKeyException($"The checkpoint signing key file '{path}' cannot be created: {ex.Message}", ex);
        }

        return Load(path, created);
    }
}

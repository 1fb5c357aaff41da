using System.Security.Cryptography;

namespace McpGateway.Audit.Checkpoints;

/// <summary>
/// The private key that signs checkpoints: ECDSA P-256, SHA-256, signatures as DER (RFC 3279).
/// A held secret: it is never written to a log, an error or the chain; only its public half and
/// key id are shown.
/// </summary>
public sealed class AuditSigningKey : IDisposable
{
    private readonly ECDsa _key;

    internal AuditSigningKey(ECDsa key, string source, bool created)
    {
        _key = key;
        Source = source;
        Created = created;
        PublicKey = CheckpointPublicKey.FromKey(key);
    }

    /// <summary>The key's public half and key id.</summary>
    public CheckpointPublicKey PublicKey { get; }

    public string KeyId => PublicKey.KeyId;

    /// <summary>Where the key came from, safe to show: the reference as written, or the key file's path.</summary>
    public string Source { get; }

    /// <summary>Whether this run created the key (the embedded store's own key file).</summary>
    public bool Created { get; }

    public byte[] Sign(byte[] data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>Reads a PEM PKCS#8 P-256 private key; errors name <paramref name="description"/> only.</summary>
    internal static AuditSigningKey FromPem(string text, string description, string source, bool created)
    {
        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] is not "PRIVATE KEY")
        {
            // Never echo the text: it is (or should have been) a private key.
            throw new AuditSigningKeyException($"{description} is not a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----); create one with 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256'.");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(Convert.FromBase64String(text[fields.Base64Data]), out _);
            CheckpointPublicKey.RequireP256(key, description);
            return new AuditSigningKey(key, source, created);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            key.Dispose();
            throw new AuditSigningKeyException($"{description} is not an ECDSA private key ({ex.GetType().Name}).", ex);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        PublicKey.Dispose();
        _key.Dispose();
    }
}

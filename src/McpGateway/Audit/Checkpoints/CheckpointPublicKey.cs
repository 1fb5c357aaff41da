using System.Security.Cryptography;

namespace McpGateway.Audit.Checkpoints;

/// <summary>
/// A public key that checkpoints are checked with: ECDSA P-256, written as PEM
/// SubjectPublicKeyInfo. Its key id is the first 16 hex digits of the SHA-256 of the
/// SubjectPublicKeyInfo DER, the id a checkpoint names.
/// </summary>
public sealed class CheckpointPublicKey : IDisposable
{
    private readonly ECDsa _key;

    private CheckpointPublicKey(ECDsa key)
    {
        _key = key;
        var spki = key.ExportSubjectPublicKeyInfo();
        KeyId = KeyIdOf(spki);
        Pem = PemEncoding.WriteString("PUBLIC KEY", spki);
    }

    public string KeyId { get; }

    /// <summary>The key as PEM SubjectPublicKeyInfo (<c>-----BEGIN PUBLIC KEY-----</c>).</summary>
    public string Pem { get; }

    /// <summary>The public half of <paramref name="key"/>.</summary>
    internal static CheckpointPublicKey FromKey(ECDsa key)
    {
        var copy = ECDsa.Create();
        copy.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        return new CheckpointPublicKey(copy);
    }

    /// <summary>Reads a PEM SubjectPublicKeyInfo of a P-256 key. Throws <see cref="AuditSigningKeyException"/> naming <paramref name="source"/>.</summary>
    public static CheckpointPublicKey FromPem(string text, string source)
    {
        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] is not "PUBLIC KEY")
        {
            throw new AuditSigningKeyException($"{source} is not a PEM public key (-----BEGIN PUBLIC KEY-----); 'mcp-gateway audit pubkey' prints the gateway's.");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(text[fields.Base64Data]), out _);
            RequireP256(key, source);
            return new CheckpointPublicKey(key);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            key.Dispose();
            throw new AuditSigningKeyException($"{source} is not an ECDSA public key ({ex.GetType().Name}).", ex);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="signature"/> (DER, RFC 3279) signs <paramref name="data"/> with SHA-256.</summary>
    public bool Verify(byte[] data, byte[] signature)
    {
        try
        {
            return _key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public void Dispose() => _key.Dispose();

    internal static string KeyIdOf(byte[] subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo))[..16];

    /// <summary>Refuses any curve but P-256 (the design's one scheme).</summary>
    internal static void RequireP256(ECDsa key, string source)
    {
        var curve = key.ExportParameters(false).Curve;
        if (curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new AuditSigningKeyException($"{source} is an ECDSA key on curve {curve.Oid.FriendlyName ?? curve.Oid.Value ?? "(unnamed)"}, not P-256 (nistP256, prime256v1).");
        }
    }
}

/// <summary>The checkpoint signing key, or a public key to check with, cannot be used. The message names where it came from, never its value.</summary>
public sealed class AuditSigningKeyException : Exception
{
    public AuditSigningKeyException()
    {
    }

    public AuditSigningKeyException(string message)
        : base(message)
    {
    }

    public AuditSigningKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

using System.Security.Cryptography;
using McpGateway.Configuration;

namespace McpGateway.Audit.RequestHashing;

/// <summary>
/// Where the request-hash key comes from: the configured reference
/// (<c>McpGateway:Audit:RequestHashKey</c>, <c>{env:NAME}</c> or <c>{file:PATH}</c>), or — on the
/// embedded store, when none is configured — the key file <c>audit-request-key/request-hash.key</c>
/// in its own folder (0700) of the data folder, mode 0600, created on first run. Either way the
/// key is held by the redactor, so it never appears in a result or an entry.
/// </summary>
public static class RequestHashKeySource
{
    public const string FolderName = "audit-request-key";

    public const string FileName = "request-hash.key";

    /// <summary>The embedded store's key file in <paramref name="dataDirectory"/>.</summary>
    public static string DefaultPath(string dataDirectory) => Path.Combine(dataDirectory, FolderName, FileName);

    /// <summary>
    /// The hasher of <paramref name="configuration"/>, and the path of the key file when this call
    /// created it (null otherwise). Throws <see cref="ConfigurationException"/> when the key cannot
    /// be read or made: nothing is recorded without its fingerprint.
    /// </summary>
    public static (RequestHasher Hasher, string? Created) Open(GatewayConfiguration configuration, HeldSecrets secrets)
    {
        if (configuration.AuditPayloads.RequestHashKey is { } reference)
        {
            try
            {
                return (new RequestHasher(System.Text.Encoding.UTF8.GetBytes(secrets.Use(reference))), null);
            }
            catch (SecretUnavailableException ex)
            {
                throw new ConfigurationException($"McpGateway:Audit:RequestHashKey: {ex.Message}", ex);
            }
            catch (ArgumentException)
            {
                throw new ConfigurationException($"McpGateway:Audit:RequestHashKey: the key {reference.Text} is shorter than 16 bytes; give at least 32 random bytes (for example base64 of them).");
            }
        }

        var path = DefaultPath(configuration.DataDirectory);
        var created = File.Exists(path) ? null : Create(path);
        var text = Load(path);
        return (new RequestHasher(System.Text.Encoding.UTF8.GetBytes(secrets.Hold(text, path))), created);
    }

    private static string Load(string path)
    {
        if (OwnerOnlyKeyFile.TooOpen(path) is { } mode)
        {
            throw new ConfigurationException($"The request-hash key file '{path}' may be read by other users (mode {mode}); make it 0600 (chmod 600) or configure McpGateway:Audit:RequestHashKey.");
        }

        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.Length >= 32 ? text : throw new ConfigurationException($"The request-hash key file '{path}' holds fewer than 32 characters; delete it to have a new one made, or configure McpGateway:Audit:RequestHashKey.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"The request-hash key file '{path}' cannot be read: {ex.GetType().Name}.", ex);
        }
    }

    /// <summary>Makes a new key file; returns the path when this call made it (null when another process did first).</summary>
    private static string? Create(string path)
    {
        try
        {
            return OwnerOnlyKeyFile.TryCreate(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n") ? path : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"The request-hash key file '{path}' cannot be created: {ex.Message} Make the data folder writable or configure McpGateway:Audit:RequestHashKey.", ex);
        }
    }
}

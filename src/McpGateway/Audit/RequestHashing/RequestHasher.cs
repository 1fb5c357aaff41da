using System.Security.Cryptography;
using System.Text.Json;
using McpGateway.Pipeline;

namespace McpGateway.Audit.RequestHashing;

/// <summary>
/// Fingerprints requests with HMAC-SHA-256 under the request-hash key
/// (<c>McpGateway:Audit:RequestHashKey</c>, or the embedded store's key file). Entries record it as
/// <c>requestHmac</c> with <c>requestHmacKeyId</c>; approvals bind to it as
/// <c>hmac-sha256:&lt;hex&gt;</c>. Entries and approvals written before the key carry an unkeyed
/// <c>requestSha256</c>, which readers tell apart by the field name (and the binding by its prefix).
/// </summary>
public sealed class RequestHasher
{
    /// <summary>The prefix of a keyed approval binding; a binding without it is a legacy unkeyed SHA-256.</summary>
    public const string BindingPrefix = "hmac-sha256:";

    private readonly byte[] _key;

    public RequestHasher(ReadOnlySpan<byte> key)
    {
        if (key.Length < 16)
        {
            throw new ArgumentException("The request-hash key must be at least 16 bytes.", nameof(key));
        }

        _key = key.ToArray();

        // Names the key without revealing anything about it: an HMAC of a fixed label under it.
        KeyId = Convert.ToHexStringLower(HMACSHA256.HashData(_key, "mcp-gateway request-hash key id"u8))[..16];
    }

    /// <summary>A key made up for this process only: for snapshots built without a configuration (tests); its fingerprints cannot be recomputed later.</summary>
    public static RequestHasher Ephemeral() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>Says which key made a fingerprint (so a rotation is visible), revealing nothing of the key.</summary>
    public string KeyId { get; }

    /// <summary>The HMAC (hex) of the canonical request.</summary>
    public string Hmac(string identity, string tool, string? target, JsonElement arguments) =>
        CanonicalRequest.Hmac(_key, identity, tool, target, arguments);

    /// <summary>What an approval binds to: <c>hmac-sha256:&lt;hex&gt;</c>.</summary>
    public string Binding(string identity, string tool, string? target, JsonElement arguments) =>
        BindingPrefix + Hmac(identity, tool, target, arguments);

    /// <summary>
    /// Whether the request is the one <paramref name="binding"/> was made of: keyed bindings are
    /// recomputed with this key (a request bound under a key since rotated away does not match, and is
    /// refused); unkeyed ones, from gateways before the key, with SHA-256, so approvals pending
    /// across the upgrade still run.
    /// </summary>
    public bool Matches(string binding, string identity, string tool, string? target, JsonElement arguments)
    {
        var expected = binding.StartsWith(BindingPrefix, StringComparison.Ordinal)
            ? Binding(identity, tool, target, arguments)
            : CanonicalRequest.Hash(identity, tool, target, arguments);
        return CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(expected), System.Text.Encoding.ASCII.GetBytes(binding));
    }

    /// <summary>How a binding is shown and recorded: <c>requestHmac</c> for a keyed one, <c>requestSha256</c> for a legacy one.</summary>
    public static (string Field, string Value) Describe(string binding) =>
        binding.StartsWith(BindingPrefix, StringComparison.Ordinal)
            ? ("requestHmac", binding[BindingPrefix.Length..])
            : ("requestSha256", binding);
}

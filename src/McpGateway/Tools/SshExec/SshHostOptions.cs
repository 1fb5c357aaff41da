using System.Collections.Immutable;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Policies;
using McpGateway.Policies.Model;

namespace McpGateway.Tools.SshExec;

/// <summary>
/// A registered SSH host (<c>Targets:Ssh:&lt;name&gt;</c>): where it is, who logs in and how, and
/// the SHA-256 fingerprints of the host keys it may present. Nothing else is trusted: an unknown
/// or changed key refuses the call (no trust on first use).
/// </summary>
/// <param name="Name">The target name agents use (<c>host</c>).</param>
/// <param name="Address">Host name or IP address.</param>
/// <param name="Port">SSH port.</param>
/// <param name="User">The remote account; its permissions are the backstop behind the policy.</param>
/// <param name="PrivateKey">The private key (PEM or OpenSSH format), by reference; or null for password login.</param>
/// <param name="Passphrase">The private key's passphrase, by reference, when it has one.</param>
/// <param name="Password">The account's password, by reference, when no key is used.</param>
/// <param name="HostKeys">Pinned fingerprints, <c>SHA256:…</c> as <c>ssh-keygen -l -E sha256</c> prints them.</param>
/// <param name="MaxConnections">At most this many connections to the host, each with up to <see cref="SshConnections.MaxChannels"/> commands.</param>
/// <param name="IdleTimeout">A connection beyond the first closes after this long without a command.</param>
/// <param name="CircuitBreaker">When the gateway stops trying to connect to a failing host, and for how long.</param>
public sealed record SshHostOptions(
    string Name,
    string Address,
    int Port,
    string User,
    SecretReference? PrivateKey,
    SecretReference? Passphrase,
    SecretReference? Password,
    ImmutableArray<string> HostKeys,
    int MaxConnections,
    TimeSpan IdleTimeout,
    SshCircuitBreakerOptions CircuitBreaker) : ConfiguredTarget(Name)
{
    public const int DefaultMaxConnections = 4;

    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(2);

    public override IEnumerable<SecretReference> Secrets => new[] { PrivateKey, Passphrase, Password }.OfType<SecretReference>();

    public override TargetInfo ToPolicyTarget() => new(Name, TargetKinds.Ssh);

    public override JsonObject DescribeConfiguration() => new()
    {
        ["address"] = Address,
        ["port"] = Port,
        ["user"] = User,
        ["privateKey"] = PrivateKey?.Text,
        ["passphrase"] = Passphrase?.Text,
        ["password"] = Password?.Text,
        ["hostKeys"] = new JsonArray([.. HostKeys.Select(k => (JsonNode?)JsonValue.Create(k))]),
        ["maxConnections"] = MaxConnections,
        ["idleTimeout"] = DurationText.Format(IdleTimeout),
        ["circuitBreaker"] = new JsonObject
        {
            ["failures"] = CircuitBreaker.Failures,
            ["window"] = DurationText.Format(CircuitBreaker.Window),
            ["break"] = DurationText.Format(CircuitBreaker.Break),
        },
    };

    /// <summary>Whether <paramref name="presented"/> (unpadded Base64, no prefix, as SSH.NET gives it) is one of the pinned keys.</summary>
    public bool Trusts(string presented) =>
        HostKeys.Any(k => string.Equals(k["SHA256:".Length..], presented, StringComparison.Ordinal));
}

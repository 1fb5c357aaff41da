using System.Collections.Immutable;
using System.Globalization;
using McpGateway.Configuration;
using McpGateway.Policies;
using Microsoft.Extensions.Configuration;

namespace McpGateway.Tools.SshExec;

/// <summary>Reads <c>Targets:Ssh</c>: address, port, user, one way to log in, and pinned host keys.</summary>
internal sealed class SshHostReader : ITargetKind
{
    private static readonly System.Buffers.SearchValues<char> Base64Characters = System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

    private static readonly string[] KnownKeys = ["Address", "Port", "User", "PrivateKey", "Passphrase", "Password", "HostKeys", "MaxConnections", "IdleTimeout", "CircuitBreaker"];

    /// <summary>At most this many connections per host (8 commands each).</summary>
    private const int MaxMaxConnections = 64;

    public string Kind => TargetKinds.Ssh;

    public object? CreateClient(ConfiguredTarget target, HeldSecrets secrets) => new SshConnections((SshHostOptions)target, secrets);

    public IEnumerable<ConfiguredTarget> Read(IConfigurationSection section, string baseDirectory, List<string> errors)
    {
        var result = new List<ConfiguredTarget>();
        foreach (var host in section.GetChildren())
        {
            var path = host.Path;
            if (!IdentityReader.IsName(host.Key))
            {
                errors.Add($"{path}: host names use letters, digits, '-', '_' and '.'.");
            }

            foreach (var unknown in host.GetChildren().Where(c => !KnownKeys.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
            {
                errors.Add($"{unknown.Path}: unknown setting; a host has {string.Join(", ", KnownKeys)}.");
            }

            var address = host["Address"];
            if (string.IsNullOrWhiteSpace(address) || Uri.CheckHostName(address) == UriHostNameType.Unknown)
            {
                errors.Add($"{path}:Address: required; a host name or IP address such as 10.0.0.5 or web-1.internal.");
            }

            var port = 22;
            if (host["Port"] is { Length: > 0 } portText && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
            {
                errors.Add($"{path}:Port: '{portText}' is not a port from 1 to 65535.");
            }

            var user = host["User"];
            if (string.IsNullOrWhiteSpace(user) || user.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                errors.Add($"{path}:User: required; the remote account to log in as.");
            }

            var key = Secret(host, "PrivateKey", baseDirectory, errors);
            var passphrase = Secret(host, "Passphrase", baseDirectory, errors);
            var password = Secret(host, "Password", baseDirectory, errors);
            if (host.GetSection("PrivateKey").Exists() == host.GetSection("Password").Exists())
            {
                errors.Add($"{path}: give exactly one of PrivateKey (a key file, as {{file:PATH}}) or Password (as {{env:NAME}} or {{file:PATH}}).");
            }

            if (passphrase is not null && key is null)
            {
                errors.Add($"{path}:Passphrase: only with a PrivateKey.");
            }

            var pins = IdentityReader.List(host.GetSection("HostKeys"));
            if (pins.Count == 0)
            {
                errors.Add($"{path}:HostKeys: required; the host's key fingerprints as 'ssh-keygen -l -E sha256 -f /etc/ssh/ssh_host_ed25519_key.pub' prints them (SHA256:…). Keys are pinned: there is no trust on first use.");
            }

            foreach (var pin in pins.Where(p => !IsFingerprint(p)))
            {
                errors.Add($"{path}:HostKeys: '{pin}' is not a SHA-256 fingerprint such as SHA256:X5qKK/hwlfaw5wREsqagt8Rmi9SqTzUeWKQRyVLX/Hw.");
            }

            var connections = SshHostOptions.DefaultMaxConnections;
            if (host["MaxConnections"] is { Length: > 0 } connectionsText
                && (!int.TryParse(connectionsText, NumberStyles.None, CultureInfo.InvariantCulture, out connections) || connections is < 1 or > MaxMaxConnections))
            {
                errors.Add($"{path}:MaxConnections: '{connectionsText}' is not a whole number from 1 to {MaxMaxConnections} (connections to the host, {SshConnections.MaxChannels} commands each).");
                connections = SshHostOptions.DefaultMaxConnections;
            }

            var idle = SshCircuitBreakerOptions.Duration(host, "IdleTimeout", SshHostOptions.DefaultIdleTimeout, errors);
            var breaker = SshCircuitBreakerOptions.Read(host.GetSection("CircuitBreaker"), errors);
            if (address is not null && user is not null)
            {
                result.Add(new SshHostOptions(host.Key, address, port, user, key, passphrase, password, [.. pins], connections, idle, breaker));
            }
        }

        return result;
    }

    private static bool IsFingerprint(string text) =>
        text.StartsWith("SHA256:", StringComparison.Ordinal) && text.Length == "SHA256:".Length + 43
        && !text.AsSpan("SHA256:".Length).ContainsAnyExcept(Base64Characters);

    private static SecretReference? Secret(IConfigurationSection host, string key, string baseDirectory, List<string> errors) =>
        host[key] is { Length: > 0 } ? SecretReference.Read(host.GetSection(key), baseDirectory, errors) : null;
}

using System.Text.Json;
using McpGateway.Audit.RequestHashing;
using McpGateway.Configuration;
using McpGateway.Pipeline;

namespace McpGateway.Tests.Audit;

/// <summary>Keyed request fingerprints: what they reveal, how approvals bind to them, and where the key comes from.</summary>
public sealed class RequestHasherTests : IDisposable
{
    private static readonly JsonElement Arguments = JsonDocument.Parse("""{"service":"billing","method":"GET","path":"/api/cards/4111"}""").RootElement;

    private readonly string _folder = Directory.CreateTempSubdirectory("mcpgw-hashkey-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_fingerprint_is_keyed_so_a_reader_without_the_key_cannot_recompute_it_from_a_guess()
    {
        var hasher = new RequestHasher("k3y-0123456789abcdef-0123456789abcdef"u8);
        var other = new RequestHasher("another-key-0123456789abcdef-012345"u8);

        var hmac = hasher.Hmac("bot", "http_call", "billing", Arguments);

        hmac.Should().MatchRegex("^[0-9a-f]{64}$");
        hmac.Should().NotBe(CanonicalRequest.Hash("bot", "http_call", "billing", Arguments), "the unkeyed hash is what a brute force of a masked value would compare against");
        other.Hmac("bot", "http_call", "billing", Arguments).Should().NotBe(hmac);
        hasher.KeyId.Should().HaveLength(16).And.NotBe(other.KeyId);
    }

    [Fact]
    public void An_approval_bound_before_the_key_still_matches_its_request_and_a_keyed_one_only_under_its_key()
    {
        var hasher = new RequestHasher("k3y-0123456789abcdef-0123456789abcdef"u8);
        var legacy = CanonicalRequest.Hash("bot", "http_call", "billing", Arguments);
        var keyed = hasher.Binding("bot", "http_call", "billing", Arguments);
        var changed = JsonDocument.Parse("""{"service":"billing","method":"GET","path":"/api/cards/4112"}""").RootElement;

        hasher.Matches(legacy, "bot", "http_call", "billing", Arguments).Should().BeTrue("approvals pending across the upgrade still run");
        hasher.Matches(legacy, "bot", "http_call", "billing", changed).Should().BeFalse();
        hasher.Matches(keyed, "bot", "http_call", "billing", Arguments).Should().BeTrue();
        hasher.Matches(keyed, "bot", "http_call", "billing", changed).Should().BeFalse();
        new RequestHasher("another-key-0123456789abcdef-012345"u8).Matches(keyed, "bot", "http_call", "billing", Arguments).Should().BeFalse();
        hasher.Matches("hmac-sha256:" + legacy, "bot", "http_call", "billing", Arguments).Should().BeFalse("a legacy hash dressed as a keyed one does not pass");
        RequestHasher.Describe(keyed).Field.Should().Be("requestHmac");
        RequestHasher.Describe(legacy).Should().Be(("requestSha256", legacy));
    }

    [Fact]
    public void Without_a_configured_key_one_is_created_owner_only_once_and_held_by_the_redactor()
    {
        var secrets = new HeldSecrets(TimeProvider.System);
        var configuration = Configuration(null);

        var (first, created) = RequestHashKeySource.Open(configuration, secrets);
        var (second, again) = RequestHashKeySource.Open(configuration, new HeldSecrets(TimeProvider.System));

        var path = RequestHashKeySource.DefaultPath(configuration.DataDirectory);
        created.Should().Be(path);
        again.Should().BeNull("the key file is made once and then reused");
        second.KeyId.Should().Be(first.KeyId);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.GetUnixFileMode(Path.GetDirectoryName(path)!).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var key = File.ReadAllText(path).Trim();
        secrets.Current.Redact($"the key is {key}").Should().NotContain(key);
    }

    [Fact]
    public void A_key_file_others_may_read_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var configuration = Configuration(null);
        RequestHashKeySource.Open(configuration, new HeldSecrets(TimeProvider.System));
        File.SetUnixFileMode(RequestHashKeySource.DefaultPath(configuration.DataDirectory), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var act = () => RequestHashKeySource.Open(configuration, new HeldSecrets(TimeProvider.System));

        act.Should().Throw<ConfigurationException>().WithMessage("*may be read by other users*");
    }

    [Fact]
    public void A_configured_key_is_used_and_no_file_is_made_and_an_unreadable_one_fails_closed()
    {
        File.WriteAllText(Path.Combine(_folder, "request.key"), "configured-request-key-0123456789abcdef");
        var configured = Configuration("{file:request.key}");

        var (hasher, created) = RequestHashKeySource.Open(configured, new HeldSecrets(TimeProvider.System));
        var missing = () => RequestHashKeySource.Open(Configuration("{file:missing.key}"), new HeldSecrets(TimeProvider.System));

        created.Should().BeNull();
        configured.AuditPayloads.RetainPayloads.Should().Be(TimeSpan.FromDays(90));
        File.Exists(RequestHashKeySource.DefaultPath(configured.DataDirectory)).Should().BeFalse();
        hasher.KeyId.Should().Be(new RequestHasher("configured-request-key-0123456789abcdef"u8).KeyId);
        missing.Should().Throw<ConfigurationException>().WithMessage("McpGateway:Audit:RequestHashKey: *");
    }

    private GatewayConfiguration Configuration(string? key)
    {
        var file = Path.Combine(_folder, "gateway.json");
        var audit = key is null ? string.Empty : $$""", "Audit": { "RequestHashKey": "{{key}}", "RetainPayloads": "90d" }""";
        File.WriteAllText(file, $$"""{ "McpGateway": { "DataDirectory": "data", "Policies": "policies" {{audit}} } }""");
        return ConfigurationLoader.LoadFile(file);
    }
}

using System.Security.Cryptography;
using McpGateway.Audit;
using McpGateway.Audit.Checkpoints;
using McpGateway.Configuration;
using McpGateway.Storage;

namespace McpGateway.Tests.Audit.Checkpoints;

/// <summary>Where the checkpoint signing key comes from, and the rules that keep it a secret.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SigningKeyTests
{
    [Fact]
    public async Task Without_a_configured_key_the_embedded_store_creates_one_in_its_own_folder_readable_by_the_owner_only()
    {
        await using var temporary = await TemporaryStore.CreateAsync();

        using var created = SigningKeySource.OpenOrCreate(AuditOptions.Default(temporary.Folder), temporary.Folder, temporary.Store);
        using var reopened = SigningKeySource.OpenOrCreate(AuditOptions.Default(temporary.Folder), temporary.Folder, temporary.Store);

        var path = Path.Combine(temporary.Folder, "audit-key", "signing-key.pem");
        created.Created.Should().BeTrue();
        created.Source.Should().Be(path);
        File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(Path.GetDirectoryName(path)!).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.ReadAllText(path).Should().StartWith("-----BEGIN PRIVATE KEY-----");
        reopened.Created.Should().BeFalse();
        reopened.KeyId.Should().Be(created.KeyId);
        created.KeyId.Should().MatchRegex("^[0-9a-f]{16}$").And.Be(Convert.ToHexStringLower(SHA256.HashData(PemToDer(created.PublicKey.Pem)))[..16]);
    }

    [Fact]
    public async Task Verify_never_creates_a_key()
    {
        await using var temporary = await TemporaryStore.CreateAsync();

        var key = SigningKeySource.TryOpen(AuditOptions.Default(temporary.Folder), temporary.Folder, temporary.Store);

        key.Should().BeNull();
        Directory.Exists(Path.Combine(temporary.Folder, "audit-key")).Should().BeFalse();
    }

    [Fact]
    public async Task A_key_file_other_users_may_read_is_refused()
    {
        await using var temporary = await TemporaryStore.CreateAsync();
        SigningKeySource.OpenOrCreate(AuditOptions.Default(temporary.Folder), temporary.Folder, temporary.Store).Dispose();
        var path = SigningKeySource.DefaultPath(temporary.Folder);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var open = () => SigningKeySource.OpenOrCreate(AuditOptions.Default(temporary.Folder), temporary.Folder, temporary.Store);

        open.Should().Throw<AuditSigningKeyException>().WithMessage("*may be read by other users (mode 644)*chmod 600*");
    }

    [Fact]
    public async Task A_configured_reference_is_used_and_its_errors_never_show_the_key()
    {
        await using var temporary = await TemporaryStore.CreateAsync();
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = ecdsa.ExportPkcs8PrivateKeyPem();
        var file = Path.Combine(temporary.Folder, "configured.pem");
        File.WriteAllText(file, pem);
        var p384 = Path.Combine(temporary.Folder, "p384.pem");
        using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP384))
        {
            File.WriteAllText(p384, other.ExportPkcs8PrivateKeyPem());
        }

        File.WriteAllText(Path.Combine(temporary.Folder, "sec1.pem"), ecdsa.ExportECPrivateKeyPem());

        using var key = SigningKeySource.OpenOrCreate(Options(temporary, "{file:configured.pem}"), temporary.Folder, temporary.Store);
        var wrongCurve = () => SigningKeySource.OpenOrCreate(Options(temporary, "{file:p384.pem}"), temporary.Folder, temporary.Store);
        var notPkcs8 = () => SigningKeySource.OpenOrCreate(Options(temporary, "{file:sec1.pem}"), temporary.Folder, temporary.Store);
        var missing = () => SigningKeySource.OpenOrCreate(Options(temporary, "{env:MCPGW_TEST_NO_SUCH_KEY}"), temporary.Folder, temporary.Store);

        key.Created.Should().BeFalse();
        key.KeyId.Should().Be(Convert.ToHexStringLower(SHA256.HashData(ecdsa.ExportSubjectPublicKeyInfo()))[..16]);
        Directory.Exists(Path.Combine(temporary.Folder, "audit-key")).Should().BeFalse("a configured key is never joined by a created one");
        wrongCurve.Should().Throw<AuditSigningKeyException>().WithMessage("*not P-256*");
        notPkcs8.Should().Throw<AuditSigningKeyException>().Which.Message.Should().Contain("not a PEM PKCS#8 private key").And.NotContain(pem[30..60]);
        missing.Should().Throw<AuditSigningKeyException>().WithMessage("*{env:MCPGW_TEST_NO_SUCH_KEY}*");
    }

    [Fact]
    public async Task A_store_other_than_sqlite_requires_a_configured_key()
    {
        await using var temporary = await TemporaryStore.CreateAsync();
        await using var other = new OtherStore(temporary.Store);

        var open = () => SigningKeySource.OpenOrCreate(AuditOptions.Default(temporary.Folder), temporary.Folder, other);

        open.Should().Throw<AuditSigningKeyException>().WithMessage("*not the embedded SQLite store, so McpGateway:Audit:SigningKey is required*");
        Directory.Exists(Path.Combine(temporary.Folder, "audit-key")).Should().BeFalse();
    }

    [Fact]
    public async Task Checkpoint_payloads_never_hold_the_private_key()
    {
        await using var fixture = await CheckpointFixture.CreateAsync();
        var privateDer = Convert.ToBase64String(PemToDer(File.ReadAllText(SigningKeySource.DefaultPath(fixture.Temporary.Folder))));

        var entries = await fixture.Temporary.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).ToListAsync();

        entries.Where(e => e.Type == AuditEventTypes.AuditCheckpoint).Should().HaveCount(2);
        var fragment = privateDer.Substring(40, 40);
        entries.Should().OnlyContain(e => !e.Payload!.Contains(fragment, StringComparison.Ordinal));
        File.ReadAllText(fixture.LogPath).Should().NotContain(fragment).And.NotContain("PRIVATE");
    }

    private static AuditOptions Options(TemporaryStore temporary, string reference) =>
        AuditOptions.Default(temporary.Folder) with { SigningKey = SecretReference.TryParse(reference, temporary.Folder, out _) };

    private static byte[] PemToDer(string pem)
    {
        var fields = PemEncoding.Find(pem);
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }

    /// <summary>A store that is not the embedded one (as the PostgreSQL store will be).</summary>
    private sealed class OtherStore(IGatewayStore inner) : IGatewayStore
    {
        public IKeyStore Keys => inner.Keys;

        public IAuditStore Audit => inner.Audit;

        public IApprovalStore Approvals => inner.Approvals;

        public IJobLeases Jobs => inner.Jobs;

        public IOutbox Outbox => inner.Outbox;

        public McpGateway.Audit.Purge.IAuditPurgeStore Purges => inner.Purges;

        public IPolicyRevisionStore PolicyRevisions => inner.PolicyRevisions;

        public IConsoleStore Console => inner.Console;

        public string Description => "postgres://example";

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

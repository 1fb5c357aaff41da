using System.Security.Cryptography;
using System.Text;
using McpGateway.Audit;
using McpGateway.Hosting.Authentication;
using McpGateway.Policies;
using Microsoft.Extensions.Time.Testing;

namespace McpGateway.Tests.Hosting.Authentication;

public sealed class ApiKeyServiceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly Identities _identities = new();
    private TemporaryStore _temporary = null!;
    private ApiKeyService _keys = null!;

    public async Task InitializeAsync()
    {
        _temporary = await TemporaryStore.CreateAsync(_time);
        _keys = new ApiKeyService(_temporary.Store, new AuditRecorder(_temporary.Store.Audit, new McpGateway.Configuration.HeldSecrets(_time)), _identities, _time);
    }

    public async Task DisposeAsync() => await _temporary.DisposeAsync();

    [Fact]
    public async Task A_created_key_authenticates_as_its_identity_and_records_last_use()
    {
        var issued = await _keys.CreateAsync("bot", null, "ci", CancellationToken.None);

        var result = await _keys.AuthenticateAsync(issued.Key, CancellationToken.None);

        issued.Key.Should().MatchRegex("^mgw_[a-z2-7]{16}_[a-z2-7]{52}$");
        result.Succeeded.Should().BeTrue(result.Failure);
        result.Identity!.Name.Should().Be("bot");
        result.Identity.Groups.Should().Contain("agents", "groups come from configuration");
        (await _temporary.Store.Keys.FindAsync(issued.Info.Id, CancellationToken.None))!.LastUsedAt.Should().Be(_time.GetUtcNow());
    }

    [Fact]
    public async Task A_last_use_that_cannot_be_written_does_not_turn_a_valid_key_away()
    {
        await using var busy = await TemporaryStore.CreateAsync(_time, busyTimeout: TimeSpan.FromMilliseconds(200));
        var keys = new ApiKeyService(busy.Store, new AuditRecorder(busy.Store.Audit, new McpGateway.Configuration.HeldSecrets(_time)), _identities, _time);
        var issued = await keys.CreateAsync("bot", null, null, CancellationToken.None);
        using var writer = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={busy.DatabasePath};Pooling=False");
        writer.Open();
        using (var begin = writer.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
        }

        var result = await keys.AuthenticateAsync(issued.Key, CancellationToken.None);

        result.Succeeded.Should().BeTrue(result.Failure);
        (await busy.Store.Keys.FindAsync(issued.Info.Id, CancellationToken.None))!.LastUsedAt.Should().BeNull("the write could not happen; it is retried on a later request");
    }

    [Fact]
    public async Task Only_a_hash_of_the_secret_is_stored()
    {
        var issued = await _keys.CreateAsync("bot", null, null, CancellationToken.None);
        ApiKeyFormat.TryParse(issued.Key, out var id, out var secret).Should().BeTrue();
        await _temporary.Store.DisposeAsync();

        var stored = await _temporary.Store.Keys.FindAsync(id, CancellationToken.None);
        stored!.SecretHash.Should().Equal(SHA256.HashData(Encoding.ASCII.GetBytes(secret)));
        var everything = Directory.GetFiles(_temporary.Folder).SelectMany(File.ReadAllBytes).ToArray();
        Encoding.ASCII.GetString(everything).Should().NotContain(secret);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bearer x")]
    [InlineData("mgw_short_key")]
    [InlineData("mgw_AAAAAAAAAAAAAAAA_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Malformed_keys_are_refused(string presented)
    {
        (await _keys.AuthenticateAsync(presented, CancellationToken.None)).Succeeded.Should().BeFalse();
    }

    [Fact]
    public async Task The_right_id_with_a_wrong_secret_is_refused()
    {
        var issued = await _keys.CreateAsync("bot", null, null, CancellationToken.None);
        var forged = issued.Key[..^1] + (issued.Key[^1] == 'a' ? 'b' : 'a');

        var result = await _keys.AuthenticateAsync(forged, CancellationToken.None);

        result.Succeeded.Should().BeFalse();
        result.Failure.Should().Be("The API key is not valid.");
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once()
    {
        var issued = await _keys.CreateAsync("bot", null, null, CancellationToken.None);

        await _keys.RevokeAsync(issued.Info.Id, CancellationToken.None);

        (await _keys.AuthenticateAsync(issued.Key, CancellationToken.None)).Failure.Should().Be("The API key was revoked.");
        var again = () => _keys.RevokeAsync(issued.Info.Id, CancellationToken.None);
        await again.Should().ThrowAsync<ApiKeyException>().WithMessage("*already revoked*");
    }

    [Fact]
    public async Task A_key_stops_working_when_it_expires()
    {
        var issued = await _keys.CreateAsync("bot", _time.GetUtcNow().AddHours(1), null, CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(59));
        var before = await _keys.AuthenticateAsync(issued.Key, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        var after = await _keys.AuthenticateAsync(issued.Key, CancellationToken.None);

        before.Succeeded.Should().BeTrue();
        after.Failure.Should().Be("The API key has expired.");
    }

    [Fact]
    public async Task Rotation_without_grace_retires_the_old_key_at_once()
    {
        var old = await _keys.CreateAsync("bot", null, "deploy", CancellationToken.None);

        var replacement = await _keys.RotateAsync(old.Info.Id, null, TimeSpan.Zero, CancellationToken.None);

        (await _keys.AuthenticateAsync(old.Key, CancellationToken.None)).Succeeded.Should().BeFalse();
        (await _keys.AuthenticateAsync(replacement.Key, CancellationToken.None)).Identity!.Name.Should().Be("bot");
        replacement.Info.RotatedFrom.Should().Be(old.Info.Id);
        replacement.Info.Description.Should().Be("deploy");
    }

    [Fact]
    public async Task Rotation_with_grace_keeps_the_old_key_until_the_grace_ends()
    {
        var old = await _keys.CreateAsync("bot", null, null, CancellationToken.None);

        await _keys.RotateAsync(old.Info.Id, null, TimeSpan.FromHours(1), CancellationToken.None);
        var during = await _keys.AuthenticateAsync(old.Key, CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(1));
        var after = await _keys.AuthenticateAsync(old.Key, CancellationToken.None);

        during.Succeeded.Should().BeTrue();
        after.Succeeded.Should().BeFalse();
    }

    [Fact]
    public async Task A_key_is_rotated_once()
    {
        var old = await _keys.CreateAsync("bot", null, null, CancellationToken.None);
        var replacement = await _keys.RotateAsync(old.Info.Id, null, TimeSpan.FromHours(1), CancellationToken.None);

        var again = () => _keys.RotateAsync(old.Info.Id, null, TimeSpan.FromHours(1), CancellationToken.None);

        await again.Should().ThrowAsync<ApiKeyException>().WithMessage($"*already rotated*{replacement.Info.Id}*");
        (await _keys.ListAsync("bot", CancellationToken.None).CountAsync(k => k.Status == "active")).Should().Be(1, "only the replacement; the old key is in its grace period");
    }

    [Fact]
    public async Task A_key_in_its_rotation_grace_period_is_listed_as_rotated_until_the_grace_ends()
    {
        var old = await _keys.CreateAsync("bot", null, null, CancellationToken.None);
        var replacement = await _keys.RotateAsync(old.Info.Id, null, TimeSpan.FromHours(1), CancellationToken.None);

        var during = await _keys.ListAsync(null, CancellationToken.None).ToDictionaryAsync(k => k.Id);
        var alone = await _keys.ListAsync("bot", CancellationToken.None).SingleAsync(k => k.Id == old.Info.Id);
        _time.Advance(TimeSpan.FromHours(1));
        var after = await _keys.ListAsync(null, CancellationToken.None).SingleAsync(k => k.Id == old.Info.Id);

        during[old.Info.Id].Status.Should().Be("rotated");
        during[old.Info.Id].ReplacedBy.Should().Be(replacement.Info.Id);
        during[old.Info.Id].ExpiresAt.Should().Be(_time.GetUtcNow());
        during[replacement.Info.Id].Status.Should().Be("active");
        alone.Status.Should().Be("rotated", "filtering by identity still finds the replacement");
        after.Status.Should().Be("expired");
    }

    [Fact]
    public async Task A_key_rotated_without_grace_is_listed_as_revoked_and_names_its_replacement()
    {
        var old = await _keys.CreateAsync("bot", null, null, CancellationToken.None);
        var replacement = await _keys.RotateAsync(old.Info.Id, null, TimeSpan.Zero, CancellationToken.None);

        var listed = await _keys.ListAsync(null, CancellationToken.None).SingleAsync(k => k.Id == old.Info.Id);

        listed.Status.Should().Be("revoked");
        listed.ReplacedBy.Should().Be(replacement.Info.Id);
    }

    [Fact]
    public async Task Keys_are_only_issued_for_configured_identities_with_a_role()
    {
        var unknown = () => _keys.CreateAsync("stranger", null, null, CancellationToken.None);
        var roleless = () => _keys.CreateAsync("human", null, null, CancellationToken.None);
        var past = () => _keys.CreateAsync("bot", _time.GetUtcNow().AddSeconds(-1), null, CancellationToken.None);

        await unknown.Should().ThrowAsync<ApiKeyException>().WithMessage("*'stranger' is not configured*");
        await roleless.Should().ThrowAsync<ApiKeyException>().WithMessage("*holds no role*");
        await past.Should().ThrowAsync<ApiKeyException>().WithMessage("*not in the future*");
    }

    [Fact]
    public async Task A_key_whose_identity_left_the_configuration_is_refused()
    {
        var issued = await _keys.CreateAsync("bot", null, null, CancellationToken.None);

        _identities.Remove("bot");

        (await _keys.AuthenticateAsync(issued.Key, CancellationToken.None)).Failure.Should().Contain("no longer configured");
    }

    [Fact]
    public async Task Key_lifecycle_events_are_recorded_in_the_audit_chain_without_secrets()
    {
        var issued = await _keys.CreateAsync("bot", null, null, CancellationToken.None);
        var rotated = await _keys.RotateAsync(issued.Info.Id, null, TimeSpan.Zero, CancellationToken.None);
        await _keys.RevokeAsync(rotated.Info.Id, CancellationToken.None);

        var entries = await _temporary.Store.Audit.ReadAsync(AuditQuery.All, CancellationToken.None).ToListAsync();

        entries.Select(e => e.Type).Should().Equal(AuditEventTypes.KeyCreated, AuditEventTypes.KeyRotated, AuditEventTypes.KeyRevoked);
        entries.Should().OnlyContain(e => e.Ids.Identity == "bot");
        string.Concat(entries.Select(e => e.Payload)).Should().NotContain(issued.Key[21..]).And.NotContain(rotated.Key[21..]);
    }

    [Fact]
    public async Task Listing_never_shows_a_secret_or_hash()
    {
        await _keys.CreateAsync("bot", null, null, CancellationToken.None);

        var listed = await _keys.ListAsync(null, CancellationToken.None).SingleAsync();

        typeof(ApiKeyInfo).GetProperties().Select(p => p.Name).Should().NotContain(["SecretHash", "Secret", "Key"]);
        listed.Status.Should().Be("active");
    }

    private sealed class Identities : IIdentityDirectory
    {
        private readonly Dictionary<string, IdentityInfo> _all = new()
        {
            ["bot"] = IdentityInfo.Create("bot", ["agents"], [Roles.Agent]),
            ["human"] = IdentityInfo.Create("human", ["engineering"], []),
        };

        public IdentityInfo? Find(string name) => _all.GetValueOrDefault(name);

        public void Remove(string name) => _all.Remove(name);
    }
}

using McpGateway.Configuration;
using McpGateway.Hosting.Console;
using McpGateway.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Storage;

/// <summary>
/// The console's sessions and Data Protection key ring in the store: only a hash of a session id
/// is kept, sessions end by revocation (one or all of an identity's) and are cleaned up after they
/// end, and two gateways on one store (replicas, or before and after a restart) unprotect what
/// the other protected.
/// </summary>
public class ConsoleStoreTests
{
    protected virtual StoreKind Kind => StoreKind.Sqlite;

    [StoreFact]
    public async Task A_session_is_found_by_its_hash_touched_forward_only_and_revoked_once()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind);
        var console = temporary.Store.Console;
        var now = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        await console.CreateSessionAsync(new ConsoleSession("h1", "approver", "key:abc", now, now, now.AddHours(8), null), CancellationToken.None);

        await console.TouchSessionAsync("h1", now.AddMinutes(10), CancellationToken.None);
        await console.TouchSessionAsync("h1", now.AddMinutes(5), CancellationToken.None);
        var found = await console.FindSessionAsync("h1", CancellationToken.None);
        var revoked = await console.RevokeSessionAsync("h1", now.AddMinutes(11), CancellationToken.None);
        var again = await console.RevokeSessionAsync("h1", now.AddMinutes(12), CancellationToken.None);

        found!.Identity.Should().Be("approver");
        found.LastSeenAt.Should().Be(now.AddMinutes(10), "a late touch does not move the idle clock back");
        found.ExpiresAt.Should().Be(now.AddHours(8));
        revoked.Should().BeTrue();
        again.Should().BeFalse();
        (await console.FindSessionAsync("h1", CancellationToken.None))!.RevokedAt.Should().Be(now.AddMinutes(11));
        (await console.FindSessionAsync("nope", CancellationToken.None)).Should().BeNull();
    }

    [StoreFact]
    public async Task Every_live_session_of_an_identity_can_be_revoked_and_ended_ones_are_deleted_later()
    {
        await using var temporary = await TemporaryStore.CreateAsync(Kind);
        var console = temporary.Store.Console;
        var now = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        await console.CreateSessionAsync(new ConsoleSession("a1", "alice", "key:1", now, now, now.AddHours(8), null), CancellationToken.None);
        await console.CreateSessionAsync(new ConsoleSession("a2", "alice", "oidc:corp", now, now, now.AddHours(8), null), CancellationToken.None);
        await console.CreateSessionAsync(new ConsoleSession("b1", "bob", "key:2", now, now, now.AddHours(8), null), CancellationToken.None);
        await console.CreateSessionAsync(new ConsoleSession("old", "bob", "key:2", now.AddDays(-2), now.AddDays(-2), now.AddDays(-2).AddHours(8), null), CancellationToken.None);

        (await console.RevokeSessionsAsync("alice", now.AddMinutes(1), CancellationToken.None)).Should().Be(2);
        (await console.DeleteEndedSessionsAsync(now.AddMinutes(-1), CancellationToken.None)).Should().Be(1, "only the session that ended before the cut-off");
        (await console.FindSessionAsync("b1", CancellationToken.None))!.RevokedAt.Should().BeNull();
        (await console.FindSessionAsync("old", CancellationToken.None)).Should().BeNull();
        (await console.DeleteEndedSessionsAsync(now.AddMinutes(2), CancellationToken.None)).Should().Be(2);
    }

    [StoreFact]
    public async Task Two_gateways_on_one_store_share_the_data_protection_key_ring()
    {
        await using var first = await TemporaryStore.CreateAsync(Kind);
        await using var second = await first.OpenAnotherAsync();

        var protectedText = Protector(first.Store.Console).Protect("console-session-cookie");
        var unprotected = Protector(second.Console).Unprotect(protectedText);

        unprotected.Should().Be("console-session-cookie");
        (await first.Store.Console.DataProtectionKeysAsync(CancellationToken.None)).Should().ContainSingle("the first gateway created the key both use");
        var foreign = () => Protector(second.Console, "another-purpose").Unprotect(protectedText);
        foreign.Should().Throw<System.Security.Cryptography.CryptographicException>("a payload protected for one purpose is not readable for another");
    }

    private static IDataProtector Protector(IConsoleStore store, string purpose = "console")
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("mcp-gateway");
        services.Configure<KeyManagementOptions>(options => options.XmlRepository = new StoreXmlRepository(store, TimeProvider.System));
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector(purpose);
    }
}

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class PostgresConsoleStoreTests : ConsoleStoreTests, IPostgresStoreTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

using McpGateway.Configuration;
using System.Text;
using McpGateway.Storage;
using McpGateway.Storage.Sqlite;

namespace McpGateway.Tests.Storage;

/// <summary>Policy revisions kept content-addressed in the real SQLite store, and the versioned migrations that made their tables.</summary>
public class PolicyRevisionStoreTests : IAsyncLifetime
{
    protected virtual StoreKind Kind => StoreKind.Sqlite;

    private TemporaryStore _store = null!;

    public async Task InitializeAsync() => _store = await TemporaryStore.CreateAsync(Kind);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [StoreFact]
    public async Task A_revision_is_found_by_its_prefix_with_its_files_and_a_shared_file_is_stored_once()
    {
        var shared = File("common.yaml", "rules: []\n");
        await _store.Store.PolicyRevisions.SaveAsync(new PolicyRevision("abcdef01" + new string('1', 56), DateTimeOffset.UtcNow, [shared, File("a.yaml", "a: 1\n")]), CancellationToken.None);
        var saved = await _store.Store.PolicyRevisions.SaveAsync(new PolicyRevision("abcdef02" + new string('2', 56), DateTimeOffset.UtcNow, [shared, File("b.yaml", "b: 2\n")]), CancellationToken.None);
        var again = await _store.Store.PolicyRevisions.SaveAsync(new PolicyRevision("abcdef02" + new string('2', 56), DateTimeOffset.UtcNow, [shared]), CancellationToken.None);

        var found = await _store.Store.PolicyRevisions.FindAsync("ABCDEF02", CancellationToken.None);
        var ambiguous = () => _store.Store.PolicyRevisions.FindAsync("abcdef", CancellationToken.None);

        saved.Should().BeTrue();
        again.Should().BeFalse("a revision is stored once, with the files it was first loaded with");
        found!.Files.Select(f => f.Path).Should().Equal("b.yaml", "common.yaml");
        Encoding.UTF8.GetString(found.Files[1].Content).Should().Be("rules: []\n");
        await ambiguous.Should().ThrowAsync<AmbiguousRevisionException>();
        (await _store.Store.PolicyRevisions.FindAsync("fedcba", CancellationToken.None)).Should().BeNull();
        (await _store.Store.PolicyRevisions.FindAsync("ab' OR 1=1 --", CancellationToken.None)).Should().BeNull();
        _store.Scalar("SELECT COUNT(*) FROM policy_file_contents;").Should().Be(3L, "common.yaml is stored once for both revisions");
    }

    [SqliteFact]
    public async Task A_store_migrated_before_these_tables_gets_them_and_keeps_its_entries()
    {
        _store.Execute("DROP TABLE policy_revision_files; DROP TABLE policy_revisions; DROP TABLE policy_file_contents; DROP INDEX audit_entries_purge; DELETE FROM schema_migrations WHERE version = 5;");

        var reopened = await SqliteGatewayStore.OpenAsync(_store.Folder, TimeProvider.System, CancellationToken.None);
        await using (reopened)
        {
            (await reopened.PolicyRevisions.SaveAsync(new PolicyRevision(new string('c', 64), DateTimeOffset.UtcNow, [File("x.yaml", "x")]), CancellationToken.None)).Should().BeTrue();
        }
    }

    private static PolicyRevisionFile File(string path, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return new PolicyRevisionFile(path, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), bytes);
    }
}

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class PostgresPolicyRevisionStoreTests : PolicyRevisionStoreTests, IPostgresStoreTests
{
    protected override StoreKind Kind => StoreKind.Postgres;
}

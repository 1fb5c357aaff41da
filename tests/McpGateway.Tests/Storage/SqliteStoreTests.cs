using McpGateway.Audit;
using McpGateway.Storage;
using McpGateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace McpGateway.Tests.Storage;

public sealed class SqliteStoreTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_database_and_its_folder_are_private_to_the_owner()
    {
        await using var temporary = await TemporaryStore.CreateAsync();
        await temporary.Store.Audit.AppendAsync(new AuditAppend("test", AuditIds.None, []), CancellationToken.None);

        File.GetUnixFileMode(temporary.DatabasePath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(temporary.Folder).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var sidecar in new[] { "-wal", "-shm" }.Select(s => temporary.DatabasePath + s).Where(File.Exists))
        {
            (File.GetUnixFileMode(sidecar) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)).Should().Be(UnixFileMode.None, sidecar);
        }
    }

    [Fact]
    public async Task A_backup_taken_while_the_store_is_written_restores_to_a_chain_that_verifies_and_goes_on()
    {
        await using var temporary = await TemporaryStore.CreateAsync();
        var backup = Path.Combine(Path.GetDirectoryName(temporary.Folder)!, "backup", SqliteGatewayStore.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(backup)!);
        for (var i = 0; i < 20; i++)
        {
            await temporary.Store.Audit.AppendAsync(new AuditAppend("call.finished", new AuditIds($"c{i}", "s", null, "agent"), new() { ["n"] = i }), CancellationToken.None);
        }

        // The documented backup (VACUUM INTO, as sqlite3's .backup does) while writers go on.
        var writing = Task.Run(async () =>
        {
            for (var i = 20; i < 60; i++)
            {
                await temporary.Store.Audit.AppendAsync(new AuditAppend("call.finished", new AuditIds($"c{i}", "s", null, "agent"), new() { ["n"] = i }), CancellationToken.None);
            }
        });
        temporary.Execute($"VACUUM INTO '{backup}';");
        await writing;

        await using var restored = await SqliteGatewayStore.OpenAsync(Path.GetDirectoryName(backup)!, TimeProvider.System, CancellationToken.None);
        var verified = await AuditVerifier.VerifyAsync(restored.Audit, CancellationToken.None);
        verified.Intact.Should().BeTrue(verified.Problem);
        verified.Entries.Should().BeInRange(20, 60, "the backup is one consistent snapshot");
        (await restored.Audit.AppendAsync(new AuditAppend("call.finished", AuditIds.None, []), CancellationToken.None)).Seq.Should().Be(verified.Entries + 1);
    }

    [Fact]
    public async Task The_journal_is_wal_and_the_schema_is_migrated_once()
    {
        await using var temporary = await TemporaryStore.CreateAsync();
        var again = await SqliteGatewayStore.OpenAsync(temporary.Folder, TimeProvider.System, CancellationToken.None);
        await again.DisposeAsync();

        using var connection = new SqliteConnection($"Data Source={temporary.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        command.ExecuteScalar().Should().Be("wal");
        command.CommandText = "SELECT COUNT(*) FROM schema_migrations;";
        command.ExecuteScalar().Should().Be((long)SqliteMigrations.Count);
    }

    [Fact]
    public async Task A_database_from_a_newer_gateway_is_refused()
    {
        await using var temporary = await TemporaryStore.CreateAsync();
        temporary.Execute("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'later');");

        var act = () => SqliteGatewayStore.OpenAsync(temporary.Folder, TimeProvider.System, CancellationToken.None);

        await act.Should().ThrowAsync<StoreUnavailableException>().WithMessage("*schema version 99*upgrade the gateway*");
    }

    [Fact]
    public async Task A_data_folder_that_cannot_exist_is_a_clear_error()
    {
        var file = Path.GetTempFileName();
        try
        {
            var act = () => SqliteGatewayStore.OpenAsync(Path.Combine(file, "data"), TimeProvider.System, CancellationToken.None);

            await act.Should().ThrowAsync<StoreUnavailableException>().WithMessage($"The data folder '{Path.Combine(file, "data")}' cannot be written: '{file}' is a file, not a folder.*");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_write_check_of_the_data_folder_leaves_nothing_behind()
    {
        await using var temporary = await TemporaryStore.CreateAsync();
        await temporary.Store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        var before = Directory.GetFileSystemEntries(temporary.Folder).Order(StringComparer.Ordinal).ToList();

        var reopened = await SqliteGatewayStore.OpenAsync(temporary.Folder, TimeProvider.System, CancellationToken.None);
        await reopened.DisposeAsync();
        SqliteConnection.ClearAllPools();

        Directory.GetFileSystemEntries(temporary.Folder).Order(StringComparer.Ordinal).Should().Equal(before);
    }
}

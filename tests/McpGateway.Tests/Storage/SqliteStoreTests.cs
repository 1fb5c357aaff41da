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

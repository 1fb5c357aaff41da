using System.Data.Common;
using System.Runtime.CompilerServices;
using static McpGateway.Storage.Relational.StoreSql;

namespace McpGateway.Storage.Relational;

/// <summary>Console sessions and Data Protection keys, in either store.</summary>
internal sealed class RelationalConsoleStore(RelationalGatewayStore store) : IConsoleStore
{
    private const string Columns = "id_hash, identity, credential, created_at, last_seen_at, expires_at, revoked_at";

    public Task CreateSessionAsync(ConsoleSession session, CancellationToken cancellationToken) =>
        ExecuteAsync(
            $"INSERT INTO console_sessions ({Columns}) VALUES (@id, @identity, @credential, @created, @seen, @expires, NULL);",
            [("@id", session.IdHash), ("@identity", session.Identity), ("@credential", session.Credential), ("@created", Time(session.CreatedAt)), ("@seen", Time(session.LastSeenAt)), ("@expires", Time(session.ExpiresAt))],
            cancellationToken);

    public async Task<ConsoleSession?> FindSessionAsync(string idHash, CancellationToken cancellationToken)
    {
        var connection = await store.OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection)
        {
            await using var command = Command(connection, null, $"SELECT {Columns} FROM console_sessions WHERE id_hash = @id;", ("@id", idHash));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? new ConsoleSession(reader.GetString(0), reader.GetString(1), reader.GetString(2), ReadTime(reader, 3), ReadTime(reader, 4), ReadTime(reader, 5), ReadOptionalTime(reader, 6))
                : null;
        }
    }

    public Task TouchSessionAsync(string idHash, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE console_sessions SET last_seen_at = @at WHERE id_hash = @id AND last_seen_at < @at;", [("@id", idHash), ("@at", Time(at))], cancellationToken);

    public async Task<bool> RevokeSessionAsync(string idHash, DateTimeOffset at, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE console_sessions SET revoked_at = @at WHERE id_hash = @id AND revoked_at IS NULL;", [("@id", idHash), ("@at", Time(at))], cancellationToken).ConfigureAwait(false) == 1;

    public Task<int> RevokeSessionsAsync(string identity, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE console_sessions SET revoked_at = @at WHERE identity = @identity AND revoked_at IS NULL AND expires_at > @at;", [("@identity", identity), ("@at", Time(at))], cancellationToken);

    public Task<int> DeleteEndedSessionsAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM console_sessions WHERE expires_at < @before OR revoked_at < @before;", [("@before", Time(before))], cancellationToken);

    public async Task<IReadOnlyList<string>> DataProtectionKeysAsync(CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var xml in ReadKeysAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(xml);
        }

        return keys;
    }

    public Task StoreDataProtectionKeyAsync(string name, string xml, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@name, @xml, @at) ON CONFLICT (name) DO NOTHING;",
            [("@name", name), ("@xml", xml), ("@at", Time(at))],
            cancellationToken);

    private async IAsyncEnumerable<string> ReadKeysAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await store.OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection)
        {
            await using var command = Command(connection, null, "SELECT xml FROM data_protection_keys ORDER BY created_at, name;");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return reader.GetString(0);
            }
        }
    }

    private Task<int> ExecuteAsync(string sql, (string, object)[] parameters, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async (DbConnection connection, DbTransaction transaction) =>
            {
                await using var command = Command(connection, transaction, sql, parameters);
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
}

using System.Runtime.CompilerServices;
using System.Data.Common;
using static McpGateway.Storage.Relational.StoreSql;

namespace McpGateway.Storage.Relational;

internal sealed class RelationalKeyStore(RelationalGatewayStore store) : IKeyStore
{
    private const string Columns = "id, identity, secret_hash, created_at, expires_at, revoked_at, last_used_at, description, rotated_from";

    public Task InsertAsync(ApiKeyRecord key, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async (connection, transaction) =>
            {
                await using var insert = Command(
                    connection,
                    transaction,
                    $"INSERT INTO api_keys ({Columns}) VALUES (@id, @identity, @hash, @created, @expires, NULL, NULL, @description, @from);",
                    ("@id", key.Id),
                    ("@identity", key.Identity),
                    ("@hash", key.SecretHash),
                    ("@created", Time(key.CreatedAt)),
                    ("@expires", Time(key.ExpiresAt)),
                    ("@description", Value(key.Description)),
                    ("@from", Value(key.RotatedFrom)));
                return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);

    public async Task<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await foreach (var key in QueryAsync($"SELECT {Columns} FROM api_keys WHERE id = @id;", [("@id", id)], cancellationToken).ConfigureAwait(false))
        {
            return key;
        }

        return null;
    }

    public IAsyncEnumerable<ApiKeyRecord> ListAsync(string? identity, CancellationToken cancellationToken) =>
        identity is null
            ? QueryAsync($"SELECT {Columns} FROM api_keys ORDER BY created_at, id;", [], cancellationToken)
            : QueryAsync($"SELECT {Columns} FROM api_keys WHERE identity = @identity ORDER BY created_at, id;", [("@identity", identity)], cancellationToken);

    public Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE api_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL;", id, at, cancellationToken);

    public Task<bool> ExpireByAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE api_keys SET expires_at = CASE WHEN expires_at IS NULL OR expires_at > @at THEN @at ELSE expires_at END WHERE id = @id;", id, at, cancellationToken);

    public Task TouchAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE api_keys SET last_used_at = @at WHERE id = @id;", id, at, cancellationToken);

    private Task<bool> UpdateAsync(string sql, string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async (connection, transaction) =>
            {
                await using var update = Command(connection, transaction, sql, ("@id", id), ("@at", Time(at)));
                return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            },
            cancellationToken);

    private async IAsyncEnumerable<ApiKeyRecord> QueryAsync(string sql, (string, object)[] parameters, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await store.OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection)
        {
            await using var command = Command(connection, null, sql, parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return new ApiKeyRecord(
                    reader.GetString(0),
                    reader.GetString(1),
                    (byte[])reader.GetValue(2),
                    ReadTime(reader, 3),
                    ReadOptionalTime(reader, 4),
                    ReadOptionalTime(reader, 5),
                    ReadOptionalTime(reader, 6),
                    ReadOptional(reader, 7),
                    ReadOptional(reader, 8));
            }
        }
    }
}

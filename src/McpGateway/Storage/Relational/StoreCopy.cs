using System.Data.Common;
using System.Globalization;
using McpGateway.Audit;

namespace McpGateway.Storage.Relational;

/// <summary>What <see cref="StoreCopy.CopyAsync"/> moved, table by table, and the chain's head in both stores.</summary>
public sealed record StoreCopyReport(IReadOnlyList<(string Table, long Rows)> Tables, long HeadSeq, string HeadHash)
{
    public long Rows(string table) => Tables.FirstOrDefault(t => t.Table == table).Rows;
}

/// <summary>The target already holds data; nothing was copied.</summary>
public sealed class StoreNotEmptyException(string message) : Exception(message);

/// <summary>
/// Copies every table of one store into another, row for row (the chain's seqs, hashes and
/// timestamps unchanged, so it verifies as it did): read in one read transaction of the source (a
/// consistent snapshot even while a gateway writes), written in one write transaction of the
/// target, which must be empty — it commits whole or not at all. The head is then compared.
/// </summary>
public static class StoreCopy
{
    /// <summary>Tables in an order their references allow, with their columns.</summary>
    private static readonly (string Table, string Columns, string Order)[] Tables =
    [
        ("api_keys", "id, identity, secret_hash, created_at, expires_at, revoked_at, last_used_at, description, rotated_from", "id"),
        ("audit_entries", "seq, ts, type, call_id, session_id, approval_id, identity, prev_hash, payload_hash, entry_hash, payload, instance_id, lease_until", "seq"),
        ("audit_index", "seq, call_id, tool, target, decision, outcome, ts", "seq"),
        ("approvals", "id, status, requester, owner, session_id, call_id, tool, target, request_hash, target_hash, revision, created_at, expires_at, decided_at, decided_by, reason, result_call_id, executing_until, final_at, detail, sensitive", "id"),
        ("approval_votes", "approval_id, approver, approve, reason, at", "approval_id, approver"),
        ("job_leases", "name, holder, until", "name"),
        ("outbox", "id, webhook, body, created_at, attempts, next_at, delivered_at, last_error", "id"),
        ("policy_file_contents", "sha256, content", "sha256"),
        ("policy_revisions", "revision, first_loaded_at", "revision"),
        ("policy_revision_files", "revision, path, sha256", "revision, path"),
        ("console_sessions", "id_hash, identity, credential, created_at, last_seen_at, expires_at, revoked_at", "id_hash"),
        ("data_protection_keys", "name, xml, created_at", "name"),
    ];

    /// <summary>Rows per statement batch written to the target.</summary>
    private const int BatchRows = 500;

    public static async Task<StoreCopyReport> CopyAsync(RelationalGatewayStore source, RelationalGatewayStore target, CancellationToken cancellationToken)
    {
        await using var reading = await source.OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        await using var snapshot = await source.BeginSnapshotAsync(reading, cancellationToken).ConfigureAwait(false);
        var copied = await target.WriteAsync(
            async (connection, transaction) =>
            {
                foreach (var (table, _, _) in Tables)
                {
                    if (await CountAsync(connection, transaction, table, cancellationToken).ConfigureAwait(false) is var rows and > 0)
                    {
                        throw new StoreNotEmptyException($"The target store {target.Description} already holds {rows} row(s) in {table}: migrate into an empty database, before any gateway serves from it.");
                    }
                }

                var counts = new List<(string, long)>();
                foreach (var (table, columns, order) in Tables)
                {
                    counts.Add((table, await CopyTableAsync(reading, snapshot, connection, transaction, table, columns, order, cancellationToken).ConfigureAwait(false)));
                }

                return counts;
            },
            cancellationToken).ConfigureAwait(false);

        var (sourceSeq, sourceHash) = await HeadAsync(reading, snapshot, cancellationToken).ConfigureAwait(false);
        await using var checking = await target.OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        var (targetSeq, targetHash) = await HeadAsync(checking, null, cancellationToken).ConfigureAwait(false);
        if (sourceSeq != targetSeq || sourceHash != targetHash)
        {
            throw new InvalidOperationException($"After the copy the target's chain ends at entry {targetSeq} ({targetHash}), the source's at {sourceSeq} ({sourceHash}).");
        }

        return new StoreCopyReport(copied, sourceSeq, sourceHash);
    }

    private static async Task<long> CopyTableAsync(DbConnection from, DbTransaction snapshot, DbConnection to, DbTransaction transaction, string table, string columns, string order, CancellationToken cancellationToken)
    {
        var names = columns.Split(", ");
        var insert = $"INSERT INTO {table} ({columns}) VALUES ({string.Join(", ", names.Select(n => "@" + n))});";
        await using var read = StoreSql.Command(from, snapshot, $"SELECT {columns} FROM {table} ORDER BY {order};");
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var pending = new List<object[]>(BatchRows);
        long rows = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var values = new object[names.Length];
            reader.GetValues(values);
            pending.Add(values);
            rows++;
            if (pending.Count == BatchRows)
            {
                await WriteAsync(to, transaction, insert, names, pending, cancellationToken).ConfigureAwait(false);
                pending.Clear();
            }
        }

        await WriteAsync(to, transaction, insert, names, pending, cancellationToken).ConfigureAwait(false);
        return rows;
    }

    private static async Task WriteAsync(DbConnection connection, DbTransaction transaction, string insert, string[] names, List<object[]> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        if (connection.CanCreateBatch)
        {
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            foreach (var row in rows)
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = insert;
                for (var i = 0; i < names.Length; i++)
                {
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = "@" + names[i];
                    parameter.Value = row[i];
                    command.Parameters.Add(parameter);
                }

                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var row in rows)
        {
            await using var command = StoreSql.Command(connection, transaction, insert, [.. names.Select((n, i) => ("@" + n, row[i]))]);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<long> CountAsync(DbConnection connection, DbTransaction? transaction, string table, CancellationToken cancellationToken)
    {
        await using var count = StoreSql.Command(connection, transaction, $"SELECT COUNT(*) FROM {table};");
        return Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static async Task<(long Seq, string Hash)> HeadAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var head = StoreSql.Command(connection, transaction, "SELECT seq, entry_hash FROM audit_entries ORDER BY seq DESC LIMIT 1;");
        await using var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetInt64(0), reader.GetString(1)) : (0, AuditChain.Genesis);
    }
}

using System.Runtime.CompilerServices;
using System.Text;
using McpGateway.Audit;
using Microsoft.Data.Sqlite;
using static McpGateway.Storage.Sqlite.SqliteText;

namespace McpGateway.Storage.Sqlite;

internal sealed class SqliteAuditStore(SqliteGatewayStore store, TimeProvider time) : IAuditStore
{
    private const string Columns = "seq, ts, type, call_id, session_id, approval_id, identity, prev_hash, payload_hash, entry_hash, payload, instance_id, lease_until";

    public Task<AuditEntry> AppendAsync(AuditAppend entry, CancellationToken cancellationToken) =>
        store.WriteAsync((connection, transaction) => AppendInTransactionAsync(connection, transaction, entry, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> MarkAbandonedAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync<IReadOnlyList<AuditEntry>>(
            async (connection, transaction) =>
            {
                var expired = new List<AuditEntry>();
                await using (var query = Command(
                    connection,
                    transaction,
                    $"""
                    SELECT {Columns} FROM audit_entries s
                    WHERE s.type = 'call.started' AND s.lease_until < $now
                      AND NOT EXISTS (SELECT 1 FROM audit_entries f WHERE f.call_id = s.call_id AND f.seq > s.seq AND f.type IN ('call.finished', 'call.abandoned'))
                    ORDER BY s.seq;
                    """,
                    ("$now", AuditChain.FormatTimestamp(now))))
                await using (var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        expired.Add(Read(reader));
                    }
                }

                var marked = new List<AuditEntry>();
                foreach (var start in expired)
                {
                    var payload = new System.Text.Json.Nodes.JsonObject
                    {
                        ["startSeq"] = start.Seq,
                        ["instanceId"] = start.Lease?.InstanceId,
                        ["leaseUntil"] = start.Lease is { } lease ? AuditChain.FormatTimestamp(lease.Until) : null,
                        ["reason"] = "The instance that started this call stopped vouching for it (its lease ended) without recording a finish.",
                    };
                    marked.Add(await AppendInTransactionAsync(connection, transaction, new AuditAppend(AuditEventTypes.CallAbandoned, start.Ids, payload), cancellationToken).ConfigureAwait(false));
                }

                return marked;
            },
            cancellationToken);

    internal async Task<AuditEntry> AppendInTransactionAsync(SqliteConnection connection, SqliteTransaction transaction, AuditAppend entry, CancellationToken cancellationToken)
    {
        // The head is read inside the write transaction, never cached: another process may have appended.
        AuditEntry? head = null;
        await using (var last = Command(connection, transaction, $"SELECT {Columns} FROM audit_entries ORDER BY seq DESC LIMIT 1;"))
        await using (var reader = await last.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                head = Read(reader);
            }
        }

        var next = AuditChain.Next(head, time.GetUtcNow(), entry);
        await using var insert = Command(
            connection,
            transaction,
            $"INSERT INTO audit_entries ({Columns}) VALUES ($seq, $ts, $type, $call, $session, $approval, $identity, $prev, $payloadHash, $entryHash, $payload, $instance, $lease);",
            ("$seq", next.Seq),
            ("$ts", AuditChain.FormatTimestamp(next.Timestamp)),
            ("$type", next.Type),
            ("$call", Value(next.Ids.CallId)),
            ("$session", Value(next.Ids.SessionId)),
            ("$approval", Value(next.Ids.ApprovalId)),
            ("$identity", Value(next.Ids.Identity)),
            ("$prev", next.PrevHash),
            ("$payloadHash", next.PayloadHash),
            ("$entryHash", next.EntryHash),
            ("$payload", next.Payload!),
            ("$instance", Value(next.Lease?.InstanceId)),
            ("$lease", next.Lease is { } lease ? AuditChain.FormatTimestamp(lease.Until) : DBNull.Value));
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return next;
    }

    public async IAsyncEnumerable<AuditEntry> ReadAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM audit_entries WHERE 1 = 1");
        var parameters = new List<(string, object)>();
        if (query.AfterSeq is { } after)
        {
            sql.Append(" AND seq > $after");
            parameters.Add(("$after", after));
        }

        if (query.Since is { } since)
        {
            sql.Append(" AND ts >= $since");
            parameters.Add(("$since", AuditChain.FormatTimestamp(since)));
        }

        if (query.Until is { } until)
        {
            sql.Append(" AND ts <= $until");
            parameters.Add(("$until", AuditChain.FormatTimestamp(until)));
        }

        if (query.Identity is { } identity)
        {
            sql.Append(" AND identity = $identity");
            parameters.Add(("$identity", identity));
        }

        if (query.SessionId is { } session)
        {
            sql.Append(" AND session_id = $session");
            parameters.Add(("$session", session));
        }

        sql.Append(" ORDER BY seq;");
        var connection = await store.OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection)
        {
            await using var command = Command(connection, null, sql.ToString(), [.. parameters]);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return Read(reader);
            }
        }
    }

    private static AuditEntry Read(SqliteDataReader reader)
    {
        var seq = reader.GetInt64(0);
        try
        {
            return ReadEntry(reader, seq);
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException)
        {
            throw new AuditFormatException(seq, $"Entry {seq} is malformed ({ex.Message}); it was written or changed outside the gateway.", ex);
        }
    }

    private static AuditEntry ReadEntry(SqliteDataReader reader, long seq) => new(
        seq,
        AuditChain.ParseTimestamp(reader.GetString(1)),
        reader.GetString(2),
        new AuditIds(ReadOptional(reader, 3), ReadOptional(reader, 4), ReadOptional(reader, 5), ReadOptional(reader, 6)),
        reader.GetString(7),
        reader.GetString(8),
        reader.GetString(9),
        ReadOptional(reader, 10),
        ReadOptional(reader, 11) is { } instance && ReadOptional(reader, 12) is { } until
            ? new AuditLease(instance, AuditChain.ParseTimestamp(until))
            : null);
}

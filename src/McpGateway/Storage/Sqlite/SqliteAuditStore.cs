using System.Runtime.CompilerServices;
using System.Text;
using McpGateway.Audit;
using Microsoft.Data.Sqlite;
using static McpGateway.Storage.Sqlite.SqliteText;

namespace McpGateway.Storage.Sqlite;

/// <summary>
/// The chain on SQLite. Appends from concurrent callers are committed together (group commit):
/// the first caller to find no batch being written writes every entry queued by then in one
/// transaction — one fsync — and goes on with what queued meanwhile; each caller waits only for
/// the batch its entry is in, and a batch that fails fails every caller in it.
/// </summary>
internal sealed class SqliteAuditStore(SqliteGatewayStore store, TimeProvider time) : IAuditStore
{
    /// <summary>Most entries written in one transaction.</summary>
    public const int MaxBatch = 512;

    private const string Columns = "seq, ts, type, call_id, session_id, approval_id, identity, prev_hash, payload_hash, entry_hash, payload, instance_id, lease_until";

    private readonly Lock _queueLock = new();
    private long _commits;
    private long _committedEntries;
    private List<PendingAppend> _queue = [];
    private bool _writing;

    public Task<AuditEntry> AppendAsync(AuditAppend entry, CancellationToken cancellationToken)
    {
        var pending = new PendingAppend(entry, AuditChain.Payload(entry));
        bool lead;
        lock (_queueLock)
        {
            _queue.Add(pending);
            lead = !_writing;
            _writing = true;
        }

        if (lead)
        {
            _ = Task.Run(WriteQueuedAsync, CancellationToken.None);
        }

        // Once queued, the entry is written with its batch whatever this caller does; a caller
        // that stops waiting has a start that is later marked abandoned, never a lost one.
        return pending.Written.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes batches until the queue is empty.</summary>
    private async Task WriteQueuedAsync()
    {
        while (true)
        {
            List<PendingAppend> batch;
            lock (_queueLock)
            {
                if (_queue.Count == 0)
                {
                    _writing = false;
                    return;
                }

                if (_queue.Count <= MaxBatch)
                {
                    batch = _queue;
                    _queue = [];
                }
                else
                {
                    batch = _queue.GetRange(0, MaxBatch);
                    _queue.RemoveRange(0, MaxBatch);
                }
            }

            try
            {
                var written = await store.WriteAsync((connection, transaction) => AppendBatchAsync(connection, transaction, batch), CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref _commits);
                Interlocked.Add(ref _committedEntries, batch.Count);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Written.TrySetResult(written[i]);
                }
            }
            catch (Exception ex)
            {
                foreach (var pending in batch)
                {
                    pending.Written.TrySetException(ex);
                }
            }
        }
    }

    private async Task<AuditEntry[]> AppendBatchAsync(SqliteConnection connection, SqliteTransaction transaction, List<PendingAppend> batch)
    {
        // Only the head's number and hash are needed to chain on; one statement inserts them all.
        long seq = 0;
        var hash = AuditChain.Genesis;
        await using (var last = Command(connection, transaction, "SELECT seq, entry_hash FROM audit_entries ORDER BY seq DESC LIMIT 1;"))
        await using (var reader = await last.ExecuteReaderAsync().ConfigureAwait(false))
        {
            if (await reader.ReadAsync().ConfigureAwait(false))
            {
                seq = reader.GetInt64(0);
                hash = reader.GetString(1);
            }
        }

        await using var insert = InsertCommand(connection, transaction);
        await using var index = IndexCommand(connection, transaction);
        insert.Prepare();
        index.Prepare();
        var written = new AuditEntry[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var next = written[i] = AuditChain.Next(seq, hash, time.GetUtcNow(), batch[i].Entry, batch[i].Payload);
            Bind(insert, next);
            await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
            BindIndex(index, next, batch[i].Entry);
            await index.ExecuteNonQueryAsync().ConfigureAwait(false);
            (seq, hash) = (next.Seq, next.EntryHash);
        }

        return written;
    }

    private static SqliteCommand InsertCommand(SqliteConnection connection, SqliteTransaction transaction)
    {
        var insert = Command(connection, transaction, $"INSERT INTO audit_entries ({Columns}) VALUES ($seq, $ts, $type, $call, $session, $approval, $identity, $prev, $payloadHash, $entryHash, $payload, $instance, $lease);");
        foreach (var name in (string[])["$seq", "$ts", "$type", "$call", "$session", "$approval", "$identity", "$prev", "$payloadHash", "$entryHash", "$payload", "$instance", "$lease"])
        {
            insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return insert;
    }

    private static SqliteCommand IndexCommand(SqliteConnection connection, SqliteTransaction transaction)
    {
        var index = Command(connection, transaction, "INSERT INTO audit_index (seq, call_id, tool, target, decision, outcome, ts) VALUES ($seq, $call, $tool, $target, $decision, $outcome, $ts);");
        foreach (var name in (string[])["$seq", "$call", "$tool", "$target", "$decision", "$outcome", "$ts"])
        {
            index.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return index;
    }

    /// <summary>The index row of an entry: what its payload says of the call (tool, target, decision, outcome), read from the payload as appended.</summary>
    private static void BindIndex(SqliteCommand index, AuditEntry next, AuditAppend entry)
    {
        var values = index.Parameters;
        values[0].Value = next.Seq;
        values[1].Value = Value(next.Ids.CallId);
        values[2].Value = Value(Text(entry.Payload["tool"]));
        values[3].Value = Value(Text(entry.Payload["target"]));
        values[4].Value = Value(Text(entry.Payload["decision"]?["decision"]));
        values[5].Value = Value(Text(entry.Payload["outcome"]));
        values[6].Value = AuditChain.FormatTimestamp(next.Timestamp);

        static string? Text(System.Text.Json.Nodes.JsonNode? node) =>
            node is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
    }

    private static void Bind(SqliteCommand insert, AuditEntry next)
    {
        var values = insert.Parameters;
        values[0].Value = next.Seq;
        values[1].Value = AuditChain.FormatTimestamp(next.Timestamp);
        values[2].Value = next.Type;
        values[3].Value = Value(next.Ids.CallId);
        values[4].Value = Value(next.Ids.SessionId);
        values[5].Value = Value(next.Ids.ApprovalId);
        values[6].Value = Value(next.Ids.Identity);
        values[7].Value = next.PrevHash;
        values[8].Value = next.PayloadHash;
        values[9].Value = next.EntryHash;
        values[10].Value = next.Payload!;
        values[11].Value = Value(next.Lease?.InstanceId);
        values[12].Value = next.Lease is { } lease ? AuditChain.FormatTimestamp(lease.Until) : DBNull.Value;
    }

    /// <summary>Batches committed by this process and the entries they held.</summary>
    public AuditBatchCounters Counters => new(Interlocked.Read(ref _commits), Interlocked.Read(ref _committedEntries));

    private sealed class PendingAppend(AuditAppend entry, (string Text, string Hash) payload)
    {
        public AuditAppend Entry { get; } = entry;

        public (string Text, string Hash) Payload { get; } = payload;

        public TaskCompletionSource<AuditEntry> Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

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
        var head = await ReadHeadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        return await InsertAsync(connection, transaction, head, entry, AuditChain.Payload(entry), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The chain head, read inside the write transaction, never cached: another process may have appended.</summary>
    private static async Task<AuditEntry?> ReadHeadAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var last = Command(connection, transaction, $"SELECT {Columns} FROM audit_entries ORDER BY seq DESC LIMIT 1;");
        await using var reader = await last.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    private async Task<AuditEntry> InsertAsync(SqliteConnection connection, SqliteTransaction transaction, AuditEntry? head, AuditAppend entry, (string Text, string Hash) payload, CancellationToken cancellationToken)
    {
        var next = AuditChain.Next(head, time.GetUtcNow(), entry, payload);
        await using var insert = InsertCommand(connection, transaction);
        Bind(insert, next);
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await using var index = IndexCommand(connection, transaction);
        BindIndex(index, next, entry);
        await index.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return next;
    }

    public async Task<long> LastSeqAsync(CancellationToken cancellationToken)
    {
        var connection = await store.OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM audit_entries;";
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }
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

        // Tool and decision are properties of a call: every entry of a call that matches.
        if (query.Tool is { } tool)
        {
            sql.Append(" AND call_id IN (SELECT call_id FROM audit_index WHERE tool = $tool AND call_id IS NOT NULL)");
            parameters.Add(("$tool", tool));
        }

        if (query.Decision is { } decision)
        {
            sql.Append(" AND call_id IN (SELECT call_id FROM audit_index WHERE decision = $decision AND call_id IS NOT NULL)");
            parameters.Add(("$decision", decision));
        }

        if (query.ApprovalId is { } approval)
        {
            sql.Append(" AND (approval_id = $approval OR call_id IN (SELECT call_id FROM audit_entries WHERE approval_id = $approval AND call_id IS NOT NULL))");
            parameters.Add(("$approval", approval));
        }

        sql.Append(" ORDER BY seq");
        if (query.Limit is { } limit)
        {
            sql.Append(" LIMIT $limit");
            parameters.Add(("$limit", limit));
        }

        sql.Append(';');
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

/// <summary>How many group commits this process made and how many entries they held (their ratio is the mean batch).</summary>
public readonly record struct AuditBatchCounters(long Commits, long Entries);

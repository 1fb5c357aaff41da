using System.Runtime.CompilerServices;
using System.Text;
using McpGateway.Audit;
using System.Data.Common;
using static McpGateway.Storage.Relational.StoreSql;

namespace McpGateway.Storage.Relational;

/// <summary>
/// The chain, in either store. Appends from concurrent callers are committed together (group commit):
/// the first caller to find no batch being written writes every entry queued by then in one
/// transaction — one fsync — and goes on with what queued meanwhile; each caller waits only for
/// the batch its entry is in, and a batch that fails fails every caller in it.
/// </summary>
internal sealed class RelationalAuditStore(RelationalGatewayStore store, TimeProvider time) : IAuditStore
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

    private async Task<AuditEntry[]> AppendBatchAsync(DbConnection connection, DbTransaction transaction, List<PendingAppend> batch)
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

        var written = new AuditEntry[batch.Count];
        var appends = new AuditAppend[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var next = written[i] = AuditChain.Next(seq, hash, time.GetUtcNow(), batch[i].Entry, batch[i].Payload);
            appends[i] = batch[i].Entry;
            (seq, hash) = (next.Seq, next.EntryHash);
        }

        await InsertRowsAsync(connection, transaction, written, appends, CancellationToken.None).ConfigureAwait(false);
        return written;
    }

    private const string InsertEntry = $"INSERT INTO audit_entries ({Columns}) VALUES (@seq, @ts, @type, @call, @session, @approval, @identity, @prev, @payloadHash, @entryHash, @payload, @instance, @lease);";

    private static readonly string[] EntryParameters = ["@seq", "@ts", "@type", "@call", "@session", "@approval", "@identity", "@prev", "@payloadHash", "@entryHash", "@payload", "@instance", "@lease"];

    private const string InsertIndex = "INSERT INTO audit_index (seq, call_id, tool, target, decision, outcome, ts) VALUES (@seq, @call, @tool, @target, @decision, @outcome, @ts);";

    private static readonly string[] IndexParameters = ["@seq", "@call", "@tool", "@target", "@decision", "@outcome", "@ts"];

    /// <summary>
    /// Inserts entries and their index rows: as one batch of statements — one round trip — where
    /// the provider has batches (PostgreSQL), otherwise with two prepared statements run per entry
    /// (SQLite, in process).
    /// </summary>
    private static async Task InsertRowsAsync(DbConnection connection, DbTransaction transaction, AuditEntry[] entries, AuditAppend[] appends, CancellationToken cancellationToken)
    {
        if (connection.CanCreateBatch)
        {
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            for (var i = 0; i < entries.Length; i++)
            {
                batch.BatchCommands.Add(BatchCommand(batch, InsertEntry, EntryParameters, EntryValues(entries[i])));
                batch.BatchCommands.Add(BatchCommand(batch, InsertIndex, IndexParameters, IndexValues(entries[i], appends[i])));
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await using var insert = Prepared(connection, transaction, InsertEntry, EntryParameters);
        await using var index = Prepared(connection, transaction, InsertIndex, IndexParameters);
        for (var i = 0; i < entries.Length; i++)
        {
            Bind(insert, EntryValues(entries[i]));
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            Bind(index, IndexValues(entries[i], appends[i]));
            await index.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static DbBatchCommand BatchCommand(DbBatch batch, string sql, string[] names, object[] values)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = sql;
        for (var i = 0; i < names.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = names[i];
            parameter.Value = values[i];
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static DbCommand Prepared(DbConnection connection, DbTransaction transaction, string sql, string[] names)
    {
        var command = Command(connection, transaction, sql);
        foreach (var name in names)
        {
            command.Parameters.Add(Parameter(command, name, null));
        }

        command.Prepare();
        return command;
    }

    private static void Bind(DbCommand command, object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
    }

    /// <summary>The index row of an entry: what its payload says of the call (tool, target, decision, outcome), read from the payload as appended.</summary>
    private static object[] IndexValues(AuditEntry next, AuditAppend entry) =>
    [
        next.Seq,
        Value(next.Ids.CallId),
        Value(Text(entry.Payload["tool"])),
        Value(Text(entry.Payload["target"])),
        Value(Text(entry.Payload["decision"]?["decision"])),
        Value(Text(entry.Payload["outcome"])),
        AuditChain.FormatTimestamp(next.Timestamp),
    ];

    private static string? Text(System.Text.Json.Nodes.JsonNode? node) =>
        node is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static object[] EntryValues(AuditEntry next) =>
    [
        next.Seq,
        AuditChain.FormatTimestamp(next.Timestamp),
        next.Type,
        Value(next.Ids.CallId),
        Value(next.Ids.SessionId),
        Value(next.Ids.ApprovalId),
        Value(next.Ids.Identity),
        next.PrevHash,
        next.PayloadHash,
        next.EntryHash,
        next.Payload!,
        Value(next.Lease?.InstanceId),
        next.Lease is { } lease ? AuditChain.FormatTimestamp(lease.Until) : DBNull.Value,
    ];

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
                    WHERE s.type = 'call.started' AND s.lease_until < @now
                      AND NOT EXISTS (SELECT 1 FROM audit_entries f WHERE f.call_id = s.call_id AND f.seq > s.seq AND f.type IN ('call.finished', 'call.abandoned'))
                    ORDER BY s.seq;
                    """,
                    ("@now", AuditChain.FormatTimestamp(now))))
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

    internal async Task<AuditEntry> AppendInTransactionAsync(DbConnection connection, DbTransaction transaction, AuditAppend entry, CancellationToken cancellationToken)
    {
        var head = await ReadHeadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        return await InsertAsync(connection, transaction, head, entry, AuditChain.Payload(entry), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The chain head, read inside the write transaction, never cached: another process may have appended.</summary>
    private static async Task<AuditEntry?> ReadHeadAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var last = Command(connection, transaction, $"SELECT {Columns} FROM audit_entries ORDER BY seq DESC LIMIT 1;");
        await using var reader = await last.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    private async Task<AuditEntry> InsertAsync(DbConnection connection, DbTransaction transaction, AuditEntry? head, AuditAppend entry, (string Text, string Hash) payload, CancellationToken cancellationToken)
    {
        var next = AuditChain.Next(head, time.GetUtcNow(), entry, payload);
        await InsertRowsAsync(connection, transaction, [next], [entry], cancellationToken).ConfigureAwait(false);
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
            sql.Append(" AND seq > @after");
            parameters.Add(("@after", after));
        }

        if (query.Since is { } since)
        {
            sql.Append(" AND ts >= @since");
            parameters.Add(("@since", AuditChain.FormatTimestamp(since)));
        }

        if (query.Until is { } until)
        {
            sql.Append(" AND ts <= @until");
            parameters.Add(("@until", AuditChain.FormatTimestamp(until)));
        }

        if (query.Identity is { } identity)
        {
            sql.Append(" AND identity = @identity");
            parameters.Add(("@identity", identity));
        }

        if (query.SessionId is { } session)
        {
            sql.Append(" AND session_id = @session");
            parameters.Add(("@session", session));
        }

        // Tool and decision are properties of a call: every entry of a call that matches.
        if (query.Tool is { } tool)
        {
            sql.Append(" AND call_id IN (SELECT call_id FROM audit_index WHERE tool = @tool AND call_id IS NOT NULL)");
            parameters.Add(("@tool", tool));
        }

        if (query.Decision is { } decision)
        {
            sql.Append(" AND call_id IN (SELECT call_id FROM audit_index WHERE decision = @decision AND call_id IS NOT NULL)");
            parameters.Add(("@decision", decision));
        }

        if (query.ApprovalId is { } approval)
        {
            sql.Append(" AND (approval_id = @approval OR call_id IN (SELECT call_id FROM audit_entries WHERE approval_id = @approval AND call_id IS NOT NULL))");
            parameters.Add(("@approval", approval));
        }

        sql.Append(" ORDER BY seq");
        if (query.Limit is { } limit)
        {
            sql.Append(" LIMIT @limit");
            parameters.Add(("@limit", limit));
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

    private static AuditEntry Read(DbDataReader reader)
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

    private static AuditEntry ReadEntry(DbDataReader reader, long seq) => new(
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

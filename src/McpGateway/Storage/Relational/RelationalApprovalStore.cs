using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using System.Data.Common;
using static McpGateway.Storage.Relational.StoreSql;

namespace McpGateway.Storage.Relational;

/// <summary>Approval requests: every change in one write transaction (holding the writers' lock) with its audit entries.</summary>
internal sealed class RelationalApprovalStore(RelationalGatewayStore store, RelationalAuditStore audit) : IApprovalStore
{
    private const string Columns = "id, status, requester, owner, session_id, call_id, tool, target, request_hash, target_hash, revision, created_at, expires_at, decided_at, decided_by, reason, result_call_id, executing_until, final_at, detail, sensitive";

    public Task<(ApprovalOpening Opening, ApprovalRecord? Record)> OpenAsync(ApprovalRecord record, int maxPending, Func<ApprovalRecord, (AuditAppend Entry, IReadOnlyList<OutboxMessage> Messages)> requested, CancellationToken cancellationToken) =>
        store.WriteAsync<(ApprovalOpening, ApprovalRecord?)>(
            async (connection, transaction) =>
            {
                var now = Time(store.Time.GetUtcNow());
                var identical = await QueryAsync(
                    connection,
                    transaction,
                    $"SELECT {Columns} FROM approvals WHERE requester = @requester AND request_hash = @hash AND status = 'pending' AND expires_at > @now ORDER BY created_at LIMIT 1;",
                    [("@requester", record.Requester), ("@hash", record.RequestHash), ("@now", now)],
                    cancellationToken).ConfigureAwait(false);
                if (identical.Count > 0)
                {
                    return (ApprovalOpening.Existing, identical[0]);
                }

                await using (var count = Command(connection, transaction, "SELECT COUNT(*) FROM approvals WHERE requester = @requester AND status = 'pending' AND expires_at > @now;", ("@requester", record.Requester), ("@now", now)))
                {
                    if (Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) >= maxPending)
                    {
                        return (ApprovalOpening.TooManyPending, null);
                    }
                }

                await WriteAsync(connection, transaction, record, insert: true, cancellationToken).ConfigureAwait(false);
                var (entry, messages) = requested(record);
                await audit.AppendInTransactionAsync(connection, transaction, entry, cancellationToken).ConfigureAwait(false);
                await RelationalOutbox.EnqueueInTransactionAsync(connection, transaction, messages, cancellationToken).ConfigureAwait(false);
                return (ApprovalOpening.Created, record);
            },
            cancellationToken);

    public async Task<ApprovalRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var connection = await store.OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection)
        {
            var found = await QueryAsync(connection, null, $"SELECT {Columns} FROM approvals WHERE id = @id;", [("@id", id)], cancellationToken).ConfigureAwait(false);
            return found.Count == 0 ? null : found[0];
        }
    }

    public async Task<IReadOnlyList<ApprovalRecord>> ListAsync(ApprovalFilter filter, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM approvals WHERE 1 = 1");
        var parameters = new List<(string, object)>();
        if (filter.Status is { } status)
        {
            sql.Append(" AND status = @status");
            parameters.Add(("@status", Name(status)));
        }

        if (filter.Tool is { } tool)
        {
            sql.Append(" AND tool = @tool");
            parameters.Add(("@tool", tool));
        }

        if (filter.Requester is { } requester)
        {
            sql.Append(" AND requester = @requester");
            parameters.Add(("@requester", requester));
        }

        if (filter.ExpiresBefore is { } expires)
        {
            sql.Append(" AND status IN ('pending', 'approved', 'executing') AND (expires_at < @expires OR (status = 'executing' AND executing_until < @expires))");
            parameters.Add(("@expires", Time(expires)));
        }

        if (filter.FinalBefore is { } final)
        {
            sql.Append(" AND sensitive IS NOT NULL AND final_at < @final");
            parameters.Add(("@final", Time(final)));
        }

        sql.Append(" ORDER BY created_at DESC, id LIMIT @limit;");
        parameters.Add(("@limit", Math.Clamp(filter.Limit, 1, 1000)));
        var connection = await store.OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection)
        {
            return await QueryAsync(connection, null, sql.ToString(), parameters, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<ApprovalChange<T>?> ChangeAsync<T>(string id, Func<ApprovalRecord, ApprovalChange<T>> decide, CancellationToken cancellationToken) =>
        store.WriteAsync<ApprovalChange<T>?>(
            async (connection, transaction) =>
            {
                var found = await QueryAsync(connection, transaction, $"SELECT {Columns} FROM approvals WHERE id = @id;", [("@id", id)], cancellationToken).ConfigureAwait(false);
                if (found.Count == 0)
                {
                    return null;
                }

                var change = decide(found[0]);
                if (change.Vote is { } vote)
                {
                    await using var insert = Command(
                        connection,
                        transaction,
                        "INSERT INTO approval_votes (approval_id, approver, approve, reason, at) VALUES (@id, @approver, @approve, @reason, @at);",
                        ("@id", id),
                        ("@approver", vote.Approver),
                        ("@approve", vote.Approve ? 1 : 0),
                        ("@reason", Value(vote.Reason)),
                        ("@at", Time(vote.At)));
                    await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                if (change.Updated is { } updated)
                {
                    if (updated.Id != id)
                    {
                        throw new InvalidOperationException("An approval change may not change the request's id.");
                    }

                    await WriteAsync(connection, transaction, updated, insert: false, cancellationToken).ConfigureAwait(false);
                }

                foreach (var entry in change.Entries ?? [])
                {
                    await audit.AppendInTransactionAsync(connection, transaction, entry, cancellationToken).ConfigureAwait(false);
                }

                await RelationalOutbox.EnqueueInTransactionAsync(connection, transaction, change.Messages ?? [], cancellationToken).ConfigureAwait(false);
                return change;
            },
            cancellationToken);

    internal static string Name(ApprovalStatus status) => ApprovalStatusNames.Of(status);

    private static ApprovalStatus ParseStatus(string text) =>
        ApprovalStatusNames.TryParse(text, out var status) ? status : throw new FormatException($"unknown approval status '{text}'");

    private static async Task WriteAsync(DbConnection connection, DbTransaction transaction, ApprovalRecord record, bool insert, CancellationToken cancellationToken)
    {
        var sql = insert
            ? $"INSERT INTO approvals ({Columns}) VALUES (@id, @status, @requester, @owner, @session, @call, @tool, @target, @requestHash, @targetHash, @revision, @created, @expires, @decidedAt, @decidedBy, @reason, @resultCall, @executingUntil, @final, @detail, @sensitive);"
            : """
              UPDATE approvals SET status = @status, expires_at = @expires, decided_at = @decidedAt, decided_by = @decidedBy, reason = @reason,
                  result_call_id = @resultCall, executing_until = @executingUntil, final_at = @final, detail = @detail, sensitive = @sensitive
              WHERE id = @id;
              """;
        await using var command = Command(
            connection,
            transaction,
            sql,
            ("@id", record.Id),
            ("@status", Name(record.Status)),
            ("@requester", record.Requester),
            ("@owner", Value(record.Owner)),
            ("@session", Value(record.SessionId)),
            ("@call", record.CallId),
            ("@tool", record.Tool),
            ("@target", record.Target),
            ("@requestHash", record.RequestHash),
            ("@targetHash", record.TargetHash),
            ("@revision", record.Revision),
            ("@created", Time(record.CreatedAt)),
            ("@expires", Time(record.ExpiresAt)),
            ("@decidedAt", Time(record.DecidedAt)),
            ("@decidedBy", Value(record.DecidedBy)),
            ("@reason", Value(record.Reason)),
            ("@resultCall", Value(record.ResultCallId)),
            ("@executingUntil", Time(record.ExecutingUntil)),
            ("@final", Time(record.FinalAt)),
            ("@detail", record.Detail.ToJsonString()),
            ("@sensitive", Value(record.Sensitive?.ToJsonString())));
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
        {
            throw new InvalidOperationException($"Approval {record.Id} was not {(insert ? "inserted" : "updated")}.");
        }
    }

    private static async Task<List<ApprovalRecord>> QueryAsync(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyList<(string, object)> parameters, CancellationToken cancellationToken)
    {
        var records = new List<ApprovalRecord>();
        await using (var command = Command(connection, transaction, sql, [.. parameters]))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                records.Add(Read(reader));
            }
        }

        for (var i = 0; i < records.Count; i++)
        {
            var votes = ImmutableArray.CreateBuilder<ApprovalVote>();
            await using var command = Command(connection, transaction, "SELECT approver, approve, reason, at FROM approval_votes WHERE approval_id = @id ORDER BY at, approver;", ("@id", records[i].Id));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                votes.Add(new ApprovalVote(reader.GetString(0), reader.GetInt64(1) == 1, ReadOptional(reader, 2), ReadTime(reader, 3)));
            }

            records[i] = records[i] with { Votes = votes.ToImmutable() };
        }

        return records;
    }

    private static ApprovalRecord Read(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Status = ParseStatus(reader.GetString(1)),
        Requester = reader.GetString(2),
        Owner = ReadOptional(reader, 3),
        SessionId = ReadOptional(reader, 4),
        CallId = reader.GetString(5),
        Tool = reader.GetString(6),
        Target = reader.GetString(7),
        RequestHash = reader.GetString(8),
        TargetHash = reader.GetString(9),
        Revision = reader.GetString(10),
        CreatedAt = ReadTime(reader, 11),
        ExpiresAt = ReadTime(reader, 12),
        DecidedAt = ReadOptionalTime(reader, 13),
        DecidedBy = ReadOptional(reader, 14),
        Reason = ReadOptional(reader, 15),
        ResultCallId = ReadOptional(reader, 16),
        ExecutingUntil = ReadOptionalTime(reader, 17),
        FinalAt = ReadOptionalTime(reader, 18),
        Detail = JsonNode.Parse(reader.GetString(19)) as JsonObject ?? throw new FormatException("approval detail is not a JSON object"),
        Sensitive = ReadOptional(reader, 20) is { } sensitive ? JsonNode.Parse(sensitive) as JsonObject : null,
    };
}

/// <summary>The outbox and job leases.</summary>
internal sealed class RelationalOutbox(RelationalGatewayStore store) : IOutbox, IJobLeases
{
    public Task EnqueueAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async (connection, transaction) =>
            {
                await EnqueueInTransactionAsync(connection, transaction, messages, cancellationToken).ConfigureAwait(false);
                return messages.Count;
            },
            cancellationToken);

    internal static async Task EnqueueInTransactionAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            await using var insert = Command(
                connection,
                transaction,
                "INSERT INTO outbox (id, webhook, body, created_at, attempts, next_at) VALUES (@id, @webhook, @body, @created, 0, @next);",
                ("@id", message.Id),
                ("@webhook", message.Webhook),
                ("@body", message.Body),
                ("@created", Time(message.CreatedAt)),
                ("@next", Time(message.NextAttemptAt)));
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<OutboxMessage>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var messages = new List<OutboxMessage>();
        var connection = await store.OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection)
        {
            await using var command = Command(connection, null, "SELECT id, webhook, body, created_at, attempts, next_at FROM outbox WHERE delivered_at IS NULL AND next_at <= @now ORDER BY next_at LIMIT @limit;", ("@now", Time(now)), ("@limit", limit));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                messages.Add(new OutboxMessage(reader.GetString(0), reader.GetString(1), reader.GetString(2), ReadTime(reader, 3), (int)reader.GetInt64(4), ReadTime(reader, 5)));
            }
        }

        return messages;
    }

    public Task MarkDeliveredAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE outbox SET delivered_at = @at, attempts = attempts + 1, last_error = NULL WHERE id = @id;", [("@id", id), ("@at", Time(at))], cancellationToken);

    public Task MarkFailedAsync(string id, string failure, DateTimeOffset? retryAt, CancellationToken cancellationToken) =>
        ExecuteAsync(
            // Given up: kept, with its error, but never due again.
            "UPDATE outbox SET attempts = attempts + 1, last_error = @error, next_at = COALESCE(@next, '9999-12-31T00:00:00.0000000Z') WHERE id = @id;",
            [("@id", id), ("@error", failure), ("@next", Time(retryAt))],
            cancellationToken);

    public Task<bool> TryAcquireAsync(string job, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async (connection, transaction) =>
            {
                await using var command = Command(
                    connection,
                    transaction,
                    """
                    INSERT INTO job_leases (name, holder, until) VALUES (@name, @holder, @until)
                    ON CONFLICT (name) DO UPDATE SET holder = @holder, until = @until
                    WHERE job_leases.holder = @holder OR job_leases.until < @now;
                    """,
                    ("@name", job),
                    ("@holder", holder),
                    ("@until", Time(until)),
                    ("@now", Time(now)));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            },
            cancellationToken);

    // A job's position is a row of job_leases named "<job>#position": its holder column holds the
    // position as decimal text and its until column when it last moved. The table is the store's
    // per-job state; job names never contain '#', so no lease is ever taken under that name.
    private static string PositionRow(string job) => job + "#position";

    public async Task<long> ReadPositionAsync(string job, CancellationToken cancellationToken)
    {
        var connection = await store.OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection)
        {
            await using var command = Command(connection, null, "SELECT CAST(holder AS BIGINT) FROM job_leases WHERE name = @name;", ("@name", PositionRow(job)));
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long position ? position : 0;
        }
    }

    public Task<bool> AdvancePositionAsync(string job, string holder, long position, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async (connection, transaction) =>
            {
                await using var held = Command(connection, transaction, "SELECT 1 FROM job_leases WHERE name = @name AND holder = @holder AND until >= @now;", ("@name", job), ("@holder", holder), ("@now", Time(now)));
                if (await held.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
                {
                    return false;
                }

                await using var advance = Command(
                    connection,
                    transaction,
                    """
                    INSERT INTO job_leases (name, holder, until) VALUES (@name, @position, @now)
                    ON CONFLICT (name) DO UPDATE SET holder = @position, until = @now
                    WHERE CAST(job_leases.holder AS BIGINT) < CAST(@position AS BIGINT);
                    """,
                    ("@name", PositionRow(job)),
                    ("@position", position.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ("@now", Time(now)));
                await advance.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    private Task<int> ExecuteAsync(string sql, (string, object)[] parameters, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async (connection, transaction) =>
            {
                await using var command = Command(connection, transaction, sql, parameters);
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
}


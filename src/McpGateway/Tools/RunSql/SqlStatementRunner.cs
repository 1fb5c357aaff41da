using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Pipeline;
using McpGateway.Policies.Classifiers.Sql;
using McpGateway.Policies.Masking;
using Npgsql;
using Npgsql.PostgresTypes;

namespace McpGateway.Tools.RunSql;

/// <summary>
/// Runs one classified statement on a connection from the target's pool: exactly the parsed text,
/// as one extended-protocol statement with positional parameters (never rewritten or split by the
/// client), inside a transaction that is READ ONLY when the call only reads or the policy says so,
/// with the statement and lock timeouts of the obligations. Rows are streamed into the result
/// until the row or byte cap; a read that hits a cap is cancelled on the server. A write that
/// changes more rows than allowed is rolled back. What is reported is what happened.
/// </summary>
internal sealed class SqlStatementRunner(SqlColumnSources sources, TimeProvider time)
{
    public async Task<SqlStatementResult> RunAsync(NpgsqlDataSource dataSource, string connectionName, SqlStatementRequest request, SqlLimits limits, CancellationToken cancellationToken)
    {
        if (request.Kind == "copy")
        {
            throw new ToolCallException("run_sql does not run COPY: its data does not travel through a statement's result. Use SELECT (or INSERT … SELECT) instead.");
        }

        var started = time.GetTimestamp();
        NpgsqlConnection connection;
        try
        {
            connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or PostgresConnectionRefusedException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            throw SqlErrors.FromConnection(ex, connectionName, "Nothing was run.");
        }

        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var (table, statement) = await ExecuteAsync(connection, transaction, connectionName, request, limits, cancellationToken).ConfigureAwait(false);
                var affected = statement.StatementType is StatementType.Insert or StatementType.Update or StatementType.Delete or StatementType.Merge
                    ? (long?)(long)statement.Rows
                    : null;
                var committed = false;
                if (limits.MaxAffectedRows is { } most && affected > most)
                {
                    await RollBackAsync(transaction).ConfigureAwait(false);
                    throw new ToolCallException($"The statement changed {affected:N0} rows on '{connectionName}', more than the {most:N0} this policy allows (maxAffectedRows), so it was rolled back: nothing was changed. Narrow its WHERE, or change the rows in smaller steps.");
                }

                if (limits.ReadOnly)
                {
                    await RollBackAsync(transaction).ConfigureAwait(false);
                }
                else
                {
                    await CommitAsync(transaction, connectionName).ConfigureAwait(false);
                    committed = true;
                }

                var columnSources = table.Columns.Count == 0
                    ? []
                    : await ResolveSourcesAsync(dataSource, connection, table.Keys, cancellationToken).ConfigureAwait(false);
                var columns = table.Columns.Select((c, i) => c with { Source = columnSources.ElementAtOrDefault(i) }).ToList();
                var referenced = table.Columns.Count == 0 ? null : await ReferencedAsync(dataSource, connection, request, cancellationToken).ConfigureAwait(false);
                return new SqlStatementResult(
                    columns,
                    table.Rows,
                    table.Rows.Count,
                    affected,
                    statement.StatementType.ToString().ToUpperInvariant(),
                    table.Truncated,
                    limits.ReadOnly,
                    committed,
                    (long)time.GetElapsedTime(started).TotalMilliseconds)
                {
                    Referenced = referenced,
                };
            }
        }
    }

    private static async Task<(SqlTable Table, NpgsqlBatchCommand Statement)> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string connectionName, SqlStatementRequest request, SqlLimits limits, CancellationToken cancellationToken)
    {
        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch.ConfigureAwait(false))
        {
            if (limits.ReadOnly)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand("SET TRANSACTION READ ONLY"));
            }

            if (limits.StatementTimeout is { } statementTimeout)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"SET LOCAL statement_timeout = {SqlParameters.Milliseconds(statementTimeout)}"));
            }

            if (limits.LockTimeout is { } lockTimeout)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"SET LOCAL lock_timeout = {SqlParameters.Milliseconds(lockTimeout)}"));
            }

            // The statement exactly as parsed; a batch command is sent as it is, never split or rewritten.
            var statement = new NpgsqlBatchCommand(request.Sql);
            foreach (var value in request.Parameters)
            {
                statement.Parameters.Add(SqlParameters.Bind(value));
            }

            batch.BatchCommands.Add(statement);
            try
            {
                var table = await ReadAsync(batch, limits, cancellationToken).ConfigureAwait(false);
                return (table, statement);
            }
            catch (PostgresException ex)
            {
                await RollBackAsync(transaction).ConfigureAwait(false);
                throw SqlErrors.FromPostgres(ex, connectionName, "Nothing was changed: the transaction was rolled back.");
            }
            catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw SqlErrors.FromConnection(ex, connectionName, "The connection broke before the statement finished, so its transaction was not committed: nothing was changed.");
            }
        }
    }

    /// <summary>Streams rows into the result under the caps; a read-only statement that hits one is cancelled on the server, a write is read to its end.</summary>
    private static async Task<SqlTable> ReadAsync(NpgsqlBatch batch, SqlLimits limits, CancellationToken cancellationToken)
    {
        var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var cancelled = false;
        var table = new SqlTable();
        try
        {
            if (reader.FieldCount == 0)
            {
                return table;
            }

            var schema = reader.GetColumnSchema();
            var types = new string[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                types[i] = TypeName(schema[i].PostgresType);
                table.Columns.Add(new ResultColumn(reader.GetName(i), types[i], null));
                table.Keys.Add((schema[i].TableOID, (short)(schema[i].ColumnAttributeNumber ?? 0)));
            }

            long bytes = 0;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!table.Truncated)
                {
                    var row = new JsonArray();
                    for (var i = 0; i < types.Length; i++)
                    {
                        row.Add(SqlJsonValues.Read(reader, i, types[i]));
                    }

                    var size = Encoding.UTF8.GetByteCount(row.ToJsonString()) + 1;
                    if (table.Rows.Count < limits.MaxRows && bytes + size <= limits.MaxResultBytes)
                    {
                        table.Rows.Add(row);
                        bytes += size;
                        continue;
                    }

                    table.Truncated = true;
                }

                if (limits.ReadOnly)
                {
                    // Nothing more is wanted and nothing is kept: stop the query on the server
                    // rather than receive the rest of its rows.
                    batch.Cancel();
                    cancelled = true;
                    break;
                }
            }
        }
        finally
        {
            try
            {
                await reader.DisposeAsync().ConfigureAwait(false);
            }
            catch (PostgresException ex) when (cancelled && ex.SqlState == PostgresErrorCodes.QueryCanceled)
            {
                // The cancellation asked for above.
            }
        }

        return table;
    }

    private static string TypeName(PostgresType type) => type switch
    {
        PostgresArrayType array => array.Element.InternalName + "[]",
        PostgresDomainType domain => domain.BaseType.InternalName,
        _ => type.InternalName,
    };

    private async Task<string?[]> ResolveSourcesAsync(NpgsqlDataSource dataSource, NpgsqlConnection connection, List<(uint Table, short Column)> keys, CancellationToken cancellationToken)
    {
        try
        {
            return await sources.ResolveAsync(dataSource, connection, keys, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // The statement's outcome is final already; without the catalog, columns carry no source.
            return new string?[keys.Count];
        }
    }

    /// <summary>
    /// The base columns the statement referenced, as the classifier resolved them, once the
    /// catalog confirms that every relation it read is a table; null (unknown) otherwise.
    /// </summary>
    private async Task<ReferencedColumns?> ReferencedAsync(NpgsqlDataSource dataSource, NpgsqlConnection connection, SqlStatementRequest request, CancellationToken cancellationToken)
    {
        if (request.ReferencedColumns is not { } columns)
        {
            return null;
        }

        try
        {
            return request.RelationsRead.IsEmpty || await sources.AllTablesAsync(dataSource, connection, request.RelationsRead, cancellationToken).ConfigureAwait(false)
                ? ReferencedColumns.Of(columns)
                : null;
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    private static async Task RollBackAsync(NpgsqlTransaction transaction)
    {
        try
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // A broken connection rolls the transaction back on the server by itself.
        }
    }

    /// <summary>Commits whatever the caller's cancellation: once the statement ran, its outcome must be known and true.</summary>
    private static async Task CommitAsync(NpgsqlTransaction transaction, string connectionName)
    {
        try
        {
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (PostgresException ex)
        {
            throw SqlErrors.FromPostgres(ex, connectionName, "The transaction could not commit, so nothing was changed.");
        }
        catch (NpgsqlException ex)
        {
            throw new ToolCallException($"The connection to '{connectionName}' broke while the statement's transaction was committing, so whether its change was applied is unknown. Check the data before you retry.", ex);
        }
    }

    private sealed class SqlTable
    {
        public List<ResultColumn> Columns { get; } = [];

        public List<(uint Table, short Column)> Keys { get; } = [];

        public List<JsonArray> Rows { get; } = [];

        public bool Truncated { get; set; }
    }
}

/// <summary>What one statement did and returned, before masking.</summary>
internal sealed record SqlStatementResult(
    IReadOnlyList<ResultColumn> Columns,
    IReadOnlyList<JsonArray> Rows,
    int RowCount,
    long? RowsAffected,
    string Command,
    bool Truncated,
    bool ReadOnly,
    bool Committed,
    long DurationMs)
{
    /// <summary>The base columns the statement referenced, or null when unknown.</summary>
    public ReferencedColumns? Referenced { get; init; }
}

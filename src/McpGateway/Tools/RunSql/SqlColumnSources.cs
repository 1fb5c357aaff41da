using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using McpGateway.Policies.Classifiers.Sql;
using Npgsql;

namespace McpGateway.Tools.RunSql;

/// <summary>
/// Where result columns come from, <c>schema.table.column</c>, from the table OID and column
/// number PostgreSQL sends with each column, looked up in the catalog and cached per data source
/// for a minute (a renamed column is seen again after that). Only a table's column has a source:
/// a view's (or a foreign table's) hides where its values come from, so it counts as unknown.
/// Also says whether the relations a statement read are all tables, so that the columns it
/// referenced are its real base columns.
/// </summary>
internal sealed class SqlColumnSources(TimeProvider time)
{
    private static readonly TimeSpan Keep = TimeSpan.FromMinutes(1);
    private const int MaxEntries = 10_000;

    private const string Query = """
        SELECT a.attrelid, a.attnum, n.nspname, c.relname, a.attname, c.relkind IN ('r', 'p')
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN unnest($1::pg_catalog.int8[], $2::pg_catalog.int2[]) AS k(relid, num) ON k.relid::pg_catalog.oid = a.attrelid AND k.num = a.attnum
        """;

    private const string KindsQuery = """
        SELECT n.nspname, c.relname, c.relkind IN ('r', 'p')
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN unnest($1::pg_catalog.text[], $2::pg_catalog.text[]) AS k(nsp, rel) ON k.nsp = n.nspname AND k.rel = c.relname
        """;

    private readonly ConditionalWeakTable<NpgsqlDataSource, ConcurrentDictionary<(uint Table, short Column), (string? Source, long At)>> _caches = new();
    private readonly ConditionalWeakTable<NpgsqlDataSource, ConcurrentDictionary<SqlRelation, (bool IsTable, long At)>> _kinds = new();

    /// <summary>
    /// Whether every relation of <paramref name="relations"/> that exists is a
    /// table (ordinary or partitioned); names that exist nowhere were not read. Cached like the sources.
    /// </summary>
    public async Task<bool> AllTablesAsync(NpgsqlDataSource dataSource, NpgsqlConnection connection, IReadOnlyList<SqlRelation> relations, CancellationToken cancellationToken)
    {
        var cache = _kinds.GetOrCreateValue(dataSource);
        var now = time.GetTimestamp();
        var missing = new List<SqlRelation>();
        foreach (var relation in relations)
        {
            if (!cache.TryGetValue(relation, out var entry) || time.GetElapsedTime(entry.At, now) >= Keep)
            {
                missing.Add(relation);
            }
            else if (!entry.IsTable)
            {
                return false;
            }
        }

        if (missing.Count == 0)
        {
            return true;
        }

        if (cache.Count > MaxEntries)
        {
            cache.Clear();
        }

        foreach (var relation in missing)
        {
            // Not found: no relation of that name exists, so nothing was read from it.
            cache[relation] = (true, now);
        }

        await using (var command = new NpgsqlCommand(KindsQuery, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = missing.Select(r => r.Schema).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = missing.Select(r => r.Name).ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                cache[new SqlRelation(reader.GetString(0), reader.GetString(1))] = (reader.GetBoolean(2), now);
            }
        }

        return missing.All(relation => cache.TryGetValue(relation, out var entry) && entry.IsTable);
    }

    /// <summary>The source of each column (null where it is not a table's column), querying the catalog on <paramref name="connection"/> for those not cached.</summary>
    public async Task<string?[]> ResolveAsync(NpgsqlDataSource dataSource, NpgsqlConnection connection, IReadOnlyList<(uint Table, short Column)> columns, CancellationToken cancellationToken)
    {
        var cache = _caches.GetOrCreateValue(dataSource);
        var now = time.GetTimestamp();
        var sources = new string?[columns.Count];
        var missing = new List<(uint Table, short Column)>();
        for (var i = 0; i < columns.Count; i++)
        {
            var key = columns[i];
            if (key.Table == 0 || key.Column <= 0)
            {
                continue;
            }

            if (cache.TryGetValue(key, out var entry) && time.GetElapsedTime(entry.At, now) < Keep)
            {
                sources[i] = entry.Source;
            }
            else
            {
                missing.Add(key);
            }
        }

        if (missing.Count == 0)
        {
            return sources;
        }

        if (cache.Count > MaxEntries)
        {
            cache.Clear();
        }

        await using (var command = new NpgsqlCommand(Query, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = missing.Select(m => (long)m.Table).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = missing.Select(m => m.Column).ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = (reader.GetFieldValue<uint>(0), reader.GetInt16(1));
                cache[key] = (reader.GetBoolean(5) ? $"{reader.GetString(2)}.{reader.GetString(3)}.{reader.GetString(4)}" : null, now);
            }
        }

        for (var i = 0; i < columns.Count; i++)
        {
            if (sources[i] is null && cache.TryGetValue(columns[i], out var entry))
            {
                sources[i] = entry.Source;
            }
        }

        return sources;
    }
}

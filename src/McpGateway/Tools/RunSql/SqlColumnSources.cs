using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Npgsql;

namespace McpGateway.Tools.RunSql;

/// <summary>
/// Where result columns come from, <c>schema.table.column</c>, from the table OID and column
/// number PostgreSQL sends with each column, looked up in the catalog and cached per data source
/// for a minute (a renamed column is seen again after that).
/// </summary>
internal sealed class SqlColumnSources(TimeProvider time)
{
    private static readonly TimeSpan Keep = TimeSpan.FromMinutes(1);
    private const int MaxEntries = 10_000;

    private const string Query = """
        SELECT a.attrelid, a.attnum, n.nspname, c.relname, a.attname
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN unnest($1::pg_catalog.int8[], $2::pg_catalog.int2[]) AS k(relid, num) ON k.relid::pg_catalog.oid = a.attrelid AND k.num = a.attnum
        """;

    private readonly ConditionalWeakTable<NpgsqlDataSource, ConcurrentDictionary<(uint Table, short Column), (string Source, long At)>> _caches = new();

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
                cache[key] = ($"{reader.GetString(2)}.{reader.GetString(3)}.{reader.GetString(4)}", now);
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

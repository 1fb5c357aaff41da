using System.Globalization;

namespace McpGateway.Storage.Relational;

/// <summary>
/// One schema version: its SQL and whether it only adds (tables, columns with defaults, indexes),
/// so a gateway that does not know it can still run on the schema — what a rolling upgrade of
/// replicas needs.
/// </summary>
internal sealed record MigrationStep(int Version, string Sql, bool Additive = true);

/// <summary>
/// Applies schema versions in order inside one write transaction holding the writers' lock, so
/// processes starting at once migrate exactly once. Every known version not yet recorded in
/// <c>schema_migrations</c> is applied (a step numbered below one already applied, added by a
/// branch merged later, still runs).
/// </summary>
internal static class StoreMigrations
{
    /// <param name="recordsAdditive">
    /// Whether <c>schema_migrations</c> records each version's <see cref="MigrationStep.Additive"/>:
    /// then an unknown version that is additive is run on (a newer replica migrated first), and
    /// only an unknown one that is not is refused. Otherwise every unknown version is refused.
    /// </param>
    public static Task ApplyAsync(RelationalGatewayStore store, IReadOnlyList<MigrationStep> steps, string createTable, bool recordsAdditive, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async (connection, transaction) =>
            {
                await using (var create = StoreSql.Command(connection, transaction, createTable))
                {
                    await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                var applied = new Dictionary<int, bool>();
                await using (var current = StoreSql.Command(connection, transaction, recordsAdditive ? "SELECT version, additive FROM schema_migrations;" : "SELECT version FROM schema_migrations;"))
                await using (var reader = await current.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        applied[Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture)] = recordsAdditive && reader.GetBoolean(1);
                    }
                }

                var latest = steps.Max(s => s.Version);
                var unknown = applied.Where(a => !steps.Any(s => s.Version == a.Key)).OrderBy(a => a.Key).ToList();
                if (unknown.FirstOrDefault(a => !a.Value) is { Key: > 0 } breaking)
                {
                    throw new StoreUnavailableException(
                        $"The store at '{store.Description}' has schema version {breaking.Key}, which this gateway (schema {latest}) does not know{(recordsAdditive ? " and which changed the schema in a way older gateways cannot run on" : string.Empty)}; upgrade the gateway.");
                }

                foreach (var step in steps.Where(s => !applied.ContainsKey(s.Version)).OrderBy(s => s.Version))
                {
                    await using var migrate = StoreSql.Command(
                        connection,
                        transaction,
                        step.Sql + (recordsAdditive
                            ? "\nINSERT INTO schema_migrations (version, applied_at, additive) VALUES (@version, @at, @additive);"
                            : "\nINSERT INTO schema_migrations (version, applied_at) VALUES (@version, @at);"),
                        ("@version", step.Version),
                        ("@at", StoreSql.Time(store.Time.GetUtcNow())),
                        ("@additive", step.Additive));
                    if (!recordsAdditive)
                    {
                        migrate.Parameters.RemoveAt("@additive");
                    }

                    await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                return applied.Count;
            },
            cancellationToken);
}

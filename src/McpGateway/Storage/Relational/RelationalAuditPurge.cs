using System.Text;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Audit.Purge;
using System.Data.Common;
using static McpGateway.Storage.Relational.StoreSql;

namespace McpGateway.Storage.Relational;

/// <summary>
/// Purges: one <c>UPDATE … SET payload = NULL</c> (no other column is written), the
/// approval requests' stored data, and the <c>audit.purged</c> entry, in one write transaction.
/// </summary>
internal sealed class RelationalAuditPurge(RelationalGatewayStore store, RelationalAuditStore audit) : IAuditPurgeStore
{
    /// <summary>Entry types whose payload is never purged: the evidence of purges and the signed extent of the chain.</summary>
    public static readonly string[] KeptTypes = [AuditEventTypes.AuditPurged, AuditEventTypes.AuditCheckpoint];

    /// <summary>What a purged approval request keeps of its masked detail: who may approve it and why it needed approval.</summary>
    private static readonly string[] KeptDetail = ["requirements", "matchedRules", "reasons"];

    public Task<AuditPurgeResult> PurgeAsync(AuditPurgeSelector selector, Func<long, long, AuditAppend> record, bool recordWhenNothing, CancellationToken cancellationToken) =>
        store.WriteAsync(
            async (connection, transaction) =>
            {
                var entries = await PurgeEntriesAsync(connection, transaction, selector, cancellationToken).ConfigureAwait(false);
                var approvals = await PurgeApprovalsAsync(connection, transaction, selector, cancellationToken).ConfigureAwait(false);
                if (entries == 0 && approvals == 0 && !recordWhenNothing)
                {
                    return new AuditPurgeResult(0, 0, null);
                }

                var entry = await audit.AppendInTransactionAsync(connection, transaction, record(entries, approvals), cancellationToken).ConfigureAwait(false);
                return new AuditPurgeResult(entries, approvals, entry);
            },
            cancellationToken);

    private static async Task<long> PurgeEntriesAsync(DbConnection connection, DbTransaction transaction, AuditPurgeSelector selector, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("UPDATE audit_entries SET payload = NULL WHERE payload IS NOT NULL AND ts < @before");
        sql.Append(" AND type NOT IN (").AppendJoin(", ", KeptTypes.Select((_, i) => $"@kept{i}")).Append(')');
        var parameters = new List<(string, object)> { ("@before", AuditChain.FormatTimestamp(selector.Before)) };
        parameters.AddRange(KeptTypes.Select((t, i) => ($"@kept{i}", (object)t)));
        if (selector.Identity is { } identity)
        {
            sql.Append(" AND identity = @identity");
            parameters.Add(("@identity", identity));
        }

        await using var command = Command(connection, transaction, sql.Append(';').ToString(), [.. parameters]);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Final requests only: a pending or approved one still needs its stored request to run (it becomes final within its lifetime, and is purged then).</summary>
    private async Task<long> PurgeApprovalsAsync(DbConnection connection, DbTransaction transaction, AuditPurgeSelector selector, CancellationToken cancellationToken)
    {
        var sql = $"SELECT id, detail FROM approvals WHERE final_at IS NOT NULL AND created_at < @before AND (sensitive IS NOT NULL OR {store.JsonMemberMissing("detail", "purged")})"
            + (selector.Identity is null ? ";" : " AND requester = @identity;");
        var parameters = new List<(string, object)> { ("@before", Time(selector.Before)) };
        if (selector.Identity is { } identity)
        {
            parameters.Add(("@identity", identity));
        }

        var due = new List<(string Id, string Detail)>();
        await using (var query = Command(connection, transaction, sql, [.. parameters]))
        await using (var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                due.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (id, detail) in due)
        {
            await using var update = Command(connection, transaction, "UPDATE approvals SET sensitive = NULL, detail = @detail WHERE id = @id;", ("@id", id), ("@detail", Reduced(detail).ToJsonString()));
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return due.Count;
    }

    private static JsonObject Reduced(string detail)
    {
        var before = JsonNode.Parse(detail) as JsonObject ?? [];
        var after = new JsonObject();
        foreach (var name in KeptDetail)
        {
            if (before[name] is { } value)
            {
                after[name] = value.DeepClone();
            }
        }

        after["purged"] = true;
        return after;
    }
}

using McpGateway.Storage.Relational;

namespace McpGateway.Storage.Sqlite;

/// <summary>
/// The embedded store's schema versions (see <see cref="StoreMigrations"/>). A database with a
/// version this gateway does not know is refused.
/// </summary>
internal static class SqliteMigrations
{
    private static readonly MigrationStep[] Steps =
    [
        new(1, """
        CREATE TABLE api_keys (
            id           TEXT PRIMARY KEY,
            identity     TEXT NOT NULL,
            secret_hash  BLOB NOT NULL,
            created_at   TEXT NOT NULL,
            expires_at   TEXT NULL,
            revoked_at   TEXT NULL,
            last_used_at TEXT NULL,
            description  TEXT NULL,
            rotated_from TEXT NULL
        ) STRICT;
        CREATE INDEX api_keys_identity ON api_keys (identity);

        CREATE TABLE audit_entries (
            seq          INTEGER PRIMARY KEY,
            ts           TEXT NOT NULL,
            type         TEXT NOT NULL,
            call_id      TEXT NULL,
            session_id   TEXT NULL,
            approval_id  TEXT NULL,
            identity     TEXT NULL,
            prev_hash    TEXT NOT NULL,
            payload_hash TEXT NOT NULL,
            entry_hash   TEXT NOT NULL,
            payload      TEXT NULL,
            instance_id  TEXT NULL,
            lease_until  TEXT NULL
        ) STRICT;
        CREATE INDEX audit_entries_ts ON audit_entries (ts);
        CREATE INDEX audit_entries_identity ON audit_entries (identity, seq);
        CREATE INDEX audit_entries_call ON audit_entries (call_id);
        """),
        new(2, """
        CREATE INDEX audit_entries_open_starts ON audit_entries (lease_until) WHERE type = 'call.started';
        """),
        new(3, """
        CREATE TABLE approvals (
            id              TEXT PRIMARY KEY,
            status          TEXT NOT NULL,
            requester       TEXT NOT NULL,
            owner           TEXT NULL,
            session_id      TEXT NULL,
            call_id         TEXT NOT NULL,
            tool            TEXT NOT NULL,
            target          TEXT NOT NULL,
            request_hash    TEXT NOT NULL,
            target_hash     TEXT NOT NULL,
            revision        TEXT NOT NULL,
            created_at      TEXT NOT NULL,
            expires_at      TEXT NOT NULL,
            decided_at      TEXT NULL,
            decided_by      TEXT NULL,
            reason          TEXT NULL,
            result_call_id  TEXT NULL,
            executing_until TEXT NULL,
            final_at        TEXT NULL,
            detail          TEXT NOT NULL,
            sensitive       TEXT NULL
        ) STRICT;
        CREATE INDEX approvals_status ON approvals (status, expires_at);
        CREATE INDEX approvals_requester ON approvals (requester, status, request_hash);
        CREATE INDEX approvals_retention ON approvals (final_at) WHERE sensitive IS NOT NULL;

        CREATE TABLE approval_votes (
            approval_id TEXT NOT NULL REFERENCES approvals (id),
            approver    TEXT NOT NULL,
            approve     INTEGER NOT NULL,
            reason      TEXT NULL,
            at          TEXT NOT NULL,
            PRIMARY KEY (approval_id, approver)
        ) STRICT;

        CREATE TABLE job_leases (
            name   TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            until  TEXT NOT NULL
        ) STRICT;

        CREATE TABLE outbox (
            id           TEXT PRIMARY KEY,
            webhook      TEXT NOT NULL,
            body         TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            attempts     INTEGER NOT NULL DEFAULT 0,
            next_at      TEXT NOT NULL,
            delivered_at TEXT NULL,
            last_error   TEXT NULL
        ) STRICT;
        CREATE INDEX outbox_due ON outbox (next_at) WHERE delivered_at IS NULL;
        """),

        // 4: the index of the chain, searchable without parsing payloads, written in the append
        // transaction and kept when a payload is purged; filled from the entries already there.
        new(4, """
        CREATE TABLE audit_index (
            seq        INTEGER PRIMARY KEY,
            call_id    TEXT NULL,
            tool       TEXT NULL,
            target     TEXT NULL,
            decision   TEXT NULL,
            outcome    TEXT NULL,
            ts         TEXT NOT NULL
        ) STRICT;
        INSERT INTO audit_index (seq, call_id, tool, target, decision, outcome, ts)
            SELECT seq, call_id, json_extract(payload, '$.tool'), json_extract(payload, '$.target'),
                   json_extract(payload, '$.decision.decision'), json_extract(payload, '$.outcome'), ts
            FROM audit_entries WHERE json_valid(payload);
        CREATE INDEX audit_index_tool ON audit_index (tool, call_id) WHERE tool IS NOT NULL;
        CREATE INDEX audit_index_decision ON audit_index (decision, call_id) WHERE decision IS NOT NULL;
        CREATE INDEX audit_entries_session ON audit_entries (session_id, seq);
        CREATE INDEX audit_entries_approval ON audit_entries (approval_id) WHERE approval_id IS NOT NULL;
        """),

        // 5: policy revisions, content-addressed, and the purge's index.
        new(5, """
        CREATE TABLE policy_file_contents (
            sha256  TEXT PRIMARY KEY,
            content BLOB NOT NULL
        ) STRICT;

        CREATE TABLE policy_revisions (
            revision        TEXT PRIMARY KEY,
            first_loaded_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE policy_revision_files (
            revision TEXT NOT NULL REFERENCES policy_revisions (revision),
            path     TEXT NOT NULL,
            sha256   TEXT NOT NULL REFERENCES policy_file_contents (sha256),
            PRIMARY KEY (revision, path)
        ) STRICT;

        CREATE INDEX audit_entries_purge ON audit_entries (ts) WHERE payload IS NOT NULL;
        """),

        // 6: the index's tool and decision lookups keyed by seq, which only grows, instead of by
        // call id: an append then touches the end of each index, not a random page of it.
        new(6, """
        DROP INDEX audit_index_tool;
        DROP INDEX audit_index_decision;
        CREATE INDEX audit_index_tool ON audit_index (tool, seq) WHERE tool IS NOT NULL;
        CREATE INDEX audit_index_decision ON audit_index (decision, seq) WHERE decision IS NOT NULL;
        """),

        // 7: the operator console's sessions (only a hash of each id) and the Data Protection key ring.
        new(7, """
        CREATE TABLE console_sessions (
            id_hash      TEXT PRIMARY KEY,
            identity     TEXT NOT NULL,
            credential   TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            expires_at   TEXT NOT NULL,
            revoked_at   TEXT NULL
        ) STRICT;
        CREATE INDEX console_sessions_identity ON console_sessions (identity) WHERE revoked_at IS NULL;

        CREATE TABLE data_protection_keys (
            name       TEXT PRIMARY KEY,
            xml        TEXT NOT NULL,
            created_at TEXT NOT NULL
        ) STRICT;
        """),
    ];

    public static int Latest => Steps.Max(s => s.Version);

    /// <summary>How many steps there are (versions may have gaps while a branch holds a number).</summary>
    public static int Count => Steps.Length;

    public static async Task ApplyAsync(SqliteGatewayStore store, CancellationToken cancellationToken)
    {
        await using (var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            // WAL is a property of the file; set once, outside any transaction.
            await using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }

        // One host: a newer schema means a newer gateway wrote here, and this one refuses it.
        await StoreMigrations.ApplyAsync(
            store,
            Steps,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL) STRICT;",
            recordsAdditive: false,
            cancellationToken).ConfigureAwait(false);
    }
}

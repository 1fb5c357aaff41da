using McpGateway.Storage.Relational;

namespace McpGateway.Storage.Postgres;

/// <summary>
/// The PostgreSQL store's schema versions (see <see cref="StoreMigrations"/>), numbered on their
/// own: version 1 is the embedded store's schema 5. Text columns use the "C" collation, so text
/// orders and compares byte by byte as in SQLite (timestamps are fixed-width UTC text).
/// <c>schema_migrations</c> records whether each version only adds: a replica not yet upgraded
/// keeps running on a schema a newer one extended, and refuses only a version that is not additive.
/// </summary>
internal static class PostgresMigrations
{
    private static readonly MigrationStep[] Steps =
    [
        new(1, """
        CREATE TABLE api_keys (
            id           text COLLATE "C" PRIMARY KEY,
            identity     text COLLATE "C" NOT NULL,
            secret_hash  bytea NOT NULL,
            created_at   text COLLATE "C" NOT NULL,
            expires_at   text COLLATE "C" NULL,
            revoked_at   text COLLATE "C" NULL,
            last_used_at text COLLATE "C" NULL,
            description  text NULL,
            rotated_from text COLLATE "C" NULL
        );
        CREATE INDEX api_keys_identity ON api_keys (identity);

        CREATE TABLE audit_entries (
            seq          bigint PRIMARY KEY,
            ts           text COLLATE "C" NOT NULL,
            type         text COLLATE "C" NOT NULL,
            call_id      text COLLATE "C" NULL,
            session_id   text COLLATE "C" NULL,
            approval_id  text COLLATE "C" NULL,
            identity     text COLLATE "C" NULL,
            prev_hash    text COLLATE "C" NOT NULL,
            payload_hash text COLLATE "C" NOT NULL,
            entry_hash   text COLLATE "C" NOT NULL,
            payload      text NULL,
            instance_id  text COLLATE "C" NULL,
            lease_until  text COLLATE "C" NULL
        );
        CREATE INDEX audit_entries_ts ON audit_entries (ts);
        CREATE INDEX audit_entries_identity ON audit_entries (identity, seq);
        CREATE INDEX audit_entries_call ON audit_entries (call_id);
        CREATE INDEX audit_entries_open_starts ON audit_entries (lease_until) WHERE type = 'call.started';
        CREATE INDEX audit_entries_session ON audit_entries (session_id, seq);
        CREATE INDEX audit_entries_approval ON audit_entries (approval_id) WHERE approval_id IS NOT NULL;
        CREATE INDEX audit_entries_purge ON audit_entries (ts) WHERE payload IS NOT NULL;

        CREATE TABLE audit_index (
            seq      bigint PRIMARY KEY,
            call_id  text COLLATE "C" NULL,
            tool     text COLLATE "C" NULL,
            target   text COLLATE "C" NULL,
            decision text COLLATE "C" NULL,
            outcome  text COLLATE "C" NULL,
            ts       text COLLATE "C" NOT NULL
        );
        CREATE INDEX audit_index_tool ON audit_index (tool, call_id) WHERE tool IS NOT NULL;
        CREATE INDEX audit_index_decision ON audit_index (decision, call_id) WHERE decision IS NOT NULL;

        CREATE TABLE approvals (
            id              text COLLATE "C" PRIMARY KEY,
            status          text COLLATE "C" NOT NULL,
            requester       text COLLATE "C" NOT NULL,
            owner           text COLLATE "C" NULL,
            session_id      text COLLATE "C" NULL,
            call_id         text COLLATE "C" NOT NULL,
            tool            text COLLATE "C" NOT NULL,
            target          text COLLATE "C" NOT NULL,
            request_hash    text COLLATE "C" NOT NULL,
            target_hash     text COLLATE "C" NOT NULL,
            revision        text COLLATE "C" NOT NULL,
            created_at      text COLLATE "C" NOT NULL,
            expires_at      text COLLATE "C" NOT NULL,
            decided_at      text COLLATE "C" NULL,
            decided_by      text COLLATE "C" NULL,
            reason          text NULL,
            result_call_id  text COLLATE "C" NULL,
            executing_until text COLLATE "C" NULL,
            final_at        text COLLATE "C" NULL,
            detail          text NOT NULL,
            sensitive       text NULL
        );
        CREATE INDEX approvals_status ON approvals (status, expires_at);
        CREATE INDEX approvals_requester ON approvals (requester, status, request_hash);
        CREATE INDEX approvals_retention ON approvals (final_at) WHERE sensitive IS NOT NULL;

        CREATE TABLE approval_votes (
            approval_id text COLLATE "C" NOT NULL REFERENCES approvals (id),
            approver    text COLLATE "C" NOT NULL,
            approve     bigint NOT NULL,
            reason      text NULL,
            at          text COLLATE "C" NOT NULL,
            PRIMARY KEY (approval_id, approver)
        );

        CREATE TABLE job_leases (
            name   text COLLATE "C" PRIMARY KEY,
            holder text COLLATE "C" NOT NULL,
            until  text COLLATE "C" NOT NULL
        );

        CREATE TABLE outbox (
            id           text COLLATE "C" PRIMARY KEY,
            webhook      text COLLATE "C" NOT NULL,
            body         text NOT NULL,
            created_at   text COLLATE "C" NOT NULL,
            attempts     bigint NOT NULL DEFAULT 0,
            next_at      text COLLATE "C" NOT NULL,
            delivered_at text COLLATE "C" NULL,
            last_error   text NULL
        );
        CREATE INDEX outbox_due ON outbox (next_at) WHERE delivered_at IS NULL;

        CREATE TABLE policy_file_contents (
            sha256  text COLLATE "C" PRIMARY KEY,
            content bytea NOT NULL
        );

        CREATE TABLE policy_revisions (
            revision        text COLLATE "C" PRIMARY KEY,
            first_loaded_at text COLLATE "C" NOT NULL
        );

        CREATE TABLE policy_revision_files (
            revision text COLLATE "C" NOT NULL REFERENCES policy_revisions (revision),
            path     text COLLATE "C" NOT NULL,
            sha256   text COLLATE "C" NOT NULL REFERENCES policy_file_contents (sha256),
            PRIMARY KEY (revision, path)
        );
        """),

        // 2: the index's tool and decision lookups keyed by seq (see the embedded store's 6).
        new(2, """
        DROP INDEX audit_index_tool;
        DROP INDEX audit_index_decision;
        CREATE INDEX audit_index_tool ON audit_index (tool, seq) WHERE tool IS NOT NULL;
        CREATE INDEX audit_index_decision ON audit_index (decision, seq) WHERE decision IS NOT NULL;
        """),

        // 3: the operator console's sessions and the Data Protection key ring (see the embedded store's 7).
        new(3, """
        CREATE TABLE console_sessions (
            id_hash      text COLLATE "C" PRIMARY KEY,
            identity     text COLLATE "C" NOT NULL,
            credential   text COLLATE "C" NOT NULL,
            created_at   text COLLATE "C" NOT NULL,
            last_seen_at text COLLATE "C" NOT NULL,
            expires_at   text COLLATE "C" NOT NULL,
            revoked_at   text COLLATE "C" NULL
        );
        CREATE INDEX console_sessions_identity ON console_sessions (identity) WHERE revoked_at IS NULL;

        CREATE TABLE data_protection_keys (
            name       text COLLATE "C" PRIMARY KEY,
            xml        text NOT NULL,
            created_at text COLLATE "C" NOT NULL
        );
        """),
    ];

    public static int Latest => Steps.Max(s => s.Version);

    public static Task ApplyAsync(PostgresGatewayStore store, CancellationToken cancellationToken) =>
        StoreMigrations.ApplyAsync(
            store,
            Steps,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at text COLLATE \"C\" NOT NULL, additive boolean NOT NULL);",
            recordsAdditive: true,
            cancellationToken);
}

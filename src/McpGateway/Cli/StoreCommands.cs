using System.CommandLine;
using McpGateway.Audit.Checkpoints;
using McpGateway.Audit.RequestHashing;
using McpGateway.Configuration;
using McpGateway.Storage;
using McpGateway.Storage.Relational;
using McpGateway.Storage.Sqlite;

namespace McpGateway.Cli;

/// <summary><c>store migrate</c>: moves the embedded SQLite store into the configured PostgreSQL store.</summary>
internal static class StoreCommands
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var store = new Command("store", "Work on the gateway's store itself.");
        store.Subcommands.Add(CreateMigrate(output, error));
        return store;
    }

    private static Command CreateMigrate(TextWriter output, TextWriter error)
    {
        var from = new Option<string?>("--from")
        {
            Description = $"The SQLite store to move: its file or data folder (default: {SqliteGatewayStore.FileName} in McpGateway:DataDirectory).",
        };
        var command = new Command(
            "migrate",
            "Copy the SQLite store (keys, approvals, the audit chain, policy revisions, outbox, job state) into the PostgreSQL store McpGateway:Store names, which must be empty. Rows are copied unchanged in one transaction, so the chain verifies as before.")
        {
            from,
        };
        command.SetAction((parseResult, cancellationToken) => MigrateAsync(parseResult.GetValue(GatewayCli.ConfigOption), parseResult.GetValue(from), output, error, cancellationToken));
        return command;
    }

    private static async Task<int> MigrateAsync(string? configPath, string? from, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        GatewayConfiguration configuration;
        try
        {
            configuration = ConfigurationLoader.Load(configPath);
        }
        catch (ConfigurationException ex)
        {
            await CliErrors.ReportAsync(error, ex, configPath).ConfigureAwait(false);
            return GatewayCli.Misuse;
        }

        if (configuration.Store.Kind != StoreKind.Postgres)
        {
            await error.WriteLineAsync("error: McpGateway:Store names the SQLite store, so there is nowhere to migrate to. Point it at the PostgreSQL database first — \"Store\": { \"Kind\": \"Postgres\", \"ConnectionString\": \"{env:NAME}\" }, with Audit:SigningKey and Audit:RequestHashKey — then run 'store migrate' (--from names the SQLite store).").ConfigureAwait(false);
            return GatewayCli.Misuse;
        }

        var path = Path.GetFullPath(from ?? Path.Combine(configuration.DataDirectory, SqliteGatewayStore.FileName));
        if (Directory.Exists(path))
        {
            path = Path.Combine(path, SqliteGatewayStore.FileName);
        }

        if (!File.Exists(path))
        {
            await error.WriteLineAsync($"error: there is no SQLite store at '{path}'; give its file or data folder with --from.").ConfigureAwait(false);
            return GatewayCli.Misuse;
        }

        try
        {
            await using var source = await SqliteGatewayStore.OpenAsync(new SqliteStoreOptions { Path = path }, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            await using var target = (RelationalGatewayStore)await GatewayStores.OpenAsync(configuration, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            var report = await StoreCopy.CopyAsync(source, target, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Copied {path} into {target.Description}:").ConfigureAwait(false);
            await output.WriteLineAsync($"  {report.Rows("api_keys")} API key(s), {report.Rows("approvals")} approval request(s) with {report.Rows("approval_votes")} vote(s),").ConfigureAwait(false);
            await output.WriteLineAsync($"  {report.Rows("audit_entries")} audit entries (the chain ends at entry {report.HeadSeq}, {report.HeadHash}, in both),").ConfigureAwait(false);
            await output.WriteLineAsync($"  {report.Rows("policy_revisions")} policy revision(s), {report.Rows("outbox")} outbox message(s), {report.Rows("job_leases")} job lease and position row(s).").ConfigureAwait(false);
            await WriteKeyNotesAsync(configuration, Path.GetDirectoryName(path)!, output).ConfigureAwait(false);
            await output.WriteLineAsync("Check it with 'mcp-gateway audit verify' before pointing gateways at it; the SQLite store is left as it was.").ConfigureAwait(false);
            return GatewayCli.Success;
        }
        catch (StoreNotEmptyException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message} Nothing was copied.").ConfigureAwait(false);
            return GatewayCli.CheckFailed;
        }
        catch (StoreUnavailableException ex)
        {
            await CliErrors.ReportAsync(error, ex, configPath).ConfigureAwait(false);
            return GatewayCli.Failed;
        }
    }

    /// <summary>The embedded store's own keys signed its checkpoints and keyed its request hashes: say how to keep them.</summary>
    private static async Task WriteKeyNotesAsync(GatewayConfiguration configuration, string dataDirectory, TextWriter output)
    {
        var signing = SigningKeySource.DefaultPath(dataDirectory);
        if (File.Exists(signing) && configuration.AuditOrDefault.SigningKey?.Location != signing)
        {
            await output.WriteLineAsync($"note: the chain's checkpoints so far were signed with '{signing}'. Set McpGateway:Audit:SigningKey to {{file:{signing}}} to keep signing with it; otherwise verify older checkpoints with 'audit verify --pubkey OLD.pem --pubkey NEW.pem' (OLD.pem from 'audit pubkey' with the old configuration).").ConfigureAwait(false);
        }

        var request = RequestHashKeySource.DefaultPath(dataDirectory);
        if (File.Exists(request) && configuration.AuditPayloads.RequestHashKey?.Location != request)
        {
            await output.WriteLineAsync($"note: recorded requestHmac values were keyed with '{request}'. Set McpGateway:Audit:RequestHashKey to {{file:{request}}} so they can still be recomputed, and approval requests still pending match their calls.").ConfigureAwait(false);
        }
    }
}

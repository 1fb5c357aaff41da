using System.CommandLine;
using McpGateway.Audit;
using McpGateway.Storage;

namespace McpGateway.Cli;

/// <summary>The <c>audit</c> verbs: verify, pubkey, export and session.</summary>
internal static class AuditCommands
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var audit = new Command("audit", "Verify and export the tamper-evident audit chain.");
        audit.Subcommands.Add(AuditVerifyCommand.Create(output, error));
        audit.Subcommands.Add(AuditPubkeyCommand.Create(output, error));
        audit.Subcommands.Add(CreateExport(output, error));
        audit.Subcommands.Add(CreateSession(output, error));
        audit.Subcommands.Add(AuditPurgeCommand.Create(output, error));
        return audit;
    }

    private static Command CreateSession(TextWriter output, TextWriter error)
    {
        var session = new Argument<string>("SESSION_ID") { Description = "A session id as recorded: the Mcp-Session-Id of an HTTP session, s-… for a stdio run, d-… for session-less clients (audit export lists them)." };
        var json = new Option<bool>("--json") { Description = "JSON Lines, as audit export writes them, instead of a transcript." };
        var command = new Command("session", "Show one session's calls in order: what was asked, decided and returned.") { session, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (await StoreAccess.OpenAsync(parseResult.GetValue(GatewayCli.ConfigOption), error, cancellationToken).ConfigureAwait(false) is not var (_, store))
            {
                return GatewayCli.Misuse;
            }

            await using (store)
            {
                var query = new AuditQuery(SessionId: parseResult.GetValue(session));
                try
                {
                    if (parseResult.GetValue(json))
                    {
                        await AuditExporter.WriteJsonLinesAsync(store.Audit, query, output, cancellationToken).ConfigureAwait(false);
                        return GatewayCli.Success;
                    }

                    var count = 0;
                    await foreach (var entry in store.Audit.ReadAsync(query, cancellationToken).ConfigureAwait(false))
                    {
                        await output.WriteLineAsync(AuditTranscript.Line(entry)).ConfigureAwait(false);
                        count++;
                    }

                    if (count == 0)
                    {
                        await error.WriteLineAsync($"error: no entries for session '{parseResult.GetValue(session)}'.").ConfigureAwait(false);
                        return GatewayCli.CheckFailed;
                    }

                    return GatewayCli.Success;
                }
                catch (Exception ex) when (ex is StoreUnavailableException or AuditFormatException)
                {
                    await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                    return GatewayCli.CheckFailed;
                }
            }
        });
        return command;
    }

    private static Command CreateExport(TextWriter output, TextWriter error)
    {
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl", "csv", "ocsf");
        var since = new Option<string?>("--since") { Description = "Only entries at or after this time: a date (2026-11-01T00:00:00Z) or a duration ago (24h)." };
        var until = new Option<string?>("--until") { Description = "Only entries at or before this time: a date or a duration ago." };
        var identity = new Option<string?>("--identity") { Description = "Only entries about this identity." };
        var tool = new Option<string?>("--tool") { Description = "Only the entries of calls of this tool." };
        var session = new Option<string?>("--session") { Description = "Only the entries of this session." };
        var decision = new Option<string?>("--decision") { Description = "Only the entries of calls with this decision." };
        decision.AcceptOnlyFromAmong("allow", "deny", "approval");
        var fromSeq = new Option<long?>("--from-seq") { Description = "Only entries from this seq on; start at an audit.checkpoint entry to export a range 'audit verify --export' can check offline." };
        var command = new Command("export", "Stream entries, oldest first: JSON Lines (header, entry hash and payload), CSV, or OCSF 1.1 API Activity events.") { format, since, until, identity, tool, session, decision, fromSeq };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var now = TimeProvider.System.GetUtcNow();
            var from = CliTime.Parse(parseResult.GetValue(since), now, -1, "--since", out var sinceError);
            var to = CliTime.Parse(parseResult.GetValue(until), now, -1, "--until", out var untilError);
            if ((sinceError ?? untilError) is { } problem)
            {
                await error.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
                return GatewayCli.Misuse;
            }

            if (await StoreAccess.OpenAsync(parseResult.GetValue(GatewayCli.ConfigOption), error, cancellationToken).ConfigureAwait(false) is not var (_, store))
            {
                return GatewayCli.Misuse;
            }

            await using (store)
            {
                try
                {
                    var query = new AuditQuery(from, to, parseResult.GetValue(identity), parseResult.GetValue(fromSeq) is { } seq ? seq - 1 : null, parseResult.GetValue(session))
                    {
                        Tool = parseResult.GetValue(tool),
                        Decision = parseResult.GetValue(decision),
                    };
                    _ = parseResult.GetValue(format) switch
                    {
                        "csv" => await AuditExporter.WriteCsvAsync(store.Audit, query, output, cancellationToken).ConfigureAwait(false),
                        "ocsf" => await AuditExporter.WriteOcsfAsync(store.Audit, query, output, cancellationToken).ConfigureAwait(false),
                        _ => await AuditExporter.WriteJsonLinesAsync(store.Audit, query, output, cancellationToken).ConfigureAwait(false),
                    };
                    return GatewayCli.Success;
                }
                catch (Exception ex) when (ex is StoreUnavailableException or AuditFormatException)
                {
                    await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                    return GatewayCli.CheckFailed;
                }
            }
        });
        return command;
    }
}

using System.Security.Claims;
using System.Text.Json.Nodes;
using McpGateway.Approvals;
using McpGateway.Audit;
using McpGateway.Audit.Checkpoints;
using McpGateway.Runtime;
using McpGateway.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace McpGateway.Hosting.Http;

/// <summary>
/// The auditors' API under <c>/api/audit</c>: entries (filtered and streamed as JSON Lines, CSV
/// or OCSF), a session's transcript, and verification of the chain. Auditors see everything; an
/// operator sees only the entries of an approval it may decide (<c>?approvalId=</c>). Every
/// download is recorded first (<c>export.downloaded</c>, with who and which filter): no record,
/// no download.
/// </summary>
internal static class AuditEndpoints
{
    /// <summary>The authorization policy of <c>/api/audit</c>: the auditor or the operator role (each endpoint narrows it).</summary>
    public const string ReaderPolicy = "api-audit-reader";

    private const int MaxLimit = 1_000_000;

    public static void MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/audit").RequireAuthorization(ReaderPolicy);
        group.MapGet("/entries", EntriesAsync);
        group.MapGet("/sessions/{id}", SessionAsync);
        group.MapGet("/verify", VerifyAsync);
    }

    private static async Task<IResult> EntriesAsync(
        HttpContext context,
        IGatewayStore store,
        AuditRecorder audit,
        ApprovalService approvals,
        GatewayRuntime runtime,
        CancellationToken cancellationToken,
        string? format = null,
        string? since = null,
        string? until = null,
        string? identity = null,
        string? session = null,
        string? tool = null,
        string? decision = null,
        string? approvalId = null,
        long? afterSeq = null,
        int? limit = null)
    {
        var now = TimeProvider.System.GetUtcNow();
        var from = Cli.CliTime.Parse(since, now, -1, "since", out var sinceError);
        var to = Cli.CliTime.Parse(until, now, -1, "until", out var untilError);
        if ((sinceError ?? untilError) is { } timeProblem)
        {
            return ApprovalEndpoints.Problem(400, "Bad time", timeProblem);
        }

        format ??= "jsonl";
        if (format is not ("jsonl" or "csv" or "ocsf"))
        {
            return ApprovalEndpoints.Problem(400, "Unknown format", $"format '{format}' is not one of jsonl, csv, ocsf.");
        }

        if (decision is not (null or "allow" or "deny" or "approval"))
        {
            return ApprovalEndpoints.Problem(400, "Unknown decision", $"decision '{decision}' is not one of allow, deny, approval.");
        }

        if (limit is < 1 or > MaxLimit)
        {
            return ApprovalEndpoints.Problem(400, "Bad limit", $"limit must be from 1 to {MaxLimit:N0}.");
        }

        var reader = Name(context.User);
        if (!context.User.IsInRole(Policies.Roles.Auditor))
        {
            // An operator: only the entries of an approval it may decide.
            if (approvalId is null)
            {
                return ApprovalEndpoints.Problem(403, "Auditors only", "Only an auditor reads the whole chain; an operator reads the entries of an approval it may decide, with approvalId=<id>.");
            }

            var record = await approvals.GetAsync(approvalId, cancellationToken).ConfigureAwait(false);
            if (record is null || ApprovalRequirements.WhyNot(record, reader, runtime.Current.Configuration) is not null && !IsDecider(record, reader))
            {
                return ApprovalEndpoints.Problem(403, "Not yours to read", $"You may read the entries of approval '{Policies.Text.PrintableText.Escape(approvalId, 64)}' only if you may decide it.");
            }
        }

        var query = new AuditQuery(from, to, identity, afterSeq, session) { Tool = tool, Decision = decision, ApprovalId = approvalId, Limit = limit };
        var filter = new JsonObject
        {
            ["format"] = format,
            ["since"] = since,
            ["until"] = until,
            ["identity"] = identity,
            ["session"] = session,
            ["tool"] = tool,
            ["decision"] = decision,
            ["approvalId"] = approvalId,
            ["afterSeq"] = afterSeq,
            ["limit"] = limit,
        };
        try
        {
            await audit.RecordAsync(new AuditAppend(AuditEventTypes.ExportDownloaded, new AuditIds(null, null, approvalId, reader), new JsonObject { ["reader"] = reader, ["filter"] = filter }), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StoreUnavailableException or AuditRedactionException)
        {
            return ApprovalEndpoints.Problem(503, "Audit log unavailable", "The download could not be recorded, so it was not served. Retry later.");
        }

        return Results.Stream(
            async body =>
            {
                await using var writer = new StreamWriter(body, new System.Text.UTF8Encoding(false), 64 * 1024);
                _ = format switch
                {
                    "csv" => await AuditExporter.WriteCsvAsync(store.Audit, query, writer, cancellationToken).ConfigureAwait(false),
                    "ocsf" => await AuditExporter.WriteOcsfAsync(store.Audit, query, writer, cancellationToken).ConfigureAwait(false),
                    _ => await AuditExporter.WriteJsonLinesAsync(store.Audit, query, writer, cancellationToken).ConfigureAwait(false),
                };
            },
            format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8");
    }

    private static async Task<IResult> SessionAsync(HttpContext context, string id, IGatewayStore store, AuditRecorder audit, CancellationToken cancellationToken)
    {
        if (!context.User.IsInRole(Policies.Roles.Auditor))
        {
            return ApprovalEndpoints.Problem(403, "Auditors only", "Only an auditor reads a session's transcript.");
        }

        var reader = Name(context.User);
        try
        {
            await audit.RecordAsync(new AuditAppend(AuditEventTypes.ExportDownloaded, new AuditIds(null, null, null, reader), new JsonObject { ["reader"] = reader, ["filter"] = new JsonObject { ["session"] = id, ["format"] = "transcript" } }), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StoreUnavailableException or AuditRedactionException)
        {
            return ApprovalEndpoints.Problem(503, "Audit log unavailable", "The download could not be recorded, so it was not served. Retry later.");
        }

        var lines = new JsonArray();
        var entries = new JsonArray();
        await foreach (var entry in store.Audit.ReadAsync(new AuditQuery(SessionId: id), cancellationToken).ConfigureAwait(false))
        {
            lines.Add(AuditTranscript.Line(entry));
            entries.Add(AuditExporter.ToJson(entry));
        }

        return lines.Count == 0
            ? ApprovalEndpoints.Problem(404, "No such session", $"No entry of the chain belongs to session '{Policies.Text.PrintableText.Escape(id, 128)}'.")
            : Results.Json(new JsonObject { ["session"] = id, ["transcript"] = lines, ["entries"] = entries });
    }

    /// <summary>The chain, its checkpoints' signatures under this gateway's key, and the configured checkpoint log as the anchor — as <c>audit verify</c> checks them.</summary>
    private static async Task<IResult> VerifyAsync(HttpContext context, IGatewayStore store, AuditSigningKey signingKey, GatewayRuntime runtime, CancellationToken cancellationToken)
    {
        if (!context.User.IsInRole(Policies.Roles.Auditor))
        {
            return ApprovalEndpoints.Problem(403, "Auditors only", "Only an auditor verifies the chain.");
        }

        using var keys = new CheckpointKeys().Add(CheckpointPublicKey.FromPem(signingKey.PublicKey.Pem, signingKey.Source));
        var log = CheckpointLog.Read(runtime.Current.Configuration.AuditOrDefault.CheckpointLog);
        var result = await AuditVerifier.VerifyAsync(store.Audit, new AuditVerifyOptions(keys, log.Exists ? log : null), cancellationToken).ConfigureAwait(false);
        return Results.Json(new JsonObject
        {
            ["intact"] = result.Intact,
            ["entries"] = result.Entries,
            ["purged"] = result.Purged,
            ["head"] = result.Head is { } head ? new JsonObject { ["seq"] = head.Seq, ["entryHash"] = head.EntryHash, ["ts"] = AuditChain.FormatTimestamp(head.Timestamp) } : null,
            ["firstBad"] = result.FirstBad,
            ["problem"] = result.Problem,
            ["anchored"] = log.Exists,
        });
    }

    /// <summary>An operator who already voted on the approval may still read it after it closed.</summary>
    private static bool IsDecider(ApprovalRecord record, string reader) => record.Votes.Any(v => v.Approver == reader);

    private static string Name(ClaimsPrincipal user) => user.Identity?.Name ?? throw new InvalidOperationException("An authorized request has no identity.");
}

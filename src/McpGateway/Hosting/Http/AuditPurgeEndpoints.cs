using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Audit;
using McpGateway.Audit.Purge;
using McpGateway.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace McpGateway.Hosting.Http;

/// <summary>
/// <c>POST /api/audit/purge</c>: an auditor's erasure request, <c>{"identity", "before", "reason"}</c>.
/// Only identities with the auditor role (never an operator or agent only, never anonymous);
/// the payloads of the identity's entries older than <c>before</c> and its final approval
/// requests' stored data are removed, the headers stay, and the request is recorded as
/// <c>audit.purged</c> in the same transaction.
/// </summary>
internal static partial class AuditPurgeEndpoints
{
    /// <summary>The authorization policy of the auditor API.</summary>
    public const string AuditorPolicy = "api-auditor";

    private const int MaxIdentityLength = 256;

    public static void MapAuditPurgeEndpoints(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/audit/purge", PurgeAsync).RequireAuthorization(AuditorPolicy);

    private static async Task<IResult> PurgeAsync(HttpContext context, AuditPurgeService purges, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (request, problem) = await ReadAsync(context, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var auditor = context.User.Identity?.Name ?? throw new InvalidOperationException("An authorized request has no identity.");
        var result = await purges.EraseAsync(auditor, request!.Value.Selector, request.Value.Reason, cancellationToken).ConfigureAwait(false);
        Erased(loggers.CreateLogger(typeof(AuditPurgeEndpoints).FullName!), auditor, result.Entries, result.Approvals, result.Record?.Seq ?? 0);
        return Results.Json(new JsonObject
        {
            ["selector"] = request.Value.Selector.ToJson(),
            ["entries"] = result.Entries,
            ["approvals"] = result.Approvals,
            ["recordedAs"] = result.Record?.Seq,
        });
    }

    private static async Task<((AuditPurgeSelector Selector, string? Reason)? Request, IResult? Problem)> ReadAsync(HttpContext context, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string Shape = "Send a JSON object such as {\"identity\": \"billing-agent\", \"before\": \"2026-01-01T00:00:00Z\", \"reason\": \"erasure request 42\"}.";
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return (null, ApprovalEndpoints.Problem(400, "Bad body", $"The body is not JSON. {Shape}"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, ApprovalEndpoints.Problem(400, "Bad body", Shape));
            }

            if (String(root, "identity") is not { Length: > 0 and <= MaxIdentityLength } identity || identity.Trim() != identity)
            {
                return (null, ApprovalEndpoints.Problem(400, "Bad identity", $"'identity' is required: the identity whose payloads are purged, as entries' headers name it. {Shape}"));
            }

            if (String(root, "before") is not { } text
                || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var before))
            {
                return (null, ApprovalEndpoints.Problem(400, "Bad before", $"'before' is required: a date and time such as 2026-01-01T00:00:00Z; entries older than it are purged. {Shape}"));
            }

            if (before > now)
            {
                return (null, ApprovalEndpoints.Problem(400, "Bad before", $"'before' ({AuditChain.FormatTimestamp(before)}) is in the future; only what was already recorded can be purged."));
            }

            if (root.TryGetProperty("reason", out var reasonValue) && reasonValue.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                return (null, ApprovalEndpoints.Problem(400, "Bad reason", "'reason' must be a string."));
            }

            var reason = String(root, "reason") is { } r && !string.IsNullOrWhiteSpace(r) ? Policies.Text.TextCut.ToChars(r.Trim(), 1000) : null;
            return ((new AuditPurgeSelector(identity, before), reason), null);
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [LoggerMessage(GatewayEventIds.PayloadsErased, LogLevel.Warning, "Auditor {Auditor} purged the payloads of {Entries} entries and {Approvals} approval requests (recorded as entry {Seq})")]
    private static partial void Erased(ILogger logger, string auditor, long entries, long approvals, long seq);
}

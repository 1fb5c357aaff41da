using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Approvals;
using McpGateway.Audit;
using McpGateway.Runtime;
using McpGateway.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace McpGateway.Hosting.Http;

/// <summary>
/// The operators' approval API under <c>/api/approvals</c>: list, show, approve, deny, cancel.
/// Only identities with the operator role (API keys now, OIDC later); every error is a JSON
/// problem; every decision goes to the chain. The unmasked request and preview are shown only to
/// an operator who may decide that request, and showing them is recorded (<c>unmasked.viewed</c>).
/// </summary>
internal static class ApprovalEndpoints
{
    /// <summary>The authorization policy of <c>/api/approvals</c>.</summary>
    public const string OperatorPolicy = "api-operator";

    public static void MapApprovalEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/approvals").RequireAuthorization(OperatorPolicy);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id}", ShowAsync);
        group.MapPost("/{id}/approve", (HttpContext context, string id, ApprovalService approvals, CancellationToken cancellationToken) => DecideAsync(context, id, approve: true, approvals, cancellationToken));
        group.MapPost("/{id}/deny", (HttpContext context, string id, ApprovalService approvals, CancellationToken cancellationToken) => DecideAsync(context, id, approve: false, approvals, cancellationToken));
        group.MapPost("/{id}/cancel", CancelAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ApprovalService approvals, CancellationToken cancellationToken, string? status = null, string? tool = null, string? requester = null, int? limit = null)
    {
        ApprovalStatus? parsed = null;
        if (status is not null)
        {
            if (!ApprovalStatusNames.TryParse(status, out var value))
            {
                return Problem(400, "Unknown status", $"status '{status}' is not one of {ApprovalStatusNames.All}.");
            }

            parsed = value;
        }

        if (limit is < 1 or > 1000)
        {
            return Problem(400, "Bad limit", "limit must be from 1 to 1000.");
        }

        var records = await approvals.ListAsync(new ApprovalFilter(parsed, tool, requester, limit ?? 100), cancellationToken).ConfigureAwait(false);
        return Results.Json(new JsonObject { ["approvals"] = new JsonArray([.. records.Select(r => (JsonNode?)Summary(r))]) });
    }

    private static async Task<IResult> ShowAsync(HttpContext context, string id, ApprovalService approvals, GatewayRuntime runtime, AuditRecorder audit, CancellationToken cancellationToken)
    {
        var record = await approvals.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return Problem(404, "No such approval", $"There is no approval '{id}'.");
        }

        return Results.Json(await DetailAsync(record, Operator(context.User), runtime, audit, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// A request in full for <paramref name="viewer"/>: its summary, rules, facts and votes, whether
    /// the viewer may decide it and why not — and the unmasked request only when they may, which
    /// is recorded (<c>unmasked.viewed</c>) before it is shown. The API and the console show this.
    /// </summary>
    internal static async Task<JsonObject> DetailAsync(ApprovalRecord record, string viewer, GatewayRuntime runtime, AuditRecorder audit, CancellationToken cancellationToken)
    {
        var json = Summary(record);
        json["matchedRules"] = record.Detail["matchedRules"]?.DeepClone();
        json["reasons"] = record.Detail["reasons"]?.DeepClone();
        json["facts"] = record.Detail["facts"]?.DeepClone();
        json["votes"] = new JsonArray([.. record.Votes.Select(v => (JsonNode?)new JsonObject
        {
            ["approver"] = v.Approver,
            ["vote"] = v.Approve ? "approve" : "deny",
            ["reason"] = v.Reason,
            ["at"] = AuditChain.FormatTimestamp(v.At),
        })]);

        var mayDecide = ApprovalRequirements.WhyNot(record, viewer, runtime.Current.Configuration);
        json["mayDecide"] = mayDecide is null;
        json["whyNot"] = mayDecide;
        if (mayDecide is null && record.Sensitive is { } sensitive)
        {
            // The unmasked request, for the operator who decides it; recorded first, shown after.
            await audit.RecordAsync(new AuditAppend(AuditEventTypes.UnmaskedViewed, new AuditIds(record.CallId, null, record.Id, viewer), new JsonObject
            {
                ["approvalId"] = record.Id,
                ["viewer"] = viewer,
                ["what"] = "approval request",
            }), cancellationToken).ConfigureAwait(false);
            json["request"] = new JsonObject
            {
                ["arguments"] = sensitive["arguments"]?.GetValue<string>() is { } raw ? JsonNode.Parse(raw) : null,
                ["preview"] = sensitive["preview"]?.DeepClone(),
            };
        }
        else
        {
            json["request"] = new JsonObject { ["arguments"] = record.Detail["arguments"]?.DeepClone(), ["masked"] = true };
        }

        return json;
    }

    private static async Task<IResult> DecideAsync(HttpContext context, string id, bool approve, ApprovalService approvals, CancellationToken cancellationToken)
    {
        var (reason, problem) = await ReadReasonAsync(context, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var action = await approvals.DecideAsync(id, Operator(context.User), approve, reason, cancellationToken).ConfigureAwait(false);
        return Answer(action, approve ? "Cannot approve" : "Cannot deny");
    }

    private static async Task<IResult> CancelAsync(HttpContext context, string id, ApprovalService approvals, CancellationToken cancellationToken)
    {
        var (reason, problem) = await ReadReasonAsync(context, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var action = await approvals.CancelAsync(id, Operator(context.User), asOperator: true, reason, cancellationToken).ConfigureAwait(false);
        return Answer(action, "Cannot cancel");
    }

    private static IResult Answer(ApprovalAction action, string title) =>
        action.Problem is null ? Results.Json(Summary(action.Record!)) : Problem(action.Status, title, action.Problem);

    /// <summary>The optional body <c>{"reason": "…"}</c>.</summary>
    private static async Task<(string? Reason, IResult? Problem)> ReadReasonAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength is 0 || (context.Request.ContentLength is null && !context.Request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return (null, null);
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Problem(400, "Bad body", "Send a JSON object such as {\"reason\": \"checked with the billing team\"}."));
            }

            if (!document.RootElement.TryGetProperty("reason", out var reason) || reason.ValueKind == JsonValueKind.Null)
            {
                return (null, null);
            }

            return reason.ValueKind == JsonValueKind.String
                ? (reason.GetString(), null)
                : (null, Problem(400, "Bad reason", "'reason' must be a string."));
        }
        catch (JsonException)
        {
            return (null, Problem(400, "Bad body", "The body is not JSON; send {\"reason\": \"…\"} or nothing."));
        }
    }

    /// <summary>What anyone on the API sees of a request: no unmasked arguments, no result.</summary>
    internal static JsonObject Summary(ApprovalRecord record) => new()
    {
        ["id"] = record.Id,
        ["status"] = ApprovalStatusNames.Of(record.Status),
        ["requester"] = record.Requester,
        ["owner"] = record.Owner,
        ["sessionId"] = record.SessionId,
        ["callId"] = record.CallId,
        ["tool"] = record.Tool,
        ["target"] = record.Target,
        ["summary"] = record.Detail["preview"]?["summary"]?.DeepClone(),
        ["justification"] = record.Detail["justification"]?.DeepClone(),
        ["approvers"] = ApprovalRequirements.ToJson(ApprovalRequirements.Read(record)),
        ["revision"] = record.Revision,
        [Audit.RequestHashing.RequestHasher.Describe(record.RequestHash).Field] = Audit.RequestHashing.RequestHasher.Describe(record.RequestHash).Value,
        ["createdAt"] = AuditChain.FormatTimestamp(record.CreatedAt),
        ["expiresAt"] = AuditChain.FormatTimestamp(record.ExpiresAt),
        ["decidedAt"] = record.DecidedAt is { } decided ? AuditChain.FormatTimestamp(decided) : null,
        ["decidedBy"] = record.DecidedBy,
        ["reason"] = record.Reason,
        ["resultCallId"] = record.ResultCallId,
    };

    private static string Operator(ClaimsPrincipal user) => user.Identity?.Name ?? throw new InvalidOperationException("An authorized request has no identity.");

    internal static IResult Problem(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title);
}

using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using McpGateway.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace McpGateway.Hosting.Console;

/// <summary>
/// The console's pages, server-rendered HTML without scripts: signing in and out, and the
/// signed-in home with the pending approvals an operator sees. Every form carries an antiforgery
/// token; every response carries a strict Content-Security-Policy and is never cached.
/// </summary>
internal static class ConsolePages
{
    public const string Policy = "console";

    /// <summary>Console pages for operators only (approvals).</summary>
    public const string OperatorPolicy = "console-operator";

    private const string SecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void MapConsole(this IEndpointRouteBuilder app)
    {
        var console = app.MapGroup("/console");
        console.MapGet("/sign-in", SignInPage).AllowAnonymous();
        console.MapPost("/sign-in", SignInAsync).AllowAnonymous();
        console.MapPost("/sign-out", SignOutAsync).RequireAuthorization(Policy);
        console.MapGet("/", HomeAsync).RequireAuthorization(Policy);
        console.MapGet("/approvals/{id}", ApprovalAsync).RequireAuthorization(OperatorPolicy);
        console.MapPost("/approvals/{id}/decide", DecideAsync).RequireAuthorization(OperatorPolicy);
        console.MapGet("/console.css", () => Results.Text(Styles, "text/css; charset=utf-8")).AllowAnonymous();
        console.MapGet("/icon.svg", () => Results.Text(Icon, "image/svg+xml")).AllowAnonymous();
    }

    /// <summary>Headers every console response carries.</summary>
    public static void Secure(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = SecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the
        // console's own form posts, which the Host/Origin guard rightly refuses.
        response.Headers["Referrer-Policy"] = "same-origin";
        response.Headers.CacheControl = "no-store";
        response.Headers.XFrameOptions = "DENY";
    }

    public static Task WriteAsync(HttpContext context, string title, string body)
    {
        Secure(context.Response);
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{Html(title)}} · McpGateway</title><link rel="stylesheet" href="/console/console.css"><link rel="icon" href="/console/icon.svg" type="image/svg+xml"></head>
            <body><header><strong>McpGateway</strong> console</header><main><h1>{{Html(title)}}</h1>
            {{body}}
            </main></body></html>
            """);
    }

    private static Task SignInPage(HttpContext context, IAntiforgery antiforgery) => SignInFormAsync(context, antiforgery, null);

    private static Task SignInFormAsync(HttpContext context, IAntiforgery antiforgery, string? problem)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var error = problem is null ? string.Empty : $"""<p class="error" role="alert">{Html(problem)}</p>""";
        return WriteAsync(context, "Sign in", $"""
            {error}
            <form method="post" action="/console/sign-in">
              <input type="hidden" name="{Html(tokens.FormFieldName)}" value="{Html(tokens.RequestToken!)}">
              <label for="key">API key of an operator or auditor</label>
              <input id="key" name="key" type="password" autocomplete="off" required>
              <button type="submit">Sign in</button>
            </form>
            """);
    }

    private static async Task SignInAsync(HttpContext context, [FromForm] string? key, ConsoleSessionService sessions, IAntiforgery antiforgery, Http.SecurityLog security)
    {
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!sessions.MayAttempt(address))
        {
            security.Refused(context, "too many console sign-in attempts");
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "60";
            await SignInFormAsync(context, antiforgery, "Too many sign-in attempts from this address; wait a minute.").ConfigureAwait(false);
            return;
        }

        ConsoleSignIn result;
        try
        {
            result = await sessions.SignInWithKeyAsync(key ?? string.Empty, context.RequestAborted).ConfigureAwait(false);
        }
        catch (StoreUnavailableException)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await SignInFormAsync(context, antiforgery, "The gateway's store is unavailable right now; retry shortly.").ConfigureAwait(false);
            return;
        }

        if (result.SessionId is not { } id)
        {
            security.Refused(context, "console sign-in refused: " + result.Failure);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await SignInFormAsync(context, antiforgery, result.Failure).ConfigureAwait(false);
            return;
        }

        context.Response.Cookies.Append(ConsoleSessionService.CookieName, id, new CookieOptions
        {
            Path = "/console",
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            IsEssential = true,
        });
        Secure(context.Response);
        context.Response.Redirect("/console/", permanent: false);
    }

    private static async Task SignOutAsync(HttpContext context, ConsoleSessionService sessions)
    {
        await sessions.SignOutAsync(context.User, context.RequestAborted).ConfigureAwait(false);
        context.Response.Cookies.Delete(ConsoleSessionService.CookieName, new CookieOptions { Path = "/console" });
        Secure(context.Response);
        context.Response.Redirect("/console/sign-in", permanent: false);
    }

    private static async Task HomeAsync(HttpContext context, IGatewayStore store, IAntiforgery antiforgery)
    {
        var user = context.User;
        var tokens = antiforgery.GetAndStoreTokens(context);
        var body = new StringBuilder();
        body.Append(CultureInvariant($"<p>Signed in as <strong>{Html(user.Identity!.Name!)}</strong> ({Html(string.Join(", ", user.FindAll(System.Security.Claims.ClaimTypes.Role).Select(c => c.Value)))}).</p>"));
        if (user.IsInRole(Policies.Roles.Operator))
        {
            var pending = await store.Approvals.ListAsync(new ApprovalFilter(ApprovalStatus.Pending, Limit: 100), context.RequestAborted).ConfigureAwait(false);
            body.Append("<h2>Pending approvals</h2>");
            if (pending.Count == 0)
            {
                body.Append("<p>None.</p>");
            }
            else
            {
                body.Append("<table><thead><tr><th scope=\"col\">Request</th><th scope=\"col\">Requester</th><th scope=\"col\">Tool</th><th scope=\"col\">Target</th><th scope=\"col\">Expires</th></tr></thead><tbody>");
                foreach (var approval in pending)
                {
                    body.Append(CultureInvariant($"<tr><td><a href=\"/console/approvals/{Html(approval.Id)}\">{Html(approval.Id)}</a></td><td>{Html(approval.Requester)}</td><td>{Html(approval.Tool)}</td><td>{Html(approval.Target)}</td><td>{Html(Audit.AuditChain.FormatTimestamp(approval.ExpiresAt))}</td></tr>"));
                }

                body.Append("</tbody></table>");
            }
        }

        body.Append(CultureInvariant($"""<form method="post" action="/console/sign-out"><input type="hidden" name="{Html(tokens.FormFieldName)}" value="{Html(tokens.RequestToken!)}"><button type="submit">Sign out</button></form>"""));
        await WriteAsync(context, "Console", body.ToString()).ConfigureAwait(false);
    }

    private static async Task ApprovalAsync(HttpContext context, string id, Approvals.ApprovalService approvals, Runtime.GatewayRuntime runtime, Audit.AuditRecorder audit, IAntiforgery antiforgery)
    {
        if (await approvals.GetAsync(id, context.RequestAborted).ConfigureAwait(false) is not { } record)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await WriteAsync(context, "No such request", $"<p>There is no approval request '{Html(id)}'.</p>").ConfigureAwait(false);
            return;
        }

        var viewer = context.User.Identity!.Name!;
        var detail = await Http.ApprovalEndpoints.DetailAsync(record, viewer, runtime, audit, context.RequestAborted).ConfigureAwait(false);
        var body = new StringBuilder();
        body.Append("<dl>");
        foreach (var (label, field) in DetailFields)
        {
            if (detail[field] is JsonValue value && value.ToString() is { Length: > 0 } text)
            {
                body.Append(CultureInvariant($"<dt>{Html(label)}</dt><dd>{Html(text)}</dd>"));
            }
        }

        body.Append("</dl>");
        body.Append(CultureInvariant($"<h2>Why it needs approval</h2><pre>{Html(Json(detail["reasons"]))}</pre><h2>Rules and approvers</h2><pre>{Html(Json(detail["matchedRules"]))}\n{Html(Json(detail["approvers"]))}</pre>"));
        var masked = detail["request"]?["masked"] is not null;
        body.Append(CultureInvariant($"<h2>The request{(masked ? " (masked)" : string.Empty)}</h2><pre>{Html(Json(detail["request"]))}</pre>"));
        if (detail["votes"] is JsonArray { Count: > 0 } votes)
        {
            body.Append(CultureInvariant($"<h2>Votes</h2><pre>{Html(Json(votes))}</pre>"));
        }

        if (record.Status == ApprovalStatus.Pending && detail["mayDecide"]?.GetValue<bool>() == true)
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            body.Append(CultureInvariant($"""
                <form method="post" action="/console/approvals/{Html(record.Id)}/decide">
                  <input type="hidden" name="{Html(tokens.FormFieldName)}" value="{Html(tokens.RequestToken!)}">
                  <label for="reason">Reason (recorded with the decision)</label>
                  <textarea id="reason" name="reason" rows="3" maxlength="1000"></textarea>
                  <button type="submit" name="decision" value="approve">Approve</button>
                  <button type="submit" name="decision" value="deny">Deny</button>
                </form>
                """));
        }
        else if (record.Status == ApprovalStatus.Pending)
        {
            body.Append(CultureInvariant($"""<p class="note">You cannot decide this request: {Html(detail["whyNot"]?.GetValue<string>() ?? "it is not yours to decide")}</p>"""));
        }

        await WriteAsync(context, "Approval " + record.Id, body.ToString()).ConfigureAwait(false);
    }

    private static async Task DecideAsync(HttpContext context, string id, [FromForm] string? decision, [FromForm] string? reason, Approvals.ApprovalService approvals)
    {
        if (decision is not ("approve" or "deny"))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await WriteAsync(context, "Not decided", "<p>Choose Approve or Deny.</p>").ConfigureAwait(false);
            return;
        }

        var action = await approvals.DecideAsync(id, context.User.Identity!.Name!, decision == "approve", string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(), context.RequestAborted).ConfigureAwait(false);
        if (action.Problem is { } problem)
        {
            context.Response.StatusCode = action.Status;
            await WriteAsync(context, "Not decided", CultureInvariant($"""<p class="error" role="alert">{Html(problem)}</p><p><a href="/console/approvals/{Html(id)}">Back to the request</a></p>""")).ConfigureAwait(false);
            return;
        }

        Secure(context.Response);
        context.Response.Redirect($"/console/approvals/{Uri.EscapeDataString(id)}", permanent: false);
    }

    /// <summary>What the request page lists of a request, in order: label and field of its detail.</summary>
    private static readonly (string Label, string Field)[] DetailFields =
    [
        ("Status", "status"), ("Requester", "requester"), ("Owner", "owner"), ("Tool", "tool"), ("Target", "target"), ("Summary", "summary"), ("Justification", "justification"),
        ("Requested", "createdAt"), ("Expires", "expiresAt"), ("Decided by", "decidedBy"), ("Decided", "decidedAt"), ("Reason given", "reason"),
    ];

    /// <summary>JSON for reading: indented, and not escaped for script contexts — the page HTML-encodes it.</summary>
    private static string Json(JsonNode? node) => node?.ToJsonString(ReadableJson) ?? "—";

    private static readonly System.Text.Json.JsonSerializerOptions ReadableJson = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);

    private static string Html(string text) => HtmlEncoder.Default.Encode(text);

    private const string Icon = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1b3a5c"/><path d="M4 8h8M8 4v8" stroke="#fff" stroke-width="2"/></svg>""";

    private const string Styles = """
        body { font-family: system-ui, sans-serif; margin: 0; color: #111; background: #fff; }
        header { padding: .75rem 1rem; background: #1b3a5c; color: #fff; }
        main { padding: 1rem; max-width: 60rem; }
        label { display: block; margin: .5rem 0 .25rem; }
        input[type=password] { width: 100%; max-width: 30rem; padding: .5rem; }
        button { margin-top: .75rem; padding: .5rem 1rem; }
        .error { color: #8a1111; font-weight: bold; }
        .note { background: #f3f3d8; padding: .5rem; }
        textarea { display: block; width: 100%; max-width: 40rem; }
        pre { background: #f4f4f4; padding: .5rem; overflow-x: auto; white-space: pre-wrap; }
        dt { font-weight: bold; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #ccc; }
        """;
}

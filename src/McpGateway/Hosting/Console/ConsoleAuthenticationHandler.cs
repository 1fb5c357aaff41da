using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpGateway.Hosting.Console;

/// <summary>
/// The console's cookie, for <c>/console</c> only (<c>/api</c> takes bearer credentials and never
/// this cookie): the session is checked in the store on every request. Without a live session, a
/// page redirects to the sign-in page.
/// </summary>
public sealed class ConsoleAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ConsoleSessionService sessions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Cookies.TryGetValue(ConsoleSessionService.CookieName, out var id) || id.Length is 0 or > 128)
        {
            return AuthenticateResult.NoResult();
        }

        try
        {
            return await sessions.ValidateAsync(id, Context.RequestAborted).ConfigureAwait(false) is { } principal
                ? AuthenticateResult.Success(new AuthenticationTicket(principal, ConsoleSessionService.Scheme))
                : AuthenticateResult.Fail("The console session has ended; sign in again.");
        }
        catch (Storage.StoreUnavailableException)
        {
            return AuthenticateResult.Fail("The store is unavailable right now; retry shortly.");
        }
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Cookies.Delete(ConsoleSessionService.CookieName, new CookieOptions { Path = "/console" });
        Response.Redirect("/console/sign-in");
        return Task.CompletedTask;
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await ConsolePages.WriteAsync(Context, "Not allowed", "<p>Your identity may not open this page.</p>").ConfigureAwait(false);
    }
}

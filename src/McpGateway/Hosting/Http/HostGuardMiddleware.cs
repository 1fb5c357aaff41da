using Microsoft.AspNetCore.Http;

namespace McpGateway.Hosting.Http;

/// <summary>
/// DNS-rebinding protection: a request whose Host is not one the gateway answers to, or whose
/// Origin (including <c>Origin: null</c>) is not such a host, is refused with 403 before anything else runs.
/// </summary>
public sealed class HostGuardMiddleware(RequestDelegate next, HttpBinding binding, SecurityLog security)
{
    public Task InvokeAsync(HttpContext context)
    {
        var host = context.Request.Host.Host;
        if (string.IsNullOrEmpty(host) || !binding.AllowedHosts.Contains(host))
        {
            return RefuseAsync(context, $"Host '{Shorten(host)}' is not one this gateway answers to");
        }

        if (context.Request.Headers.Origin is { Count: > 0 } origins)
        {
            var origin = origins.ToString();
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var parsed)
                || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps)
                || !binding.AllowedHosts.Contains(parsed.Host))
            {
                return RefuseAsync(context, $"Origin '{Shorten(origin)}' is not allowed");
            }
        }

        return next(context);
    }

    private static string Shorten(string text) => Policies.Text.PrintableText.Escape(text, 80);

    private Task RefuseAsync(HttpContext context, string reason)
    {
        security.Refused(context, reason);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return context.Response.WriteAsJsonAsync(new { error = "forbidden", message = reason + "; add it to McpGateway:Http:AllowedHosts if it is legitimate." });
    }
}

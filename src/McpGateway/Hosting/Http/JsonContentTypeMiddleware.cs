using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace McpGateway.Hosting.Http;

/// <summary>
/// An MCP message is JSON: a POST to <c>/mcp</c> without <c>Content-Type: application/json</c> is
/// answered 415 with a JSON-RPC error saying what to send, not an empty response.
/// </summary>
public sealed class JsonContentTypeMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || IsJson(context.Request.ContentType))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
        return context.Response.WriteAsJsonAsync(new
        {
            jsonrpc = "2.0",
            id = (object?)null,
            error = new
            {
                code = -32700,
                message = context.Request.ContentType is { Length: > 0 }
                    ? $"MCP messages are JSON: send them with 'Content-Type: application/json', not '{Policies.Text.PrintableText.Escape(context.Request.ContentType, 80)}'."
                    : "MCP messages are JSON: send them with 'Content-Type: application/json' (the request had no Content-Type).",
            },
        });
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && parsed.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
}

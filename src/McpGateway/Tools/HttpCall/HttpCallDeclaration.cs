using System.Text.Json;
using McpGateway.Policies.Classifiers.Http;

namespace McpGateway.Tools.HttpCall;

/// <summary>The <c>http_call</c> tool as MCP clients see it.</summary>
internal static class HttpCallDeclaration
{
    private static readonly JsonElement Input = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "service": { "type": "string", "description": "Name of a registered service." },
            "method": { "type": "string", "description": "HTTP method, for example GET, POST, PUT, PATCH, DELETE." },
            "path": { "type": "string", "description": "Path and optional query relative to the service, starting with '/', for example /api/invoices?status=open. Never a full URL." },
            "headers": { "type": "object", "additionalProperties": { "type": "string" }, "description": "Extra request headers such as Accept or Content-Type. Never Authorization, Cookie, Host or X-Forwarded-*: the gateway supplies credentials and routing." },
            "body": { "type": "string", "description": "Request body as text (for JSON, the serialized JSON); set Content-Type in headers." }
          },
          "required": ["service", "method", "path"],
          "additionalProperties": false
        }
        """).RootElement.Clone();

    private static readonly JsonElement Output = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "callId": { "type": "string", "description": "The gateway's id for this call, as recorded in its audit log." },
            "status": { "type": "integer", "description": "HTTP status code. Redirects (3xx) are returned, not followed." },
            "headers": { "type": "object", "additionalProperties": { "type": "string" }, "description": "Selected response headers, lower-case names." },
            "body": { "type": "string", "description": "Response body as text; binary bodies are summarised." },
            "bodyKind": { "type": "string", "enum": ["json", "text", "binary", "empty"] },
            "truncated": { "type": "boolean", "description": "True when the body was cut at the size limit." },
            "bodyBytes": { "type": "integer" },
            "durationMs": { "type": "integer" }
          },
          "required": ["callId", "status", "headers", "body", "bodyKind", "truncated", "bodyBytes", "durationMs"]
        }
        """).RootElement.Clone();

    public static ToolDeclaration Describe(IReadOnlyList<string> usableTargets) => new(
        HttpCallTool.Name,
        "Call an internal HTTP service",
        $"""
        Send one HTTP request to an internal service registered with the gateway. The gateway adds the service's credentials itself: never send Authorization, Cookie, Host, Proxy-* or X-Forwarded-* headers, and never a full URL.
        Services you may use: {string.Join(", ", usableTargets)}.
        Give `path` relative to the service, starting with '/', with any query (for example /api/invoices?status=open). Paths are checked in normalised form; encoded '/', '.', '\', '?', '#' or '%' are refused.
        Each call is checked against policy: it may be refused with a reason, or need an operator's approval. Redirects are returned, not followed; large bodies are truncated (see `truncated`). The result carries a `callId`.
        """,
        Input,
        Output,
        ReadOnly: false,
        Destructive: true,
        Idempotent: false,
        OpenWorld: false);
}

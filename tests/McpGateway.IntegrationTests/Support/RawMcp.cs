using System.Net.Http.Headers;
using System.Text;

namespace McpGateway.IntegrationTests.Support;

/// <summary>
/// Hand-written MCP requests over HTTP, for what a real client never sends (malformed params,
/// floods of initialize, foreign headers): a POST to <c>/mcp</c> with the headers a
/// Streamable HTTP client sends.
/// </summary>
internal static class RawMcp
{
    public const string InitializeJson = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";

    /// <param name="endpoint">The gateway's <c>/mcp</c> URL.</param>
    /// <param name="json">The JSON-RPC message, sent as <c>application/json</c>.</param>
    /// <param name="key">The bearer API key, if any.</param>
    /// <param name="session">The <c>Mcp-Session-Id</c> (and the 2025-11-25 protocol header), if any.</param>
    /// <param name="protocolVersion">The <c>MCP-Protocol-Version</c> header for a request without a session.</param>
    public static HttpRequestMessage Post(Uri endpoint, string json, string? key, string? session = null, string? protocolVersion = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
            request.Headers.Add("MCP-Protocol-Version", GatewayClients.Sessions);
        }
        else if (protocolVersion is not null)
        {
            request.Headers.Add("MCP-Protocol-Version", protocolVersion);
        }

        return request;
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.IntegrationTests.Support;

/// <summary>An operator's client for a running gateway's <c>/api/approvals</c>, with a real API key.</summary>
internal sealed class OperatorApi(GatewayServer server, string key) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };

    public async Task<(HttpStatusCode Status, JsonObject Body)> GetAsync(string path) => await SendAsync(HttpMethod.Get, path, null);

    public Task<(HttpStatusCode Status, JsonObject Body)> ApproveAsync(string id, string? reason = "looks right") => SendAsync(HttpMethod.Post, $"api/approvals/{id}/approve", new JsonObject { ["reason"] = reason });

    public Task<(HttpStatusCode Status, JsonObject Body)> DenyAsync(string id, string? reason = "not today") => SendAsync(HttpMethod.Post, $"api/approvals/{id}/deny", new JsonObject { ["reason"] = reason });

    public Task<(HttpStatusCode Status, JsonObject Body)> CancelAsync(string id, string? reason = null) => SendAsync(HttpMethod.Post, $"api/approvals/{id}/cancel", new JsonObject { ["reason"] = reason });

    /// <summary>Waits until <paramref name="requester"/> has a pending request whose summary contains <paramref name="marker"/>, and returns its id.</summary>
    public async Task<string> WaitForPendingAsync(string marker, string requester = "test-agent")
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var (_, body) = await GetAsync($"api/approvals?status=pending&requester={requester}");
            if ((body["approvals"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(a => a["summary"]?.GetValue<string>().Contains(marker, StringComparison.Ordinal) == true) is { } found)
            {
                return found["id"]!.GetValue<string>();
            }

            await Task.Delay(100, timeout.Token);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<(HttpStatusCode Status, JsonObject Body)> SendAsync(HttpMethod method, string path, JsonObject? body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? []);
    }
}

/// <summary>MCP calls with progress notifications and approval follow-ups.</summary>
internal static class ApprovalCalls
{
    /// <summary>An <c>http_call</c> that sends a progress token; progress messages are collected in <paramref name="progress"/>.</summary>
    public static async Task<ModelContextProtocol.Protocol.CallToolResult> HttpCallWithProgressAsync(this ModelContextProtocol.Client.McpClient client, string method, string path, System.Collections.Concurrent.ConcurrentQueue<string> progress, string? body = null, string? justification = null, string service = "loopback")
    {
        var arguments = new Dictionary<string, object?> { ["service"] = service, ["method"] = method, ["path"] = path };
        if (body is not null)
        {
            arguments["body"] = body;
        }

        if (justification is not null)
        {
            arguments["justification"] = justification;
        }

        return await client.CallToolAsync("http_call", arguments, new SyncProgress(progress));
    }

    public static Task<ModelContextProtocol.Protocol.CallToolResult> ApprovalStatusAsync(this ModelContextProtocol.Client.McpClient client, string? id = null, bool? cancel = null)
    {
        var arguments = new Dictionary<string, object?>();
        if (id is not null)
        {
            arguments["approvalId"] = id;
        }

        if (cancel is not null)
        {
            arguments["cancel"] = cancel;
        }

        return client.CallToolAsync("approval_status", arguments).AsTask();
    }

    public static string ApprovalId(this ModelContextProtocol.Protocol.CallToolResult result) =>
        result.StructuredContent!.Value.GetProperty("approval").GetProperty("id").GetString()!;

    /// <summary>Records progress at once, on the reporting thread (Progress&lt;T&gt; would post it later).</summary>
    private sealed class SyncProgress(System.Collections.Concurrent.ConcurrentQueue<string> messages) : IProgress<ModelContextProtocol.ProgressNotificationValue>
    {
        public void Report(ModelContextProtocol.ProgressNotificationValue value) => messages.Enqueue(value.Message ?? string.Empty);
    }
}

using System.Net;
using System.Net.Http.Headers;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.EndToEnd;

/// <summary>Malformed MCP requests get a clear 4xx or JSON-RPC error, and an identified caller's malformed call is recorded.</summary>
public sealed class MalformedRequestTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;
    private GatewayServer _server = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        _server = await GatewayServer.StartAsync(_environment);
        _key = await _environment.CreateKeyAsync("test-agent");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _environment.DisposeAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task A_post_that_is_not_declared_json_is_415_with_a_json_rpc_error(string? contentType)
    {
        using var http = new HttpClient();
        using var request = RawMcp.Post(_server.McpEndpoint, """{"jsonrpc":"2.0","id":1,"method":"ping"}""", _key);
        request.Content!.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);
        using var response = await http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await response.Content.ReadAsStringAsync()).Should().Contain("Content-Type: application/json").And.Contain("\"code\":-32700");
    }

    [Theory]
    [InlineData("[1, 2]", "'params' must be a JSON object", "")]
    [InlineData("\"http_call GET /x\"", "'params' must be a JSON object", "")]
    [InlineData("""{"name": 5, "arguments": {}}""", "'params.name' must be the tool's name as a string, not a number", "")]
    [InlineData("""{"arguments": {}}""", "'params.name' must be the tool's name as a string", "")]
    [InlineData("""{"name": "http_call", "arguments": "GET /api/echo"}""", "'params.arguments' must be a JSON object", "http_call")]
    [InlineData("""{"name": "http_call", "arguments": [1]}""", "'params.arguments' must be a JSON object", "http_call")]
    [InlineData("""{"name": "http_call", "arguments": {"service": "loopback", "method": "GET", "path": "/api/echo\ud800"}}""", "lone surrogate", "")]
    [InlineData("""{"name": "http_call", "arguments": {"service": "loopback", "\udc00": 1}}""", "lone surrogate", "")]
    [InlineData("""{"name": "http_call", "name": "other", "arguments": {}}""", "repeat a name", "")]
    [InlineData("""{"name": "http_call", "arguments": {"path": "/a", "path": "/b"}}""", "repeat a name", "")]
    [InlineData("""{"name": "http_call", "arguments": {}, "_meta": 5}""", "has the wrong type or shape", "http_call")]
    [InlineData("""{"name": "http_call", "arguments": {}, "requestState": 5}""", "has the wrong type or shape", "http_call")]
    [InlineData("""{"name": "http_call", "arguments": {}, "inputResponses": 5}""", "has the wrong type or shape", "http_call")]
    public async Task A_malformed_tools_call_is_an_error_result_and_recorded_as_refused(string parameters, string message, string tool)
    {
        var session = await OpenSessionAsync();

        var body = await PostAsync(session, $$"""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{{parameters}}}""");

        body.Should().Contain("\"isError\":true").And.Contain(message.Replace("'", "\\u0027", StringComparison.Ordinal)).And.Contain("io.mcpgateway/callId");
        var entries = await _environment.AuditEntriesAsync();
        var refused = entries.Should().ContainSingle(e => e.Type == "call.refused").Subject;
        refused.Ids.Identity.Should().Be("test-agent");
        refused.PayloadJson()!["tool"]!.GetValue<string>().Should().Be(tool);
        _environment.Service.FlakyHits.Should().Be(0);
    }

    [Theory]
    [InlineData("tools/list", "[1]")]
    [InlineData("ping", "\"x\"")]
    [InlineData("tools/list", "{\"_meta\": 5}")]
    public async Task Params_of_another_method_that_are_not_an_object_are_invalid_params(string method, string parameters)
    {
        var session = await OpenSessionAsync();

        var body = await PostAsync(session, $$"""{"jsonrpc":"2.0","id":8,"method":"{{method}}","params":{{parameters}}}""");

        body.Should().Contain("\"code\":-32602").And.Contain("must be a JSON object (or left out), not");
        _server.Process.HasExited.Should().BeFalse();
    }

    [Fact]
    public async Task Text_a_client_controls_reaches_the_log_escaped()
    {
        const string Hostile = "evil\\u001b[31m\\r\\n2026-01-01 info: forged\\u2028\\u202e";
        using var http = new HttpClient();
        using var request = RawMcp.Post(_server.McpEndpoint, RawMcp.InitializeJson.Replace("\"raw\"", $"\"{Hostile}\"", StringComparison.Ordinal), _key);
        using var response = await http.SendAsync(request);
        var session = response.Headers.GetValues("Mcp-Session-Id").Single();
        await PostAsync(session, """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"x\u001b[2Jy","arguments":{}}}""");
        await Task.Delay(500);

        var log = _server.Log;
        log.Should().Contain("tools/call");
        log.Where(c => c is '\u001b' or '\r' or '\u2028' or '\u202e').Should().BeEmpty();
        log.Should().NotContain("\n2026-01-01 info: forged");
    }

    private async Task<string> OpenSessionAsync()
    {
        using var http = new HttpClient();
        using var request = RawMcp.Post(_server.McpEndpoint, RawMcp.InitializeJson, _key);
        using var response = await http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var session = response.Headers.GetValues("Mcp-Session-Id").Single();
        using var initialized = RawMcp.Post(_server.McpEndpoint, """{"jsonrpc":"2.0","method":"notifications/initialized"}""", _key, session);
        (await http.SendAsync(initialized)).IsSuccessStatusCode.Should().BeTrue();
        return session;
    }

    private async Task<string> PostAsync(string session, string json)
    {
        using var http = new HttpClient();
        using var request = RawMcp.Post(_server.McpEndpoint, json, _key, session);
        using var response = await http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }
}

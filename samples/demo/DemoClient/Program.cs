// A minimal MCP client for trying the gateway without an AI client:
//   demo-client --http http://127.0.0.1:8080/mcp --key mgw_...  list
//   demo-client --stdio --config samples/reference.appsettings.json --key mgw_...  call http_call '{"service":"billing","method":"GET","path":"/api/invoices"}'
// Over stdio it starts the gateway itself (mcp-gateway serve --stdio) with the key in MCPGW_API_KEY.
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

var options = Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: demo-client (--http URL | --stdio [--config FILE]) --key KEY (list | call TOOL JSON)");
    return 2;
}

IClientTransport transport = options.Http is { } endpoint
    ? new HttpClientTransport(new HttpClientTransportOptions
    {
        Endpoint = new Uri(endpoint),
        TransportMode = HttpTransportMode.StreamableHttp,
        AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + options.Key },
    })
    : new StdioClientTransport(new StdioClientTransportOptions
    {
        Name = "mcp-gateway",
        Command = "dotnet",
        Arguments = [Path.Combine(AppContext.BaseDirectory, "mcp-gateway.dll"), "serve", "--stdio", .. options.Config is null ? Array.Empty<string>() : ["--config", Path.GetFullPath(options.Config)]],
        EnvironmentVariables = new Dictionary<string, string?> { ["MCPGW_API_KEY"] = options.Key },
        StandardErrorLines = line => Console.Error.WriteLine("[gateway] " + line),
    });

await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "demo-client", Version = "1.0.0" } });
if (options.Command == "list")
{
    foreach (var tool in await client.ListToolsAsync())
    {
        Console.WriteLine($"{tool.Name}: {tool.ProtocolTool.Title}");
    }

    return 0;
}

var arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(options.Json ?? "{}");
var result = await client.CallToolAsync(options.Tool!, arguments);
foreach (var block in result.Content.OfType<TextContentBlock>())
{
    Console.WriteLine(block.Text);
}

return result.IsError == true ? 1 : 0;

static Options? Parse(string[] args)
{
    string? http = null, key = null, config = null, command = null, tool = null, json = null;
    var stdio = false;
    for (var i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--http" when i + 1 < args.Length: http = args[++i]; break;
            case "--stdio": stdio = true; break;
            case "--key" when i + 1 < args.Length: key = args[++i]; break;
            case "--config" when i + 1 < args.Length: config = args[++i]; break;
            case "list": command = "list"; break;
            case "call" when i + 2 < args.Length: command = "call"; tool = args[++i]; json = args[++i]; break;
            default: return null;
        }
    }

    return command is null || key is null || (http is null) == !stdio ? null : new Options(http, key, config, command, tool, json);
}

internal sealed record Options(string? Http, string Key, string? Config, string Command, string? Tool, string? Json);

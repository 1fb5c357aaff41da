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
    Console.Error.WriteLine("usage: demo-client (--http URL | --stdio [--config FILE]) --key KEY [-v] (list | call TOOL JSON)");
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
        StandardErrorLines = line =>
        {
            if (options.Verbose)
            {
                Console.Error.WriteLine("[gateway] " + line);
            }
        },
    });

McpClient client;
try
{
    client = await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "demo-client", Version = "1.0.0" } });
}
catch (HttpRequestException ex)
{
    Console.Error.WriteLine($"The gateway refused the connection ({(int?)ex.StatusCode}): check the key and the URL.");
    return 1;
}
catch (Exception ex) when (ex is not OperationCanceledException)
{
    Console.Error.WriteLine($"Could not start or reach the gateway: {ex.Message} (run with -v to see its log).");
    return 1;
}

await using var _ = client;
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
    var verbose = false;
    for (var i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--http" when i + 1 < args.Length: http = args[++i]; break;
            case "--stdio": stdio = true; break;
            case "-v": verbose = true; break;
            case "--key" when i + 1 < args.Length: key = args[++i]; break;
            case "--config" when i + 1 < args.Length: config = args[++i]; break;
            case "list": command = "list"; break;
            case "call" when i + 2 < args.Length: command = "call"; tool = args[++i]; json = args[++i]; break;
            default: return null;
        }
    }

    return command is null || key is null || (http is null) == !stdio ? null : new Options(http, key, config, command, tool, json, verbose);
}

internal sealed record Options(string? Http, string Key, string? Config, string Command, string? Tool, string? Json, bool Verbose);

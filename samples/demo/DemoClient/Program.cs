// A minimal MCP client for trying the gateway without an AI client:
//   demo-client --http http://127.0.0.1:8080/mcp --key mgw_...  list
//   demo-client --stdio --config samples/reference.appsettings.json --key mgw_...  call http_call '{"service":"billing","method":"GET","path":"/api/invoices"}'
// Over stdio it starts the gateway itself (mcp-gateway serve --stdio) with the key in MCPGW_API_KEY.
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

var options = Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: demo-client (--http URL | --stdio [--config FILE]) --key KEY [-v] (list | call TOOL JSON)");
    return 2;
}

Dictionary<string, object?>? arguments = null;
try
{
    arguments = options.Json is null ? null : JsonSerializer.Deserialize<Dictionary<string, object?>>(options.Json);
}
catch (JsonException ex)
{
    Console.Error.WriteLine($"The tool's arguments are not a JSON object: {ex.Message}");
    return 2;
}

// Over stdio, the gateway's own error lines say why it did not start; they are shown even without -v.
var gatewayErrors = new ConcurrentQueue<string>();
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
            else if (line.StartsWith("error:", StringComparison.Ordinal) || line.StartsWith("hint:", StringComparison.Ordinal))
            {
                gatewayErrors.Enqueue(line);
            }
        },
    });

try
{
    await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "demo-client", Version = "1.0.0" } });
    if (options.Command == "list")
    {
        foreach (var tool in await client.ListToolsAsync())
        {
            Console.WriteLine($"{tool.Name}: {tool.ProtocolTool.Title}");
        }

        return 0;
    }

    // A progress handler makes the call send a progress token: a call that needs approval then
    // waits for the decision (telling us who may approve) instead of answering 'pending' at once.
    var result = await client.CallToolAsync(options.Tool!, arguments, new ProgressPrinter());
    foreach (var block in result.Content.OfType<TextContentBlock>())
    {
        Console.WriteLine(block.Text);
    }

    return result.IsError == true ? 1 : 0;
}
catch (Exception ex) when (ex is not OperationCanceledException)
{
    Console.Error.WriteLine(options.Http is { } url ? ExplainHttp(ex, new Uri(url)) : ExplainStdio(ex, gatewayErrors));
    return 1;
}

// What went wrong over HTTP, told apart: nothing listening, a refused key, a refused host, a wrong path.
static string ExplainHttp(Exception exception, Uri url)
{
    var http = Find<HttpRequestException>(exception);
    var start = $"dotnet run --project src/McpGateway -- serve --http {url.Scheme}://{url.Authority} --config samples/reference.appsettings.json";
    return http switch
    {
        { StatusCode: HttpStatusCode.Unauthorized } =>
            $"The gateway at {url} refused the key (401){Reason(http)}. Check --key, or issue a key with 'mcp-gateway keys create --identity NAME'.",
        { StatusCode: HttpStatusCode.Forbidden } =>
            $"The gateway at {url} refused the request (403): it does not answer to the host '{url.Host}'. Use 127.0.0.1 or localhost, or add the name to McpGateway:Http:AllowedHosts.",
        { StatusCode: HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed } =>
            $"Something answers at {url}, but not MCP ({(int)http.StatusCode!}): the gateway serves MCP at /mcp, for example http://127.0.0.1:8080/mcp.",
        { StatusCode: { } status } =>
            $"The gateway at {url} answered {(int)status} ({status}){Reason(http)}.",
        { HttpRequestError: HttpRequestError.NameResolutionError } =>
            $"The host '{url.Host}' in {url} cannot be resolved.",
        _ when Find<SocketException>(exception) is { SocketErrorCode: SocketError.ConnectionRefused } || http?.HttpRequestError == HttpRequestError.ConnectionError =>
            $"Nothing is listening at {url}. Start the gateway first, in another terminal: {start}",
        _ => $"Could not reach the gateway at {url}: {exception.Message}",
    };
}

// Over stdio the gateway is a child process: show its own error lines when it did not start.
static string ExplainStdio(Exception exception, ConcurrentQueue<string> gatewayErrors) =>
    gatewayErrors.IsEmpty
        ? $"Could not start or talk to the gateway: {exception.Message} (run with -v to see its log)."
        : "The gateway did not start:" + Environment.NewLine + string.Join(Environment.NewLine, gatewayErrors);

// The gateway explains a refusal in its JSON body ({"error": …, "message": …}), which the SDK quotes.
static string Reason(HttpRequestException exception)
{
    const string marker = "Response body: ";
    var at = exception.Message.IndexOf(marker, StringComparison.Ordinal);
    if (at < 0)
    {
        return string.Empty;
    }

    try
    {
        using var body = JsonDocument.Parse(exception.Message[(at + marker.Length)..].TrimEnd('.', ' '));
        return body.RootElement.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 } text
            ? ": " + text.TrimEnd('.')
            : string.Empty;
    }
    catch (JsonException)
    {
        return string.Empty;
    }
}

static T? Find<T>(Exception exception)
    where T : Exception
{
    for (var current = (Exception?)exception; current is not null; current = current.InnerException)
    {
        if (current is T found)
        {
            return found;
        }
    }

    return null;
}

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

    if (http is not null && !Uri.TryCreate(http, UriKind.Absolute, out _))
    {
        return null;
    }

    return command is null || key is null || (http is null) == !stdio ? null : new Options(http, key, config, command, tool, json, verbose);
}

/// <summary>Prints the gateway's progress messages (an approval being waited for) as they arrive.</summary>
internal sealed class ProgressPrinter : IProgress<ModelContextProtocol.ProgressNotificationValue>
{
    public void Report(ModelContextProtocol.ProgressNotificationValue value) => Console.Error.WriteLine("... " + value.Message);
}

internal sealed record Options(string? Http, string Key, string? Config, string Command, string? Tool, string? Json, bool Verbose);

using System.CommandLine;
using McpGateway.Hosting.Http;
using McpGateway.Hosting;

namespace McpGateway.Cli;

/// <summary><c>serve --stdio</c> or <c>serve --http URL</c>.</summary>
internal static class ServeCommand
{
    public static Command Create(TextWriter error)
    {
        var stdio = new Option<bool>("--stdio") { Description = "Serve MCP on standard input/output, as the identity of the API key in MCPGW_API_KEY." };
        var http = new Option<string?>("--http") { Description = "Serve MCP over Streamable HTTP at URL/mcp, for example http://127.0.0.1:8080." };
        var insecure = new Option<bool>("--insecure-bind") { Description = "Allow plain HTTP on a non-loopback address (only behind a TLS-terminating proxy)." };
        var command = new Command("serve", "Run the gateway.") { stdio, http, insecure };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var useStdio = parseResult.GetValue(stdio);
            var url = parseResult.GetValue(http);
            if (useStdio == (url is not null))
            {
                await error.WriteLineAsync("error: give exactly one of --stdio or --http URL.").ConfigureAwait(false);
                return GatewayCli.Misuse;
            }

            Uri? parsed = null;
            if (url is not null && !Uri.TryCreate(url, UriKind.Absolute, out parsed))
            {
                await error.WriteLineAsync($"error: --http '{url}' is not a URL; use one such as http://127.0.0.1:8080.").ConfigureAwait(false);
                return GatewayCli.Misuse;
            }

            if (await GatewayStartup.PrepareAsync(parseResult.GetValue(GatewayCli.ConfigOption), error, cancellationToken).ConfigureAwait(false) is not var (runtime, store, signingKey))
            {
                return GatewayCli.Misuse;
            }

            using (runtime)
            using (signingKey)
            await using (store)
            {
                return useStdio
                    ? await StdioGatewayHost.RunAsync(runtime, store, signingKey, error, cancellationToken).ConfigureAwait(false)
                    : await HttpGatewayHost.RunAsync(runtime, store, signingKey, parsed!, parseResult.GetValue(insecure), error, cancellationToken).ConfigureAwait(false);
            }
        });
        return command;
    }
}

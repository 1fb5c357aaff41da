using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using McpGateway.IntegrationTests.Support;

namespace McpGateway.IntegrationTests.Demo;

/// <summary>The demo client tells "nothing listens there" apart from "the key was refused".</summary>
public sealed class DemoClientTests
{
    private const string UnknownKey = "mgw_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    [Fact]
    public async Task Nothing_listening_at_the_url_is_said_so_and_not_blamed_on_the_key()
    {
        var url = $"http://127.0.0.1:{FreePort()}/mcp";

        var result = await RunAsync("--http", url, "--key", UnknownKey, "list");

        result.ExitCode.Should().Be(1);
        result.StandardError.Should().Contain($"Nothing is listening at {url}")
            .And.Contain("serve --http http://127.0.0.1:")
            .And.NotContain("key");
    }

    [Fact]
    public async Task A_refused_key_is_named_as_the_problem()
    {
        await using var environment = await GatewayEnvironment.CreateAsync();
        await using var server = await GatewayServer.StartAsync(environment);

        var result = await RunAsync("--http", server.McpEndpoint.ToString(), "--key", UnknownKey, "list");

        result.ExitCode.Should().Be(1);
        result.StandardError.Should().Contain("refused the key (401)").And.Contain("The API key is not valid.").And.NotContain("Nothing is listening");
    }

    [Fact]
    public async Task Over_stdio_the_gateways_own_error_says_why_it_did_not_start()
    {
        await using var environment = await GatewayEnvironment.CreateAsync();

        var result = await RunAsync("--stdio", "--config", environment.ConfigPath, "--key", UnknownKey, "list");

        result.ExitCode.Should().Be(1);
        result.StandardError.Should().Contain("error: MCPGW_API_KEY is not usable: The API key is not valid.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<ProcessResult> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "demo-client.dll"));
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return new ProcessResult(process.ExitCode, await output, await error);
    }
}

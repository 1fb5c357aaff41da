using System.Diagnostics;
using System.Text;

namespace McpGateway.IntegrationTests.Support;

/// <summary>A real <c>mcp-gateway serve --http</c> process on a free loopback port.</summary>
internal sealed class GatewayServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _errors = new();

    private GatewayServer(Process process)
    {
        _process = process;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public Uri McpEndpoint => new(BaseUrl, "mcp");

    /// <summary>The gateway process, for checks on whether it still runs and what it holds.</summary>
    public Process Process => _process;

    /// <summary>Everything the process wrote to standard error so far.</summary>
    public string Log
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    public static Task<GatewayServer> StartAsync(GatewayEnvironment environment, params string[] extra) => StartAsync(environment, "http://127.0.0.1:0", extra);

    public static Task<GatewayServer> StartAsync(GatewayEnvironment environment, string url, params string[] extra) =>
        StartAsync(environment.ConfigPath, environment.Root, url, extra);

    /// <summary>A gateway on any configuration file (the reference one, say), run from <paramref name="workingDirectory"/>.</summary>
    public static async Task<GatewayServer> StartAsync(string configPath, string workingDirectory, string url, params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "mcp-gateway.dll"), "serve", "--http", url, "--config", configPath, .. extra])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("MCPGW_CONFIG");
        var server = new GatewayServer(Process.Start(start)!);
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        server._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException("The gateway exited before listening:\n" + server.Log));
                return;
            }

            lock (server._errors)
            {
                server._errors.AppendLine(e.Data);
            }

            const string marker = "mcp-gateway listening on ";
            var at = e.Data.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                ready.TrySetResult(e.Data[(at + marker.Length)..].Split(' ')[0]);
            }
        };
        server._process.OutputDataReceived += (_, _) => { };
        server._process.BeginErrorReadLine();
        server._process.BeginOutputReadLine();
        var endpoint = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        server.BaseUrl = new Uri(endpoint[..^"mcp".Length]);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

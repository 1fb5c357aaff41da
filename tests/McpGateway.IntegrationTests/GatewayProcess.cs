using System.Diagnostics;

namespace McpGateway.IntegrationTests;

/// <summary>The result of running the real <c>mcp-gateway</c> executable.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>Runs the built <c>mcp-gateway</c> as a separate process, the way an operator would.</summary>
internal static class GatewayProcess
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string ReferenceConfig => Path.Combine(RepositoryRoot, "samples", "reference.appsettings.json");

    /// <param name="application">The folder of the <c>mcp-gateway.dll</c> to run; the one beside the tests when null.</param>
    /// <summary>Runs another program of this machine (pgrep, say) to see what the gateway left behind.</summary>
    public static async Task<ProcessResult> RunProgramAsync(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new ProcessResult(process.ExitCode, await output, await error);
    }

    public static async Task<ProcessResult> RunAsync(IEnumerable<string> arguments, IDictionary<string, string?>? environment = null, string? workingDirectory = null, string? standardInput = null, string? application = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
        };
        start.ArgumentList.Add(Path.Combine(application ?? AppContext.BaseDirectory, "mcp-gateway.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("MCPGW_CONFIG");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mcp-gateway {string.Join(' ', arguments)} did not exit within 2 minutes.");
        }

        return new ProcessResult(process.ExitCode, await output, await error);
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "McpGateway.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with McpGateway.sln) was not found above the test output.");
    }
}

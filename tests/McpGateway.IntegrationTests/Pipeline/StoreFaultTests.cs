using System.Diagnostics;
using McpGateway.IntegrationTests.Support;
using McpGateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace McpGateway.IntegrationTests.Pipeline;

/// <summary>
/// A real <c>serve --http</c> whose store fails under it — its disk full, its database locked by
/// another process: every call is refused before anything runs, with an error that says so, and
/// the gateway recovers by itself once the store does.
/// The data folder is a small tmpfs of its own (mounting needs root, which the test command has).
/// </summary>
public sealed class StoreFaultTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;
    private string _mount = null!;

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        _mount = _environment.DataDirectory;
        if (TmpfsMount.SkipReason is null)
        {
            Directory.CreateDirectory(_mount);
            TmpfsMount.Run("mount", "-t", "tmpfs", "-o", "size=6m,mode=0700", "tmpfs", _mount);
        }
    }

    public async Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (TmpfsMount.SkipReason is null)
        {
            TmpfsMount.Run("umount", "-l", _mount);
        }

        await _environment.DisposeAsync();
    }

    [TmpfsFact]
    public async Task A_full_disk_refuses_every_call_before_it_runs_and_the_gateway_recovers_when_space_is_freed()
    {
        await using var gateway = await StartAsync();
        (await gateway.Client.HttpCallAsync("GET", "/api/echo/before-full")).IsError.Should().NotBe(true);

        var filler = Path.Combine(_mount, "filler");
        Fill(filler);
        var refused = await gateway.Client.HttpCallAsync("GET", "/api/echo/while-full");
        File.Delete(filler);
        var after = await gateway.Client.HttpCallAsync("GET", "/api/echo/after-full");

        ShouldBeRefusedUnrecorded(refused, "/api/echo/while-full");
        after.IsError.Should().NotBe(true, after.Text());
        await ShouldVerifyAsync();
    }

    [TmpfsFact]
    public async Task A_database_locked_by_another_process_refuses_calls_and_the_gateway_recovers_when_it_is_released()
    {
        await using var gateway = await StartAsync();
        (await gateway.Client.HttpCallAsync("GET", "/api/echo/before-lock")).IsError.Should().NotBe(true);

        // This test process — another process than the gateway — holds the write lock for longer than the gateway waits (10 s).
        var refused = await HoldingWriteLockAsync(() => gateway.Client.HttpCallAsync("GET", "/api/echo/while-locked"));
        var after = await gateway.Client.HttpCallAsync("GET", "/api/echo/after-lock");

        ShouldBeRefusedUnrecorded(refused, "/api/echo/while-locked");
        after.IsError.Should().NotBe(true, after.Text());
        await ShouldVerifyAsync();
    }

    private async Task<RunningGateway> StartAsync()
    {
        var key = await _environment.CreateKeyAsync("test-agent");
        var server = await GatewayServer.StartAsync(_environment);
        return new RunningGateway(server, await GatewayClients.HttpAsync(server, key, GatewayClients.Current));
    }

    private void ShouldBeRefusedUnrecorded(ModelContextProtocol.Protocol.CallToolResult refused, string path)
    {
        refused.IsError.Should().BeTrue();
        refused.StructuredContent!.Value.GetProperty("error").GetProperty("code").GetString().Should().Be("audit-unavailable", refused.Text());
        refused.Text().Should().Contain("not executed");
        _environment.Service.Requests.Should().NotContain(r => r.Target == path, "nothing runs without a durable start");
    }

    /// <summary>The chain is whole, checkpoints and all, as <c>audit verify</c> (with the gateway's own key) says.</summary>
    private async Task ShouldVerifyAsync()
    {
        var verify = await GatewayProcess.RunAsync(["audit", "verify", "--config", _environment.ConfigPath]);
        verify.ExitCode.Should().Be(0, verify.StandardOutput + verify.StandardError);
        verify.StandardOutput.Should().Contain("audit chain OK");
    }

    private async Task<T> HoldingWriteLockAsync<T>(Func<Task<T>> action)
    {
        using var holder = new SqliteConnection($"Data Source={Path.Combine(_mount, SqliteGatewayStore.FileName)};Pooling=False");
        holder.Open();
        using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
        }

        var result = await action();
        using (var rollback = holder.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            rollback.ExecuteNonQuery();
        }

        return result;
    }

    /// <summary>Writes zeros until the file system is full.</summary>
    private static void Fill(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        var block = new byte[64 * 1024];
        try
        {
            while (true)
            {
                file.Write(block);
                file.Flush(flushToDisk: true);
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }

    private sealed class RunningGateway(GatewayServer server, ModelContextProtocol.Client.McpClient client) : IAsyncDisposable
    {
        public ModelContextProtocol.Client.McpClient Client { get; } = client;

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await server.DisposeAsync();
        }
    }
}

/// <summary>Mounting a tmpfs for a test: possible as root; skipped elsewhere, except in CI, where its absence fails.</summary>
internal static class TmpfsMount
{
    public static string? SkipReason { get; } = Probe();

    public static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {error}");
        }
    }

    private static string? Probe()
    {
        var folder = Directory.CreateTempSubdirectory("mcpgw-mount-probe-").FullName;
        try
        {
            Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", folder);
            Run("umount", folder);
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return Environment.GetEnvironmentVariable("CI") == "true" ? null : $"A tmpfs cannot be mounted here ({ex.Message.Trim()}); the test command runs as root.";
        }
        finally
        {
            Directory.Delete(folder);
        }
    }
}

/// <summary>A fact that needs to mount a tmpfs (see <see cref="TmpfsMount"/>).</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        Skip = TmpfsMount.SkipReason;
    }
}

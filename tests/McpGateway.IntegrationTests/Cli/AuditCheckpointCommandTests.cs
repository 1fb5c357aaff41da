using System.Text.Json.Nodes;
using McpGateway.IntegrationTests.Support;
using Microsoft.Data.Sqlite;

namespace McpGateway.IntegrationTests.Cli;

/// <summary>
/// Signed checkpoints end to end, as separate processes on a real store: a serving gateway signs
/// at start and at shutdown, and <c>audit verify</c>, <c>audit pubkey</c> and <c>audit export</c>
/// check the chain against the checkpoint log, a copied anchor and, offline, an exported range.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AuditCheckpointCommandTests : IAsyncLifetime
{
    private GatewayEnvironment _environment = null!;

    private string LogPath => Path.Combine(_environment.DataDirectory, "audit-checkpoints.jsonl");

    public async Task InitializeAsync()
    {
        _environment = await GatewayEnvironment.CreateAsync();
        _environment.WriteConfiguration(anonymous: false);
    }

    public async Task DisposeAsync() => await _environment.DisposeAsync();

    [Fact]
    public async Task Serve_creates_the_key_with_a_warning_and_signs_at_start_and_at_shutdown()
    {
        await _environment.CreateKeyAsync("test-agent");
        var server = await GatewayServer.StartAsync(_environment);
        await WaitForAsync(() => File.Exists(LogPath) && File.ReadAllLines(LogPath).Length == 1);
        await _environment.CreateKeyAsync("test-agent");

        await GatewayProcess.RunProgramAsync("kill", ["-TERM", server.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await server.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var log = server.Log;
        await server.DisposeAsync();
        var entries = await _environment.AuditEntriesAsync();
        var verify = await RunAsync("audit", "verify");
        var pubkey = await RunAsync("audit", "pubkey");

        entries.Select(e => e.Type).Should().Equal("key.created", "audit.checkpoint", "key.created", "audit.checkpoint");
        JsonNode.Parse(entries[3].Payload!)!["seq"]!.GetValue<long>().Should().Be(3, "the shutdown checkpoint signs the entry written while serving");
        File.ReadAllLines(LogPath).Should().HaveCount(2);
        log.Should().Contain("checkpoint signing key was created in").And.Contain("-----BEGIN PUBLIC KEY-----").And.NotContain("PRIVATE KEY");
        File.GetUnixFileMode(Path.Combine(_environment.DataDirectory, "audit-key", "signing-key.pem")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        verify.ExitCode.Should().Be(0, verify.StandardOutput + verify.StandardError);
        verify.StandardOutput.Should().Contain("audit chain OK: 4 entries").And.Contain("Signed: 2 checkpoints verify; entries 1–3 are as signed.").And.Contain("Anchored: the chain reaches the newest checkpoint in the anchor (entry 4)");
        pubkey.StandardOutput.Should().StartWith("-----BEGIN PUBLIC KEY-----");
        pubkey.StandardError.Should().MatchRegex("key id [0-9a-f]{16}");
        log.Should().Contain(pubkey.StandardOutput.Trim().Split('\n')[1]);
    }

    [Fact]
    public async Task Verify_catches_a_cut_off_chain_against_the_log_and_an_anchor_and_checks_an_export_offline()
    {
        await _environment.CreateKeyAsync("test-agent");
        await using (var server = await GatewayServer.StartAsync(_environment))
        {
            await WaitForAsync(() => File.Exists(LogPath) && File.ReadAllLines(LogPath).Length == 1);
        }

        await _environment.CreateKeyAsync("test-agent");
        await _environment.CreateKeyAsync("test-agent");
        var pem = Path.Combine(_environment.Root, "gateway-audit.pub.pem");
        File.WriteAllText(pem, (await RunAsync("audit", "pubkey")).StandardOutput);
        var export = Path.Combine(_environment.Root, "range.jsonl");
        File.WriteAllText(export, (await RunAsync("audit", "export", "--from-seq", "2")).StandardOutput);
        var filtered = Path.Combine(_environment.Root, "filtered.jsonl");
        File.WriteAllText(filtered, (await RunAsync("audit", "export", "--identity", "test-agent")).StandardOutput);
        var midway = Path.Combine(_environment.Root, "midway.jsonl");
        File.WriteAllText(midway, (await RunAsync("audit", "export", "--from-seq", "3")).StandardOutput);
        var anchor = Path.Combine(_environment.Root, "anchor-copy.jsonl");
        File.Copy(LogPath, anchor);

        var offline = await GatewayProcess.RunAsync(["audit", "verify", "--export", export, "--pubkey", pem]);
        var offlineFiltered = await GatewayProcess.RunAsync(["audit", "verify", "--export", filtered, "--pubkey", pem]);
        var offlineMidway = await GatewayProcess.RunAsync(["audit", "verify", "--export", midway, "--pubkey", pem]);
        var lines = File.ReadAllLines(export);
        File.WriteAllLines(export, [lines[0], lines[2]]);
        var offlineGap = await GatewayProcess.RunAsync(["audit", "verify", "--export", export, "--pubkey", pem]);
        Tamper("DELETE FROM audit_entries WHERE seq >= 2;");
        var againstLog = await RunAsync("audit", "verify");
        File.Delete(LogPath);
        var unanchored = await RunAsync("audit", "verify");
        var againstCopy = await RunAsync("audit", "verify", "--anchor", anchor);

        offline.ExitCode.Should().Be(0, offline.StandardOutput + offline.StandardError);
        offline.StandardOutput.Should().Contain("exported range OK: 3 entries (entries 2–4)").And.Contain("Linked: the range starts at a checkpoint that signs entry 1").And.Contain("Not proven: entries 2–4");
        offlineFiltered.ExitCode.Should().Be(1);
        offlineFiltered.StandardOutput.Should().Contain("BROKEN at entry 3").And.Contain("entry 2 is missing");
        offlineMidway.ExitCode.Should().Be(1);
        offlineMidway.StandardOutput.Should().Contain("BROKEN at entry 3").And.Contain("not a checkpoint");
        offlineGap.ExitCode.Should().Be(1);
        offlineGap.StandardOutput.Should().Contain("BROKEN at entry 4").And.Contain("entry 3 is missing");
        againstLog.ExitCode.Should().Be(1, againstLog.StandardOutput);
        againstLog.StandardOutput.Should().Contain("BROKEN at entry 2: The chain ends at entry 1, before the newest anchored checkpoint (entry 2");
        unanchored.ExitCode.Should().Be(0, "without the log, nothing shows the end was cut off");
        unanchored.StandardOutput.Should().Contain("Not proven: no anchor");
        againstCopy.ExitCode.Should().Be(1);
        againstCopy.StandardOutput.Should().Contain("BROKEN at entry 2").And.Contain("anchor-copy.jsonl");
    }

    private Task<ProcessResult> RunAsync(params string[] args) =>
        GatewayProcess.RunAsync([.. args, "--config", _environment.ConfigPath]);

    private void Tamper(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_environment.DataDirectory, "gateway.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(100);
        }

        condition().Should().BeTrue();
    }
}

using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace McpGateway.IntegrationTests.Cli;

/// <summary>The key and audit verbs as separate processes against a real store file.</summary>
public sealed class KeyAndAuditCommandTests : IDisposable
{
    private readonly string _data = Path.Combine(Directory.CreateTempSubdirectory("mcpgw-cli-").FullName, "data");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_data)!, recursive: true);

    [Fact]
    public async Task A_key_is_printed_once_listed_without_its_secret_and_revocable()
    {
        var created = await RunAsync("keys", "create", "--identity", "billing-agent", "--expires", "30d", "--description", "ci runner");
        var key = created.StandardOutput.Trim();
        var id = key.Substring(4, 16);

        var listed = await RunAsync("keys", "list");
        var revoked = await RunAsync("keys", "revoke", id);
        var json = await RunAsync("keys", "list", "--json");

        created.ExitCode.Should().Be(0, created.StandardError);
        key.Should().MatchRegex("^mgw_[a-z2-7]{16}_[a-z2-7]{52}$");
        created.StandardError.Should().Contain("only time the key is shown");
        listed.StandardOutput.Should().Contain(id).And.Contain("billing-agent").And.Contain("active").And.Contain("ci runner").And.NotContain(key[21..]);
        revoked.ExitCode.Should().Be(0, revoked.StandardError);
        using var row = JsonDocument.Parse(json.StandardOutput.Trim());
        row.RootElement.GetProperty("status").GetString().Should().Be("revoked");
    }

    [Fact]
    public async Task Rotation_prints_the_new_key_and_retires_the_old_one()
    {
        var key = (await RunAsync("keys", "create", "--identity", "billing-agent")).StandardOutput.Trim();

        var rotated = await RunAsync("keys", "rotate", key.Substring(4, 16), "--grace", "1h");

        rotated.ExitCode.Should().Be(0, rotated.StandardError);
        rotated.StandardOutput.Trim().Should().MatchRegex("^mgw_").And.NotBe(key);
        rotated.StandardError.Should().Contain("works until");
    }

    [Fact]
    public async Task Keys_list_shows_a_key_in_its_rotation_grace_period_as_rotated_with_its_end()
    {
        var id = (await RunAsync("keys", "create", "--identity", "billing-agent")).StandardOutput.Trim().Substring(4, 16);
        var rotated = await RunAsync("keys", "rotate", id, "--grace", "1h");
        var until = System.Text.RegularExpressions.Regex.Match(rotated.StandardError, @"works until (\S+ \S+)\.").Groups[1].Value;

        var table = await RunAsync("keys", "list");
        var json = await RunAsync("keys", "list", "--json");

        until.Should().NotBeEmpty(rotated.StandardError);
        var row = table.StandardOutput.Split('\n').Should().ContainSingle(l => l.StartsWith(id, StringComparison.Ordinal)).Subject;
        row.Should().Contain($"rotated (valid until {until})").And.NotContain("active");
        using var first = JsonDocument.Parse(json.StandardOutput.Split('\n')[0]);
        first.RootElement.GetProperty("status").GetString().Should().Be("rotated");
        first.RootElement.GetProperty("replacedBy").GetString().Should().Be(rotated.StandardOutput.Trim().Substring(4, 16));
    }

    [Theory]
    [InlineData(1, "keys", "create", "--identity", "mallory")]
    [InlineData(1, "keys", "create", "--identity", "alice")]
    [InlineData(1, "keys", "revoke", "aaaaaaaaaaaaaaaa")]
    [InlineData(1, "keys", "revoke", "not-a-key")]
    [InlineData(2, "keys", "create", "--identity", "billing-agent", "--expires", "someday")]
    [InlineData(2, "keys", "create")]
    [InlineData(2, "audit", "export", "--format", "xml")]
    [InlineData(2, "audit", "export", "--since", "the dawn of time")]
    public async Task Mistakes_get_a_clear_error_and_a_non_zero_exit(int exitCode, params string[] args)
    {
        var result = await RunAsync(args);

        result.ExitCode.Should().Be(exitCode, result.StandardOutput);
        result.StandardError.Should().StartWith("error:");
        result.StandardOutput.Should().BeEmpty();
    }

    [Fact]
    public async Task Audit_verify_passes_on_an_intact_chain_and_names_the_first_tampered_entry()
    {
        for (var i = 0; i < 3; i++)
        {
            (await RunAsync("keys", "create", "--identity", "billing-agent")).ExitCode.Should().Be(0);
        }

        var intact = await RunAsync("audit", "verify");
        Tamper("UPDATE audit_entries SET payload = replace(payload, 'billing-agent', 'someone-else') WHERE seq = 2;");
        var broken = await RunAsync("audit", "verify");

        intact.ExitCode.Should().Be(0, intact.StandardOutput + intact.StandardError);
        intact.StandardOutput.Should().Contain("audit chain OK: 3 entries");
        broken.ExitCode.Should().Be(1);
        broken.StandardOutput.Should().Contain("BROKEN at entry 2").And.Contain("payload was changed");
    }

    [Fact]
    public async Task Audit_export_streams_json_lines_filtered_by_identity()
    {
        await RunAsync("keys", "create", "--identity", "billing-agent");
        await RunAsync("keys", "create", "--identity", "billing-admin");

        var all = await RunAsync("audit", "export", "--format", "jsonl");
        var one = await RunAsync("audit", "export", "--identity", "billing-admin", "--since", "1h");

        all.StandardOutput.Trim().Split('\n').Should().HaveCount(2);
        var line = one.StandardOutput.Trim().Split('\n').Should().ContainSingle().Subject;
        using var entry = JsonDocument.Parse(line);
        entry.RootElement.GetProperty("type").GetString().Should().Be("key.created");
        entry.RootElement.GetProperty("identity").GetString().Should().Be("billing-admin");
        entry.RootElement.GetProperty("seq").GetInt64().Should().Be(2);
    }

    [Fact]
    public async Task Audit_export_writes_csv_with_the_payload_as_one_quoted_cell()
    {
        await RunAsync("keys", "create", "--identity", "billing-agent", "--description", "has, comma and \"quotes\"");

        var csv = await RunAsync("audit", "export", "--format", "csv");

        csv.ExitCode.Should().Be(0, csv.StandardError);
        var lines = csv.StandardOutput.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("seq,ts,type,callId,sessionId,approvalId,identity,prevHash,payloadHash,entryHash,payload");
        lines.Should().HaveCount(2);
        lines[1].Should().StartWith("1,").And.Contain(",key.created,,,,billing-agent,").And.Contain("\"{\"\"description\"\":\"\"has, comma and \\\"\"quotes\\\"\"\"\"");
    }

    [Fact]
    public async Task Processes_appending_at_the_same_time_keep_one_valid_chain()
    {
        // Each process opens the store and appends a key.created entry; they race for the chain head.
        var runs = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RunAsync("keys", "create", "--identity", "billing-agent")));

        runs.Should().OnlyContain(r => r.ExitCode == 0);
        var verify = await RunAsync("audit", "verify");
        verify.ExitCode.Should().Be(0, verify.StandardOutput);
        verify.StandardOutput.Should().Contain("audit chain OK: 8 entries");
    }

    [Fact]
    public async Task Mask_redacts_the_configured_secrets_from_standard_input()
    {
        var folder = Path.GetDirectoryName(_data)!;
        File.WriteAllText(Path.Combine(folder, "svc.token"), "mask-me-token-5f2a9c");
        File.WriteAllText(Path.Combine(folder, "gw.json"), "{ \"McpGateway\": { \"Policies\": \"p\", \"Targets\": { \"Http\": { \"svc\": { \"BaseUrl\": \"http://127.0.0.1:9/\", \"Auth\": { \"Bearer\": \"{file:svc.token}\" } } } } } }");
        var input = "token=mask-me-token-5f2a9c b64=" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("mask-me-token-5f2a9c")) + "\n";

        Directory.CreateDirectory(Path.Combine(folder, "p"));
        File.WriteAllText(Path.Combine(folder, "p", "rules.yaml"), """
            masking:
              profiles:
                pii:
                  detectors: [{ detector: email, strategy: partial }]
                  paths: [{ path: "$.customer.ssn" }]
            rules:
              - name: reads
                when: { tool: http_call, connection: svc, facts: { http.method: GET } }
                effect: allow
                obligations: { mask: pii }
            """);
        var config = Path.Combine(folder, "gw.json");

        var masked = await GatewayProcess.RunAsync(["mask", "--profile", "default", "--config", config], standardInput: input);
        var pii = await GatewayProcess.RunAsync(["mask", "--profile", "pii", "--explain", "--config", config], standardInput: """{"customer":{"email":"jane.doe@example.com","ssn":"123-45-6789","note":"mask-me-token-5f2a9c"}}""");
        var unknown = await GatewayProcess.RunAsync(["mask", "--profile", "nope", "--config", config], standardInput: input);

        masked.ExitCode.Should().Be(0, masked.StandardError);
        masked.StandardOutput.Should().Be("token=[REDACTED] b64=[REDACTED]\n");
        pii.ExitCode.Should().Be(0, pii.StandardError);
        pii.StandardOutput.Should().NotContain("jane.doe").And.NotContain("123-45-6789").And.NotContain("mask-me-token").And.Contain(".com");
        pii.StandardError.Should().Contain("email").And.Contain("path:$.customer.ssn").And.NotContain("jane.doe");
        unknown.ExitCode.Should().Be(2);
        unknown.StandardError.Should().Contain("unknown masking profile 'nope'").And.Contain("pii");
    }

    private Task<ProcessResult> RunAsync(params string[] args) =>
        GatewayProcess.RunAsync([.. args, "--config", GatewayProcess.ReferenceConfig], new Dictionary<string, string?> { ["McpGateway__DataDirectory"] = _data });

    private void Tamper(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "gateway.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

namespace McpGateway.IntegrationTests.Cli;

/// <summary>
/// Serving and the verbs that open the store check at start that the data folder can be written,
/// and refuse with one line naming the folder and the fix. (Tests run as root, where permission
/// bits do not stop a write, so the folder here cannot exist: its parent is a regular file.)
/// </summary>
public sealed class DataFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mcpgw-data-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("serve", "--stdio")]
    [InlineData("serve", "--http", "http://127.0.0.1:0")]
    [InlineData("keys", "list")]
    [InlineData("keys", "create", "--identity", "billing-agent")]
    [InlineData("audit", "verify")]
    [InlineData("audit", "export")]
    public async Task A_data_folder_that_cannot_be_written_stops_the_verb_at_start_with_one_line(params string[] args)
    {
        var file = Path.Combine(_root, "not-a-folder");
        File.WriteAllText(file, "a file");
        var data = Path.Combine(file, "data");

        var result = await GatewayProcess.RunAsync(
            [.. args, "--config", GatewayProcess.ReferenceConfig],
            new Dictionary<string, string?> { ["McpGateway__DataDirectory"] = data, ["MCPGW_API_KEY"] = "mgw_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" });

        result.ExitCode.Should().Be(2, result.StandardError);
        result.StandardOutput.Should().BeEmpty();
        var line = result.StandardError.TrimEnd().Split('\n').Should().ContainSingle().Subject;
        line.Should().StartWith($"error: The data folder '{data}' cannot be written")
            .And.Contain($"'{file}' is a file, not a folder")
            .And.Contain("McpGateway__DataDirectory");
        result.StandardError.Should().NotContain("listening on");
    }
}

namespace McpGateway.IntegrationTests.Cli;

/// <summary>
/// Verbs run without --config and without MCPGW_CONFIG fall back to the empty template beside the
/// app: each refuses with the hint, and none creates a store under the home folder.
/// </summary>
public sealed class TemplateConfigurationTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("mcpgw-home-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Theory]
    [InlineData("keys", "list")]
    [InlineData("keys", "create", "--identity", "billing-agent")]
    [InlineData("keys", "revoke", "aaaaaaaaaaaaaaaa")]
    [InlineData("keys", "rotate", "aaaaaaaaaaaaaaaa")]
    [InlineData("audit", "verify")]
    [InlineData("audit", "export")]
    [InlineData("audit", "session", "s-0")]
    [InlineData("mask", "--profile", "default")]
    [InlineData("serve", "--stdio")]
    [InlineData("policy", "eval", "--identity", "billing-agent", "--tool", "http_call", "--args", "{}")]
    public async Task Verbs_without_a_configuration_refuse_with_the_hint_and_create_no_store(params string[] args)
    {
        var result = await GatewayProcess.RunAsync(
            args,
            new Dictionary<string, string?> { ["HOME"] = _home, ["XDG_DATA_HOME"] = Path.Combine(_home, "data"), ["MCPGW_API_KEY"] = "mgw_x" },
            workingDirectory: _home,
            standardInput: "some text\n");

        result.ExitCode.Should().Be(2, result.StandardOutput + result.StandardError);
        result.StandardOutput.Should().BeEmpty();
        result.StandardError.Should().StartWith("error: ")
            .And.Contain(Path.Combine(AppContext.BaseDirectory, "appsettings.json"))
            .And.Contain("configures no identities")
            .And.Contain("hint: no --config was given and MCPGW_CONFIG is not set");
        Directory.EnumerateFileSystemEntries(_home, "*", SearchOption.AllDirectories).Should().BeEmpty("no store may be created by accident");
    }

    [Fact]
    public async Task A_real_configuration_beside_the_app_is_used_and_its_errors_get_no_template_hint()
    {
        var app = Path.Combine(_home, "app");
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(app, Path.GetRelativePath(AppContext.BaseDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        var blocker = Path.Combine(_home, "not-a-folder");
        File.WriteAllText(blocker, "a file");
        File.WriteAllText(Path.Combine(app, "appsettings.json"), """{ "McpGateway": { "DataDirectory": "data", "Policies": "policies", "Identities": { "bot": { "Roles": ["agent"] } } } }""");
        var environment = new Dictionary<string, string?> { ["HOME"] = _home };

        var listed = await GatewayProcess.RunAsync(["keys", "list"], environment, workingDirectory: _home, application: app);
        environment["McpGateway__DataDirectory"] = Path.Combine(blocker, "data");
        var refused = await GatewayProcess.RunAsync(["keys", "list"], environment, workingDirectory: _home, application: app);

        listed.ExitCode.Should().Be(0, listed.StandardError);
        listed.StandardOutput.Should().Contain("No keys.");
        File.Exists(Path.Combine(app, "data", "gateway.db")).Should().BeTrue("the data folder is relative to the configuration beside the app");
        refused.ExitCode.Should().Be(2);
        refused.StandardError.TrimEnd().Split('\n').Should().ContainSingle().Which.Should().StartWith("error: The data folder");
    }

    [Fact]
    public async Task Keys_list_with_the_configuration_from_MCPGW_CONFIG_still_works()
    {
        var result = await GatewayProcess.RunAsync(
            ["keys", "list"],
            new Dictionary<string, string?> { ["MCPGW_CONFIG"] = GatewayProcess.ReferenceConfig, ["McpGateway__DataDirectory"] = Path.Combine(_home, "data") });

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().Contain("No keys.");
    }
}

namespace McpGateway.IntegrationTests.Cli;

/// <summary>A misspelt verb or option gets the closest one at its level of the command tree.</summary>
public sealed class CommandSuggestionTests
{
    [Theory]
    [InlineData("mcp-gateway serve", "serv")]
    [InlineData("mcp-gateway serve", "srve", "--stdio")]
    [InlineData("mcp-gateway keys list", "keys", "lst")]
    [InlineData("mcp-gateway keys rotate", "keys", "rotaet", "aaaaaaaaaaaaaaaa")]
    [InlineData("mcp-gateway policy eval", "policy", "evl", "--identity", "x")]
    [InlineData("mcp-gateway policy test", "policy", "tset", "cases.yaml")]
    [InlineData("mcp-gateway audit verify", "audit", "verfy")]
    [InlineData("mcp-gateway audit export", "audit", "exprot")]
    [InlineData("mcp-gateway policy", "polcy", "eval")]
    public async Task A_misspelt_verb_suggests_the_closest_verb_and_exits_two(string suggestion, params string[] args)
    {
        var result = await GatewayProcess.RunAsync(args);

        result.ExitCode.Should().Be(2);
        result.StandardOutput.Should().BeEmpty();
        result.StandardError.Should().Contain($"Did you mean '{suggestion}'?");
    }

    [Theory]
    [InlineData("--json", "keys", "list", "--jsn")]
    [InlineData("--config", "keys", "list", "--confg", "x.json")]
    [InlineData("--identity", "policy", "eval", "--identiy", "x", "--tool", "t", "--args", "{}")]
    public async Task A_misspelt_option_suggests_the_closest_option(string suggestion, params string[] args)
    {
        var result = await GatewayProcess.RunAsync(args);

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain($"Did you mean '{suggestion}'?");
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("keys", "zzzzzz")]
    public async Task A_word_far_from_every_verb_gets_no_guess(params string[] args)
    {
        var result = await GatewayProcess.RunAsync(args);

        result.ExitCode.Should().Be(2);
        result.StandardError.Should().Contain("Unrecognized command or argument").And.NotContain("Did you mean");
    }
}

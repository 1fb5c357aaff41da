using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace McpGateway.IntegrationTests.Cli;

/// <summary>
/// The README's sample output of <c>audit verify</c> is what the command prints, up to the
/// numbers and hashes of one particular chain.
/// </summary>
public sealed partial class ReadmeSampleTests : IDisposable
{
    private readonly string _data = Path.Combine(Directory.CreateTempSubdirectory("mcpgw-readme-").FullName, "data");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_data)!, recursive: true);

    [Fact]
    public async Task The_readme_shows_audit_verify_output_as_it_is_printed()
    {
        for (var i = 0; i < 6; i++)
        {
            (await RunAsync("keys", "create", "--identity", "billing-agent")).ExitCode.Should().Be(0);
        }

        var intact = await RunAsync("audit", "verify");
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "gateway.db")};Pooling=False"))
        {
            connection.Open();
            using var tamper = connection.CreateCommand();
            tamper.CommandText = "UPDATE audit_entries SET payload = replace(payload, 'billing-agent', 'someone-else') WHERE seq = 5;";
            tamper.ExecuteNonQuery();
        }

        var broken = await RunAsync("audit", "verify");

        var samples = SampleOutputs("$ mcp-gateway audit verify");
        samples.Should().HaveCountGreaterThanOrEqualTo(2, "the README shows an intact and a broken chain");
        Shape(samples[0]).Should().Equal(Shape(intact.StandardOutput));
        Shape(samples[1]).Should().Equal(Shape(broken.StandardOutput));
        Shape(SampleOutputs("$ dotnet run --project src/McpGateway -- audit verify --config samples/reference.appsettings.json").Should().ContainSingle().Subject)
            .Should().Equal(Shape(intact.StandardOutput), "the demo's walk-through shows the same command");
    }

    /// <summary>The output lines after each console command <paramref name="command"/> in the README.</summary>
    private static List<string> SampleOutputs(string command)
    {
        var lines = File.ReadAllLines(Path.Combine(GatewayProcess.RepositoryRoot, "README.md"));
        var samples = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimEnd() == command)
            {
                var output = lines.Skip(i + 1).TakeWhile(l => !l.StartsWith('$') && !l.StartsWith("```", StringComparison.Ordinal));
                samples.Add(string.Join('\n', output));
            }
        }

        return samples;
    }

    /// <summary>The lines with hashes and numbers replaced, so two chains can be compared.</summary>
    private static string[] Shape(string output) =>
        output.Trim().Split('\n').Select(l => Number().Replace(Hash().Replace(l.TrimEnd(), "<hash>"), "<n>")).ToArray();

    private Task<ProcessResult> RunAsync(params string[] args) =>
        GatewayProcess.RunAsync([.. args, "--config", GatewayProcess.ReferenceConfig], new Dictionary<string, string?> { ["McpGateway__DataDirectory"] = _data });

    [GeneratedRegex("[0-9a-f]{64}")]
    private static partial Regex Hash();

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Number();
}

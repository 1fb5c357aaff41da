using McpGateway.Configuration;

namespace McpGateway.Tests.Configuration;

public sealed class SecretReferenceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mcpgw-secret-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_file_reference_is_read_when_resolved_so_rotation_is_picked_up()
    {
        File.WriteAllText(Path.Combine(_folder, "token"), "first\n");
        var reference = SecretReference.TryParse("{file:token}", _folder, out _)!;

        var first = reference.Resolve();
        File.WriteAllText(Path.Combine(_folder, "token"), "second");

        first.Should().Be("first");
        reference.Resolve().Should().Be("second");
    }

    [Fact]
    public void An_environment_reference_reads_the_variable()
    {
        System.Environment.SetEnvironmentVariable("MCPGW_TEST_SECRET_REF", "s3cret");
        try
        {
            SecretReference.TryParse("{env:MCPGW_TEST_SECRET_REF}", _folder, out _)!.Resolve().Should().Be("s3cret");
        }
        finally
        {
            System.Environment.SetEnvironmentVariable("MCPGW_TEST_SECRET_REF", null);
        }
    }

    [Theory]
    [InlineData("plain-secret-value")]
    [InlineData("{env:}")]
    [InlineData("{env:BAD NAME}")]
    [InlineData("{vault:x}")]
    [InlineData("")]
    public void Anything_but_a_reference_is_refused_without_echoing_it(string text)
    {
        SecretReference.TryParse(text, _folder, out var error).Should().BeNull();
        error.Should().NotBeNullOrEmpty();
        if (text.Length > 8)
        {
            error.Should().NotContain(text);
        }
    }

    [Fact]
    public void An_unreadable_secret_names_the_reference_only()
    {
        var reference = SecretReference.TryParse("{env:MCPGW_TEST_SECRET_UNSET}", _folder, out _)!;

        var act = () => reference.Resolve();

        act.Should().Throw<SecretUnavailableException>().WithMessage("*{env:MCPGW_TEST_SECRET_UNSET}*");
    }
}

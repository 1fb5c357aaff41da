using McpGateway.Configuration;

namespace McpGateway.Tests.Configuration;

/// <summary><c>McpGateway:Audit:Forwarding</c>: off when absent, every mistake named by its path at once.</summary>
public sealed class ForwardingOptionsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mcpgw-forwarding-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Forwarding_is_off_when_not_configured()
    {
        ConfigurationLoader.LoadFile(Write(string.Empty)).AuditOrDefault.Forwarding.Should().BeNull();
    }

    [Fact]
    public void A_valid_section_loads_with_its_defaults_and_its_secrets_are_held()
    {
        var configuration = ConfigurationLoader.LoadFile(Write("""
            , "Audit": { "Forwarding": { "Url": "{env:SIEM_URL}", "SigningKey": "{file:siem.key}", "Format": "OCSF" } }
            """));

        var forwarding = configuration.AuditOrDefault.Forwarding!;
        forwarding.Url.Text.Should().Be("{env:SIEM_URL}");
        forwarding.SigningKey.Location.Should().Be(Path.Combine(_folder, "siem.key"));
        forwarding.Format.Should().Be(ForwardingFormat.Ocsf);
        forwarding.BatchSize.Should().Be(ForwardingOptions.DefaultBatchSize);
        forwarding.Interval.Should().Be(ForwardingOptions.DefaultInterval);
        configuration.SecretReferences.Should().Contain([forwarding.Url, forwarding.SigningKey]);
    }

    [Fact]
    public void Every_mistake_is_refused_at_once_naming_its_path_and_never_echoing_an_inline_url()
    {
        var act = () => ConfigurationLoader.LoadFile(Write("""
            , "Audit": { "Forwarding": { "Url": "https://siem.example.test/hec?token=abc123", "Format": "xml", "BatchSize": "0", "Interval": "soon", "Colour": "red" } }
            """));

        var message = act.Should().Throw<ConfigurationException>().Which.Message;
        message.Should().Contain("McpGateway:Audit:Forwarding:Url: must be a reference, {env:NAME} or {file:PATH}")
            .And.Contain("McpGateway:Audit:Forwarding:SigningKey: is empty")
            .And.Contain("McpGateway:Audit:Forwarding:Format: 'xml' is not one of jsonl, ocsf.")
            .And.Contain("McpGateway:Audit:Forwarding:BatchSize: '0' is not a whole number of entries from 1 to 10000.")
            .And.Contain("McpGateway:Audit:Forwarding:Interval: 'soon' is not a positive duration")
            .And.Contain("McpGateway:Audit:Forwarding:Colour: unknown setting");
        message.Should().NotContain("siem.example.test").And.NotContain("abc123");
    }

    [Theory]
    [InlineData("1")]
    [InlineData("Jsonl,Ocsf")]
    public void A_format_that_only_parses_as_an_enum_number_or_flag_is_refused(string format)
    {
        var act = () => ConfigurationLoader.LoadFile(Write($$"""
            , "Audit": { "Forwarding": { "Url": "{env:SIEM_URL}", "SigningKey": "{env:SIEM_KEY}", "Format": "{{format}}" } }
            """));

        act.Should().Throw<ConfigurationException>().WithMessage("*Audit:Forwarding:Format*is not one of jsonl, ocsf*");
    }

    private string Write(string audit)
    {
        var file = Path.Combine(_folder, "gateway.json");
        File.WriteAllText(file, $$"""{ "McpGateway": { "DataDirectory": "data", "Policies": "policies" {{audit}} } }""");
        return file;
    }
}

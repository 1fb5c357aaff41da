using McpGateway.Configuration;

namespace McpGateway.Tests.Configuration;

/// <summary>
/// <c>McpGateway:Oidc</c> and <c>Identities:&lt;name&gt;:Oidc</c>: a resource, trusted issuers over
/// https (loopback http for tests), asymmetric algorithms only, one identity per subject; every
/// mistake named by its path at once.
/// </summary>
public sealed class OidcOptionsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mcpgw-oidc-options-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Off_when_absent_and_loaded_with_defaults_when_present()
    {
        ConfigurationLoader.LoadFile(Write(string.Empty)).Oidc.Should().BeNull();

        var oidc = ConfigurationLoader.LoadFile(Write("""
            , "Oidc": { "Resource": "https://gw.example.com/mcp", "Issuers": { "corp": { "Issuer": "https://login.example.com/tenant/v2.0", "AgentGroups": ["g-1"] } } }
            """, oidcFor: """{ "Issuer": "corp", "Subject": "s-alice" }""")).Oidc!;

        oidc.OperatorScope.Should().Be("mcpgw:operator");
        oidc.AuditorScope.Should().Be("mcpgw:audit");
        var corp = oidc.Issuers["corp"];
        corp.IssuerText.Should().Be("https://login.example.com/tenant/v2.0");
        corp.Audience.Should().Be("https://gw.example.com/mcp", "the audience defaults to the resource");
        corp.Algorithms.Should().NotContain(a => a.StartsWith("HS", StringComparison.Ordinal));
        corp.KeyRefresh.Should().Be(TimeSpan.FromMinutes(5));
        corp.AgentGroups.Should().Contain("g-1");
        oidc.IdentityOf("corp", "s-alice").Should().Be("alice");
        oidc.IdentityOf("corp", "s-bob").Should().BeNull();
    }

    [Fact]
    public void Every_mistake_is_refused_at_once_naming_its_path()
    {
        var act = () => ConfigurationLoader.LoadFile(Write("""
            , "Oidc": {
                "Resource": "http://gw.example.com/mcp",
                "OperatorScope": "has space",
                "Issuers": {
                  "plain": { "Issuer": "http://login.example.com/" },
                  "weak": { "Issuer": "https://login.example.com/", "Algorithms": ["HS256", "none", "RS256"], "ClockSkew": "1h" },
                  "bad name!": { "Issuer": "https://x.example.com/" }
                },
                "Colour": "red" }
            """, oidcFor: """{ "Issuer": "nobody", "Subject": "s-1" }"""));

        var message = act.Should().Throw<ConfigurationException>().Which.Message;
        message.Should().Contain("McpGateway:Oidc:Resource: 'http://gw.example.com/mcp' is not an https URI")
            .And.Contain("McpGateway:Oidc:OperatorScope: 'has space' is not a scope token")
            .And.Contain("McpGateway:Oidc:Issuers:plain:Issuer: 'http://login.example.com/' is not an https URL")
            .And.Contain("McpGateway:Oidc:Issuers:weak:Algorithms: 'HS256' is not accepted")
            .And.Contain("McpGateway:Oidc:Issuers:weak:Algorithms: 'none' is not accepted")
            .And.Contain("McpGateway:Oidc:Issuers:weak:ClockSkew: '1h' is not a duration from 0s to 5m")
            .And.Contain("McpGateway:Oidc:Issuers:bad name!: issuer names use")
            .And.Contain("McpGateway:Oidc:Colour: unknown setting")
            .And.Contain("McpGateway:Identities:alice:Oidc:Issuer: 'nobody' is not one of McpGateway:Oidc:Issuers");
    }

    [Fact]
    public void One_subject_is_one_identity_and_a_mapping_needs_the_oidc_section()
    {
        var twice = () => ConfigurationLoader.LoadFile(Write("""
            , "Oidc": { "Resource": "https://gw.example.com/mcp", "Issuers": { "corp": { "Issuer": "https://login.example.com/" } } }
            """, oidcFor: """{ "Issuer": "corp", "Subject": "s-1" }""", secondOidc: """{ "Issuer": "corp", "Subject": "s-1" }"""));
        var orphan = () => ConfigurationLoader.LoadFile(Write(string.Empty, oidcFor: """{ "Issuer": "corp", "Subject": "s-1" }"""));

        twice.Should().Throw<ConfigurationException>().Which.Message.Should().Contain("one subject is one identity");
        orphan.Should().Throw<ConfigurationException>().Which.Message.Should().Contain("McpGateway:Identities:alice:Oidc: there is no McpGateway:Oidc section");
    }

    [Fact]
    public void Http_to_a_loopback_issuer_is_allowed_for_tests()
    {
        var oidc = ConfigurationLoader.LoadFile(Write("""
            , "Oidc": { "Resource": "http://127.0.0.1:8080/mcp", "Issuers": { "local": { "Issuer": "http://127.0.0.1:9000" } } }
            """)).Oidc!;

        oidc.Issuers["local"].IssuerText.Should().Be("http://127.0.0.1:9000");
    }

    private string Write(string sections, string? oidcFor = null, string? secondOidc = null)
    {
        var file = Path.Combine(_folder, "gateway.json");
        var alice = oidcFor is null ? """{ "Roles": ["operator"] }""" : $$"""{ "Roles": ["operator"], "Oidc": {{oidcFor}} }""";
        var bob = secondOidc is null ? """{ "Roles": ["operator"] }""" : $$"""{ "Roles": ["operator"], "Oidc": {{secondOidc}} }""";
        File.WriteAllText(file, $$"""{ "McpGateway": { "DataDirectory": "data", "Policies": "policies", "Identities": { "alice": {{alice}}, "bob": {{bob}} } {{sections}} } }""");
        return file;
    }
}

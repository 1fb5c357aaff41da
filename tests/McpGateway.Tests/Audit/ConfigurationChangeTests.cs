using McpGateway.Audit.Changes;
using McpGateway.Configuration;
using McpGateway.Runtime;

namespace McpGateway.Tests.Audit;

/// <summary>What a reload says changed: by name, never by value, and never "revision X → X" for a secret-only change.</summary>
public sealed class ConfigurationChangeTests : IDisposable
{
    private const string Token = "svc-token-value-0123456789abcdef";

    private readonly string _folder = Directory.CreateTempSubdirectory("mcpgw-change-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_reload_caused_only_by_a_secret_file_names_the_secret_and_says_the_bundle_is_unchanged()
    {
        using var before = Load();
        System.IO.File.WriteAllText(Path.Combine(_folder, "token"), "rotated-token-value-0123456789abcdef");
        using var after = Load();

        var change = ConfigurationChange.Between(before.Current, after.Current, new HashSet<string> { Path.Combine(_folder, "token") });

        change.BundleChanged.Should().BeFalse();
        change.Secrets.Should().Equal("{file:token}");
        change.Describe().Should().StartWith($"policy bundle unchanged (revision {before.Current.Revision[..12]})").And.Contain("secret {file:token} changed").And.NotContain("→");
        var json = change.ToJson().ToJsonString();
        json.Should().NotContain(Token).And.NotContain("rotated-token-value");
    }

    [Fact]
    public void A_bundle_and_target_change_names_the_files_and_targets_with_both_revisions()
    {
        using var before = Load();
        System.IO.File.WriteAllText(Path.Combine(_folder, "policies", "extra.yaml"), "rules:\n  - name: other\n    when: { identity: bot, tool: http_call, connection: billing, facts: { http.method: GET, http.path: /x } }\n    effect: allow\n");
        using var after = Load(baseUrl: "http://127.0.0.1:9/other/");

        var change = ConfigurationChange.Between(before.Current, after.Current, new HashSet<string>());

        change.BundleChanged.Should().BeTrue();
        change.PolicyFiles.Added.Should().Equal("extra.yaml");
        change.Targets.Changed.Should().Equal("Http/billing");
        change.Describe().Should().Contain($"{before.Current.Revision[..12]} → {after.Current.Revision[..12]}").And.Contain("extra.yaml added").And.Contain("Http/billing changed");
        change.ToJson().ToJsonString().Should().NotContain("9/other", "target settings are named, not shown");
    }

    private GatewayRuntime Load(string baseUrl = "http://127.0.0.1:9/")
    {
        Directory.CreateDirectory(Path.Combine(_folder, "policies"));
        if (!System.IO.File.Exists(Path.Combine(_folder, "token")))
        {
            System.IO.File.WriteAllText(Path.Combine(_folder, "token"), Token);
        }

        System.IO.File.WriteAllText(Path.Combine(_folder, "policies", "main.yaml"), "rules:\n  - name: reads\n    when: { identity: bot, tool: http_call, connection: billing, facts: { http.method: GET, http.path: /a } }\n    effect: allow\n");
        var file = Path.Combine(_folder, "gateway.json");
        System.IO.File.WriteAllText(file, $$"""
            { "McpGateway": { "DataDirectory": "data", "Policies": "policies",
              "Identities": { "bot": { "Roles": ["agent"] } },
              "Targets": { "Http": { "billing": { "BaseUrl": "{{baseUrl}}", "Auth": { "Bearer": "{file:token}" } } } } } }
            """);
        return GatewayRuntime.Load(ConfigurationLoader.LoadFile(file), TimeProvider.System);
    }
}

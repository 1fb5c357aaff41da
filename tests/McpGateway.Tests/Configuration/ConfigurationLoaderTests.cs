using McpGateway.Configuration;
using McpGateway.Policies;

namespace McpGateway.Tests.Configuration;

public sealed class ConfigurationLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mcpgw-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_valid_configuration_loads_with_paths_resolved_against_its_folder()
    {
        var file = Write("""
            { "McpGateway": {
                "DataDirectory": "data",
                "Policies": "policies/",
                "Groups": { "agents": {}, "admins": { "ProviderGroupId": "0f3c" } },
                "Identities": {
                  "human": { "Groups": ["admins"], "Roles": ["operator"] },
                  "bot": { "Groups": ["agents"], "Roles": ["agent"], "Owner": "human" } },
                "Targets": { "Http": { "billing": { "BaseUrl": "http://127.0.0.1:8081/v1", "Auth": { "Bearer": "{file:secrets/token}" } } } } } }
            """);

        var configuration = ConfigurationLoader.LoadFile(file);

        configuration.DataDirectory.Should().Be(Path.Combine(_folder, "data"));
        configuration.PoliciesPath.Should().Be(Path.Combine(_folder, "policies") + Path.DirectorySeparatorChar);
        configuration.Groups["admins"].ProviderGroupId.Should().Be("0f3c");
        configuration.Identities["bot"].Owner.Should().Be("human");
        configuration.Identities["bot"].Roles.Should().BeEquivalentTo([Roles.Agent]);
        configuration.Target<HttpServiceOptions>(TargetKinds.Http, "billing")!.BaseUrl.ToString().Should().Be("http://127.0.0.1:8081/v1/", "a base path always ends with '/'");
        configuration.Target<HttpServiceOptions>(TargetKinds.Http, "billing")!.Auth.Bearer!.Location.Should().Be(Path.Combine(_folder, "secrets", "token"));
    }

    [Theory]
    [InlineData("[\"agent\", \"operator\"]")]
    [InlineData("[\"auditor\", \"agent\"]")]
    [InlineData("[\"agent\", \"operator\", \"auditor\"]")]
    public void An_agent_may_not_also_be_operator_or_auditor(string roles)
    {
        var file = Write($$"""{ "McpGateway": { "Policies": "p", "Identities": { "bot": { "Roles": {{roles}} } } } }""");

        var act = () => ConfigurationLoader.LoadFile(file);

        act.Should().Throw<ConfigurationException>().WithMessage("*Identities:bot:Roles*may not also hold 'operator' or 'auditor'*");
    }

    [Fact]
    public void Operator_and_auditor_together_are_fine()
    {
        var file = Write("""{ "McpGateway": { "Policies": "p", "Identities": { "lead": { "Roles": ["operator", "auditor"] } } } }""");

        ConfigurationLoader.LoadFile(file).Identities["lead"].Roles.Should().HaveCount(2);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("many")]
    public void A_session_quota_below_one_is_an_error(string value)
    {
        var file = Write($$"""{ "McpGateway": { "Policies": "p", "Http": { "MaxSessionsPerIdentity": "{{value}}" } } }""");

        var act = () => ConfigurationLoader.LoadFile(file);

        act.Should().Throw<ConfigurationException>().WithMessage("*MaxSessionsPerIdentity*at least 1*");
    }

    [Fact]
    public void Timings_default_to_production_values_and_can_be_shortened()
    {
        var defaults = ConfigurationLoader.LoadFile(Write("""{ "McpGateway": { "Policies": "p" } }""")).Timings;
        var shortened = ConfigurationLoader.LoadFile(Write("""{ "McpGateway": { "Policies": "p", "Timings": { "LeaseMargin": "1s", "AbandonedSweep": "500ms" } } }""")).Timings;

        defaults.Should().Be(TimingOptions.Default);
        shortened.LeaseMargin.Should().Be(TimeSpan.FromSeconds(1));
        shortened.AbandonedSweep.Should().Be(TimeSpan.FromMilliseconds(500));
        shortened.ReloadPoll.Should().Be(TimingOptions.Default.ReloadPoll);
    }

    [Theory]
    [InlineData("\"LeaseMargin\": \"0s\"", "LeaseMargin")]
    [InlineData("\"ReloadPoll\": \"soon\"", "ReloadPoll")]
    [InlineData("\"Nap\": \"1s\"", "Nap: unknown setting")]
    public void A_bad_timing_is_an_error(string setting, string message)
    {
        var act = () => ConfigurationLoader.LoadFile(Write($$"""{ "McpGateway": { "Policies": "p", "Timings": { {{setting}} } } }"""));

        act.Should().Throw<ConfigurationException>().WithMessage($"*Timings:{message}*");
    }

    [Fact]
    public void The_data_folder_defaults_to_an_absolute_path()
    {
        var configuration = ConfigurationLoader.LoadFile(Write("""{ "McpGateway": { "Policies": "p" } }"""));

        Path.IsPathFullyQualified(configuration.DataDirectory).Should().BeTrue();
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var file = Write("""
            { "McpGateway": {
                "Policies": "p",
                "Colour": "blue",
                "Groups": { "agents": {} },
                "Identities": {
                  "bot": { "Groups": ["ghosts"], "Roles": ["king"], "Owner": "nobody" } },
                "Targets": {
                  "Http": {
                    "inline": { "BaseUrl": "http://127.0.0.1/", "Auth": { "Bearer": "hunter2-secret-value" } },
                    "relative": { "BaseUrl": "/api" },
                    "creds": { "BaseUrl": "http://user:pw@127.0.0.1/" } },
                  "Mainframe": { "x": {} } } } }
            """);

        var act = () => ConfigurationLoader.LoadFile(file);

        var message = act.Should().Throw<ConfigurationException>().Which.Message;
        message.Should().Contain("McpGateway:Colour: unknown setting")
            .And.Contain("unknown group 'ghosts'")
            .And.Contain("unknown role 'king'")
            .And.Contain("unknown identity 'nobody'")
            .And.Contain("Targets:Http:inline:Auth:Bearer: must be a reference")
            .And.Contain("Targets:Http:relative:BaseUrl: '/api' is not an absolute http or https URL")
            .And.Contain("may not carry credentials")
            .And.Contain("target kind 'Mainframe' is not supported");
        message.Should().NotContain("hunter2", "an inline secret is never echoed");
    }

    [Fact]
    public void Environment_variables_override_the_file()
    {
        var file = Write("""{ "McpGateway": { "Policies": "p", "Targets": { "Http": { "billing": { "BaseUrl": "http://127.0.0.1:1/" } } } } }""");
        var name = "McpGateway__Targets__Http__billing__BaseUrl";
        System.Environment.SetEnvironmentVariable(name, "http://127.0.0.1:2/");
        try
        {
            ConfigurationLoader.LoadFile(file).Target<HttpServiceOptions>(TargetKinds.Http, "billing")!.BaseUrl.Port.Should().Be(2);
        }
        finally
        {
            System.Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void The_anonymous_identity_can_never_be_an_operator_or_auditor()
    {
        var file = Write("""
            { "McpGateway": { "Policies": "p", "Groups": {},
                "Identities": { "op": { "Roles": ["operator"] } },
                "Anonymous": { "Enabled": true, "Identity": "op" } } }
            """);

        var act = () => ConfigurationLoader.LoadFile(file);

        act.Should().Throw<ConfigurationException>().WithMessage("*may only hold the agent role*");
    }

    [Fact]
    public void A_json_syntax_error_names_the_file_line_and_column()
    {
        var file = Write("{\n  \"McpGateway\": {\n    \"Policies\": \"p\"\n    \"DataDirectory\": \"d\"\n  }\n}\n");

        var act = () => ConfigurationLoader.LoadFile(file);

        var message = act.Should().Throw<ConfigurationException>().Which.Message;
        message.Should().Be($"Configuration '{file}' is not valid JSON at line 4, column 5: '\"' is invalid after a value. Expected either ',', '}}', or ']'.");
    }

    [Fact]
    public void A_json_syntax_error_counts_columns_in_characters_not_bytes()
    {
        var line = "{ \"McpGateway\": { \"Policies\": \"politiques-été\" \"Groups\": {} } }";
        var file = Write(line);

        var act = () => ConfigurationLoader.LoadFile(file);

        act.Should().Throw<ConfigurationException>().Which.Message
            .Should().Contain($"line 1, column {line.IndexOf("\"Groups", StringComparison.Ordinal) + 1}:");
    }

    [Fact]
    public void Json_that_ends_too_early_names_where_it_ends()
    {
        var file = Write("{ \"McpGateway\": ");

        var act = () => ConfigurationLoader.LoadFile(file);

        act.Should().Throw<ConfigurationException>().Which.Message
            .Should().Contain($"Configuration '{file}' is not valid JSON at line 1, column 17:").And.NotContain("LineNumber");
    }

    [Fact]
    public void The_policy_environment_carries_credential_headers_of_each_service()
    {
        var file = Write("""
            { "McpGateway": { "Policies": "p",
                "Targets": { "Http": { "svc": { "BaseUrl": "http://127.0.0.1/", "Auth": { "Header": { "Name": "X-Api-Key", "Value": "{env:SVC_KEY}" } } } } } } }
            """);

        var environment = ConfigurationLoader.LoadFile(file).ToPolicyEnvironment();

        var target = environment.FindTarget(TargetKinds.Http, "svc").Should().BeOfType<HttpTargetInfo>().Subject;
        target.CredentialHeaders.Contains("x-api-key").Should().BeTrue();
    }

    private string Write(string json)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }
}

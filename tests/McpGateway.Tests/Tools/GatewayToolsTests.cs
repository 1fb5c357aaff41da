using System.Text.Json;
using McpGateway.Configuration;
using McpGateway.Pipeline;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Http;
using McpGateway.Policies.Tools;
using McpGateway.Tools;
using McpGateway.Tools.HttpCall;
using Microsoft.Extensions.DependencyInjection;

namespace McpGateway.Tests.Tools;

/// <summary>A tool is one module; start-up refuses a module with a missing or mismatched part.</summary>
public sealed class GatewayToolsTests
{
    [Fact]
    public void The_registered_tools_are_complete_and_each_declares_exactly_the_arguments_its_classifier_accepts()
    {
        var act = () => GatewayTools.Validate(GatewayTools.All);

        act.Should().NotThrow();
        GatewayTools.All.Select(t => t.Policy.Name).Should().Contain(HttpCallTool.Name);
        GatewayTools.Catalog().Tools.Keys.Should().BeEquivalentTo(GatewayTools.All.Select(t => t.Policy.Name));
        GatewayTools.TargetKinds().Keys.Should().Contain(TargetKinds.Http);
    }

    [Fact]
    public void A_module_whose_target_kind_does_not_match_its_policy_is_refused()
    {
        var act = () => GatewayTools.Validate([new Broken(targetKind: "Postgres")]);

        act.Should().Throw<InvalidOperationException>().WithMessage("*http_call*acts on 'Http' targets but its target kind is 'Postgres'*");
    }

    [Fact]
    public void A_module_whose_input_schema_drifts_from_its_classifier_is_refused()
    {
        var act = () => GatewayTools.Validate([new Broken(schema: """{"type":"object","properties":{"service":{},"method":{},"path":{},"url":{}}}""")]);

        act.Should().Throw<InvalidOperationException>().WithMessage("*input schema declares [method, path, service, url] but its classifier accepts [body, headers, method, path, service]*");
    }

    [Fact]
    public void A_module_registered_twice_or_declaring_another_tool_is_refused()
    {
        var twice = () => GatewayTools.Validate([new HttpCallModule(), new HttpCallModule()]);
        var other = () => GatewayTools.Validate([new Broken(declares: "other_tool")]);

        twice.Should().Throw<InvalidOperationException>().WithMessage("*registered 2 times*");
        other.Should().Throw<InvalidOperationException>().WithMessage("*declaration is missing or names another tool*");
    }

    [Fact]
    public void A_tool_without_a_backend_stops_start_up_not_its_first_call()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new ToolBackendRegistered("something_else"));

        var backends = services.RegisteredBackends();

        backends.Should().NotContain(HttpCallTool.Name);
        new ServiceCollection().Invoking(s => { new HttpCallModule().AddBackend(s); return s.RegisteredBackends().ToList(); })
            .Should().NotThrow().Which.Should().Equal(HttpCallTool.Name);
    }

    [Fact]
    public void The_http_call_preview_shows_the_request_exactly_as_it_would_be_sent()
    {
        var environment = new PolicyEnvironment([], [], [new HttpTargetInfo("billing", System.Collections.Frozen.FrozenSet<string>.Empty)], ["default"]);
        using var arguments = JsonDocument.Parse("""{"service":"billing","method":"post","path":"/api/./a/../invoices?x=%7e1","headers":{"X-Request-Id":"r1"},"body":"{\"amount\":5}"}""");
        var classification = new HttpCallModule().Policy.Classifier.Classify(arguments.RootElement, environment);

        var preview = new HttpCallModule().Preview(classification.Request!)!;

        preview.Summary.Should().Be("POST billing/api/invoices?x=~1 with a 12-byte body");
        preview.Detail["path"]!.GetValue<string>().Should().Be("/api/invoices");
        preview.Detail["headers"]!["x-request-id"]!.GetValue<string>().Should().Be("r1");
        preview.Detail["body"]!.GetValue<string>().Should().Be("{\"amount\":5}");
        preview.MustMatchAtExecution.Should().BeFalse();
    }

    /// <summary>http_call with one part changed.</summary>
    private sealed class Broken(string? targetKind = null, string? schema = null, string? declares = null) : IGatewayToolModule
    {
        private readonly HttpCallModule _real = new();

        public ToolDescriptor Policy => _real.Policy;

        public ITargetKind Targets => targetKind is null ? _real.Targets : new OtherKind(targetKind);

        public ToolDeclaration Describe(IReadOnlyList<string> usableTargets)
        {
            var real = _real.Describe(usableTargets);
            return real with
            {
                Name = declares ?? real.Name,
                InputSchema = schema is null ? real.InputSchema : JsonDocument.Parse(schema).RootElement,
            };
        }

        public void AddBackend(IServiceCollection services)
        {
        }

        private sealed class OtherKind(string name) : ITargetKind
        {
            public string Kind => name;

            public IEnumerable<ConfiguredTarget> Read(Microsoft.Extensions.Configuration.IConfigurationSection section, string baseDirectory, List<string> errors) => [];
        }
    }
}

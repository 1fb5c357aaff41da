using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using McpGateway.Configuration;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Loading;
using McpGateway.Policies;
using McpGateway.Runtime;

namespace McpGateway.Cli;

/// <summary><c>policy eval</c> and <c>policy test</c>: offline decisions against a bundle.</summary>
internal static class PolicyCommands
{
    internal static readonly JsonSerializerOptions OutputJson = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    internal static readonly JsonSerializerOptions CompactJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly Option<string?> PoliciesOption = new("--policies")
    {
        Description = "Policy bundle to use instead of the configured one (a YAML file or folder).",
    };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var policy = new Command("policy", "Check decisions offline against a policy bundle, and show the revisions a gateway loaded.");
        policy.Subcommands.Add(CreateEval(output, error));
        policy.Subcommands.Add(CreateTest(output, error));
        policy.Subcommands.Add(PolicyShowCommand.Create(output, error));
        return policy;
    }

    private static Command CreateEval(TextWriter output, TextWriter error)
    {
        var identity = new Option<string>("--identity") { Description = "Configured identity making the call.", Required = true };
        var tool = new Option<string>("--tool") { Description = "Tool name, for example http_call.", Required = true };
        var args = new Option<string>("--args") { Description = "The tool call's arguments as a JSON object.", Required = true };
        var client = new Option<string?>("--client") { Description = "The agent application an identity provider's token would name (azp or client_id), for rules with 'client'." };
        var eval = new Command("eval", "Classify one tool call and print the decision as JSON (anything wrong with the call is a deny with a reason).")
        {
            identity, tool, args, client, PoliciesOption,
        };
        eval.SetAction(async (parseResult, cancellationToken) =>
        {
            JsonDocument arguments;
            var text = parseResult.GetValue(args)!;
            try
            {
                arguments = JsonDocument.Parse(text);
            }
            catch (JsonException ex)
            {
                await error.WriteLineAsync($"error: --args is not valid JSON{JsonSyntaxError.Describe(ex, text)}").ConfigureAwait(false);
                return GatewayCli.Misuse;
            }

            using (arguments)
            {
                if (await LoadEngineAsync(parseResult, error).ConfigureAwait(false) is not { } engine)
                {
                    return GatewayCli.Misuse;
                }

                var name = parseResult.GetValue(identity)!;
                var decision = parseResult.GetValue(client) is { } application && engine.Current.Environment.Identities.TryGetValue(name, out var configured)
                    ? engine.Evaluate(configured with { Client = application }, parseResult.GetValue(tool)!, arguments.RootElement)
                    : engine.Evaluate(name, parseResult.GetValue(tool)!, arguments.RootElement);
                await output.WriteLineAsync(decision.ToJson().ToJsonString(OutputJson)).ConfigureAwait(false);
                return GatewayCli.Success;
            }
        });
        return eval;
    }

    private static Command CreateTest(TextWriter output, TextWriter error)
    {
        var path = new Argument<string>("PATH") { Description = "A YAML file of expected decisions, or a folder of them." };
        var verbose = new Option<bool>("--verbose") { Description = "Also print passing cases." };
        var test = new Command("test", "Run a file of expected decisions against the bundle; exits 1 on any mismatch.")
        {
            path, verbose, PoliciesOption,
        };
        test.SetAction(async (parseResult, cancellationToken) =>
        {
            IReadOnlyList<PolicyTestCase> cases;
            try
            {
                cases = PolicyTestFile.Load(parseResult.GetValue(path)!);
            }
            catch (PolicyTestFileException ex)
            {
                await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return GatewayCli.Misuse;
            }

            if (await LoadEngineAsync(parseResult, error).ConfigureAwait(false) is not { } engine)
            {
                return GatewayCli.Misuse;
            }

            return await new PolicyTestRunner(engine, output).RunAsync(cases, parseResult.GetValue(verbose), cancellationToken).ConfigureAwait(false);
        });
        return test;
    }

    private static async Task<PolicyEngine?> LoadEngineAsync(ParseResult parseResult, TextWriter error)
    {
        try
        {
            var configuration = ConfigurationLoader.Load(parseResult.GetValue(GatewayCli.ConfigOption));
            var policies = parseResult.GetValue(PoliciesOption) is { Length: > 0 } p ? Path.GetFullPath(p) : null;
            return new PolicyEngine(GatewayPolicies.LoadSnapshot(configuration, policies));
        }
        catch (Exception ex) when (ex is ConfigurationException or PolicyBundleException)
        {
            await CliErrors.ReportAsync(error, ex, parseResult.GetValue(GatewayCli.ConfigOption)).ConfigureAwait(false);

            return null;
        }
    }
}

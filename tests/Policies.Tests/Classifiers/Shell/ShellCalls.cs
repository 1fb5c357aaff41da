using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Policies;
using McpGateway.Policies.Classifiers.Shell;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Facts;
using McpGateway.Policies.Loading;
using McpGateway.Policies.Tools;

namespace Policies.Tests.Classifiers.Shell;

/// <summary>Builds <c>ssh_exec</c> calls and engines over bundles written inline, against a small environment.</summary>
internal static class ShellCalls
{
    public static PolicyEnvironment Environment { get; } = new(
        [
            IdentityInfo.Create("oncall", ["sre"], [Roles.Agent]),
            IdentityInfo.Create("lead", ["sre-leads"], [Roles.Operator]),
        ],
        ["sre", "sre-leads"],
        [new TargetInfo("web-1", TargetKinds.Ssh), new TargetInfo("db-1", TargetKinds.Ssh)],
        ["default"]);

    public static Classification Classify(string command) =>
        ClassifyJson(new JsonObject { ["host"] = "web-1", ["command"] = command }.ToJsonString());

    public static Classification ClassifyJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new SshExecClassifier().Classify(document.RootElement, Environment);
    }

    public static PolicyEngine Engine(string yaml)
    {
        var catalog = new ToolCatalog([SshExecTool.Create()]);
        var bundle = new PolicyBundleLoader(catalog, Environment).Load([new PolicySource("rules.yaml", Encoding.UTF8.GetBytes(yaml))]);
        return new PolicyEngine(new PolicySnapshot(bundle, Environment, catalog));
    }

    public static PolicyDecision Decide(this PolicyEngine engine, string command, string identity = "oncall", string host = "web-1")
    {
        using var document = JsonDocument.Parse(new JsonObject { ["host"] = host, ["command"] = command }.ToJsonString());
        return engine.Evaluate(identity, SshExecTool.Name, document.RootElement);
    }

    public static SshExecRequest? Request(this Classification classification) => classification.Request as SshExecRequest;

    public static IReadOnlyList<FactElement> Stages(this Classification classification) => classification.Facts.ElementsOf(SshExecTool.Stages);

    public static IReadOnlyList<string> Commands(this Classification classification) =>
        [.. classification.Stages().Select(s => s.Get(SshExecTool.StageCommand)!.Text!)];

    public static string? Text(this FactElement element, string name) => element.Get(name)?.Text;

    public static IReadOnlyList<string> List(this FactElement element, string name) => element.Get(name)?.Items ?? [];

    public static bool Flag(this Classification classification, string name) => classification.Facts.Get(name)?.Flag == true;

    public static bool IsComplex(this Classification classification) => classification.Flag(CommonFacts.Complex);

    /// <summary>The parse of <paramref name="command"/> described, or null when it does not parse.</summary>
    public static string? Parse(string command) => ShellParser.Parse(command).Script?.ToString();
}

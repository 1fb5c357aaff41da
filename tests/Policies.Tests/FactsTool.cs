using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using McpGateway.Policies;
using McpGateway.Policies.Evaluation;
using McpGateway.Policies.Facts;
using McpGateway.Policies.Loading;
using McpGateway.Policies.Tools;

namespace Policies.Tests;

/// <summary>
/// A tool for testing the decision procedure itself: its arguments are its facts. Call-level facts
/// are the argument's properties; "items" is an element list whose elements carry "items.kind" and
/// "items.name". A real classifier is exercised by the http_call tests.
/// </summary>
internal sealed class FactsTool : IToolClassifier
{
    public const string Name = "facts_tool";

    public static ToolDescriptor Create(IToolClassifier? classifier = null) => new(
        Name,
        "Facts",
        [
            new FactDescriptor("f.kind", FactType.Text, "A text fact."),
            new FactDescriptor("f.readOnly", FactType.Flag, "A flag fact."),
            new FactDescriptor("f.size", FactType.Number, "A number fact."),
            new FactDescriptor("f.tags", FactType.TextList, "A list fact."),
            new FactDescriptor("items.kind", FactType.Text, "An element's kind.", "items"),
            new FactDescriptor("items.name", FactType.Text, "An element's name.", "items"),
            new FactDescriptor("other.kind", FactType.Text, "Another list's element kind.", "other"),
        ],
        [new ElementListDescriptor("items", "items.kind", "Elements."), new ElementListDescriptor("other", "other.kind", "Other elements.")],
        [new ObligationDescriptor("maxRows", ObligationKind.Count, "Row cap."), new ObligationDescriptor("readOnly", ObligationKind.Flag, "Read only."), new ObligationDescriptor("maxBytes", ObligationKind.Size, "Byte cap.")],
        classifier ?? new FactsTool());

    public Classification Classify(JsonElement arguments, PolicyEnvironment environment)
    {
        var facts = new FactSetBuilder().Set(CommonFacts.Unparsed, false).Set(CommonFacts.Complex, false);
        string? target = null;
        var unparsed = new List<string>();
        foreach (var property in arguments.EnumerateObject())
        {
            switch (property.Name)
            {
                case "target":
                    target = property.Value.GetString();
                    break;
                case "unparsed":
                    facts.Set(CommonFacts.Unparsed, true);
                    unparsed.Add(property.Value.GetString() ?? "unparsed");
                    break;
                case "complex":
                    facts.Set(CommonFacts.Complex, property.Value.GetBoolean());
                    break;
                case "items" or "other":
                    foreach (var item in property.Value.EnumerateArray())
                    {
                        facts.AddElement(property.Name, item.EnumerateObject().Select(p => KeyValuePair.Create($"{property.Name}.{p.Name}", FactValue.Of(p.Value.GetString()!))));
                    }

                    break;
                default:
                    facts.Set(property.Name, property.Value.ValueKind switch
                    {
                        JsonValueKind.True or JsonValueKind.False => FactValue.Of(property.Value.GetBoolean()),
                        JsonValueKind.Number => FactValue.Of(property.Value.GetInt64()),
                        JsonValueKind.Array => FactValue.Of(property.Value.EnumerateArray().Select(e => e.GetString()!)),
                        _ => FactValue.Of(property.Value.GetString()!),
                    });
                    break;
            }
        }

        if (target is null || environment.FindTarget("Facts", target) is null)
        {
            return Classification.Refused(Name, target, new Refusal("unknown-target", $"Unknown target '{target}'."));
        }

        return new Classification(Name, target, facts.Build(), [.. unparsed], [], arguments.Clone());
    }
}

/// <summary>Builds engines over small bundles written inline.</summary>
internal static class TestPolicies
{
    public static PolicyEnvironment Environment { get; } = new(
        [
            IdentityInfo.Create("agent-1", ["agents"], [Roles.Agent], "owner-1"),
            IdentityInfo.Create("agent-2", ["agents", "analysts"], [Roles.Agent]),
            IdentityInfo.Create("owner-1", ["engineering"], []),
            IdentityInfo.Create("approver-1", ["leads"], [Roles.Operator]),
        ],
        ["agents", "analysts", "engineering", "leads"],
        [
            new TargetInfo("db-1", "Facts"),
            new TargetInfo("db-2", "Facts"),
            new HttpTargetInfo("billing", FrozenSet<string>.Empty),
        ],
        ["default", "pii"]);

    public static ToolCatalog Catalog(IToolClassifier? factsClassifier = null) =>
        new([FactsTool.Create(factsClassifier), McpGateway.Policies.Classifiers.Http.HttpCallTool.Create()]);

    public static PolicySnapshot Snapshot(string yaml, IToolClassifier? factsClassifier = null)
    {
        var catalog = Catalog(factsClassifier);
        var bundle = new PolicyBundleLoader(catalog, Environment).Load([new PolicySource("rules.yaml", Encoding.UTF8.GetBytes(yaml))]);
        return new PolicySnapshot(bundle, Environment, catalog);
    }

    public static PolicyEngine Engine(string yaml, IToolClassifier? factsClassifier = null) => new(Snapshot(yaml, factsClassifier));

    public static PolicyDecision Evaluate(this PolicyEngine engine, string identity, string json, string tool = FactsTool.Name)
    {
        using var document = JsonDocument.Parse(json);
        return engine.Evaluate(identity, tool, document.RootElement);
    }

    /// <summary>Loads a bundle expected to fail and returns its error messages as "line: message".</summary>
    public static IReadOnlyList<string> Errors(string yaml)
    {
        var act = () => Snapshot(yaml);
        var error = act.Should().Throw<PolicyBundleException>().Which;
        return [.. error.Errors.Select(e => $"{e.Location?.Line}: {e.Message}")];
    }
}

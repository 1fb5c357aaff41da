using System.Collections.Frozen;
using System.Collections.Immutable;
using McpGateway.Policies.Model;
using McpGateway.Policies.Tools;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Policies.Loading;

/// <summary>Turns one rule's YAML into a validated <see cref="PolicyRule"/>, reporting every problem.</summary>
internal sealed class RuleParser
{
    private static readonly string[] RuleKeys = ["name", "description", "when", "effect", "reason", "obligations", "approvers"];
    private static readonly string[] WhenKeys = ["identity", "groups", "client", "tool", "connection", "facts"];
    private static readonly string[] ApproverKeys = ["groups", "count"];

    /// <summary>The most distinct approvers a rule may ask for.</summary>
    internal const int MaxApproverCount = 10;

    private readonly ToolCatalog _catalog;
    private readonly PolicyEnvironment _environment;
    private readonly YamlReader _reader;
    private readonly ConditionParser _conditions;
    private readonly ObligationParser _obligations;

    public RuleParser(ToolCatalog catalog, PolicyEnvironment environment, YamlReader reader)
    {
        _catalog = catalog;
        _environment = environment;
        _reader = reader;
        _conditions = new ConditionParser(reader);
        _obligations = new ObligationParser(environment, reader);
    }

    public PolicyRule? Parse(YamlNode node)
    {
        if (_reader.Mapping(node, "A rule") is not { } mapping)
        {
            return null;
        }

        var errorsBefore = _reader.Errors.Count;
        string? name = null;
        string? description = null;
        string? reason = null;
        PolicyEffect? effect = null;
        YamlNode? when = null;
        YamlNode? obligations = null;
        YamlNode? approvers = null;
        foreach (var (key, _, value) in _reader.Entries(mapping, "a rule", RuleKeys))
        {
            switch (key)
            {
                case "name":
                    name = _reader.Scalar(value, "The rule's 'name'");
                    break;
                case "description":
                    description = _reader.Scalar(value, "'description'");
                    break;
                case "reason":
                    reason = _reader.Scalar(value, "'reason'");
                    break;
                case "effect":
                    effect = ParseEffect(value);
                    break;
                case "when":
                    when = value;
                    break;
                case "obligations":
                    obligations = value;
                    break;
                case "approvers":
                    approvers = value;
                    break;
            }
        }

        if (name is null && !mapping.Children.Any(c => c.Key is YamlScalarNode { Value: "name" }))
        {
            _reader.Error(mapping, "A rule needs a 'name' (unique in the bundle), used in decisions and the audit log.");
        }

        if (effect is null && !mapping.Children.Any(c => c.Key is YamlScalarNode { Value: "effect" }))
        {
            _reader.Error(mapping, $"Rule '{name}' needs an 'effect': allow, deny or approval.");
        }

        var scope = when is null ? new Scope() : ParseWhen(when, name);
        var obligationValues = obligations is null
            ? ImmutableDictionary<string, ObligationValue>.Empty
            : _obligations.Parse(obligations, scope.FactTools ?? scope.ApplicableTools(_catalog), effect, name);
        var approverGroups = ParseApprovers(approvers, effect, name, mapping);

        if (_reader.Errors.Count != errorsBefore || name is null || effect is null)
        {
            return null;
        }

        return new PolicyRule
        {
            Name = name,
            Description = description,
            Effect = effect.Value,
            Reason = reason,
            Identities = scope.Identities.ToFrozenSet(StringComparer.Ordinal),
            Groups = scope.Groups.ToFrozenSet(StringComparer.Ordinal),
            Clients = scope.Clients.ToFrozenSet(StringComparer.Ordinal),
            Tools = scope.Tools.ToFrozenSet(StringComparer.Ordinal),
            Connections = scope.Connections.ToFrozenSet(StringComparer.Ordinal),
            CallConditions = [.. scope.CallConditions],
            ElementList = scope.ElementList,
            ElementConditions = [.. scope.ElementConditions],
            Obligations = obligationValues,
            ApproverGroups = approverGroups.Groups.ToFrozenSet(StringComparer.Ordinal),
            ApproverCount = approverGroups.Count,
            NamesUnparsed = scope.NamesUnparsed,
            NamesComplex = scope.NamesComplex,
            Location = _reader.At(mapping),
        };
    }

    private PolicyEffect? ParseEffect(YamlNode node) =>
        _reader.Scalar(node, "'effect'") switch
        {
            null => null,
            "allow" => PolicyEffect.Allow,
            "deny" => PolicyEffect.Deny,
            "approval" => PolicyEffect.Approval,
            var other => Fail(node, $"Unknown effect '{other}'; use allow, deny or approval."),
        };

    private PolicyEffect? Fail(YamlNode node, string message)
    {
        _reader.Error(node, message);
        return null;
    }

    private Scope ParseWhen(YamlNode node, string? rule)
    {
        var scope = new Scope();
        if (_reader.Mapping(node, "'when'") is not { } mapping)
        {
            return scope;
        }

        YamlNode? facts = null;
        foreach (var (key, _, value) in _reader.Entries(mapping, "'when'", WhenKeys))
        {
            var values = key == "facts" ? null : _reader.ScalarOrList(value, $"'{key}'");
            switch (key)
            {
                case "identity":
                    scope.Identities = Known(values, _environment.Identities.Keys, "identity", "Identities");
                    break;
                case "groups":
                    scope.Groups = Known(values, _environment.Groups, "group", "Groups");
                    break;
                case "client":
                    // The agent application an identity provider's token names (azp or client_id): any text.
                    scope.Clients = [.. (values ?? []).Select(v => v.Value)];
                    break;
                case "tool":
                    scope.Tools = Known(values, _catalog.Tools.Keys, "tool", null);
                    break;
                case "connection":
                    scope.ConnectionNodes = values ?? [];
                    break;
                case "facts":
                    facts = value;
                    break;
            }
        }

        var tools = scope.ApplicableTools(_catalog);
        foreach (var (connection, at) in scope.ConnectionNodes)
        {
            var kinds = tools.Select(t => t.TargetKind).Distinct(StringComparer.Ordinal).ToList();
            if (kinds.Any(k => _environment.FindTarget(k, connection) is not null))
            {
                scope.Connections.Add(connection);
                continue;
            }

            var known = kinds.SelectMany(_environment.TargetNames).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            _reader.Error(at, $"Unknown connection '{connection}' for {DescribeTools(scope)}; configured targets: {(known.Count == 0 ? "none" : string.Join(", ", known))}.");
        }

        if (facts is not null)
        {
            _conditions.Parse(facts, tools, scope, rule);
        }

        return scope;
    }

    private static string DescribeTools(Scope scope) =>
        scope.Tools.Count == 0 ? "any tool" : "tool " + string.Join(", ", scope.Tools);

    private List<string> Known(List<(string Value, YamlNode Node)>? values, IEnumerable<string> known, string what, string? section)
    {
        var result = new List<string>();
        var knownSet = known.ToHashSet(StringComparer.Ordinal);
        foreach (var (value, at) in values ?? [])
        {
            if (knownSet.Contains(value))
            {
                result.Add(value);
                continue;
            }

            var where = section is null ? string.Empty : $" in the configuration's '{section}' section";
            var list = knownSet.Count == 0 ? "none" : string.Join(", ", knownSet.Order(StringComparer.Ordinal));
            _reader.Error(at, $"Unknown {what} '{value}'{where}; known: {list}.");
        }

        return result;
    }

    private (List<string> Groups, int Count) ParseApprovers(YamlNode? node, PolicyEffect? effect, string? rule, YamlNode ruleNode)
    {
        if (node is null)
        {
            if (effect == PolicyEffect.Approval)
            {
                _reader.Error(ruleNode, $"Approval rule '{rule}' needs 'approvers: {{ groups: [...] }}' naming who may approve.");
            }

            return ([], 1);
        }

        if (effect is not PolicyEffect.Approval)
        {
            _reader.Error(node, $"'approvers' only applies to approval rules; rule '{rule}' is not one.");
            return ([], 1);
        }

        if (_reader.Mapping(node, "'approvers'") is not { } mapping)
        {
            return ([], 1);
        }

        var groups = new List<string>();
        var count = 1;
        foreach (var (key, _, value) in _reader.Entries(mapping, "'approvers'", ApproverKeys))
        {
            if (key == "count")
            {
                if (value is not YamlScalarNode { Value: { } text } || !int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxApproverCount)
                {
                    _reader.Error(value, $"'approvers.count' of rule '{rule}' must be a whole number from 1 to {MaxApproverCount}: how many distinct approvers must approve.");
                    count = 1;
                }

                continue;
            }

            groups = Known(_reader.ScalarOrList(value, "'approvers.groups'"), _environment.Groups, "approver group", "Groups");
        }

        if (groups.Count == 0 && !mapping.Children.Any(c => c.Key is YamlScalarNode { Value: "groups" }))
        {
            _reader.Error(node, $"Approval rule '{rule}' needs at least one approver group under 'approvers.groups'.");
        }

        return (groups, count);
    }
}

/// <summary>What a rule's <c>when</c> says, while it is being parsed.</summary>
internal sealed class Scope
{
    public List<string> Identities { get; set; } = [];

    public List<string> Groups { get; set; } = [];

    public List<string> Clients { get; set; } = [];

    public List<string> Tools { get; set; } = [];

    public List<(string Value, YamlNode Node)> ConnectionNodes { get; set; } = [];

    public List<string> Connections { get; } = [];

    public List<FactCondition> CallConditions { get; } = [];

    public List<FactCondition> ElementConditions { get; } = [];

    public string? ElementList { get; set; }

    public bool NamesUnparsed { get; set; }

    public bool NamesComplex { get; set; }

    /// <summary>When the rule tests facts: the tools that produce all of them (the only ones it can match).</summary>
    public IReadOnlyList<ToolDescriptor>? FactTools { get; set; }

    /// <summary>The tools the rule can apply to: those it names, or every tool.</summary>
    public IReadOnlyList<ToolDescriptor> ApplicableTools(ToolCatalog catalog) =>
        Tools.Count == 0
            ? [.. catalog.Tools.Values]
            : [.. Tools.Select(catalog.Find).OfType<ToolDescriptor>()];
}

using System.Collections.Frozen;
using McpGateway.Policies.Facts;

namespace McpGateway.Policies.Tools;

/// <summary>
/// What the policy layer knows about one tool: the kind of target it acts on, the facts its
/// classifier produces, the obligations its executor understands, and the classifier itself.
/// </summary>
public sealed class ToolDescriptor
{
    public ToolDescriptor(
        string name,
        string targetKind,
        IEnumerable<FactDescriptor> facts,
        IEnumerable<ElementListDescriptor> elementLists,
        IEnumerable<ObligationDescriptor> obligations,
        IToolClassifier classifier,
        IEnumerable<string>? arguments = null)
    {
        Name = name;
        Arguments = arguments?.ToFrozenSet(StringComparer.Ordinal);
        TargetKind = targetKind;
        ElementLists = elementLists.ToFrozenDictionary(l => l.Name, StringComparer.Ordinal);
        Facts = CommonFacts.All.Concat(facts).ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);
        Obligations = CommonObligations.All.Concat(obligations).ToFrozenDictionary(o => o.Name, StringComparer.Ordinal);
        Classifier = classifier;

        foreach (var fact in Facts.Values)
        {
            if (fact.ElementList is { } list && !ElementLists.ContainsKey(list))
            {
                throw new ArgumentException($"Fact '{fact.Name}' names element list '{list}', which tool '{name}' does not declare.", nameof(facts));
            }
        }

        foreach (var list in ElementLists.Values)
        {
            if (!Facts.TryGetValue(list.KeyFact, out var key) || key.ElementList != list.Name)
            {
                throw new ArgumentException($"Element list '{list.Name}' names key fact '{list.KeyFact}', which is not one of its element facts.", nameof(elementLists));
            }
        }
    }

    public string Name { get; }

    /// <summary>The configuration section under <c>Targets</c> that holds this tool's targets.</summary>
    public string TargetKind { get; }

    public FrozenDictionary<string, FactDescriptor> Facts { get; }

    public FrozenDictionary<string, ElementListDescriptor> ElementLists { get; }

    public FrozenDictionary<string, ObligationDescriptor> Obligations { get; }

    public IToolClassifier Classifier { get; }

    /// <summary>
    /// The argument names the classifier accepts, when the tool declares them: the one source the
    /// MCP input schema is checked against, so the two cannot drift.
    /// </summary>
    public FrozenSet<string>? Arguments { get; }

    /// <summary>
    /// The descriptor of a fact name as rules may write it: a declared fact, or an element
    /// list's name (a call-level list of its elements' key facts).
    /// </summary>
    public FactDescriptor? FindFact(string name)
    {
        if (Facts.TryGetValue(name, out var fact))
        {
            return fact;
        }

        return ElementLists.TryGetValue(name, out var list)
            ? new FactDescriptor(list.Name, FactType.TextList, list.Description, null, Facts[list.KeyFact].Matching)
            : null;
    }
}

using System.Collections.Immutable;
using McpGateway.Policies.Facts;
using McpGateway.Policies.Model;
using McpGateway.Policies.Tools;

namespace McpGateway.Policies.Evaluation;

/// <summary>
/// The decision procedure. Default deny; every matching rule contributes; any deny wins, else any
/// approval, else allow — and an allow or approval needs every element of every element list
/// covered. Unparsed and complex calls are only allowed by rules that name those facts.
/// </summary>
internal static class PolicyEvaluator
{
    private const int MaxNearMisses = 3;

    public static PolicyDecision Refuse(string revision, string identity, string tool, Classification? classification, params Refusal[] refusals) => new()
    {
        Effect = PolicyEffect.Deny,
        Reasons = [.. refusals.Select(r => r.Reason)],
        MatchedRules = [.. refusals.Select(r => "builtin:" + r.Code).Distinct(StringComparer.Ordinal)],
        Revision = revision,
        Facts = classification?.Facts ?? FactSet.Empty,
        Classification = classification,
        Identity = identity,
        Tool = tool,
        Target = classification?.Target,
    };

    public static PolicyDecision Decide(PolicySnapshot snapshot, IdentityInfo identity, ToolDescriptor tool, Classification classification)
    {
        var revision = snapshot.Bundle.Revision;
        if (!classification.Refusals.IsEmpty)
        {
            return Refuse(revision, identity.Name, tool.Name, classification, [.. classification.Refusals]);
        }

        var facts = new CallFacts(tool, classification.Facts);
        var unparsed = classification.IsUnparsed || classification.Facts.Get(CommonFacts.Unparsed)?.Flag == true;
        var complex = classification.Facts.Get(CommonFacts.Complex)?.Flag == true;
        var matches = new List<RuleMatch>();
        var nearMisses = new List<string>();
        var inScope = 0;
        foreach (var rule in snapshot.Bundle.Rules)
        {
            if (!InScope(rule, identity, tool.Name, classification.Target))
            {
                continue;
            }

            if (rule.Effect != PolicyEffect.Deny)
            {
                inScope++;
            }

            if (Match(rule, facts, unparsed, complex, out var miss) is { } match)
            {
                matches.Add(match);
            }
            else if (rule.Effect != PolicyEffect.Deny && miss is not null && nearMisses.Count < MaxNearMisses && !(unparsed && !rule.NamesUnparsed) && !(complex && !rule.NamesComplex))
            {
                nearMisses.Add($"rule '{rule.Name}' {miss}");
            }
        }

        var decision = new PolicyDecision
        {
            Effect = PolicyEffect.Deny,
            Reasons = [],
            MatchedRules = [],
            Revision = revision,
            Facts = classification.Facts,
            Classification = classification,
            Identity = identity.Name,
            Tool = tool.Name,
            Target = classification.Target,
        };

        var denies = matches.Where(m => m.Rule.Effect == PolicyEffect.Deny).ToList();
        if (denies.Count > 0)
        {
            return decision with
            {
                Reasons = [.. denies.Select(d => d.Rule.Reason is { } reason ? $"Denied by rule '{d.Rule.Name}': {Sentence(reason)}" : $"Denied by rule '{d.Rule.Name}'.")],
                MatchedRules = [.. denies.Select(d => d.Rule.Name)],
            };
        }

        var grants = matches.Where(m => m.Rule.Effect != PolicyEffect.Deny).ToList();
        if (grants.Count == 0)
        {
            return decision with { Reasons = [.. DefaultDenyReasons(identity, tool, classification, unparsed, complex, inScope, nearMisses)] };
        }

        var uncovered = Uncovered(tool, facts, grants);
        if (uncovered.Count > 0)
        {
            return decision with
            {
                Reasons = [.. uncovered, .. nearMisses.Select(m => "Closest: " + m + ".")],
                MatchedRules = [],
            };
        }

        var approvals = grants.Where(g => g.Rule.Effect == PolicyEffect.Approval).ToList();
        var contributing = approvals.Concat(grants.Where(g => g.Rule.Effect == PolicyEffect.Allow)).ToList();
        var obligations = MergeObligations(contributing.Select(c => c.Rule));
        if (approvals.Count > 0)
        {
            return decision with
            {
                Effect = PolicyEffect.Approval,
                Reasons = [.. approvals.Select(a => $"Approval required by rule '{a.Rule.Name}'{(a.Rule.Reason is { } r ? ": " + Sentence(r) : ".")} Approvers: {(a.Rule.ApproverCount > 1 ? $"{a.Rule.ApproverCount} of " : string.Empty)}{string.Join(", ", a.Rule.ApproverGroups.Order(StringComparer.Ordinal))}.")],
                MatchedRules = [.. contributing.Select(c => c.Rule.Name)],
                Obligations = obligations,
                Approvals = [.. approvals.Select(a => new ApprovalRequirement(a.Rule.Name, [.. a.Rule.ApproverGroups.Order(StringComparer.Ordinal)], a.Rule.ApproverCount))],
            };
        }

        return decision with
        {
            Effect = PolicyEffect.Allow,
            Reasons = [.. contributing.Select(c => $"Allowed by rule '{c.Rule.Name}'.")],
            MatchedRules = [.. contributing.Select(c => c.Rule.Name)],
            Obligations = obligations,
        };
    }

    public static bool MayEverUse(PolicySnapshot snapshot, string identity, string tool, string target) =>
        snapshot.Environment.Identities.TryGetValue(identity, out var info) && MayEverUse(snapshot, info, tool, target);

    /// <summary>As <see cref="MayEverUse(PolicySnapshot, string, string, string)"/>, for an identity given whole (a pseudonymous caller the configuration does not hold).</summary>
    public static bool MayEverUse(PolicySnapshot snapshot, IdentityInfo info, string tool, string target)
    {
        if (snapshot.Tools.Find(tool) is not { } descriptor
            || snapshot.Environment.FindTarget(descriptor.TargetKind, target) is null)
        {
            return false;
        }

        var scoped = snapshot.Bundle.Rules.Where(r => InScope(r, info, tool, target)).ToList();
        return !scoped.Any(r => r.Effect == PolicyEffect.Deny && r.IsUnconditional)
            && scoped.Any(r => r.Effect != PolicyEffect.Deny);
    }

    /// <summary>Whether some approval rule could apply to a call of <paramref name="identity"/> on a configured target.</summary>
    public static bool MayNeedApproval(PolicySnapshot snapshot, string identity) =>
        snapshot.Environment.Identities.TryGetValue(identity, out var info) && MayNeedApproval(snapshot, info);

    /// <summary>As <see cref="MayNeedApproval(PolicySnapshot, string)"/>, for an identity given whole.</summary>
    public static bool MayNeedApproval(PolicySnapshot snapshot, IdentityInfo info)
    {

        foreach (var rule in snapshot.Bundle.Rules.Where(r => r.Effect == PolicyEffect.Approval))
        {
            foreach (var tool in rule.Tools.Count == 0 ? (IEnumerable<string>)snapshot.Tools.Tools.Keys : rule.Tools)
            {
                if (snapshot.Tools.Find(tool) is { } descriptor
                    && snapshot.Environment.TargetNames(descriptor.TargetKind).Any(t => InScope(rule, info, tool, t)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool InScope(PolicyRule rule, IdentityInfo identity, string tool, string? target) =>
        (rule.Identities.Count == 0 || rule.Identities.Contains(identity.Name))
        && (rule.Groups.Count == 0 || rule.Groups.Overlaps(identity.Groups))
        && (rule.Clients.Count == 0 || (identity.Client is { } client && rule.Clients.Contains(client)))
        && (rule.Tools.Count == 0 || rule.Tools.Contains(tool))
        && (rule.Connections.Count == 0 || (target is not null && rule.Connections.Contains(target)));

    private static RuleMatch? Match(PolicyRule rule, CallFacts facts, bool unparsed, bool complex, out string? miss)
    {
        miss = null;
        var restrictive = rule.Effect != PolicyEffect.Allow;
        if (rule.Effect != PolicyEffect.Deny)
        {
            if (unparsed && !rule.NamesUnparsed)
            {
                miss = "does not name 'unparsed', so it cannot allow a call that was not fully understood";
                return null;
            }

            if (complex && !rule.NamesComplex)
            {
                miss = "does not name 'complex', so it cannot allow a complex call";
                return null;
            }
        }

        foreach (var condition in rule.CallConditions)
        {
            var value = facts.Get(condition.Fact.Name);
            if (!ConditionEvaluator.Holds(condition, value, restrictive))
            {
                miss = $"needs {condition.Describe()}, but {condition.Fact.Name} is {(value is null ? "absent" : value.ToString())}";
                return null;
            }
        }

        if (rule.ElementList is not { } list)
        {
            return new RuleMatch(rule, null);
        }

        var elements = facts.Facts.ElementsOf(list);
        var matched = ImmutableHashSet.CreateBuilder<int>();
        for (var i = 0; i < elements.Length; i++)
        {
            if (rule.ElementConditions.All(c => ConditionEvaluator.Holds(c, elements[i].Get(c.Fact.Name), restrictive)))
            {
                matched.Add(i);
            }
        }

        if (matched.Count == 0)
        {
            miss = $"needs an element of {list} with {string.Join(" and ", rule.ElementConditions.Select(c => c.Describe()))}, and none has it";
            return null;
        }

        return new RuleMatch(rule, matched.ToImmutable());
    }

    private static List<string> Uncovered(ToolDescriptor tool, CallFacts facts, List<RuleMatch> grants)
    {
        var reasons = new List<string>();
        foreach (var (list, elements) in facts.Facts.Elements.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var key = tool.ElementLists.TryGetValue(list, out var descriptor) ? descriptor.KeyFact : null;
            for (var i = 0; i < elements.Length; i++)
            {
                var index = i;
                if (grants.Any(g => g.Elements is null || (g.Rule.ElementList == list && g.Elements.Contains(index))))
                {
                    continue;
                }

                var label = key is not null && elements[i].Get(key) is { } keyValue ? $" ({keyValue})" : string.Empty;
                reasons.Add($"No rule allows {list}[{i}]{label}; every element of a call must be allowed.");
            }
        }

        return reasons;
    }

    private static ImmutableSortedDictionary<string, ObligationValue> MergeObligations(IEnumerable<PolicyRule> rules)
    {
        var merged = ImmutableSortedDictionary.CreateBuilder<string, ObligationValue>(StringComparer.Ordinal);
        var contributing = rules as IReadOnlyCollection<PolicyRule> ?? [.. rules];
        foreach (var rule in contributing)
        {
            foreach (var (name, value) in rule.Obligations)
            {
                merged[name] = merged.TryGetValue(name, out var existing) ? existing.Strictest(value) : value;
            }
        }

        // A grant holds only when every contributing rule gives it: a rule that says nothing withholds it.
        foreach (var (name, value) in merged.ToList())
        {
            if (value.Kind == ObligationKind.Grant && value.Flag && contributing.Any(rule => !rule.Obligations.ContainsKey(name)))
            {
                merged[name] = value with { Flag = false };
            }
        }

        return merged.ToImmutable();
    }

    private static IEnumerable<string> DefaultDenyReasons(IdentityInfo identity, ToolDescriptor tool, Classification classification, bool unparsed, bool complex, int inScope, List<string> nearMisses)
    {
        if (unparsed)
        {
            var because = classification.UnparsedReasons.IsEmpty ? "the classifier could not fully understand it" : string.Join(" ", classification.UnparsedReasons);
            yield return $"The call could not be fully understood: {because} Only a rule that names 'unparsed' may allow such a call.";
        }
        else if (complex)
        {
            yield return "The call is too complex to reason about; only a rule that names 'complex' may allow it.";
        }

        if (inScope == 0)
        {
            yield return $"No rule allows identity '{identity.Name}' to use {tool.Name} on '{classification.Target}' (default deny).";
            yield break;
        }

        if (!unparsed && !complex)
        {
            yield return $"No rule allows this {tool.Name} call by '{identity.Name}' on '{classification.Target}' (default deny).";
        }

        foreach (var miss in nearMisses)
        {
            yield return "Closest: " + miss + ".";
        }
    }

    private static string Sentence(string text) =>
        text.Length > 0 && text[^1] is '.' or '!' or '?' ? text : text + ".";

    private sealed record RuleMatch(PolicyRule Rule, ImmutableHashSet<int>? Elements);

    /// <summary>Call-level facts plus element lists read as lists of their key facts.</summary>
    private sealed class CallFacts(ToolDescriptor tool, FactSet facts)
    {
        private Dictionary<string, FactValue>? _lists;

        public FactSet Facts => facts;

        public FactValue? Get(string name)
        {
            if (facts.Get(name) is { } value)
            {
                return value;
            }

            if (!tool.ElementLists.TryGetValue(name, out var list))
            {
                return null;
            }

            _lists ??= new Dictionary<string, FactValue>(StringComparer.Ordinal);
            if (!_lists.TryGetValue(name, out var keys))
            {
                keys = FactValue.Of(facts.ElementsOf(name).Select(e => e.Get(list.KeyFact)?.ToString()).OfType<string>());
                _lists[name] = keys;
            }

            return keys;
        }
    }
}

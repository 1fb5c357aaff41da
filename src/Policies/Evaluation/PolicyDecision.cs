using System.Collections.Immutable;
using System.Text.Json.Nodes;
using McpGateway.Policies.Facts;
using McpGateway.Policies.Model;
using McpGateway.Policies.Tools;

namespace McpGateway.Policies.Evaluation;

/// <summary>An approval a call needs: the rule that asked for it, the groups that may give it, and how many distinct approvers it takes.</summary>
public sealed record ApprovalRequirement(string Rule, ImmutableArray<string> Groups, int Count = 1);

/// <summary>The outcome of evaluating one call. Reasons are data: they go to the caller, the audit log and <c>policy eval</c>.</summary>
public sealed record PolicyDecision
{
    public required PolicyEffect Effect { get; init; }

    /// <summary>Human-readable reasons, most important first.</summary>
    public required ImmutableArray<string> Reasons { get; init; }

    /// <summary>Rules that decided the outcome; built-in refusals appear as <c>builtin:&lt;code&gt;</c>.</summary>
    public required ImmutableArray<string> MatchedRules { get; init; }

    /// <summary>Obligations merged to the strictest over the contributing rules.</summary>
    public ImmutableSortedDictionary<string, ObligationValue> Obligations { get; init; } = ImmutableSortedDictionary<string, ObligationValue>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>For approval decisions: every requirement; an approver must satisfy each one.</summary>
    public ImmutableArray<ApprovalRequirement> Approvals { get; init; } = [];

    public FactSet Facts { get; init; } = FactSet.Empty;

    /// <summary>The revision of the bundle that decided.</summary>
    public required string Revision { get; init; }

    /// <summary>The classification behind the decision, when the call got that far.</summary>
    public Classification? Classification { get; init; }

    public string Identity { get; init; } = string.Empty;

    public string Tool { get; init; } = string.Empty;

    public string? Target { get; init; }

    /// <summary>The decision as <c>policy eval</c> prints it.</summary>
    public JsonObject ToJson()
    {
        var obligations = new JsonObject();
        foreach (var (name, value) in Obligations)
        {
            obligations[name] = value.ToJson();
        }

        var json = new JsonObject
        {
            ["decision"] = Effect.ToName(),
            ["reasons"] = new JsonArray([.. Reasons.Select(r => (JsonNode?)JsonValue.Create(r))]),
            ["matchedRules"] = new JsonArray([.. MatchedRules.Select(r => (JsonNode?)JsonValue.Create(r))]),
            ["obligations"] = obligations,
            ["facts"] = Facts.ToJson(),
            ["revision"] = Revision,
        };
        if (!Approvals.IsEmpty)
        {
            json["approvers"] = new JsonArray([.. Approvals.Select(a => (JsonNode?)new JsonObject
            {
                ["rule"] = a.Rule,
                ["groups"] = new JsonArray([.. a.Groups.Select(g => (JsonNode?)JsonValue.Create(g))]),
                ["count"] = a.Count,
            })]);
        }

        return json;
    }
}

using System.Collections.Immutable;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Policies;
using McpGateway.Policies.Evaluation;
using McpGateway.Storage;

namespace McpGateway.Approvals;

/// <summary>
/// Who may decide an approval request, and whether its votes satisfy its rules — DESIGN.md's
/// "Approval integrity", always read against the configuration in force now: an approver must
/// hold the operator role and a group each rule names, and must be neither the requester nor the
/// requester's owner; each rule needs its <c>approvers.count</c> distinct such approvers.
/// </summary>
internal static class ApprovalRequirements
{
    public static JsonArray ToJson(IEnumerable<ApprovalRequirement> requirements) =>
        new([.. requirements.Select(r => (JsonNode?)new JsonObject
        {
            ["rule"] = r.Rule,
            ["groups"] = new JsonArray([.. r.Groups.Select(g => (JsonNode?)JsonValue.Create(g))]),
            ["count"] = r.Count,
        })]);

    public static ImmutableArray<ApprovalRequirement> Read(ApprovalRecord record) =>
        record.Detail["requirements"] is JsonArray array
            ? [.. array.OfType<JsonObject>().Select(r => new ApprovalRequirement(
                r["rule"]?.GetValue<string>() ?? string.Empty,
                [.. (r["groups"] as JsonArray ?? []).Select(g => g?.GetValue<string>()).OfType<string>()],
                r["count"]?.GetValue<int>() ?? 1))]
            : [];

    /// <summary>Why <paramref name="approver"/> may not decide <paramref name="record"/>, or null when they may.</summary>
    public static string? WhyNot(ApprovalRecord record, string approver, GatewayConfiguration configuration)
    {
        if (!configuration.Identities.TryGetValue(approver, out var identity))
        {
            return $"'{approver}' is not a configured identity.";
        }

        if (IsRequesterSide(record, approver, configuration))
        {
            return $"'{approver}' is the requester or the requester's owner and may not decide this request; another operator must.";
        }

        if (!identity.Roles.Contains(Roles.Operator))
        {
            return $"'{approver}' does not hold the operator role; only operators decide approvals.";
        }

        var requirements = Read(record);
        if (!requirements.Any(r => r.Groups.Any(identity.Groups.Contains)))
        {
            return $"'{approver}' is in none of the approver groups of this request ({string.Join(", ", requirements.SelectMany(r => r.Groups).Distinct().Order(StringComparer.Ordinal))}).";
        }

        return null;
    }

    /// <summary>
    /// Whether the approving votes meet every requirement, each approver checked against the
    /// configuration now (an approver who lost the role or the group no longer counts).
    /// </summary>
    public static bool Satisfied(IEnumerable<ApprovalRequirement> requirements, IEnumerable<string> approvers, ApprovalRecord record, GatewayConfiguration configuration)
    {
        var qualified = approvers.Distinct(StringComparer.Ordinal)
            .Where(a => configuration.Identities.TryGetValue(a, out var identity) && identity.Roles.Contains(Roles.Operator) && !IsRequesterSide(record, a, configuration))
            .Select(a => configuration.Identities[a])
            .ToList();
        return requirements.All(r => qualified.Count(a => r.Groups.Any(a.Groups.Contains)) >= Math.Max(1, r.Count));
    }

    /// <summary>What each rule still needs, for messages: "billing-writes: 1 of 2".</summary>
    public static string Progress(IEnumerable<ApprovalRequirement> requirements, IEnumerable<string> approvers, ApprovalRecord record, GatewayConfiguration configuration) =>
        string.Join("; ", requirements.Select(r =>
        {
            var have = approvers.Distinct(StringComparer.Ordinal).Count(a =>
                configuration.Identities.TryGetValue(a, out var identity) && identity.Roles.Contains(Roles.Operator)
                && !IsRequesterSide(record, a, configuration) && r.Groups.Any(identity.Groups.Contains));
            return $"{r.Rule}: {Math.Min(have, r.Count)} of {r.Count} from {string.Join(" or ", r.Groups)}";
        }));

    /// <summary>The requester, or its owner as recorded or as configured now.</summary>
    private static bool IsRequesterSide(ApprovalRecord record, string identity, GatewayConfiguration configuration) =>
        identity == record.Requester
        || identity == record.Owner
        || (configuration.Identities.TryGetValue(record.Requester, out var requester) && requester.Owner == identity);
}

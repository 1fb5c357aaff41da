using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.Tools.KubectlApply;

/// <summary>
/// Reads the API server's <c>Status</c> objects (kind Status: reason, message, details.causes) into
/// messages an agent can act on. Conflicts name the fields and the field managers that own them.
/// </summary>
internal static class KubernetesStatus
{
    private const int MaxCauses = 10;

    /// <summary>The server's reason (<c>Conflict</c>, <c>Invalid</c>, <c>Forbidden</c>, <c>NotFound</c>), or null.</summary>
    public static string? Reason(KubernetesResponse response) => Text(response.Body?["reason"]);

    /// <summary>The server's own words: its message and each cause, or the bare status when it sent no Status.</summary>
    public static string Message(KubernetesResponse response)
    {
        if (response.Body is not JsonObject status || Text(status["message"]) is not { } message)
        {
            return response.Body is JsonValue raw && raw.GetValueKind() == JsonValueKind.String
                ? $"{(int)response.Status} {response.Status}: {raw.GetValue<string>()}"
                : $"{(int)response.Status} {response.Status}";
        }

        var causes = Causes(response).Take(MaxCauses).Select(c => c.Field is null ? c.Message : $"{c.Field}: {c.Message}").ToList();
        return causes.Count == 0 || causes.All(c => message.Contains(c, StringComparison.Ordinal))
            ? message
            : $"{message} ({string.Join("; ", causes)})";
    }

    /// <summary>The causes the server listed (a conflict's fields, an invalid object's fields).</summary>
    public static IEnumerable<(string? Reason, string Message, string? Field)> Causes(KubernetesResponse response) =>
        (response.Body?["details"]?["causes"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(c => (Text(c["reason"]), Text(c["message"]) ?? string.Empty, Text(c["field"])));

    /// <summary>What to tell an agent about one object's failure, by the kind of failure.</summary>
    public static string Explain(KubernetesResponse response, string what, bool dryRun)
    {
        var stage = dryRun ? "The server-side dry run" : "Server-side apply";
        var server = Message(response);
        return ((int)response.Status, Reason(response)) switch
        {
            (409, _) => $"{stage} of {what} conflicts with another field manager: {server}. The gateway applies as field manager 'mcp-gateway' and does not take over fields another manager owns. Remove those fields from the manifest (or set them to the live values), or ask an operator for a rule with the forceConflicts obligation.",
            (422, _) or (_, "Invalid") => $"{stage} of {what} was rejected as invalid: {server}. Fix the fields named and call again.",
            (403, _) => $"{stage} of {what} was forbidden by the cluster: {server}. The gateway's account may not do this; an operator decides whether it should.",
            (404, _) => $"{stage} of {what} failed with 404 Not Found: {server}. Check the namespace exists and the kind's apiVersion is served.",
            _ => $"{stage} of {what} failed: {server}.",
        };
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}

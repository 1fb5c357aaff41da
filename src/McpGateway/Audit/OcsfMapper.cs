using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpGateway.Audit;

/// <summary>
/// Maps chain entries to OCSF 1.1 "API Activity" events (class 6003, category 6 Application
/// Activity), one JSON object per line, for SIEMs. The chain fields that OCSF has no place for
/// (type, hashes, payload) are kept under <c>unmapped</c>, so nothing is lost.
/// </summary>
public static class OcsfMapper
{
    public const string SchemaVersion = "1.1.0";
    private const int ApiActivity = 6003;

    public static JsonObject Map(AuditEntry entry)
    {
        var payload = entry.PayloadJson();

        var activity = Activity(entry, payload);
        var failed = entry.Type is AuditEventTypes.CallRefused or AuditEventTypes.CallAbandoned
            || (entry.Type == AuditEventTypes.CallFinished && Text(payload, "outcome") == "error");
        var ocsf = new JsonObject
        {
            ["class_uid"] = ApiActivity,
            ["class_name"] = "API Activity",
            ["category_uid"] = 6,
            ["category_name"] = "Application Activity",
            ["activity_id"] = activity.Id,
            ["activity_name"] = activity.Name,
            ["type_uid"] = (ApiActivity * 100) + activity.Id,
            ["time"] = entry.Timestamp.ToUnixTimeMilliseconds(),
            ["severity_id"] = entry.Type == AuditEventTypes.CallRefused ? 3 : 1,
            ["status_id"] = failed ? 2 : 1,
            ["status"] = failed ? "Failure" : "Success",
            ["message"] = $"{entry.Type} {Text(payload, "tool")} {Text(payload, "target")}".TrimEnd(),
            ["actor"] = new JsonObject
            {
                ["user"] = new JsonObject { ["name"] = entry.Ids.Identity },
                ["session"] = new JsonObject { ["uid"] = entry.Ids.SessionId },
            },
            ["api"] = new JsonObject
            {
                ["operation"] = Text(payload, "tool") ?? entry.Type,
                ["service"] = new JsonObject { ["name"] = Text(payload, "target") },
                ["request"] = new JsonObject { ["uid"] = entry.Ids.CallId },
            },
            ["metadata"] = new JsonObject
            {
                ["version"] = SchemaVersion,
                ["product"] = new JsonObject { ["name"] = "McpGateway", ["vendor_name"] = "McpGateway" },
                ["uid"] = entry.EntryHash,
                ["sequence"] = entry.Seq,
            },
            ["unmapped"] = new JsonObject
            {
                ["type"] = entry.Type,
                ["approvalId"] = entry.Ids.ApprovalId,
                ["prevHash"] = entry.PrevHash,
                ["payloadHash"] = entry.PayloadHash,
                ["payload"] = entry.PayloadForExport(),
            },
        };
        return ocsf;
    }

    /// <summary>OCSF API activity: Create 1, Read 2, Update 3, Delete 4, Other 99 — from the HTTP method or key action.</summary>
    private static (int Id, string Name) Activity(AuditEntry entry, JsonNode? payload)
    {
        switch (entry.Type)
        {
            case AuditEventTypes.KeyCreated:
                return (1, "Create");
            case AuditEventTypes.KeyRotated:
                return (3, "Update");
            case AuditEventTypes.KeyRevoked:
                return (4, "Delete");
        }

        var method = Text(payload?["arguments"], "method")?.ToUpperInvariant();
        return method switch
        {
            "POST" => (1, "Create"),
            "GET" or "HEAD" => (2, "Read"),
            "PUT" or "PATCH" => (3, "Update"),
            "DELETE" => (4, "Delete"),
            _ => (99, "Other"),
        };
    }

    private static string? Text(JsonNode? node, string name)
    {
        try
        {
            return node is JsonObject obj && obj[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}

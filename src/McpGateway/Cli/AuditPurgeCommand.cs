using System.CommandLine;
using System.Text.Json.Nodes;

namespace McpGateway.Cli;

/// <summary>
/// <c>audit purge --identity X --before DATE</c>: an erasure request, through a running gateway's
/// <c>/api/audit/purge</c> (<c>--url</c>) with an auditor's key from <c>MCPGW_OPERATOR_KEY</c> —
/// never by writing the store, so the purge is authorised and recorded by the gateway.
/// </summary>
internal static class AuditPurgeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var url = new Option<string?>("--url") { Description = $"The gateway's HTTP address, as given to 'serve --http' (default: ${ApprovalCommands.UrlVariable})." };
        var identity = new Option<string>("--identity") { Description = "The identity whose payloads are purged (as entries' headers name it).", Required = true };
        var before = new Option<string>("--before") { Description = "Only entries older than this: a date and time (2026-01-01T00:00:00Z) or a duration ago (90d).", Required = true };
        var reason = new Option<string?>("--reason") { Description = "Why (an erasure request's reference, say); recorded with the purge." };
        var command = new Command("purge", $"Purge an identity's payloads older than a date on a running gateway: headers stay, so the chain still verifies; recorded as audit.purged. Needs an auditor's key in {ApprovalCommands.KeyVariable}.")
        {
            url, identity, before, reason,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var until = CliTime.Parse(parseResult.GetValue(before), TimeProvider.System.GetUtcNow(), -1, "--before", out var problem);
            if (problem is not null || until is null)
            {
                await error.WriteLineAsync($"error: {problem ?? "--before is required."}").ConfigureAwait(false);
                return GatewayCli.Misuse;
            }

            var body = new JsonObject
            {
                ["identity"] = parseResult.GetValue(identity),
                ["before"] = Audit.AuditChain.FormatTimestamp(until.Value),
                ["reason"] = parseResult.GetValue(reason),
            }.ToJsonString();
            return await ApprovalCommands.SendAsync(parseResult.GetValue(url), HttpMethod.Post, "api/audit/purge", body, error, Purged, output, cancellationToken, "auditor").ConfigureAwait(false);
        });
        return command;
    }

    private static string Purged(JsonNode json) =>
        $"Purged the payloads of {json["entries"]} entries and {json["approvals"]} approval requests of {json["selector"]?["identity"]} recorded before {json["selector"]?["before"]}; headers stay. Recorded as audit entry {json["recordedAs"]}.";
}

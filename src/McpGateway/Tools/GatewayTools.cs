using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Configuration;
using McpGateway.Policies.Tools;
using McpGateway.Tools.HttpCall;
using McpGateway.Tools.RunSql;

namespace McpGateway.Tools;

/// <summary>
/// The tools this gateway offers: the one place a tool is registered. Everything else — the
/// policy catalog, the configuration's target kinds, the MCP tool list, the backends — is built
/// from this list.
/// </summary>
public static class GatewayTools
{
    public static IReadOnlyList<IGatewayToolModule> All { get; } = Validate([new HttpCallModule(), new RunSqlModule(), new SshExec.SshExecModule(), new KubectlApply.KubectlApplyModule()]);

    /// <summary>
    /// <paramref name="arguments"/> of a call of <paramref name="tool"/> as they are recorded
    /// (see <see cref="IGatewayToolModule.RecordableArguments"/>); an unknown tool's as sent.
    /// </summary>
    public static JsonNode? RecordableArguments(string tool, JsonElement arguments) =>
        arguments.ValueKind == JsonValueKind.Undefined ? null
        : All.FirstOrDefault(m => m.Policy.Name == tool) is { } module ? module.RecordableArguments(arguments)
        : Audit.RecordableJson.Sanitize(arguments);

    /// <summary>The policy catalog of every registered tool.</summary>
    public static ToolCatalog Catalog() => new([.. All.Select(m => m.Policy)]);

    /// <summary>The target kinds the registered tools act on, by name.</summary>
    public static IReadOnlyDictionary<string, ITargetKind> TargetKinds() =>
        All.Select(m => m.Targets).DistinctBy(k => k.Kind).ToDictionary(k => k.Kind, StringComparer.Ordinal);

    /// <summary>
    /// A target tool's declaration as clients see it: its input schema also takes the optional
    /// <c>justification</c>, and its output schema also admits the <c>pending</c> answer of a call
    /// that waits for approval and the <c>error</c> of a call that failed or was refused (clients
    /// that validate structured results accept all three).
    /// </summary>
    public static ToolDeclaration ForTargets(ToolDeclaration declaration)
    {
        var input = JsonNode.Parse(declaration.InputSchema.GetRawText())!.AsObject();
        if (input["properties"] is JsonObject properties)
        {
            properties[Pipeline.CallJustification.Argument] = JsonNode.Parse(Pipeline.CallJustification.Schema.GetRawText());
        }

        var output = declaration.OutputSchema.ValueKind == JsonValueKind.Object
            ? new JsonObject
            {
                ["type"] = "object",
                ["anyOf"] = new JsonArray(JsonNode.Parse(declaration.OutputSchema.GetRawText()), JsonNode.Parse(PendingSchema), JsonNode.Parse(ErrorSchema)),
            }
            : null;
        return declaration with
        {
            InputSchema = JsonSerializer.SerializeToElement(input),
            OutputSchema = output is null ? declaration.OutputSchema : JsonSerializer.SerializeToElement(output),
        };
    }

    private const string PendingSchema = """
        {
          "type": "object",
          "description": "The call needs an operator's approval and did not run yet.",
          "properties": {
            "callId": { "type": "string" },
            "approval": {
              "type": "object",
              "properties": {
                "id": { "type": "string", "description": "Pass it to approval_status to get the result once approved." },
                "status": { "type": "string" },
                "approvers": { "type": "array" },
                "expiresAt": { "type": "string" },
                "next": { "type": "string" }
              },
              "required": ["id", "status"]
            }
          },
          "required": ["callId", "approval"]
        }
        """;

    private const string ErrorSchema = """
        {
          "type": "object",
          "description": "The call was refused or failed (isError is true); the message says what to change.",
          "properties": {
            "callId": { "type": "string" },
            "error": {
              "type": "object",
              "properties": {
                "code": { "type": "string", "description": "denied, invalid-arguments, approval-required, approval-closed, approval-expired, rate-limited, concurrency-limited, target-error, timeout, cancelled, audit-unavailable, masking-failed or internal-error." },
                "message": { "type": "string" },
                "rules": { "type": "array", "items": { "type": "string" }, "description": "The rules that decided; built-in refusals as builtin:<code>." },
                "detail": { "type": "object", "description": "What the target reported, for the tool's own errors (run_sql: sqlState, condition, position)." }
              },
              "required": ["code", "message"]
            }
          },
          "required": ["callId", "error"]
        }
        """;

    /// <summary>Refuses a set of modules with a missing or inconsistent part, naming the tool and the part.</summary>
    public static IReadOnlyList<IGatewayToolModule> Validate(IReadOnlyList<IGatewayToolModule> modules)
    {
        var problems = new List<string>();
        foreach (var module in modules)
        {
            var name = module.Policy?.Name ?? module.GetType().Name;
            if (module.Policy is null)
            {
                problems.Add($"{name}: no policy descriptor.");
                continue;
            }

            if (module.Targets is null)
            {
                problems.Add($"{name}: no target kind.");
            }
            else if (module.Targets.Kind != module.Policy.TargetKind)
            {
                problems.Add($"{name}: its policy descriptor acts on '{module.Policy.TargetKind}' targets but its target kind is '{module.Targets.Kind}'.");
            }

            if (module.Describe([]) is not { } declaration || declaration.Name != name)
            {
                problems.Add($"{name}: its MCP declaration is missing or names another tool.");
            }
            else if (module.Policy.Arguments is { } accepted)
            {
                var declared = declaration.InputSchema.TryGetProperty("properties", out var properties)
                    ? properties.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal)
                    : [];
                if (!declared.SetEquals(accepted))
                {
                    problems.Add($"{name}: its input schema declares [{string.Join(", ", declared.Order(StringComparer.Ordinal))}] but its classifier accepts [{string.Join(", ", accepted.Order(StringComparer.Ordinal))}].");
                }
            }
        }

        foreach (var duplicate in modules.GroupBy(m => m.Policy?.Name).Where(g => g.Count() > 1))
        {
            problems.Add($"{duplicate.Key}: registered {duplicate.Count()} times.");
        }

        return problems.Count == 0
            ? modules
            : throw new InvalidOperationException("The gateway's tools are not wired completely: " + string.Join(" ", problems));
    }
}

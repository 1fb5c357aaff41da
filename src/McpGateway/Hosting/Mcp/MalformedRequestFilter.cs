using System.Text.Json;
using System.Text.Json.Nodes;
using McpGateway.Policies.Text;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpGateway.Hosting.Mcp;

/// <summary>
/// Requests whose <c>params</c> the SDK cannot read would take its generic error path ("An error
/// occurred.") and go unrecorded. This message filter runs first: <c>params</c> that is not an
/// object is a JSON-RPC invalid-params error saying what to send; a <c>tools/call</c> whose name
/// or arguments have the wrong shape goes on, reshaped, to the call filter, which runs it through
/// the pipeline as a refusal, so an identified caller's malformed call is recorded.
/// </summary>
internal static class MalformedRequestFilter
{
    /// <summary>Where the filter leaves what was wrong with a <c>tools/call</c>, for the call filter.</summary>
    public const string ItemKey = "io.mcpgateway/malformedCall";

    public static McpMessageHandler Create(McpMessageHandler next) => (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is JsonRpcRequest request)
        {
            Check(context, request);
        }

        return next(context, cancellationToken);
    };

    private static void Check(MessageContext context, JsonRpcRequest request)
    {
        var parameters = request.Params;
        if (request.Method == RequestMethods.ToolsCall)
        {
            if (Problem(parameters) is { } problem)
            {
                var name = parameters is JsonObject obj && obj["name"] is JsonValue value && value.TryGetValue(out string? text) ? text : string.Empty;
                var arguments = parameters is JsonObject withArguments && withArguments["arguments"] is { } given
                    ? JsonSerializer.SerializeToElement(given)
                    : JsonSerializer.SerializeToElement(parameters);
                context.Items[ItemKey] = new MalformedCall(problem, arguments);
                request.Params = new JsonObject { ["name"] = name, ["arguments"] = new JsonObject() };
            }

            return;
        }

        if (parameters is not null and not JsonObject)
        {
            throw new McpProtocolException(
                $"'params' of '{PrintableText.Escape(request.Method, 64)}' must be a JSON object (or left out), not {Kind(parameters)}.",
                McpErrorCode.InvalidParams);
        }
    }

    private static string? Problem(JsonNode? parameters)
    {
        if (parameters is not JsonObject obj)
        {
            return $"The tools/call 'params' must be a JSON object like {{\"name\": \"http_call\", \"arguments\": {{…}}}}, not {Kind(parameters)}.";
        }

        if (obj["name"] is not JsonValue name || !name.TryGetValue(out string? _))
        {
            return $"The tools/call 'params.name' must be the tool's name as a string, not {Kind(obj["name"])}.";
        }

        return obj.TryGetPropertyValue("arguments", out var arguments) && arguments is not null and not JsonObject
            ? $"The tools/call 'params.arguments' must be a JSON object of the tool's arguments, like {{\"service\": \"billing\", …}}, not {Kind(arguments)}."
            : null;
    }

    private static string Kind(JsonNode? node) => node switch
    {
        null => "nothing",
        JsonArray => "an array",
        JsonObject => "an object",
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        },
        _ => "something else",
    };
}

/// <summary>What was wrong with a <c>tools/call</c>, and the arguments as they came.</summary>
internal sealed record MalformedCall(string Problem, JsonElement Arguments);

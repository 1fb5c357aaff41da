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
        var unreadable = Unreadable(parameters);
        if (request.Method == RequestMethods.ToolsCall)
        {
            if ((unreadable ?? Problem(parameters)) is { } problem)
            {
                context.Items[ItemKey] = new MalformedCall(problem, Arguments(parameters, unreadable is null));
                request.Params = new JsonObject { ["name"] = unreadable is null ? Name(parameters) : string.Empty, ["arguments"] = new JsonObject() };
            }

            return;
        }

        if (unreadable is not null)
        {
            throw new McpProtocolException($"'params' of '{PrintableText.Escape(request.Method, 64)}': {unreadable}", McpErrorCode.InvalidParams);
        }

        if (parameters is not null and not JsonObject)
        {
            throw new McpProtocolException(
                $"'params' of '{PrintableText.Escape(request.Method, 64)}' must be a JSON object (or left out), not {Kind(parameters)}.",
                McpErrorCode.InvalidParams);
        }

        if (parameters is JsonObject withMeta && withMeta.TryGetPropertyValue("_meta", out var meta) && meta is not null and not JsonObject)
        {
            throw new McpProtocolException(
                $"'params._meta' of '{PrintableText.Escape(request.Method, 64)}' must be a JSON object (or left out), not {Kind(meta)}.",
                McpErrorCode.InvalidParams);
        }
    }

    /// <summary>
    /// Why <paramref name="node"/> cannot be read as data (a name repeated in an object, a lone
    /// surrogate escaped in a string or a name), or null. Every name and string is touched once.
    /// </summary>
    private static string? Unreadable(JsonNode? node)
    {
        try
        {
            Touch(node);
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            return "The params repeat a name in an object or hold a lone surrogate (an unpaired \\uD800-\\uDFFF escape), which the gateway cannot read unambiguously. Give each name once and remove the escape.";
        }

        static void Touch(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (_, child) in obj)
                    {
                        Touch(child);
                    }

                    break;
                case JsonArray array:
                    foreach (var child in array)
                    {
                        Touch(child);
                    }

                    break;
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    _ = value.GetValue<string>();
                    break;
            }
        }
    }

    private static string Name(JsonNode? parameters) =>
        parameters is JsonObject obj && obj["name"] is JsonValue value && value.TryGetValue(out string? text) ? text : string.Empty;

    /// <summary>The arguments as they came, for the request hash; params that cannot be read are kept as their text.</summary>
    private static JsonElement Arguments(JsonNode? parameters, bool readable)
    {
        if (readable)
        {
            return parameters is JsonObject obj && obj["arguments"] is { } given
                ? JsonSerializer.SerializeToElement(given)
                : JsonSerializer.SerializeToElement(parameters);
        }

        try
        {
            return JsonSerializer.SerializeToElement(parameters?.ToJsonString());
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or JsonException)
        {
            return JsonSerializer.SerializeToElement("(params that cannot be read)");
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

        if (obj.TryGetPropertyValue("arguments", out var arguments) && arguments is not null and not JsonObject)
        {
            return $"The tools/call 'params.arguments' must be a JSON object of the tool's arguments, like {{\"service\": \"billing\", …}}, not {Kind(arguments)}.";
        }

        // Whatever else the SDK reads from the params (_meta, requestState, inputResponses…)
        // must be readable too, or the call would end in the SDK's generic error, unrecorded.
        try
        {
            _ = obj.Deserialize<CallToolRequestParams>(McpJsonUtilities.DefaultOptions);
            return null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            var field = (ex as JsonException)?.Path is { Length: > 1 } path ? "params" + path[1..] : "params";
            return $"The tools/call '{PrintableText.Escape(field, 80)}' has the wrong type or shape; '_meta' and 'inputResponses' are objects and 'requestState' is a string.";
        }
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

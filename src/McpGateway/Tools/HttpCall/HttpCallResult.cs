using System.Text.Json.Nodes;

namespace McpGateway.Tools.HttpCall;

/// <summary>What an <c>http_call</c> returns to the agent (before masking).</summary>
/// <param name="Status">The HTTP status code; a 3xx is returned as is, never followed.</param>
/// <param name="Headers">Selected response headers, names lower case.</param>
/// <param name="Body">The body as text, or a summary for binary content.</param>
/// <param name="BodyKind"><c>json</c>, <c>text</c>, <c>binary</c> or <c>empty</c>.</param>
/// <param name="Truncated">Whether the body was cut at the size cap.</param>
/// <param name="BodyBytes">Bytes of body read (at most the cap).</param>
/// <param name="DurationMs">Time from sending to the end of the body.</param>
public sealed record HttpCallResult(int Status, IReadOnlyDictionary<string, string> Headers, string Body, string BodyKind, bool Truncated, long BodyBytes, long DurationMs)
{
    public JsonObject ToJson()
    {
        var headers = new JsonObject();
        foreach (var (name, value) in Headers)
        {
            headers[name] = value;
        }

        return new JsonObject
        {
            ["status"] = Status,
            ["headers"] = headers,
            ["body"] = Body,
            ["bodyKind"] = BodyKind,
            ["truncated"] = Truncated,
            ["bodyBytes"] = BodyBytes,
            ["durationMs"] = DurationMs,
        };
    }
}

/// <summary>The limits one call runs under, from its decision's obligations and the defaults.</summary>
public sealed record HttpCallLimits(long MaxResponseBytes)
{
    public static HttpCallLimits Default { get; } = new(1024 * 1024);
}

using System.Text.Json;

namespace McpGateway.Policies.Tools;

/// <summary>
/// Reads a tool call's arguments and says what the call really does. Pure: no I/O.
/// Anything it cannot understand becomes an <c>unparsed</c> reason or a refusal, never an exception.
/// </summary>
public interface IToolClassifier
{
    Classification Classify(JsonElement arguments, PolicyEnvironment environment);
}

using System.Collections.Immutable;
using System.Text.Json;
using McpGateway.Policies.Loading;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Cli;

/// <summary>What a case expects; null members are not checked.</summary>
internal sealed record PolicyExpectation(
    string Decision,
    ImmutableArray<string>? MatchedRules,
    ImmutableArray<string> ReasonsContain,
    ImmutableDictionary<string, JsonElement> Obligations,
    ImmutableArray<string>? Approvers);

/// <summary>One expected decision.</summary>
internal sealed record PolicyTestCase(string Name, string Location, string Identity, string Tool, JsonElement Arguments, PolicyExpectation Expect);

internal sealed class PolicyTestFileException(string message) : Exception(message);

/// <summary>
/// Reads <c>policy test</c> files: <c>cases:</c>, each with <c>name</c>, <c>identity</c>,
/// <c>tool</c>, <c>args</c> (a mapping) and <c>expect</c> (a decision, or a mapping with
/// <c>decision</c>, <c>matchedRules</c>, <c>reasons</c>, <c>obligations</c>, <c>approvers</c>).
/// </summary>
internal static class PolicyTestFile
{
    private static readonly string[] CaseKeys = ["name", "identity", "tool", "args", "expect"];
    private static readonly string[] ExpectKeys = ["decision", "matchedRules", "reasons", "obligations", "approvers"];
    private static readonly string[] Decisions = ["allow", "deny", "approval"];

    public static IReadOnlyList<PolicyTestCase> Load(string path)
    {
        var files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*.y*ml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : File.Exists(path) ? [path] : throw new PolicyTestFileException($"Test file '{path}' does not exist.");
        var cases = files.SelectMany(LoadFile).ToList();
        return cases.Count > 0 ? cases : throw new PolicyTestFileException($"'{path}' holds no test cases; write them under 'cases:'.");
    }

    private static IEnumerable<PolicyTestCase> LoadFile(string file)
    {
        YamlStream stream;
        try
        {
            stream = BoundedYaml.Load(file, BoundedYaml.ReadFile(file, YamlLimits.Policies), YamlLimits.Policies);
        }
        catch (YamlInputException ex)
        {
            throw new PolicyTestFileException($"{ex.Location}: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PolicyTestFileException($"Test file '{file}' cannot be read: {ex.Message}");
        }

        var name = Path.GetFileName(file);
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is not YamlMappingNode root || !root.Children.TryGetValue(new YamlScalarNode("cases"), out var list) || list is not YamlSequenceNode cases)
            {
                throw new PolicyTestFileException($"{name}:{document.RootNode.Start.Line}: a test file is a mapping with a 'cases:' list.");
            }

            foreach (var item in cases.Children)
            {
                yield return ReadCase(item, name);
            }
        }
    }

    private static PolicyTestCase ReadCase(YamlNode node, string file)
    {
        var at = $"{file}:{node.Start.Line}";
        if (node is not YamlMappingNode mapping)
        {
            throw new PolicyTestFileException($"{at}: each case is a mapping with {string.Join(", ", CaseKeys)}.");
        }

        CheckKeys(mapping, CaseKeys, at, "a case");
        var name = Text(mapping, "name", at) ?? at;
        var argsNode = Get(mapping, "args") ?? throw new PolicyTestFileException($"{at}: case '{name}' needs 'args' (the tool call's arguments).");
        var args = Json(argsNode, file);
        var expectNode = Get(mapping, "expect") ?? throw new PolicyTestFileException($"{at}: case '{name}' needs 'expect'.");
        return new PolicyTestCase(
            name,
            at,
            Text(mapping, "identity", at) ?? throw new PolicyTestFileException($"{at}: case '{name}' needs 'identity'."),
            Text(mapping, "tool", at) ?? throw new PolicyTestFileException($"{at}: case '{name}' needs 'tool'."),
            args,
            ReadExpectation(expectNode, $"{file}:{expectNode.Start.Line}"));
    }

    private static PolicyExpectation ReadExpectation(YamlNode node, string at)
    {
        if (node is YamlScalarNode { Value: { } shorthand })
        {
            return new PolicyExpectation(Decision(shorthand, at), null, [], ImmutableDictionary<string, JsonElement>.Empty, null);
        }

        if (node is not YamlMappingNode mapping)
        {
            throw new PolicyTestFileException($"{at}: 'expect' is a decision (allow, deny, approval) or a mapping with {string.Join(", ", ExpectKeys)}.");
        }

        CheckKeys(mapping, ExpectKeys, at, "'expect'");
        var obligations = Get(mapping, "obligations") is YamlMappingNode o
            ? Json(o, at).EnumerateObject().ToImmutableDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal)
            : ImmutableDictionary<string, JsonElement>.Empty;
        return new PolicyExpectation(
            Decision(Text(mapping, "decision", at) ?? throw new PolicyTestFileException($"{at}: 'expect' needs 'decision'."), at),
            Get(mapping, "matchedRules") is { } rules ? List(rules) : null,
            Get(mapping, "reasons") is { } reasons ? List(reasons) : [],
            obligations,
            Get(mapping, "approvers") is { } approvers ? List(approvers) : null);
    }

    private static JsonElement Json(YamlNode node, string at)
    {
        try
        {
            return JsonSerializer.SerializeToElement(YamlJson.ToJson(node));
        }
        catch (FormatException ex)
        {
            throw new PolicyTestFileException($"{at}: {ex.Message}");
        }
    }

    private static string Decision(string text, string at) =>
        Decisions.Contains(text, StringComparer.Ordinal) ? text : throw new PolicyTestFileException($"{at}: unknown decision '{text}'; use allow, deny or approval.");

    private static void CheckKeys(YamlMappingNode mapping, string[] known, string at, string what)
    {
        foreach (var key in mapping.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).Where(k => !known.Contains(k, StringComparer.Ordinal)))
        {
            throw new PolicyTestFileException($"{at}: unknown key '{key}' in {what}; expected {string.Join(", ", known)}.");
        }
    }

    private static YamlNode? Get(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Text(YamlMappingNode mapping, string key, string at) => Get(mapping, key) switch
    {
        null => null,
        YamlScalarNode { Value: { Length: > 0 } value } => value,
        _ => throw new PolicyTestFileException($"{at}: '{key}' must be a single value."),
    };

    private static ImmutableArray<string> List(YamlNode node) => node switch
    {
        YamlSequenceNode sequence => [.. sequence.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? string.Empty)],
        YamlScalarNode { Value: { } single } => [single],
        _ => [],
    };
}

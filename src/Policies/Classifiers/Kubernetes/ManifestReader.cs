using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>Bounds on a manifest, checked while it is read, before anything is built from it.</summary>
/// <param name="MaxChars">Longest manifest, in characters.</param>
/// <param name="MaxDepth">Deepest nesting of mappings and lists.</param>
/// <param name="MaxNodes">Most values (scalars, mappings and lists) the manifest may hold.</param>
/// <param name="MaxObjects">Most objects after <c>List</c> kinds are expanded.</param>
internal sealed record ManifestLimits(int MaxChars, int MaxDepth, int MaxNodes, int MaxObjects)
{
    /// <summary>
    /// Far beyond a real manifest (the API server takes at most 3 MiB per request, etcd 1.5 MiB per
    /// object; the deepest custom resource schemas nest a few dozen levels), far below what hurts.
    /// </summary>
    public static ManifestLimits Default { get; } = new(MaxChars: KubectlApplyTool.MaxManifestLength, MaxDepth: 100, MaxNodes: 250_000, MaxObjects: KubectlApplyTool.MaxObjects);
}

/// <summary>A manifest that cannot be read; the message says where and what to change, and never quotes a value.</summary>
internal sealed class ManifestException : Exception
{
    public ManifestException()
    {
    }

    public ManifestException(string message)
        : base(message)
    {
    }

    public ManifestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>One document of a manifest: its number (from 1), the line it starts on (0 for JSON), and its value.</summary>
internal sealed record ManifestDocument(int Number, int Line, JsonNode? Root);

/// <summary>
/// Reads a manifest — a YAML stream of one or more documents, or one or more JSON values — into
/// JSON nodes, strictly: a key given twice in a mapping, anchors and aliases, complex keys, merge
/// keys (<c>&lt;&lt;</c>), unknown tags, and scalars YAML 1.1 and 1.2 read differently are refused,
/// as is anything past <see cref="ManifestLimits"/>. The tree is built from the parser's events
/// without recursion, so no input can exhaust the stack.
/// </summary>
internal static class ManifestReader
{
    public static List<ManifestDocument> Read(string text, ManifestLimits limits)
    {
        if (text.Length > limits.MaxChars)
        {
            throw new ManifestException($"The manifest is {text.Length:N0} characters long; the limit is {limits.MaxChars:N0}. Apply it in several calls.");
        }

        var start = text.AsSpan().TrimStart(" \t\r\n\uFEFF");
        if (start.Length > 0 && start[0] is '{' or '[')
        {
            try
            {
                return ReadJson(text, limits);
            }
            catch (JsonException) when (TryReadYaml(text, limits) is { } documents)
            {
                // Not JSON, but YAML flow style ({kind: ConfigMap, ...}) is valid YAML.
                return documents;
            }
            catch (JsonException ex)
            {
                throw new ManifestException($"The manifest starts like JSON but is not valid JSON: {JsonMessage(ex)}. Fix the JSON, or write the manifest as YAML.");
            }
        }

        return ReadYaml(text, limits);
    }

    private static List<ManifestDocument>? TryReadYaml(string text, ManifestLimits limits)
    {
        try
        {
            return ReadYaml(text, limits);
        }
        catch (ManifestException)
        {
            return null;
        }
    }

    private static List<ManifestDocument> ReadYaml(string text, ManifestLimits limits)
    {
        var documents = new List<ManifestDocument>();
        var builder = new TreeBuilder(limits);
        var parser = new Parser(new StringReader(text));
        var number = 0;
        var line = 0;
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                switch (current)
                {
                    case DocumentStart start:
                        number++;
                        line = (int)current.Start.Line;
                        builder.Reset($"document {number}");
                        if (start.Version is { Version: var version } && (version.Major, version.Minor) != (1, 2))
                        {
                            throw Error(current, $"the document declares YAML {version.Major}.{version.Minor}, but manifests are read as YAML 1.2 (where yes, no, on and off are strings and 0644 is not octal); remove the %YAML directive and write values for YAML 1.2");
                        }

                        break;
                    case DocumentEnd:
                        documents.Add(new ManifestDocument(number, line, builder.TakeRoot()));
                        break;
                    case AnchorAlias alias:
                        throw Error(current, $"the alias *{alias.Value.Value} is not accepted: anchors and aliases are refused in manifests. Write the value out in full");
                    case NodeEvent { Anchor.IsEmpty: false } anchored:
                        throw Error(current, $"the anchor &{anchored.Anchor.Value} is not accepted: anchors and aliases are refused in manifests. Remove it and write values out in full");
                    case Scalar scalar when builder.ExpectsKey:
                        if (!(Tag(scalar) is null or "!" or "tag:yaml.org,2002:str"))
                        {
                            throw builder.Failure($"the key has the tag '{YamlScalars.ShortTag(Tag(scalar)!)}'; keys must be plain text", current.Start);
                        }

                        if (scalar.Value == "<<" && scalar.Style == ScalarStyle.Plain)
                        {
                            throw builder.Failure("merge keys ('<<') are not accepted; write the merged keys out", current.Start);
                        }

                        builder.Key(scalar.Value, current.Start);
                        break;
                    case Scalar scalar:
                        JsonNode? value;
                        try
                        {
                            value = YamlScalars.ToJson(scalar.Value, scalar.Style, Tag(scalar));
                        }
                        catch (FormatException ex)
                        {
                            throw builder.Failure($"the value cannot be read: {ex.Message}", current.Start);
                        }

                        builder.Value(value, current.Start);
                        break;
                    case MappingStart mapping:
                        CheckContainerTag(builder, Tag(mapping), "map", current);
                        builder.Open(new JsonObject(), current.Start);
                        break;
                    case SequenceStart sequence:
                        CheckContainerTag(builder, Tag(sequence), "seq", current);
                        builder.Open(new JsonArray(), current.Start);
                        break;
                    case MappingEnd or SequenceEnd:
                        builder.Close();
                        break;
                }
            }
        }
        catch (ManifestException)
        {
            throw;
        }
        catch (YamlException ex)
        {
            throw new ManifestException($"The manifest is not valid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {YamlMessage(ex)}. Check the indentation, quotes and brackets there.");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var at = parser.Current?.End ?? Mark.Empty;
            throw new ManifestException($"The manifest is not valid YAML after line {Math.Max(1, at.Line)}: look for an unclosed '[', '{{' or quote, or a line indented differently from its neighbours.", ex);
        }

        return documents;

        ManifestException Error(ParsingEvent at, string message) =>
            new($"Document {number}, line {at.Start.Line}, column {at.Start.Column}: {message}.");
    }

    private static string? Tag(NodeEvent node) => node.Tag.IsEmpty ? null : node.Tag.Value;

    private static void CheckContainerTag(TreeBuilder builder, string? tag, string kind, ParsingEvent at)
    {
        if (!(tag is null or "!" || tag == "tag:yaml.org,2002:" + kind))
        {
            throw builder.Failure($"the tag '{YamlScalars.ShortTag(tag)}' is not accepted; remove it", at.Start);
        }
    }

    private static List<ManifestDocument> ReadJson(string text, ManifestLimits limits)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            AllowMultipleValues = true,
            CommentHandling = JsonCommentHandling.Disallow,
            MaxDepth = limits.MaxDepth + 1,
        });
        var documents = new List<ManifestDocument>();
        var builder = new TreeBuilder(limits);
        while (reader.Read())
        {
            if (reader.CurrentDepth == 0 && reader.TokenType is not (JsonTokenType.EndObject or JsonTokenType.EndArray))
            {
                builder.Reset($"document {documents.Count + 1}");
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    builder.Open(new JsonObject(), null);
                    break;
                case JsonTokenType.StartArray:
                    builder.Open(new JsonArray(), null);
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    builder.Close();
                    break;
                case JsonTokenType.PropertyName:
                    builder.Key(JsonString(ref reader, builder), null);
                    break;
                case JsonTokenType.String:
                    builder.Value(JsonValue.Create(JsonString(ref reader, builder)), null);
                    break;
                case JsonTokenType.Number:
                    builder.Value(reader.TryGetInt64(out var small) ? JsonValue.Create(small) : JsonValue.Create(JsonElement.ParseValue(ref reader)), null);
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    builder.Value(JsonValue.Create(reader.TokenType == JsonTokenType.True), null);
                    break;
                case JsonTokenType.Null:
                    builder.Value(null, null);
                    break;
            }

            if (builder.Complete)
            {
                documents.Add(new ManifestDocument(documents.Count + 1, 0, builder.TakeRoot()));
            }
        }

        return documents;
    }

    private static string JsonString(ref Utf8JsonReader reader, TreeBuilder builder)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw builder.Failure("a string has an invalid \\u escape (an unpaired surrogate); remove it");
        }
    }

    private static string JsonMessage(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }

    /// <summary>The parser's message without the location YamlDotNet puts in front of it.</summary>
    private static string YamlMessage(YamlException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith('(') && cut > 0)
        {
            var second = message.IndexOf("): ", cut + 3, StringComparison.Ordinal);
            message = message[((second > 0 ? second : cut) + 3)..];
        }

        return message.TrimEnd('.', ' ');
    }
}

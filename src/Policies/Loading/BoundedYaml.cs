using System.Text;
using McpGateway.Policies.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace McpGateway.Policies.Loading;

/// <summary>Bounds on what one YAML input may hold; each input is checked against them before it is built.</summary>
/// <param name="MaxBytes">Largest input, in bytes.</param>
/// <param name="MaxDepth">Deepest nesting of mappings and lists.</param>
/// <param name="MaxNodes">Most nodes the input may expand to, an alias counting as a copy of everything it names.</param>
public sealed record YamlLimits(int MaxBytes, int MaxDepth, long MaxNodes)
{
    /// <summary>For policy bundles and <c>policy test</c> files: far beyond any real one, far below what hurts a serving gateway.</summary>
    public static YamlLimits Policies { get; } = new(MaxBytes: 8 * 1024 * 1024, MaxDepth: 64, MaxNodes: 1_000_000);
}

/// <summary>A YAML input that cannot be read, with where the problem is.</summary>
public sealed class YamlInputException : Exception
{
    public YamlInputException()
    {
    }

    public YamlInputException(string message)
        : base(message)
    {
    }

    public YamlInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public YamlInputException(SourceLocation location, string message)
        : base(message)
    {
        Location = location;
    }

    public SourceLocation? Location { get; }
}

/// <summary>
/// Reads YAML so that every input gives either a document tree or one located error, whatever
/// it holds: a first pass over the parser's events (which needs no recursion) checks size,
/// nesting depth and the node count after alias expansion, and refuses aliases that refer to
/// their own enclosing node; only then is the tree built. No exception other than
/// <see cref="YamlInputException"/> leaves it.
/// </summary>
public static class BoundedYaml
{
    /// <summary>Builds the documents of <paramref name="content"/>; throws <see cref="YamlInputException"/>.</summary>
    /// <param name="name">How errors name the input (a file's relative path).</param>
    /// <param name="content">The input's bytes (UTF-8, or UTF-16/32 with a byte-order mark).</param>
    /// <param name="limits">The bounds to hold it to.</param>
    /// <param name="budget">Nodes still allowed across several inputs (a bundle's files); reduced by this one.</param>
    public static YamlStream Load(string name, ReadOnlySpan<byte> content, YamlLimits limits, ref long budget)
    {
        if (content.Length > limits.MaxBytes)
        {
            throw new YamlInputException(new SourceLocation(name, 1, 1), $"The file is over the size limit: the limit is {limits.MaxBytes:N0} bytes. Split it into several files.");
        }

        var text = Decode(content);
        var nodes = Scan(name, text, limits, budget);
        budget -= nodes;

        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw Located(name, ex, parser);
        }

        return stream;
    }

    /// <summary>
    /// Reads a file's bytes, but never more than one byte past <see cref="YamlLimits.MaxBytes"/>
    /// (enough for <see cref="Load(string, ReadOnlySpan{byte}, YamlLimits, ref long)"/> to say it
    /// is too large): a huge file, or a link to an endless device, costs no more than that.
    /// </summary>
    public static byte[] ReadFile(string path, YamlLimits limits)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        var buffer = new byte[Math.Min(limits.MaxBytes + 1L, stream.CanSeek && stream.Length > 0 ? stream.Length : limits.MaxBytes + 1L)];
        var read = 0;
        int chunk;
        while (read < buffer.Length && (chunk = stream.Read(buffer, read, buffer.Length - read)) > 0)
        {
            read += chunk;
        }

        return read == buffer.Length ? buffer : buffer[..read];
    }

    /// <summary>Builds the documents of <paramref name="content"/> on its own budget.</summary>
    public static YamlStream Load(string name, ReadOnlySpan<byte> content, YamlLimits limits)
    {
        var budget = limits.MaxNodes;
        return Load(name, content, limits, ref budget);
    }

    private static string Decode(ReadOnlySpan<byte> content)
    {
        using var reader = new StreamReader(new MemoryStream(content.ToArray()), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>The number of nodes the text expands to; throws when a bound is crossed.</summary>
    private static long Scan(string name, string text, YamlLimits limits, long budget)
    {
        var parser = new Parser(new StringReader(text));

        // Each open mapping or list: the expanded count when it started, and its anchor.
        var open = new Stack<(long Start, string? Anchor)>();
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        long expanded = 0;
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                switch (current)
                {
                    case MappingStart or SequenceStart:
                        if (open.Count >= limits.MaxDepth)
                        {
                            throw Error(name, current.Start, $"Nesting deeper than {limits.MaxDepth} levels; no policy needs that much, so this is refused.");
                        }

                        var anchor = ((NodeEvent)current).Anchor;
                        open.Push((expanded, anchor.IsEmpty ? null : anchor.Value));
                        expanded++;
                        break;
                    case MappingEnd or SequenceEnd:
                        var (start, completedAnchor) = open.Pop();
                        if (completedAnchor is not null)
                        {
                            anchors[completedAnchor] = expanded - start;
                        }

                        break;
                    case Scalar scalar:
                        expanded++;
                        if (!scalar.Anchor.IsEmpty)
                        {
                            anchors[scalar.Anchor.Value] = 1;
                        }

                        break;
                    case AnchorAlias alias:
                        var aliasName = alias.Value.Value;
                        if (open.Any(frame => frame.Anchor == aliasName))
                        {
                            throw Error(name, current.Start, $"The alias *{aliasName} refers to a node that contains it; recursive structures are refused.");
                        }

                        expanded += anchors.TryGetValue(aliasName, out var copied)
                            ? copied
                            : throw Error(name, current.Start, $"The alias *{aliasName} names no anchor defined before it; define '&{aliasName}' first.");
                        break;
                }

                if (expanded > budget)
                {
                    throw Error(name, current.Start, $"The input expands to more than {limits.MaxNodes:N0} nodes (an alias counts as a copy of what it names); split it or use fewer aliases.");
                }
            }
        }
        catch (YamlInputException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw Located(name, ex, parser);
        }

        return expanded;
    }

    private static YamlInputException Error(string name, Mark at, string message) =>
        new(new SourceLocation(name, (int)at.Line, (int)at.Column), message);

    /// <summary>A parser failure as a located error; failures that carry no mark are placed where the parser stopped.</summary>
    private static YamlInputException Located(string name, Exception ex, Parser parser)
    {
        if (ex is YamlException yaml)
        {
            var message = yaml.InnerException?.Message ?? yaml.Message;
            return Error(name, yaml.Start, message.StartsWith("Duplicate key", StringComparison.Ordinal)
                ? $"Duplicate key '{message["Duplicate key".Length..].Trim()}': each key may appear only once in a mapping."
                : $"Not valid YAML: {message}");
        }

        var at = parser.Current?.End ?? Mark.Empty;
        return Error(name, at.Line > 0 ? at : new Mark(0, 1, 1), "Not valid YAML: the parser could not go on after this point; look for an unclosed '[', '{' or quote, or a line indented differently from its neighbours.");
    }
}

using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.Core;

namespace McpGateway.Policies.Classifiers.Kubernetes;

/// <summary>
/// Builds one document's JSON tree from a stream of parser events (YAML or JSON) with an explicit
/// stack: checks depth, the node count across the whole manifest and duplicate keys, and names the
/// path of any problem (<c>spec.containers[0].image</c>).
/// </summary>
internal sealed class TreeBuilder
{
    private readonly ManifestLimits _limits;
    private readonly List<Frame> _open = [];
    private string _document = "document 1";
    private JsonNode? _root;
    private bool _hasRoot;
    private int _nodes;

    public TreeBuilder(ManifestLimits limits)
    {
        _limits = limits;
    }

    /// <summary>The next scalar is a mapping key.</summary>
    public bool ExpectsKey => _open.Count > 0 && _open[^1].Object is not null && _open[^1].Key is null;

    /// <summary>A whole value has been read since the last <see cref="Reset"/> and not yet taken.</summary>
    public bool Complete => _hasRoot && _open.Count == 0;

    /// <summary>Starts a new document.</summary>
    public void Reset(string document)
    {
        _document = document;
        _root = null;
        _hasRoot = false;
        _open.Clear();
    }

    /// <summary>The document's value (null for an empty document), which is then forgotten.</summary>
    public JsonNode? TakeRoot()
    {
        var root = _root;
        _root = null;
        _hasRoot = false;
        return root;
    }

    public void Key(string key, Mark? at)
    {
        var frame = _open[^1];
        if (key.Length == 0)
        {
            throw Failure("a key is empty; give every value a name", at);
        }

        if (frame.Object!.ContainsKey(key))
        {
            frame.Key = key;
            throw Failure("this key appears more than once in its mapping; give each key once", at);
        }

        frame.Key = key;
    }

    public void Value(JsonNode? value, Mark? at)
    {
        Count(at);
        Attach(value, at);
    }

    public void Open(JsonNode container, Mark? at)
    {
        if (ExpectsKey)
        {
            throw Failure("a key is a mapping or a list; keys must be plain text", at);
        }

        if (_open.Count >= _limits.MaxDepth)
        {
            throw Failure($"values are nested more than {_limits.MaxDepth} levels deep, more than any Kubernetes object needs", at);
        }

        Count(at);
        Attach(container, at);
        _open.Add(new Frame(container as JsonObject, container as JsonArray));
    }

    public void Close()
    {
        _open.RemoveAt(_open.Count - 1);
    }

    /// <summary>An error at the current position: the document, the line when known, and the path.</summary>
    public ManifestException Failure(string problem, Mark? at = null)
    {
        var where = new StringBuilder(_document.Length + 32);
        where.Append(char.ToUpperInvariant(_document[0])).Append(_document, 1, _document.Length - 1);
        if (at is { Line: > 0 } mark)
        {
            where.Append(", line ").Append(mark.Line).Append(", column ").Append(mark.Column);
        }

        if (Path() is { Length: > 0 } path)
        {
            where.Append(", at ").Append(path);
        }

        return new ManifestException($"{where}: {problem}.");
    }

    private void Count(Mark? at)
    {
        if (++_nodes > _limits.MaxNodes)
        {
            throw Failure($"the manifest holds more than {_limits.MaxNodes:N0} values; apply it in several calls", at);
        }
    }

    private void Attach(JsonNode? value, Mark? at)
    {
        if (_open.Count == 0)
        {
            if (_hasRoot)
            {
                throw Failure("a document holds more than one value", at);
            }

            _root = value;
            _hasRoot = true;
            return;
        }

        var frame = _open[^1];
        if (frame.Array is { } array)
        {
            array.Add(value);
        }
        else
        {
            frame.Object!.Add(frame.Key!, value);
            frame.OpenKey = frame.Key;
            frame.Key = null;
        }
    }

    private string Path()
    {
        // Each frame but the innermost holds an open child (its last key or item); the innermost
        // names what is being read now.
        var path = new StringBuilder();
        for (var i = 0; i < _open.Count; i++)
        {
            var frame = _open[i];
            var innermost = i == _open.Count - 1;
            if (frame.Array is { } array)
            {
                path.Append('[').Append(innermost ? array.Count : array.Count - 1).Append(']');
            }
            else if ((innermost ? frame.Key : frame.OpenKey) is { } key)
            {
                ManifestJson.AppendSegment(path, key);
            }
        }

        return path.ToString();
    }

    private sealed class Frame(JsonObject? obj, JsonArray? array)
    {
        public JsonObject? Object { get; } = obj;

        public JsonArray? Array { get; } = array;

        /// <summary>The key read whose value is still to come.</summary>
        public string? Key { get; set; }

        /// <summary>The key of the last value added.</summary>
        public string? OpenKey { get; set; }
    }
}

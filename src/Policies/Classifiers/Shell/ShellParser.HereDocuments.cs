using System.Text;

namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>Here-documents: the operator records a pending body, read after the next newline.</summary>
internal sealed partial class ShellParser
{
    private ShellRedirection HereDocumentStart(int? descriptor)
    {
        var stripTabs = _stripTabs;
        var start = _pos;
        var word = ParseWord();
        var raw = _text[start.._pos];
        if (word.Literal is not { Length: > 0 } delimiter || delimiter.Contains('\n', StringComparison.Ordinal))
        {
            throw Error("a here-document's delimiter must be a plain word");
        }

        if (++_budget.HereDocuments > MaxHereDocuments)
        {
            throw Error($"it has more than {MaxHereDocuments} here-documents");
        }

        var sentinel = ShellWord.Of(string.Empty);
        _pending.Add(new HereDocument(delimiter, raw.AsSpan().IndexOfAny("'\"\\") >= 0, stripTabs, sentinel));
        return new ShellRedirection(descriptor, ShellRedirectionKind.HereDocument, sentinel);
    }

    /// <summary>Consumes a newline and then the bodies of the here-documents started on its line.</summary>
    private void ConsumeNewline()
    {
        _pos++;
        var pending = _pending;
        if (pending.Count == 0)
        {
            return;
        }

        _pending = [];
        foreach (var document in pending)
        {
            _bodies[document.Sentinel] = ReadBody(document);
        }
    }

    private ShellWord ReadBody(HereDocument document)
    {
        var body = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw Error($"the here-document has no line '{document.Delimiter}' to end it");
            }

            var end = _text.IndexOf('\n', _pos);
            var line = end < 0 ? _text.AsSpan(_pos) : _text.AsSpan(_pos, end - _pos);
            _pos = end < 0 ? _text.Length : end + 1;
            if (document.StripTabs)
            {
                line = line.TrimStart('\t');
            }

            if (line.SequenceEqual(document.Delimiter))
            {
                break;
            }

            body.Append(line).Append('\n');
        }

        var text = body.ToString();
        if (document.Quoted || text.AsSpan().IndexOfAny("$`\\") < 0)
        {
            return Count(ShellWord.Of(text));
        }

        var parser = new ShellParser(text, _depth, _budget);
        return Count(parser.ParseHereDocumentBody());
    }

    /// <summary>An unquoted here-document's body: expansions and substitutions as in double quotes, but '"' is plain.</summary>
    private ShellWord ParseHereDocumentBody()
    {
        var parts = new WordParts();
        while (!AtEnd)
        {
            var c = Peek;
            if (c == '\\')
            {
                var next = PeekAt(1);
                if (next == '\n')
                {
                    _pos += 2;
                }
                else if (next is '$' or '`' or '\\')
                {
                    parts.Append(next);
                    _pos += 2;
                }
                else
                {
                    parts.Append(c);
                    _pos++;
                }
            }
            else if (c == '$')
            {
                ParseDollar(parts, quoted: true);
            }
            else if (c == '`')
            {
                ParseBackquote(parts, quoted: true, hereDocument: true);
            }
            else
            {
                parts.Append(c);
                _pos++;
            }
        }

        return parts.ToWord();
    }

    private ShellAndOr FillBodies(ShellAndOr item)
    {
        if (_bodies.Count == 0)
        {
            return item;
        }

        return item with
        {
            Pipelines = [.. item.Pipelines.Select(p => p with
            {
                Commands = [.. p.Commands.Select(c => c.Redirections.Any(r => r.Kind == ShellRedirectionKind.HereDocument)
                    ? c with { Redirections = [.. c.Redirections.Select(r => r.Kind == ShellRedirectionKind.HereDocument && _bodies.TryGetValue(r.Target, out var body) ? r with { Target = body } : r)] }
                    : c)],
            })],
        };
    }

    private sealed record HereDocument(string Delimiter, bool Quoted, bool StripTabs, ShellWord Sentinel);
}

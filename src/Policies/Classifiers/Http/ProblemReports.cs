namespace McpGateway.Policies.Classifiers.Http;

/// <summary>
/// Collects the unparsed reasons of one part of the <c>path</c> argument (its path or its
/// query): each kind of problem once, at its first position, and at most a handful, so a
/// garbled argument yields a short list a caller can work through.
/// </summary>
internal struct ProblemReports
{
    private const int MaxReports = 8;
    private const int BadPercentKey = -1;
    private const int EncodingKeyBase = 0x110000;

    private readonly List<string> _unparsed;
    private readonly string _part;
    private readonly int _offset;
    private HashSet<int>? _seen;

    /// <param name="unparsed">Where the reasons go.</param>
    /// <param name="part">"path" or "query", as the reasons name it.</param>
    /// <param name="offset">Where the part starts in the <c>path</c> argument, for 1-based positions.</param>
    public ProblemReports(List<string> unparsed, string part, int offset)
    {
        _unparsed = unparsed;
        _part = part;
        _offset = offset;
        _seen = null;
    }

    /// <summary>A character the part may not hold literally.</summary>
    public void Character(ReadOnlySpan<char> text, int index, bool inQuery)
    {
        var c = text[index];
        var key = HttpSyntax.Width(text, index) == 2 ? char.ConvertToUtf32(c, text[index + 1]) : c;
        if (!FirstOf(key))
        {
            return;
        }

        var position = Position(index);
        if (c == '\\' && !inQuery)
        {
            _unparsed.Add($"The path has a backslash ('\\') at position {position}; it is refused because many servers treat '\\' as '/'. Use '/' to separate segments.");
            return;
        }

        var description = HttpSyntax.Describe(text, index);
        var encoded = c == '\0' && !inQuery ? null : HttpSyntax.PercentEncode(text, index);
        var fix = encoded is null ? "remove it" : "percent-encode it as " + encoded;
        _unparsed.Add($"The {_part} has {description} at position {position}, which a URL {_part} cannot hold literally; {fix}.");
    }

    /// <summary>A '%' not followed by two hexadecimal digits.</summary>
    public void BadPercent(ReadOnlySpan<char> text, int index, string literalNote)
    {
        if (FirstOf(BadPercentKey))
        {
            _unparsed.Add($"The {_part} has an invalid percent-encoding '{HttpSyntax.BadTriplet(text, index)}' at position {Position(index)}: '%' must be followed by two hexadecimal digits, as in %20; {literalNote}.");
        }
    }

    /// <summary>A percent-encoded byte the part may not hold, with why and what to do instead.</summary>
    public void ForbiddenEncoding(ReadOnlySpan<char> text, int index, int value, string explanation)
    {
        if (FirstOf(EncodingKeyBase + value))
        {
            _unparsed.Add($"The {_part} has '{text.Slice(index, 3)}' at position {Position(index)}, {explanation}.");
        }
    }

    private readonly int Position(int index) => _offset + index + 1;

    private bool FirstOf(int key)
    {
        _seen ??= [];
        return _seen.Count < MaxReports && _seen.Add(key);
    }
}

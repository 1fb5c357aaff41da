using System.Collections.Frozen;
using System.Collections.Immutable;

namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>The outcome of parsing: a script, or why the text could not be parsed.</summary>
internal sealed record ShellParseResult(ShellScript? Script, string? Error);

/// <summary>
/// A bounded parser for POSIX <c>sh</c> command strings: simple commands with assignments and
/// redirections, pipelines, and-or lists, <c>;</c>, <c>&amp;</c> and newlines; single, double and
/// <c>$'…'</c> quoting and backslashes; parameter, arithmetic and tilde expansion, command and
/// process substitution, pathname patterns, here-documents and comments. Compound commands
/// (<c>if</c>, loops, <c>case</c>, subshells, groups) and function definitions are not parsed: they
/// are reported as errors, as is anything that exceeds the size and nesting limits. It never
/// throws on any input.
/// </summary>
internal sealed partial class ShellParser
{
    /// <summary>Most nested substitutions (and shell scripts run by <c>sh -c</c> or <c>eval</c>).</summary>
    public const int MaxDepth = 8;

    /// <summary>Most words in one command string, all nesting included.</summary>
    public const int MaxWords = 4096;

    /// <summary>Most here-documents in one command string.</summary>
    public const int MaxHereDocuments = 32;

    private static readonly FrozenSet<string> ReservedWords = new[]
    {
        "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "in",
        "{", "}", "!", "[[", "]]", "function", "select", "coproc",
    }.ToFrozenSet(StringComparer.Ordinal);

    private readonly string _text;
    private int _depth;
    private readonly Budget _budget;
    private List<HereDocument> _pending = [];
    private Dictionary<ShellWord, ShellWord> _bodies = new(ReferenceEqualityComparer.Instance);
    private int _pos;
    private bool _stripTabs;

    private ShellParser(string text, int depth, Budget budget)
    {
        _text = text;
        _depth = depth;
        _budget = budget;
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="depth"/> is the nesting it already sits in.</summary>
    public static ShellParseResult Parse(string text, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            return new ShellParseResult(null, $"it nests substitutions or shell scripts more than {MaxDepth} deep");
        }

        try
        {
            return new ShellParseResult(new ShellParser(text, depth, new Budget()).ParseAll(), null);
        }
        catch (ShellSyntaxException ex)
        {
            return new ShellParseResult(null, ex.Message);
        }
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Peek => _pos < _text.Length ? _text[_pos] : '\0';

    private char PeekAt(int offset) => _pos + offset < _text.Length ? _text[_pos + offset] : '\0';

    private ShellScript ParseAll()
    {
        var script = ParseScript(inSubstitution: false);
        if (!AtEnd)
        {
            throw Error($"unexpected '{Peek}'");
        }

        return script;
    }

    /// <summary>A list of and-or lists, up to the end of the text or (in a substitution) a ')'.</summary>
    private ShellScript ParseScript(bool inSubstitution)
    {
        var outerPending = _pending;
        var outerBodies = _bodies;
        _pending = [];
        _bodies = new Dictionary<ShellWord, ShellWord>(ReferenceEqualityComparer.Instance);
        var items = new List<ShellAndOr>();
        while (true)
        {
            SkipBlanksAndComments();
            if (AtEnd || (inSubstitution && Peek == ')'))
            {
                break;
            }

            if (Peek == '\n')
            {
                ConsumeNewline();
                continue;
            }

            var andOr = ParseAndOr();
            SkipBlanksAndComments();
            var background = false;
            if (Peek == '&')
            {
                if (PeekAt(1) == '>')
                {
                    throw Error("'&>' is not POSIX sh; write '> file 2>&1'");
                }

                background = true;
                _pos++;
            }
            else if (Peek == ';')
            {
                if (PeekAt(1) == ';')
                {
                    throw Error("';;' belongs to 'case', which is not supported");
                }

                _pos++;
            }
            else if (Peek == '\n')
            {
                ConsumeNewline();
            }
            else if (!AtEnd && !(inSubstitution && Peek == ')'))
            {
                throw Error($"unexpected '{Peek}'");
            }

            items.Add(andOr with { Background = background });
        }

        if (_pending.Count > 0)
        {
            throw Error($"the here-document ending with '{_pending[0].Delimiter}' has no body: the body starts on the line after the command");
        }

        var script = new ShellScript([.. items.Select(FillBodies)]);
        _pending = outerPending;
        _bodies = outerBodies;
        return script;
    }

    private ShellAndOr ParseAndOr()
    {
        var pipelines = new List<ShellPipeline> { ParsePipeline() };
        var connectors = new List<ShellConnector>();
        while (true)
        {
            SkipBlanksAndComments();
            if (Peek == '&' && PeekAt(1) == '&')
            {
                connectors.Add(ShellConnector.And);
            }
            else if (Peek == '|' && PeekAt(1) == '|')
            {
                connectors.Add(ShellConnector.Or);
            }
            else
            {
                break;
            }

            _pos += 2;
            SkipLinebreaks();
            pipelines.Add(ParsePipeline());
        }

        return new ShellAndOr([.. pipelines], [.. connectors], false);
    }

    private ShellPipeline ParsePipeline()
    {
        SkipBlanksAndComments();
        var negated = false;
        if (Peek == '!' && (PeekAt(1) is ' ' or '\t' or '\n' || _pos + 1 >= _text.Length))
        {
            negated = true;
            _pos++;
        }

        var commands = new List<ShellCommand> { ParseCommand() };
        while (true)
        {
            SkipBlanksAndComments();
            if (Peek != '|' || PeekAt(1) == '|')
            {
                break;
            }

            if (PeekAt(1) == '&')
            {
                throw Error("'|&' is not POSIX sh; write '2>&1 |'");
            }

            _pos++;
            SkipLinebreaks();
            commands.Add(ParseCommand());
        }

        return new ShellPipeline(negated, [.. commands]);
    }

    private ShellCommand ParseCommand()
    {
        var assignments = new List<ShellAssignment>();
        var words = new List<ShellWord>();
        var redirections = new List<ShellRedirection>();
        while (true)
        {
            SkipBlanksAndComments();
            if (AtEnd)
            {
                break;
            }

            var c = Peek;
            if (c is ';' or '&' or '|' or '\n' or ')')
            {
                break;
            }

            if (c == '(')
            {
                throw Error(words.Count == 1
                    ? "function definitions are not supported"
                    : "subshells '( … )' are not supported; run the commands directly");
            }

            if (c is '<' or '>' && PeekAt(1) == '(')
            {
                words.Add(Count(ParseProcessSubstitution()));
                continue;
            }

            if (TryRedirection() is { } redirection)
            {
                redirections.Add(redirection);
                continue;
            }

            if (words.Count == 0 && TryAssignment() is { } assignment)
            {
                assignments.Add(assignment);
                continue;
            }

            var start = _pos;
            var word = ParseWord();
            if (words.Count == 0 && ReservedWords.Contains(_text[start.._pos]))
            {
                throw Error($"'{_text[start.._pos]}' starts a compound command, which is not supported; run simple commands joined by ;, &&, || or |");
            }

            words.Add(Count(word));
        }

        if (assignments.Count == 0 && words.Count == 0 && redirections.Count == 0)
        {
            throw Error(AtEnd ? "a command is missing at the end" : $"a command is missing before '{Peek}'");
        }

        return new ShellCommand([.. assignments], [.. words], [.. redirections]);
    }

    private ShellWord Count(ShellWord word)
    {
        if (++_budget.Words > MaxWords)
        {
            throw Error($"it has more than {MaxWords} words");
        }

        return word;
    }

    private ShellAssignment? TryAssignment()
    {
        if (!char.IsAsciiLetter(Peek) && Peek != '_')
        {
            return null;
        }

        var end = _pos + 1;
        while (end < _text.Length && (char.IsAsciiLetterOrDigit(_text[end]) || _text[end] == '_'))
        {
            end++;
        }

        if (end >= _text.Length || _text[end] != '=')
        {
            return null;
        }

        var name = _text[_pos..end];
        _pos = end + 1;
        var value = IsWordEnd(Peek) || AtEnd ? ShellWord.Of(string.Empty) : ParseWord();
        return new ShellAssignment(name, Count(value));
    }

    private ShellRedirection? TryRedirection()
    {
        int? descriptor = null;
        var at = _pos;
        if (char.IsAsciiDigit(Peek))
        {
            var end = _pos;
            while (end < _text.Length && char.IsAsciiDigit(_text[end]))
            {
                end++;
            }

            if (end >= _text.Length || _text[end] is not ('<' or '>'))
            {
                return null;
            }

            if (end - _pos > 1)
            {
                throw Error("only descriptors 0 to 9 can be redirected");
            }

            descriptor = Peek - '0';
            at = end;
        }
        else if (Peek is not ('<' or '>'))
        {
            return null;
        }

        _pos = at;
        var kind = ReadOperator();
        SkipBlanks();
        if (AtEnd || (IsWordEnd(Peek) && !(Peek is '<' or '>' && PeekAt(1) == '(')))
        {
            throw Error("a redirection needs a target after the operator");
        }

        return kind switch
        {
            ShellRedirectionKind.HereDocument => HereDocumentStart(descriptor),
            ShellRedirectionKind.DuplicateInput or ShellRedirectionKind.DuplicateOutput => new ShellRedirection(descriptor, kind, DuplicateTarget()),
            _ => new ShellRedirection(descriptor, kind, Count(Peek is '<' or '>' && PeekAt(1) == '(' ? ParseProcessSubstitution() : ParseWord())),
        };
    }

    private ShellRedirectionKind ReadOperator()
    {
        var c = Peek;
        var next = PeekAt(1);
        _pos++;
        if (c == '<')
        {
            switch (next)
            {
                case '<' when PeekAt(1) == '<':
                    throw Error("'<<<' is not POSIX sh; use a here-document or a pipe");
                case '<':
                    _pos++;
                    _stripTabs = Peek == '-';
                    _pos += _stripTabs ? 1 : 0;
                    return ShellRedirectionKind.HereDocument;
                case '&':
                    _pos++;
                    return ShellRedirectionKind.DuplicateInput;
                case '>':
                    _pos++;
                    return ShellRedirectionKind.ReadWrite;
                default:
                    return ShellRedirectionKind.Read;
            }
        }

        switch (next)
        {
            case '>':
                _pos++;
                return ShellRedirectionKind.Append;
            case '|':
                _pos++;
                return ShellRedirectionKind.Clobber;
            case '&':
                _pos++;
                return ShellRedirectionKind.DuplicateOutput;
            default:
                return ShellRedirectionKind.Write;
        }
    }

    private ShellWord DuplicateTarget()
    {
        var word = ParseWord();
        if (word.Literal is { } text && (text == "-" || (text.Length == 1 && char.IsAsciiDigit(text[0]))))
        {
            return Count(word);
        }

        throw Error("'>&' and '<&' take a descriptor number 0 to 9 or '-'; to send output to a file write '> file 2>&1'");
    }

    private void SkipBlanks()
    {
        while (!AtEnd)
        {
            if (Peek is ' ' or '\t')
            {
                _pos++;
            }
            else if (Peek == '\\' && PeekAt(1) == '\n')
            {
                _pos += 2;
            }
            else
            {
                return;
            }
        }
    }

    private void SkipBlanksAndComments()
    {
        SkipBlanks();
        if (Peek == '#')
        {
            while (!AtEnd && Peek != '\n')
            {
                _pos++;
            }
        }
    }

    private void SkipLinebreaks()
    {
        SkipBlanksAndComments();
        while (Peek == '\n')
        {
            ConsumeNewline();
            SkipBlanksAndComments();
        }
    }

    private static bool IsWordEnd(char c) => c is ' ' or '\t' or '\n' or ';' or '&' or '|' or '<' or '>' or '(' or ')';

    private static ShellSyntaxException Error(string message) => new(message);

    /// <summary>Counters shared by a parse and everything nested in it.</summary>
    private sealed class Budget
    {
        public int Words { get; set; }

        public int HereDocuments { get; set; }
    }

    private sealed class ShellSyntaxException(string message) : Exception(message);
}

using System.Globalization;
using System.Text;

namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>Words: quoting, expansions and substitutions.</summary>
internal sealed partial class ShellParser
{
    /// <summary>An unquoted word, up to the next blank or operator character.</summary>
    private ShellWord ParseWord()
    {
        var parts = new WordParts();
        if (Peek == '~')
        {
            ParseTilde(parts);
        }

        while (!AtEnd && !IsWordEnd(Peek))
        {
            var c = Peek;
            switch (c)
            {
                case '\\':
                    if (PeekAt(1) == '\n')
                    {
                        _pos += 2;
                    }
                    else if (_pos + 1 >= _text.Length)
                    {
                        parts.Append(c);
                        _pos++;
                    }
                    else
                    {
                        parts.Append(PeekAt(1));
                        _pos += 2;
                    }

                    break;
                case '\'':
                    ParseSingleQuoted(parts);
                    break;
                case '"':
                    ParseDoubleQuoted(parts);
                    break;
                case '$':
                    ParseDollar(parts, quoted: false);
                    break;
                case '`':
                    ParseBackquote(parts, quoted: false, hereDocument: false);
                    break;
                case '*' or '?':
                    parts.Add(new ShellGlob(c.ToString()));
                    _pos++;
                    break;
                case '[' when BracketExpressionLength() is var length and > 0:
                    parts.Add(new ShellGlob(_text.Substring(_pos, length)));
                    _pos += length;
                    break;
                default:
                    parts.Append(c);
                    _pos++;
                    break;
            }
        }

        return parts.ToWord();
    }

    /// <summary>A tilde prefix: '~' and a login name, ended by an unquoted '/' or the end of the word.</summary>
    private void ParseTilde(WordParts parts)
    {
        var end = _pos + 1;
        while (end < _text.Length && (char.IsAsciiLetterOrDigit(_text[end]) || _text[end] is '_' or '.' or '-'))
        {
            end++;
        }

        if (end < _text.Length && _text[end] == '/')
        {
            end++;
        }
        else if (end < _text.Length && !IsWordEnd(_text[end]))
        {
            return;
        }

        parts.Add(new ShellTilde(_text[_pos..end]));
        _pos = end;
    }

    /// <summary>
    /// The length of a bracket expression such as <c>[a-z]</c>, <c>[!0-9]</c> or <c>[[:digit:]]</c>
    /// starting here, or 0 when the '[' is an ordinary character.
    /// </summary>
    private int BracketExpressionLength()
    {
        var i = _pos + 1;
        if (i < _text.Length && _text[i] is '!' or '^')
        {
            i++;
        }

        var first = i;
        while (i < _text.Length)
        {
            var c = _text[i];
            if (c == ']' && i > first)
            {
                return i + 1 - _pos;
            }

            if (c == '[' && i + 1 < _text.Length && _text[i + 1] == ':')
            {
                var close = _text.IndexOf(":]", i + 2, StringComparison.Ordinal);
                if (close < 0 || close == i + 2 || _text.AsSpan(i + 2, close - i - 2).ContainsAnyExceptInRange('a', 'z'))
                {
                    return 0;
                }

                i = close + 2;
                continue;
            }

            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ',' or ':' or '+' or '@' or '%' or '-'))
            {
                return 0;
            }

            i++;
        }

        return 0;
    }

    private void ParseSingleQuoted(WordParts parts)
    {
        var close = _text.IndexOf('\'', _pos + 1);
        if (close < 0)
        {
            throw Error("a single quote is not closed");
        }

        parts.AppendQuoted(_text.AsSpan(_pos + 1, close - _pos - 1));
        _pos = close + 1;
    }

    private void ParseDoubleQuoted(WordParts parts)
    {
        _pos++;
        parts.AppendQuoted([]);
        while (true)
        {
            if (AtEnd)
            {
                throw Error("a double quote is not closed");
            }

            var c = Peek;
            switch (c)
            {
                case '"':
                    _pos++;
                    return;
                case '\\':
                    var next = PeekAt(1);
                    if (next == '\n')
                    {
                        _pos += 2;
                    }
                    else if (next is '$' or '`' or '"' or '\\')
                    {
                        parts.Append(next);
                        _pos += 2;
                    }
                    else
                    {
                        parts.Append(c);
                        _pos++;
                    }

                    break;
                case '$':
                    ParseDollar(parts, quoted: true);
                    break;
                case '`':
                    ParseBackquote(parts, quoted: true, hereDocument: false);
                    break;
                default:
                    parts.Append(c);
                    _pos++;
                    break;
            }
        }
    }

    private void ParseDollar(WordParts parts, bool quoted)
    {
        var next = PeekAt(1);
        if (next == '(' && PeekAt(2) == '(')
        {
            ParseArithmetic(parts, quoted);
        }
        else if (next == '(')
        {
            _pos += 2;
            parts.Add(new ShellCommandSubstitution(ParseNested(), quoted));
        }
        else if (next == '{')
        {
            ParseBracedParameter(parts, quoted);
        }
        else if (next == '\'' && !quoted)
        {
            ParseAnsiQuoted(parts);
        }
        else if (next == '"' && !quoted)
        {
            throw Error("'$\"…\"' (locale translation) is not supported; use plain double quotes");
        }
        else if (char.IsAsciiLetter(next) || next == '_')
        {
            var end = _pos + 2;
            while (end < _text.Length && (char.IsAsciiLetterOrDigit(_text[end]) || _text[end] == '_'))
            {
                end++;
            }

            parts.Add(new ShellParameter(_text[_pos..end], quoted));
            _pos = end;
        }
        else if (char.IsAsciiDigit(next) || next is '@' or '*' or '#' or '?' or '-' or '$' or '!')
        {
            parts.Add(new ShellParameter(_text.Substring(_pos, 2), quoted));
            _pos += 2;
        }
        else
        {
            parts.Append('$');
            _pos++;
        }
    }

    /// <summary>The script of a <c>$(…)</c> or process substitution, after its '(' and up to and including its ')'.</summary>
    private ShellScript ParseNested()
    {
        if (++_depth > MaxDepth)
        {
            throw Error($"it nests substitutions or shell scripts more than {MaxDepth} deep");
        }

        var script = ParseScript(inSubstitution: true);
        if (Peek != ')')
        {
            throw Error("a '$(' or '<(' is not closed with ')'");
        }

        _pos++;
        _depth--;
        return script;
    }

    private ShellWord ParseProcessSubstitution()
    {
        var output = Peek == '>';
        _pos += 2;
        var script = ParseNested();
        if (!AtEnd && !IsWordEnd(Peek))
        {
            throw Error("a process substitution must be a word of its own");
        }

        return new ShellWord([new ShellProcessSubstitution(output, script)]);
    }

    private void ParseArithmetic(WordParts parts, bool quoted)
    {
        var start = _pos + 3;
        var nesting = 0;
        for (var i = start; i < _text.Length; i++)
        {
            var c = _text[i];
            if (c == '(')
            {
                nesting++;
            }
            else if (c == ')' && nesting > 0)
            {
                nesting--;
            }
            else if (c == ')')
            {
                if (i + 1 >= _text.Length || _text[i + 1] != ')')
                {
                    break;
                }

                parts.Add(new ShellArithmetic(_text[start..i], quoted));
                _pos = i + 2;
                return;
            }
            else if (!(char.IsAsciiLetterOrDigit(c) || " \t_+-*/%<>=!&|^~?:,$".Contains(c, StringComparison.Ordinal)) || (c == '$' && i + 1 < _text.Length && _text[i + 1] is '(' or '{'))
            {
                break;
            }
        }

        throw Error("only plain arithmetic '$(( … ))' on numbers and variable names is supported");
    }

    /// <summary>
    /// <c>${name}</c>, <c>${#name}</c> and the POSIX forms <c>${name op word}</c> whose word is
    /// plain text or simple parameters; anything else is refused rather than guessed at.
    /// </summary>
    private void ParseBracedParameter(WordParts parts, bool quoted)
    {
        var close = _text.IndexOf('}', _pos + 2);
        if (close < 0)
        {
            throw Error("a '${' is not closed with '}'");
        }

        var body = _text.AsSpan(_pos + 2, close - _pos - 2);
        if (!IsSupportedParameter(body))
        {
            throw Error($"the parameter expansion '${{{body}}}' is not supported; use ${{name}}, ${{#name}} or a POSIX operator (:- := :? :+ % %% # ##) with a plain word");
        }

        parts.Add(new ShellParameter(_text[_pos..(close + 1)], quoted));
        _pos = close + 1;
    }

    private static bool IsSupportedParameter(ReadOnlySpan<char> body)
    {
        if (body.Length == 0)
        {
            return false;
        }

        if (body.Length == 1 && "@*#?-$!".Contains(body[0]))
        {
            return true;
        }

        var length = body[0] == '#';
        if (length)
        {
            body = body[1..];
        }

        var name = NameLength(body);
        if (name == 0)
        {
            return false;
        }

        var rest = body[name..];
        if (rest.Length == 0)
        {
            return true;
        }

        if (length)
        {
            return false;
        }

        var op = rest.Length >= 2 && (rest.StartsWith("%%") || rest.StartsWith("##")) ? 2
            : rest.Length >= 2 && rest[0] == ':' && "-=?+".Contains(rest[1]) ? 2
            : "-=?+%#".Contains(rest[0]) ? 1
            : 0;
        if (op == 0)
        {
            return false;
        }

        var word = rest[op..];
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            if (c == '$' && (i + 1 >= word.Length || word[i + 1] is '(' or '{'))
            {
                return false;
            }

            if (c is '`' or '\'' or '"' or '\\' or '{' or '}' or '\n' or '(' or ')' or ';' or '&' or '|' or '<' or '>')
            {
                return false;
            }
        }

        return true;

        static int NameLength(ReadOnlySpan<char> text)
        {
            if (text.Length == 0)
            {
                return 0;
            }

            if ("@*#?-$!".Contains(text[0]))
            {
                return 1;
            }

            var i = 0;
            if (char.IsAsciiDigit(text[0]))
            {
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                return i;
            }

            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
            {
                i++;
            }

            return i > 0 && !char.IsAsciiDigit(text[0]) ? i : 0;
        }
    }

    private void ParseBackquote(WordParts parts, bool quoted, bool hereDocument)
    {
        var inner = new StringBuilder();
        _pos++;
        while (true)
        {
            if (AtEnd)
            {
                throw Error("a backquote is not closed");
            }

            var c = Peek;
            if (c == '`')
            {
                _pos++;
                break;
            }

            if (c == '\\' && (PeekAt(1) is '$' or '`' or '\\' || (quoted && !hereDocument && PeekAt(1) == '"')))
            {
                inner.Append(PeekAt(1));
                _pos += 2;
                continue;
            }

            inner.Append(c);
            _pos++;
        }

        if (_depth + 1 > MaxDepth)
        {
            throw Error($"it nests substitutions or shell scripts more than {MaxDepth} deep");
        }

        var parser = new ShellParser(inner.ToString(), _depth + 1, _budget);
        parts.Add(new ShellCommandSubstitution(parser.ParseAll(), quoted));
    }

    /// <summary><c>$'…'</c>: backslash escapes as in C, giving literal text.</summary>
    private void ParseAnsiQuoted(WordParts parts)
    {
        _pos += 2;
        var text = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw Error("a $' quote is not closed");
            }

            var c = Peek;
            _pos++;
            if (c == '\'')
            {
                break;
            }

            if (c != '\\' || AtEnd)
            {
                text.Append(c);
                continue;
            }

            var e = Peek;
            _pos++;
            switch (e)
            {
                case 'a': text.Append('\a'); break;
                case 'b': text.Append('\b'); break;
                case 'e' or 'E': text.Append('\u001b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'v': text.Append('\v'); break;
                case '\\' or '\'' or '"' or '?': text.Append(e); break;
                case >= '0' and <= '7':
                    _pos--;
                    AppendCode(text, ReadNumber(8, 3), ascii: true);
                    break;
                case 'x':
                    AppendCode(text, ReadNumber(16, 2), ascii: true);
                    break;
                case 'u':
                    AppendCode(text, ReadNumber(16, 4), ascii: false);
                    break;
                case 'U':
                    AppendCode(text, ReadNumber(16, 8), ascii: false);
                    break;
                case 'c' when !AtEnd && Peek is >= '?' and <= '~':
                    AppendCode(text, Peek == '?' ? 0x7F : char.ToUpperInvariant(Peek) & 0x1F, ascii: true);
                    _pos++;
                    break;
                default:
                    text.Append('\\').Append(e);
                    break;
            }
        }

        parts.AppendQuoted(text.ToString());
    }

    private int ReadNumber(int radix, int maxDigits)
    {
        var value = 0;
        var digits = 0;
        while (digits < maxDigits && !AtEnd && (radix == 8 ? Peek is >= '0' and <= '7' : char.IsAsciiHexDigit(Peek)))
        {
            value = (value * radix) + int.Parse(Peek.ToString(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            digits++;
            _pos++;
        }

        if (digits == 0)
        {
            throw Error("a $' escape has no digits");
        }

        return value;
    }

    private static void AppendCode(StringBuilder text, int code, bool ascii)
    {
        // A NUL would cut the argument short; a lone byte above 0x7F is not UTF-8 text. Either
        // would run something other than what was checked.
        if (code == 0 || (ascii && code > 0x7F) || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        {
            throw Error("a $' escape gives a NUL, a byte that is not UTF-8 text, or an invalid character");
        }

        text.Append(char.ConvertFromUtf32(code));
    }

    /// <summary>Collects a word's parts, merging adjacent literal text.</summary>
    private sealed class WordParts
    {
        private readonly List<ShellWordPart> _parts = [];
        private readonly StringBuilder _literal = new();
        private bool _quoted;

        public void Append(char c) => _literal.Append(c);

        public void AppendQuoted(ReadOnlySpan<char> text)
        {
            _literal.Append(text);
            _quoted = true;
        }

        public void Add(ShellWordPart part)
        {
            Flush();
            if (part is ShellGlob glob && _parts.Count > 0 && _parts[^1] is ShellGlob previous)
            {
                _parts[^1] = new ShellGlob(previous.Text + glob.Text);
                return;
            }

            _parts.Add(part);
        }

        /// <summary>
        /// The word. Quotes that held nothing still make a word (<c>''</c>, <c>""</c>) and keep an
        /// empty expansion beside them from vanishing, so an empty literal is kept only then.
        /// </summary>
        public ShellWord ToWord()
        {
            Flush();
            var empty = _parts.FindIndex(p => p is ShellLiteral { Text.Length: 0 });
            if (empty >= 0 && _parts.Any(p => p is ShellLiteral { Text.Length: > 0 } or ShellParameter { Quoted: true } or ShellArithmetic { Quoted: true } or ShellCommandSubstitution { Quoted: true }))
            {
                _parts.RemoveAll(p => p is ShellLiteral { Text.Length: 0 });
            }
            else if (empty >= 0)
            {
                _parts.RemoveAll(p => p is ShellLiteral { Text.Length: 0 });
                _parts.Insert(Math.Min(empty, _parts.Count), new ShellLiteral(string.Empty));
            }
            else if (_parts.Count == 0)
            {
                _parts.Add(new ShellLiteral(string.Empty));
            }

            return new ShellWord([.. _parts]);
        }

        private void Flush()
        {
            if (_literal.Length > 0 || _quoted)
            {
                if (_parts.Count > 0 && _parts[^1] is ShellLiteral previous)
                {
                    _parts[^1] = new ShellLiteral(previous.Text + _literal.ToString());
                }
                else
                {
                    _parts.Add(new ShellLiteral(_literal.ToString()));
                }

                _literal.Clear();
                _quoted = false;
            }
        }
    }
}

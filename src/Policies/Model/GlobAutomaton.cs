namespace McpGateway.Policies.Model;

/// <summary>
/// A glob compiled to a small nondeterministic automaton over characters and run by keeping the
/// set of states it may be in: compiling is linear in the pattern, matching is O(text × pattern)
/// whatever the input (no backtracking), and neither builds a regular expression.
/// </summary>
internal sealed class GlobAutomaton
{
    private readonly Step[] _steps;
    private readonly int[][] _closure;
    private readonly int _accept;

    private GlobAutomaton(Step[] steps, int accept)
    {
        _steps = steps;
        _accept = accept;
        _closure = new int[steps.Length + 1][];
        for (var state = 0; state <= steps.Length; state++)
        {
            _closure[state] = Closure(state);
        }
    }

    /// <summary>What one state does: consume a character of a class to go to <see cref="Next"/>, and/or move on without consuming.</summary>
    private readonly record struct Step(Match Match, char Char, int Next, int Epsilon, int Epsilon2);

    private enum Match : byte
    {
        None,
        Char,
        NotSlash,
        Any,
        Digit,
        NameStart,
        NameChar,
    }

    /// <summary>
    /// Compiles <paramref name="pattern"/>; with <paramref name="classes"/>, the word classes of
    /// <see cref="Glob.Classes"/> stand for one or more characters of their kind.
    /// </summary>
    public static GlobAutomaton Build(string pattern, bool classes = false)
    {
        var steps = new List<Step>(pattern.Length + 4);

        // Appends a state and returns its index; the caller patches targets that point forward.
        int Add(Match match, char c = '\0', int next = -1, int epsilon = -1, int epsilon2 = -1)
        {
            steps.Add(new Step(match, c, next, epsilon, epsilon2));
            return steps.Count - 1;
        }

        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            var here = steps.Count;
            if (classes && c == '<' && Glob.ClassAt(pattern, i) is { } wordClass)
            {
                // One character that may start the class, then any number that may continue it.
                var (first, rest) = wordClass == Glob.NumberClass ? (Match.Digit, Match.Digit) : (Match.NameStart, Match.NameChar);
                Add(first, next: here + 1);
                Add(rest, next: here + 1, epsilon: here + 2);
                i += wordClass.Length - 1;
            }
            else if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                var slashBefore = i > 0 && pattern[i - 1] == '/';
                var slashAfter = i + 2 < pattern.Length && pattern[i + 2] == '/';
                if (slashBefore && slashAfter)
                {
                    // "/**/" matches "/" or "/anything/": the leading '/' is already a state; this
                    // is (.*/)? — skip ahead, or loop on anything and leave through a '/'.
                    var skip = Add(Match.None, epsilon: -1, epsilon2: here + 1);
                    Add(Match.Any, next: here + 1, epsilon: here + 2);
                    Add(Match.Char, '/', next: -1);
                    steps[skip] = steps[skip] with { Epsilon = here + 3 };
                    steps[here + 2] = steps[here + 2] with { Next = here + 3 };

                    // Past "**/", on the '/' that closes the group; "/**/**/" is one group.
                    i += 2;
                    while (string.CompareOrdinal(pattern, i + 1, "**/", 0, 3) == 0)
                    {
                        i += 3;
                    }
                }
                else
                {
                    Add(Match.Any, next: here, epsilon: here + 1);
                    i++;
                    while (i + 1 < pattern.Length && pattern[i + 1] == '*')
                    {
                        i++;
                    }
                }
            }
            else if (c == '*')
            {
                Add(Match.NotSlash, next: here, epsilon: here + 1);
            }
            else if (c == '?')
            {
                Add(Match.NotSlash, next: here + 1);
            }
            else if (c is Glob.LiteralStar or Glob.LiteralQuestion)
            {
                // The character itself, or its percent-encoding: '*' | "%2A", '?' | "%3F".
                var (literal, hex) = c == Glob.LiteralStar ? ('*', "2A") : ('?', "3F");
                var end = here + 5;
                Add(Match.None, epsilon: here + 1, epsilon2: here + 2);
                Add(Match.Char, literal, next: end);
                Add(Match.Char, '%', next: here + 3);
                Add(Match.Char, hex[0], next: here + 4);
                Add(Match.Char, hex[1], next: end);
            }
            else
            {
                Add(Match.Char, c, next: here + 1);
            }
        }

        return new GlobAutomaton([.. steps], steps.Count);
    }

    public bool IsMatch(string text, bool ignoreCase)
    {
        // Only the states the automaton may be in are visited: a set of indices and a mark per state.
        var count = _steps.Length + 1;
        var current = new List<int>(count);
        var next = new List<int>(count);
        var marked = new bool[count];
        Enter(current, marked, 0);
        foreach (var c in text)
        {
            foreach (var state in current)
            {
                marked[state] = false;
            }

            next.Clear();
            foreach (var state in current)
            {
                if (state >= _steps.Length)
                {
                    continue;
                }

                var step = _steps[state];
                var matches = step.Match switch
                {
                    Match.Char => step.Char == c || (ignoreCase && SameIgnoringCase(step.Char, c)),
                    Match.NotSlash => c != '/',
                    Match.Any => true,
                    Match.Digit => char.IsAsciiDigit(c),
                    Match.NameStart => char.IsAsciiLetter(c) || c == '_',
                    Match.NameChar => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-',
                    _ => false,
                };
                if (matches)
                {
                    Enter(next, marked, step.Next);
                }
            }

            if (next.Count == 0)
            {
                return false;
            }

            (current, next) = (next, current);
        }

        return current.Contains(_accept);
    }

    // Both directions, so characters whose case maps are not symmetric (the Kelvin sign K and k,
    // the Ohm sign and omega) compare as a case-insensitive regular expression would.
    private static bool SameIgnoringCase(char a, char b) =>
        char.ToUpperInvariant(a) == char.ToUpperInvariant(b) || char.ToLowerInvariant(a) == char.ToLowerInvariant(b);

    private void Enter(List<int> states, bool[] marked, int state)
    {
        foreach (var reachable in _closure[state])
        {
            if (!marked[reachable])
            {
                marked[reachable] = true;
                states.Add(reachable);
            }
        }
    }

    /// <summary>Every state reachable from <paramref name="start"/> without consuming a character.</summary>
    private int[] Closure(int start)
    {
        var seen = new HashSet<int> { start };
        var pending = new Stack<int>();
        pending.Push(start);
        while (pending.Count > 0)
        {
            var state = pending.Pop();
            if (state >= _steps.Length)
            {
                continue;
            }

            foreach (var target in new[] { _steps[state].Epsilon, _steps[state].Epsilon2 })
            {
                if (target >= 0 && seen.Add(target))
                {
                    pending.Push(target);
                }
            }
        }

        return [.. seen];
    }
}

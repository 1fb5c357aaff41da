using System.Collections.Immutable;

namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>Programs: wrappers seen through, shells and eval parsed, find's commands found.</summary>
internal sealed partial class ShellAnalyzer
{
    private static readonly string[] ShellLongOptions = ["--login", "--noprofile", "--norc", "--posix", "--noediting"];
    private static readonly string[] FindCommands = ["-exec", "-execdir", "-ok", "-okdir"];
    private static readonly System.Buffers.SearchValues<char> Letters = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

    /// <summary>
    /// Adds the stages of the program in <paramref name="words"/>[<paramref name="start"/>..<paramref name="end"/>)
    /// and of whatever it wraps; returns the range's new end (an <c>eval</c>'s words become one).
    /// </summary>
    private int Invoke(List<ShellWord> words, int start, int end, Context context, CommandInfo info)
    {
        if (words[start].Literal is not { } program)
        {
            Complex($"the program '{Excerpt(ShellSyntaxText.Display(words[start]))}' is not known before the command runs");
            AddStage(ShellSyntaxText.Display(words[start]), words, start + 1, end, context, info, wraps: false);
            return end;
        }

        var name = program[(program.LastIndexOf('/') + 1)..];
        if (program.Contains('/', StringComparison.Ordinal) && (program.StartsWith('/') ? !ShellPaths.TryNormalize(program, out _) : ShellPaths.ClimbsRelative(program)))
        {
            Complex($"the program path '{Excerpt(program)}' climbs with '..'");
        }

        if (ShellWrappers.Opaque.TryGetValue(name, out var opaque))
        {
            Complex(opaque);
        }
        else if (ShellWrappers.Shells.Contains(name))
        {
            return Shell(words, start, end, context, info, program, name);
        }
        else if (name == "eval")
        {
            return Eval(words, start, end, context, info);
        }
        else if (name == "find")
        {
            return Find(words, start, end, context, info, program);
        }
        else if (name == "busybox" && start + 1 < end && words[start + 1].Literal is { } applet && !applet.StartsWith('-'))
        {
            return Wrap(words, start, start + 1, end, context, info, program, name);
        }
        else if (ShellWrappers.Options.TryGetValue(name, out var spec))
        {
            var scan = ShellWrappers.Scan(name, spec, words, start + 1, end);
            if (scan.Complex is { } reason)
            {
                Complex(reason);
            }

            if (scan.Program > start)
            {
                return Wrap(words, start, scan.Program, end, context, info, program, name);
            }
        }

        AddStage(program, words, start + 1, end, context, info, wraps: false);
        return end;
    }

    private int Wrap(List<ShellWord> words, int start, int inner, int end, Context context, CommandInfo info, string program, string name)
    {
        _wrappers.Add(name);
        AddStage(program, words, start + 1, inner, context, info, wraps: true);
        return Invoke(words, inner, end, context with { Wrappers = context.Wrappers.Add(name) }, info);
    }

    /// <summary><c>sh -c 'script'</c>: the script is parsed and its stages run under the wrapper <c>sh -c</c>.</summary>
    private int Shell(List<ShellWord> words, int start, int end, Context context, CommandInfo info, string program, string name)
    {
        var at = _stages.Count;
        var command = false;
        string? complex = null;
        var i = start + 1;
        for (; i < end; i++)
        {
            if (words[i].Literal is not { } word)
            {
                complex = $"the options of '{name}' are not known before the command runs";
                break;
            }

            if (word is "--" or "-")
            {
                i++;
                break;
            }

            if (word is "-o" or "+o" or "-O" or "+O")
            {
                i++;
                continue;
            }

            if (word.StartsWith("--", StringComparison.Ordinal))
            {
                complex ??= ShellLongOptions.Contains(word) ? null : $"'{name}' has an option the classifier does not know ({word})";
                continue;
            }

            if (word.Length < 2 || word[0] is not ('-' or '+'))
            {
                break;
            }

            foreach (var c in word.AsSpan(1))
            {
                if (c == 'c')
                {
                    command = true;
                }
                else if (c is 'i' or 's')
                {
                    complex ??= $"'{name} -{c}' reads commands from its input";
                }
                else if (!"eEuxvfnaCbhmBHklPpT".Contains(c, StringComparison.Ordinal))
                {
                    complex ??= $"'{name}' has an option the classifier does not know (-{c})";
                }
            }
        }

        var wraps = false;
        if (complex is not null)
        {
            Complex(complex);
        }
        else if (!command)
        {
            Complex(i < end ? $"'{name}' runs a script file, whose commands are not known" : $"'{name}' runs commands read from its input, which are not known");
        }
        else if (i >= end || words[i].Literal is not { } script)
        {
            Complex($"the script of '{name} -c' is not known before the command runs");
        }
        else
        {
            var label = name + " -c";
            var parsed = ShellParser.Parse(script, context.Depth + 1);
            if (parsed.Script is null)
            {
                Complex($"the script of '{label}' cannot be parsed: {parsed.Error}");
            }
            else
            {
                _wrappers.Add(label);
                var inner = Script(parsed.Script, context with { Wrappers = context.Wrappers.Add(label), Depth = context.Depth + 1 });
                words[i] = ShellWord.Of(ShellWriter.Write(inner));
                wraps = true;
            }
        }

        AddStage(program, words, start + 1, end, context, info, wraps, at: at);
        return end;
    }

    /// <summary><c>eval</c>: its words joined by spaces are parsed like a script, and replaced by that script's canonical form.</summary>
    private int Eval(List<ShellWord> words, int start, int end, Context context, CommandInfo info)
    {
        var at = _stages.Count;
        var wraps = false;
        if (start + 1 < end)
        {
            var texts = words.GetRange(start + 1, end - start - 1).Select(w => w.Literal).ToList();
            if (texts.Any(t => t is null))
            {
                Complex("the words 'eval' runs are not known before the command runs");
            }
            else if (ShellParser.Parse(string.Join(' ', texts), context.Depth + 1) is { Script: { } script })
            {
                _wrappers.Add("eval");
                var inner = Script(script, context with { Wrappers = context.Wrappers.Add("eval"), Depth = context.Depth + 1 });
                words.RemoveRange(start + 2, end - start - 2);
                words[start + 1] = ShellWord.Of(ShellWriter.Write(inner));
                end = start + 2;
                wraps = true;
            }
            else
            {
                Complex("the words 'eval' runs cannot be parsed");
            }
        }

        AddStage("eval", words, start + 1, end, context, info, wraps, at: at);
        return end;
    }

    /// <summary><c>find</c>: the commands of <c>-exec</c> and the like are stages; <c>-delete</c> and <c>-fprint</c> are noted.</summary>
    private int Find(List<ShellWord> words, int start, int end, Context context, CommandInfo info, string program)
    {
        var at = _stages.Count;
        var wraps = false;
        var writes = new List<string>();
        var i = start + 1;
        while (i < end)
        {
            var word = words[i].Literal;
            if (word is not null && FindCommands.Contains(word))
            {
                var terminator = -1;
                for (var k = i + 1; k < end; k++)
                {
                    if (words[k].Literal is ";" || (words[k].Literal is "+" && words[k - 1].Literal == "{}"))
                    {
                        terminator = k;
                        break;
                    }
                }

                if (terminator < 0 || terminator == i + 1)
                {
                    Complex($"'find {word}' has no command ended by ';' or '+'");
                    break;
                }

                if (words.Skip(i + 1).Take(terminator - i - 1).Any(w => w.Literal is null || w.Literal.Contains("{}", StringComparison.Ordinal)))
                {
                    Complex($"'find {word}' runs its command on each file found, whose names are not known before the command runs");
                }

                _wrappers.Add("find -exec");
                wraps = true;
                var newEnd = Invoke(words, i + 1, terminator, context with { Wrappers = context.Wrappers.Add("find -exec") }, info);
                end += newEnd - terminator;
                i = newEnd + 1;
            }
            else if (word == "-delete")
            {
                _wrappers.Add("find -delete");
                i++;
            }
            else if (word is "-fprint" or "-fprint0" or "-fprintf" or "-fls")
            {
                if (i + 1 < end && words[i + 1].Literal is { } file)
                {
                    writes.Add(file);
                }

                i += word == "-fprintf" ? 3 : 2;
            }
            else
            {
                i++;
            }
        }

        AddStage(program, words, start + 1, end, context, info, wraps, writes, at);
        return end;
    }

    private void AddStage(string program, List<ShellWord> words, int from, int to, Context context, CommandInfo info, bool wraps, List<string>? extraWrites = null, int? at = null)
    {
        if (_stages.Count >= MaxStages)
        {
            throw new AnalysisLimitException($"it runs more than {MaxStages} commands");
        }

        var arguments = to > from ? words.GetRange(from, to - from) : [];
        var name = program[(program.LastIndexOf('/') + 1)..];
        var subcommand = ShellPrograms.Subcommand(name, arguments, out var unclear);
        if (unclear is not null)
        {
            Complex(unclear);
        }

        var writes = new List<string>(extraWrites ?? []);
        if (ShellPrograms.Check(name, arguments, writes) is { } risky)
        {
            Complex(risky);
        }

        var flags = new List<string>();
        var paths = new List<string>();
        var options = true;
        foreach (var argument in arguments)
        {
            if (argument.Literal is not { } text)
            {
                continue;
            }

            if (options && text == "--")
            {
                options = false;
            }
            else if (options && text.StartsWith("--", StringComparison.Ordinal))
            {
                var equals = text.IndexOf('=', StringComparison.Ordinal);
                flags.Add(equals < 0 ? text : text[..equals]);
                if (equals > 0 && text.Length > equals + 1 && text[equals + 1] == '/')
                {
                    text = text[(equals + 1)..];
                }
            }
            else if (options && text.Length > 1 && text[0] == '-')
            {
                flags.Add(text);
                if (text.Length > 2 && text.AsSpan(1).IndexOfAnyExcept(Letters) < 0)
                {
                    flags.AddRange(text.Skip(1).Select(c => "-" + c));
                }
            }

            if (text.StartsWith('/'))
            {
                paths.Add(FilePath(text));
            }
            else
            {
                FilePath(text);
            }
        }

        var allWrites = info.Writes.Concat(writes.Select(FilePath)).Distinct(StringComparer.Ordinal).ToImmutableArray();
        _writes |= allWrites.Any(w => w != "/dev/null");
        var stage = new ShellStage(
            subcommand.Length > 0 ? program + " " + subcommand : program,
            program,
            subcommand,
            [.. arguments.Select(ShellSyntaxText.Display)],
            [.. flags.Distinct(StringComparer.Ordinal)],
            [.. paths.Distinct(StringComparer.Ordinal)],
            [.. info.Redirections.Distinct(StringComparer.Ordinal)],
            [.. info.Reads.Distinct(StringComparer.Ordinal)],
            allWrites,
            [.. info.Substitutions],
            [.. info.Expansions],
            [.. info.Assignments],
            context.Wrappers,
            wraps,
            context.Substituted,
            context.Background);
        _stages.Insert(at ?? _stages.Count, stage);
    }
}

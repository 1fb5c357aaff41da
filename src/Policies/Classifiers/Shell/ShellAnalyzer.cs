using System.Collections.Immutable;

namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>
/// Walks a parsed script and lists every program it runs as a <see cref="ShellStage"/>: the
/// commands of pipelines and lists, the programs of substitutions, and through wrappers
/// (<c>env</c>, <c>sudo</c>, <c>timeout</c>, <c>xargs</c>, <c>busybox</c>, <c>find -exec</c>,
/// <c>sh -c</c>, <c>eval</c>, …) the program that really runs. Whatever it cannot resolve before
/// the command runs is reported as complexity.
/// </summary>
internal sealed partial class ShellAnalyzer
{
    /// <summary>Most stages in one command string.</summary>
    public const int MaxStages = 256;

    private const int MaxComplexity = 10;

    private readonly List<ShellStage> _stages = [];
    private readonly List<string> _complexity = [];
    private readonly SortedSet<string> _operators = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _wrappers = new(StringComparer.Ordinal);
    private bool _background;
    private bool _substitution;
    private bool _expansion;
    private bool _writes;

    /// <summary>Analyses <paramref name="script"/>, or says why it cannot (too many stages, scripts nested too deep).</summary>
    public static (ShellAnalysis? Analysis, string? Error) Analyze(ShellScript script)
    {
        var analyzer = new ShellAnalyzer();
        try
        {
            var canonical = analyzer.Script(script, new Context([], false, false, 0));
            return (new ShellAnalysis(
                canonical,
                [.. analyzer._stages],
                [.. analyzer._complexity],
                [.. analyzer._operators],
                [.. analyzer._wrappers],
                analyzer._background,
                analyzer._substitution,
                analyzer._expansion,
                analyzer._writes), null);
        }
        catch (AnalysisLimitException ex)
        {
            return (null, ex.Message);
        }
    }

    private void Complex(string reason)
    {
        if (_complexity.Count < MaxComplexity && !_complexity.Contains(reason, StringComparer.Ordinal))
        {
            _complexity.Add(reason);
        }
    }

    private ShellScript Script(ShellScript script, Context context)
    {
        if (script.Items.Length > 1)
        {
            _operators.Add(";");
        }

        var items = ImmutableArray.CreateBuilder<ShellAndOr>(script.Items.Length);
        foreach (var item in script.Items)
        {
            if (item.Background)
            {
                _operators.Add("&");
                _background = true;
            }

            foreach (var connector in item.Connectors)
            {
                _operators.Add(connector == ShellConnector.And ? "&&" : "||");
            }

            var inner = context with { Background = context.Background || item.Background };
            var pipelines = ImmutableArray.CreateBuilder<ShellPipeline>(item.Pipelines.Length);
            foreach (var pipeline in item.Pipelines)
            {
                if (pipeline.Negated)
                {
                    _operators.Add("!");
                }

                if (pipeline.Commands.Length > 1)
                {
                    _operators.Add("|");
                }

                pipelines.Add(pipeline with { Commands = [.. pipeline.Commands.Select(c => Command(c, inner))] });
            }

            items.Add(item with { Pipelines = pipelines.MoveToImmutable() });
        }

        return new ShellScript(items.MoveToImmutable());
    }

    private ShellCommand Command(ShellCommand command, Context context)
    {
        var info = new CommandInfo();
        var nestedFrom = _stages.Count;
        var words = command.Words.Select(w => Word(w, context, info)).ToList();
        var assignments = command.Assignments.Select(a => a with { Value = Word(a.Value, context, info) }).ToImmutableArray();
        var redirections = command.Redirections.Select(r => Redirection(r, context, info)).ToImmutableArray();
        foreach (var assignment in assignments)
        {
            info.Assignments.Add(assignment.Name);
        }

        if (info.Assignments.Count > 0)
        {
            Complex($"it assigns variables ({string.Join(", ", info.Assignments)}), which can change what programs do");
        }

        // Substitutions run first, but the command's own stages are listed first.
        var nested = _stages.GetRange(nestedFrom, _stages.Count - nestedFrom);
        _stages.RemoveRange(nestedFrom, nested.Count);
        if (words.Count == 0)
        {
            AddStage(string.Empty, words, 0, 0, context, info, wraps: false);
        }
        else
        {
            Invoke(words, 0, words.Count, context, info);
        }

        _stages.AddRange(nested);
        return command with { Assignments = assignments, Words = [.. words], Redirections = redirections };
    }

    /// <summary>A word with the scripts of its substitutions analysed (and replaced by their canonical form).</summary>
    private ShellWord Word(ShellWord word, Context context, CommandInfo info)
    {
        if (word.Literal is { } literal)
        {
            CheckBraces(literal, info);
            return word;
        }

        var parts = ImmutableArray.CreateBuilder<ShellWordPart>(word.Parts.Length);
        foreach (var part in word.Parts)
        {
            switch (part)
            {
                case ShellLiteral text:
                    CheckBraces(text.Text, info);
                    parts.Add(part);
                    break;
                case ShellGlob:
                    Expanded(info, "glob");
                    parts.Add(part);
                    break;
                case ShellTilde:
                    Expanded(info, "tilde");
                    parts.Add(part);
                    break;
                case ShellParameter:
                    Expanded(info, "parameter");
                    parts.Add(part);
                    break;
                case ShellArithmetic:
                    Expanded(info, "arithmetic");
                    parts.Add(part);
                    break;
                case ShellCommandSubstitution substitution:
                    Substituted(info, "command");
                    parts.Add(substitution with { Script = Script(substitution.Script, Nested(context)) });
                    break;
                case ShellProcessSubstitution process:
                    Substituted(info, "process");
                    parts.Add(process with { Script = Script(process.Script, Nested(context)) });
                    break;
            }
        }

        Complex($"the word '{Excerpt(ShellSyntaxText.Display(word))}' is not known before the command runs");
        return new ShellWord(parts.MoveToImmutable());

        static Context Nested(Context context) => context with { Substituted = true, Background = false, Depth = context.Depth + 1 };
    }

    private void Expanded(CommandInfo info, string kind)
    {
        _expansion = true;
        info.Expansions.Add(kind);
    }

    private void Substituted(CommandInfo info, string kind)
    {
        _substitution = true;
        info.Substitutions.Add(kind);
    }

    /// <summary>Brace expansion is not POSIX: such a word is sent quoted and runs literally, but is noted.</summary>
    private void CheckBraces(string text, CommandInfo info)
    {
        var open = text.IndexOf('{', StringComparison.Ordinal);
        if (open < 0)
        {
            return;
        }

        var close = text.IndexOf('}', open + 1);
        if (close > open && (text.AsSpan(open, close - open).Contains(',') || text.AsSpan(open, close - open).Contains("..", StringComparison.Ordinal)))
        {
            Expanded(info, "brace");
        }
    }

    private ShellRedirection Redirection(ShellRedirection redirection, Context context, CommandInfo info)
    {
        var target = Word(redirection.Target, context, info);
        var kind = redirection.Kind switch
        {
            ShellRedirectionKind.Read => "read",
            ShellRedirectionKind.Write or ShellRedirectionKind.Clobber => "write",
            ShellRedirectionKind.Append => "append",
            ShellRedirectionKind.ReadWrite => "readwrite",
            ShellRedirectionKind.HereDocument => "heredoc",
            _ => target.Literal == "-" ? "close" : "duplicate",
        };
        info.Redirections.Add(kind);
        if (kind is "read" or "write" or "append" or "readwrite")
        {
            if (target.Literal is not { } file)
            {
                Complex("a redirection's file is not known before the command runs");
            }
            else
            {
                var path = FilePath(file);
                if (kind is "read" or "readwrite")
                {
                    info.Reads.Add(path);
                }

                if (kind is not "read")
                {
                    info.Writes.Add(path);
                }
            }
        }

        return redirection with { Target = target };
    }

    /// <summary>A file named in a redirection or option: normalised when absolute; a climb that cannot be followed is complexity.</summary>
    private string FilePath(string file)
    {
        if (file.StartsWith('/'))
        {
            if (ShellPaths.TryNormalize(file, out var normal))
            {
                return normal;
            }

            Complex($"the path '{file}' climbs above '/'");
        }
        else if (ShellPaths.ClimbsRelative(file))
        {
            Complex($"the relative path '{file}' has '..', so it may lead anywhere");
        }

        return file;
    }

    private static string Excerpt(string text) => text.Length <= 60 ? text : text[..57] + "...";

    private readonly record struct Context(ImmutableArray<string> Wrappers, bool Substituted, bool Background, int Depth);

    /// <summary>What a simple command's words, assignments and redirections say, shared by every stage it runs.</summary>
    private sealed class CommandInfo
    {
        public List<string> Redirections { get; } = [];

        public List<string> Reads { get; } = [];

        public List<string> Writes { get; } = [];

        public SortedSet<string> Substitutions { get; } = new(StringComparer.Ordinal);

        public SortedSet<string> Expansions { get; } = new(StringComparer.Ordinal);

        public List<string> Assignments { get; } = [];
    }

    private sealed class AnalysisLimitException(string message) : Exception(message);
}

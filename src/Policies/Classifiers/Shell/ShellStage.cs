using System.Collections.Immutable;

namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>
/// One program a command string runs, as the classifier understood it: one per simple command,
/// plus one per program a wrapper runs (<c>sudo rm</c> is the stage <c>sudo</c> and the stage
/// <c>rm</c> under the wrapper <c>sudo</c>), plus the programs of substitutions.
/// </summary>
/// <param name="Command">The program and, for programs with subcommands, the subcommand: <c>systemctl restart</c>.</param>
/// <param name="Program">The program word after quote removal, as it runs: <c>rm</c>, <c>/bin/rm</c>, <c>./rm</c>; empty for a command of only redirections or assignments.</param>
/// <param name="Subcommand">The subcommand, or empty.</param>
/// <param name="Arguments">The arguments after quote removal (for a wrapper, only its own, up to the program it runs).</param>
/// <param name="Flags">The options among the arguments: long options without their value, short clusters whole and letter by letter.</param>
/// <param name="Paths">The absolute paths among the arguments (and <c>--option=/path</c> values), normalised.</param>
/// <param name="Redirections">The kinds of its command's redirections: read, write, append, readwrite, duplicate, close, heredoc.</param>
/// <param name="Reads">Files its command's redirections read.</param>
/// <param name="Writes">Files its command's redirections (or options such as <c>sed -i</c>) write.</param>
/// <param name="Substitutions">Kinds of substitution in its command's words: command, process.</param>
/// <param name="Expansions">Kinds of expansion in its command's words: parameter, arithmetic, glob, tilde, brace.</param>
/// <param name="Assignments">Variables its command assigns.</param>
/// <param name="Wrappers">The wrappers it runs under, outermost first: <c>sudo</c>, <c>sh -c</c>, <c>find -exec</c>, …</param>
/// <param name="Wraps">It is a wrapper that runs another program (which is a stage of its own).</param>
/// <param name="Substituted">It runs inside a command or process substitution.</param>
/// <param name="Background">It runs in the background (<c>&amp;</c>).</param>
public sealed record ShellStage(
    string Command,
    string Program,
    string Subcommand,
    ImmutableArray<string> Arguments,
    ImmutableArray<string> Flags,
    ImmutableArray<string> Paths,
    ImmutableArray<string> Redirections,
    ImmutableArray<string> Reads,
    ImmutableArray<string> Writes,
    ImmutableArray<string> Substitutions,
    ImmutableArray<string> Expansions,
    ImmutableArray<string> Assignments,
    ImmutableArray<string> Wrappers,
    bool Wraps,
    bool Substituted,
    bool Background)
{
    /// <summary>The last segment of <see cref="Program"/>: <c>rm</c> for <c>/bin/rm</c>.</summary>
    public string ProgramName => Program[(Program.LastIndexOf('/') + 1)..];

    /// <summary>The program was written as a path (it holds a '/').</summary>
    public bool PathForm => Program.Contains('/', StringComparison.Ordinal);
}

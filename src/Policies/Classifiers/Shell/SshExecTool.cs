using McpGateway.Policies.Facts;
using McpGateway.Policies.Tools;

namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>The <c>ssh_exec</c> tool as the policy layer sees it.</summary>
public static class SshExecTool
{
    public const string Name = "ssh_exec";

    public const string Host = "ssh.host";

    /// <summary>The element list of stages: one element per program the command runs.</summary>
    public const string Stages = "shell.stages";
    public const string StageCommand = "shell.stages.command";
    public const string StageProgram = "shell.stages.program";
    public const string StageProgramName = "shell.stages.programName";
    public const string StagePathForm = "shell.stages.pathForm";
    public const string StageSubcommand = "shell.stages.subcommand";
    public const string StageArguments = "shell.stages.arguments";
    public const string StageFlags = "shell.stages.flags";
    public const string StagePaths = "shell.stages.paths";
    public const string StageRedirections = "shell.stages.redirections";
    public const string StageReads = "shell.stages.reads";
    public const string StageWrites = "shell.stages.writes";
    public const string StageSubstitutions = "shell.stages.substitutions";
    public const string StageExpansions = "shell.stages.expansions";
    public const string StageAssignments = "shell.stages.assignments";
    public const string StageWrappers = "shell.stages.wrappers";
    public const string StageWraps = "shell.stages.wraps";
    public const string StageSubstituted = "shell.stages.substituted";
    public const string StageBackground = "shell.stages.background";

    public const string StageCount = "shell.stageCount";
    public const string Operators = "shell.operators";
    public const string Background = "shell.background";
    public const string Substitution = "shell.substitution";
    public const string Expansion = "shell.expansion";
    public const string Writes = "shell.writes";
    public const string Wrappers = "shell.wrappers";
    public const string Complexity = "shell.complexity";

    public const string MaxOutputBytes = "maxOutputBytes";

    public static IReadOnlyList<FactDescriptor> Facts { get; } =
    [
        new(Host, FactType.Text, "The configured SSH host the command runs on."),
        new(StageCommand, FactType.Text, "The program as written (quote-removed) and, for programs with subcommands, the subcommand: 'ls', '/bin/ls', 'systemctl restart'.", Stages),
        new(StageProgram, FactType.Text, "The program word after quote removal, as it runs: 'rm', '/bin/rm', './rm'; empty for a command of only redirections or assignments.", Stages),
        new(StageProgramName, FactType.Text, "The last path segment of the program: 'rm' for '/bin/rm' (for rules that deny a program however it is reached).", Stages),
        new(StagePathForm, FactType.Flag, "The program was written as a path (it holds a '/').", Stages),
        new(StageSubcommand, FactType.Text, "The subcommand of programs such as systemctl, git, kubectl, docker, apt; empty otherwise.", Stages),
        new(StageArguments, FactType.TextList, "The arguments after quote removal; for a wrapper, only its own, up to the program it runs.", Stages),
        new(StageFlags, FactType.TextList, "The options among the arguments: long options without their value ('--vacuum-size'), short clusters whole and letter by letter ('-rf', '-r', '-f').", Stages),
        new(StagePaths, FactType.TextList, "The absolute paths among the arguments (and '--option=/path' values) with '//', '.' and '..' resolved.", Stages),
        new(StageRedirections, FactType.TextList, "The kinds of the command's redirections: read, write, append, readwrite, duplicate, close, heredoc.", Stages),
        new(StageReads, FactType.TextList, "The files the command's redirections read (absolute paths normalised).", Stages),
        new(StageWrites, FactType.TextList, "The files the command writes through redirections, 'sed -i' or 'find -fprint' (absolute paths normalised).", Stages),
        new(StageSubstitutions, FactType.TextList, "The kinds of substitution in the command's words: command, process.", Stages),
        new(StageExpansions, FactType.TextList, "The kinds of expansion in the command's words: parameter, arithmetic, glob, tilde, brace.", Stages),
        new(StageAssignments, FactType.TextList, "The variables the command assigns (NAME=value before it, or through env).", Stages),
        new(StageWrappers, FactType.TextList, "The wrappers the program runs under, outermost first: sudo, env, timeout, xargs, 'sh -c', eval, 'find -exec', ...", Stages),
        new(StageWraps, FactType.Flag, "The program is a wrapper that runs another program (a stage of its own).", Stages),
        new(StageSubstituted, FactType.Flag, "The program runs inside a command or process substitution.", Stages),
        new(StageBackground, FactType.Flag, "The program runs in the background.", Stages),
        new(StageCount, FactType.Number, "How many programs the command runs (the elements of shell.stages)."),
        new(Operators, FactType.TextList, "The operators joining commands: ';', '&&', '||', '|', '&', '!'."),
        new(Background, FactType.Flag, "Something runs in the background ('&')."),
        new(Substitution, FactType.Flag, "The command has a command or process substitution."),
        new(Expansion, FactType.Flag, "The command has a parameter, arithmetic, tilde, pattern or brace expansion."),
        new(Writes, FactType.Flag, "The command writes a file other than /dev/null."),
        new(Wrappers, FactType.TextList, "Every wrapper the command uses, including 'find -delete'."),
        new(Complexity, FactType.TextList, "Why the command is complex; empty when it is not."),
    ];

    public static IReadOnlyList<ElementListDescriptor> ElementLists { get; } =
    [
        new(Stages, StageCommand, "The programs the command runs: each simple command, each program a wrapper runs, each program of a substitution."),
    ];

    public static IReadOnlyList<ObligationDescriptor> Obligations { get; } =
    [
        new(MaxOutputBytes, ObligationKind.Size, "Largest stdout and stderr each returned to the agent; the rest is cut and the result marked truncated."),
    ];

    /// <summary>The arguments <c>ssh_exec</c> accepts; the classifier refuses any other.</summary>
    public static IReadOnlyList<string> Arguments { get; } =
        [SshExecClassifier.HostArgument, SshExecClassifier.CommandArgument, SshExecClassifier.TimeoutArgument];

    public static ToolDescriptor Create() => new(Name, TargetKinds.Ssh, Facts, ElementLists, Obligations, new SshExecClassifier(), Arguments);
}

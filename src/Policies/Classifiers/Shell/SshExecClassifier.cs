using System.Collections.Immutable;
using System.Text.Json;
using McpGateway.Policies.Classifiers.Http;
using McpGateway.Policies.Facts;
using McpGateway.Policies.Tools;

namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>
/// Classifies an <c>ssh_exec</c> call: validates its arguments, parses the command as a POSIX
/// shell would, lists every program it runs with its arguments, flags, redirections, expansions
/// and wrappers, and reduces the call to the rebuilt command that is both decided on and sent.
/// A command it cannot parse is <c>unparsed</c> (nothing would run); one it parses but cannot
/// fully resolve before it runs is <c>complex</c>.
/// </summary>
internal sealed class SshExecClassifier : IToolClassifier
{
    internal const string HostArgument = "host";
    internal const string CommandArgument = "command";
    internal const string TimeoutArgument = "timeoutSeconds";

    /// <summary>Longest command accepted, in characters.</summary>
    public const int MaxCommandLength = 16 * 1024;

    /// <summary>Longest rebuilt command sent (quoting nested scripts makes it grow).</summary>
    public const int MaxRebuiltLength = 64 * 1024;

    /// <summary>Longest timeout a call may ask for.</summary>
    public const int MaxTimeoutSeconds = 24 * 60 * 60;

    private const string Example = "{\"host\": \"web-1\", \"command\": \"df -h /var\"}";
    private const string UnknownTarget = "unknown-target";

    public Classification Classify(JsonElement arguments, PolicyEnvironment environment)
    {
        var refusals = new List<Refusal>();
        if (ToolArguments.Read(SshExecTool.Name, arguments, SshExecTool.Arguments, Example, refusals) is not { } fields)
        {
            return Classification.Refused(SshExecTool.Name, null, refusals[0]);
        }

        var facts = new FactSetBuilder();
        var host = fields.RequiredString(HostArgument, () => HostHelp(environment));
        if (host is not null)
        {
            facts.Set(SshExecTool.Host, host);
            if (environment.FindTarget(TargetKinds.Ssh, host) is null)
            {
                var names = string.Join(", ", environment.TargetNames(TargetKinds.Ssh));
                refusals.Add(new Refusal(UnknownTarget, names.Length == 0
                    ? $"Host '{JsonText.Display(host)}' is not configured, and this gateway has no SSH hosts configured, so ssh_exec cannot be used."
                    : $"Host '{JsonText.Display(host)}' is not configured: use one of the configured SSH hosts: {names}."));
            }
        }

        var command = fields.RequiredString(CommandArgument, "give the shell command to run, for example \"df -h /var\"");
        if (command is { Length: > MaxCommandLength })
        {
            refusals.Add(new Refusal(ToolArguments.RefusalCode, $"Argument 'command' is {command.Length:N0} characters long; ssh_exec runs commands of at most {MaxCommandLength:N0} characters. Shorten it, or run several calls."));
            command = null;
        }

        var timeout = ReadTimeout(fields[TimeoutArgument], refusals);
        if (refusals.Count > 0 || command is null || host is null)
        {
            return new Classification(SshExecTool.Name, host ?? TargetName(fields), facts.Set(CommonFacts.Unparsed, false).Set(CommonFacts.Complex, false).Build(), [], [.. refusals], null);
        }

        if (Understand(command) is not { } analysis)
        {
            return Unparsed(host, facts, UnparsedReason(command));
        }

        var rebuilt = ShellWriter.Write(analysis.Script);
        if (rebuilt.Length > MaxRebuiltLength)
        {
            return Unparsed(host, facts, $"The command rebuilt for sending is longer than {MaxRebuiltLength:N0} characters (its nested scripts need much quoting); simplify it.");
        }

        foreach (var stage in analysis.Stages)
        {
            facts.AddElement(SshExecTool.Stages, StageFacts(stage));
        }

        facts.Set(SshExecTool.StageCount, analysis.Stages.Length)
            .Set(SshExecTool.Operators, analysis.Operators)
            .Set(SshExecTool.Background, analysis.Background)
            .Set(SshExecTool.Substitution, analysis.Substitution)
            .Set(SshExecTool.Expansion, analysis.Expansion)
            .Set(SshExecTool.Writes, analysis.Writes)
            .Set(SshExecTool.Wrappers, analysis.Wrappers)
            .Set(SshExecTool.Complexity, analysis.Complexity)
            .Set(CommonFacts.Unparsed, false)
            .Set(CommonFacts.Complex, !analysis.Complexity.IsEmpty);

        var request = new SshExecRequest(host, analysis.Script, rebuilt, analysis.Stages, timeout);
        return new Classification(SshExecTool.Name, host, facts.Build(), [], [], request);
    }

    /// <summary>The analysis of a command that parses into at least one command, or null.</summary>
    internal static ShellAnalysis? Understand(string command)
    {
        if (command.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var parsed = ShellParser.Parse(command);
        if (parsed.Script is not { Items.Length: > 0 } script)
        {
            return null;
        }

        return ShellAnalyzer.Analyze(script).Analysis;
    }

    private static string UnparsedReason(string command)
    {
        if (command.Contains('\0', StringComparison.Ordinal))
        {
            return "The command holds a NUL character, which no shell passes on; remove it.";
        }

        var parsed = ShellParser.Parse(command);
        if (parsed.Error is { } error)
        {
            return $"The command could not be parsed as POSIX sh: {error}.";
        }

        if (parsed.Script is { Items.Length: 0 })
        {
            return "The command runs no commands (it is blank or only comments).";
        }

        return $"The command could not be analysed: {ShellAnalyzer.Analyze(parsed.Script!).Error}.";
    }

    private static Classification Unparsed(string host, FactSetBuilder facts, string reason) =>
        new(SshExecTool.Name, host, facts.Set(CommonFacts.Unparsed, true).Set(CommonFacts.Complex, false).Build(), [reason], [], null);

    private static IEnumerable<KeyValuePair<string, FactValue>> StageFacts(ShellStage stage) =>
    [
        new(SshExecTool.StageCommand, FactValue.Of(stage.Command)),
        new(SshExecTool.StageProgram, FactValue.Of(stage.Program)),
        new(SshExecTool.StageProgramName, FactValue.Of(stage.ProgramName)),
        new(SshExecTool.StagePathForm, FactValue.Of(stage.PathForm)),
        new(SshExecTool.StageSubcommand, FactValue.Of(stage.Subcommand)),
        new(SshExecTool.StageArguments, FactValue.Of(stage.Arguments)),
        new(SshExecTool.StageFlags, FactValue.Of(stage.Flags)),
        new(SshExecTool.StagePaths, FactValue.Of(stage.Paths)),
        new(SshExecTool.StageRedirections, FactValue.Of(stage.Redirections)),
        new(SshExecTool.StageReads, FactValue.Of(stage.Reads)),
        new(SshExecTool.StageWrites, FactValue.Of(stage.Writes)),
        new(SshExecTool.StageSubstitutions, FactValue.Of(stage.Substitutions)),
        new(SshExecTool.StageExpansions, FactValue.Of(stage.Expansions)),
        new(SshExecTool.StageAssignments, FactValue.Of(stage.Assignments)),
        new(SshExecTool.StageWrappers, FactValue.Of(stage.Wrappers)),
        new(SshExecTool.StageWraps, FactValue.Of(stage.Wraps)),
        new(SshExecTool.StageSubstituted, FactValue.Of(stage.Substituted)),
        new(SshExecTool.StageBackground, FactValue.Of(stage.Background)),
    ];

    private static int? ReadTimeout(JsonElement? element, List<Refusal> refusals)
    {
        if (element is not { ValueKind: not JsonValueKind.Null } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var seconds) && seconds is > 0 and <= MaxTimeoutSeconds)
        {
            return seconds;
        }

        refusals.Add(new Refusal(ToolArguments.RefusalCode, $"Argument 'timeoutSeconds' must be a whole number of seconds from 1 to {MaxTimeoutSeconds:N0}, not {(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : JsonText.KindOf(value))}; or leave it out."));
        return null;
    }

    private static string? TargetName(ToolArguments fields) =>
        fields[HostArgument] is { ValueKind: JsonValueKind.String } element && JsonText.TryGetString(element, out var name) ? name : null;

    private static string HostHelp(PolicyEnvironment environment)
    {
        var names = string.Join(", ", environment.TargetNames(TargetKinds.Ssh));
        return names.Length == 0
            ? "give the name of a configured SSH host (none are configured)"
            : $"give the name of a configured SSH host ({names})";
    }
}

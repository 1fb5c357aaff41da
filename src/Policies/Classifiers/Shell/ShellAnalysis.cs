using System.Collections.Immutable;

namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>What a parsed script runs, stage by stage, and what makes it hard to reason about.</summary>
/// <param name="Script">
/// The script as it will run: the parsed script with every <c>sh -c</c> and <c>eval</c> script
/// replaced by its own rebuilt form, so the remote shell reads those too as they were checked.
/// </param>
/// <param name="Stages">Every program it runs.</param>
/// <param name="Complexity">Why it cannot be fully reasoned about; empty when it can.</param>
/// <param name="Operators">The operators joining its commands: <c>;</c> <c>&amp;&amp;</c> <c>||</c> <c>|</c> <c>&amp;</c> <c>!</c>.</param>
/// <param name="Wrappers">Every wrapper it uses.</param>
/// <param name="Background">Something runs in the background.</param>
/// <param name="Substitution">It has a command or process substitution.</param>
/// <param name="Expansion">It has a parameter, arithmetic, tilde, pattern or brace expansion.</param>
/// <param name="Writes">It writes a file other than <c>/dev/null</c>.</param>
internal sealed record ShellAnalysis(
    ShellScript Script,
    ImmutableArray<ShellStage> Stages,
    ImmutableArray<string> Complexity,
    ImmutableArray<string> Operators,
    ImmutableArray<string> Wrappers,
    bool Background,
    bool Substitution,
    bool Expansion,
    bool Writes);

using System.Collections.Immutable;

namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>
/// A parsed POSIX shell command string: and-or lists run one after the other. The tree holds
/// meaning, not spelling: <c>rm</c>, <c>'r''m'</c>, <c>r\m</c> and <c>"rm"</c> are one literal.
/// </summary>
public sealed record ShellScript(ImmutableArray<ShellAndOr> Items)
{
    /// <summary>An unambiguous text of the tree, for comparing two parses.</summary>
    public override string ToString() => ShellSyntaxText.Describe(this);
}

/// <summary>How two pipelines of an and-or list are joined.</summary>
public enum ShellConnector
{
    /// <summary><c>&amp;&amp;</c></summary>
    And,

    /// <summary><c>||</c></summary>
    Or,
}

/// <summary>Pipelines joined by <c>&amp;&amp;</c> and <c>||</c>, run in the background when ended by <c>&amp;</c>.</summary>
public sealed record ShellAndOr(ImmutableArray<ShellPipeline> Pipelines, ImmutableArray<ShellConnector> Connectors, bool Background);

/// <summary>Simple commands joined by <c>|</c>, optionally negated with <c>!</c>.</summary>
public sealed record ShellPipeline(bool Negated, ImmutableArray<ShellCommand> Commands);

/// <summary>A simple command: variable assignments, words (program and arguments), redirections in order.</summary>
public sealed record ShellCommand(ImmutableArray<ShellAssignment> Assignments, ImmutableArray<ShellWord> Words, ImmutableArray<ShellRedirection> Redirections);

/// <summary><c>NAME=value</c> before a command's words.</summary>
public sealed record ShellAssignment(string Name, ShellWord Value);

/// <summary>The kinds of redirection.</summary>
public enum ShellRedirectionKind
{
    /// <summary><c>&lt;</c></summary>
    Read,

    /// <summary><c>&gt;</c></summary>
    Write,

    /// <summary><c>&gt;|</c></summary>
    Clobber,

    /// <summary><c>&gt;&gt;</c></summary>
    Append,

    /// <summary><c>&lt;&gt;</c></summary>
    ReadWrite,

    /// <summary><c>&lt;&amp;</c> with a descriptor number or <c>-</c>.</summary>
    DuplicateInput,

    /// <summary><c>&gt;&amp;</c> with a descriptor number or <c>-</c>.</summary>
    DuplicateOutput,

    /// <summary><c>&lt;&lt;</c> or <c>&lt;&lt;-</c>: the target is the document's body (leading tabs already removed for <c>&lt;&lt;-</c>).</summary>
    HereDocument,
}

/// <summary>A redirection of descriptor <see cref="Descriptor"/> (null: the default for the kind).</summary>
public sealed record ShellRedirection(int? Descriptor, ShellRedirectionKind Kind, ShellWord Target);

/// <summary>One word: the concatenation of its parts.</summary>
public sealed record ShellWord(ImmutableArray<ShellWordPart> Parts)
{
    /// <summary>The word's value when it is known before the command runs (only literal parts); otherwise null.</summary>
    public string? Literal => Parts is [ShellLiteral only] ? only.Text : null;

    public static ShellWord Of(string text) => new([new ShellLiteral(text)]);

    public override string ToString() => ShellSyntaxText.Display(this);
}

/// <summary>A part of a word.</summary>
public abstract record ShellWordPart;

/// <summary>Characters taken as they are (whatever quoting they were written with).</summary>
public sealed record ShellLiteral(string Text) : ShellWordPart;

/// <summary>Unquoted pattern characters: <c>*</c>, <c>?</c> or a bracket expression such as <c>[a-z]</c>.</summary>
public sealed record ShellGlob(string Text) : ShellWordPart;

/// <summary>A tilde prefix at the start of a word (<c>~</c>, <c>~/</c>, <c>~user/</c>).</summary>
public sealed record ShellTilde(string Text) : ShellWordPart;

/// <summary>A parameter expansion as written (<c>$HOME</c>, <c>${x:-y}</c>); quoted when inside double quotes.</summary>
public sealed record ShellParameter(string Text, bool Quoted) : ShellWordPart;

/// <summary>An arithmetic expansion <c>$((…))</c>; the text is what is between the parentheses.</summary>
public sealed record ShellArithmetic(string Text, bool Quoted) : ShellWordPart;

/// <summary>A command substitution, <c>$(…)</c> or backquotes.</summary>
public sealed record ShellCommandSubstitution(ShellScript Script, bool Quoted) : ShellWordPart;

/// <summary>A process substitution, <c>&lt;(…)</c> or (when <see cref="Output"/>) <c>&gt;(…)</c>.</summary>
public sealed record ShellProcessSubstitution(bool Output, ShellScript Script) : ShellWordPart;

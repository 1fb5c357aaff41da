using System.Text;

namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>Texts of a parsed script: an unambiguous description of the tree, and words for display.</summary>
internal static class ShellSyntaxText
{
    /// <summary>The tree as an S-expression: two scripts are the same parse when their descriptions are equal.</summary>
    public static string Describe(ShellScript script)
    {
        var output = new StringBuilder();
        Describe(output, script);
        return output.ToString();
    }

    /// <summary>A word as a reader would write it: literal text plain, expansions as written.</summary>
    public static string Display(ShellWord word)
    {
        if (word.Literal is { } literal)
        {
            return literal;
        }

        var output = new StringBuilder();
        foreach (var part in word.Parts)
        {
            output.Append(part switch
            {
                ShellLiteral text => text.Text,
                ShellGlob glob => glob.Text,
                ShellTilde tilde => tilde.Text,
                ShellParameter parameter => parameter.Quoted ? $"\"{parameter.Text}\"" : parameter.Text,
                ShellArithmetic arithmetic => $"$(({arithmetic.Text}))",
                ShellCommandSubstitution substitution => $"$({ShellWriter.Write(substitution.Script)})",
                ShellProcessSubstitution process => $"{(process.Output ? '>' : '<')}({ShellWriter.Write(process.Script)})",
                _ => string.Empty,
            });
        }

        return output.ToString();
    }

    private static void Describe(StringBuilder output, ShellScript script)
    {
        output.Append("(script");
        foreach (var item in script.Items)
        {
            output.Append(" (list");
            for (var i = 0; i < item.Pipelines.Length; i++)
            {
                if (i > 0)
                {
                    output.Append(item.Connectors[i - 1] == ShellConnector.And ? " &&" : " ||");
                }

                var pipeline = item.Pipelines[i];
                output.Append(pipeline.Negated ? " (!pipe" : " (pipe");
                foreach (var command in pipeline.Commands)
                {
                    output.Append(" (cmd");
                    foreach (var assignment in command.Assignments)
                    {
                        output.Append(" (= ").Append(assignment.Name).Append(' ');
                        Describe(output, assignment.Value);
                        output.Append(')');
                    }

                    foreach (var word in command.Words)
                    {
                        output.Append(' ');
                        Describe(output, word);
                    }

                    foreach (var redirection in command.Redirections)
                    {
                        output.Append(" (").Append(redirection.Descriptor?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "_").Append(redirection.Kind).Append(' ');
                        Describe(output, redirection.Target);
                        output.Append(')');
                    }

                    output.Append(')');
                }

                output.Append(')');
            }

            output.Append(item.Background ? " &)" : ")");
        }

        output.Append(')');
    }

    private static void Describe(StringBuilder output, ShellWord word)
    {
        output.Append("(word");
        foreach (var part in word.Parts)
        {
            output.Append(' ');
            switch (part)
            {
                case ShellLiteral literal:
                    output.Append("lit:").Append(Escape(literal.Text));
                    break;
                case ShellGlob glob:
                    output.Append("glob:").Append(Escape(glob.Text));
                    break;
                case ShellTilde tilde:
                    output.Append("tilde:").Append(Escape(tilde.Text));
                    break;
                case ShellParameter parameter:
                    output.Append(parameter.Quoted ? "qparam:" : "param:").Append(Escape(parameter.Text));
                    break;
                case ShellArithmetic arithmetic:
                    output.Append(arithmetic.Quoted ? "qarith:" : "arith:").Append(Escape(arithmetic.Text));
                    break;
                case ShellCommandSubstitution substitution:
                    output.Append(substitution.Quoted ? "qsubst:" : "subst:");
                    Describe(output, substitution.Script);
                    break;
                case ShellProcessSubstitution process:
                    output.Append(process.Output ? "out:" : "in:");
                    Describe(output, process.Script);
                    break;
            }
        }

        output.Append(')');
    }

    private static string Escape(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}

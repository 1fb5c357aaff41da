using System.Text;

namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>
/// Writes a parsed script back as a command string in which every literal is single-quoted: no
/// reserved word, alias, brace, tilde or pattern character is left for the remote shell to read
/// other than as it was parsed. Only what the tree says is an expansion, a pattern or an operator
/// is written unquoted. Parsing the result gives the same tree.
/// </summary>
internal static class ShellWriter
{
    public static string Write(ShellScript script)
    {
        var output = new StringBuilder();
        WriteScript(output, script);
        return output.ToString();
    }

    /// <summary>A word as one shell word: its literal text in single quotes.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void WriteScript(StringBuilder output, ShellScript script)
    {
        for (var i = 0; i < script.Items.Length; i++)
        {
            var item = script.Items[i];
            var bodies = new List<(string Body, string Delimiter)>();
            WriteAndOr(output, item, bodies);
            if (item.Background)
            {
                output.Append(" &");
            }

            if (bodies.Count > 0)
            {
                output.Append('\n');
                foreach (var (body, delimiter) in bodies)
                {
                    output.Append(body).Append(delimiter).Append('\n');
                }
            }
            else if (i < script.Items.Length - 1)
            {
                output.Append(item.Background ? " " : "; ");
            }
        }
    }

    private static void WriteAndOr(StringBuilder output, ShellAndOr item, List<(string, string)> bodies)
    {
        for (var i = 0; i < item.Pipelines.Length; i++)
        {
            if (i > 0)
            {
                output.Append(item.Connectors[i - 1] == ShellConnector.And ? " && " : " || ");
            }

            var pipeline = item.Pipelines[i];
            if (pipeline.Negated)
            {
                output.Append("! ");
            }

            for (var j = 0; j < pipeline.Commands.Length; j++)
            {
                if (j > 0)
                {
                    output.Append(" | ");
                }

                WriteCommand(output, pipeline.Commands[j], bodies);
            }
        }
    }

    private static void WriteCommand(StringBuilder output, ShellCommand command, List<(string, string)> bodies)
    {
        var first = true;
        foreach (var assignment in command.Assignments)
        {
            Separate(output, ref first);
            output.Append(assignment.Name).Append('=');
            WriteWord(output, assignment.Value);
        }

        foreach (var word in command.Words)
        {
            Separate(output, ref first);
            WriteWord(output, word);
        }

        foreach (var redirection in command.Redirections)
        {
            Separate(output, ref first);
            if (redirection.Descriptor is { } descriptor)
            {
                output.Append((char)('0' + descriptor));
            }

            switch (redirection.Kind)
            {
                case ShellRedirectionKind.DuplicateInput or ShellRedirectionKind.DuplicateOutput:
                    output.Append(redirection.Kind == ShellRedirectionKind.DuplicateInput ? "<&" : ">&").Append(redirection.Target.Literal);
                    break;
                case ShellRedirectionKind.HereDocument:
                    var (body, expands) = HereDocumentBody(redirection.Target);
                    var delimiter = Delimiter(body);
                    output.Append(expands ? $"<<{delimiter}" : $"<<'{delimiter}'");
                    bodies.Add((body, delimiter));
                    break;
                default:
                    output.Append(Operator(redirection.Kind)).Append(' ');
                    WriteWord(output, redirection.Target);
                    break;
            }
        }

        static void Separate(StringBuilder output, ref bool first)
        {
            if (!first)
            {
                output.Append(' ');
            }

            first = false;
        }
    }

    public static string Operator(ShellRedirectionKind kind) => kind switch
    {
        ShellRedirectionKind.Read => "<",
        ShellRedirectionKind.Write => ">",
        ShellRedirectionKind.Clobber => ">|",
        ShellRedirectionKind.Append => ">>",
        ShellRedirectionKind.ReadWrite => "<>",
        ShellRedirectionKind.DuplicateInput => "<&",
        ShellRedirectionKind.DuplicateOutput => ">&",
        _ => "<<",
    };

    public static void WriteWord(StringBuilder output, ShellWord word)
    {
        if (word.Parts.IsEmpty)
        {
            output.Append("''");
            return;
        }

        foreach (var part in word.Parts)
        {
            switch (part)
            {
                case ShellLiteral literal:
                    output.Append(Quote(literal.Text));
                    break;
                case ShellGlob glob:
                    output.Append(glob.Text);
                    break;
                case ShellTilde tilde:
                    output.Append(tilde.Text);
                    break;
                case ShellParameter parameter:
                    output.Append(parameter.Quoted ? $"\"{parameter.Text}\"" : parameter.Text);
                    break;
                case ShellArithmetic arithmetic:
                    output.Append(arithmetic.Quoted ? $"\"$(({arithmetic.Text}))\"" : $"$(({arithmetic.Text}))");
                    break;
                case ShellCommandSubstitution substitution:
                    output.Append(substitution.Quoted ? "\"$( " : "$( ");
                    WriteScript(output, substitution.Script);
                    output.Append(substitution.Quoted ? " )\"" : " )");
                    break;
                case ShellProcessSubstitution process:
                    output.Append(process.Output ? ">( " : "<( ");
                    WriteScript(output, process.Script);
                    output.Append(" )");
                    break;
            }
        }
    }

    /// <summary>
    /// A here-document's body as written: literal text as it is (under a quoted delimiter), or,
    /// when it holds expansions, with '\', '$' and '`' of its text escaped.
    /// </summary>
    private static (string Body, bool Expands) HereDocumentBody(ShellWord body)
    {
        if (body.Literal is { } literal)
        {
            return (literal.Length == 0 || literal.EndsWith('\n') ? literal : literal + "\n", false);
        }

        var output = new StringBuilder();
        foreach (var part in body.Parts)
        {
            switch (part)
            {
                case ShellLiteral text:
                    foreach (var c in text.Text)
                    {
                        if (c is '\\' or '$' or '`')
                        {
                            output.Append('\\');
                        }

                        output.Append(c);
                    }

                    break;
                case ShellParameter parameter:
                    output.Append(parameter.Text);
                    break;
                case ShellArithmetic arithmetic:
                    output.Append("$((").Append(arithmetic.Text).Append("))");
                    break;
                case ShellCommandSubstitution substitution:
                    output.Append("$( ");
                    WriteScript(output, substitution.Script);
                    output.Append(" )");
                    break;
            }
        }

        if (output.Length > 0 && output[^1] != '\n')
        {
            output.Append('\n');
        }

        return (output.ToString(), true);
    }

    /// <summary>A delimiter that is not a line of the body.</summary>
    private static string Delimiter(string body)
    {
        var lines = body.Split('\n').ToHashSet(StringComparer.Ordinal);
        var delimiter = "EOF";
        for (var i = 1; lines.Contains(delimiter); i++)
        {
            delimiter = $"EOF{i}";
        }

        return delimiter;
    }
}

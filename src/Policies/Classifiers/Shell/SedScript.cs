namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>
/// Reads a sed script far enough to find the commands that run programs (<c>e</c>, the <c>s///e</c>
/// flag) or write files (<c>w</c>, <c>W</c>, the <c>s///w</c> flag). A script it cannot read is
/// reported too, so nothing unrecognised passes as harmless.
/// </summary>
internal static class SedScript
{
    public static string? Check(string script)
    {
        var i = 0;
        while (true)
        {
            while (i < script.Length && (char.IsWhiteSpace(script[i]) || script[i] == ';'))
            {
                i++;
            }

            if (i >= script.Length)
            {
                return null;
            }

            if (!SkipAddress(script, ref i))
            {
                return "the sed script has an address the classifier cannot read";
            }

            if (i < script.Length && script[i] == ',')
            {
                i++;
                if (i < script.Length && script[i] is '~' or '+')
                {
                    i++;
                }

                if (!SkipAddress(script, ref i))
                {
                    return "the sed script has an address the classifier cannot read";
                }
            }

            while (i < script.Length && (script[i] is ' ' or '\t' or '!'))
            {
                i++;
            }

            if (i >= script.Length)
            {
                return "the sed script ends after an address";
            }

            var command = script[i++];
            switch (command)
            {
                case '{' or '}' or '=' or 'd' or 'D' or 'g' or 'G' or 'h' or 'H' or 'n' or 'N' or 'p' or 'P' or 'x' or 'z' or 'F':
                    break;
                case '#' or 'a' or 'i' or 'c' or 'r' or 'R':
                    SkipLine(script, ref i);
                    break;
                case 'b' or 't' or 'T' or ':' or 'v':
                    while (i < script.Length && script[i] is not (';' or '\n'))
                    {
                        i++;
                    }

                    break;
                case 'q' or 'Q' or 'l' or 'L':
                    while (i < script.Length && (script[i] == ' ' || char.IsAsciiDigit(script[i])))
                    {
                        i++;
                    }

                    break;
                case 's' or 'y':
                    if (!SkipDelimited(script, ref i, 2))
                    {
                        return $"the sed script has an '{command}' command the classifier cannot read";
                    }

                    while (command == 's' && i < script.Length && script[i] is not (';' or '\n' or '}' or ' ' or '\t'))
                    {
                        if (script[i] == 'e')
                        {
                            return "the sed script's 's///e' runs the result as a command";
                        }

                        if (script[i] == 'w')
                        {
                            return "the sed script's 's///w' writes a file";
                        }

                        i++;
                    }

                    break;
                case 'e':
                    return "the sed script's 'e' command runs commands";
                case 'w' or 'W':
                    return "the sed script's 'w' command writes a file";
                default:
                    return $"the sed script has a command the classifier does not know ('{command}')";
            }
        }
    }

    private static bool SkipAddress(string script, ref int i)
    {
        if (i >= script.Length)
        {
            return true;
        }

        if (char.IsAsciiDigit(script[i]))
        {
            while (i < script.Length && (char.IsAsciiDigit(script[i]) || script[i] == '~'))
            {
                i++;
            }

            return true;
        }

        if (script[i] == '$')
        {
            i++;
            return true;
        }

        if (script[i] is '/' or '\\')
        {
            if (script[i] == '\\')
            {
                i++;
            }

            if (!SkipDelimited(script, ref i, 1))
            {
                return false;
            }

            while (i < script.Length && script[i] is 'I' or 'M')
            {
                i++;
            }
        }

        return true;
    }

    /// <summary>Skips a delimiter and <paramref name="parts"/> parts each ended by it (backslash escapes it).</summary>
    private static bool SkipDelimited(string script, ref int i, int parts)
    {
        if (i >= script.Length || script[i] is '\n' or '\\')
        {
            return false;
        }

        var delimiter = script[i++];
        for (var part = 0; part < parts; part++)
        {
            while (true)
            {
                if (i >= script.Length)
                {
                    return false;
                }

                var c = script[i++];
                if (c == '\\')
                {
                    i++;
                }
                else if (c == delimiter)
                {
                    break;
                }
            }
        }

        return true;
    }

    private static void SkipLine(string script, ref int i)
    {
        while (i < script.Length && script[i] != '\n')
        {
            i += script[i] == '\\' ? 2 : 1;
        }
    }
}

using System.CommandLine;

namespace McpGateway.Cli;

/// <summary>
/// "Did you mean": the verb or option closest to the first word the parser could not place, at
/// the level of the command tree where it stands.
/// </summary>
internal static class CommandSuggestions
{
    /// <summary>
    /// The closest subcommand (as a full command path) or option of the command the parse reached,
    /// when one is close enough to be a likely typo; otherwise null.
    /// </summary>
    public static string? For(ParseResult parseResult, string commandPath)
    {
        if (parseResult.UnmatchedTokens is not [{ Length: > 0 } word, ..])
        {
            return null;
        }

        var command = parseResult.CommandResult.Command;
        if (word.StartsWith('-'))
        {
            return Closest(word, OptionsOf(parseResult));
        }

        var verb = Closest(word, command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name)));
        return verb is null ? null : $"{commandPath} {verb}";
    }

    /// <summary>
    /// The number of single-character insertions, deletions, substitutions and swaps of two
    /// neighbours that turn one word into the other (optimal string alignment), ignoring case.
    /// </summary>
    public static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private static IEnumerable<string> OptionsOf(ParseResult parseResult)
    {
        var own = parseResult.CommandResult.Command.Options;
        var inherited = new List<Option>();
        for (var parent = parseResult.CommandResult.Parent as System.CommandLine.Parsing.CommandResult; parent is not null; parent = parent.Parent as System.CommandLine.Parsing.CommandResult)
        {
            inherited.AddRange(parent.Command.Options.Where(o => o.Recursive));
        }

        return own.Concat(inherited).Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name));
    }

    private static string? Closest(string word, IEnumerable<string> candidates)
    {
        var names = candidates.Distinct(StringComparer.Ordinal).ToList();
        var best = names
            .Select(name => (Name: name, Distance: Distance(word, name)))
            .Where(c => c.Distance <= Math.Max(1, c.Name.Length / 3))
            .OrderBy(c => c.Distance)
            .FirstOrDefault();
        if (best.Name is not null)
        {
            return best.Name;
        }

        // A unique abbreviation ("ver" for "verify") is as good a guess.
        var prefixed = word.TrimStart('-').Length >= 2
            ? names.Where(n => n.StartsWith(word, StringComparison.OrdinalIgnoreCase)).ToList()
            : [];
        return prefixed.Count == 1 ? prefixed[0] : null;
    }
}

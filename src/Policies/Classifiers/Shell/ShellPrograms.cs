using System.Collections.Frozen;

namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>What the classifier knows of particular programs: subcommands, and awk and sed programs that run commands or write files.</summary>
internal static class ShellPrograms
{
    /// <summary>Programs whose first argument is a subcommand that changes what they do; the set holds subcommands that take a second level.</summary>
    private static readonly FrozenDictionary<string, FrozenSet<string>> Subcommands = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["systemctl"] = [],
        ["git"] = ["remote", "stash", "submodule", "worktree", "notes", "lfs"],
        ["kubectl"] = ["rollout", "config", "auth", "certificate", "set", "top", "create"],
        ["docker"] = ["compose", "container", "image", "network", "volume", "system", "builder", "buildx", "context", "plugin", "swarm", "node", "service", "stack", "secret", "config"],
        ["podman"] = ["container", "image", "network", "volume", "system", "pod", "machine", "secret"],
        ["crictl"] = [],
        ["helm"] = ["repo", "plugin", "registry", "get", "show"],
        ["apt"] = [],
        ["apt-get"] = [],
        ["dnf"] = [],
        ["yum"] = [],
        ["zypper"] = [],
        ["snap"] = [],
        ["npm"] = [],
        ["pip"] = [],
        ["pip3"] = [],
        ["ip"] = ["addr", "address", "link", "route", "rule", "neigh", "netns", "tunnel", "xfrm", "maddr", "mroute"],
        ["nmcli"] = ["connection", "con", "device", "dev", "radio", "general", "networking"],
        ["loginctl"] = [],
        ["hostnamectl"] = [],
        ["timedatectl"] = [],
        ["networkctl"] = [],
        ["resolvectl"] = [],
        ["firewall-cmd"] = [],
        ["ufw"] = [],
        ["virsh"] = [],
        ["zfs"] = [],
        ["zpool"] = [],
        ["lvm"] = [],
        ["nft"] = [],
        ["openssl"] = [],
    }.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal);

    private static readonly FrozenSet<string> Awks = new[] { "awk", "gawk", "mawk", "nawk" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The subcommand of <paramref name="name"/> in its arguments, empty when it has none; null
    /// (with <paramref name="complex"/>) when options come first, which hides which word is the subcommand.
    /// </summary>
    public static string Subcommand(string name, IReadOnlyList<ShellWord> arguments, out string? complex)
    {
        complex = null;
        if (name == "service")
        {
            // service UNIT ACTION
            return arguments.Count >= 2 && arguments[0].Literal is { } unit && !unit.StartsWith('-') && arguments[1].Literal is { } action && !action.StartsWith('-')
                ? action
                : Unclear(name, arguments, out complex);
        }

        if (!Subcommands.TryGetValue(name, out var second) || arguments.Count == 0)
        {
            return string.Empty;
        }

        if (arguments[0].Literal is not { } first || first.StartsWith('-'))
        {
            return Unclear(name, arguments, out complex);
        }

        if (second.Contains(first) && arguments.Count > 1 && arguments[1].Literal is { } next && !next.StartsWith('-'))
        {
            return first + " " + next;
        }

        return first;

        static string Unclear(string name, IReadOnlyList<ShellWord> arguments, out string? complex)
        {
            complex = arguments.Count == 0 ? null : $"options before the subcommand of '{name}' hide which word is the subcommand; put the subcommand first";
            return string.Empty;
        }
    }

    /// <summary>Why an awk or sed invocation may do more than read and print, or null; files <c>sed -i</c> edits are added to <paramref name="writes"/>.</summary>
    public static string? Check(string name, IReadOnlyList<ShellWord> arguments, List<string> writes)
    {
        if (Awks.Contains(name))
        {
            return CheckAwk(name, arguments);
        }

        return name switch
        {
            "sed" or "gsed" => CheckSed(arguments, writes),
            _ => null,
        };
    }

    private static string? CheckAwk(string name, IReadOnlyList<ShellWord> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i].Literal is not { } word)
            {
                return $"the {name} program is not known before the command runs";
            }

            if (word is "-F" or "-v")
            {
                i++;
                continue;
            }

            if (word == "--" && i + 1 < arguments.Count)
            {
                word = arguments[i + 1].Literal ?? "system";
            }
            else if (word.StartsWith("-F", StringComparison.Ordinal) || word.StartsWith("-v", StringComparison.Ordinal))
            {
                continue;
            }
            else if (word.StartsWith('-'))
            {
                return $"'{name} {word}' reads its program from a file or takes an option the classifier does not know";
            }

            return word.Contains("system", StringComparison.Ordinal) || word.Contains('|', StringComparison.Ordinal)
                || word.Contains('>', StringComparison.Ordinal) || word.Contains("getline", StringComparison.Ordinal)
                ? $"the {name} program may run commands or write files (system, |, > or getline)"
                : null;
        }

        return null;
    }

    private static string? CheckSed(IReadOnlyList<ShellWord> arguments, List<string> writes)
    {
        var scripts = new List<string>();
        var files = new List<string>();
        var inPlace = false;
        var options = true;
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i].Literal is not { } word)
            {
                return "the sed script or its files are not known before the command runs";
            }

            if (options && word == "--")
            {
                options = false;
            }
            else if (options && word is "-e" or "--expression")
            {
                if (i + 1 >= arguments.Count || arguments[i + 1].Literal is not { } script)
                {
                    return "the sed script is not known before the command runs";
                }

                scripts.Add(script);
                i++;
            }
            else if (options && word.StartsWith("--expression=", StringComparison.Ordinal))
            {
                scripts.Add(word["--expression=".Length..]);
            }
            else if (options && (word.StartsWith("-i", StringComparison.Ordinal) || word.StartsWith("--in-place", StringComparison.Ordinal)))
            {
                inPlace = true;
            }
            else if (options && word is "-n" or "-E" or "-r" or "-s" or "-u" or "-z" or "--quiet" or "--silent" or "--posix" or "--sandbox" or "--debug"
                or "--regexp-extended" or "--separate" or "--unbuffered" or "--null-data" or "-nE" or "-En" or "-nr" or "-rn")
            {
            }
            else if (options && word.StartsWith('-') && word.Length > 1)
            {
                return $"'sed {word}' reads its script from a file or takes an option the classifier does not know";
            }
            else
            {
                files.Add(word);
            }
        }

        if (scripts.Count == 0 && files.Count > 0)
        {
            scripts.Add(files[0]);
            files.RemoveAt(0);
        }

        if (inPlace)
        {
            writes.AddRange(files);
        }

        foreach (var script in scripts)
        {
            if (SedScript.Check(script) is { } reason)
            {
                return reason;
            }
        }

        return null;
    }
}

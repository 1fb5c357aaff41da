using System.Collections.Frozen;

namespace McpGateway.Policies.Classifiers.Shell;

/// <summary>
/// How a wrapper's own options are laid out, so the program it runs can be found: short options
/// that take a value, short flags, long options, and fixed operands before the program
/// (<c>timeout 5 rm</c>). An option the table does not know makes the program unknowable.
/// </summary>
internal sealed record WrapperSpec(
    string ShortWithValue = "",
    string ShortFlags = "",
    string ComplexShort = "",
    string QueryShort = "",
    string[]? LongWithValue = null,
    string[]? LongFlags = null,
    string[]? ComplexLong = null,
    int Operands = 0,
    bool Assignments = false,
    bool NumericOptions = false,
    string? AlwaysComplex = null);

/// <summary>Where a wrapper's program starts, or why it cannot be known.</summary>
/// <param name="Program">Index of the program's word, or -1 when the wrapper runs none (or it cannot be found).</param>
/// <param name="Complex">Why the call cannot be fully reasoned about, or null.</param>
internal readonly record struct WrapperScan(int Program, string? Complex);

/// <summary>The wrappers the classifier sees through, by program name.</summary>
internal static class ShellWrappers
{
    public static FrozenDictionary<string, WrapperSpec> Options { get; } = new Dictionary<string, WrapperSpec>(StringComparer.Ordinal)
    {
        ["env"] = new(ShortWithValue: "uCS", ShortFlags: "i0v", ComplexShort: "S", LongWithValue: ["unset", "chdir", "split-string"], LongFlags: ["ignore-environment", "null", "debug"], ComplexLong: ["split-string"], Assignments: true),
        ["sudo"] = new(
            ShortWithValue: "ugCDprtUTRh",
            ShortFlags: "AbEHKkNnPSsiel",
            ComplexShort: "bsielh",
            QueryShort: "vV",
            LongWithValue: ["user", "group", "close-from", "chdir", "prompt", "role", "type", "other-user", "command-timeout", "chroot", "host"],
            LongFlags: ["askpass", "background", "preserve-env", "set-home", "login", "shell", "non-interactive", "preserve-groups", "reset-timestamp", "remove-timestamp", "stdin", "bell", "edit", "list"],
            ComplexLong: ["background", "login", "shell", "edit", "list"],
            Assignments: true),
        ["doas"] = new(ShortWithValue: "uC", ShortFlags: "ns", ComplexShort: "sC"),
        ["nice"] = new(ShortWithValue: "n", LongWithValue: ["adjustment"], NumericOptions: true),
        ["ionice"] = new(ShortWithValue: "cnpPu", ShortFlags: "t", ComplexShort: "pPu", LongWithValue: ["class", "classdata", "pid", "pgid", "uid"], LongFlags: ["ignore"], ComplexLong: ["pid", "pgid", "uid"]),
        ["timeout"] = new(ShortWithValue: "sk", ShortFlags: "fpv", LongWithValue: ["signal", "kill-after"], LongFlags: ["preserve-status", "foreground", "verbose"], Operands: 1),
        ["nohup"] = new(),
        ["setsid"] = new(ShortFlags: "cfw", LongFlags: ["ctty", "fork", "wait"]),
        ["stdbuf"] = new(ShortWithValue: "ioe", LongWithValue: ["input", "output", "error"]),
        ["time"] = new(ShortWithValue: "fo", ShortFlags: "apqv", ComplexShort: "o", LongWithValue: ["format", "output"], LongFlags: ["append", "portability", "quiet", "verbose"], ComplexLong: ["output"]),
        ["command"] = new(ShortFlags: "p", QueryShort: "vV"),
        ["builtin"] = new(),
        ["exec"] = new(ShortWithValue: "a", ShortFlags: "cl", ComplexShort: "acl"),
        ["chroot"] = new(LongWithValue: ["userspec", "groups"], LongFlags: ["skip-chdir"], Operands: 1),
        ["xargs"] = new(
            ShortWithValue: "adEILnPsR",
            ShortFlags: "0eilprtx",
            LongWithValue: ["arg-file", "delimiter", "eof", "replace", "max-lines", "max-args", "max-procs", "max-chars", "process-slot-var"],
            LongFlags: ["null", "interactive", "no-run-if-empty", "verbose", "exit", "open-tty", "show-limits"],
            AlwaysComplex: "xargs runs its program with arguments read from its input, which are not known before the command runs"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Shells whose <c>-c</c> script is parsed and classified as what runs.</summary>
    public static FrozenSet<string> Shells { get; } = new[] { "sh", "bash", "dash", "ash", "ksh", "mksh", "zsh", "posh", "yash" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Programs that run a command string the classifier does not parse.</summary>
    public static FrozenDictionary<string, string> Opaque { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["."] = "'.' runs the commands of a file",
        ["source"] = "'source' runs the commands of a file",
        ["trap"] = "'trap' sets commands that run later",
        ["watch"] = "'watch' runs its arguments as a shell command",
        ["su"] = "'su' runs a shell as another user",
        ["runuser"] = "'runuser' runs a shell as another user",
        ["script"] = "'script' runs a shell",
        ["ssh"] = "'ssh' runs commands on another host",
        ["parallel"] = "'parallel' runs commands built from its input",
        ["strace"] = "'strace' runs a program given in its arguments",
        ["ltrace"] = "'ltrace' runs a program given in its arguments",
        ["unshare"] = "'unshare' runs a program given in its arguments",
        ["nsenter"] = "'nsenter' runs a program given in its arguments",
        ["flock"] = "'flock' runs a program given in its arguments",
        ["chrt"] = "'chrt' runs a program given in its arguments",
        ["taskset"] = "'taskset' runs a program given in its arguments",
        ["pkexec"] = "'pkexec' runs a program as another user",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Finds the program a wrapper runs in <paramref name="words"/>[<paramref name="start"/>..<paramref name="end"/>).</summary>
    public static WrapperScan Scan(string name, WrapperSpec spec, IReadOnlyList<ShellWord> words, int start, int end)
    {
        string? complex = spec.AlwaysComplex;
        var i = start;
        while (i < end)
        {
            if (words[i].Literal is not { } word)
            {
                return new WrapperScan(-1, $"the options of '{name}' are not known before the command runs");
            }

            if (word == "--")
            {
                i++;
                break;
            }

            if (spec.Assignments && IsAssignment(word))
            {
                complex ??= $"'{name}' sets environment variables, which can change what the program does";
                i++;
                continue;
            }

            if (word.StartsWith("--", StringComparison.Ordinal) && word.Length > 2)
            {
                var equals = word.IndexOf('=', StringComparison.Ordinal);
                var option = equals < 0 ? word[2..] : word[2..equals];
                if (spec.ComplexLong?.Contains(option) == true)
                {
                    complex ??= $"'{name} --{option}' changes how or whether the program runs";
                }

                if (spec.LongWithValue?.Contains(option) == true)
                {
                    i += equals < 0 ? 2 : 1;
                    continue;
                }

                if (spec.LongFlags?.Contains(option) != true)
                {
                    return new WrapperScan(-1, $"'{name}' has an option the classifier does not know (--{option})");
                }

                i++;
                continue;
            }

            if (word.StartsWith('-') && word.Length > 1)
            {
                if (spec.NumericOptions && word.AsSpan(1).TrimStart('-').Length > 0 && !word.AsSpan(1).TrimStart('-').ContainsAnyExceptInRange('0', '9'))
                {
                    i++;
                    continue;
                }

                var next = i + 1;
                for (var j = 1; j < word.Length; j++)
                {
                    var c = word[j];
                    if (spec.QueryShort.Contains(c, StringComparison.Ordinal))
                    {
                        return new WrapperScan(-1, complex);
                    }

                    if (spec.ComplexShort.Contains(c, StringComparison.Ordinal))
                    {
                        complex ??= $"'{name} -{c}' changes how or whether the program runs";
                    }

                    if (spec.ShortWithValue.Contains(c, StringComparison.Ordinal))
                    {
                        next = j == word.Length - 1 ? i + 2 : i + 1;
                        break;
                    }

                    if (!spec.ShortFlags.Contains(c, StringComparison.Ordinal))
                    {
                        return new WrapperScan(-1, $"'{name}' has an option the classifier does not know (-{c})");
                    }
                }

                i = next;
                continue;
            }

            if (name == "env" && word == "-")
            {
                i++;
                continue;
            }

            break;
        }

        i += spec.Operands;
        return i < end ? new WrapperScan(i, complex) : new WrapperScan(-1, complex);
    }

    public static bool IsAssignment(string word)
    {
        var equals = word.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || !(char.IsAsciiLetter(word[0]) || word[0] == '_'))
        {
            return false;
        }

        for (var i = 1; i < equals; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(word[i]) || word[i] == '_'))
            {
                return false;
            }
        }

        return true;
    }
}

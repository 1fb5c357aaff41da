using System.Buffers;

namespace McpGateway.Policies.Masking.Detection;

/// <summary>Character classes the detectors share.</summary>
internal static class TextClass
{
    public const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static readonly SearchValues<char> Alphanumeric = SearchValues.Create(Alphanumerics);
    public static readonly SearchValues<char> Word = SearchValues.Create(Alphanumerics + "_");
    public static readonly SearchValues<char> Base64Url = SearchValues.Create(Alphanumerics + "-_");
    public static readonly SearchValues<char> Base64 = SearchValues.Create(Alphanumerics + "+/");
    public static readonly SearchValues<char> Base32Lower = SearchValues.Create("abcdefghijklmnopqrstuvwxyz234567");
    public static readonly SearchValues<char> UpperAlphanumeric = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
    public static readonly SearchValues<char> GitLab = SearchValues.Create(Alphanumerics + "-_");
    public static readonly SearchValues<char> Slack = SearchValues.Create(Alphanumerics + "-");
    public static readonly SearchValues<char> SlackPath = SearchValues.Create(Alphanumerics + "/");
    public static readonly SearchValues<char> EmailLocal = SearchValues.Create(Alphanumerics + "._%+-");
    public static readonly SearchValues<char> KeyName = SearchValues.Create(Alphanumerics + "_.-");
    public static readonly SearchValues<char> Letters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    // Where the authority of a URL ends.
    public static readonly SearchValues<char> AuthorityEnd = SearchValues.Create("/?#\\\"'<>`{}|^ \t\r\n\f\v");

    public static bool IsWord(char c) => Word.Contains(c);

    public static bool IsWordAt(ReadOnlySpan<char> text, int index) => (uint)index < (uint)text.Length && Word.Contains(text[index]);

    public static bool IsDigitAt(ReadOnlySpan<char> text, int index) => (uint)index < (uint)text.Length && char.IsAsciiDigit(text[index]);

    public static char At(ReadOnlySpan<char> text, int index) => (uint)index < (uint)text.Length ? text[index] : '\0';

    /// <summary>The end of the run of <paramref name="set"/> characters that starts at <paramref name="from"/>.</summary>
    public static int EndOfRun(ReadOnlySpan<char> text, int from, SearchValues<char> set)
    {
        if (from >= text.Length)
        {
            return text.Length;
        }

        var length = text[from..].IndexOfAnyExcept(set);
        return length < 0 ? text.Length : from + length;
    }

    /// <summary>The end of the run of ASCII digits that starts at <paramref name="from"/>.</summary>
    public static int EndOfDigits(ReadOnlySpan<char> text, int from)
    {
        if (from >= text.Length)
        {
            return text.Length;
        }

        var length = text[from..].IndexOfAnyExceptInRange('0', '9');
        return length < 0 ? text.Length : from + length;
    }
}

using FsCheck;
using FsCheck.Fluent;

namespace Policies.Tests.Text;

/// <summary>
/// Strings as a hostile agent or a broken backend would send them: ASCII, controls, lone high
/// and low surrogates, astral pairs, combining marks, emoji sequences and the replacement
/// character, in any mix.
/// </summary>
internal static class HostileText
{
    private static readonly string[] Pieces =
    [
        "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\0", "\u001b", "\u007f", "\u0085",
        "\ud800", "\udbff", "\udc00", "\udfff", "\ud83d\ude00", "\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67",
        "e\u0301", "\u0301", "\u200d", "\ufe0f", "\ufffd", "\u2028", "\ud800\ud800", "\udc00\ud800",
        "🇫🇷", "é", "中", "\uFEFF",
    ];

    public static Gen<string> Strings { get; } =
        Gen.Frequency(
            (3, Gen.Elements(Pieces)),
            (1, Gen.Choose(0, 0xFFFF).Select(c => ((char)c).ToString())))
        .ArrayOf()
        .Select(parts => string.Concat(parts));

    public static Arbitrary<string> Arbitrary { get; } = Strings.ToArbitrary();
}

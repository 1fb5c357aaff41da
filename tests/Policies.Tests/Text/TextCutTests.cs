using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using McpGateway.Policies.Text;

namespace Policies.Tests.Text;

public sealed class TextCutTests
{
    [Fact]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        var text = new string('a', 2047) + "\ud83d\ude00" + "tail";

        var cut = TextCut.ToChars(text, 2048);

        cut.Should().Be(new string('a', 2047));
    }

    [Fact]
    public void A_cut_never_splits_a_combining_sequence_or_an_emoji_family()
    {
        const string Family = "\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67";

        TextCut.ToChars("abe\u0301", 3).Should().Be("ab");
        TextCut.ToChars("x" + Family, 5).Should().Be("x");
        TextCut.ToUtf8Bytes("x" + Family + "y", 10).Should().Be("x");
    }

    [Fact]
    public void One_element_longer_than_the_limit_is_cut_at_a_scalar_boundary_not_to_nothing_or_half_a_pair()
    {
        var marks = "e" + string.Concat(Enumerable.Repeat("\u0301", 50));

        TextCut.ToChars(marks, 10).Should().Be(marks[..10]);
        TextCut.ToChars("\ud83d\ude00\u0301", 1).Should().BeEmpty();
    }

    [Fact]
    public void Any_cut_is_a_prefix_within_the_limit_that_adds_no_lone_surrogate()
    {
        Prop.ForAll(HostileText.Arbitrary, Gen.Choose(0, 64).ToArbitrary(), (text, limit) =>
        {
            var chars = TextCut.ToChars(text, limit);
            var bytes = TextCut.ToUtf8Bytes(text, limit);

            return text.StartsWith(chars, StringComparison.Ordinal)
                && chars.Length <= limit
                && LoneSurrogates(chars) <= LoneSurrogates(text)
                && text.StartsWith(bytes, StringComparison.Ordinal)
                && Encoding.UTF8.GetByteCount(bytes) <= limit
                && LoneSurrogates(bytes) <= LoneSurrogates(text)
                && (StringInfo.GetNextTextElementLength(text) > limit
                    || chars.Length == text.Length
                    || chars.Length + StringInfo.GetNextTextElementLength(text.AsSpan(chars.Length)) > limit);
        }).QuickCheckThrowOnFailure();
    }

    private static int LoneSurrogates(string text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                count++;
            }
        }

        return count;
    }
}

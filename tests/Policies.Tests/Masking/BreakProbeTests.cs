using McpGateway.Policies.Masking;

namespace Policies.Tests.Masking;

/// <summary>The probe never rules out a line break that a spelling runs across, and rules out most others.</summary>
public sealed class BreakProbeTests
{
    private static readonly string[] Spellings = ["c2stbGl2ZV81MUh4OVFl", "736b5f6c6976655f", "73:6b:5f:6c:69:76", "Zm9v"];

    [Fact]
    public void A_break_anywhere_inside_a_spelling_is_let_through_in_any_letter_case_and_with_any_indent()
    {
        var probe = new BreakProbe(Spellings);
        foreach (var spelling in Spellings)
        {
            foreach (var written in new[] { spelling, spelling.ToUpperInvariant() })
            {
                for (var i = 1; i < written.Length; i++)
                {
                    foreach (var lineBreak in new[] { "\n", "\r\n", "\\n", "\n    " })
                    {
                        var text = "AAAAAAAAAAAAAAAA" + written[..i] + lineBreak + written[i..];
                        var start = 16 + i;
                        probe.Allows(text, start, start + lineBreak.Length).Should().BeTrue($"{written} broken before {i}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Breaks_in_wrapped_Base64_without_a_spelling_are_mostly_ruled_out()
    {
        var probe = new BreakProbe(Spellings);
        var random = new Random(7);
        var data = new byte[57 * 2000];
        random.NextBytes(data);
        var text = Convert.ToBase64String(data, Base64FormattingOptions.InsertLineBreaks);
        var breaks = 0;
        var allowed = 0;
        for (var at = text.IndexOf('\r', StringComparison.Ordinal); at > 0; at = text.IndexOf('\r', at + 2))
        {
            breaks++;
            allowed += probe.Allows(text, at, at + 2) ? 1 : 0;
        }

        breaks.Should().BeGreaterThan(1000);
        allowed.Should().BeLessThan(breaks / 20);
    }
}

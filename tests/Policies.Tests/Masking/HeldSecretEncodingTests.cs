using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using McpGateway.Policies.Masking;

namespace Policies.Tests.Masking;

/// <summary>A held credential echoed in another letter case, as separated hex, wrapped Base64 or HTML references never comes back.</summary>
public sealed partial class HeldSecretEncodingTests
{
    private const string Redacted = HeldSecretRedactor.Placeholder;
    private const string Token = "ghp_9fK2xQ7LmN4pR8sT1vW3yZ5bC6dE0a";
    private const string Special = "s3\"cr\\et&<b>'x y€";

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Theory]
    [InlineData("GHP_9FK2XQ7LMN4PR8ST1VW3YZ5BC6DE0A")]
    [InlineData("ghp_9fk2xq7lmn4pr8st1vw3yz5bc6de0a")]
    [InlineData("gHp_9Fk2Xq7lMn4Pr8St1Vw3Yz5Bc6De0A")]
    public void A_secret_in_another_letter_case_is_redacted(string echoed)
    {
        new HeldSecretRedactor([Token]).Redact($"user={echoed};").Should().Be($"user={Redacted};");
    }

    [Fact]
    public void Base64_in_another_letter_case_is_not_the_secret_and_survives()
    {
        var flipped = new string([.. Convert.ToBase64String(Encoding.UTF8.GetBytes(Token)).Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c))]);

        new HeldSecretRedactor([Token]).Redact(flipped).Should().Be(flipped);
    }

    [Theory]
    [InlineData(":", false)]
    [InlineData(":", true)]
    [InlineData(" ", false)]
    [InlineData(" ", true)]
    [InlineData("-", false)]
    [InlineData("%3A", true)]
    [InlineData("", true)]
    public void Hex_with_separated_bytes_is_redacted_whole(string separator, bool upper)
    {
        var hex = string.Join(separator, Encoding.UTF8.GetBytes(Special).Select(b => Convert.ToHexString([b])));
        hex = upper ? hex : hex.ToLowerInvariant();

        new HeldSecretRedactor([Special]).Redact($"bytes [{hex}] end").Should().Be($"bytes [{Redacted}] end");
    }

    [Fact]
    public void Hex_escaped_bytes_and_mixed_case_hex_are_redacted()
    {
        var bytes = Encoding.UTF8.GetBytes(Token);
        var escaped = string.Concat(bytes.Select(b => @"\x" + Convert.ToHexString([b])));
        var mixed = string.Concat(bytes.Select((b, i) => i % 2 == 0 ? Convert.ToHexString([b]) : Convert.ToHexStringLower([b])));
        var redactor = new HeldSecretRedactor([Token]);

        redactor.Redact($"b'{escaped}'").Should().Be($"b'{Redacted}'");
        redactor.Redact($"0x{mixed}").Should().Be($"0x{Redacted}");
    }

    [Fact]
    public void Separated_hex_of_other_bytes_survives()
    {
        const string Text = "mac 00:1a:2b:3c:4d:5e:6f:70 fingerprint de:ad:be:ef:ca:fe:ba:be:00:11";

        new HeldSecretRedactor([Token, Special]).Redact(Text).Should().BeSameAs(Text);
    }

    [Theory]
    [InlineData(64, "\n")]
    [InlineData(64, "\r\n")]
    [InlineData(76, "\n")]
    [InlineData(76, "\r\n")]
    [InlineData(64, "\\n")]
    [InlineData(76, "\n    ")]
    public void A_secret_inside_wrapped_Base64_is_redacted_at_every_alignment(int width, string lineBreak)
    {
        var secret = Encoding.UTF8.GetBytes("client-secret=" + Token + Special);
        var redactor = new HeldSecretRedactor([Token, Special]);
        for (var before = 0; before < 3 * width / 4 + 3; before++)
        {
            var data = Enumerable.Range(0, before).Select(i => (byte)('a' + (i % 26))).Concat(secret).Concat("\"}"u8.ToArray()).ToArray();
            var wrapped = Wrap(Convert.ToBase64String(data), width, lineBreak);

            var redacted = redactor.Redact($"-----BEGIN DATA-----{lineBreak}{wrapped}{lineBreak}-----END DATA-----");

            var because = $"{before} bytes before the secret";
            Reveals(Unwrap(wrapped), Token).Should().BeTrue(because);
            Reveals(Unwrap(redacted), Token).Should().BeFalse(because);
            Reveals(Unwrap(redacted), Special).Should().BeFalse(because);
            redacted.Should().StartWith("-----BEGIN DATA-----").And.EndWith("-----END DATA-----").And.Contain(Redacted);
        }
    }

    [Fact]
    public void A_wrapped_Base64_secret_on_its_own_is_replaced_with_its_line_breaks()
    {
        var secret = string.Concat(Enumerable.Repeat(Token, 4));
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(secret), Base64FormattingOptions.InsertLineBreaks);
        encoded.Should().Contain("\r\n");

        new HeldSecretRedactor([secret]).Redact($"data:\r\n{encoded}\r\nend").Should().Be($"data:\r\n{Redacted}\r\nend");
    }

    [Fact]
    public void A_Basic_credential_wrapped_inside_is_redacted()
    {
        const string Password = "correct-horse-battery-staple-7";
        var credential = Convert.ToBase64String(Encoding.UTF8.GetBytes("deploy-bot-account:" + Password));
        var wrapped = credential[..30] + "\n" + credential[30..];

        var redacted = new HeldSecretRedactor([Password]).Redact("Authorization: Basic " + wrapped);

        Reveals(Unwrap(redacted), Password).Should().BeFalse();
        redacted.Should().StartWith("Authorization: Basic " + credential[..24]);
    }

    [Fact]
    public void Lines_of_Base64_without_a_secret_come_back_as_the_same_instance()
    {
        var text = "cert: |\n" + Wrap(Convert.ToBase64String(Enumerable.Range(0, 3000).Select(i => (byte)(i * 31)).ToArray()), 64, "\n    ");

        new HeldSecretRedactor([Token, Special]).Redact(text).Should().BeSameAs(text);
    }

    [Theory]
    [InlineData("decimal")]
    [InlineData("hex")]
    [InlineData("HEX")]
    [InlineData("zeros")]
    [InlineData("mixed")]
    [InlineData("WebUtility.HtmlEncode")]
    [InlineData("HtmlEncoder")]
    [InlineData("json then html")]
    public void A_secret_written_with_character_references_is_redacted(string style)
    {
        var encoded = Entities(style, Special);
        encoded.Should().NotContain(Special);

        new HeldSecretRedactor([Special]).Redact($"<input value=\"{encoded}\">").Should().Be($"<input value=\"{Redacted}\">");
    }

    [Fact]
    public void A_character_outside_the_BMP_is_found_as_one_reference_or_two()
    {
        const string Secret = "key-😀-value";
        var redactor = new HeldSecretRedactor([Secret]);

        redactor.Redact("a key-&#128512;-value b").Should().Be($"a {Redacted} b");
        redactor.Redact("a key-&#xD83D;&#xDE00;-value b").Should().Be($"a {Redacted} b");
    }

    [Fact]
    public void Base64_wrapped_by_an_XML_writer_with_references_for_CR_is_redacted()
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Token, 3))), Base64FormattingOptions.InsertLineBreaks);
        var xml = $"<v>{encoded.Replace("\r\n", "&#xD;\n", StringComparison.Ordinal).Replace("+", "&#x2B;", StringComparison.Ordinal)}</v>";

        new HeldSecretRedactor([string.Concat(Enumerable.Repeat(Token, 3))]).Redact(xml).Should().Be($"<v>{Redacted}</v>");
    }

    [Fact]
    public void References_that_spell_no_secret_come_back_as_the_same_instance()
    {
        const string Text = "a &amp; b &lt;c&gt; &#115;&#x65;cret &#0; &#x110000; &#99999999; &#x0000073; &unknown; & &# &#x;";

        new HeldSecretRedactor([Token, Special]).Redact(Text).Should().BeSameAs(Text);
    }

    [Fact]
    public void Every_match_fits_in_the_longest_spelling()
    {
        var redactor = new HeldSecretRedactor([Special]);
        string[] echoes =
        [
            string.Concat(Special.Select(c => $"&#x{(int)c:x6};")),
            string.Concat(Encoding.UTF8.GetBytes(Special).Select(b => $"&#37;{b:X2}")),
            Wrap(Convert.ToBase64String(Encoding.UTF8.GetBytes(Special)), 16, "\\r\\n" + new string(' ', 32)),
        ];

        foreach (var echo in echoes)
        {
            redactor.Redact(echo).Should().Be(Redacted, echo);
            echo.Length.Should().BeLessThanOrEqualTo(redactor.LongestSpelling);
        }
    }

    internal static string Wrap(string text, int width, string lineBreak)
        => string.Join(lineBreak, text.Chunk(width).Select(chunk => new string(chunk)));

    internal static string Unwrap(string text) => LineBreaks().Replace(text, string.Empty);

    internal static string Entities(string style, string secret) => style switch
    {
        "decimal" => string.Concat(secret.Select(c => $"&#{(int)c};")),
        "hex" => string.Concat(secret.Select(c => $"&#x{(int)c:x};")),
        "HEX" => string.Concat(secret.Select(c => $"&#X{(int)c:X};")),
        "zeros" => string.Concat(secret.Select(c => $"&#x{(int)c:X6};")),
        "mixed" => string.Concat(secret.Select((c, i) => c switch
        {
            '&' => "&amp;",
            '"' => "&QUOT;",
            '\'' => "&apos;",
            '<' => "&lt;",
            '>' => "&gt;",
            _ => (i % 3) switch { 0 => c.ToString(), 1 => $"&#{(int)c};", _ => $"&#x{(int)c:X};" },
        })),
        "WebUtility.HtmlEncode" => WebUtility.HtmlEncode(secret),
        "HtmlEncoder" => HtmlEncoder.Default.Encode(secret),
        "json then html" => WebUtility.HtmlEncode(JsonSerializer.Serialize(secret, Relaxed)[1..^1]),
        _ => throw new ArgumentOutOfRangeException(nameof(style), style, null),
    };

    // Whether any four consecutive bytes of the secret can be read back by Base64-decoding any run of Base64
    // characters in the text, at any of the four character offsets, in either alphabet.
    internal static bool Reveals(string text, string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        foreach (Match run in Base64Runs().Matches(text))
        {
            var base64 = run.Value.Replace('-', '+').Replace('_', '/');
            for (var offset = 0; offset < Math.Min(4, base64.Length); offset++)
            {
                var decoded = Convert.FromBase64String(base64.Substring(offset, (base64.Length - offset) / 4 * 4));
                for (var at = 0; at + 4 <= bytes.Length; at++)
                {
                    if (decoded.AsSpan().IndexOf(bytes.AsSpan(at, 4)) >= 0)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    [GeneratedRegex(@"\r?\n[ \t]*|\\r\\n|\\n")]
    private static partial Regex LineBreaks();

    [GeneratedRegex("[A-Za-z0-9+/_-]+")]
    private static partial Regex Base64Runs();
}

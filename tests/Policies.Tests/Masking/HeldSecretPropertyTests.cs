using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using McpGateway.Policies.Masking;
using Policies.Tests.Text;

namespace Policies.Tests.Masking;

/// <summary>Properties over arbitrary secrets in arbitrary text: no spelling survives, other text is kept, nothing throws.</summary>
public sealed class HeldSecretPropertyTests
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Any UTF-16 code unit that is not white space, lone surrogates included.
    private static readonly Gen<char> Solid = Gen.Choose(0x21, 0xFFFF).Select(c => (char)c).Where(c => !char.IsWhiteSpace(c));

    // At least MinimumSecretLength solid characters around arbitrary ones.
    private static readonly Gen<string> Secrets =
        Solid.ArrayOf(HeldSecretRedactor.MinimumSecretLength)
            .Zip(HostileText.Strings, (solid, other) => (Solid: new string(solid), Other: other))
            .Zip(Gen.Choose(0, HeldSecretRedactor.MinimumSecretLength), (parts, at) => parts.Solid.Insert(at, parts.Other));

    private static readonly Gen<(string Before, string After)> Around = HostileText.Strings.Zip(HostileText.Strings, (before, after) => (before, after));

    public static TheoryData<string> Encodings() =>
    [
        "raw", "upper", "lower", "hex", "hex upper colons", "hex spaces", "hex dashes", @"hex \x", "json relaxed", "references",
        "json then references", "base64 MIME CRLF", "base64 PEM LF", "base64 JSON-escaped lines", "base64 in wrapped data",
    ];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void An_arbitrary_secret_in_arbitrary_text_never_survives(string encoding)
    {
        Prop.ForAll(Secrets.ToArbitrary(), Around.ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (secret, around, seed) =>
        {
            var (before, after) = around;
            // Text around references must not end in an unfinished one that would take in the first character.
            (before, after) = encoding.Contains("references", StringComparison.Ordinal) ? (before.Replace("&", "", StringComparison.Ordinal), after) : (before, after);
            var spelled = Spell(encoding, secret, new Random(seed));
            if (spelled is null)
            {
                return;
            }

            var redactor = new HeldSecretRedactor([secret]);
            var redacted = redactor.Redact(before + spelled + after);

            if (encoding.StartsWith("base64", StringComparison.Ordinal))
            {
                HeldSecretEncodingTests.Reveals(HeldSecretEncodingTests.Unwrap(redacted), secret).Should().BeFalse(encoding);
            }
            else
            {
                redacted.Should().NotContain(spelled, encoding);
            }

            redacted.Should().Contain(HeldSecretRedactor.Placeholder);
            redactor.Redact(redacted).Should().Be(redacted, "redaction is idempotent");
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Text_holding_no_secret_comes_back_unchanged()
    {
        var texts = Gen.Elements(
                "2024-05-02T06:33:28.707Z INFO [req-7fea98e3] GET /api/v1/users/49414 200\n", "a &amp; b &#115; &#x2B;&lt;\n", "de:ad:be:ef:00:11:22:33\n",
                "\\x41\\x42", "  tls.crt: |\n    ", "\r\n", "\\n", "{\"k\":\"v\\u00e9\"}")
            .Or(Gen.Choose(0, 200).Select(n => Convert.ToBase64String(Encoding.UTF8.GetBytes(new string('q', n)), Base64FormattingOptions.InsertLineBreaks)))
            .Or(HostileText.Strings)
            .ArrayOf()
            .Select(string.Concat);
        Prop.ForAll(Secrets.ToArbitrary(), texts.ToArbitrary(), (secret, text) =>
        {
            // Only texts that hold the secret in no letter case, and no other of its characters' runs than the fillers'.
            if (text.Contains(secret.Trim(), StringComparison.OrdinalIgnoreCase) || secret.Trim().All(c => "q=+/0123456789abcdefABCDEF".Contains(c, StringComparison.Ordinal)))
            {
                return;
            }

            new HeldSecretRedactor([secret]).Redact(text).Should().BeSameAs(text);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Redacting_arbitrary_text_with_arbitrary_secrets_never_throws_and_is_idempotent()
    {
        Prop.ForAll(Secrets.ArrayOf().ToArbitrary(), HostileText.Arbitrary, (secrets, text) =>
        {
            var redactor = new HeldSecretRedactor(secrets);
            var once = redactor.Redact(text);
            redactor.Redact(once).Should().Be(once);
            redactor.ContainsSecret(text).Should().Be(!ReferenceEquals(once, text));
        }).QuickCheckThrowOnFailure();
    }

    // Null when the secret has no such spelling (hex of fewer bytes than the minimum).
    private static string? Spell(string encoding, string secret, Random random)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        var pairs = bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)).ToArray();
        var hexShown = bytes.Length >= SecretVariants.MinimumHexBytes;
        return encoding switch
        {
            "raw" => secret,
            "upper" => secret.ToUpperInvariant(),
            "lower" => secret.ToLowerInvariant(),
            "hex" when hexShown => string.Concat(pairs.Select(pair => random.Next(2) == 0 ? pair : pair.ToUpperInvariant())),
            "hex upper colons" when hexShown => string.Join(':', pairs).ToUpperInvariant(),
            "hex spaces" when hexShown => string.Join(' ', pairs),
            "hex dashes" when hexShown => string.Join('-', pairs),
            @"hex \x" when hexShown => string.Concat(pairs.Select(pair => @"\x" + pair)),
            // A JSON writer replaces a lone surrogate: what it writes is no longer the secret.
            "json relaxed" when !Lossy(secret) => JsonSerializer.Serialize(secret, Relaxed)[1..^1],
            "references" => References(secret, random),
            "json then references" when !Lossy(secret) => References(JsonSerializer.Serialize(secret, Relaxed)[1..^1], random),
            "base64 MIME CRLF" => Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks),
            "base64 PEM LF" => HeldSecretEncodingTests.Wrap(Convert.ToBase64String(bytes), 64, "\n"),
            "base64 JSON-escaped lines" => HeldSecretEncodingTests.Wrap(Convert.ToBase64String(bytes), 64, "\\n"),
            "base64 in wrapped data" when bytes.Length >= 8 => InWrappedData(bytes, random),
            _ => null,
        };
    }

    private static bool Lossy(string text) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text)) != text;

    // Each character plain, or as a decimal, hex or named reference, as an encoder that always escapes '&' writes it.
    private static string References(string text, Random random)
    {
        var written = new StringBuilder();
        foreach (var c in text)
        {
            written.Append((c, random.Next(4)) switch
            {
                ('&', 0) => "&amp;",
                ('<', 0) => "&lt;",
                ('"', 0) => "&quot;",
                ('&', _) => "&#38;",
                (_, 0) => c.ToString(),
                (_, 1) => $"&#{(int)c};",
                (_, 2) => $"&#x{(int)c:x};",
                _ => $"&#X{(int)c:X5};",
            });
        }

        return written.ToString();
    }

    // The secret between random bytes, MIME-encoded: wrapped at 76 columns with CRLF, at any alignment.
    private static string InWrappedData(byte[] secret, Random random)
    {
        var before = new byte[random.Next(80)];
        var after = new byte[random.Next(6)];
        random.NextBytes(before);
        random.NextBytes(after);
        return Convert.ToBase64String([.. before, .. secret, .. after], Base64FormattingOptions.InsertLineBreaks);
    }
}

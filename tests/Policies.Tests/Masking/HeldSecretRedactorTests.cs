using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Web;
using McpGateway.Policies.Masking;
using Microsoft.Extensions.Time.Testing;

namespace Policies.Tests.Masking;

/// <summary>Whatever a backend echoes, a credential the gateway holds never comes back in any spelling.</summary>
public sealed class HeldSecretRedactorTests
{
    private const string Redacted = HeldSecretRedactor.Placeholder;
    private const string Token = "ghp_9fK2xQ7LmN4pR8sT1vW3yZ5bC6dE0a";
    private const string Special = "s3\"cr\\et%2B+/=x y€";

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Theory]
    [InlineData("raw", Token)]
    [InlineData("base64", Token)]
    [InlineData("base64 unpadded", Token)]
    [InlineData("base64url", Token)]
    [InlineData("base64url unpadded", Token)]
    [InlineData("base64", Special)]
    [InlineData("base64url unpadded", Special)]
    [InlineData("EscapeDataString", Special)]
    [InlineData("EscapeDataString lower", Special)]
    [InlineData("WebUtility.UrlEncode", Special)]
    [InlineData("HttpUtility.UrlEncode", Special)]
    [InlineData("every byte", Special)]
    [InlineData("every byte lower", Special)]
    [InlineData("reserved only", Special)]
    [InlineData("json", Special)]
    [InlineData("json lower", Special)]
    [InlineData("json relaxed", Special)]
    [InlineData("json relaxed solidus", Special)]
    [InlineData("JsonEncodedText", Special)]
    [InlineData("json", "tab\tnew\nline\u0001é😀")]
    [InlineData("json relaxed", "tab\tnew\nline\u0001é😀")]
    [InlineData("hex", Token)]
    [InlineData("hex lower", Special)]
    public void A_secret_is_redacted_in_every_spelling(string encoding, string secret)
    {
        var encoded = Spell(encoding, secret);
        if (encoding != "raw")
        {
            encoded.Should().NotContain(secret, "the test must not pass on the raw value alone");
        }

        var redacted = new HeldSecretRedactor([secret]).Redact($"backend said: {encoded} is wrong");

        redacted.Should().Be($"backend said: {Redacted} is wrong");
    }

    [Fact]
    public void The_reserved_only_percent_form_is_the_one_expected()
    {
        Spell("reserved only", Special).Should().Be("s3\"cr\\et%252B%2B%2F%3Dx%20y€");
    }

    [Theory]
    [InlineData("al")]
    [InlineData("bob")]
    [InlineData("user")]
    public void The_password_in_a_Basic_credential_is_redacted_whatever_the_user_name_length(string user)
    {
        const string Password = "correct-horse-7";
        var credential = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{Password}"));

        var redacted = new HeldSecretRedactor([Password]).Redact($"Authorization: Basic {credential}");

        Reveals(credential, Password).Should().BeTrue();
        Reveals(redacted, Password).Should().BeFalse();
        redacted.Should().Contain(Redacted).And.StartWith($"Authorization: Basic {credential[..(4 * (user.Length + 1) / 3)]}");
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    public void A_token_in_a_base64_encoded_JSON_document_is_redacted_at_every_byte_offset(int offset, bool urlSafe)
    {
        var head = "{\"user\":\"svc-";
        const string Field = "\",\"token\":\"";
        while ((head.Length + Field.Length) % 3 != offset)
        {
            head += "x";
        }

        head += Field;
        var document = Convert.ToBase64String(Encoding.UTF8.GetBytes(head + Token + "\",\"scope\":\"repo\"}"));
        document = urlSafe ? document.Replace('+', '-').Replace('/', '_') : document;

        var redacted = new HeldSecretRedactor([Token]).Redact($"echo: {document}");

        Reveals(document, Token).Should().BeTrue();
        Reveals(redacted, Token).Should().BeFalse();
        redacted.Should().Contain(Redacted).And.StartWith($"echo: {document[..(4 * head.Length / 3)]}");
    }

    [Fact]
    public void Several_secrets_in_one_text_are_all_redacted()
    {
        var redactor = new HeldSecretRedactor(["db-password-1", Token, Special]);
        var text = $"a db-password-1 b {Convert.ToBase64String(Encoding.UTF8.GetBytes(Token))} c {Uri.EscapeDataString(Special)} d";

        redactor.Redact(text).Should().Be($"a {Redacted} b {Redacted} c {Redacted} d");
    }

    [Fact]
    public void When_secrets_overlap_the_longest_match_wins_and_nothing_of_either_survives()
    {
        var redactor = new HeldSecretRedactor(["abcd1234", "abcd1234efgh5678", "5678wxyz9999"]);

        redactor.Redact("x abcd1234efgh5678 y").Should().Be($"x {Redacted} y");
        redactor.Redact("x abcd1234 y").Should().Be($"x {Redacted} y");
        redactor.Redact("x abcd1234efgh5678wxyz9999 y").Should().Be($"x {Redacted} y");
        redactor.Redact("x abcd1234abcd1234efgh5678 y").Should().Be($"x {Redacted}{Redacted} y");
    }

    [Fact]
    public void Text_without_a_secret_comes_back_as_the_same_instance()
    {
        var text = "nothing to see here, " + Token[..10];
        var redactor = new HeldSecretRedactor([Token, Special]);

        redactor.Redact(text).Should().BeSameAs(text);
        redactor.ContainsSecret(text).Should().BeFalse();
        redactor.ContainsSecret($"x{Token}x").Should().BeTrue();
        HeldSecretRedactor.Empty.Redact(text).Should().BeSameAs(text);
    }

    [Fact]
    public void Short_and_blank_secrets_are_ignored()
    {
        var redactor = new HeldSecretRedactor(["abc", "", "   ", " ab ", null!, "abcd"]);

        redactor.SecretCount.Should().Be(1);
        redactor.Redact("abc ab abcd").Should().Be($"abc ab {Redacted}");
        HeldSecretRedactor.MinimumSecretLength.Should().Be(4);
    }

    [Fact]
    public void A_secret_read_with_a_final_newline_is_redacted_without_it()
    {
        new HeldSecretRedactor(["s3cret-from-file\n"]).Redact("token s3cret-from-file.").Should().Be($"token {Redacted}.");
    }

    [Fact]
    public void Hex_is_matched_only_for_secrets_of_eight_bytes_or_more()
    {
        new HeldSecretRedactor(["abcdefg"]).Redact(Convert.ToHexString("abcdefg"u8)).Should().Be(Convert.ToHexString("abcdefg"u8));
        new HeldSecretRedactor(["abcdefgh"]).Redact(Convert.ToHexString("abcdefgh"u8)).Should().Be(Redacted);
    }

    [Fact]
    public void A_rotated_out_value_is_redacted_while_kept_and_dropped_after()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var keep = TimeSpan.FromMinutes(10);
        var first = new HeldSecretRedactor(["old-token-1111"]);

        var rotated = first.WithRotation(["new-token-2222"], keep, time);

        rotated.SecretCount.Should().Be(2);
        rotated.NextExpiry.Should().Be(time.GetUtcNow() + keep);
        rotated.Redact("old-token-1111 new-token-2222").Should().Be($"{Redacted} {Redacted}");
        time.Advance(TimeSpan.FromMinutes(9));
        var later = rotated.WithRotation(["new-token-2222"], keep, time);
        later.Should().BeSameAs(rotated, "a rotated-out value keeps the deadline it got when it was rotated out");
        time.Advance(TimeSpan.FromMinutes(1));
        var expired = later.WithRotation(["new-token-2222"], keep, time);
        expired.SecretCount.Should().Be(1);
        expired.NextExpiry.Should().BeNull();
        expired.Redact("old-token-1111 new-token-2222").Should().Be($"old-token-1111 {Redacted}");
    }

    [Fact]
    public void A_value_that_comes_back_into_use_is_current_again()
    {
        var time = new FakeTimeProvider();
        var rotated = new HeldSecretRedactor(["first-value"]).WithRotation(["second-value"], TimeSpan.FromMinutes(1), time);

        var back = rotated.WithRotation(["first-value"], TimeSpan.FromMinutes(1), time);
        time.Advance(TimeSpan.FromHours(1));

        back.WithRotation(["first-value"], TimeSpan.FromMinutes(1), time).Redact("first-value second-value").Should().Be($"{Redacted} second-value");
    }

    [Fact]
    public void Redacting_JSON_returns_a_copy_with_values_and_names_redacted()
    {
        var document = JsonNode.Parse($$"""
            { "{{Token}}": "x", "headers": { "Authorization": "Bearer {{Token}}" },
              "items": [ "a", "{{Uri.EscapeDataString(Special)}}", 7, true, null ], "pin": 12345678, "[REDACTED]": 1 }
            """);
        var redactor = new HeldSecretRedactor([Token, Special, "12345678"]);

        var redacted = redactor.Redact(document)!;

        redacted.ToJsonString().Should().Be(
            """{"[REDACTED]":"x","headers":{"Authorization":"Bearer [REDACTED]"},"items":["a","[REDACTED]",7,true,null],"pin":"[REDACTED]","[REDACTED]#2":1}""");
        document!.ToJsonString().Should().Contain(Token);
        redactor.Redact((JsonNode?)null).Should().BeNull();
    }

    [Fact]
    public void A_string_held_as_another_type_in_a_JSON_node_is_redacted()
    {
        var id = Guid.Parse("0b9a3c7e-5d1f-4e2a-9c8b-7f6e5d4c3b2a");
        var node = new JsonObject { ["id"] = JsonValue.Create(id) };

        new HeldSecretRedactor([id.ToString()]).Redact(node)!.ToJsonString().Should().Be("""{"id":"[REDACTED]"}""");
    }

    [Fact]
    public void The_description_never_shows_a_value()
    {
        new HeldSecretRedactor([Token]).ToString().Should().NotContain(Token).And.Contain("1 held");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_secrets_in_random_text_under_random_spellings_never_survive(int seed)
    {
        string[] units = [.. "abcdefXYZ0123456789\"\\%+/=&?# :@!*'()~.-_<>\n\té€".Select(c => c.ToString()), "😀"];
        string[] encodings = ["raw", "base64 in data", "EscapeDataString", "EscapeDataString lower", "WebUtility.UrlEncode", "HttpUtility.UrlEncode",
            "every byte", "reserved only", "json", "json lower", "json relaxed", "json relaxed solidus", "hex", "hex lower"];
        var random = new Random(seed);
        var secrets = Enumerable.Range(0, 6).Select(_ => string.Concat(Enumerable.Range(0, random.Next(10, 33)).Select(_ => units[random.Next(units.Length)]))).ToArray();
        var redactor = new HeldSecretRedactor(secrets);

        for (var round = 0; round < 40; round++)
        {
            var text = new StringBuilder();
            var fillers = new List<string>();
            var embedded = new List<(string Secret, string Encoding, string Spelled)>();
            for (var part = 0; part < 6; part++)
            {
                var filler = string.Concat(Enumerable.Range(0, random.Next(0, 30)).Select(_ => "abcdefghijklmnopqrstuvwxyzABC 0123456789.,;:-"[random.Next(45)]));
                var secret = secrets[random.Next(secrets.Length)];
                var encoding = encodings[random.Next(encodings.Length)];
                var spelled = encoding == "base64 in data" ? InData(secret, random) : Spell(encoding, secret);
                fillers.Add(filler);
                embedded.Add((secret, encoding, spelled));
                text.Append(filler).Append(spelled);
            }

            var redacted = redactor.Redact(text.ToString());

            foreach (var (secret, encoding, spelled) in embedded)
            {
                var because = $"seed {seed}, round {round}: {encoding} of a secret must not survive in {redacted}";
                if (encoding == "base64 in data")
                {
                    Reveals(redacted, secret).Should().BeFalse(because);
                }
                else
                {
                    Enumerable.Range(0, spelled.Length - 7).Select(i => spelled.Substring(i, 8)).Where(redacted.Contains).Should().BeEmpty(because);
                }
            }

            fillers.Where(filler => !redacted.Contains(filler, StringComparison.Ordinal)).Should().BeEmpty("text around secrets is kept");
        }
    }

    private static string Spell(string encoding, string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        return encoding switch
        {
            "raw" => secret,
            "base64" => Convert.ToBase64String(bytes),
            "base64 unpadded" => Convert.ToBase64String(bytes).TrimEnd('='),
            "base64url" => Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_'),
            "base64url unpadded" => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            "EscapeDataString" => Uri.EscapeDataString(secret),
            "EscapeDataString lower" => Regex.Replace(Uri.EscapeDataString(secret), "%[0-9A-F]{2}", m => "%" + Convert.ToHexStringLower(Convert.FromHexString(m.Value[1..]))),
            "WebUtility.UrlEncode" => WebUtility.UrlEncode(secret),
            "HttpUtility.UrlEncode" => HttpUtility.UrlEncode(secret),
            "every byte" => string.Concat(bytes.Select(b => "%" + Convert.ToHexString([b]))),
            "every byte lower" => string.Concat(bytes.Select(b => "%" + Convert.ToHexStringLower([b]))),
            "reserved only" => string.Concat(secret.Select(c => ":/?#[]@!$&'()*+,;=% ".Contains(c, StringComparison.Ordinal) || char.IsControl(c)
                ? string.Concat(Encoding.UTF8.GetBytes([c]).Select(b => "%" + Convert.ToHexString([b])))
                : c.ToString())),
            "json" => JsonSerializer.Serialize(secret)[1..^1],
            "json lower" => Regex.Replace(JsonSerializer.Serialize(secret)[1..^1], @"\\u[0-9A-F]{4}", m => "\\u" + Convert.ToHexStringLower(Convert.FromHexString(m.Value[2..]))),
            "json relaxed" => JsonSerializer.Serialize(secret, Relaxed)[1..^1],
            "json relaxed solidus" => JsonSerializer.Serialize(secret, Relaxed)[1..^1].Replace("/", "\\/", StringComparison.Ordinal),
            "JsonEncodedText" => JsonEncodedText.Encode(secret).ToString(),
            "hex" => Convert.ToHexString(bytes),
            "hex lower" => Convert.ToHexStringLower(bytes),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, null),
        };
    }

    // The secret between random bytes, Base64-encoded in a random alphabet, with or without padding.
    private static string InData(string secret, Random random)
    {
        var before = new byte[random.Next(6)];
        var after = new byte[random.Next(6)];
        random.NextBytes(before);
        random.NextBytes(after);
        var encoded = Convert.ToBase64String([.. before, .. Encoding.UTF8.GetBytes(secret), .. after]);
        encoded = random.Next(2) == 0 ? encoded : encoded.TrimEnd('=');
        return random.Next(2) == 0 ? encoded : encoded.Replace('+', '-').Replace('/', '_');
    }

    // Whether any four consecutive bytes of the secret can be read back by Base64-decoding any run of Base64
    // characters in the text, at any of the four character offsets, in either alphabet.
    private static bool Reveals(string text, string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        foreach (Match run in Regex.Matches(text, "[A-Za-z0-9+/_-]+"))
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
}

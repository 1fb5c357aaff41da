using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using McpGateway.Policies.Masking;
using Policies.Tests.Text;

namespace Policies.Tests.Masking;

/// <summary>Properties over generated text: masking never throws, is idempotent, and leaves no detected value behind.</summary>
public sealed class MaskingPropertyTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("property-test-token-key-32-bytes");

    private static readonly string[] Sensitive =
    [
        "alice@example.com", "bob.smith+x@mail.example.org", "4111111111111111", "4111 1111 1111 1111", "5555-5555-5555-4444",
        "378282246310005", "123-45-6789", "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32", "+44 20 7946 0958",
        "(415) 555-2671", "415-555-2671", "AKIAIOSFODNN7EXAMPLE", "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "glpat-xxxxxxxxxxxxxxxxxxxx", "xoxb-2934567890-1234567890123-AbCdEf", "mgw_abcdefghij234567_abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N", "postgres://u:pw1234@db/x", "password=hunter22",
        "\"token\": \"abc123xyz\"", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----", "alice%40example.com",
    ];

    private static readonly string[] Ordinary =
    [
        "2024-05-01T12:34:56Z", "v1.2.3", "550e8400-e29b-41d4-a716-446655440000", "$1,299.99", "0.52 0.58", "id=42", "name: x",
        "{", "}", "[", "]", ",", ":", "=", "\"", "'", "@", "-", "+", "(", ")", "/", "\\", "%", "12", "1714567890123", "user@", "@host.com",
    ];

    private static readonly string[] Separators = [" ", "\n", ", ", " | ", "\t"];

    private static readonly Gen<string> Mixed =
        Gen.Frequency(
            (2, Gen.Elements(Sensitive)),
            (3, Gen.Elements(Ordinary)),
            (2, HostileText.Strings))
        .Zip(Gen.Elements(Separators), (piece, separator) => piece + separator)
        .ArrayOf()
        .Select(parts => string.Concat(parts));

    private static readonly HeldSecretRedactor Held = new(["held-secret-value"]);

    private static readonly MaskingCatalog Catalog = MaskingCatalog.Create(
        new MaskingOptions
        {
            Profiles =
            {
                ["token"] = AllWith("token"),
                ["partial"] = AllWith("partial"),
                ["null"] = AllWith("null"),
            },
        },
        Key);

    private static readonly Masker Default = Catalog.CreateMasker(null, Held);

    private static readonly Masker Every = Catalog.CreateMasker(["token"], Held);

    public static IEnumerable<object[]> Maskers() => [[nameof(Default)], ["token"], ["partial"], ["null"]];

    [Fact]
    public void Masking_arbitrary_text_never_throws()
    {
        Prop.ForAll(HostileText.Arbitrary, text =>
        {
            _ = Default.MaskText(text);
            _ = Every.MaskText(text);
            _ = Default.Mask(new JsonObject { [text] = text, ["a"] = new JsonArray(text, 4111111111111111) });
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [MemberData(nameof(Maskers))]
    public void Masking_is_idempotent(string strategy)
    {
        var masker = MaskerFor(strategy);
        Prop.ForAll(Mixed.ToArbitrary(), text =>
        {
            var once = masker.MaskText(text);
            masker.MaskText(once).Should().Be(once);
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [MemberData(nameof(Maskers))]
    public void Masked_text_holds_no_value_that_was_detected(string strategy)
    {
        var masker = MaskerFor(strategy);
        Prop.ForAll(Mixed.ToArbitrary(), text =>
        {
            var masked = masker.MaskText(text);
            foreach (var finding in masker.Profile.Scanner.Scan(text) ?? [])
            {
                masked.Should().NotContain(text.Substring(finding.Start, finding.Length));
            }

            masked.Should().NotContain("held-secret-value");
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [MemberData(nameof(Maskers))]
    public void Every_sensitive_sample_alone_is_masked(string strategy)
    {
        var masker = MaskerFor(strategy);
        foreach (var value in Sensitive)
        {
            var masked = masker.MaskText($"x {value} y");
            masked.Should().NotContain(value, "every sample is a value some detector must find");
        }
    }

    [Fact]
    public void Masking_a_tree_of_arbitrary_names_and_values_is_idempotent_and_never_throws()
    {
        Prop.ForAll(Mixed.ToArbitrary(), Mixed.ToArbitrary(), (name, value) =>
        {
            var tree = new JsonObject { ["k"] = new JsonObject { [name] = value, ["password"] = value }, ["v"] = new JsonArray(value, name) };
            var once = Default.Mask(tree)!;
            Default.Mask(once)!.ToJsonString().Should().Be(once.ToJsonString());
        }).QuickCheckThrowOnFailure();
    }

    private static Masker MaskerFor(string profile) => Catalog.CreateMasker(profile == nameof(Default) ? null : [profile], Held);

    private static MaskingProfileOptions AllWith(string strategy) =>
        new() { Detectors = { new MaskingDetectorOptions { Detector = MaskingCatalog.AllDetectors, Strategy = strategy } } };
}

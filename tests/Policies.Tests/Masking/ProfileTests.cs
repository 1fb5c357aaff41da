using McpGateway.Policies.Loading;
using McpGateway.Policies.Masking;
using McpGateway.Policies.Model;

namespace Policies.Tests.Masking;

/// <summary>Built-in and configured profiles, their validation, and unions.</summary>
public sealed class ProfileTests
{
    private static readonly byte[] Key = new byte[32];

    [Fact]
    public void The_built_in_profiles_are_default_and_secrets()
    {
        MaskingCatalog.BuiltIn.ProfileNames.Should().Equal("default", "secrets");
        MaskingProfile.Default.Detectors.Should().HaveCount(MaskDetectors.Count);
        MaskingProfile.Default.Detectors.Should().OnlyContain(d => MaskingProfile.Default.StrategyFor(d) == MaskStrategy.Redact);
        MaskingProfile.Secrets.Detectors.Should().BeEmpty();
        MaskingCatalog.BuiltIn.Resolve(null).Should().BeSameAs(MaskingProfile.Default);
    }

    [Fact]
    public void The_secrets_profile_masks_held_secrets_only()
    {
        var masker = MaskingCatalog.BuiltIn.CreateMasker(["secrets"], new HeldSecretRedactor(["hunter2-pass"]));

        masker.MaskText("alice@example.com hunter2-pass").Should().Be("alice@example.com [REDACTED]");
    }

    [Fact]
    public void Validation_reports_every_error_with_its_location()
    {
        static SourceLocation At(int line) => new("policies/masking.yaml", line, 5);
        var options = new MaskingOptions
        {
            Profiles =
            {
                ["default"] = new MaskingProfileOptions { Location = At(1) },
                ["pii"] = new MaskingProfileOptions
                {
                    Location = At(2),
                    Detectors = { new MaskingDetectorOptions { Detector = "emial", Location = At(3) }, new MaskingDetectorOptions { Detector = "email", Strategy = "hash", Location = At(4) } },
                    Columns = { new MaskingColumnRuleOptions { Location = At(5) }, new MaskingColumnRuleOptions { Column = "a.b.c.d", Location = At(6) } },
                    Paths = { new MaskingPathRuleOptions { Path = "data.x", Location = At(7) }, new MaskingPathRuleOptions { Path = "$.a[", Location = At(8) }, new MaskingPathRuleOptions { Path = "$", Location = At(9) } },
                },
                ["tokens"] = new MaskingProfileOptions { Location = At(10), Columns = { new MaskingColumnRuleOptions { Name = "email", Strategy = "token" } } },
            },
        };

        var errors = MaskingCatalog.Validate(options, hasTokenKey: false);

        errors.Select(e => e.Location!.Value.Line).Should().Equal(1, 3, 4, 5, 6, 7, 8, 9, 10);
        errors[1].Message.Should().Contain("unknown detector 'emial'");
        errors[2].Message.Should().Contain("unknown strategy 'hash'");
        errors[^1].Message.Should().Contain(MaskingCatalog.TokenKeyName);
        var act = () => MaskingCatalog.Create(options);
        act.Should().Throw<PolicyBundleException>().Which.Errors.Should().HaveCount(9);
        MaskingCatalog.Validate(options, hasTokenKey: true).Should().HaveCount(8);
    }

    [Fact]
    public void A_short_token_key_is_refused()
    {
        var act = () => MaskingCatalog.Create(null, new byte[8]);

        act.Should().Throw<PolicyBundleException>().WithMessage("*at least 16*");
    }

    [Fact]
    public void A_union_takes_every_detector_with_its_strictest_strategy_and_every_rule()
    {
        var catalog = MaskingCatalog.Create(
            new MaskingOptions
            {
                Profiles =
                {
                    ["cards"] = new MaskingProfileOptions { Detectors = { new MaskingDetectorOptions { Detector = "payment_card", Strategy = "partial" }, new MaskingDetectorOptions { Detector = "email", Strategy = "null" } } },
                    ["mail"] = new MaskingProfileOptions { Detectors = { new MaskingDetectorOptions { Detector = "email", Strategy = "token" } }, Columns = { new MaskingColumnRuleOptions { Name = "x" } } },
                },
            },
            Key);

        var union = catalog.Resolve(["mail", "cards", "mail"]);

        union.Name.Should().Be("cards+mail");
        union.StrategyFor(MaskDetector.PaymentCard).Should().Be(MaskStrategy.Partial);
        union.StrategyFor(MaskDetector.Email).Should().Be(MaskStrategy.Null);
        union.StrategyFor(MaskDetector.Phone).Should().BeNull();
        union.PlanColumns([new("x")]).Should().Equal(MaskStrategy.Redact);
        catalog.Resolve(["cards", "mail"]).Should().BeSameAs(union);

        var withDefault = catalog.Resolve(["default", "cards"]);
        withDefault.StrategyFor(MaskDetector.PaymentCard).Should().Be(MaskStrategy.Redact);
        withDefault.StrategyFor(MaskDetector.Email).Should().Be(MaskStrategy.Null);
        catalog.CreateMasker(["default", "cards"], HeldSecretRedactor.Empty).MaskText("4111111111111111 a@example.com").Should().Be("[CARD] null");
    }

    [Fact]
    public void All_selects_every_detector_and_an_unknown_profile_fails_closed()
    {
        var catalog = MaskingCatalog.Create(new MaskingOptions { Profiles = { ["all"] = new MaskingProfileOptions { Detectors = { new MaskingDetectorOptions { Detector = "all", Strategy = "partial" } } } } });

        catalog.Resolve(["all"]).Detectors.Should().HaveCount(MaskDetectors.Count);
        catalog.CreateMasker(["all"], HeldSecretRedactor.Empty).MaskText("card 4111-1111-1111-1111").Should().Be("card ****1111");
        var act = () => catalog.Resolve(["pii"]);
        act.Should().Throw<MaskingException>().WithMessage("*'pii'*");
    }

    [Fact]
    public void Each_strategy_in_text()
    {
        MaskingProfile For(string strategy) => JsonMaskingTests.Profile(
            new MaskingProfileOptions { Detectors = { new MaskingDetectorOptions { Detector = "us_ssn", Strategy = strategy } } }, Key);

        new Masker(For("redact")).MaskText("ssn 123-45-6789.").Should().Be("ssn [SSN].");
        new Masker(For("partial")).MaskText("ssn 123-45-6789.").Should().Be("ssn ****6789.");
        new Masker(For("null")).MaskText("ssn 123-45-6789.").Should().Be("ssn null.");
        new Masker(For("token"), tokenKey: Key).MaskText("ssn 123-45-6789.").Should().MatchRegex(@"^ssn tok_[b-t]{16}\.$");
    }
}

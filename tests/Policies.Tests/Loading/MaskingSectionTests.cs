using System.Text;
using McpGateway.Policies.Loading;
using McpGateway.Policies.Model;

namespace Policies.Tests.Loading;

/// <summary>Masking profiles are defined in the bundle's <c>masking:</c> section and validated with it, every error at its place.</summary>
public sealed class MaskingSectionTests
{
    private const string Rule = """
        rules:
          - name: reads
            when: { tool: facts_tool }
            effect: allow
            obligations: { mask: [pii] }
        """;

    [Fact]
    public void A_profile_defined_in_one_file_may_be_named_by_a_rule_in_another()
    {
        var bundle = Load(("a-masking.yaml", """
            masking:
              profiles:
                pii:
                  detectors: [email, { detector: payment_card, strategy: partial }]
                  columns: [{ name: "*ssn*" }, { column: public.customers.email, strategy: "null" }]
                  paths: [{ path: "$.data.*" }]
            """), ("b-rules.yaml", Rule));

        var profile = bundle.Masking.Profiles.Should().ContainSingle().Which;
        profile.Key.Should().Be("pii");
        profile.Value.Detectors.Should().HaveCount(2);
        profile.Value.Detectors[1].Strategy.Should().Be("partial");
        profile.Value.Columns[1].Column.Should().Be("public.customers.email");
        profile.Value.Paths[0].Location!.Value.ToString().Should().Be("a-masking.yaml:6:15");
    }

    [Fact]
    public void Each_mistake_in_a_profile_is_reported_where_it_was_written()
    {
        var errors = Errors(("masking.yaml", """
            masking:
              profiles:
                pii:
                  detectors: [emial, { detector: email, strategy: shred }]
                  paths: [{ path: "data[" }]
                  columns: [{ strategy: redact }]
                tokens:
                  detectors: [{ detector: email, strategy: token }]
                default:
                  detectors: [email]
            """), ("rules.yaml", Rule));

        errors.Should().Contain(e => e.StartsWith("masking.yaml:4:", StringComparison.Ordinal) && e.Contains("emial", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("shred", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("masking.yaml:5:", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("masking.yaml:6:", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("masking.yaml:7:", StringComparison.Ordinal) && e.Contains("TokenKey", StringComparison.Ordinal), "a token strategy needs McpGateway:Masking:TokenKey");
        errors.Should().Contain(e => e.Contains("default", StringComparison.Ordinal));
    }

    [Fact]
    public void A_profile_defined_twice_and_an_unknown_profile_in_a_rule_are_errors()
    {
        var errors = Errors(
            ("a.yaml", "masking: { profiles: { pii: { detectors: [email] } } }"),
            ("b.yaml", "masking: { profiles: { pii: { detectors: [phone] } } }"),
            ("c.yaml", Rule.Replace("[pii]", "[pii, secret-sauce]", StringComparison.Ordinal)));

        errors.Should().Contain(e => e.StartsWith("b.yaml:1:", StringComparison.Ordinal) && e.Contains("already defined at a.yaml:1:", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("Unknown masking profile 'secret-sauce'", StringComparison.Ordinal) && e.Contains("pii", StringComparison.Ordinal));
    }

    [Fact]
    public void The_built_in_profiles_need_no_section_and_a_file_may_hold_only_masking()
    {
        Load(("rules.yaml", Rule.Replace("[pii]", "[default, secrets]", StringComparison.Ordinal))).Masking.Profiles.Should().BeEmpty();
        Errors(("only.yaml", "masking: { profiles: { pii: { detectors: [email] } } }")).Should().ContainSingle().Which.Should().Contain("no rules");
    }

    private static PolicyBundle Load(params (string Name, string Yaml)[] files) =>
        new PolicyBundleLoader(TestPolicies.Catalog(), TestPolicies.Environment).Load([.. files.Select(f => new PolicySource(f.Name, Encoding.UTF8.GetBytes(f.Yaml)))]);

    private static List<string> Errors(params (string Name, string Yaml)[] files)
    {
        var act = () => Load(files);
        return [.. act.Should().Throw<PolicyBundleException>().Which.Errors.Select(e => $"{e.Location}: {e.Message}")];
    }
}

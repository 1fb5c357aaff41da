using System.Text.Json.Nodes;
using McpGateway.Policies.Masking;

namespace Policies.Tests.Masking;

/// <summary>Masking a JSON tree: values, names, secret fields, Kubernetes Secrets, path rules, bounds.</summary>
public sealed class JsonMaskingTests
{
    private static readonly Masker Default = new(MaskingProfile.Default);

    [Fact]
    public void String_values_and_property_names_are_masked_and_the_original_is_left_alone()
    {
        var tree = JsonNode.Parse("""{"user":{"email":"alice@example.com","note":"call +44 20 7946 0958"},"bob@example.com":1,"n":[1,2,"x"]}""")!;
        var before = tree.ToJsonString();

        var masked = Default.Mask(tree)!;

        masked.ToJsonString().Should().Be("""{"user":{"email":"[EMAIL]","note":"call [PHONE]"},"[EMAIL]":1,"n":[1,2,"x"]}""");
        tree.ToJsonString().Should().Be(before);
    }

    [Fact]
    public void Masking_in_place_changes_the_tree_given()
    {
        var tree = JsonNode.Parse("""[{"card":"4111 1111 1111 1111"},{"amount":1299.99}]""")!;

        Default.MaskInPlace(tree);

        tree.ToJsonString().Should().Be("""[{"card":"[CARD]"},{"amount":1299.99}]""");
    }

    [Fact]
    public void Secret_named_fields_are_masked_whole_whatever_their_value()
    {
        var tree = JsonNode.Parse("""{"password":"hunter2","api_key":12345,"credentials":{"user":"bob","token":"t"},"secret":{"a":"x","b":[1,"y"]},"max_tokens":512,"token_type":"bearer","password_set":true}""")!;

        var masked = Default.Mask(tree)!;

        masked.ToJsonString().Should().Be("""{"password":"[SECRET]","api_key":"[SECRET]","credentials":{"user":"[SECRET]","token":"[SECRET]"},"secret":{"a":"[SECRET]","b":["[SECRET]","[SECRET]"]},"max_tokens":512,"token_type":"bearer","password_set":true}""");
    }

    [Fact]
    public void An_environment_entry_named_like_a_secret_has_its_value_masked()
    {
        var tree = JsonNode.Parse("""{"env":[{"name":"DB_PASSWORD","value":"hunter2"},{"name":"LOG_LEVEL","value":"debug"}]}""")!;

        Default.Mask(tree)!.ToJsonString().Should().Be("""{"env":[{"name":"DB_PASSWORD","value":"[SECRET]"},{"name":"LOG_LEVEL","value":"debug"}]}""");
    }

    [Theory]
    [InlineData(MaskingProfile.DefaultName)]
    [InlineData(MaskingProfile.SecretsName)]
    public void Kubernetes_Secret_data_and_stringData_are_always_masked(string profile)
    {
        var tree = JsonNode.Parse("""
            {"kind":"List","items":[{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"pw\":\"aHVudGVyMg==\"}}","team":"core"}},
             "data":{"pw":"aHVudGVyMg==","user":"Ym9i"},"stringData":{"url":"x"},"type":"Opaque"},
             {"kind":"ConfigMap","data":{"pw":"visible"}}]}
            """)!;

        var masked = MaskingCatalog.BuiltIn.CreateMasker([profile], HeldSecretRedactor.Empty).Mask(tree)!;

        var secret = masked["items"]![0]!;
        secret["data"]!.ToJsonString().Should().Be("""{"pw":"[REDACTED]","user":"[REDACTED]"}""");
        secret["stringData"]!["url"]!.GetValue<string>().Should().Be("[REDACTED]");
        secret["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]!.GetValue<string>().Should().Be("[REDACTED]");
        secret["metadata"]!["annotations"]!["team"]!.GetValue<string>().Should().Be("core");
        masked["items"]![1]!["data"]!["pw"]!.GetValue<string>().Should().Be("visible");
    }

    [Fact]
    public void Held_secrets_are_redacted_in_every_profile_and_counted()
    {
        var held = new HeldSecretRedactor(["s3cr3t-value", "271828"]);
        var masker = MaskingCatalog.BuiltIn.CreateMasker([MaskingProfile.SecretsName], held);
        var report = new MaskingReport();

        var masked = masker.Mask(JsonNode.Parse("""{"echo":"got s3cr3t-value","pin":271828,"mail":"alice@example.com"}"""), report)!;

        masked.ToJsonString().Should().Be("""{"echo":"got [REDACTED]","pin":"[REDACTED]","mail":"alice@example.com"}""");
        report.Counts.Should().Equal(new Dictionary<string, int> { ["held_secret"] = 2 });
    }

    [Fact]
    public void Path_rules_replace_the_values_they_name()
    {
        var profile = Profile(new MaskingProfileOptions
        {
            Paths =
            {
                new MaskingPathRuleOptions { Path = "$.data.*" },
                new MaskingPathRuleOptions { Path = "$..ssn", Strategy = "null" },
                new MaskingPathRuleOptions { Path = "$.items[*].spec['card number']", Strategy = "partial" },
                new MaskingPathRuleOptions { Path = "$.items[1].name" },
            },
        });
        var tree = JsonNode.Parse("""{"data":{"a":"1","b":{"c":2}},"x":{"y":{"ssn":"n"}},"items":[{"name":"a","spec":{"card number":"4111111111111111"}},{"name":"b","spec":{}}]}""")!;
        var report = new MaskingReport(explain: true);

        var masked = new Masker(profile).Mask(tree, report)!;

        masked.ToJsonString().Should().Be("""{"data":{"a":"[REDACTED]","b":"[REDACTED]"},"x":{"y":{"ssn":null}},"items":[{"name":"a","spec":{"card number":"****1111"}},{"name":"[REDACTED]","spec":{}}]}""");
        report.Findings.Select(f => f.Location).Should().Contain(["$[\"data\"][\"a\"]", "$[\"items\"][1][\"name\"]"]);
        report.Counts["path:$.data.*"].Should().Be(2);
    }

    [Fact]
    public void A_tree_nested_too_deep_is_refused_not_passed()
    {
        JsonNode deep = new JsonArray();
        var leaf = (JsonArray)deep;
        for (var i = 0; i < Masker.MaxDepth + 5; i++)
        {
            var next = new JsonArray();
            leaf.Add(next);
            leaf = next;
        }

        leaf.Add("alice@example.com");

        var act = () => Default.Mask(deep);

        act.Should().Throw<MaskingException>().WithMessage("*deeper*");
    }

    [Fact]
    public void A_number_that_is_a_card_is_masked_and_others_kept()
    {
        var tree = JsonNode.Parse("""{"pan":4111111111111111,"id":1714567890123,"ratio":0.4111111111111111}""")!;

        Default.Mask(tree)!.ToJsonString().Should().Be("""{"pan":"[CARD]","id":1714567890123,"ratio":0.4111111111111111}""");
    }

    [Fact]
    public void Names_that_become_equal_when_masked_keep_both_values()
    {
        var tree = JsonNode.Parse("""{"alice@example.com":1,"bob@example.com":2}""")!;

        Default.Mask(tree)!.ToJsonString().Should().Be("""{"[EMAIL]":1,"[EMAIL]#2":2}""");
    }

    [Fact]
    public void The_report_counts_per_detector_and_never_holds_a_value()
    {
        var report = new MaskingReport(explain: true);

        Default.Mask(JsonNode.Parse("""{"a":"alice@example.com and bob@example.com","b":"123-45-6789"}"""), report);

        report.Counts.Should().Equal(new Dictionary<string, int> { ["email"] = 2, ["us_ssn"] = 1 });
        report.Total.Should().Be(3);
        report.ToJson().ToJsonString().Should().Be("""{"email":2,"us_ssn":1}""");
        string.Join("|", report.Findings).Should().NotContain("alice").And.NotContain("6789");
        report.Findings[1].Should().Be(new MaskingFinding("email", MaskStrategy.Redact, "$[\"a\"]", 22, 15));
    }

    internal static MaskingProfile Profile(MaskingProfileOptions options, byte[]? key = null) =>
        MaskingCatalog.Create(new MaskingOptions { Profiles = { ["p"] = options } }, key).Resolve(["p"]);
}

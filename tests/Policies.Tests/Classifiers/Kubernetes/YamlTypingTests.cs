using McpGateway.Policies.Classifiers.Kubernetes;

namespace Policies.Tests.Classifiers.Kubernetes;

/// <summary>
/// YAML scalars become the JSON that is sent by the YAML 1.2 core schema; forms YAML 1.1 readers
/// (kubectl) read differently are refused rather than guessed.
/// </summary>
public sealed class YamlTypingTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Typed(string value)
    {
        var body = KubernetesCalls.Body($"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\nx: {value}\n");
        return body["x"] is null ? "null" : body["x"]!.ToJsonString(Relaxed);
    }

    [Theory]
    [InlineData("yes", "\"yes\"")]
    [InlineData("no", "\"no\"")]
    [InlineData("on", "\"on\"")]
    [InlineData("off", "\"off\"")]
    [InlineData("y", "\"y\"")]
    [InlineData("n", "\"n\"")]
    [InlineData("Yes", "\"Yes\"")]
    [InlineData("true", "true")]
    [InlineData("True", "true")]
    [InlineData("TRUE", "true")]
    [InlineData("false", "false")]
    [InlineData("FALSE", "false")]
    [InlineData("tRUE", "\"tRUE\"")]
    [InlineData("~", "null")]
    [InlineData("null", "null")]
    [InlineData("Null", "null")]
    [InlineData("NULL", "null")]
    [InlineData("", "null")]
    [InlineData("nULL", "\"nULL\"")]
    public void Booleans_and_nulls_follow_yaml_1_2(string value, string json)
    {
        Typed(value).Should().Be(json);
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("42", "42")]
    [InlineData("+42", "42")]
    [InlineData("-17", "-17")]
    [InlineData("0o17", "15")]
    [InlineData("0o644", "420")]
    [InlineData("0x1F", "31")]
    [InlineData("0xff", "255")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("-9223372036854775809", "-9223372036854775809")]
    [InlineData("0xFFFFFFFFFFFFFFFFFF", "4722366482869645213695")]
    [InlineData("1.5", "1.5")]
    [InlineData("1.", "1.0")]
    [InlineData(".5", "0.5")]
    [InlineData("-.5", "-0.5")]
    [InlineData("+1.25e3", "1.25e3")]
    [InlineData("1e3", "1e3")]
    [InlineData("1E-3", "1e-3")]
    [InlineData("007.5", "7.5")]
    [InlineData("3.14159265358979323846264338327950288", "3.14159265358979323846264338327950288")]
    public void Numbers_follow_yaml_1_2_and_keep_their_digits(string value, string json)
    {
        Typed(value).Should().Be(json);
    }

    [Theory]
    [InlineData("1_000")]
    [InlineData("0b101")]
    [InlineData("0o8")]
    [InlineData("0xZZ")]
    [InlineData("1:30")]
    [InlineData("2024-01-01")]
    [InlineData("500m")]
    [InlineData("1Gi")]
    [InlineData("1e")]
    [InlineData("e5")]
    [InlineData("-a")]
    [InlineData(".")]
    [InlineData("1.2.3")]
    [InlineData("+")]
    [InlineData("=")]
    [InlineData("0x")]
    public void Other_plain_scalars_are_strings(string value)
    {
        Typed(value).Should().Be("\"" + value + "\"");
    }

    [Theory]
    [InlineData("'true'", "\"true\"")]
    [InlineData("\"42\"", "\"42\"")]
    [InlineData("'0644'", "\"0644\"")]
    [InlineData("\"null\"", "\"null\"")]
    [InlineData("''", "\"\"")]
    [InlineData("!!str 42", "\"42\"")]
    [InlineData("!!str true", "\"true\"")]
    [InlineData("! 42", "\"42\"")]
    [InlineData("!!int 42", "42")]
    [InlineData("!!int \"42\"", "42")]
    [InlineData("!!float 1", "1")]
    [InlineData("!!float 2.5", "2.5")]
    [InlineData("!!bool true", "true")]
    [InlineData("!!null ~", "null")]
    [InlineData("\"a\\tb\"", "\"a\\tb\"")]
    public void Quoted_and_tagged_scalars_keep_their_type(string value, string json)
    {
        Typed(value).Should().Be(json);
    }

    [Fact]
    public void Block_scalars_are_strings()
    {
        var body = KubernetesCalls.Body("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  literal: |\n    true\n    42\n  folded: >-\n    123\n");

        body["data"]!["literal"]!.GetValue<string>().Should().Be("true\n42\n");
        body["data"]!["folded"]!.GetValue<string>().Should().Be("123");
    }

    [Theory]
    [InlineData("0644")]
    [InlineData("00")]
    [InlineData("-0755")]
    [InlineData("+012")]
    public void An_integer_with_a_leading_zero_is_refused_as_ambiguous(string value)
    {
        var classification = KubernetesCalls.Classify($"apiVersion: v1\nkind: Secret\nmetadata: {{name: a}}\nstringData:\n  pin: {value}\n");

        classification.IsUnparsed().Should().BeTrue();
        var reason = classification.UnparsedReasons.Should().ContainSingle().Subject;
        reason.Should().Contain("stringData.pin").And.Contain("leading zero").And.Contain("0o");
        reason.Should().NotContain(value, "a message never quotes a value, which may be a secret");
    }

    [Theory]
    [InlineData(".inf")]
    [InlineData("-.Inf")]
    [InlineData("+.INF")]
    [InlineData(".nan")]
    [InlineData(".NaN")]
    public void Infinity_and_nan_are_refused(string value)
    {
        KubernetesCalls.Classify($"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\nx: {value}\n")
            .UnparsedReasons.Should().ContainSingle().Which.Should().Contain("JSON cannot hold");
    }

    [Fact]
    public void A_yaml_1_1_directive_is_refused_and_1_2_accepted()
    {
        KubernetesCalls.Classify("%YAML 1.1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: yes}\n")
            .UnparsedReasons.Should().ContainSingle().Which.Should().Contain("declares YAML 1.1");
        KubernetesCalls.Classify("%YAML 1.2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: yes}\n")
            .Single().Text(KubectlApplyTool.ObjectName).Should().Be("a");
    }

    [Fact]
    public void Keys_are_taken_as_written()
    {
        var body = KubernetesCalls.Body("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  80: http\n  true: yes\n  0644: mode\n  ~: tilde\n");

        body["data"]!.ToJsonString().Should().Be("""{"80":"http","true":"yes","0644":"mode","~":"tilde"}""");
    }

    [Fact]
    public void A_typical_volume_mode_in_octal_is_sent_as_its_value()
    {
        var body = KubernetesCalls.Body("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: {defaultMode: 0o400, hex: 0x1A4}\n");

        body["x"]!.ToJsonString().Should().Be("""{"defaultMode":256,"hex":420}""");
    }

    [Fact]
    public void Unicode_and_escapes_survive_the_conversion()
    {
        var body = KubernetesCalls.Body("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  greeting: \"gr\\u00fc\\u00df \\U0001F600 <b>&amp;</b>\"\n");

        body["data"]!["greeting"]!.GetValue<string>().Should().Be("grüß 😀 <b>&amp;</b>");
    }
}

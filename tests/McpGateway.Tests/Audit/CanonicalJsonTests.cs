using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using McpGateway.Audit;

namespace McpGateway.Tests.Audit;

public sealed class CanonicalJsonTests
{
    [Fact]
    public void Property_names_are_sorted_by_utf16_code_units_not_code_points()
    {
        // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FB33 although its code point is larger.
        var node = new JsonObject
        {
            ["\u20ac"] = 1,
            ["\r"] = 2,
            ["\ufb33"] = 3,
            ["1"] = 4,
            ["\ud83d\ude00"] = 5,
            ["\u0080"] = 6,
            ["\u00f6"] = 7,
        };

        var expected = "{\"\\r\":2,\"1\":4,\"\u0080\":6,\"\u00f6\":7,\"\u20ac\":1,\"\ud83d\ude00\":5,\"\ufb33\":3}";
        CanonicalJson.SerializeToString(node).Should().Be(expected);
        CanonicalJson.Serialize(JsonDocument.Parse(node.ToJsonString()).RootElement)
            .Should().Equal(Encoding.UTF8.GetBytes(expected));
    }

    [Fact]
    public void Nested_objects_are_sorted_and_arrays_keep_their_order()
    {
        var text = """{ "b": [3, 1, {"z": 1, "a": [ {"y": 0, "x": 0} ]}], "a": {"d": null, "c": true, "B": false} }""";
        const string expected = """{"a":{"B":false,"c":true,"d":null},"b":[3,1,{"a":[{"x":0,"y":0}],"z":1}]}""";

        CanonicalJson.SerializeToString(JsonNode.Parse(text)).Should().Be(expected);
        Encoding.UTF8.GetString(CanonicalJson.Serialize(JsonDocument.Parse(text).RootElement)).Should().Be(expected);
    }

    [Theory]
    [InlineData("\"", "\\\"")]
    [InlineData("\\", "\\\\")]
    [InlineData("\b", "\\b")]
    [InlineData("\t", "\\t")]
    [InlineData("\n", "\\n")]
    [InlineData("\f", "\\f")]
    [InlineData("\r", "\\r")]
    [InlineData("\u0000", "\\u0000")]
    [InlineData("\u0001", "\\u0001")]
    [InlineData("\u000b", "\\u000b")]
    [InlineData("\u000e", "\\u000e")]
    [InlineData("\u001f", "\\u001f")]
    [InlineData("/", "/")]
    [InlineData("\u007f", "\u007f")]
    [InlineData("<&'>", "<&'>")]
    [InlineData("\u00e9t\u00e9", "\u00e9t\u00e9")]
    [InlineData("\u2028\u2029", "\u2028\u2029")]
    [InlineData("\ufeff\uffff", "\ufeff\uffff")]
    [InlineData("\ud83d\ude00", "\ud83d\ude00")]
    [InlineData("a\tb\u001ac\"d", "a\\tb\\u001ac\\\"d")]
    public void Strings_escape_only_what_the_rfc_requires(string value, string expectedInsideQuotes)
    {
        var expected = Encoding.UTF8.GetBytes("\"" + expectedInsideQuotes + "\"");

        CanonicalJson.Serialize(JsonValue.Create(value)).Should().Equal(expected);
        CanonicalJson.Serialize(JsonSerializer.SerializeToElement(value)).Should().Equal(expected);
        CanonicalJson.Serialize(new JsonObject { [value] = 0 })
            .Should().Equal([(byte)'{', .. expected, (byte)':', (byte)'0', (byte)'}']);
    }

    [Fact]
    public void Long_strings_with_non_ascii_text_are_written_whole_as_utf8()
    {
        var value = string.Concat(Enumerable.Repeat("x\u00e9\u20ac\ud83d\ude00", 5000));

        CanonicalJson.Serialize(JsonValue.Create(value)).Should().Equal(Encoding.UTF8.GetBytes("\"" + value + "\""));
    }

    [Theory]
    [InlineData(0d, "0")]
    [InlineData(1d, "1")]
    [InlineData(-1d, "-1")]
    [InlineData(1.5, "1.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    [InlineData(4.5, "4.5")]
    [InlineData(100d, "100")]
    [InlineData(1e15, "1000000000000000")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(999999999999999900000d, "999999999999999900000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(-1e21, "-1e+21")]
    [InlineData(1.2345e25, "1.2345e+25")]
    [InlineData(123456789012345680000d, "123456789012345680000")]
    [InlineData(295147905179352825856d, "295147905179352830000")]
    [InlineData(1e-6, "0.000001")]
    [InlineData(1.234e-6, "0.000001234")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(1.5e-7, "1.5e-7")]
    [InlineData(-1.5e-7, "-1.5e-7")]
    [InlineData(0.002, "0.002")]
    [InlineData(1e-27, "1e-27")]
    [InlineData(1e30, "1e+30")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(-5e-324, "-5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(333333333.3333333, "333333333.3333333")]
    [InlineData(9007199254740992d, "9007199254740992")]
    [InlineData(-1234.5678, "-1234.5678")]
    public void Numbers_are_written_as_ecmascript_would(double value, string expected)
    {
        CanonicalJson.SerializeToString(JsonValue.Create(value)).Should().Be(expected);

        // The canonical text is a fixed point: read back as JSON it canonicalizes to itself.
        CanonicalJson.Serialize(JsonDocument.Parse(expected).RootElement).Should().Equal(Encoding.UTF8.GetBytes(expected));
    }

    [Fact]
    public void Negative_zero_is_written_as_zero_and_two_to_the_53_plus_one_rounds_to_two_to_the_53()
    {
        CanonicalJson.SerializeToString(JsonValue.Create(-0d)).Should().Be("0");
        CanonicalJson.SerializeToString(JsonValue.Create(9007199254740993L)).Should().Be("9007199254740992");
    }

    [Theory]
    [InlineData("1.0", "1")]
    [InlineData("-0.0", "0")]
    [InlineData("1E2", "100")]
    [InlineData("0.000000000000000000000000001", "1e-27")]
    [InlineData("1e-400", "0")]
    [InlineData("18446744073709551616", "18446744073709552000")]
    public void Parsed_numbers_go_through_the_nearest_double(string json, string expected)
    {
        CanonicalJson.Serialize(JsonDocument.Parse(json).RootElement).Should().Equal(Encoding.UTF8.GetBytes(expected));
        CanonicalJson.SerializeToString(JsonNode.Parse(json)).Should().Be(expected);
    }

    [Fact]
    public void Integers_and_decimals_from_clr_values_are_written_through_double()
    {
        CanonicalJson.SerializeToString(JsonValue.Create(-7)).Should().Be("-7");
        CanonicalJson.SerializeToString(JsonValue.Create(42L)).Should().Be("42");
        CanonicalJson.SerializeToString(JsonValue.Create(4.50m)).Should().Be("4.5");
        CanonicalJson.SerializeToString(JsonValue.Create(0.0000001m)).Should().Be("1e-7");
        CanonicalJson.SerializeToString(JsonValue.Create(0.1f)).Should().Be("0.1");
        CanonicalJson.SerializeToString(JsonValue.Create((byte)255)).Should().Be("255");
        CanonicalJson.SerializeToString(JsonValue.Create(ulong.MaxValue)).Should().Be("18446744073709552000");

        // Beyond 2^53 precision is lost; exact large integers have to be stored as strings.
        CanonicalJson.SerializeToString(JsonValue.Create(long.MaxValue)).Should().Be("9223372036854776000");
    }

    [Fact]
    public void Other_clr_values_take_their_system_text_json_form()
    {
        var node = new JsonObject
        {
            ["at"] = JsonValue.Create(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(2))),
            ["id"] = JsonValue.Create(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e")),
            ["letter"] = JsonValue.Create('\n'),
            ["day"] = JsonValue.Create(DayOfWeek.Monday),
        };

        CanonicalJson.SerializeToString(node)
            .Should().Be("""{"at":"2024-01-02T03:04:05+02:00","day":1,"id":"0f8fad5b-d9cb-469f-a165-70867728950e","letter":"\n"}""");
    }

    [Fact]
    public void Literals_and_a_missing_node_are_written_as_json_literals()
    {
        CanonicalJson.SerializeToString(null).Should().Be("null");
        CanonicalJson.SerializeToString(new JsonArray(true, false, null, new JsonObject { ["n"] = null }))
            .Should().Be("""[true,false,null,{"n":null}]""");
        Encoding.UTF8.GetString(CanonicalJson.Serialize(JsonDocument.Parse(" [ true , false , null ] ").RootElement))
            .Should().Be("[true,false,null]");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Nan_and_infinity_are_refused(double value)
    {
        var act = () => CanonicalJson.Serialize(new JsonArray(1, value));

        act.Should().Throw<FormatException>().WithMessage("*NaN*");
        FluentActions.Invoking(() => CanonicalJson.Serialize(JsonValue.Create((float)value))).Should().Throw<FormatException>();
    }

    [Fact]
    public void A_number_too_large_for_a_double_is_refused()
    {
        var act = () => CanonicalJson.Serialize(JsonDocument.Parse("[1e400]").RootElement);

        act.Should().Throw<FormatException>();
    }

    // Spelled with escapes and unescaped here: xunit's test data would replace a lone surrogate with U+FFFD.
    [Theory]
    [InlineData(@"\ud800")]
    [InlineData(@"a\udc00b")]
    [InlineData(@"ab\ud83d")]
    [InlineData(@"\ude00\ud83d")]
    [InlineData(@"\ud83d""")]
    public void A_lone_surrogate_in_a_string_or_name_is_refused(string escaped)
    {
        var value = Regex.Unescape(escaped);
        value.Any(char.IsSurrogate).Should().BeTrue();
        FluentActions.Invoking(() => CanonicalJson.Serialize(JsonValue.Create(value)))
            .Should().Throw<FormatException>().WithMessage("*lone surrogate U+D*");
        FluentActions.Invoking(() => CanonicalJson.Serialize(new JsonObject { [value] = 1 }))
            .Should().Throw<FormatException>().WithMessage("*lone surrogate*");
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("{\"x\\udc00\":1}")]
    [InlineData("[\"ok\",\"\\ude00\\ud83d\"]")]
    public void A_lone_surrogate_escaped_in_parsed_text_is_refused(string json)
    {
        FluentActions.Invoking(() => CanonicalJson.Serialize(JsonDocument.Parse(json).RootElement))
            .Should().Throw<FormatException>().WithMessage("*lone surrogate*");
        FluentActions.Invoking(() => CanonicalJson.Serialize(JsonNode.Parse(json)))
            .Should().Throw<FormatException>().WithMessage("*lone surrogate*");
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""")]
    [InlineData("""{"a":1,"\u0061":1}""")]
    [InlineData("""{"outer":[{"k":true,"j":0,"k":false}]}""")]
    public void Duplicate_property_names_are_refused(string json)
    {
        FluentActions.Invoking(() => CanonicalJson.Serialize(JsonDocument.Parse(json).RootElement))
            .Should().Throw<FormatException>().WithMessage("*duplicate property names*");
        FluentActions.Invoking(() => CanonicalJson.Serialize(JsonNode.Parse(json)))
            .Should().Throw<FormatException>().WithMessage("*duplicate property names*");
    }

    [Fact]
    public void Equal_documents_give_identical_bytes_and_hashes_whatever_the_order_and_whitespace()
    {
        const string compact = """{"tool":"sql.query","args":{"limit":10,"query":"select 1"},"tags":["a","b"]}""";
        const string spread = """
            {
              "tags" : [ "a", "b" ],
              "args" : { "query" : "select 1", "limit" : 1.0E1 },
              "tool" : "sql\u002equery"
            }
            """;
        var built = new JsonObject
        {
            ["args"] = new JsonObject { ["query"] = "select 1", ["limit"] = 10 },
            ["tags"] = new JsonArray("a", "b"),
            ["tool"] = "sql.query",
        };

        var expected = CanonicalJson.Serialize(JsonNode.Parse(compact));
        CanonicalJson.Serialize(JsonNode.Parse(spread)).Should().Equal(expected);
        CanonicalJson.Serialize(built).Should().Equal(expected);
        CanonicalJson.Serialize(JsonDocument.Parse(spread).RootElement).Should().Equal(expected);
        CanonicalJson.HashHex(JsonNode.Parse(spread)).Should().Be(CanonicalJson.HashHex(built));
        CanonicalJson.Hash(JsonNode.Parse(compact)).Should().Equal(CanonicalJson.Hash(built));
    }

    [Fact]
    public void A_different_value_gives_a_different_hash()
    {
        CanonicalJson.HashHex(new JsonObject { ["limit"] = 10 })
            .Should().NotBe(CanonicalJson.HashHex(new JsonObject { ["limit"] = 11 }));
    }

    [Fact]
    public void The_hash_is_sha256_of_the_canonical_bytes_in_lower_case_hex()
    {
        var node = JsonNode.Parse("""{ "b": "\u00e9", "a": [1.50] }""");

        var hex = CanonicalJson.HashHex(node);

        hex.Should().MatchRegex("^[0-9a-f]{64}$");
        hex.Should().Be(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("{\"a\":[1.5],\"b\":\"\u00e9\"}"))).ToLowerInvariant());
        CanonicalJson.Hash(node).Should().Equal(SHA256.HashData(CanonicalJson.Serialize(node)));
        CanonicalJson.HashHex(null).Should().Be("74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b");
    }

    [Fact]
    public void The_rfc_8785_sample_canonicalizes_as_the_rfc_shows()
    {
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        const string expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27]," +
            "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";

        CanonicalJson.SerializeToString(JsonNode.Parse(input)).Should().Be(expected);
        CanonicalJson.Serialize(JsonDocument.Parse(input).RootElement).Should().Equal(Encoding.UTF8.GetBytes(expected));
    }

    [Fact]
    public void An_undefined_element_is_refused()
    {
        FluentActions.Invoking(() => CanonicalJson.Serialize(default(JsonElement))).Should().Throw<ArgumentException>();
    }
}
